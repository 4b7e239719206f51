#!/usr/bin/env bash
# Oracle test: Debian's Prometheus 2.42 and infermetry scrape the same vLLM targets (current and
# multiprocess layouts) with the same config, metric relabeling included; both must hold the same
# series (names and labels) and values. Prometheus also scrapes infermetry's metrics proxy: it must
# see the names normalized, with the same values. With the target down, the proxy answers 502.
source "$(dirname "$0")/lib.sh"
W=$(mktemp -d); TMPDIRS+=("$W")
mkdir -p "$W/www/mp"
cp "$E2E_ROOT/test/data/textparse/vllm-metrics-example.txt" "$W/www/metrics"
cp "$E2E_ROOT/test/data/textparse/vllm-metrics-example-multiprocess.txt" "$W/www/mp/metrics"
TGT=$(free_port); PX=$(free_port); PP=$(free_port)
serve_dir "$W/www" "$TGT"
wait_http "http://127.0.0.1:$TGT/metrics"

"$INFERMETRY_BIN" proxy --target "http://127.0.0.1:$TGT/metrics" --listen "127.0.0.1:$PX" 2>"$W/proxy.log" & PIDS+=($!)
wait_http "http://127.0.0.1:$PX/health"

cat > "$W/prom.yml" <<Y
global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: vllm
    static_configs: [{targets: ['127.0.0.1:$TGT'], labels: {cluster: e2e}}]
    metric_relabel_configs:
      - {source_labels: [__name__], regex: 'python_gc_.*', action: drop}
      - {source_labels: [model_name], regex: '([^/]+)/(.*)', target_label: org, replacement: '\$1'}
      - {regex: 'patchlevel', action: labeldrop}
  - job_name: vllm_mp
    metrics_path: /mp/metrics
    static_configs: [{targets: ['127.0.0.1:$TGT']}]
    metric_relabel_configs:
      - {source_labels: [__name__, engine], regex: 'vllm:prompt_tokens_total;1', action: drop}
  - job_name: proxy
    static_configs: [{targets: ['127.0.0.1:$PX']}]
Y
promtool check config "$W/prom.yml" >/dev/null || fail "promtool rejects the test config"
"$INFERMETRY_BIN" validate --config "$W/prom.yml" >/dev/null || fail "infermetry rejects the test config"
start_prometheus "$W/prom.yml" "$PP" "$W/prom-data"

has_up() { curl -fs -G "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=up{job=\"$1\"} == 1" | grep -q '"value"'; }
for j in vllm vllm_mp proxy; do wait_until 300 has_up "$j" || fail "Prometheus never scraped job $j"; done

for j in vllm vllm_mp proxy; do
  curl -fsS -G "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query={job=\"$j\"}" > "$W/prom_$j.json"
done
"$INFERMETRY_BIN" scrape --config "$W/prom.yml" --once --format json > "$W/im.jsonl" 2>"$W/scrape.log" \
  || fail "infermetry scrape failed: $(cat "$W/scrape.log")"

python3 - "$W" <<'PY'
import json, math, re, sys
w = sys.argv[1]
# Series whose values legitimately differ between two scrapes.
VOLATILE = {"scrape_duration_seconds", "scrape_series_added"}
def key(labels):
    return tuple(sorted(labels.items()))
def prom(job):
    res = json.load(open(f"{w}/prom_{job}.json"))["data"]["result"]
    return {key(r["metric"]): float(r["value"][1]) for r in res}
ours = {}
for line in open(f"{w}/im.jsonl"):
    s = json.loads(line)
    ours.setdefault(s["labels"]["job"], {})[key(s["labels"])] = float(s["value"])
def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b
failures = 0
for job in ("vllm", "vllm_mp"):
    p, o = prom(job), ours.get(job, {})
    missing, extra = set(p) - set(o), set(o) - set(p)
    for k in sorted(missing)[:5]: print(f"{job}: only Prometheus has {dict(k)}")
    for k in sorted(extra)[:5]: print(f"{job}: only infermetry has {dict(k)}")
    diff = [k for k in set(p) & set(o) if dict(k)["__name__"] not in VOLATILE and not same(p[k], o[k])]
    for k in diff[:5]: print(f"{job}: value differs for {dict(k)}: prometheus={p[k]} infermetry={o[k]}")
    failures += len(missing) + len(extra) + len(diff)
    print(f"{job}: {len(p)} series in Prometheus, {len(o)} in infermetry, {len(diff)} values differ")
    assert len(p) > 50, f"{job}: too few series to be a meaningful comparison"
# Relabeling really happened on both sides.
v = prom("vllm")
assert not any(dict(k)["__name__"].startswith("python_gc_") for k in v), "drop rule not applied"
assert any(dict(k).get("org") == "Qwen" for k in v), "replace rule not applied"
assert all(dict(k).get("cluster") == "e2e" for k in v), "static label missing"
# The proxy: normalized names, same values as the direct scrape (before relabeling).
px = prom("proxy")
names = {dict(k)["__name__"] for k in px}
colons = sorted(n for n in names if ":" in n)
assert not colons, f"proxy exposed names with colons: {colons[:5]}"
direct = {}
for line in open(f"{w}/www/metrics"):
    if line.startswith("#") or not line.strip(): continue
    m = re.match(r'([^{ ]+)(\{[^}]*\})? (\S+)', line)
    direct[(m.group(1).replace(":", "_"), m.group(2) or "")] = float(m.group(3))
seen = 0
for k, val in px.items():
    d = dict(k); n = d.pop("__name__")
    if n in ("up",) or n.startswith("scrape_"): continue
    d.pop("job"); d.pop("instance")
    lbl = "{" + ",".join(f'{a}="{b}"' for a, b in sorted(d.items())) + "}" if d else ""
    assert (n, lbl) in direct, f"proxy series {n}{lbl} not in the target's exposition"
    assert same(direct[(n, lbl)], val), f"proxy value differs for {n}{lbl}"
    seen += 1
assert seen == len(direct), f"proxy served {seen} series, target has {len(direct)}"
print(f"proxy: {seen} series, all names normalized, values equal to the target's")
sys.exit(1 if failures else 0)
PY

# Upstream down: the proxy says so with a 502 and a one-line reason, and Prometheus sees up=0.
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true
code=$(curl -s -o "$W/502.txt" -w '%{http_code}' "http://127.0.0.1:$PX/metrics")
[ "$code" = 502 ] || fail "proxy answered $code with the target down, want 502"
[ "$(wc -l < "$W/502.txt")" = 1 ] || fail "502 body is not one line: $(cat "$W/502.txt")"
is_down() { curl -fs -G "http://127.0.0.1:$PP/api/v1/query" --data-urlencode 'query=up{job="proxy"} == 0' | grep -q '"value"'; }
wait_until 100 is_down || fail "Prometheus did not see the proxy's target as down"
echo "proxy with target down: 502 ($(cat "$W/502.txt"))"
