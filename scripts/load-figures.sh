#!/usr/bin/env bash
# The load figures of docs/benchmarks.md ("Load: the classroom server"), measured in one run on
# loopback: `tls12-sim load` against our `tls12-sim serve`, then the same loads against
# `openssl s_server -www` with the same certificate and key. For each server:
#
#   c=1            N handshakes, one at a time
#   c=8            N handshakes, eight at a time      (ratio c=8 / c=1: does it use the cores?)
#   c=8 + K idle   the same while K idle connections  (ratio to c=8: must stay >= 0.90, with zero
#                  are held open                       failures and no idle connection closed)
#
# Every run has the same per-handshake timeout and time limit, so a server that stalls on an
# idle connection costs a bounded wait and shows as failures, not a hang.
#
# Usage: ./scripts/load-figures.sh            (N=400, K=100)
#        N=1000 K=100 ./scripts/load-figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-400}
K=${K:-100}
TIMEOUT=5      # seconds per handshake
TIME_LIMIT=20  # seconds: no handshake starts after this

. scripts/figures-common.sh

# One load run; prints "HANDSHAKES_PER_SECOND FAILURES NOT_STARTED IDLE_CLOSED_EARLY" and keeps
# the full report in $WORK/reports.
measure() {
    local name=$1 address=$2 concurrency=$3 idle=$4
    "$BIN" load "$address" --connections "$N" --concurrency "$concurrency" --idle "$idle" \
        --timeout "$TIMEOUT" --time-limit "$TIME_LIMIT" >"$WORK/$name.txt" 2>&1 || true
    { echo "--- $name"; cat "$WORK/$name.txt"; } >>"$WORK/reports"
    awk '
        /^  completed/    { rate = $(NF - 1) }
        /^  failures   none/ { failures = 0 }
        /^  failures   [0-9]/ { failures = $2 }
        /^  not started/  { not_started = $3 }
        /^  idle /        { closed = $4 }
        END { printf "%s %d %d %d\n", rate, failures, not_started, closed }
    ' "$WORK/$name.txt"
}

# The three loads against the server at $2, after a warm-up; one table row named $1.
row() {
    local server=$1 address=$2
    "$BIN" load "$address" --connections 50 --concurrency 2 --timeout "$TIMEOUT" >/dev/null 2>&1 || true
    local c1 c8 idle
    read -r -a c1 <<<"$(measure "$server-c1" "$address" 1 0)"
    read -r -a c8 <<<"$(measure "$server-c8" "$address" 8 0)"
    read -r -a idle <<<"$(measure "$server-c8-idle" "$address" 8 "$K")"
    local not_done=$((c1[1] + c8[1] + idle[1] + c1[2] + c8[2] + idle[2]))
    awk -v s="$server" -v a="${c1[0]}" -v b="${c8[0]}" -v c="${idle[0]}" -v f="$not_done" \
        -v closed="${idle[3]}" 'BEGIN {
            printf "%-18s %9.0f %9.0f %12.0f %9.2fx %11.2fx %9d %7d\n",
                s, a, b, c, (a > 0 ? b / a : 0), (b > 0 ? c / b : 0), f, closed
        }'
    echo "${c8[0]}" >"$WORK/$server.c8"
}

echo "tls12-sim load on loopback, $(nproc) cores: $N handshakes per run, $K idle connections"
echo "held in the third, each handshake given ${TIMEOUT} s, no handshake started after ${TIME_LIMIT} s."
echo "All twelve suites offered, GCM first; both servers follow the client's preference:"
echo "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, RSA-2048 certificate (src/demo/server.pem)."
echo
echo "not done: handshakes failed or not started, in the three runs; closed: idle connections"
echo "the server closed early."
echo
printf "%-18s %9s %9s %12s %10s %12s %9s %7s\n" \
    "server" "c=1" "c=8" "c=8+${K}idle" "c8/c1" "idle/none" "not done" "closed"
printf "%-18s %9s %9s %12s %10s %12s %9s %7s\n" \
    "" "hs/s" "hs/s" "hs/s" "" "" "" ""

port=$(free_port)
"$BIN" serve --listen "127.0.0.1:$port" --read-timeout-ms 120000 >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
wait_for_port "$port"
row "tls12-sim serve" "127.0.0.1:$port"

if command -v openssl >/dev/null; then
    port=$(free_port)
    openssl s_server -accept "$port" -cert src/demo/server.pem -key src/demo/server.key \
        -tls1_2 -www -quiet >"$WORK/s_server.log" 2>&1 &
    PIDS+=($!)
    wait_for_port "$port"
    row "openssl s_server" "127.0.0.1:$port"
    awk -v a="$(cat "$WORK/tls12-sim serve.c8")" -v b="$(cat "$WORK/openssl s_server.c8")" \
        'BEGIN { if (b > 0) printf "\nours against OpenSSL at c=8: %.2fx the handshakes/s\n", a / b }'
    echo "($(openssl version))"
else
    echo "openssl s_server: not installed, skipped"
fi

echo
echo "The full reports:"
cat "$WORK/reports"
