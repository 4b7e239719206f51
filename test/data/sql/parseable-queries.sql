-- The ten SQL queries printed in the Parseable vLLM guide (six dashboard queries and four alert
-- queries), verbatim, each after a "-- name:" line. Used by the SQL parser's tests.

-- name: p95_p99_latency
SELECT
  date_trunc('minute', p_timestamp) AS minute,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY value) AS p95_latency_seconds,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY value) AS p99_latency_seconds,
  avg(value) AS avg_latency_seconds
FROM vLLMmetrics
WHERE name = 'vllm_e2e_request_latency_seconds'
  AND p_timestamp >= now() - interval '1 hour'
GROUP BY 1
ORDER BY 1;

-- name: time_to_first_token
SELECT
  date_trunc('minute', p_timestamp) AS minute,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY value) AS p95_ttft_seconds,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY value) AS p99_ttft_seconds
FROM vLLMmetrics
WHERE name = 'vllm_time_to_first_token_seconds'
  AND p_timestamp >= now() - interval '1 hour'
GROUP BY 1
ORDER BY 1;

-- name: token_throughput
SELECT
  date_trunc('minute', p_timestamp) AS minute,
  sum(CASE WHEN name = 'vllm_prompt_tokens_total' THEN value ELSE 0 END) AS prompt_tokens,
  sum(CASE WHEN name = 'vllm_generation_tokens_total' THEN value ELSE 0 END) AS generation_tokens
FROM vLLMmetrics
WHERE p_timestamp >= now() - interval '1 hour'
GROUP BY 1
ORDER BY 1;

-- name: kv_cache_pressure
SELECT
  date_trunc('minute', p_timestamp) AS minute,
  avg(CASE WHEN name = 'vllm_gpu_cache_usage_perc' THEN value END) AS avg_kv_cache_pct,
  max(CASE WHEN name = 'vllm_gpu_cache_usage_perc' THEN value END) AS max_kv_cache_pct
FROM vLLMmetrics
WHERE p_timestamp >= now() - interval '1 hour'
GROUP BY 1
ORDER BY 1;

-- name: running_vs_waiting
SELECT
  date_trunc('minute', p_timestamp) AS minute,
  avg(CASE WHEN name = 'vllm_num_requests_running' THEN value END) AS avg_running,
  avg(CASE WHEN name = 'vllm_num_requests_waiting' THEN value END) AS avg_waiting
FROM vLLMmetrics
WHERE p_timestamp >= now() - interval '1 hour'
GROUP BY 1
ORDER BY 1;

-- name: gpu_cost_estimate
SELECT
  date_trunc('hour', p_timestamp) AS hour,
  sum(CASE WHEN name = 'vllm_generation_tokens_total' THEN value ELSE 0 END) AS total_tokens,
  sum(CASE WHEN name = 'vllm_request_success_total' THEN value ELSE 0 END) AS total_requests,
  2.21 AS gpu_hourly_rate_usd,
  round(
    2.21 / NULLIF(sum(CASE WHEN name = 'vllm_request_success_total' THEN value ELSE 0 END), 0),
    6
  ) AS cost_per_request_usd
FROM vLLMmetrics
WHERE p_timestamp >= now() - interval '24 hours'
GROUP BY 1
ORDER BY 1;

-- name: alert_high_p99_latency
SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY value)
FROM vLLMmetrics
WHERE name = 'vllm_e2e_request_latency_seconds'
  AND p_timestamp >= now() - interval '5 minutes'
HAVING percentile_cont(0.99) WITHIN GROUP (ORDER BY value) > 10;

-- name: alert_high_ttft
SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY value)
FROM vLLMmetrics
WHERE name = 'vllm_time_to_first_token_seconds'
  AND p_timestamp >= now() - interval '5 minutes'
HAVING percentile_cont(0.95) WITHIN GROUP (ORDER BY value) > 5;

-- name: alert_kv_cache_saturation
SELECT avg(value)
FROM vLLMmetrics
WHERE name = 'vllm_gpu_cache_usage_perc'
  AND p_timestamp >= now() - interval '5 minutes'
HAVING avg(value) > 0.90;

-- name: alert_high_queue_depth
SELECT avg(value)
FROM vLLMmetrics
WHERE name = 'vllm_num_requests_waiting'
  AND p_timestamp >= now() - interval '5 minutes'
HAVING avg(value) > 50;
