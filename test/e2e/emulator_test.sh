#!/usr/bin/env bash
# `infermetry emulate` as a scrape target and an OpenAI server: its /metrics passes promtool in
# all three layouts; after loadgen's requests its counters equal what the clients received and
# its TTFT histogram agrees with the clients' TTFT percentiles; the simulated-clock mode writes
# a scenario into a store that `infermetry serve` then serves.
source "$(dirname "$0")/lib.sh"
DIR=$(mktemp -d); TMPDIRS+=("$DIR")
P1=$(free_port); P2=$(free_port); P3=$(free_port)
cat >"$DIR/emulator.yaml" <<YAML
servers:
  - listen: 127.0.0.1:$P1
    preset: opt-125m-t4
    seed: 1
  - listen: 127.0.0.1:$P2
    preset: llama-3-8b-a100
    data_parallel_size: 2
    metrics_layout: legacy-names
  - listen: 127.0.0.1:$P3
    preset: opt-125m-t4
    metrics_layout: v0
YAML
"$INFERMETRY_BIN" emulate --config "$DIR/emulator.yaml" 2>"$DIR/emulate.log" & PIDS+=($!)
for p in $P1 $P2 $P3; do wait_http "http://127.0.0.1:$p/health" 100 || fail "emulator on $p did not start"; done

# 1. promtool: exit status 1 is a parse error; 3 is lint findings (vLLM's own names have them).
for p in $P1 $P2 $P3; do
  curl -fsS "http://127.0.0.1:$p/metrics" >"$DIR/m$p.txt"
  rc=0; promtool check metrics <"$DIR/m$p.txt" >"$DIR/lint$p.txt" 2>&1 || rc=$?
  [ "$rc" -ne 1 ] || { cat "$DIR/lint$p.txt"; fail "promtool cannot parse the emulator's /metrics ($p)"; }
  echo "ok: promtool check metrics on :$p exit $rc ($(wc -l <"$DIR/lint$p.txt") lint lines)"
done
grep -q '^vllm:gpu_cache_usage_perc{' "$DIR/m$P2.txt" || fail "legacy layout lacks vllm:gpu_cache_usage_perc"
grep -q '^vllm:kv_cache_usage_perc{engine="1"' "$DIR/m$P2.txt" || fail "engine=\"1\" missing with data_parallel_size 2"
! grep -q '_created' "$DIR/m$P3.txt" || fail "the v0 layout must not have _created series"

# 2. Client truth against the server's counters and TTFT histogram.
"$INFERMETRY_BIN" loadgen --url "http://127.0.0.1:$P1" --requests 300 --rate 25 --seed 3 \
  --prompt-len uniform:40:600 --output-len uniform:8:160 --progress off --json "$DIR/lg.json" >"$DIR/lg.txt"
cat "$DIR/lg.txt"
python3 -c "import json,sys; r=json.load(open('$DIR/lg.json')); sys.exit(0 if r['succeeded']==300 and r['failed']==0 else 1)" \
  || fail "not every loadgen request succeeded"
curl -fsS "http://127.0.0.1:$P1/metrics" >"$DIR/after.txt"
python3 "$E2E_ROOT/test/e2e/vllm_check.py" totals "$DIR/after.txt" "$DIR/lg.json"
python3 "$E2E_ROOT/test/e2e/vllm_check.py" ttft "$DIR/after.txt" "$DIR/lg.json"

# 3. The simulated clock: 30 minutes of kv-cache-pressure into a store, served afterwards.
"$INFERMETRY_BIN" emulate --simulate 30m --scenario kv-cache-pressure --preset llama-3-8b-a100 \
  --data-dir "$DIR/sim" | tee "$DIR/sim.txt"
NOW=$(date +%s)
SP=$(free_port)
"$INFERMETRY_BIN" serve --data-dir "$DIR/sim" --listen 127.0.0.1:$SP 2>"$DIR/serve.log" \
  --config <(printf 'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:%s\nexporters:\n  store:\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [store]\n' "$(free_port)") & PIDS+=($!)
wait_http "http://127.0.0.1:$SP/-/ready" 100
q() { curl -fsS --get "http://127.0.0.1:$SP/api/v1/samples" --data-urlencode "match[]=$1" \
  --data-urlencode start=$((NOW - 3600)) --data-urlencode end=$((NOW + 60)); }
q 'vllm:kv_cache_usage_perc' | python3 -c '
import json, sys
vals = [float(v) for s in json.load(sys.stdin)["data"]["result"] for _, v in s["values"]]
high = sum(v > 0.9 for v in vals) / len(vals)
print(f"ok: {len(vals)} kv_cache_usage_perc samples, {high:.0%} above 0.9")
sys.exit(0 if len(vals) >= 300 and high > 0.5 else 1)' || fail "kv-cache-pressure does not show a full cache in the store"
q 'vllm:num_preemptions_total' | python3 -c '
import json, sys
vals = [float(v) for s in json.load(sys.stdin)["data"]["result"] for _, v in s["values"]]
half = len(vals) // 2
print(f"ok: preemptions {vals[half]:.0f} at the middle, {vals[-1]:.0f} at the end")
sys.exit(0 if 0 < vals[half] < vals[-1] else 1)' || fail "preemptions do not rise"
curl -fsS "http://127.0.0.1:$SP/api/v1/spans?service=vllm-server&name=llm_request&limit=5&start=$((NOW - 3600))&end=$((NOW + 60))" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(f"ok: {len(d)} llm_request spans"); sys.exit(0 if len(d)==5 and "gen_ai.latency.e2e" in d[0]["attributes"] else 1)' \
  || fail "no llm_request spans in the simulated store"
echo "emulator e2e: all checks passed"
