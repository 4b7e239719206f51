#!/usr/bin/env bash
# Differential test of the PromQL engine and the Prometheus HTTP API against Debian's
# Prometheus 2.42: Prometheus scrapes two emulated vLLM servers under load every second and
# remote-writes every sample into `infermetry serve`, so both hold the same data. Then:
#  1. a few hundred generated range queries (test/e2e/promql_queries.py: every function,
#     operator, aggregation and modifier) run on both at several steps and must agree within
#     1e-5 relative (test/e2e/promql_diff.py);
#  2. every query of vLLM's example Grafana dashboard (test/data/promql/) must agree;
#  3. `promtool query instant|range|series|labels` against infermetry must succeed and print
#     what they print against Prometheus (modulo line order).
# DATA_SECONDS (default 60) sets how long data is collected before the comparison.
source "$(dirname "$0")/lib.sh"
DATA_SECONDS=${DATA_SECONDS:-60}
W=$(mktemp -d); TMPDIRS+=("$W")
E1=$(free_port); E2=$(free_port); IM=$(free_port); OTLP=$(free_port); PP=$(free_port)
t_begin=$(date +%s)

"$INFERMETRY_BIN" emulate --listen "127.0.0.1:$E1" --served-model-name facebook/opt-125m \
  --data-parallel-size 2 --seed 1 >"$W/e1.log" 2>&1 & PIDS+=($!)
"$INFERMETRY_BIN" emulate --listen "127.0.0.1:$E2" --served-model-name meta-llama/Llama-3.1-8B-Instruct \
  --seed 2 >"$W/e2.log" 2>&1 & PIDS+=($!)
store_config "$OTLP" >"$W/serve.yml"
"$INFERMETRY_BIN" serve --config "$W/serve.yml" --data-dir "$W/im" --listen "127.0.0.1:$IM" >"$W/serve.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$E1/metrics" 300 || fail "emulator 1 did not start: $(cat "$W/e1.log")"
wait_http "http://127.0.0.1:$E2/metrics" 300 || fail "emulator 2 did not start: $(cat "$W/e2.log")"
wait_http "http://127.0.0.1:$IM/-/ready" 300 || fail "infermetry serve did not start: $(cat "$W/serve.log")"

cat > "$W/prom.yml" <<Y
global: {scrape_interval: 1s, scrape_timeout: 1s}  # evaluation_interval (the default subquery step) stays 1m
scrape_configs:
  - job_name: vllm
    static_configs: [{targets: ['127.0.0.1:$E1', '127.0.0.1:$E2']}]
remote_write:
  - url: http://127.0.0.1:$IM/api/v1/write
    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s}
    metadata_config: {send_interval: 5s}
Y
promtool check config "$W/prom.yml" >/dev/null || fail "promtool rejects the test config"
start_prometheus "$W/prom.yml" "$PP" "$W/prom-data"
P="http://127.0.0.1:$PP"; I="http://127.0.0.1:$IM"

"$INFERMETRY_BIN" loadgen --url "http://127.0.0.1:$E1" --rate 4 --duration $((DATA_SECONDS + 20))s -n 0 \
  --prompt-len uniform:16:512 --output-len uniform:4:96 --progress off --seed 3 >"$W/lg1.log" 2>&1 & PIDS+=($!)
"$INFERMETRY_BIN" loadgen --url "http://127.0.0.1:$E2" --rate 2 --duration $((DATA_SECONDS + 20))s -n 0 \
  --prompt-len uniform:16:256 --output-len uniform:4:64 --progress off --seed 4 >"$W/lg2.log" 2>&1 & PIDS+=($!)

has_up() { curl -fs -G "$P/api/v1/query" --data-urlencode 'query=count(up{job="vllm"} == 1) == 2' | grep -q '"value"'; }
wait_until 300 has_up || fail "Prometheus never scraped both emulators"
first=$(curl -fs -G "$P/api/v1/query" --data-urlencode 'query=min(timestamp(up))' |
  python3 -c 'import json,sys; print(int(float(json.load(sys.stdin)["data"]["result"][0]["value"][1])))')
echo "first scrape at $first; collecting ${DATA_SECONDS}s of data"
sleep "$DATA_SECONDS"
END=$(( $(date +%s) - 3 ))
START=$(( first - 20 ))

# Wait until infermetry holds every sample Prometheus has up to END (raw samples of every
# series: an instant query of a range selector), then check they are the same samples.
raw_samples() {
  curl -fs -G "$1/api/v1/query" --data-urlencode "query={__name__=~\".+\"}[$((END - START + 60))s]" \
    --data-urlencode "time=$END" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
for s in sorted(r, key=lambda s: sorted(s["metric"].items())):
    print(json.dumps(sorted(s["metric"].items())) + "\t" + json.dumps(s["values"]))'
}
caught_up() { raw_samples "$P" > "$W/raw_p.txt" && raw_samples "$I" > "$W/raw_i.txt" && cmp -s "$W/raw_p.txt" "$W/raw_i.txt"; }
wait_until 300 caught_up || { diff "$W/raw_p.txt" "$W/raw_i.txt" | head -5 | cut -c1-300;
  fail "infermetry never held the same samples as Prometheus"; }
n_samples=$(python3 -c 'import json,sys; print(sum(len(json.loads(l.split("\t")[1])) for l in open(sys.argv[1])))' "$W/raw_p.txt")
echo "both hold the same $n_samples samples of $(wc -l < "$W/raw_p.txt") series in [$START, $END]"

failed=0
python3 "$E2E_ROOT/test/e2e/promql_queries.py" --at $((START + 45)) > "$W/queries.txt"
python3 "$E2E_ROOT/test/e2e/promql_diff.py" --ref "$P" --test "$I" --start "$START" --end "$END" \
  --step 1 --step 7 --queries "$W/queries.txt" --label "generated queries" || failed=1
python3 "$E2E_ROOT/test/e2e/promql_diff.py" --ref "$P" --test "$I" --start "$START" --end "$END" \
  --step 1 --step 5 --blocks "$E2E_ROOT/test/data/promql/vllm_grafana_dashboard.promql" \
  --label "vLLM Grafana dashboard" || failed=1

# promtool against both servers: the same output, line order aside.
promtool_same() {  # promtool_same ARGS... (the server URL goes where {} is)
  local a b
  a=$(promtool "${@/\{\}/$P}" 2>&1) || { echo "promtool $* failed against Prometheus: $a"; return 1; }
  b=$(promtool "${@/\{\}/$I}" 2>&1) || { echo "promtool $* failed against infermetry: $b"; return 1; }
  if [ "$(sort <<<"$a")" != "$(sort <<<"$b")" ]; then
    echo "promtool $* differs:"; diff <(sort <<<"$a") <(sort <<<"$b") | head -20; return 1
  fi
  echo "promtool $*: same output ($(wc -l <<<"$a") lines)"
}
promtool_same query instant --time="$END" {} 'sum by (model_name) (rate(vllm:generation_tokens_total[30s]))' || failed=1
promtool_same query instant --time="$END" {} 'vllm:num_requests_running' || failed=1
promtool_same query instant --time="$END" {} 'scalar(sum(vllm:num_requests_waiting))' || failed=1
promtool_same query range --start="$START" --end="$END" --step=5s {} \
  'histogram_quantile(0.9, sum by (le, model_name) (rate(vllm:e2e_request_latency_seconds_bucket[30s])))' || failed=1
promtool_same query range --start="$((END - 30))" --end="$END" --step=10s {} 'vllm:kv_cache_usage_perc' || failed=1
promtool_same query series --match='vllm:num_requests_running' --start="$START" --end="$END" {} || failed=1
promtool_same query labels --start="$START" --end="$END" {} model_name || failed=1

# Nothing was refused on the way in.
rejected=$(curl -fs "$I/metrics" | awk '/^infermetry_remote_write_samples_total\{result="(out_of_order|duplicate|too_old)"\}/ {s += $2} END {print s + 0}')
echo "remote write: infermetry rejected $rejected samples"
[ "$rejected" = "0" ] || { echo "infermetry rejected remote-written samples"; failed=1; }

echo "total time $(( $(date +%s) - t_begin ))s"
[ $failed = 0 ] || fail "PromQL results differ from Prometheus (see above)"
echo "PASS: promql_prometheus_diff_test"
