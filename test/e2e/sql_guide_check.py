#!/usr/bin/env python3
"""The Parseable guide's ten queries against infermetry, with Prometheus as the truth.

  sql_guide_check.py export OUT.om SELECTOR URL [URL...]
      OpenMetrics text of every raw sample matching SELECTOR in the stores of infermetry
      servers (their /api/v1/samples), for `promtool tsdb create-blocks-from openmetrics`.
  sql_guide_check.py check QUERIES.sql HEALTHY_URL HEALTHY_INSTANCE KV_URL KV_INSTANCE PROM_URL
      Sends each query of QUERIES.sql unchanged, with the guide's own curl form, to infermetry
      and compares the answer with Prometheus on the same samples (see check()). Prints a table
      of what was compared; exit status 1 on any difference.

A row of minute M stands for the increases between consecutive samples whose later sample
falls in [M, M+60s): for counters and histograms the truth is (last sample in M) minus (last
sample before M), evaluated in PromQL with the @ modifier at T1 = M+60s-1ms and T0 = M-1ms; for
gauges it is *_over_time over the samples in [M, M+60s). The first minute of a window starts at
the window's first sample instead (now() - interval is resolved by the server when the query
runs, so the check brackets the request's time and retries when a sample falls inside the
bracket). The first sample of a series counts as an increase from 0 (docs/sql.md).
"""

import datetime
import json
import math
import subprocess
import sys
import time
import urllib.parse
import urllib.request

REL = 1e-9
AUTH = "Authorization: Basic YWRtaW46YWRtaW4="  # admin:admin, as the guide prints it


def http_json(url, params=None):
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.load(r)


# ---------------------------------------------------------------------------------------------
# export


def escape(v):
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def export(out, selector, *urls):
    by_name = {}
    for url in urls:
        data = http_json(url + "/api/v1/samples", {"match[]": selector, "start": 0, "end": time.time() + 3600})
        for s in data["data"]["result"]:
            by_name.setdefault(s["metric"]["__name__"], []).append(s)
    n = 0
    with open(out, "w") as f:
        for name in sorted(by_name):
            f.write(f"# TYPE {name} unknown\n")
            for s in by_name[name]:
                labels = ",".join(f'{k}="{escape(v)}"' for k, v in sorted(s["metric"].items()) if k != "__name__")
                head = f"{name}{{{labels}}}" if labels else name
                for t, v in s["values"]:
                    f.write(f"{head} {v} {float(t):.3f}\n")
                    n += 1
        f.write("# EOF\n")
    print(f"exported {n} samples of {sum(len(v) for v in by_name.values())} series ({len(by_name)} names) to {out}")
    if n == 0:
        sys.exit("no samples matched " + selector)


# ---------------------------------------------------------------------------------------------
# check


def load_queries(path):
    """name -> query text, exactly as written between "-- name:" lines (trailing blank lines cut)."""
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


def parse_time(v):
    """A timestamp as the query API returns it -> Unix seconds."""
    if isinstance(v, (int, float)):
        return v / 1000.0 if v > 1e11 else float(v)
    s = v.strip().replace(" ", "T")
    if s.endswith("Z"):
        s = s[:-1]
    if "+" in s[10:]:
        s = s[: 10 + s[10:].index("+")]
    d = datetime.datetime.fromisoformat(s)
    return d.replace(tzinfo=datetime.timezone.utc).timestamp()


def num(v):
    if v is None:
        return None
    return float(v)


class Infermetry:
    def __init__(self, url):
        self.url = url

    def query(self, sql, start):
        """The guide's curl form; returns (records, t_before, t_after)."""
        body = json.dumps({"query": sql, "startTime": start, "endTime": "now"})
        t0 = time.time()
        r = subprocess.run(["curl", "-sS", "-X", "POST", self.url + "/api/v1/query", "-H", AUTH,
                            "-H", "Content-Type: application/json", "-d", body, "-w", "\n%{http_code}"],
                           capture_output=True, text=True, timeout=120)
        t1 = time.time()
        text, _, code = r.stdout.rpartition("\n")
        if r.returncode != 0 or code != "200":
            raise RuntimeError(f"query failed (curl {r.returncode}, HTTP {code}): {text[:500]} {r.stderr[:200]}")
        records = json.loads(text)
        if not isinstance(records, list):
            raise RuntimeError(f"the answer is not a JSON array of records: {text[:300]}")
        return records, t0, t1


class Prometheus:
    def __init__(self, url):
        self.url = url
        self.calls = 0

    def vector(self, expr, t):
        self.calls += 1
        d = http_json(self.url + "/api/v1/query", {"query": expr, "time": f"{t:.3f}"})
        if d["status"] != "success":
            raise RuntimeError(f"Prometheus: {expr}: {d}")
        return d["data"]["result"]

    def scalar(self, expr, t):
        """The single value of `expr` at t, None when the vector is empty or the value NaN."""
        res = self.vector(expr, t)
        if not res:
            return None
        if len(res) != 1:
            raise RuntimeError(f"Prometheus: {expr}: {len(res)} series, want 1")
        v = float(res[0]["value"][1])
        return None if math.isnan(v) else v

    def sample_times(self, selector, end):
        res = self.vector(f"{selector}[3h]", end)
        return sorted({float(t) for s in res for t, _ in s["values"]})


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == b or abs(a - b) <= REL * max(abs(a), abs(b))


class Checker:
    def __init__(self, prom):
        self.prom = prom
        self.table = []  # (server, query, column, points compared, max relative difference, ok)
        self.failures = []

    def compare(self, server, query, column, pairs):
        """pairs: [(label, ours, truth)]"""
        worst, bad = 0.0, []
        for label, ours, truth in pairs:
            if ours is not None and truth is not None:
                scale = max(abs(ours), abs(truth))
                if scale > 0:
                    worst = max(worst, abs(ours - truth) / scale)
            if not close(ours, truth):
                bad.append(f"{label}: infermetry {ours}, Prometheus {truth}")
        self.table.append((server, query, column, len(pairs), worst, not bad))
        for b in bad[:5]:
            self.failures.append(f"{server} {query}.{column} {b}")
        if len(bad) > 5:
            self.failures.append(f"{server} {query}.{column}: {len(bad) - 5} more differences")

    def fail(self, msg):
        self.failures.append(msg)


def run_windowed(im, sql, start, window, times):
    """Runs the query; returns (records, candidates): the window's possible first samples.
    now() - window is resolved by the server while the request runs, so a sample between the
    earliest and latest possible bound may or may not be in the window: the query is retried
    (a few times) until none is, else every possibility is returned."""
    for attempt in range(3):
        records, t0, t1 = im.query(sql, start)
        lo, hi = t0 - window, t1 - window
        ambiguous = [s for s in times if lo <= s < hi]
        first = [s for s in times if s >= hi][:1]
        if not ambiguous + first:
            raise RuntimeError("no samples in the query's window")
        if not ambiguous or attempt == 2:
            return records, ambiguous + first
        time.sleep(0.7)


def minute_rows(records, key):
    out = {}
    for r in records:
        out[int(round(parse_time(r[key])))] = r
    return out


def expected_minutes(first, last, step=60):
    m = int(first // step * step)
    out = []
    while m <= last:
        out.append(m)
        m += step
    return out


def counter_increase(prom, metric, t1, t0, first_sample):
    """sum of `metric` at t1 minus at t0 (0 before the series' first sample)."""
    hi = prom.scalar(f"sum({metric} @ {t1:.3f})", t1) or 0.0
    lo = 0.0 if t0 < first_sample else (prom.scalar(f"sum({metric} @ {t0:.3f})", t1) or 0.0)
    return hi - lo


def check_server(chk, im, queries, sel, server, times):
    prom = chk.prom
    first_sample, last_sample = times[0], times[-1]

    def bucket(name):
        return f'{name}_bucket{{{sel}}}'

    def quantile(q, name, t1, t0):
        b = bucket(name)
        return prom.scalar(f"histogram_quantile({q}, sum by (le) ({b} @ {t1:.3f}) - sum by (le) ({b} @ {t0:.3f}))", t1)

    def ratio(name, t1, t0):
        s = counter_increase(prom, f"{name}_sum{{{sel}}}", t1, t0, first_sample)
        c = counter_increase(prom, f"{name}_count{{{sel}}}", t1, t0, first_sample)
        return s / c if c else None

    gauge_sel = {
        "kv": f'{{__name__=~"vllm:kv_cache_usage_perc|vllm:gpu_cache_usage_perc",{sel}}}',
        "running": f'vllm:num_requests_running{{{sel}}}',
        "waiting": f'vllm:num_requests_waiting{{{sel}}}',
    }

    def gauge(kind, fn, t1, t0):
        rng = f"[{int(round((t1 - t0) * 1000))}ms] @ {t1:.3f}"
        g = gauge_sel[kind]
        if fn == "avg":
            s = prom.scalar(f"sum(sum_over_time({g}{rng}))", t1)
            c = prom.scalar(f"sum(count_over_time({g}{rng}))", t1)
            return s / c if s is not None and c else None
        return prom.scalar(f"max(max_over_time({g}{rng}))", t1)

    # The per-minute dashboards over the last hour.
    per_minute = {
        "p95_p99_latency": ("vllm:e2e_request_latency_seconds", True, [
            ("p95_latency_seconds", lambda t1, t0: quantile(0.95, "vllm:e2e_request_latency_seconds", t1, t0)),
            ("p99_latency_seconds", lambda t1, t0: quantile(0.99, "vllm:e2e_request_latency_seconds", t1, t0)),
            ("avg_latency_seconds", lambda t1, t0: ratio("vllm:e2e_request_latency_seconds", t1, t0))]),
        "time_to_first_token": ("vllm:time_to_first_token_seconds", True, [
            ("p95_ttft_seconds", lambda t1, t0: quantile(0.95, "vllm:time_to_first_token_seconds", t1, t0)),
            ("p99_ttft_seconds", lambda t1, t0: quantile(0.99, "vllm:time_to_first_token_seconds", t1, t0))]),
        "token_throughput": (None, False, [
            ("prompt_tokens", lambda t1, t0: counter_increase(prom, f"vllm:prompt_tokens_total{{{sel}}}", t1, t0, first_sample)),
            ("generation_tokens", lambda t1, t0: counter_increase(prom, f"vllm:generation_tokens_total{{{sel}}}", t1, t0, first_sample))]),
        "kv_cache_pressure": (None, False, [
            ("avg_kv_cache_pct", lambda t1, t0: gauge("kv", "avg", t1, t0)),
            ("max_kv_cache_pct", lambda t1, t0: gauge("kv", "max", t1, t0))]),
        "running_vs_waiting": (None, False, [
            ("avg_running", lambda t1, t0: gauge("running", "avg", t1, t0)),
            ("avg_waiting", lambda t1, t0: gauge("waiting", "avg", t1, t0))]),
    }
    for qname, (histogram, sparse, columns) in per_minute.items():
        records, candidates = run_windowed(im, queries[qname], "1h", 3600, times)
        first = candidates[-1]
        rows = minute_rows(records, "minute")
        minutes = expected_minutes(candidates[0], last_sample)
        # Minutes where the window's first sample is uncertain are not compared.
        unsure = {int(c // 60 * 60) for c in candidates} if len(candidates) > 1 else set()
        pairs = {c: [] for c, _ in columns}
        for m in minutes:
            if m in unsure:
                rows.pop(m, None)
                continue
            t1 = m + 60 - 0.001
            t0 = max(m, first) - 0.001
            truth = {c: f(t1, t0) for c, f in columns}
            row = rows.pop(m, None)
            label = datetime.datetime.utcfromtimestamp(m).strftime("%H:%M")
            if row is None:
                # A histogram's minute without observations has no rows; Prometheus says NaN.
                if sparse and all(v is None for v in truth.values()):
                    continue
                chk.fail(f"{server} {qname}: no row for minute {label} (Prometheus: {truth})")
                continue
            for c, _ in columns:
                pairs[c].append((label, num(row.get(c)), truth[c]))
        for m in rows:
            chk.fail(f"{server} {qname}: row for minute {m} outside the data")
        if len(minutes) - len(unsure) < 55:
            chk.fail(f"{server} {qname}: only {len(minutes)} minutes of data in the window")
        for c, _ in columns:
            chk.compare(server, qname, c, pairs[c])
        if histogram is None and not sparse and len(records) < 55:
            chk.fail(f"{server} {qname}: {len(records)} rows, want a row per minute")

    # GPU cost per hour over the last 24 hours (all of the data).
    records, _, _ = im.query(queries["gpu_cost_estimate"], "24h")
    rows = minute_rows(records, "hour")
    hours = expected_minutes(first_sample, last_sample, 3600)
    cols = {"total_tokens": [], "total_requests": [], "gpu_hourly_rate_usd": [], "cost_per_request_usd": []}
    for h in hours:
        t1 = min(h + 3600 - 0.001, last_sample)
        t0 = h - 0.001
        tokens = counter_increase(prom, f"vllm:generation_tokens_total{{{sel}}}", t1, t0, first_sample)
        reqs = counter_increase(prom, f"vllm:request_success_total{{{sel}}}", t1, t0, first_sample)
        row = rows.pop(h, None)
        label = datetime.datetime.utcfromtimestamp(h).strftime("%H:00")
        if row is None:
            chk.fail(f"{server} gpu_cost_estimate: no row for hour {label}")
            continue
        cost = round(2.21 / reqs, 6) if reqs else None
        cols["total_tokens"].append((label, num(row.get("total_tokens")), tokens))
        cols["total_requests"].append((label, num(row.get("total_requests")), reqs))
        cols["gpu_hourly_rate_usd"].append((label, num(row.get("gpu_hourly_rate_usd")), 2.21))
        cols["cost_per_request_usd"].append((label, num(row.get("cost_per_request_usd")), cost))
    if rows:
        chk.fail(f"{server} gpu_cost_estimate: rows for hours outside the data: {sorted(rows)}")
    for c, pairs in cols.items():
        chk.compare(server, "gpu_cost_estimate", c, pairs)

    # The alerts over the last 5 minutes: a row exactly when Prometheus's value crosses the
    # threshold, with that value.
    alerts = {
        "alert_high_p99_latency": (10, lambda t1, t0: quantile(0.99, "vllm:e2e_request_latency_seconds", t1, t0)),
        "alert_high_ttft": (5, lambda t1, t0: quantile(0.95, "vllm:time_to_first_token_seconds", t1, t0)),
        "alert_kv_cache_saturation": (0.90, lambda t1, t0: gauge("kv", "avg", t1, t0)),
        "alert_high_queue_depth": (50, lambda t1, t0: gauge("waiting", "avg", t1, t0)),
    }
    fired = {}
    for qname, (threshold, f) in alerts.items():
        records, candidates = run_windowed(im, queries[qname], "5m", 300, times)
        got = [num(next(iter(r.values()))) for r in records]
        # With an uncertain first sample, the answer must match one of the possibilities.
        for first in reversed(candidates):
            truth = f(last_sample, first - 0.001)
            want = [truth] if truth is not None and truth > threshold else []
            if len(got) == len(want) and all(close(g, w) for g, w in zip(got, want)):
                break
        fired[qname] = len(got)
        label = f"value {truth:.6g}" if truth is not None else "no value"
        if len(got) != len(want):
            chk.fail(f"{server} {qname}: {len(got)} rows, want {len(want)} (Prometheus: {label}, threshold {threshold})")
            chk.table.append((server, qname, f"rows ({label})", 1, 0.0, False))
        else:
            chk.compare(server, qname, f"{len(got)} row(s) ({label})", [("5m", g, w) for g, w in zip(got, want)] or [("5m", None, None)])
    return fired


def check(queries_path, healthy_url, healthy_instance, kv_url, kv_instance, prom_url):
    queries = load_queries(queries_path)
    want = {"p95_p99_latency", "time_to_first_token", "token_throughput", "kv_cache_pressure", "running_vs_waiting",
            "gpu_cost_estimate", "alert_high_p99_latency", "alert_high_ttft", "alert_kv_cache_saturation",
            "alert_high_queue_depth"}
    if set(queries) != want:
        sys.exit(f"{queries_path}: want the guide's ten queries, found {sorted(queries)}")
    prom = Prometheus(prom_url)
    chk = Checker(prom)
    fired = {}
    for server, url, inst in (("healthy", healthy_url, healthy_instance), ("kv-pressure", kv_url, kv_instance)):
        sel = f'p_stream="vLLMmetrics",instance="{inst}"'
        times = prom.sample_times(f'up{{{sel}}}', time.time())
        if len(times) < 600:
            sys.exit(f"{server}: only {len(times)} scrapes in Prometheus")
        try:
            fired[server] = check_server(chk, Infermetry(url), queries, sel, server, times)
        except RuntimeError as e:
            chk.fail(f"{server}: {e}")
    if "kv-pressure" in fired and fired["kv-pressure"]["alert_kv_cache_saturation"] != 1:
        chk.fail("kv-pressure: the KV-cache alert did not return its row")
    if "healthy" in fired and fired["healthy"]["alert_kv_cache_saturation"] != 0:
        chk.fail("healthy: the KV-cache alert returned a row")

    print(f"{'data':<12} {'query':<26} {'column':<34} {'points':>6} {'max rel diff':>12}  result")
    for server, q, c, n, worst, ok in chk.table:
        print(f"{server:<12} {q:<26} {c:<34} {n:>6} {worst:>12.2e}  {'equal' if ok else 'DIFFERENT'}")
    print(f"({prom.calls} Prometheus queries)")
    for f in chk.failures:
        print("FAIL:", f)
    compared = sum(n for _, _, _, n, _, _ in chk.table)
    print(f"{len(chk.table)} columns, {compared} values compared; {len(chk.failures)} failure(s)")
    return 1 if chk.failures else 0


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "export":
        export(*sys.argv[2:])
    elif len(sys.argv) == 8 and sys.argv[1] == "check":
        sys.exit(check(*sys.argv[2:]))
    else:
        sys.exit(__doc__)
