#!/usr/bin/env python3
"""Pushes synthetic vLLM-shaped metrics to Prometheus remote-write receivers (protobuf
WriteRequest, snappy block format), in time order, so every receiver holds the same samples.

Usage: promql_remote_write.py --url URL [--url URL ...] [--models 4] [--engines 2]
                              [--hours 6] [--interval 15] [--end UNIX_SECONDS]
Series per engine: 3 counters, 3 gauges, 4 histograms (with _bucket/_sum/_count), labels
job, instance, model_name, engine. Values are deterministic (seeded).
"""
import argparse
import random
import struct
import sys
import time
import urllib.request

BUCKETS = {
    "vllm:e2e_request_latency_seconds": [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0],
    "vllm:time_to_first_token_seconds": [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0],
    "vllm:inter_token_latency_seconds": [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0],
    "vllm:request_prompt_tokens": [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
}
SCALE = {"vllm:e2e_request_latency_seconds": 3.0, "vllm:time_to_first_token_seconds": 0.08,
         "vllm:inter_token_latency_seconds": 0.04, "vllm:request_prompt_tokens": 300}


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def field_bytes(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data


def encode_series(labels, samples):
    out = bytearray()
    for k, v in sorted(labels.items()):
        out += field_bytes(1, field_bytes(1, k.encode()) + field_bytes(2, v.encode()))
    for t, v in samples:
        out += field_bytes(2, b"\x09" + struct.pack("<d", v) + b"\x10" + varint(t))
    return bytes(out)


def snappy_literal(data):
    """Snappy block format with literals only: valid input for any snappy decoder."""
    out = bytearray(varint(len(data)))
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2]) + struct.pack("<H", n)
        out += chunk
    return bytes(out)


def post(url, body):
    req = urllib.request.Request(url, data=snappy_literal(body), method="POST", headers={
        "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0"})
    with urllib.request.urlopen(req, timeout=60) as r:
        if r.status // 100 != 2:
            raise RuntimeError(f"{url}: HTTP {r.status}")


class Engine:
    def __init__(self, model, engine, rng):
        self.base = {"job": "vllm", "instance": f"10.0.0.{engine}:8000", "model_name": model, "engine": str(engine)}
        self.rng = rng
        self.counters = {"vllm:generation_tokens_total": 0.0, "vllm:prompt_tokens_total": 0.0}
        self.success = {r: 0.0 for r in ("stop", "length", "abort")}
        self.hist = {h: ([0] * (len(b) + 1), 0.0) for h, b in BUCKETS.items()}
        self.load = rng.uniform(0.5, 3)

    def step(self):
        """Advances one interval; returns [(labels, value)]."""
        r = self.rng
        reqs = max(0, int(r.gauss(self.load * 10, 3)))
        self.counters["vllm:generation_tokens_total"] += reqs * r.uniform(50, 200)
        self.counters["vllm:prompt_tokens_total"] += reqs * r.uniform(100, 600)
        for i in range(reqs):
            self.success[r.choice(("stop", "stop", "stop", "length", "abort"))] += 1
        out = []
        for h, bounds in BUCKETS.items():
            counts, total = self.hist[h]
            for _ in range(reqs):
                x = r.expovariate(1 / SCALE[h])
                total += x
                for i, b in enumerate(bounds):
                    if x <= b:
                        counts[i] += 1
                        break
                else:
                    counts[-1] += 1
            self.hist[h] = (counts, total)
            cum = 0
            for i, b in enumerate(bounds + [float("inf")]):
                cum += counts[i]
                le = "+Inf" if b == float("inf") else repr(float(b)) if isinstance(b, float) else f"{b}.0"
                out.append(({**self.base, "__name__": h + "_bucket", "le": le}, float(cum)))
            out.append(({**self.base, "__name__": h + "_sum"}, total))
            out.append(({**self.base, "__name__": h + "_count"}, float(cum)))
        for name, v in self.counters.items():
            out.append(({**self.base, "__name__": name}, v))
        for reason, v in self.success.items():
            out.append(({**self.base, "__name__": "vllm:request_success_total", "finished_reason": reason}, v))
        out.append(({**self.base, "__name__": "vllm:num_requests_running"}, float(min(reqs, 32))))
        out.append(({**self.base, "__name__": "vllm:num_requests_waiting"}, float(max(0, reqs - 32))))
        out.append(({**self.base, "__name__": "vllm:kv_cache_usage_perc"}, min(1.0, reqs / 40 + r.uniform(0, 0.05))))
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", action="append", required=True)
    ap.add_argument("--models", type=int, default=4)
    ap.add_argument("--engines", type=int, default=2)
    ap.add_argument("--hours", type=float, default=6)
    ap.add_argument("--interval", type=float, default=15)
    ap.add_argument("--end", type=float, default=0)
    ap.add_argument("--steps-per-request", type=int, default=40)
    a = ap.parse_args()
    rng = random.Random(7)
    engines = [Engine(f"org/model-{m}", e, rng) for m in range(a.models) for e in range(a.engines)]
    end = a.end or time.time()
    n = int(a.hours * 3600 / a.interval)
    t0 = int((end - n * a.interval) * 1000)
    step_ms = int(a.interval * 1000)
    samples = 0
    i = 0
    while i < n:
        batch = {}
        for j in range(i, min(n, i + a.steps_per_request)):
            t = t0 + j * step_ms
            for e in engines:
                for labels, v in e.step():
                    key = tuple(sorted(labels.items()))
                    batch.setdefault(key, []).append((t, v))
        body = b"".join(field_bytes(1, encode_series(dict(k), s)) for k, s in batch.items())
        samples += sum(len(s) for s in batch.values())
        for url in a.url:
            post(url, body)
        i += a.steps_per_request
    print(f"pushed {samples} samples of {len(batch)} series from {t0 / 1000:.0f} to "
          f"{(t0 + (n - 1) * step_ms) / 1000:.0f}", file=sys.stderr)
    print(f"{t0 / 1000:.3f} {(t0 + (n - 1) * step_ms) / 1000:.3f}")


if __name__ == "__main__":
    main()
