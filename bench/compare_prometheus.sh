#!/usr/bin/env bash
# Bytes per sample on disk: infermetry's TSDB vs Debian's Prometheus on the same samples.
# The vLLM workload (bench/vllm_workload.h) is written as OpenMetrics and imported with
# `promtool tsdb create-blocks-from openmetrics` (Prometheus's own blocks, 2 h each), and fed to
# infermetry's TSDB through its appender (tsdb_size). Prints both figures and their ratio.
#
#   bench/compare_prometheus.sh [ENGINES] [HOURS]      (default 10 engines, 2 hours, 5 s scrape)
# Needs a build with benchmarks (build/bench/tsdb_size) and promtool (Debian package prometheus).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${TSDB_SIZE_BIN:-$ROOT/build/bench/tsdb_size}
ENGINES=${1:-10}; HOURS=${2:-2}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
"$BIN" --engines "$ENGINES" --hours "$HOURS" --dir "$W/infermetry" --openmetrics "$W/samples.om" > "$W/ours.txt"
promtool tsdb create-blocks-from openmetrics "$W/samples.om" "$W/prometheus" > "$W/promtool.log" 2>&1 ||
  { cat "$W/promtool.log"; exit 1; }
samples=$(awk '$1=="samples"{print $2}' "$W/ours.txt")
ours=$(awk '$1=="block_bytes_per_sample"{print $2}' "$W/ours.txt")
ours_disk=$(awk '$1=="disk_bytes_per_sample"{print $2}' "$W/ours.txt")
prom_bytes=$(du -sb "$W/prometheus" | cut -f1)
prom_samples=$(promtool tsdb list "$W/prometheus" 2>/dev/null | awk 'NR>1{s+=$5} END{print s}')
prom=$(python3 -c "print(f'{$prom_bytes/$prom_samples:.3f}')")
echo "workload: $ENGINES engines, $HOURS h at 5 s, $samples samples (Prometheus counted $prom_samples)"
echo "infermetry: $ours bytes/sample in blocks ($ours_disk including the WAL of the unpersisted head)"
echo "prometheus: $prom bytes/sample ($prom_bytes bytes of blocks)"
python3 -c "print(f'ratio prometheus/infermetry: {$prom/$ours:.2f}x')"
