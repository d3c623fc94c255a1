#!/usr/bin/env bash
# Installs what the tests use besides cargo, when it is not already there:
#   openssl     an independent TLS peer and X.509 parser      (Debian package)
#   tshark      Wireshark's dissector, to decrypt our captures  (Debian package)
#   dumpcap     captures loopback for tests/inspect_peers.rs     (Debian package wireshark-common,
#               a dependency of tshark; installed on its own if missing)
#   tlslite-ng  a pure-Python TLS peer, in .venv-peers/         (PyPI, pinned)
#   cryptography  Python's AES-GCM, for a check by hand in vectors/README.md (PyPI, pinned, same venv)
#   gdb         rust-gdb drives it in the debugger test          (Debian package)
#   curl        a real client of `serve` in tests/classroom.rs   (Debian package)
#   gnutls-cli, gnutls-serv  GnuTLS's peers: resumes sessions with `serve` (-r) in
#               tests/interop_resumption.rs; the CBC suites, with and without
#               encrypt-then-MAC, in tests/interop_cbc.rs        (Debian package gnutls-bin)
#   ip          brings up loopback in the network namespace gnutls-serv runs in there (it
#               cannot be told to listen on 127.0.0.1 only)       (Debian package iproute2)
#   chromium    renders the HTML trace in tests/browser.rs       (Debian package)
#   chromedriver  drives it over WebDriver                      (Debian package chromium-driver)
#   fonts-noto-cjk  Japanese glyphs for the --lang ja screenshots (Debian package)
#   mermaid     parses --format mermaid in tests/mermaid.rs      (npm, in tests/js/node_modules,
#               the versions tests/js/package-lock.json pins; uses the machine's node and npm)
# Idempotent: does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

TLSLITE_VERSION=0.8.2
CRYPTOGRAPHY_VERSION=46.0.3

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

need_apt=()
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v tshark >/dev/null 2>&1 || need_apt+=(tshark)
command -v dumpcap >/dev/null 2>&1 || need_apt+=(wireshark-common)
command -v gdb >/dev/null 2>&1 || need_apt+=(gdb)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
{ command -v gnutls-cli >/dev/null 2>&1 && command -v gnutls-serv >/dev/null 2>&1; } || need_apt+=(gnutls-bin)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
# Japanese text in the browser test's screenshots (--lang ja) needs a CJK font.
(command -v fc-list >/dev/null 2>&1 && fc-list :lang=ja | grep -q .) || need_apt+=(fonts-noto-cjk)
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
# Python's cryptography package: vectors/README.md's check of a GCM record by hand uses it.
if ! .venv-peers/bin/python -c "import cryptography; assert cryptography.__version__ == '$CRYPTOGRAPHY_VERSION'" 2>/dev/null; then
  echo "install-test-deps: installing cryptography $CRYPTOGRAPHY_VERSION into .venv-peers (PyPI)" >&2
  .venv-peers/bin/pip install -q --disable-pip-version-check "cryptography==$CRYPTOGRAPHY_VERSION"
fi

# mermaid's own parser checks `simulate --format mermaid` (tests/mermaid.rs). `npm ci` installs
# exactly what tests/js/package-lock.json pins; it runs when a package there is missing or of
# another version than tests/js/package.json names.
JS_DEPS_PINNED='const p = require("./tests/js/package.json");
for (const [name, version] of Object.entries(p.dependencies)) {
  if (require(`./tests/js/node_modules/${name}/package.json`).version !== version) process.exit(1);
}'
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-test-deps: installing nodejs and npm (Debian packages)" >&2
  as_root apt-get install -y -qq nodejs npm >/dev/null 2>&1 || true
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-test-deps: node or npm is missing: tests/mermaid.rs will fail under test.sh" >&2
elif ! node -e "$JS_DEPS_PINNED" 2>/dev/null; then
  echo "install-test-deps: installing mermaid and jsdom into tests/js/node_modules (npm)" >&2
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error >/dev/null
fi
