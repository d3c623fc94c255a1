# Sourced by the figure scripts (load-figures.sh, inspect-figures.sh), from the project root:
# builds the release binary ($BIN), makes a scratch directory ($WORK) that is removed at exit
# with every process whose pid is in PIDS, and gives free_port and wait_for_port.

cargo build --release --locked --quiet
BIN=target/release/tls12-sim
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# A TCP port on 127.0.0.1 that nothing uses now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something accepts TCP connections on 127.0.0.1:$1.
wait_for_port() {
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    exit 1
}
