SELECT avg(value)
FROM vLLMmetrics
WHERE name = 'vllm_gpu_cache_usage_perc'
  AND p_timestamp >= now() - interval '5 minutes'
HAVING avg(value) > 0.90;
