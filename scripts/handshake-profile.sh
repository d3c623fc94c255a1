#!/usr/bin/env bash
# Where a handshake's instructions go, counted exactly by valgrind's callgrind (repeatable,
# unlike timings). For each kind of handshake: all instructions of ten full handshakes, and
# those spent inside the public-key primitives (RSA and X25519, in the rsa and x25519-dalek
# crates). Valgrind hides some CPU features (SHA-NI, AES-NI), so the split differs somewhat from
# the timed one; both are in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
cargo build -q --release --example handshake_loop
out=$(mktemp -d)
printf "%-11s %15s %15s %8s\n" kind "all Ir" "public-key Ir" share
for kind in rsa ecdhe rsa_mtls ecdhe_mtls; do
  valgrind --tool=callgrind --callgrind-out-file="$out/$kind" \
    target/release/examples/handshake_loop "$kind" >/dev/null 2>&1
  callgrind_annotate --inclusive=yes "$out/$kind" 2>/dev/null > "$out/$kind.txt"
  python3 - "$kind" "$out/$kind.txt" <<'PY'
import re, sys
kind, path = sys.argv[1], sys.argv[2]
rows = []
for line in open(path):
    m = re.match(r"\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*)", line)
    if m:
        rows.append((int(m.group(1).replace(",", "")), m.group(2)))
def inclusive(pattern):
    # The largest inclusive count of a function whose name matches (its outermost entry).
    found = [n for n, name in rows if re.search(pattern, name) and "[" in name]
    return max(found) if found else 0
total = inclusive(r"handshake_loop::run_handshakes")
# Entry points of the public-key primitives, as our code calls them.
primitives = [
    r"tls12_sim::key_exchange::rsa_encrypt_pre_master \[",
    r"rsa::algorithms::rsa::rsa_decrypt_and_check \[",
    r"tls12_sim::key_exchange::sign \[",
    r"tls12_sim::key_exchange::verify \[",
    r"tls12_sim::pki::chain::verify_signed \[",
    r"x25519_dalek::x25519::x25519 \[",
    r"tls12_sim::pki::rsa_public_key \[",
]
public = sum(inclusive(p) for p in primitives)
print(f"{kind:<11} {total:>15,} {public:>15,} {100*public/max(total,1):>7.1f}%")
PY
done
rm -rf "$out"
