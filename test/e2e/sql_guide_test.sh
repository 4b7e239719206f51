#!/usr/bin/env bash
# The Parseable guide's six queries and four alert queries (test/data/sql/parseable-queries.sql,
# unchanged), sent with the guide's own curl form to `infermetry serve`, on 70 simulated minutes
# of vLLM traffic ending now (stream vLLMmetrics), equal the truth: Debian's Prometheus on the
# same samples (exported through the store's API and backfilled with promtool). Healthy traffic
# and a kv-cache-pressure run, each in its own store, so that the KV alert fires on one only.
source "$(dirname "$0")/lib.sh"
W=$(mktemp -d); TMPDIRS+=("$W")
QUERIES="$E2E_ROOT/test/data/sql/parseable-queries.sql"
CHECK="$E2E_ROOT/test/e2e/sql_guide_check.py"
[ -f "$QUERIES" ] || fail "missing $QUERIES"

START=$(( $(date +%s) - 70 * 60 ))
# --listen only names the scrape target here: its instance label tells the two runs apart in
# Prometheus.
"$INFERMETRY_BIN" emulate --simulate 70m --scenario healthy --preset llama-3-8b-a100 --data-parallel-size 2 \
  --listen 127.0.0.1:18001 --start "$START" --stream vLLMmetrics --data-dir "$W/healthy" | tee "$W/healthy.txt" \
  || fail "emulate --simulate (healthy) failed"
"$INFERMETRY_BIN" emulate --simulate 70m --scenario kv-cache-pressure --preset llama-3-8b-a100 \
  --listen 127.0.0.1:18002 --start "$START" --stream vLLMmetrics --data-dir "$W/kv" | tee "$W/kv.txt" \
  || fail "emulate --simulate (kv-cache-pressure) failed"
grep -q '"vLLMmetrics"' "$W/healthy/streams.json" || fail "--stream did not register vLLMmetrics in streams.json"

serve() {  # serve DATADIR PORT
  "$INFERMETRY_BIN" serve --data-dir "$1" --listen "127.0.0.1:$2" 2>"$1.serve.log" \
    --config <(printf 'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:%s\nexporters:\n  store:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [store]\n' "$(free_port)") & PIDS+=($!)
  wait_http "http://127.0.0.1:$2/-/ready" 100 || { cat "$1.serve.log"; fail "serve on $1 did not start"; }
}
HP=$(free_port); KP=$(free_port)
serve "$W/healthy" "$HP"
serve "$W/kv" "$KP"

# The guide's stream inspection step, as printed.
curl -fsS -X POST "http://127.0.0.1:$HP/api/v1/query" \
  -H "Authorization: Basic YWRtaW46YWRtaW4=" \
  -H "Content-Type: application/json" \
  -d '{"query": "SELECT * FROM vLLMmetrics LIMIT 5", "startTime": "10m", "endTime": "now"}' >"$W/inspect.json" \
  || fail "the guide's schema inspection query failed"
python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 5, rows
for col in ("p_timestamp", "name", "value"):
    assert all(col in r for r in rows), f"no column {col}: {rows[0]}"
print("ok: SELECT * FROM vLLMmetrics LIMIT 5 ->", sorted(rows[0])[:8], "...")' "$W/inspect.json" \
  || fail "the inspection query's records lack p_timestamp/name/value"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$HP/api/v1/query" \
  -H 'Content-Type: application/json' -d '{"query": "SELECT 1", "startTime": "10m", "endTime": "now"}')
[ "$code" = 401 ] || fail "a query without credentials got HTTP $code, want 401"

# The same samples into Prometheus.
python3 "$CHECK" export "$W/all.om" '{p_stream="vLLMmetrics"}' "http://127.0.0.1:$HP" "http://127.0.0.1:$KP"
promtool tsdb create-blocks-from openmetrics "$W/all.om" "$W/prom-data" >"$W/promtool.log" 2>&1 \
  || { cat "$W/promtool.log"; fail "promtool could not import the samples"; }
PP=$(free_port)
echo 'global: {scrape_interval: 1h}' >"$W/prom.yml"
start_prometheus "$W/prom.yml" "$PP" "$W/prom-data" || fail "Prometheus did not start"

python3 "$CHECK" check "$QUERIES" "http://127.0.0.1:$HP" 127.0.0.1:18001 "http://127.0.0.1:$KP" 127.0.0.1:18002 \
  "http://127.0.0.1:$PP" || fail "the guide's queries differ from Prometheus"
echo "sql guide e2e: all checks passed"
