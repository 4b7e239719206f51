#!/usr/bin/env python3
"""Runs PromQL range queries against two Prometheus-API servers and compares the results:
same status, same result type, same series (label sets) and, per series, the same timestamps
and values within a relative tolerance (NaN equals NaN, infinities must match exactly). Both
servers failing counts as agreement when the errorType is the same.

Usage: promql_diff.py --ref URL --test URL --start T --end T --step S [--step S ...]
                      [--queries FILE] [--blocks FILE] [--tolerance 1e-5] [--jobs 4]
  --queries: one query per line; --blocks: queries separated by blank lines ('#' lines are
  comments), for multi-line queries. Each query runs once per --step.
Prints a summary and every mismatch; exits 1 on any mismatch (or when nothing ran).
"""
import argparse
import concurrent.futures
import json
import math
import sys
import urllib.error
import urllib.parse
import urllib.request


def read_lines(path):
    with open(path) as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.lstrip().startswith("#")]


def read_blocks(path):
    blocks, cur = [], []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.lstrip().startswith("#"):
                continue
            if not line.strip():
                if cur:
                    blocks.append("\n".join(cur))
                cur = []
            else:
                cur.append(line)
    if cur:
        blocks.append("\n".join(cur))
    return blocks


def query_range(base, q, start, end, step, timeout=60):
    body = urllib.parse.urlencode({"query": q, "start": start, "end": end, "step": step}).encode()
    req = urllib.request.Request(base.rstrip("/") + "/api/v1/query_range", data=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {"status": "error", "errorType": "unparsable", "error": raw[:200].decode("utf-8", "replace")}
    except Exception as e:  # connection problems, timeouts
        return 0, {"status": "error", "errorType": "transport", "error": str(e)}


def parse_value(s):
    if s == "+Inf":
        return math.inf
    if s == "-Inf":
        return -math.inf
    return float(s)


def close(a, b, tol):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    # Relative tolerance, with a tiny absolute floor for values that should be 0 but carry
    # rounding noise from a different summation order.
    return abs(a - b) <= tol * max(abs(a), abs(b)) or abs(a - b) <= 1e-12


def series_map(data):
    out = {}
    for s in data["result"]:
        key = tuple(sorted(s["metric"].items()))
        out[key] = [(float(t), parse_value(v)) for t, v in s["values"]]
    return out


def fmt_labels(key):
    return "{" + ", ".join(f'{k}="{v}"' for k, v in key) + "}"


def compare(ref, test, tol):
    """None when equal, else a description of the first differences."""
    rc, rj = ref
    tc, tj = test
    if rj.get("status") != tj.get("status"):
        return (f"status: reference {rc} {rj.get('status')} {rj.get('error', '')!r}, "
                f"tested {tc} {tj.get('status')} {tj.get('error', '')!r}")
    if rj["status"] == "error":
        if rj.get("errorType") != tj.get("errorType"):
            return f"errorType: reference {rj.get('errorType')} ({rj.get('error')}), tested {tj.get('errorType')} ({tj.get('error')})"
        return None
    rd, td = rj["data"], tj["data"]
    if rd["resultType"] != td["resultType"]:
        return f"resultType: reference {rd['resultType']}, tested {td['resultType']}"
    rs, ts = series_map(rd), series_map(td)
    problems = []
    for k in sorted(set(rs) - set(ts)):
        problems.append(f"missing series {fmt_labels(k)} ({len(rs[k])} points)")
    for k in sorted(set(ts) - set(rs)):
        problems.append(f"extra series {fmt_labels(k)} ({len(ts[k])} points)")
    for k in sorted(set(rs) & set(ts)):
        a, b = rs[k], ts[k]
        at, bt = [p[0] for p in a], [p[0] for p in b]
        if at != bt:
            only_a = sorted(set(at) - set(bt))[:3]
            only_b = sorted(set(bt) - set(at))[:3]
            problems.append(f"series {fmt_labels(k)}: timestamps differ ({len(a)} vs {len(b)} points; "
                            f"only in reference {only_a}, only in tested {only_b})")
            continue
        for (t, va), (_, vb) in zip(a, b):
            if not close(va, vb, tol):
                problems.append(f"series {fmt_labels(k)} at {t}: reference {va!r}, tested {vb!r}")
                break
    if problems:
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        return "; ".join(problems[:5]) + more
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--start", required=True)
    ap.add_argument("--end", required=True)
    ap.add_argument("--step", action="append", required=True)
    ap.add_argument("--queries", action="append", default=[])
    ap.add_argument("--blocks", action="append", default=[])
    ap.add_argument("--tolerance", type=float, default=1e-5)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--label", default="queries")
    a = ap.parse_args()

    qs = []
    for p in a.queries:
        qs += read_lines(p)
    for p in a.blocks:
        qs += read_blocks(p)
    cases = [(q, step) for q in qs for step in a.step]

    def run(case):
        q, step = case
        return case, query_range(a.ref, q, a.start, a.end, step), query_range(a.test, q, a.start, a.end, step)

    mismatches, both_err, empty, points = [], 0, 0, 0
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for (q, step), ref, test in ex.map(run, cases):
            diff = compare(ref, test, a.tolerance)
            if diff:
                mismatches.append((q, step, diff))
                continue
            if ref[1].get("status") == "error":
                both_err += 1
            elif not ref[1]["data"]["result"]:
                empty += 1
            else:
                points += sum(len(s["values"]) for s in ref[1]["data"]["result"])
    for q, step, diff in mismatches:
        print(f"MISMATCH step={step} query: {q}\n    {diff}")
    print(f"{a.label}: {len(cases)} range queries ({len(qs)} expressions x {len(a.step)} steps), "
          f"{len(cases) - len(mismatches)} equal ({both_err} errors on both sides, {empty} empty), "
          f"{len(mismatches)} mismatches; {points} points compared")
    sys.exit(1 if mismatches or not cases else 0)


if __name__ == "__main__":
    main()
