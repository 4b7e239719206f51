#!/usr/bin/env bash
# The Parseable guide's six dashboard queries (test/data/sql/parseable-queries.sql, unchanged):
# infermetry's SQL engine over its store against PostgreSQL 15 over the same rows.
#
#   bench/sql_vs_postgres.sh [ENGINES] [HOURS]        (default 100 engines, 24 hours)
#
# 1. `infermetry emulate --simulate HOURS --data-parallel-size ENGINES` (healthy traffic, 5 s
#    scrapes) writes the stream vLLMmetrics into a store, ending now.
# 2. The rows the six queries read (SELECT * FROM vLLMmetrics restricted to the metric names they
#    use: counter increases and the observations the histograms stand for) are exported through
#    `infermetry query --format csv` and COPYed into a PostgreSQL table vLLMmetrics, with the
#    names spelled as the guide spells them, an index on (name, p_timestamp), VACUUM ANALYZE.
# 3. Each query runs once untimed (its rows counted), then 3 times, on each side; the best time
#    counts. infermetry: POST
#    /api/v1/query to `infermetry serve` on 127.0.0.1 (curl's total time: parse, plan, scan,
#    execute and the JSON answer). PostgreSQL: psql's \timing, now() pinned (a pinned.now()
#    first on the search_path) to the instant the infermetry runs started, so both read the
#    same range; PostgreSQL lacks round(double precision, integer), which the cost query
#    uses, so the same schema adds one (rounding through numeric).
# Needs a Release build (build/src/cmd/infermetry) and PostgreSQL 15 (Debian package postgresql).
# Not run in CI.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${INFERMETRY_BIN:-$ROOT/build/src/cmd/infermetry}
ENGINES=${1:-100}; HOURS=${2:-24}
QUERIES=$ROOT/test/data/sql/parseable-queries.sql
HELPER=$ROOT/bench/sql_vs_postgres.py
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$BIN" ] || { echo "no infermetry at $BIN" >&2; exit 1; }
[ -x "$PGBIN/postgres" ] || { echo "PostgreSQL 15 is not installed ($PGBIN)" >&2; exit 1; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
PIDS=()
W=$(mktemp -d); chmod 755 "$W"  # PostgreSQL's user must reach its data directory in it
cleanup() {
  local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$W"; }
trap cleanup EXIT
secs() { python3 -c "import time; print(f'{time.time() - $1:.1f}')"; }

echo "== simulating $ENGINES engines for $HOURS h (stream vLLMmetrics)"
t=$(date +%s.%N)
"$BIN" emulate --simulate "${HOURS}h" --scenario healthy --preset llama-3-8b-a100 --data-parallel-size "$ENGINES" \
  --start "$(( $(date +%s) - HOURS * 3600 ))" --stream vLLMmetrics --data-dir "$W/store" 2>"$W/emulate.log"
echo "   $(secs "$t") s; store $(du -sh "$W/store/metrics" | cut -f1)"

echo "== exporting the rows the queries read through infermetry"
t=$(date +%s.%N)
NAMES="'vllm_e2e_request_latency_seconds', 'vllm_time_to_first_token_seconds', 'vllm_prompt_tokens_total',
  'vllm_generation_tokens_total', 'vllm_request_success_total', 'vllm_gpu_cache_usage_perc',
  'vllm_num_requests_running', 'vllm_num_requests_waiting'"
# In slices of time, so that each answer stays within the query memory limit; every slice must
# have the same columns.
SLICE=$(( 9000 / ENGINES > 60 ? 9000 / ENGINES : 60 ))  # seconds
END=$(date +%s); : >"$W/rows.csv"
for (( s = END - HOURS * 3600 - SLICE; s < END + SLICE; s += SLICE )); do
  a=$(date -u -d "@$s" '+%Y-%m-%d %H:%M:%S'); b=$(date -u -d "@$(( s + SLICE ))" '+%Y-%m-%d %H:%M:%S')
  "$BIN" query --data-dir "$W/store" --format csv --timeout 1800s --start "$(( HOURS + 1 ))h" --end now \
    "SELECT * FROM vLLMmetrics WHERE name IN ($NAMES) AND p_timestamp >= timestamp '$a' AND p_timestamp < timestamp '$b'" \
    >"$W/slice.csv"
  if [ ! -s "$W/rows.csv" ]; then cp "$W/slice.csv" "$W/rows.csv"
  else
    [ "$(head -1 "$W/slice.csv")" = "$(head -1 "$W/rows.csv")" ] || { echo "slice $a has other columns" >&2; exit 1; }
    tail -n +2 "$W/slice.csv" >>"$W/rows.csv"
  fi
done
python3 "$HELPER" prepare "$W/rows.csv" "$W/load.sql" "$W/rows_pg.csv"
echo "   $(secs "$t") s; $(( $(wc -l <"$W/rows.csv") - 1 )) rows"

echo "== PostgreSQL 15"
AS_PG=()
if [ "$(id -u)" = 0 ]; then AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi
mkdir "$W/pg"; [ "$(id -u)" != 0 ] || chown postgres:postgres "$W/pg" "$W/rows_pg.csv"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$W/pg/data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null
PGPORT=$(free_port)
"${AS_PG[@]}" "$PGBIN/postgres" -D "$W/pg/data" -c listen_addresses=127.0.0.1 -p "$PGPORT" -k "$W/pg" \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=1GB -c work_mem=256MB \
  -c max_parallel_workers_per_gather=2 >"$W/pg/server.log" 2>&1 & PIDS+=($!)
for _ in $(seq 300); do "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.1; done
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres
t=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 -f "$W/load.sql"
echo "   COPY, index, VACUUM ANALYZE: $(secs "$t") s; table $(psql -X -qAt -c "SELECT pg_size_pretty(pg_total_relation_size('vLLMmetrics'))")"

echo "== timing (best of 3)"
SP=$(free_port)
"$BIN" serve --data-dir "$W/store" --listen "127.0.0.1:$SP" 2>"$W/serve.log" \
  --config <(printf 'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:%s\nexporters:\n  store:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [store]\n' "$(free_port)") & PIDS+=($!)
for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:$SP/-/ready" && break; sleep 0.1; done
python3 "$HELPER" run "$QUERIES" "http://127.0.0.1:$SP" "$W" "$ENGINES" "$HOURS"
