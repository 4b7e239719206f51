#!/usr/bin/env bash
# Range-query latency: infermetry vs Debian's Prometheus 2.42 on the same samples.
# Synthetic vLLM-shaped data (test/e2e/promql_remote_write.py: MODELS x ENGINES engines, HOURS of
# history at 15 s) is remote-written into both; then each query of the set (the vLLM Grafana
# dashboard's queries and a selection of test/e2e/promql_queries.py) runs as a range query over
# the whole span at a Grafana-like step (span / 300), RUNS times per server, alternating.
# Prints the median latency per query on each side and the ratio of the medians' sum.
#
#   bench/compare_promql.sh [MODELS] [ENGINES] [HOURS] [RUNS]     (default 4 2 6 5)
# Needs the infermetry binary (INFERMETRY_BIN, default build/src/cmd/infermetry) and prometheus.
# A manual benchmark: nothing is asserted.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/test/e2e/lib.sh"
MODELS=${1:-4}; ENGINES=${2:-2}; HOURS=${3:-6}; RUNS=${4:-5}
W=$(mktemp -d); TMPDIRS+=("$W")
PP=$(free_port); IM=$(free_port); OTLP=$(free_port)
store_config "$OTLP" >"$W/serve.yml"
"$INFERMETRY_BIN" serve --config "$W/serve.yml" --data-dir "$W/im" --listen "127.0.0.1:$IM" >"$W/serve.log" 2>&1 & PIDS+=($!)
prometheus --config.file=/dev/null --storage.tsdb.path="$W/prom" --web.listen-address="127.0.0.1:$PP" \
  --web.enable-remote-write-receiver --storage.tsdb.retention.time=30d --log.level=warn >"$W/prom.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$IM/-/ready" 300
wait_http "http://127.0.0.1:$PP/-/ready" 300
read -r START END < <(python3 "$ROOT/test/e2e/promql_remote_write.py" --url "http://127.0.0.1:$PP/api/v1/write" \
  --url "http://127.0.0.1:$IM/api/v1/write" --models "$MODELS" --engines "$ENGINES" --hours "$HOURS")

python3 - "$ROOT" "http://127.0.0.1:$PP" "http://127.0.0.1:$IM" "$START" "$END" "$RUNS" <<'PY'
import statistics, subprocess, sys, time, urllib.parse, urllib.request
root, prom, im, start, end, runs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
sys.path.insert(0, f"{root}/test/e2e")
import promql_diff
dash = [q.replace('facebook/opt-125m', 'org/model-0').replace('[30s]', '[5m]')
        for q in promql_diff.read_blocks(f"{root}/test/data/promql/vllm_grafana_dashboard.promql")]
extra = [
    'sum by (model_name) (rate(vllm:generation_tokens_total[5m]))',
    'histogram_quantile(0.99, sum by (le, model_name) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))',
    'histogram_quantile(0.95, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket[5m])))',
    'sum(increase(vllm:request_success_total[1h])) by (finished_reason)',
    'avg_over_time(vllm:kv_cache_usage_perc[10m])',
    'max by (model_name) (vllm:num_requests_running)',
    'topk(3, rate(vllm:prompt_tokens_total[5m]))',
    'quantile_over_time(0.9, vllm:num_requests_running[15m])',
    'rate(vllm:e2e_request_latency_seconds_sum[5m]) / rate(vllm:e2e_request_latency_seconds_count[5m])',
    'max_over_time(rate(vllm:generation_tokens_total[1m])[30m:1m])',
    'count by (le) (vllm:e2e_request_latency_seconds_bucket)',
    'vllm:num_requests_running / on (model_name, engine) vllm:kv_cache_usage_perc',
]
step = max(1, round((end - start) / 300))
def run(base, q):
    body = urllib.parse.urlencode({"query": q, "start": start, "end": end, "step": step}).encode()
    t = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(base + "/api/v1/query_range", data=body), timeout=120) as r:
        data = r.read()
    return time.perf_counter() - t, len(data)
# Wait until both answer the same sample count (the receivers have committed everything).
cnt = 'sum(count_over_time(vllm:kv_cache_usage_perc[%ds]))' % int(end - start + 60)  # every push holds every series
for _ in range(100):
    a = [urllib.request.urlopen(b + "/api/v1/query?" + urllib.parse.urlencode({"query": cnt, "time": end})).read() for b in (prom, im)]
    if a[0] == a[1]:
        break
    time.sleep(0.2)
tot_p = tot_i = 0
print(f"{'prometheus ms':>13} {'infermetry ms':>13} {'ratio':>6}  query (range {end - start:.0f}s, step {step}s, median of {runs})")
for q in dash + extra:
    run(prom, q); run(im, q)  # warm-up
    tp, ti = [], []
    for _ in range(runs):
        tp.append(run(prom, q)[0]); ti.append(run(im, q)[0])
    mp, mi = statistics.median(tp) * 1000, statistics.median(ti) * 1000
    tot_p += mp; tot_i += mi
    print(f"{mp:13.2f} {mi:13.2f} {mp / mi:6.2f}  {' '.join(q.split())[:110]}")
print(f"{tot_p:13.2f} {tot_i:13.2f} {tot_p / tot_i:6.2f}  TOTAL ({len(dash) + len(extra)} queries; ratio > 1: infermetry faster)")
PY
