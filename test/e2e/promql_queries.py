#!/usr/bin/env python3
"""PromQL queries over vLLM-shaped metrics, one per line on stdout, covering every function,
operator, aggregation and modifier the engine implements. Deterministic (no randomness), so a
mismatch names a query that can be rerun.

Usage: promql_queries.py [--at UNIX_SECONDS]   (--at: the time used in @ modifiers)
"""
import argparse

COUNTERS = ["vllm:generation_tokens_total", "vllm:prompt_tokens_total", "vllm:request_success_total"]
GAUGES = ["vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc"]
HISTOGRAMS = ["vllm:e2e_request_latency_seconds", "vllm:time_to_first_token_seconds",
              "vllm:inter_token_latency_seconds", "vllm:request_prompt_tokens"]
MODEL = 'model_name="facebook/opt-125m"'


def queries(at):
    q = []
    add = q.append
    # Selectors and matchers.
    for m in COUNTERS + GAUGES:
        add(m)
        add(f'{m}{{{MODEL}}}')
    add('vllm:num_requests_running{engine="0"}')
    add('vllm:num_requests_running{engine!="0"}')
    add('vllm:num_requests_running{model_name=~"facebook/.*"}')
    add('vllm:num_requests_running{model_name!~"facebook/.*"}')
    add('{__name__=~"vllm:num_requests_(running|waiting)"}')
    add('{__name__="vllm:kv_cache_usage_perc", engine=~"1|2"}')
    add('up')
    add('up{job="vllm"} == 1')
    add('scrape_samples_scraped')
    # Offset and @.
    add('vllm:generation_tokens_total offset 10s')
    add('vllm:num_requests_running offset 7s')
    add('rate(vllm:generation_tokens_total[20s] offset 5s)')
    add(f'vllm:generation_tokens_total @ {at}')
    add(f'rate(vllm:prompt_tokens_total[30s] @ {at})')
    add('vllm:generation_tokens_total @ end()')
    add('vllm:num_requests_running @ start()')
    add(f'sum(vllm:num_requests_waiting @ {at} offset 5s)')
    # Range functions over counters.
    for m in COUNTERS:
        for r in ("10s", "30s", "1m"):
            add(f'rate({m}[{r}])')
            add(f'increase({m}[{r}])')
        add(f'irate({m}[10s])')
        add(f'resets({m}[1m])')
        add(f'changes({m}[30s])')
    # Range functions over gauges.
    for m in GAUGES:
        add(f'delta({m}[30s])')
        add(f'idelta({m}[15s])')
        add(f'deriv({m}[30s])')
        add(f'predict_linear({m}[30s], 60)')
        add(f'changes({m}[30s])')
        add(f'resets({m}[30s])')
        for f in ("avg", "min", "max", "sum", "count", "stddev", "stdvar", "last", "present"):
            add(f'{f}_over_time({m}[20s])')
        add(f'quantile_over_time(0.9, {m}[30s])')
        add(f'quantile_over_time(0.5, {m}[1m])')
        add(f'absent_over_time({m}[10s])')
    add('absent_over_time(vllm:does_not_exist[1m])')
    add('absent_over_time(vllm:does_not_exist{job="x", model_name=~"a.*"}[1m])')
    add('deriv(vllm:generation_tokens_total[30s])')
    add('predict_linear(vllm:prompt_tokens_total[1m], 120)')
    add('delta(vllm:generation_tokens_total[20s])')
    add('idelta(vllm:generation_tokens_total[20s])')
    # Histograms.
    for h in HISTOGRAMS:
        for quant in ("0.5", "0.9", "0.99"):
            add(f'histogram_quantile({quant}, sum by (le) (rate({h}_bucket[30s])))')
        add(f'histogram_quantile(0.95, sum by (le, model_name) (rate({h}_bucket[1m])))')
        add(f'histogram_quantile(0.9, rate({h}_bucket[30s]))')
        add(f'rate({h}_sum[30s]) / rate({h}_count[30s])')
        add(f'sum by (le) (increase({h}_bucket[20s]))')
    add('histogram_quantile(0, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[30s])))')
    add('histogram_quantile(1, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[30s])))')
    add('histogram_quantile(1.5, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[30s])))')
    add('histogram_quantile(-1, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[30s])))')
    add('histogram_quantile(0.9, vllm:e2e_request_latency_seconds_bucket)')
    # Instant functions.
    base = 'rate(vllm:generation_tokens_total[30s])'
    for f in ("abs", "ceil", "floor", "round", "exp", "ln", "log2", "log10", "sqrt", "sgn",
              "timestamp", "sort", "sort_desc", "-"):
        add(f'{f}({base})' if f != "-" else f'-{base}')
    add(f'round({base}, 0.1)')
    add(f'round({base}, 5)')
    add('clamp(vllm:kv_cache_usage_perc, 0.01, 0.02)')
    add('clamp_min(vllm:num_requests_running, 1)')
    add('clamp_max(vllm:num_requests_running, 1)')
    add('clamp(vllm:num_requests_running, 2, 1)')
    add('timestamp(vllm:num_requests_running)')
    add('exp(vllm:kv_cache_usage_perc)')
    add('ln(vllm:num_requests_running)')
    for f in ("minute", "hour", "day_of_week", "day_of_month", "day_of_year", "days_in_month", "month", "year"):
        add(f'{f}()')
        add(f'{f}(timestamp(vllm:num_requests_running))')
    add('time()')
    add('vector(1)')
    add('vector(time())')
    add('scalar(sum(vllm:num_requests_running))')
    add('scalar(vllm:num_requests_running)')
    add('sum(vllm:num_requests_running) + scalar(sum(vllm:num_requests_waiting))')
    add('absent(vllm:does_not_exist)')
    add('absent(vllm:does_not_exist{model_name="x", engine=~"0"})')
    add('absent(vllm:num_requests_running)')
    add('label_replace(vllm:num_requests_running, "engine_id", "e-$1", "engine", "(.*)")')
    add('label_replace(vllm:num_requests_running, "model", "$2", "model_name", "([^/]+)/(.*)")')
    add('label_replace(vllm:num_requests_running, "engine", "", "engine", ".*")')
    add('label_replace(vllm:num_requests_running, "x", "y", "nope", "no-match")')
    add('label_join(vllm:num_requests_running, "id", "/", "model_name", "engine")')
    add('label_join(vllm:num_requests_running, "id", "")')
    # Aggregations.
    for agg in ("sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"):
        add(f'{agg}(vllm:num_requests_running)')
        add(f'{agg} by (model_name) ({base})')
        add(f'{agg} without (engine) (vllm:kv_cache_usage_perc)')
        add(f'{agg} by (finished_reason) (increase(vllm:request_success_total[30s]))')
    for agg in ("topk", "bottomk"):
        add(f'{agg}(1, vllm:num_requests_running)')
        add(f'{agg} by (model_name) (2, {base})')
        add(f'{agg}(3, increase(vllm:request_success_total[30s]))')
    add('quantile(0.5, vllm:num_requests_running)')
    add('quantile by (model_name) (0.9, rate(vllm:prompt_tokens_total[30s]))')
    add('quantile without (engine) (0.25, vllm:kv_cache_usage_perc)')
    add('count_values("value", vllm:num_requests_running)')
    add('count_values by (model_name) ("n", vllm:num_requests_waiting)')
    add('sum by (model_name, engine) (vllm:num_requests_running)')
    add('sum without (job, instance) (vllm:num_requests_running)')
    add('sum by () (vllm:num_requests_running)')
    add('max by (__name__) ({__name__=~"vllm:num_requests_(running|waiting)"})')
    # Binary operators: arithmetic, comparisons with and without bool, vector matching.
    for op in ("+", "-", "*", "/", "%", "^", "atan2"):
        add(f'vllm:num_requests_running {op} 2')
        add(f'2 {op} vllm:num_requests_waiting')
        add(f'vllm:num_requests_running {op} vllm:num_requests_waiting')
    for op in ("==", "!=", ">", "<", ">=", "<="):
        add(f'vllm:num_requests_running {op} 1')
        add(f'vllm:num_requests_running {op} bool 1')
        add(f'1 {op} bool 2')
        add(f'vllm:num_requests_running {op} vllm:num_requests_waiting')
        add(f'vllm:num_requests_running {op} bool vllm:num_requests_waiting')
    add('vllm:num_requests_running / on (model_name, engine) vllm:kv_cache_usage_perc')
    add('vllm:num_requests_running / ignoring (instance) vllm:num_requests_waiting')
    add('vllm:num_requests_running * on (model_name) group_left sum by (model_name) (vllm:num_requests_waiting)')
    add('sum by (model_name) (vllm:num_requests_waiting) / on (model_name) group_right vllm:num_requests_running')
    add('vllm:num_requests_running * on (model_name, engine) group_left (finished_reason) '
        'increase(vllm:request_success_total{finished_reason="length"}[30s])')
    add('increase(vllm:request_success_total[30s]) / ignoring (finished_reason) group_left '
        'vllm:num_requests_running')
    add('sum by (model_name) (rate(vllm:generation_tokens_total[30s])) / '
        'sum by (model_name) (rate(vllm:prompt_tokens_total[30s]))')
    add('vllm:num_requests_running and vllm:num_requests_waiting > 0')
    add('vllm:num_requests_running or vllm:kv_cache_usage_perc')
    add('vllm:num_requests_running unless vllm:num_requests_running > 1')
    add('vllm:num_requests_running and on (model_name) vllm:num_requests_waiting')
    add('vllm:num_requests_running unless ignoring (engine) vllm:num_requests_waiting')
    add('(vllm:num_requests_running > 0) or on () vector(0)')
    add('1 + 2 * 3 ^ 2 ^ 0.5 % 4')
    add('-vllm:num_requests_running + +1')
    add('(1 > bool 0) * (2 < bool 1)')
    add('time() - timestamp(vllm:num_requests_running)')
    # Subqueries.
    add('max_over_time(rate(vllm:generation_tokens_total[10s])[30s:5s])')
    add('avg_over_time(sum by (model_name) (vllm:num_requests_running)[1m:])')
    add('min_over_time(vllm:kv_cache_usage_perc[20s:3s])')
    add('rate(vllm:generation_tokens_total[20s:2s])')
    add('deriv(sum(vllm:num_requests_running)[30s:4s])')
    add(f'max_over_time(vllm:num_requests_running[30s:5s] offset 10s)')
    add(f'max_over_time(vllm:num_requests_running[30s:5s] @ {at})')
    add('quantile_over_time(0.9, histogram_quantile(0.9, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[20s])))[40s:5s])')
    return q


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--at", type=float, default=1700000000)
    a = ap.parse_args()
    at = repr(a.at) if a.at != int(a.at) else str(int(a.at))
    seen = set()
    for x in queries(at):
        if x not in seen:
            seen.add(x)
            print(x)


if __name__ == "__main__":
    main()
