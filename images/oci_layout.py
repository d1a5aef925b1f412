#!/usr/bin/env python3
"""Writes a one-layer OCI image layout (image-spec v1.0) from a root
filesystem directory, byte for byte the same on every run.

Usage: oci_layout.py ROOTFS OUT.tar --epoch SECONDS --tag TAG
                     [--entrypoint PATH] [--user UID:GID]

The layer is a POSIX tar of ROOTFS with entries sorted by name, owners as
numeric ids from the files, every mtime clamped to the epoch, and gzip
without a name or time. The config's created time is the epoch. The layout
(oci-layout, index.json, blobs/sha256/...) is itself written as a sorted
tar with fixed metadata, so the OUT.tar digest and the manifest digest are
functions of ROOTFS and the arguments alone. umoci reads the result
(images/smoke unpacks it with umoci).
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import stat
import sys
import tarfile
import time


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def layer_tar(rootfs, epoch):
    """Returns the uncompressed layer tar of rootfs."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        paths = []
        for dirpath, dirnames, filenames in os.walk(rootfs):
            dirnames.sort()
            for n in dirnames + filenames:
                paths.append(os.path.join(dirpath, n))
        for p in sorted(paths, key=lambda x: os.path.relpath(x, rootfs).encode()):
            rel = os.path.relpath(p, rootfs)
            ti = tar.gettarinfo(p, arcname=rel)
            ti.mtime = min(int(ti.mtime), epoch)
            ti.uname = ""
            ti.gname = ""
            ti.pax_headers = {}
            if ti.isreg():
                with open(p, "rb") as f:
                    tar.addfile(ti, f)
            else:
                tar.addfile(ti)
    return buf.getvalue()


def gz(data):
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as g:
        g.write(data)
    return out.getvalue()


def canon(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def add_bytes(tar, name, data, epoch):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mtime = epoch
    ti.mode = 0o644
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    tar.addfile(ti, io.BytesIO(data))


def add_dir(tar, name, epoch):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.DIRTYPE
    ti.mtime = epoch
    ti.mode = 0o755
    ti.uid = ti.gid = 0
    tar.addfile(ti)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rootfs")
    ap.add_argument("out")
    ap.add_argument("--epoch", type=int, required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--entrypoint", default="/usr/bin/zkreg")
    ap.add_argument("--user", default="65532:65532")
    a = ap.parse_args()

    raw = layer_tar(a.rootfs, a.epoch)
    layer = gz(raw)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(a.epoch))
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": created,
        "config": {
            "Entrypoint": [a.entrypoint],
            "User": a.user,
            "WorkingDir": "/work",
            "Env": ["PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8"],
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha256(raw)]},
        "history": [{"created": created, "created_by": "images/build (mmdebstrap, oci_layout.py)"}],
    }
    config_b = canon(config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + sha256(config_b), "size": len(config_b)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": "sha256:" + sha256(layer), "size": len(layer)}],
    }
    manifest_b = canon(manifest)
    index = {
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": "sha256:" + sha256(manifest_b), "size": len(manifest_b),
                       "annotations": {"org.opencontainers.image.ref.name": a.tag}}],
    }
    blobs = sorted([(sha256(b), b) for b in (layer, config_b, manifest_b)])
    with open(a.out, "wb") as f, tarfile.open(fileobj=f, mode="w", format=tarfile.PAX_FORMAT) as tar:
        add_dir(tar, "blobs", a.epoch)
        add_dir(tar, "blobs/sha256", a.epoch)
        for h, b in blobs:
            add_bytes(tar, "blobs/sha256/" + h, b, a.epoch)
        add_bytes(tar, "index.json", canon(index), a.epoch)
        add_bytes(tar, "oci-layout", canon({"imageLayoutVersion": "1.0.0"}), a.epoch)
    print("sha256:" + sha256(manifest_b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
