"""Client for the store crash test: sends OTLP/JSON metrics and traces to infermetry serve,
records what was acknowledged, and checks that the store holds it.

  store_client.py send OTLP_PORT STATE_DIR STOP_FILE   send until STOP_FILE exists (or an error)
  store_client.py check API_PORT STATE_DIR             exit 1 unless every acked item is stored

Each request carries one gauge sample (series crash_seq{instance="c"}, value = seq, time =
BASE + seq * 10 s, so that the TSDB cuts and compacts blocks while the test runs) and a trace of 3 spans whose ids and attributes derive from seq. seq continues
across rounds (kept in STATE_DIR/next). An item counts as acknowledged only after HTTP 200.
"""
import json, os, sys, time, urllib.request, urllib.error

BASE_MS = 1_800_000_000_000
STEP_MS = 10_000


def spans_for(seq):
    trace = "%032x" % (0x5eed0000000000000000 + seq)
    out = []
    for i in range(3):
        start = (BASE_MS + seq) * 1_000_000 + i * 1000
        out.append({
            "traceId": trace, "spanId": "%016x" % (seq * 4 + i + 1),
            "parentSpanId": "" if i == 0 else "%016x" % (seq * 4 + 1),
            "name": "llm_request" if i == 0 else f"step-{i}", "kind": 2 if i == 0 else 1,
            "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 5_000_000 + seq),
            "status": {"code": 1 if seq % 2 else 2, "message": "" if seq % 2 else "boom"},
            "attributes": [
                {"key": "seq", "value": {"intValue": str(seq)}},
                {"key": "gen_ai.usage.prompt_tokens", "value": {"intValue": str(100 + seq % 50)}},
                {"key": "gen_ai.latency.e2e", "value": {"doubleValue": seq / 1000.0}},
                {"key": "gen_ai.response.model", "value": {"stringValue": "m-%d" % (seq % 3)}},
                {"key": "ok", "value": {"boolValue": seq % 2 == 1}},
            ],
        })
    return out


def post(port, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.status


def send(port, state, stop):
    nxt = os.path.join(state, "next")
    seq = int(open(nxt).read()) if os.path.exists(nxt) else 1
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "crash"}},
                               {"key": "service.instance.id", "value": {"stringValue": "c"}}]}
    with open(os.path.join(state, "acked_metrics"), "a") as am, open(os.path.join(state, "acked_spans"), "a") as asp:
        while not os.path.exists(stop):
            metrics = {"resourceMetrics": [{"resource": resource, "scopeMetrics": [{"metrics": [{
                "name": "crash_seq", "gauge": {"dataPoints": [{
                    "timeUnixNano": str((BASE_MS + seq * STEP_MS) * 1_000_000), "asDouble": float(seq)}]}}]}]}]}
            traces = {"resourceSpans": [{"resource": resource, "scopeSpans": [{"spans": spans_for(seq)}]}]}
            try:
                if post(port, "/v1/metrics", metrics) == 200:
                    am.write(f"{seq}\n"); am.flush()
                if post(port, "/v1/traces", traces) == 200:
                    asp.write(f"{seq}\n"); asp.flush()
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.02)
            seq += 1
            with open(nxt, "w") as f:
                f.write(str(seq))


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return json.loads(r.read())


def check(port, state):
    def acked(name):
        p = os.path.join(state, name)
        return sorted({int(x) for x in open(p)}) if os.path.exists(p) else []
    am, asp = acked("acked_metrics"), acked("acked_spans")
    got = get(port, "/api/v1/samples?match[]=" + urllib.parse.quote('crash_seq{instance="c"}'))["data"]["result"]
    values = {}
    for series in got:
        for t, v in series["values"]:
            values[(round(float(t) * 1000) - BASE_MS) // STEP_MS] = float(v)
    missing = [s for s in am if values.get(s) != float(s)]
    spans = get(port, "/api/v1/spans?service=crash&limit=100000")["data"]
    by_id = {s["spanId"]: s for s in spans}
    bad = []
    for seq in asp:
        for want in spans_for(seq):
            s = by_id.get(want["spanId"])
            if s is None or s["traceId"] != want["traceId"] or s["name"] != want["name"] or \
               s["startTimeUnixNano"] != want["startTimeUnixNano"] or s["attributes"].get("seq") != seq or \
               s["attributes"].get("gen_ai.latency.e2e") != seq / 1000.0 or \
               s["status"]["code"] != want["status"]["code"]:
                bad.append(seq)
                break
    print(f"acked: {len(am)} samples, {len(asp) * 3} spans; stored: {len(values)} samples, {len(spans)} spans; "
          f"missing: {len(missing)} samples, {len(bad)} span batches")
    if missing or bad:
        print("first missing samples:", missing[:5], "first bad span batches:", bad[:5])
        sys.exit(1)


import urllib.parse
if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        check(sys.argv[2], sys.argv[3])
