WITH w AS (SELECT * FROM t) SELECT x.a FROM w x LEFT JOIN u ON x.a = u.a UNION ALL SELECT CAST('1 hour' AS interval)::text
