#!/bin/sh
# The contracts suite: ZkregAttestationRegistry compiled with solc-js and run
# on an in-memory EVM (contracts/test/registry.test.js), fed by this build's
# zkreg. Needs node and contracts/node_modules (`npm ci`, which
# .ci/install-deps runs); without them it fails rather than skips.
# TAP. Usage: run.sh ZKREG WALLET   (under tests/hsm/softhsm-setup.sh)
set -u
SRC=${ZKR_SOURCE_ROOT:-.}
if ! command -v node >/dev/null 2>&1; then
  echo "not ok 1 - node is not installed (.ci/install-deps installs Debian's nodejs)"; echo "1..1"; exit 1
fi
if [ ! -d "$SRC/contracts/node_modules/solc" ]; then
  echo "not ok 1 - contracts/node_modules is missing (run: npm ci --prefix contracts, or .ci/install-deps)"
  echo "1..1"; exit 1
fi
ZKREG=$1 ZKR_TEST_WALLET=$2 ZKR_SOURCE_ROOT=$SRC exec node "$SRC/contracts/test/registry.test.js"
