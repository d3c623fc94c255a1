#!/usr/bin/env bash
# Fuzzes the targets in fuzz/ one after another, SECONDS each (default 60), from a fresh clone:
#
#   ./scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Installs what it needs when missing (a C++ compiler, because libfuzzer-sys builds libFuzzer
# from source; cargo-fuzz, from crates.io), writes the seed corpora (fuzz/examples/seed_corpus.rs),
# builds every target, runs each, and prints executions per target. Exit status 1 if any target
# crashed, timed out or ran out of memory; its input is in fuzz/artifacts/<TARGET>/ and its
# log in fuzz/logs/<TARGET>.log. docs/fuzzing.md says what each target feeds to what.
#
# Runs on the stable toolchain: the targets are built without a sanitizer (safe Rust gets its
# bounds and overflow checks from the build itself). FUZZ_SANITIZER=address builds with
# AddressSanitizer instead, whose -Z flags need RUSTC_BOOTSTRAP=1 on stable; this script sets it
# only then.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS=(record messages server_first_flight client_response ticket pki capture)
CARGO_FUZZ_VERSION=0.13.2

seconds="${1:-60}"
if [ $# -gt 0 ]; then shift; fi
case "$seconds" in
  '' | *[!0-9]*)
    echo "usage: $0 [SECONDS] [TARGET...]   (targets: ${ALL_TARGETS[*]})" >&2
    exit 2
    ;;
esac
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=("${ALL_TARGETS[@]}"); fi

sanitizer="${FUZZ_SANITIZER:-none}"
build=(-s "$sanitizer")
if [ "$sanitizer" != none ]; then
  export RUSTC_BOOTSTRAP=1
  # A build of its own, so that switching back and forth does not rebuild everything.
  build+=(--target-dir "fuzz/target/sanitizer-$sanitizer")
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ---- what it needs ----
if ! command -v c++ >/dev/null 2>&1; then
  echo "fuzz.sh: installing a C++ compiler (g++) for libfuzzer-sys" >&2
  as_root apt-get update
  as_root apt-get install -y g++
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz $CARGO_FUZZ_VERSION" >&2
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

# ---- seed corpora, build ----
cargo run --quiet --manifest-path fuzz/Cargo.toml --example seed_corpus
cargo fuzz build "${build[@]}"

# ---- run ----
mkdir -p fuzz/logs
status=0
rows=()
for target in "${targets[@]}"; do
  log="fuzz/logs/$target.log"
  echo "== $target: ${seconds}s (log: $log)"
  set +e
  # -timeout: one input running longer than 10 s is a finding (a hang); -print_final_stats
  # prints stat::number_of_executed_units at the end.
  cargo fuzz run "${build[@]}" "$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  if [ -z "$execs" ]; then
    execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
  fi
  per_sec=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    finding="none"
  else
    status=1
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    finding="FAILED (exit $rc) ${artifact:-see $log}"
    echo "-- $target failed; from its log:"
    # The panic and its message, our frames of the backtrace, libFuzzer's verdict.
    grep -A1 "panicked at" "$log" | head -n 2 || true
    grep -E "tls12_sim::|at \./(src|fuzz)/|^SUMMARY|^==[0-9]+== ERROR|Test unit written" "$log" |
      head -n 16 || true
  fi
  rows+=("$(printf '%-20s %8s %12s %8s %8s  %s' "$target" "$seconds" "${execs:-?}" "${per_sec:-?}" "$corpus" "$finding")")
done

echo
printf '%-20s %8s %12s %8s %8s  %s\n' target seconds executions exec/s corpus findings
for row in "${rows[@]}"; do echo "$row"; done
exit "$status"
