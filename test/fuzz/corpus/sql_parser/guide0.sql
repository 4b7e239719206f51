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
