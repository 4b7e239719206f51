#!/usr/bin/env bash
# Crash safety of the embedded store: a client sends metrics and traces to `infermetry serve`
# over OTLP/HTTP while infermetry is SIGKILLed at a random moment, ROUNDS times (default 50).
# After every restart the store must open and hold every sample and span it acknowledged
# (HTTP 200), with their content. The pipeline has a batch processor, which must not hold
# acknowledged data in memory in front of the durable store.
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-50}
W=$(mktemp -d); TMPDIRS+=("$W")
H=$(free_port); A=$(free_port)
cat > "$W/serve.yaml" <<Y
receivers:
  otlp: {protocols: {http: {endpoint: "127.0.0.1:$H"}}}
processors:
  batch: {timeout: 1s, send_batch_size: 1000}
exporters:
  store:
storage:
  path: "$W/data"
service:
  pipelines:
    traces: {receivers: [otlp], processors: [batch], exporters: [store]}
    metrics: {receivers: [otlp], processors: [batch], exporters: [store]}
Y
mkdir -p "$W/state"
start() {
  "$INFERMETRY_BIN" serve --config "$W/serve.yaml" --listen "127.0.0.1:$A" >>"$W/serve.log" 2>&1 & SERVE_PID=$!
  PIDS+=($SERVE_PID)
  wait_http "http://127.0.0.1:$A/-/ready" 600 || { tail -30 "$W/serve.log"; fail "serve did not start"; }
}
for round in $(seq "$ROUNDS"); do
  start
  python3 "$(dirname "$0")/store_client.py" check "$A" "$W/state" >"$W/check.out" 2>&1 ||
    { cat "$W/check.out"; tail -30 "$W/serve.log"; fail "round $round: acknowledged data missing after restart"; }
  rm -f "$W/stop"
  python3 "$(dirname "$0")/store_client.py" send "$H" "$W/state" "$W/stop" & CLIENT=$!
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.2, 1.2), 2))')"
  kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  touch "$W/stop"; wait "$CLIENT"
  echo "round $round: $(cat "$W/check.out")"
done
start
python3 "$(dirname "$0")/store_client.py" check "$A" "$W/state" || { tail -30 "$W/serve.log"; fail "final check"; }
echo "PASS: $ROUNDS SIGKILLs, every acknowledged sample and span stored"
