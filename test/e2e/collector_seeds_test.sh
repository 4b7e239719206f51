#!/usr/bin/env bash
# The guides' Collector configs (test/data/collector/, copied unchanged) run under
# `infermetry collect` with only their environment variables set. Each runs in a private network
# namespace whose /etc/hosts maps the configs' host names (vllm, rag-app, proxy, parseable,
# the Dash0 ingress) to 127.0.0.1, so their fixed ports and names work as written and nothing
# leaves the machine. The backend behind the exporters' host names is a second infermetry,
# `infermetry serve`: its otlp receiver (gRPC with TLS for ingress.dash0.test, HTTP on
# parseable:8000) has `include_metadata: true`, and a resource processor copies the request
# headers into resource attributes (`from_context: metadata.<header>`) before the `store`
# exporter. The checks read the store's read API (docs/storage.md):
#   - every span sent arrives, with its ids (/api/v1/traces/<id>);
#   - every scrape stored is whole (as many samples at its timestamp as the target exposes,
#     plus the 5 report series) (/api/v1/samples);
#   - no scrape is lost (every scrape counted by infermetry collect before a cut-off is stored);
#   - the exporters' headers (Authorization, Dash0-Dataset, X-P-Stream, X-P-Log-Source) arrive
#     with every export: on the spans' resource, and on every scrape's target_info sample.
if [ -z "${INFERMETRY_NETNS:-}" ]; then
  for config in dash0 parseable parseable-traces; do
    unshare --net --mount env INFERMETRY_NETNS=1 bash "$0" "$config" || exit 1
  done
  exit 0
fi
source "$(dirname "$0")/lib.sh"
DATA=$E2E_ROOT/test/data
API=127.0.0.1:9400  # serve's read API
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

# expected_samples FILE: samples one scrape of FILE stores (one per sample line, as Prometheus
# stores them, plus the 5 report series up, scrape_duration_seconds, scrape_samples_scraped,
# scrape_samples_post_metric_relabeling, scrape_series_added).
expected_samples() { echo $(( $(grep -cv '^#\|^$' "$1") + 5 )); }

start_collect() {  # start_collect CONFIG: runs infermetry collect
  "$INFERMETRY_BIN" collect --config "$1" >"$W/collect.log" 2>&1 & COLLECT_PID=$!; PIDS+=($COLLECT_PID)
}
stop_collect() {  # graceful: what collect still holds is exported before the checks read the store
  kill "$COLLECT_PID"; wait "$COLLECT_PID" 2>/dev/null || true
}

# start_serve RECEIVER_PROTOCOLS_YAML: infermetry serve as the backend. Its pipelines copy the
# request headers (client metadata) into resource attributes http.request.header.<name>.
start_serve() {
  cat > "$W/serve.yaml" <<Y
receivers:
  otlp:
    protocols:
$1
processors:
  resource/headers:
    attributes:
      - {key: http.request.header.authorization, from_context: metadata.authorization, action: upsert}
      - {key: http.request.header.dash0-dataset, from_context: metadata.dash0-dataset, action: upsert}
      - {key: http.request.header.x-p-stream, from_context: metadata.x-p-stream, action: upsert}
      - {key: http.request.header.x-p-log-source, from_context: metadata.x-p-log-source, action: upsert}
      - {key: http.request.header.content-type, from_context: metadata.content-type, action: upsert}
exporters:
  store:
storage:
  path: "$W/store"
service:
  pipelines:
    traces: {receivers: [otlp], processors: [resource/headers], exporters: [store]}
    metrics: {receivers: [otlp], processors: [resource/headers], exporters: [store]}
Y
  "$INFERMETRY_BIN" serve --config "$W/serve.yaml" --listen "$API" >"$W/serve.log" 2>&1 & PIDS+=($!)
  wait_http "http://$API/-/ready" 300 || { cat "$W/serve.log"; fail "serve did not start"; }
}

self_metric() {  # self_metric NAME LABEL_FILTER: sum of a self-metric's series matching a substring
  curl -fs "http://127.0.0.1:8888/metrics" | awk -v n="$1" -v f="$2" '$1 ~ "^"n"({|$)" && index($1, f) {s += $2} END {print s+0}'
}

# check_store CUTOFF_MS COUNTED HEADER=VALUE... -- JOB=SAMPLES...: reads the store.
#   every scrape (timestamp of a job's samples) is whole; the scrapes stored before the cut-off
#   are at least the COUNTED ones; every scrape has a target_info sample carrying the headers
#   (labels http_request_header_<name>), and no target_info series lacks them.
check_store() { python3 - "$API" "$@" <<'PY'
import json, sys, urllib.parse, urllib.request
api, cutoff, counted = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rest = sys.argv[4:]; sep = rest.index("--")
headers = {("http_request_header_" + k.replace("-", "_")): v for k, v in (a.split("=", 1) for a in rest[:sep])}
want = {j: int(n) for j, n in (a.split("=") for a in rest[sep + 1:])}
def get(path, **q):
    url = f"http://{api}{path}?" + urllib.parse.urlencode(q)
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]
arrived = 0
for job, n in want.items():
    per_ts, info_ts = {}, set()
    for row in get("/api/v1/samples", **{"match[]": '{job="%s"}' % job})["result"]:
        m = row["metric"]
        for t, _ in row["values"]:
            ts = round(float(t) * 1000)
            if m["__name__"] == "target_info":
                missing = {k: v for k, v in headers.items() if m.get(k) != v}
                assert not missing, f"{job}: target_info without the headers {missing}: {m}"
                info_ts.add(ts)
            else:
                per_ts[ts] = per_ts.get(ts, 0) + 1
    assert per_ts, f"{job}: no samples stored"
    bad = {t: c for t, c in per_ts.items() if c != n}
    assert not bad, f"{job}: scrapes not stored whole (want {n} samples): {bad}"
    assert set(per_ts) <= info_ts, f"{job}: scrapes without headers: {sorted(set(per_ts) - info_ts)}"
    before = sum(1 for t in per_ts if t < cutoff)
    arrived += before
    print(f"{job}: {len(per_ts)} whole scrapes of {n} samples, {before} before the cut-off, headers on each")
assert arrived >= counted, f"{counted} scrapes counted before the cut-off, {arrived} stored"
PY
}

# check_spans HEADER=VALUE...: the 3 spans of traces.json are stored, with their ids and parents,
# each with the headers on its resource.
check_spans() { python3 - "$API" "$@" <<'PY'
import json, sys, urllib.request
api = sys.argv[1]
headers = {("http.request.header." + k): v for k, v in (a.split("=", 1) for a in sys.argv[2:])}
with urllib.request.urlopen(f"http://{api}/api/v1/traces/5b8efff798038103d269b633813fc60c", timeout=10) as r:
    spans = json.load(r)["data"]["spans"]
got = sorted((s["spanId"], s.get("parentSpanId", ""), s["name"]) for s in spans)
want = [("eee19b7ec3c1b174", "", "rag.query"), ("eee19b7ec3c1b175", "eee19b7ec3c1b174", "rag.retrieve"),
        ("eee19b7ec3c1b176", "eee19b7ec3c1b174", "llm_request")]
assert got == sorted(want), f"spans stored: {got}"
for s in spans:
    assert s["traceId"] == "5b8efff798038103d269b633813fc60c", s
    missing = {k: v for k, v in headers.items() if s["resource"].get(k) != v}
    assert not missing, f"span {s['spanId']}: headers missing on the resource: {missing}: {s['resource']}"
print(f"{len(spans)} spans stored with their ids and the headers {sorted(headers)}")
PY
}

metric_names() { curl -fs "http://$API/api/v1/label/__name__/values" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["data"]))'; }

run_dash0() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 1 \
    -subj /CN=ingress.dash0.test -addext subjectAltName=DNS:ingress.dash0.test >/dev/null 2>&1
  serve_dir "$W/vllm" 8000; serve_dir "$W/rag" 8001
  wait_http http://127.0.0.1:8000/metrics; wait_http http://127.0.0.1:8001/metrics
  local G; G=$(free_port)
  start_serve "      grpc:
        endpoint: 127.0.0.1:$G
        include_metadata: true
        tls: {cert_file: \"$W/cert.pem\", key_file: \"$W/key.pem\"}"
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
  stop_collect
  check_spans authorization="Bearer auth_test_token" dash0-dataset=vllm-e2e \
    || { tail -20 "$W/serve.log"; fail "dash0: spans or their headers missing"; }
  check_store "$cutoff" "$counted" authorization="Bearer auth_test_token" dash0-dataset=vllm-e2e -- \
    "vllm=$(expected_samples "$W/vllm/metrics")" "rag-app=$(expected_samples "$W/rag/metrics")" \
    || { tail -20 "$W/serve.log"; fail "dash0: scrapes incomplete, lost or without headers"; }
  echo "dash0: Authorization and Dash0-Dataset arrived with every export"
  grep -q 'rag.retrieve' "$W/collect.log" || fail "dash0: the debug exporter (detailed) did not print the spans"
  local colons; colons=$(metric_names | grep -c ':' || true)
  [ "$colons" -gt 0 ] || fail "dash0: no metric name with ':' arrived: vLLM's names were not kept exactly"
  echo "dash0: $colons metric names arrived with their colons"
}

# The Parseable guide's chain: vLLM -> infermetry proxy on proxy:9090 -> collect -> Parseable.
run_parseable() {  # run_parseable CONFIG_NAME
  serve_dir "$W/vllm" 8001; wait_http http://127.0.0.1:8001/metrics
  "$INFERMETRY_BIN" proxy --target http://127.0.0.1:8001/metrics --listen 127.0.0.1:9090 2>"$W/proxy.log" & PIDS+=($!)
  wait_http http://127.0.0.1:9090/health
  # The exporters post to http://parseable:8000/v1/metrics and /v1/traces: the receiver's
  # default paths, so only those are served (anything else would get 404 and not be stored).
  start_serve "      http:
        endpoint: 127.0.0.1:8000
        include_metadata: true"
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
  stop_collect
  local h=(authorization="Basic YWRtaW46YWRtaW4=" x-p-stream=vLLMmetrics x-p-log-source=otel-metrics
           content-type=application/x-protobuf)
  check_store "$cutoff" "$counted" "${h[@]}" -- "vllm=$(expected_samples "$W/vllm/metrics")" \
    || { tail -20 "$W/serve.log"; fail "parseable: scrapes incomplete, lost or without headers"; }
  echo "parseable: /v1/metrics exports arrived with Authorization, X-P-Stream, X-P-Log-Source"
  if [ "$1" = parseable-traces ]; then
    check_spans "${h[@]}" || { tail -20 "$W/serve.log"; fail "parseable-traces: spans or their headers missing"; }
  fi
  local colons; colons=$(metric_names | grep -c ':' || true)
  [ "$colons" = 0 ] || fail "parseable: $colons metric names with ':' arrived through the proxy"
  echo "parseable: every metric name arrived normalized (no ':')"
}

case "$1" in
  dash0) run_dash0 ;;
  parseable|parseable-traces) run_parseable "$1" ;;
esac
echo "$1 config: ok"
