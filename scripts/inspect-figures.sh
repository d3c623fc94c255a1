#!/usr/bin/env bash
# The inspect figures of docs/benchmarks.md ("Inspect: a capture beside tshark"), measured in one
# run on loopback. It makes a capture of N connections with our own peers (`tls12-sim serve
# --pcap --keylog` answering `tls12-sim load`, the connections shared out over the twelve
# suites: four GCM, eight CBC, with encrypt-then-MAC as both sides offer it), strips the key log out of the file (`editcap --discard-all-secrets`), then times, on
# that same file:
#
#   list, no keys       tls12-sim inspect FILE                        tshark -r FILE
#   list, key log       tls12-sim inspect FILE --keylog KEYS          tshark -r FILE -o tls.keylog_file:KEYS
#   explain all         tls12-sim inspect FILE --keylog KEYS          tshark -r FILE -o tls.keylog_file:KEYS -V
#                                            --stream all
#
# Each command runs RUNS times (after one warm-up), its output to /dev/null; the median wall time
# is reported, with tshark's time divided by ours (above 1: we are faster). With the key log,
# `inspect` decrypts every record, recomputes both Finished of every connection and checks them;
# tshark decrypts every record and dissects what is inside.
#
# Usage: ./scripts/inspect-figures.sh            (N=1000, RUNS=5)
#        N=200 RUNS=3 ./scripts/inspect-figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000}
RUNS=${RUNS:-5}

. scripts/figures-common.sh

# ---- the capture: N connections with our own peers ----
PORT=$(free_port)
"$BIN" serve --listen "127.0.0.1:$PORT" --pcap "$WORK/secrets.pcapng" --keylog "$WORK/keys.txt" \
    >/dev/null 2>"$WORK/serve.log" &
PIDS+=($!)
wait_for_port "$PORT"
SUITES=(TLS_RSA_WITH_AES_128_GCM_SHA256 TLS_RSA_WITH_AES_256_GCM_SHA384
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    TLS_RSA_WITH_AES_128_CBC_SHA TLS_RSA_WITH_AES_256_CBC_SHA
    TLS_RSA_WITH_AES_128_CBC_SHA256 TLS_RSA_WITH_AES_256_CBC_SHA256
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384)
for i in "${!SUITES[@]}"; do
    # N split over the twelve suites, the first N % 12 taking one more.
    count=$((N / 12 + (i < N % 12 ? 1 : 0)))
    if [ "$count" -gt 0 ]; then
        "$BIN" load "127.0.0.1:$PORT" --server-name localhost --suite "${SUITES[$i]}" \
            --connections "$count" --concurrency 4 >>"$WORK/load.txt"
    fi
done
sleep 1
kill "${PIDS[0]}" && wait "${PIDS[0]}" 2>/dev/null || true
PIDS=()
editcap --discard-all-secrets "$WORK/secrets.pcapng" "$WORK/capture.pcapng"
FILE=$WORK/capture.pcapng
KEYS=$WORK/keys.txt

# ---- what each reads from it ----
verified=$("$BIN" inspect "$FILE" --keylog "$KEYS" | grep -c "both Finished verified" || true)
packets=$("$BIN" inspect "$FILE" | head -1 | sed -E 's/.*\(pcapng, ([0-9]+) packets\).*/\1/')
size=$(stat -c %s "$FILE")
tshark_version=$(tshark --version 2>/dev/null | head -1)
echo "capture: $N connections with our own peers, $packets packets, $((size / 1024)) KiB"
echo "inspect: both Finished verified in $verified of $N connections"
echo "$tshark_version"
echo

# ---- the times ----
python3 - "$RUNS" "$BIN" "$FILE" "$KEYS" <<'PY'
import statistics, subprocess, sys, time
runs, bin, capture, keys = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
tls_keys = f"tls.keylog_file:{keys}"
pairs = [
    ("list, no keys", [bin, "inspect", capture], ["tshark", "-r", capture]),
    ("list, key log", [bin, "inspect", capture, "--keylog", keys],
        ["tshark", "-r", capture, "-o", tls_keys]),
    ("explain all", [bin, "inspect", capture, "--keylog", keys, "--stream", "all"],
        ["tshark", "-r", capture, "-o", tls_keys, "-V"]),
]

def median(command):
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if i > 0:  # the first is a warm-up
            times.append(time.perf_counter() - start)
    return statistics.median(times)

print(f"{'':14} {'tls12-sim inspect':>18} {'tshark':>10} {'tshark / ours':>14}")
for name, ours, theirs in pairs:
    a, b = median(ours), median(theirs)
    print(f"{name:14} {a:>16.3f} s {b:>8.3f} s {b / a:>13.1f}x")
PY
