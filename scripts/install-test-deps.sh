#!/usr/bin/env bash
# Installs what the tests use besides cargo, when it is not already there:
#   openssl     an independent TLS peer and X.509 parser      (Debian package)
#   tshark      Wireshark's dissector, to decrypt our captures  (Debian package)
#   tlslite-ng  a pure-Python TLS peer, in .venv-peers/         (PyPI, pinned)
#   gdb         rust-gdb drives it in the debugger test          (Debian package)
# Idempotent: does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

TLSLITE_VERSION=0.8.2

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

need_apt=()
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v tshark >/dev/null 2>&1 || need_apt+=(tshark)
command -v gdb >/dev/null 2>&1 || need_apt+=(gdb)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${need_apt[*]} (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # wireshark-common asks whether non-root users may capture; the tests run as root.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections 2>/dev/null || true
  as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null 2>&1 \
    || { as_root apt-get update -qq && as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null; }
fi

if ! .venv-peers/bin/python -c "import tlslite; assert tlslite.__version__ == '$TLSLITE_VERSION'" 2>/dev/null; then
  echo "install-test-deps: installing tlslite-ng $TLSLITE_VERSION into .venv-peers (PyPI)" >&2
  rm -rf .venv-peers
  python3 -m venv .venv-peers
  .venv-peers/bin/pip install -q --disable-pip-version-check "tlslite-ng==$TLSLITE_VERSION"
fi
