#!/usr/bin/env bash
# `infermetry demo`: one command brings up emulated vLLM servers, the RAG app, traffic, the
# pipelines and the store. A RAG question produces one trace in the store holding the app's
# spans and vLLM's llm_request span, correctly parented; both vLLM servers and the RAG app are
# scraped into the store.
source "$(dirname "$0")/lib.sh"
DIR=$(mktemp -d); TMPDIRS+=("$DIR")
API=$(free_port); V1=$(free_port); V2=$(free_port); RAG=$(free_port); G=$(free_port); H=$(free_port)
"$INFERMETRY_BIN" demo --listen 127.0.0.1:$API --vllm 127.0.0.1:$V1 --vllm2 127.0.0.1:$V2 \
  --rag 127.0.0.1:$RAG --otlp-grpc 127.0.0.1:$G --otlp-http 127.0.0.1:$H --data-dir "$DIR/data" \
  --rate 2 --rag-rate 1 >"$DIR/demo.out" 2>"$DIR/demo.log" & DEMO=$!; PIDS+=($DEMO)
wait_http "http://127.0.0.1:$API/-/ready" 200 || { cat "$DIR/demo.log"; fail "demo did not become ready"; }
wait_http "http://127.0.0.1:$RAG/health" 100 || fail "RAG app did not start"
grep -q "http://127.0.0.1:$RAG/query" "$DIR/demo.out" || fail "demo does not print the RAG app's URL"

ANSWER=$(curl -fsS -X POST -H 'Content-Type: application/json' \
  -d '{"question":"What does a high KV cache usage mean?","max_tokens":40}' "http://127.0.0.1:$RAG/query")
TRACE=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["trace_id"])' "$ANSWER")
[ ${#TRACE} -eq 32 ] || fail "RAG answer has no trace id: $ANSWER"
trace_complete() {
  curl -fsS "http://127.0.0.1:$API/api/v1/traces/$TRACE" >"$DIR/trace.json" 2>/dev/null &&
  python3 - "$DIR/trace.json" <<'PY'
import json, sys
spans = {s["name"]: s for s in json.load(open(sys.argv[1]))["data"]["spans"]}
need = ["rag.query", "rag.retrieve", "rag.generate", "llm_request"]
sys.exit(0 if all(n in spans for n in need) else 1)
PY
}
wait_until 300 trace_complete || { cat "$DIR/trace.json" 2>/dev/null; fail "trace $TRACE never held all four spans"; }
python3 - "$DIR/trace.json" "$TRACE" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))["data"]
spans = {s["name"]: s for s in data["spans"]}
q, r, g, l = (spans[n] for n in ("rag.query", "rag.retrieve", "rag.generate", "llm_request"))
def check(cond, msg):
    if not cond: sys.exit("FAIL: " + msg)
    print("ok:", msg)
check(all(s["traceId"] == sys.argv[2] for s in data["spans"]), "every span carries the RAG answer's trace id")
check(not q.get("parentSpanId"), "rag.query is the root")
check(r["parentSpanId"] == q["spanId"] and g["parentSpanId"] == q["spanId"], "rag.retrieve and rag.generate are children of rag.query")
check(l["parentSpanId"] == g["spanId"], "vLLM's llm_request is a child of rag.generate")
check(q["serviceName"] == "rag-app" and l["serviceName"] == "vllm-server", "services rag-app and vllm-server")
check(l["kind"] in (2, "SPAN_KIND_SERVER", "server"), "llm_request is a SERVER span")
for k in ("gen_ai.latency.time_to_first_token", "gen_ai.latency.time_in_queue", "gen_ai.usage.completion_tokens"):
    check(k in l["attributes"], f"llm_request has {k}")
check(g["attributes"]["gen_ai.usage.completion_tokens"] == l["attributes"]["gen_ai.usage.completion_tokens"],
      "rag.generate's usage equals vLLM's")
PY

series_present() {  # series_present SELECTOR MIN_COUNT
  curl -fsS --get "http://127.0.0.1:$API/api/v1/series" --data-urlencode "match[]=$1" 2>/dev/null |
    python3 -c "import json,sys; sys.exit(0 if len(json.load(sys.stdin)['data']) >= $2 else 1)"
}
wait_until 300 series_present 'vllm:num_requests_running{job="vllm"}' 3 || fail "both vLLM servers (3 engines) not scraped into the store"
wait_until 300 series_present 'rag_queries_total{job="rag-app"}' 1 || fail "the RAG app's metrics are not in the store"
wait_until 300 series_present 'vllm:generation_tokens_total{model_name="meta-llama/Meta-Llama-3-8B-Instruct",engine="1"}' 1 \
  || fail "the Llama server's second engine is missing"
echo "ok: vLLM (3 engines over 2 servers) and rag-app series in the store"

kill -TERM $DEMO; rc=0; wait $DEMO || rc=$?
[ "$rc" -eq 0 ] || { tail -20 "$DIR/demo.log"; fail "demo exited $rc on SIGTERM"; }
echo "demo e2e: all checks passed"
