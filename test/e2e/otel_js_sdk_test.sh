#!/usr/bin/env bash
# A real OTLP client, the OpenTelemetry JS SDK (npm), sends traces and metrics to infermetry's
# otlp receiver over gRPC, HTTP/protobuf and HTTP/JSON; infermetry forwards them with its otlphttp
# exporter (JSON encoding) to a recording backend. Everything must arrive intact: trace and span
# ids, attributes of every type, events, links, status, resource, scope, histogram buckets.
source "$(dirname "$0")/lib.sh"
W=$(mktemp -d); TMPDIRS+=("$W")
cp "$E2E_ROOT/test/e2e/otel_js/package.json" "$E2E_ROOT/test/e2e/otel_js/send.mjs" "$W/"
(cd "$W" && npm install --no-audit --no-fund --engine-strict >"$W/npm.log" 2>&1) || { cat "$W/npm.log"; fail "npm install failed"; }

G=$(free_port); H=$(free_port); S=$(free_port); M=$(free_port)
python3 "$E2E_ROOT/test/e2e/json_sink.py" "$S" >"$W/sink.jsonl" 2>"$W/sink.err" & PIDS+=($!)
cat > "$W/collect.yaml" <<Y
receivers:
  otlp:
    protocols:
      grpc: {endpoint: "127.0.0.1:$G"}
      http: {endpoint: "127.0.0.1:$H"}
exporters:
  otlphttp/sink:
    endpoint: http://127.0.0.1:$S
    encoding: json
    compression: none
service:
  telemetry: {metrics: {address: "127.0.0.1:$M"}}
  pipelines:
    traces: {receivers: [otlp], exporters: [otlphttp/sink]}
    metrics: {receivers: [otlp], exporters: [otlphttp/sink]}
Y
"$INFERMETRY_BIN" collect --config "$W/collect.yaml" >"$W/collect.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$M/metrics" 300 || { cat "$W/collect.log"; fail "collect did not start"; }

for protocol in http/json http/protobuf grpc; do
  case $protocol in grpc) endpoint=http://127.0.0.1:$G ;; *) endpoint=http://127.0.0.1:$H ;; esac
  OTLP_PROTOCOL=$protocol OTLP_ENDPOINT=$endpoint OTLP_EXPECT="$W/expect.json" timeout 60 node "$W/send.mjs" \
    || fail "the JS SDK could not export over $protocol"
  has_both() { python3 - "$W/sink.jsonl" "js-$protocol" <<'PY'
import json, sys
paths = {r["path"] for r in map(json.loads, open(sys.argv[1])) if sys.argv[2] in (r["body"] or "")}
sys.exit(0 if {"/v1/traces", "/v1/metrics"} <= paths else 1)
PY
  }
  wait_until 100 has_both || fail "$protocol: traces and metrics did not both arrive"
  python3 - "$W/sink.jsonl" "$W/expect.json" <<'PY' || fail "$protocol: data did not arrive intact"
import json, sys
want = json.load(open(sys.argv[2]))
spans, metrics, resource, scope = {}, {}, None, None
def attrs(kvs):
    out = {}
    for kv in kvs or []:
        v = kv["value"]
        if "arrayValue" in v:
            out[kv["key"]] = [list(x.values())[0] for x in v["arrayValue"].get("values", [])]
        else:
            out[kv["key"]] = list(v.values())[0] if v else None
    return out
for r in map(json.loads, open(sys.argv[1])):
    if want["service"] not in (r["body"] or ""): continue
    body = json.loads(r["body"])
    for rs in body.get("resourceSpans", []):
        resource = attrs(rs["resource"]["attributes"])
        for ss in rs["scopeSpans"]:
            scope = ss["scope"]
            for s in ss["spans"]: spans[s["spanId"]] = s
    for rm in body.get("resourceMetrics", []):
        for sm in rm["scopeMetrics"]:
            for m in sm["metrics"]: metrics[m["name"]] = (m, sm["scope"])
assert resource["service.name"] == want["service"] and resource["service.version"] == "1.2.3", resource
assert scope["name"] == "infermetry-e2e" and scope["version"] == "0.9.0", scope
root, child, target = (spans[want["spans"][k]] for k in ("root", "child", "target"))
assert root["traceId"] == child["traceId"] == want["traceId"], "trace ids differ"
assert child["parentSpanId"] == want["spans"]["root"], "parent lost"
a = attrs(root["attributes"])
# 64-bit integers arrive as strings in OTLP/JSON.
norm = {k: ([int(x) if isinstance(x, str) and x.isdigit() else x for x in v] if isinstance(v, list)
            else int(v) if isinstance(v, str) and v.isdigit() else v) for k, v in a.items()}
assert norm == want["attrs"], f"attributes differ: {norm} vs {want['attrs']}"
assert root["kind"] == 2 and child["kind"] == 3, "span kinds"
ev = root["events"][0]
assert ev["name"] == "first_token" and attrs(ev["attributes"])["gen_ai.latency.time_to_first_token"] == 0.125, ev
link = root["links"][0]
assert link["spanId"] == want["spans"]["target"] and attrs(link["attributes"])["link.reason"] == "retry-of", link
assert child["status"]["code"] == 2 and child["status"]["message"] == "simulated failure", child["status"]
h, hscope = metrics["e2e.request.duration"]
assert hscope["name"] == "infermetry-e2e-meter" and hscope["version"] == "0.9.1", hscope
dp = h["histogram"]["dataPoints"][0]
assert [float(b) for b in dp["explicitBounds"]] == [0.1, 0.5, 1.0], dp
assert [int(c) for c in dp["bucketCounts"]] == [1, 2, 1, 1], dp
assert int(dp["count"]) == 5 and abs(dp["sum"] - 3.25) < 1e-9, dp
assert h["unit"] == "s"
c, _ = metrics["e2e.requests"]
assert c["sum"]["isMonotonic"] and float(c["sum"]["dataPoints"][0].get("asDouble", c["sum"]["dataPoints"][0].get("asInt", 0))) == 5, c
print(f"{want['service']}: 3 spans and 2 metrics arrived intact")
PY
done
