"""Checks of an emulated vLLM's /metrics against what its clients saw (loadgen's JSON report).

  vllm_check.py totals METRICS_TXT LOADGEN_JSON
      counters agree with the requests served: generation/prompt tokens, request and
      histogram counts
  vllm_check.py ttft METRICS_TXT LOADGEN_JSON
      the client's TTFT p50/p90/p99 fall in the server histogram's bucket for the same
      quantile, or in a neighbouring one (the histogram's resolution)
Exit status 1 with a message on the first mismatch.
"""
import json
import math
import re
import sys

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            m = LINE.match(line)
            if not m:
                sys.exit(f'unparsable exposition line: {line!r}')
            labels = dict(LABEL.findall(m.group(3) or ''))
            out.append((m.group(1), labels, float(m.group(4))))
    return out


def total(samples, name):
    return sum(v for n, _, v in samples if n == name)


def buckets(samples, family):
    by_le = {}
    for n, labels, v in samples:
        if n == family + '_bucket':
            le = labels['le']
            by_le[le] = by_le.get(le, 0) + v
    return sorted(((math.inf if le == '+Inf' else float(le)), c) for le, c in by_le.items())


def bucket_index(bounds, x):
    for i, (le, _) in enumerate(bounds):
        if x <= le:
            return i
    return len(bounds) - 1


def check(cond, msg):
    if not cond:
        sys.exit('FAIL: ' + msg)
    print('ok:', msg)


def totals(samples, report):
    ok = report['succeeded']
    check(total(samples, 'vllm:generation_tokens_total') == report['completion_tokens'],
          f"generation_tokens_total {total(samples, 'vllm:generation_tokens_total')} = "
          f"completion tokens the clients received {report['completion_tokens']}")
    check(total(samples, 'vllm:prompt_tokens_total') == report['prompt_tokens'],
          f"prompt_tokens_total {total(samples, 'vllm:prompt_tokens_total')} = "
          f"prompt tokens in usage {report['prompt_tokens']}")
    for name in ('vllm:request_success_total', 'vllm:e2e_request_latency_seconds_count',
                 'vllm:time_to_first_token_seconds_count', 'vllm:request_prompt_tokens_count'):
        check(total(samples, name) == ok, f'{name} {total(samples, name)} = requests served {ok}')


def ttft(samples, report):
    bounds = buckets(samples, 'vllm:time_to_first_token_seconds')
    count = bounds[-1][1]
    check(count == report['ttft']['count'], f"TTFT histogram count {count} = streamed requests {report['ttft']['count']}")
    for q, key in ((0.5, 'p50'), (0.9, 'p90'), (0.99, 'p99')):
        rank = q * count
        server = next(i for i, (_, c) in enumerate(bounds) if c >= rank)
        lo = bounds[server - 1][0] if server > 0 else 0
        client = report['ttft'][key]
        ci = bucket_index(bounds, client)
        check(abs(ci - server) <= 1,
              f'TTFT {key}: client {client * 1000:.2f} ms, server histogram bucket ({lo}, {bounds[server][0]}]')


def main():
    mode, metrics, report_path = sys.argv[1:4]
    samples = parse(metrics)
    with open(report_path) as f:
        report = json.load(f)
    {'totals': totals, 'ttft': ttft}[mode](samples, report)


if __name__ == '__main__':
    main()
