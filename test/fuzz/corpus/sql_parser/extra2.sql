SELECT CASE WHEN a IS NULL THEN NULLIF(b, 0) ELSE coalesce(c, 1) END, extract(epoch FROM now() - interval '5 minutes') FROM t
