# Shared helpers for end-to-end tests: free ports, waiting, cleanup by PID. Source it.
set -euo pipefail
E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INFERMETRY_BIN=${INFERMETRY_BIN:-$E2E_ROOT/build/src/cmd/infermetry}
PIDS=(); TMPDIRS=()
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_http() {  # wait_http URL [tries x 0.1s]: 0 once URL answers 2xx
  local i; for i in $(seq "${2:-100}"); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "timeout waiting for $1" >&2; return 1; }
wait_until() {  # wait_until TRIES CMD [ARGS...]: retries CMD every 0.1 s
  local n=$1 i; shift; for i in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
  echo "timeout: $*" >&2; return 1; }
cleanup() {
  local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "${TMPDIRS[@]}"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# serve_dir DIR PORT: a static HTTP server on 127.0.0.1 (files served as-is).
serve_dir() { python3 -m http.server "$2" --bind 127.0.0.1 --directory "$1" >/dev/null 2>&1 & PIDS+=($!); }
# start_prometheus CONFIG PORT DATADIR
start_prometheus() {
  prometheus --config.file="$1" --storage.tsdb.path="$3" --web.listen-address=127.0.0.1:"$2" \
    --log.level=warn >"$3.log" 2>&1 & PIDS+=($!)
  wait_http "http://127.0.0.1:$2/-/ready" 300
}
# store_config OTLP_PORT: a serve config whose only pipeline takes OTLP/HTTP metrics on
# 127.0.0.1:OTLP_PORT into the store (so `serve` binds no default ports).
store_config() {
  printf '%s\n' receivers: '  otlp:' '    protocols:' '      http:' "        endpoint: 127.0.0.1:$1" \
    exporters: '  store:' service: '  pipelines:' '    metrics:' '      receivers: [otlp]' '      exporters: [store]'
}
