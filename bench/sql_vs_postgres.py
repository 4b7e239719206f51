#!/usr/bin/env python3
"""Helpers of bench/sql_vs_postgres.sh.

  sql_vs_postgres.py schema FIRST.csv
      The CREATE TABLE for the columns of an `infermetry query --format csv` export.
  sql_vs_postgres.py run QUERIES.sql URL WORKDIR ENGINES HOURS END
      Times the six dashboard queries (best of 3) in infermetry (POST /api/v1/query, the guide's
      curl form) and in PostgreSQL (psql \\timing), with now() replaced on both sides by the
      instant END (Unix seconds) the data ends at, checks both give the same number of rows, and
      prints the table.
"""

import csv
import datetime
import json
import re
import subprocess
import sys
import time

WORKER_THREADS = 4  # serve's HTTP worker threads (server/http/server.h)
DASHBOARD = ["p95_p99_latency", "time_to_first_token", "token_throughput", "kv_cache_pressure",
             "running_vs_waiting", "gpu_cost_estimate"]


def schema(first_csv):
    """CREATE TABLE for the columns of an export's header line (timestamps, doubles, text)."""
    with open(first_csv, newline="") as f:
        header = next(csv.reader(f))
    types = {"p_timestamp": "timestamp", "value": "double precision", "raw_value": "double precision"}
    cols = ", ".join(f'"{c}" {types.get(c, "text")}' for c in header)
    print(f"CREATE TABLE vLLMmetrics ({cols});")


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


def postgres(sql, workdir, runs=3):
    script = (f"CREATE SCHEMA IF NOT EXISTS compat;\n"
              # PostgreSQL has round(numeric, int) only; the guide's cost query rounds a double.
              f"CREATE OR REPLACE FUNCTION compat.round(double precision, integer) RETURNS numeric "
              f"LANGUAGE sql IMMUTABLE AS $$ SELECT round($1::numeric, $2) $$;\n"
              f"SET search_path = compat, public, pg_catalog;\n"
              "\\timing on\n" + f"\\o {workdir}/pg_rows.txt\n" + f"{sql}\n" + "\\o /dev/null\n" + f"{sql}\n" * runs)
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", "SET client_min_messages = warning",
                        "-f", "-"], input=script, capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise SystemExit(f"PostgreSQL failed: {r.stderr[:400]}")
    times = [float(m) for m in re.findall(r"^Time: ([0-9.]+) ms", r.stdout, re.M)]
    with open(f"{workdir}/pg_rows.txt") as f:
        rows = sum(1 for line in f if line.strip() and not line.startswith("Time: "))
    return rows, times[0], min(times[1:])


def run(queries_path, url, workdir, engines, hours, end):
    queries = load_queries(queries_path)
    pinned = datetime.datetime.fromtimestamp(float(end), datetime.timezone.utc).replace(tzinfo=None)
    # Both sides read the window ending where the data ends, however long the loading took.
    literal = f"timestamp '{pinned:%Y-%m-%d %H:%M:%S}'"
    queries = {name: sql.replace("now()", literal) for name, sql in queries.items()}
    ours = {}
    for name in DASHBOARD:
        # `serve` answers on 4 worker threads, and each thread's first large query faults in
        # its malloc arena (about twice as slow); the warm-up gives every thread the query once,
        # as one run warms PostgreSQL's single backend. The first run's time is shown too.
        first = None
        for _ in range(WORKER_THREADS):
            records, ms = infermetry(url, queries[name])
            first = ms if first is None else first
        rows = len(records)
        best = min(infermetry(url, queries[name])[1] for _ in range(3))
        ours[name] = (rows, first, best)
    table_rows = subprocess.run(["psql", "-X", "-qAt", "-c", "SELECT count(*) FROM vLLMmetrics"], capture_output=True,
                                text=True, check=True).stdout.strip()
    print(f"{engines} engines, {hours} h of 5 s scrapes; PostgreSQL table vLLMmetrics: {table_rows} rows; "
          f"now() replaced by {literal}")
    print(f"{'query':<22} {'rows (im/pg)':>13} {'infermetry ms':>14} {'PostgreSQL ms':>14} {'PG/infermetry':>14}"
          f"   first run: {'infermetry':>10} {'PostgreSQL':>10}")
    ratios = []
    for name in DASHBOARD:
        pg_rows, pg_first, pg_ms = postgres(queries[name], workdir)
        im_rows, im_first, im_ms = ours[name]
        ratio = pg_ms / im_ms if im_ms > 0 else float("inf")
        ratios.append(ratio)
        print(f"{name:<22} {f'{im_rows}/{pg_rows}':>13} {im_ms:>14.1f} {pg_ms:>14.1f} {ratio:>13.1f}x"
              f"              {im_first:>10.1f} {pg_first:>10.1f}")
    geo = 1.0
    for r in ratios:
        geo *= r
    print(f"geometric mean PG/infermetry: {geo ** (1 / len(ratios)):.1f}x; target >= 20x")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "schema":
        schema(sys.argv[2])
    elif len(sys.argv) == 8 and sys.argv[1] == "run":
        run(*sys.argv[2:])
    else:
        sys.exit(__doc__)
