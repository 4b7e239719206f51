#!/usr/bin/env bash
# Alerting end to end:
#  1. the shipped vLLM rule pack passes `promtool check rules` and `infermetry validate`;
#  2. on the emulator's simulated clock, kv-cache-pressure makes the KV-cache and capacity alerts
#     go pending, fire after their `for:` and resolve once the scenario's data ends; a healthy
#     simulated hour fires nothing; the Parseable guide's four SQL alert queries, as sql: rules,
#     fire on the same pressure run;
#  3. `infermetry serve` delivers a firing alert to Debian's Alertmanager (labels, annotations),
#     keeps it across a SIGKILL and restart (same activeAt, no new pending/firing in the alerts
#     stream) and delivers the resolve.
source "$(dirname "$0")/lib.sh"
export INFERMETRY_BIN
W=$(mktemp -d); TMPDIRS+=("$W")
CHECK="$E2E_ROOT/test/e2e/alerting_check.py"

# 1. The shipped pack.
promtool check rules "$E2E_ROOT/rules/vllm-alerts.yml" >"$W/promtool.txt" 2>&1 || { cat "$W/promtool.txt"; fail "promtool rejects rules/vllm-alerts.yml"; }
"$INFERMETRY_BIN" validate --config "$E2E_ROOT/rules/vllm-alerts.yml" || fail "validate rejects rules/vllm-alerts.yml"
"$INFERMETRY_BIN" rules print-vllm | diff -q - "$E2E_ROOT/rules/vllm-alerts.yml" >/dev/null || fail "rules/vllm-alerts.yml differs from the built-in pack"
printf 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(up[5m]\n' >"$W/bad.yml"
if "$INFERMETRY_BIN" validate --config "$W/bad.yml" 2>"$W/bad.txt"; then fail "validate accepted a bad rule file"; fi
grep -q "bad.yml:5:15: groups\[0\].rules\[0\].expr: 1:12: parse error" "$W/bad.txt" || { cat "$W/bad.txt"; fail "bad rule file: no position"; }
echo "ok: shipped rule pack checked by promtool and validate; bad rule files name file:line:col"

# 2. Simulated scenarios.
"$INFERMETRY_BIN" emulate --simulate 30m --scenario kv-cache-pressure --preset llama-3-8b-a100 --stream vLLMmetrics \
  --data-dir "$W/kv" >"$W/kv.txt" 2>&1 || { cat "$W/kv.txt"; fail "simulation"; }
"$INFERMETRY_BIN" emulate --simulate 1h --scenario healthy --preset llama-3-8b-a100 --data-parallel-size 2 \
  --stream vLLMmetrics --data-dir "$W/healthy" >"$W/healthy.txt" 2>&1 || { cat "$W/healthy.txt"; fail "simulation"; }
"$INFERMETRY_BIN" rules eval --data-dir "$W/kv" >"$W/kv.jsonl" 2>"$W/kv.eval" || { cat "$W/kv.eval"; fail "rules eval (kv)"; }
"$INFERMETRY_BIN" rules eval --data-dir "$W/healthy" >"$W/healthy.jsonl" 2>"$W/healthy.eval" || { cat "$W/healthy.eval"; fail "rules eval (healthy)"; }
"$INFERMETRY_BIN" rules eval --data-dir "$W/kv" --no-vllm-rules --step 1m \
  --rules "$E2E_ROOT/test/data/rules/guide-sql-alerts.yml" >"$W/sql.jsonl" 2>"$W/sql.eval" || { cat "$W/sql.eval"; fail "rules eval (sql)"; }
python3 "$CHECK" simulated "$W/kv.jsonl" "$W/healthy.jsonl" "$W/sql.jsonl" "$W/kv" || fail "simulated scenarios"

# 3. Live: serve -> Alertmanager -> webhook.
AM=$(free_port); HOOK=$(free_port); API=$(free_port); OTLP=$(free_port)
python3 "$E2E_ROOT/test/e2e/json_sink.py" "$HOOK" >"$W/hook.jsonl" 2>"$W/hook.log" & PIDS+=($!)
cat >"$W/am.yml" <<Y
route:
  receiver: hook
  group_by: ['alertname']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$HOOK/alert
        send_resolved: true
Y
prometheus-alertmanager --config.file="$W/am.yml" --storage.path="$W/am" --web.listen-address=127.0.0.1:$AM \
  --cluster.listen-address= --log.level=warn >"$W/am.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$AM/-/ready" 300
cat >"$W/rules.yml" <<'Y'
groups:
  - name: e2e
    interval: 1s
    rules:
      - alert: KvCacheHigh
        expr: max by (model_name, instance) ({__name__=~"vllm[:_]kv_cache_usage_perc"}) > 0.9
        for: 3s
        labels:
          severity: warning
        annotations:
          summary: 'KV cache at {{ $value | humanizePercentage }} on {{ $labels.instance }}'
Y
{ store_config "$OTLP"; cat <<Y; } >"$W/serve.yml"
alerting:
  evaluation_interval: 1s
  resend_delay: 2s
  vllm_rules: false
  rule_files: [rules.yml]
  alertmanagers: [http://127.0.0.1:$AM]
  external_url: http://127.0.0.1:$API
Y
"$INFERMETRY_BIN" validate --config "$W/serve.yml" >/dev/null || fail "validate rejects the serve config"
start_serve() {
  "$INFERMETRY_BIN" serve --config "$W/serve.yml" --data-dir "$W/data" --listen "127.0.0.1:$API" >>"$W/serve.log" 2>&1 &
  SERVE_PID=$!; PIDS+=($SERVE_PID)
  wait_http "http://127.0.0.1:$API/-/ready" 300
}
# A vLLM gauge pushed over OTLP/HTTP every 0.3 s; its value is read from a file.
echo 0.97 >"$W/value"
push() {
  while true; do
    local now; now=$(date +%s%N)
    curl -s -o /dev/null -H 'Content-Type: application/json' "http://127.0.0.1:$OTLP/v1/metrics" -d '{"resourceMetrics":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"vllm"}},{"key":"service.instance.id","value":{"stringValue":"gpu-0:8000"}}]},
      "scopeMetrics":[{"metrics":[{"name":"vllm:kv_cache_usage_perc","gauge":{"dataPoints":[{"timeUnixNano":"'"$now"'",
      "asDouble":'"$(cat "$W/value")"',"attributes":[{"key":"model_name","value":{"stringValue":"llama"}}]}]}}]}]}]}' || true
    sleep 0.3
  done
}
start_serve
push & PIDS+=($!)
firing() { python3 "$CHECK" hook "$W/hook.jsonl" firing >/dev/null 2>&1; }
wait_until 300 firing || { for f in "$W/serve.log" "$W/am.log" "$W/hook.jsonl" "$W/hook.log"; do echo "== $f"; tail -n 5 "$f"; done; curl -s "http://127.0.0.1:$API/api/v1/alerts"; fail "no firing notification reached Alertmanager's webhook"; }
python3 "$CHECK" hook "$W/hook.jsonl" firing || fail "firing notification"
python3 "$CHECK" am "http://127.0.0.1:$AM" || fail "Alertmanager's own view"
curl -fsS "http://127.0.0.1:$API/api/v1/alerts" >"$W/alerts1.json"
curl -fsS "http://127.0.0.1:$API/api/v1/rules" >"$W/rules1.json"
python3 "$CHECK" api "$W/alerts1.json" "$W/rules1.json" || fail "/api/v1/alerts or /api/v1/rules"

# Crash and restart while it fires.
kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
start_serve
curl -fsS "http://127.0.0.1:$API/api/v1/alerts" >"$W/alerts2.json"
sleep 4  # a few evaluations and a resend after the restart
curl -fsS "http://127.0.0.1:$API/api/v1/alerts" >"$W/alerts3.json"
curl -fsS -u admin:admin -H 'Content-Type: application/json' "http://127.0.0.1:$API/api/v1/query" \
  -d '{"query":"SELECT state, count(*) AS n FROM alerts WHERE alertname = '"'"'KvCacheHigh'"'"' GROUP BY state ORDER BY state","startTime":"1h","endTime":"now"}' \
  >"$W/history.json"
python3 "$CHECK" restart "$W/alerts1.json" "$W/alerts2.json" "$W/alerts3.json" "$W/history.json" "$W/hook.jsonl" || fail "restart"

# Resolve.
echo 0.5 >"$W/value"
resolved() { python3 "$CHECK" hook "$W/hook.jsonl" resolved >/dev/null 2>&1; }
wait_until 300 resolved || fail "no resolved notification reached the webhook"
python3 "$CHECK" hook "$W/hook.jsonl" resolved || fail "resolved notification"
echo "PASS alerting"
