SELECT avg(value)
FROM vLLMmetrics
WHERE name = 'vllm_num_requests_waiting'
  AND p_timestamp >= now() - interval '5 minutes'
HAVING avg(value) > 50;
