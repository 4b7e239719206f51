#!/usr/bin/env bash
# The web UI in a real browser: `infermetry demo` (with 20 minutes of simulated history and live
# traffic) is opened in Debian's headless Chromium, driven by playwright-core (npm), through every
# page (test/e2e/ui/ui_check.mjs): every vLLM dashboard panel shows data and equals the SQL API's
# numbers for the same buckets; a latency point leads to the slowest traces of its minute; a RAG
# trace's waterfall with vLLM's queue/prefill/decode split; the SQL console runs and saves a
# query; a custom dashboard is created, saved in the store, reloaded and exported; the alerts page
# lists the vLLM rules; an empty range and an empty store explain what to do. Screenshots go to
# $ARTIFACTS_DIR/ui (default build/test-artifacts/ui).
source "$(dirname "$0")/lib.sh"
W=$(mktemp -d); TMPDIRS+=("$W")
ART=${ARTIFACTS_DIR:-$E2E_ROOT/build/test-artifacts}/ui
rm -rf "$ART"; mkdir -p "$ART"
cp "$E2E_ROOT/test/e2e/ui/package.json" "$E2E_ROOT/test/e2e/ui/ui_check.mjs" "$W/"
(cd "$W" && npm install --no-audit --no-fund >"$W/npm.log" 2>&1) || { cat "$W/npm.log"; fail "npm install failed"; }

API=$(free_port); V1=$(free_port); V2=$(free_port); RAG=$(free_port); G=$(free_port); H=$(free_port)
NOW=$(date +%s)
"$INFERMETRY_BIN" demo --data-dir "$W/data" --history 20m --listen "127.0.0.1:$API" --vllm "127.0.0.1:$V1" \
  --vllm2 "127.0.0.1:$V2" --rag "127.0.0.1:$RAG" --otlp-grpc "127.0.0.1:$G" --otlp-http "127.0.0.1:$H" \
  --rate 2 --rag-rate 1 >"$W/demo.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$API/-/ready" 600 || { cat "$W/demo.log"; fail "demo did not start"; }
EMPTY=$(free_port); EMPTY_OTLP=$(free_port)
store_config "$EMPTY_OTLP" >"$W/empty.yml"
"$INFERMETRY_BIN" serve --config "$W/empty.yml" --data-dir "$W/empty" --listen "127.0.0.1:$EMPTY" 2>"$W/empty.log" & PIDS+=($!)
wait_http "http://127.0.0.1:$EMPTY/-/ready" 300 || fail "serve (empty store) did not start"
# RAG traces arrive live (the history holds vLLM's spans only): wait for a few.
wait_until 300 bash -c "curl -fs 'http://127.0.0.1:$API/api/v1/spans?service=rag-app&name=rag.query&limit=3' | grep -q traceId" \
  || fail "no RAG traces"
sleep 5  # the llm_request spans of those requests, batched by the pipeline
# The compared range: whole minutes inside the simulated history (which ends at the demo's start).
FROM=$(( (NOW - 20 * 60) / 60 * 60 + 120 )); TO=$(( NOW / 60 * 60 ))
(cd "$W" && node ui_check.mjs "$E2E_ROOT" "http://127.0.0.1:$API" "http://127.0.0.1:$EMPTY" "$ART" "$FROM" "$TO") || { tail -20 "$W/demo.log"; fail "UI checks"; }
ls "$ART"
