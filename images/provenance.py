#!/usr/bin/env python3
"""Writes the in-toto SLSA provenance v1 statement of one images/build run.

Usage: provenance.py OUTDIR --commit HEX --tree-sha256 HEX --epoch N
                     --command TEXT --packages NAME=FILE [...] ARTIFACT [...]

Subjects: each ARTIFACT's base name and sha256. resolvedDependencies: the
source (commit and tree digest), then every Debian package of each image
(one PACKAGES file per image: lines "name<TAB>version<TAB>arch<TAB>sha256").
Nothing in it depends on the clock or the build directory, so two builds of
one commit write the same bytes (images/check compares them).
"""
import argparse
import hashlib
import json
import os
import sys


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def packages(image, path):
    deps = []
    with open(path) as f:
        for line in f:
            name, version, arch, digest = line.rstrip("\n").split("\t")
            if len(digest) != 64:
                sys.exit("provenance.py: %s: no sha256 for %s %s" % (path, name, version))
            deps.append({
                "uri": "pkg:deb/debian/%s@%s?arch=%s&distro=bookworm" % (name, version, arch),
                "digest": {"sha256": digest},
                "annotations": {"image": image},
            })
    return sorted(deps, key=lambda d: (d["annotations"]["image"], d["uri"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--commit", required=True)
    ap.add_argument("--tree-sha256", required=True)
    ap.add_argument("--epoch", type=int, required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--packages", action="append", default=[])
    ap.add_argument("artifacts", nargs="+")
    a = ap.parse_args()

    subjects = [{"name": os.path.basename(p), "digest": {"sha256": file_sha256(p)}}
                for p in sorted(a.artifacts)]
    deps = [{"uri": "git+zkreg@" + a.commit,
             "digest": {"gitCommit": a.commit, "sha256": a.tree_sha256},
             "annotations": {"tree_digest": "sha256 over 'sha256(content)  path' lines "
                                            "of git ls-files, sorted by path"}}]
    for spec in a.packages:
        image, path = spec.split("=", 1)
        deps += packages(image, path)
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects,
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://zkreg.dev/images/build/v1",
                "externalParameters": {"command": a.command, "source": "git+zkreg@" + a.commit},
                "internalParameters": {"SOURCE_DATE_EPOCH": a.epoch, "suite": "bookworm",
                                       "architecture": "amd64"},
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": {"id": "https://zkreg.dev/images/build"},
                "metadata": {"invocationId": "commit-" + a.commit},
            },
        },
    }
    with open(os.path.join(a.out, "provenance.json"), "w") as f:
        json.dump(statement, f, sort_keys=True, indent=1)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
