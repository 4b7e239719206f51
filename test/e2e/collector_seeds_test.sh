#!/usr/bin/env bash
# The guides' Collector configs (test/data/collector/, copied unchanged) run under
# `infermetry collect` with only their environment variables set. Each runs in a private network
# namespace whose /etc/hosts maps the configs' host names (vllm, rag-app, proxy, parseable,
# the Dash0 ingress) to 127.0.0.1, so their fixed ports and names work as written and nothing
# leaves the machine. A recording OTLP backend (otlp_sink) stands in for Dash0 and Parseable:
#   - every span sent arrives, with its ids;
#   - every scrape that arrives is whole (as many data points as the target exposes);
#   - no scrape is lost (every scrape counted by infermetry before a cut-off reaches the sink);
#   - the exporters' headers (Authorization, Dash0-Dataset, X-P-Stream, X-P-Log-Source) arrive.
if [ -z "${INFERMETRY_NETNS:-}" ]; then
  for config in dash0 parseable parseable-traces; do
    unshare --net --mount env INFERMETRY_NETNS=1 bash "$0" "$config" || exit 1
  done
  exit 0
fi
source "$(dirname "$0")/lib.sh"
SINK_BIN=${OTLP_SINK_BIN:-$E2E_ROOT/build/test/e2e/otlp_sink/otlp_sink}
DATA=$E2E_ROOT/test/data
W=$(mktemp -d); TMPDIRS+=("$W")
ip link set lo up
echo "127.0.0.1 localhost vllm rag-app proxy parseable ingress.dash0.test" > "$W/hosts"
mount --bind "$W/hosts" /etc/hosts

mkdir -p "$W/vllm" "$W/rag"
cp "$DATA/textparse/vllm-metrics-example.txt" "$W/vllm/metrics"
cat > "$W/rag/metrics" <<'M'
# HELP rag_queries_total RAG queries served.
# TYPE rag_queries_total counter
rag_queries_total{status="ok"} 12.0
rag_queries_total{status="error"} 1.0
# HELP rag_query_duration_seconds RAG query latency.
# TYPE rag_query_duration_seconds histogram
rag_query_duration_seconds_bucket{le="0.5"} 3.0
rag_query_duration_seconds_bucket{le="1.0"} 9.0
rag_query_duration_seconds_bucket{le="+Inf"} 13.0
rag_query_duration_seconds_count 13.0
rag_query_duration_seconds_sum 9.75
M

# A JSON traces request with 3 spans in one trace (ids checked at the end).
cat > "$W/traces.json" <<'J'
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"rag-app"}}]},
 "scopeSpans":[{"scope":{"name":"rag"},"spans":[
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"rag.query","kind":2,
   "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"},
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","parentSpanId":"eee19b7ec3c1b174",
   "name":"rag.retrieve","kind":1,"startTimeUnixNano":"1700000000100000000","endTimeUnixNano":"1700000000200000000"},
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b176","parentSpanId":"eee19b7ec3c1b174",
   "name":"llm_request","kind":3,"startTimeUnixNano":"1700000000200000000","endTimeUnixNano":"1700000000900000000",
   "attributes":[{"key":"gen_ai.usage.completion_tokens","value":{"intValue":"42"}}]}]}]}]}
J

# expected_points FILE: data points one scrape of FILE yields (OTLP mapping, plus 5 report series).
expected_points() { python3 - "$1" <<'PY'
import re, sys
types, points = {}, set()
for line in open(sys.argv[1]):
    if line.startswith("# TYPE "):
        _, _, name, t = line.split()[:4]; types[name] = t; continue
    if line.startswith("#") or not line.strip(): continue
    m = re.match(r'([^{ ]+)(?:\{([^}]*)\})? ', line)
    name, labels = m.group(1), dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
    fam = next((f for f in types if types[f] in ("histogram", "summary") and name.startswith(f) and
                name[len(f):] in ("", "_bucket", "_sum", "_count")), None)
    if fam:
        labels.pop("le", None); labels.pop("quantile", None)
        points.add((fam, tuple(sorted(labels.items()))))
    else:
        points.add((name, tuple(sorted(labels.items()))))
print(len(points) + 5)
PY
}

start_collect() {  # start_collect CONFIG: runs infermetry collect, waits for readiness
  "$INFERMETRY_BIN" collect --config "$1" >"$W/collect.log" 2>&1 & COLLECT_PID=$!; PIDS+=($COLLECT_PID)
}

self_metric() {  # self_metric NAME LABEL_FILTER: sum of a self-metric's series matching a substring
  curl -fs "http://127.0.0.1:8888/metrics" | awk -v n="$1" -v f="$2" '$1 ~ "^"n"({|$)" && index($1, f) {s += $2} END {print s+0}'
}

# check_sink LOG CUTOFF_MS JOB=POINTS...: every scrape group is whole; none before the cut-off lost.
check_sink() { python3 - "$@" <<'PY'
import json, sys
log, cutoff = sys.argv[1], int(sys.argv[2])
want = dict(a.split("=") for a in sys.argv[3:])
groups = {}
for line in open(log):
    r = json.loads(line)
    if r.get("status") not in (0, 200): continue
    for k, n in r.get("groups", {}).items():
        groups[k] = groups.get(k, 0) + n
bad = {k: n for k, n in groups.items() if k.split("@")[0] in want and n != int(want[k.split("@")[0]])}
assert not bad, f"scrapes that did not arrive whole (want {want}): {bad}"
for job in want:
    before = sorted(k for k in groups if k.startswith(job + "@") and int(k.split("@")[1]) < cutoff)
    print(f"{job}: {len(before)} whole scrapes of {want[job]} points before the cut-off")
PY
}

run_dash0() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 1 \
    -subj /CN=ingress.dash0.test -addext subjectAltName=DNS:ingress.dash0.test >/dev/null 2>&1
  serve_dir "$W/vllm" 8000; serve_dir "$W/rag" 8001
  wait_http http://127.0.0.1:8000/metrics; wait_http http://127.0.0.1:8001/metrics
  local G; G=$(free_port)
  "$SINK_BIN" --grpc-port "$G" --http-port 0 --tls-cert "$W/cert.pem" --tls-key "$W/key.pem" >"$W/dash0.jsonl" 2>"$W/sink.err" & PIDS+=($!)
  export DASH0_ENDPOINT_OTLP_GRPC_HOSTNAME=ingress.dash0.test DASH0_ENDPOINT_OTLP_GRPC_PORT=$G \
         DASH0_AUTH_TOKEN=auth_test_token DASH0_DATASET=vllm-e2e GRPC_DEFAULT_SSL_ROOTS_FILE_PATH="$W/cert.pem"
  start_collect "$DATA/collector/collector-config-dash0.yaml"
  wait_http http://127.0.0.1:13133/ 300 || { cat "$W/collect.log"; fail "health_check never became ready"; }
  curl -fsS -H 'Content-Type: application/json' --data-binary @"$W/traces.json" http://127.0.0.1:4318/v1/traces >/dev/null \
    || fail "POST /v1/traces was refused"
  # Wait for both jobs' first scrapes (15 s interval) to be counted, then take a cut-off.
  local i scrapes=0
  for i in $(seq 400); do
    scrapes=$(self_metric infermetry_scrapes_total 'result="ok"'); [ "$scrapes" -ge 2 ] && break; sleep 0.1
  done
  [ "$scrapes" -ge 2 ] || { cat "$W/collect.log" | tail -20; fail "no scrapes after 40 s"; }
  local cutoff; cutoff=$(date +%s%3N)
  local counted; counted=$(self_metric infermetry_scrapes_total 'job=')
  sleep 3  # batch timeout is 1 s
  local spans; spans=$(python3 -c 'import json,sys; print(sum(json.loads(l)["spans"] for l in open(sys.argv[1])))' "$W/dash0.jsonl")
  [ "$spans" = 3 ] || fail "dash0: $spans spans arrived, want 3"
  check_sink "$W/dash0.jsonl" "$cutoff" "vllm=$(expected_points "$W/vllm/metrics")" "rag-app=$(expected_points "$W/rag/metrics")" \
    | tee "$W/check.txt" || fail "dash0: scrapes incomplete"
  local arrived; arrived=$(awk '{s += $2} END {print s}' "$W/check.txt")
  [ "$arrived" -ge "$counted" ] || fail "dash0: $counted scrapes counted before the cut-off, $arrived arrived"
  python3 - "$W/dash0.jsonl" <<'PY' || fail "dash0: headers missing"
import json, sys
for line in open(sys.argv[1]):
    h = json.loads(line)["headers"]
    assert h.get("authorization") == "Bearer auth_test_token", h
    assert h.get("dash0-dataset") == "vllm-e2e", h
print("dash0: Authorization and Dash0-Dataset on every export")
PY
  grep -q 'rag.retrieve' "$W/collect.log" || fail "dash0: the debug exporter (detailed) did not print the spans"
  python3 - "$W/dash0.jsonl" <<'PY' || fail "dash0: vLLM's metric names did not arrive exactly"
import json, sys
colons = sum(json.loads(l).get("colon_names", 0) for l in open(sys.argv[1]))
assert colons > 0, "no metric name with ':' arrived: names were not kept exactly"
print(f"dash0: {colons} metric names arrived with their colons")
PY
  kill "$COLLECT_PID"; wait "$COLLECT_PID" 2>/dev/null || true
}

check_parseable_headers() {  # check_parseable_headers LOG PATH
  python3 - "$1" "$2" <<'PY' || fail "parseable: headers or paths wrong"
import json, sys
seen = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["path"] != sys.argv[2]: continue
    h = r["headers"]; seen += 1
    assert h.get("authorization") == "Basic YWRtaW46YWRtaW4=", h
    assert h.get("x-p-stream") == "vLLMmetrics", h
    assert h.get("x-p-log-source") == "otel-metrics", h
    assert h.get("content-type") == "application/x-protobuf", h
assert seen > 0, f"nothing arrived at {sys.argv[2]}"
print(f"parseable: {seen} exports to {sys.argv[2]} with Authorization, X-P-Stream, X-P-Log-Source")
PY
}

# The Parseable guide's chain: vLLM -> infermetry proxy on proxy:9090 -> collect -> Parseable.
run_parseable() {  # run_parseable CONFIG_NAME
  serve_dir "$W/vllm" 8001; wait_http http://127.0.0.1:8001/metrics
  "$INFERMETRY_BIN" proxy --target http://127.0.0.1:8001/metrics --listen 127.0.0.1:9090 2>"$W/proxy.log" & PIDS+=($!)
  wait_http http://127.0.0.1:9090/health
  "$SINK_BIN" --grpc-port 0 --http-port 8000 >"$W/parseable.jsonl" 2>"$W/sink.err" & PIDS+=($!)
  wait_until 50 grep -q http "$W/sink.err"
  start_collect "$DATA/collector/collector-config-$1.yaml"
  wait_http http://127.0.0.1:8888/metrics 300 || { cat "$W/collect.log"; fail "collect did not start"; }
  if [ "$1" = parseable-traces ]; then
    curl -fsS -H 'Content-Type: application/json' --data-binary @"$W/traces.json" http://127.0.0.1:4318/v1/traces >/dev/null \
      || fail "POST /v1/traces was refused"
  fi
  local i scrapes=0
  for i in $(seq 100); do
    scrapes=$(self_metric infermetry_scrapes_total 'result="ok"'); [ "$scrapes" -ge 2 ] && break; sleep 0.1
  done
  [ "$scrapes" -ge 2 ] || fail "no scrapes of proxy:9090"
  local cutoff counted; cutoff=$(date +%s%3N); counted=$(self_metric infermetry_scrapes_total 'job=')
  sleep 12  # batch timeout is 10 s
  check_sink "$W/parseable.jsonl" "$cutoff" "vllm=$(expected_points "$W/vllm/metrics")" | tee "$W/check.txt" \
    || fail "parseable: scrapes incomplete"
  local arrived; arrived=$(awk '{s += $2} END {print s}' "$W/check.txt")
  [ "$arrived" -ge "$counted" ] || fail "parseable: $counted scrapes counted before the cut-off, $arrived arrived"
  check_parseable_headers "$W/parseable.jsonl" /v1/metrics
  if [ "$1" = parseable-traces ]; then
    check_parseable_headers "$W/parseable.jsonl" /v1/traces
    local spans; spans=$(python3 -c 'import json,sys; print(sum(json.loads(l)["spans"] for l in open(sys.argv[1])))' "$W/parseable.jsonl")
    [ "$spans" = 3 ] || fail "parseable-traces: $spans spans arrived, want 3"
  fi
  python3 - "$W/parseable.jsonl" <<'PY' || fail "parseable: metric names with colons arrived through the proxy"
import json, sys
colons = sum(json.loads(l).get("colon_names", 0) for l in open(sys.argv[1]))
assert colons == 0, f"{colons} metric names with ':' arrived"
print("parseable: every metric name arrived normalized (no ':')")
PY
  kill "$COLLECT_PID"; wait "$COLLECT_PID" 2>/dev/null || true
}

case "$1" in
  dash0) run_dash0 ;;
  parseable|parseable-traces) run_parseable "$1" ;;
esac
echo "$1 config: ok"
