#!/usr/bin/env bash
# Server time of the vLLM dashboard: SERVERS emulated vLLM servers with ENGINES engines each
# (half llama-3-8b-a100, half gpt-oss-20b-a100; healthy traffic) simulated for HOURS into a
# store, served by `infermetry serve`, and the dashboard's queries over the whole span timed
# RUNS times (bench/ui_dashboard.mjs).
#
#   bench/ui_dashboard.sh [SERVERS] [ENGINES] [HOURS] [RUNS]     (default 4 2 6 5: 8 engines, 6 h)
# Needs the infermetry binary (INFERMETRY_BIN, default build/src/cmd/infermetry) and node.
# A manual benchmark: nothing is asserted.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/test/e2e/lib.sh"
SERVERS=${1:-4}; ENGINES=${2:-2}; HOURS=${3:-6}; RUNS=${4:-5}
W=$(mktemp -d); TMPDIRS+=("$W")
{
  echo "servers:"
  for i in $(seq "$SERVERS"); do
    preset=llama-3-8b-a100; [ $((i % 2)) -eq 0 ] && preset=gpt-oss-20b-a100
    echo "  - {listen: \"127.0.0.1:$((18100 + i))\", preset: $preset, data_parallel_size: $ENGINES, seed: $i}"
  done
} >"$W/servers.yml"
END=$(( $(date +%s) / 60 * 60 ))
START=$(( END - HOURS * 3600 ))
t0=$(date +%s)
"$INFERMETRY_BIN" emulate --config "$W/servers.yml" --simulate "${HOURS}h" --start "$START" --data-dir "$W/data" \
  2>"$W/sim.log" | sed 's/^/  /'
echo "simulated in $(( $(date +%s) - t0 )) s"
P=$(free_port)
"$INFERMETRY_BIN" serve --data-dir "$W/data" --listen "127.0.0.1:$P" 2>"$W/serve.log" & PIDS+=($!)
wait_http "http://127.0.0.1:$P/-/ready" 600
node "$ROOT/bench/ui_dashboard.mjs" "http://127.0.0.1:$P" "$START" "$END" "$RUNS"
