#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need beyond cargo (only
# when it is missing), then runs every test. Exit status is non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-test-deps.sh
# With this set, an interop test whose peer (openssl, tshark, tlslite-ng) is missing fails
# instead of skipping: under this script they must run.
export TLS12SIM_REQUIRE_PEERS=1
# --all-targets builds and runs the library, binary, integration tests, examples and benches
# (each benchmark once); the doctests (the codec, the PRF, phrase!) are a run of their own.
status=0
cargo test --locked --no-fail-fast --all-targets "$@" || status=$?
if [ "$#" -eq 0 ]; then
    cargo test --locked --doc || status=$?
fi
exit "$status"
