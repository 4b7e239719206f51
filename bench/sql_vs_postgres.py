#!/usr/bin/env python3
"""Helpers of bench/sql_vs_postgres.sh.

  sql_vs_postgres.py prepare ROWS.csv LOAD.sql OUT.csv
      From `infermetry query --format csv` output: the CREATE TABLE / COPY / index / VACUUM
      script for PostgreSQL and the rows with the metric names spelled as the guide spells
      them (vllm:x -> vllm_x, the renamed KV-cache gauge under its old name), as a PostgreSQL
      user would have to store them for the guide's queries to find them.
  sql_vs_postgres.py run QUERIES.sql URL WORKDIR ENGINES HOURS
      Times the six dashboard queries (best of 3) in infermetry (POST /api/v1/query, the guide's
      curl form) and in PostgreSQL (psql \\timing, now() pinned), checks both give the same
      number of rows, and prints the table.
"""

import csv
import datetime
import json
import re
import subprocess
import sys
import time

DASHBOARD = ["p95_p99_latency", "time_to_first_token", "token_throughput", "kv_cache_pressure",
             "running_vs_waiting", "gpu_cost_estimate"]
RENAMED = {"vllm_kv_cache_usage_perc": "vllm_gpu_cache_usage_perc"}


def prepare(rows_csv, load_sql, out_csv):
    with open(rows_csv, newline="") as f, open(out_csv, "w", newline="") as g:
        r, w = csv.reader(f), csv.writer(g)
        header = next(r)
        w.writerow(header)
        name_at = header.index("name")
        n = 0
        for row in r:
            name = row[name_at].replace(":", "_")
            row[name_at] = RENAMED.get(name, name)
            w.writerow(row)
            n += 1
    types = {"p_timestamp": "timestamp", "value": "double precision", "raw_value": "double precision"}
    cols = ", ".join(f'"{c}" {types.get(c, "text")}' for c in header)
    with open(load_sql, "w") as f:
        f.write(f"CREATE TABLE vLLMmetrics ({cols});\n")
        f.write(f"\\copy vLLMmetrics FROM '{out_csv}' WITH (FORMAT csv, HEADER true)\n")
        f.write("CREATE INDEX ON vLLMmetrics (name, p_timestamp);\n")
        f.write("VACUUM ANALYZE vLLMmetrics;\n")
    print(f"   {n} rows, {len(header)} columns")


def load_queries(path):
    queries, name, lines = {}, None, []
    for line in open(path):
        if line.startswith("-- name:"):
            if name:
                queries[name] = "".join(lines).rstrip("\n")
            name, lines = line.split(":", 1)[1].strip(), []
        elif name is not None:
            lines.append(line)
    if name:
        queries[name] = "".join(lines).rstrip("\n")
    return queries


def infermetry(url, sql):
    body = json.dumps({"query": sql, "startTime": "25h", "endTime": "now"})
    r = subprocess.run(["curl", "-sS", "-X", "POST", url + "/api/v1/query", "-H", "Authorization: Basic YWRtaW46YWRtaW4=",
                        "-H", "Content-Type: application/json", "-d", body, "-o", "/dev/stdout",
                        "-w", "\n%{http_code} %{time_total}"], capture_output=True, text=True, check=True)
    text, _, tail = r.stdout.rpartition("\n")
    code, seconds = tail.split()
    if code != "200":
        raise SystemExit(f"infermetry answered HTTP {code}: {text[:400]}")
    return json.loads(text), float(seconds) * 1000


def postgres(sql, pinned_now, workdir, runs=3):
    script = (f"CREATE SCHEMA IF NOT EXISTS pinned;\n"
              f"CREATE OR REPLACE FUNCTION pinned.now() RETURNS timestamp LANGUAGE sql STABLE AS "
              f"$$ SELECT timestamp '{pinned_now}' $$;\n"
              # PostgreSQL has round(numeric, int) only; the guide's cost query rounds a double.
              f"CREATE OR REPLACE FUNCTION pinned.round(double precision, integer) RETURNS numeric "
              f"LANGUAGE sql IMMUTABLE AS $$ SELECT round($1::numeric, $2) $$;\n"
              f"SET search_path = pinned, public, pg_catalog;\n"
              f"\\o {workdir}/pg_rows.txt\n" + f"{sql}\n" + "\\o /dev/null\n\\timing on\n" + f"{sql}\n" * runs)
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", "SET client_min_messages = warning",
                        "-f", "-"], input=script, capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SystemExit(f"PostgreSQL failed: {r.stderr[:400]}")
    times = [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", r.stdout, re.M)]
    rows = sum(1 for line in open(f"{workdir}/pg_rows.txt") if line.strip())
    return rows, min(times)


def run(queries_path, url, workdir, engines, hours):
    queries = load_queries(queries_path)
    pinned = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    ours = {}
    for name in DASHBOARD:
        records, _ = infermetry(url, queries[name])  # untimed, as PostgreSQL's first run
        rows, best = len(records), None
        for _ in range(3):
            _, ms = infermetry(url, queries[name])
            best = ms if best is None else min(best, ms)
        ours[name] = (rows, best)
    table_rows = subprocess.run(["psql", "-X", "-qAt", "-c", "SELECT count(*) FROM vLLMmetrics"], capture_output=True,
                                text=True, check=True).stdout.strip()
    print(f"{engines} engines, {hours} h of 5 s scrapes; PostgreSQL table vLLMmetrics: {table_rows} rows; "
          f"now() pinned to {pinned:%Y-%m-%d %H:%M:%S} UTC")
    print(f"{'query':<22} {'rows (im/pg)':>13} {'infermetry ms':>14} {'PostgreSQL ms':>14} {'PG/infermetry':>14}")
    ratios = []
    for name in DASHBOARD:
        pg_rows, pg_ms = postgres(queries[name], pinned.strftime("%Y-%m-%d %H:%M:%S.%f"), workdir)
        im_rows, im_ms = ours[name]
        ratio = pg_ms / im_ms if im_ms > 0 else float("inf")
        ratios.append(ratio)
        print(f"{name:<22} {f'{im_rows}/{pg_rows}':>13} {im_ms:>14.1f} {pg_ms:>14.1f} {ratio:>13.1f}x")
    geo = 1.0
    for r in ratios:
        geo *= r
    print(f"geometric mean PG/infermetry: {geo ** (1 / len(ratios)):.1f}x; target >= 20x")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "prepare":
        prepare(*sys.argv[2:])
    elif len(sys.argv) == 7 and sys.argv[1] == "run":
        run(*sys.argv[2:])
    else:
        sys.exit(__doc__)
