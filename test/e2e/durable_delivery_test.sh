#!/usr/bin/env bash
# Delivery that loses nothing: a client sends spans continuously over OTLP/HTTP while the
# backend is down; infermetry (batch processor + otlphttp exporter with a persistent
# sending_queue) is SIGKILLed three times and restarted; then the backend comes up. Every span
# infermetry acknowledged (HTTP 200) must reach the backend, with its content. Duplicates are
# allowed (the contract is at-least-once) and reported.
source "$(dirname "$0")/lib.sh"
W=$(mktemp -d); TMPDIRS+=("$W")
H=$(free_port); S=$(free_port); M=$(free_port)
cat > "$W/collect.yaml" <<Y
extensions:
  file_storage: {directory: "$W/queue"}
receivers:
  otlp: {protocols: {http: {endpoint: "127.0.0.1:$H"}}}
processors:
  batch: {timeout: 200ms, send_batch_size: 50}
exporters:
  otlphttp/backend:
    endpoint: http://127.0.0.1:$S
    encoding: json
    compression: none
    retry_on_failure: {initial_interval: 100ms, max_interval: 500ms, max_elapsed_time: 0}
    sending_queue: {storage: file_storage}
service:
  extensions: [file_storage]
  telemetry: {metrics: {address: "127.0.0.1:$M"}}
  pipelines:
    traces: {receivers: [otlp], processors: [batch], exporters: [otlphttp/backend]}
Y
mkdir -p "$W/queue"
start() {
  "$INFERMETRY_BIN" collect --config "$W/collect.yaml" >>"$W/collect.log" 2>&1 & COLLECT_PID=$!; PIDS+=($COLLECT_PID)
  wait_http "http://127.0.0.1:$M/metrics" 300 || { tail -20 "$W/collect.log"; fail "collect did not start"; }
}

# The client: 5 spans per request, unique ids; records the ids of acknowledged requests.
cat > "$W/send.py" <<'PY'
import json, sys, time, urllib.request
port, acked_path, stop_path = sys.argv[1], sys.argv[2], sys.argv[3]
import os
seq, acked = 0, open(acked_path, "w")
while not os.path.exists(stop_path):
    spans = []
    for _ in range(5):
        seq += 1
        spans.append({"traceId": "%032x" % (0xabc0000 + seq // 5), "spanId": "%016x" % seq, "name": f"op-{seq}",
                      "kind": 1, "startTimeUnixNano": str(1700000000000000000 + seq), "endTimeUnixNano": str(1700000000000000000 + seq + 1000),
                      "attributes": [{"key": "seq", "value": {"intValue": str(seq)}}]})
    body = json.dumps({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "durable"}}]},
                                          "scopeSpans": [{"spans": spans}]}]}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/traces", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            if r.status == 200:
                for s in spans: acked.write(s["spanId"] + " " + s["name"] + "\n")
                acked.flush()
    except Exception:
        time.sleep(0.02)
PY
start
python3 "$W/send.py" "$H" "$W/acked.txt" "$W/stop" & SENDER=$!; PIDS+=($SENDER)
for round in 1 2 3; do
  sleep 1.5
  kill -9 "$COLLECT_PID"; wait "$COLLECT_PID" 2>/dev/null || true
  sleep 0.3
  start
done
sleep 1
touch "$W/stop"; wait "$SENDER" || true
acked=$(wc -l < "$W/acked.txt")
[ "$acked" -gt 100 ] || fail "only $acked spans were acknowledged: the test did not exercise anything"

python3 "$E2E_ROOT/test/e2e/json_sink.py" "$S" >"$W/sink.jsonl" 2>"$W/sink.err" & PIDS+=($!)
check() { python3 - "$W/acked.txt" "$W/sink.jsonl" "${1:-}" <<'PY'
import json, sys
acked = dict(line.split() for line in open(sys.argv[1]))
got, dup = {}, 0
for r in map(json.loads, open(sys.argv[2])):
    if r["path"] != "/v1/traces" or not r["body"]: continue
    for rs in json.loads(r["body"]).get("resourceSpans", []):
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                if s["spanId"] in got: dup += 1
                seq = [a["value"]["intValue"] for a in s.get("attributes", []) if a["key"] == "seq"]
                got[s["spanId"]] = (s["name"], seq[0] if seq else None)
missing = [i for i in acked if i not in got]
if missing:
    if sys.argv[3]: print(f"{len(missing)} of {len(acked)} acknowledged spans missing, e.g. {missing[:3]}")
    sys.exit(1)
wrong = [i for i in acked if got[i][0] != acked[i] or "op-" + str(got[i][1]) != acked[i]]
assert not wrong, f"content differs for {wrong[:3]}"
print(f"all {len(acked)} acknowledged spans delivered with their content ({dup} duplicates, {len(got) - len(acked)} unacknowledged extras)")
PY
}
wait_until 300 check || { check verbose; tail -30 "$W/collect.log"; fail "acknowledged spans were lost"; }
