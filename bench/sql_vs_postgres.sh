#!/usr/bin/env bash
# The Parseable guide's six dashboard queries (test/data/sql/parseable-queries.sql): infermetry's
# SQL engine over its store against PostgreSQL 15 over the same rows.
#
#   bench/sql_vs_postgres.sh [ENGINES] [HOURS]        (default 100 engines, 24 hours)
#
# 1. build/bench/sql_bench_store writes HOURS of ENGINES vLLM servers scraped every 5 s
#    (bench/vllm_workload.h: ~430 series per server, RATE requests/s per engine on average,
#    default 6.5 as the emulator's healthy llama-3-8b-a100 serves) into a store as the stream
#    vLLMmetrics, ending now.
# 2. The rows the six queries read (SELECT * FROM vLLMmetrics restricted to the metric names they
#    use: counter increases and the observations the histograms stand for, one column per label)
#    are exported in half-hour slices through `infermetry query --data-dir --format csv` and
#    streamed into PostgreSQL's COPY (table vLLMmetrics, the names spelled as the guide spells
#    them, as a PostgreSQL user would have to store them for its queries to find them), then
#    indexed on (name, p_timestamp) and on (p_timestamp), VACUUM ANALYZE.
# 3. now() in each query is replaced, on both sides, by the instant the data ends, so both read
#    full windows however long the loading took. Each query runs first to warm up (its rows
#    counted): once in PostgreSQL (one backend), 4 times in infermetry (once per worker thread
#    of `serve`); then 3 times on each side, and the best time counts. The first run's time is
#    printed beside. infermetry: POST
#    /api/v1/query to `infermetry serve` on 127.0.0.1 (curl's total time: parse, plan, scan,
#    execute and the JSON answer). PostgreSQL: psql's \timing. PostgreSQL lacks
#    round(double precision, integer), which the cost query uses, so one is added (rounding
#    through numeric).
# Needs a Release build (build/src/cmd/infermetry, build/bench/sql_bench_store) and PostgreSQL 15
# (Debian package postgresql). At 100 engines x 24 h: ~130 M rows, ~25 GB in PostgreSQL. Not run
# in CI.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${INFERMETRY_BIN:-$ROOT/build/src/cmd/infermetry}
GEN=${SQL_BENCH_STORE:-$(dirname "$BIN")/../../bench/sql_bench_store}
ENGINES=${1:-100}; HOURS=${2:-24}; RATE=${RATE:-6.5}
QUERIES=$ROOT/test/data/sql/parseable-queries.sql
HELPER=$ROOT/bench/sql_vs_postgres.py
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$BIN" ] || { echo "no infermetry at $BIN" >&2; exit 1; }
[ -x "$GEN" ] || { echo "no sql_bench_store at $GEN" >&2; exit 1; }
[ -x "$PGBIN/postgres" ] || { echo "PostgreSQL 15 is not installed ($PGBIN)" >&2; exit 1; }

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
PIDS=()
# BENCH_DIR=DIR keeps the store and the PostgreSQL database in DIR; run again with the same
# BENCH_DIR, ENGINES and HOURS to time another build on the same rows without loading again.
W=${BENCH_DIR:-$(mktemp -d)}; mkdir -p "$W"; chmod 755 "$W"  # PostgreSQL's user must reach it
cleanup() {
  local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "${BENCH_DIR:-}" ] || rm -rf "$W"; }
trap cleanup EXIT
secs() { python3 -c "import time; print(f'{time.time() - $1:.1f}')"; }

if [ -f "$W/loaded" ]; then
  END=$(cat "$W/loaded"); echo "== timing again on the rows loaded in $W"
else
END=$(date +%s)
echo "== writing $ENGINES engines x $HOURS h ($RATE requests/s per engine) as the stream vLLMmetrics"
t=$(date +%s.%N)
"$GEN" --data-dir "$W/store" --engines "$ENGINES" --hours "$HOURS" --rate "$RATE" --end "$END" \
  --stream vLLMmetrics >"$W/gen.txt" 2>"$W/gen.log"
echo "   $(secs "$t") s; $(grep samples "$W/gen.txt"); store $(du -sh "$W/store/metrics" | cut -f1)"

rm -rf "$W/pg"; mkdir "$W/pg"
fi

echo "== PostgreSQL 15"
AS_PG=()
if [ "$(id -u)" = 0 ]; then AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi
[ "$(id -u)" != 0 ] || chown postgres:postgres "$W/pg"
[ -f "$W/loaded" ] || "${AS_PG[@]}" "$PGBIN/initdb" -D "$W/pg/data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null
PGPORT=$(free_port)
"${AS_PG[@]}" "$PGBIN/postgres" -D "$W/pg/data" -c listen_addresses=127.0.0.1 -p "$PGPORT" -k "$W/pg" \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=1GB -c work_mem=256MB \
  -c maintenance_work_mem=2GB -c max_parallel_workers_per_gather=2 >"$W/pg/server.log" 2>&1 & PIDS+=($!)
for _ in $(seq 300); do "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.1; done
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres

if [ ! -f "$W/loaded" ]; then
echo "== exporting the rows the queries read through infermetry into PostgreSQL's COPY"
t=$(date +%s.%N)
NAMES="'vllm_e2e_request_latency_seconds', 'vllm_time_to_first_token_seconds', 'vllm_prompt_tokens_total',
  'vllm_generation_tokens_total', 'vllm_request_success_total', 'vllm_gpu_cache_usage_perc',
  'vllm_num_requests_running', 'vllm_num_requests_waiting'"
SLICE=1800  # seconds; a slice of 100 engines is ~2.7 M rows and ~3.5 GB of result in memory
slice() {  # FROM TO (Unix seconds) -> $W/slice.csv
  local a b; a=$(date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'); b=$(date -u -d "@$2" '+%Y-%m-%d %H:%M:%S')
  "$BIN" query --data-dir "$W/store" --format csv --timeout 3600s --memory-limit 12GiB --start "$(( HOURS + 1 ))h" \
    --end now "SELECT * FROM vLLMmetrics WHERE name IN ($NAMES) AND p_timestamp >= timestamp '$a' AND p_timestamp < timestamp '$b'" \
    >"$W/slice.csv"
}
FIRST=$(( END - HOURS * 3600 ))  # where the data starts
slice "$FIRST" $(( FIRST + SLICE )); cp "$W/slice.csv" "$W/first.csv"
psql -X -q -v ON_ERROR_STOP=1 -c "$(python3 "$HELPER" schema "$W/first.csv")"
# Names as the guide spells them: vllm:x -> vllm_x, the renamed KV-cache gauge under its old name
# (name is the second column, after a timestamp that holds no comma).
{
  tail -n +2 "$W/first.csv"
  for (( s = FIRST + SLICE; s <= END; s += SLICE )); do  # the last scrape may end a few ms after END
    slice "$s" $(( s + SLICE ))
    [ "$(head -1 "$W/slice.csv")" = "$(head -1 "$W/first.csv")" ] || { echo "slice at $s has other columns" >&2; exit 1; }
    tail -n +2 "$W/slice.csv"
  done
} | sed -E 's/^([^,]*),vllm:/\1,vllm_/; s/^([^,]*),vllm_kv_cache_usage_perc,/\1,vllm_gpu_cache_usage_perc,/' \
  | psql -X -q -v ON_ERROR_STOP=1 -c "\\copy vLLMmetrics FROM pstdin WITH (FORMAT csv)"
echo "   $(secs "$t") s; $(psql -X -qAt -c "SELECT count(*) FROM vLLMmetrics") rows"
t=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE INDEX ON vLLMmetrics (name, p_timestamp)" \
  -c "CREATE INDEX ON vLLMmetrics (p_timestamp)" -c "VACUUM ANALYZE vLLMmetrics"
echo "   indexes, VACUUM ANALYZE: $(secs "$t") s; table $(psql -X -qAt -c "SELECT pg_size_pretty(pg_total_relation_size('vLLMmetrics'))")"
rm -f "$W/slice.csv" "$W/first.csv"; echo "$END" >"$W/loaded"
fi

echo "== timing (best of 3)"
SP=$(free_port)
"$BIN" serve --data-dir "$W/store" --listen "127.0.0.1:$SP" 2>"$W/serve.log" \
  --config <(printf 'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:%s\nexporters:\n  store:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [store]\n' "$(free_port)") & PIDS+=($!)
for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:$SP/-/ready" && break; sleep 0.1; done
python3 "$HELPER" run "$QUERIES" "http://127.0.0.1:$SP" "$W" "$ENGINES" "$HOURS" "$END"
