#!/usr/bin/env bash
# infermetry's one setup script, for a fresh Debian 12 machine (run as root, or with sudo).
#
#   scripts/setup.sh deps   install the Debian packages the build and the tests need
#   scripts/setup.sh build  deps + a Release build in build/
#   scripts/setup.sh run    build, then run the main job: `infermetry demo` (see README)
#   scripts/setup.sh test   deps + every test: unit tests (ASan+UBSan build), the fuzzers for a
#                           bounded time, end-to-end tests of the Release build against
#                           Debian's Prometheus and PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-25}

PACKAGES=(
  # toolchain and build
  cmake g++ make pkg-config clang-14 libclang-rt-14-dev
  # libraries
  libboost-dev libcurl4-openssl-dev libyaml-cpp-dev libre2-dev libfmt-dev libcli11-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc libsimdjson-dev
  libzstd-dev libsnappy-dev
  # test peers and tools
  prometheus prometheus-alertmanager postgresql curl python3 ca-certificates openssl
  # the web UI's browser test (headless, driven by playwright-core from npm)
  chromium
)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js and npm: the web UI's bundle (esbuild, uPlot) at build time, and the JS clients of
  # the end-to-end tests (OpenTelemetry JS SDK, playwright-core). A machine that already has them
  # (e.g. from NodeSource) keeps its own: Debian's npm conflicts with those.
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build() {  # build DIR [cmake args...] [-- targets...]
  local dir=$1; shift
  local args=() targets=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
  [ $# -gt 0 ] && shift && targets=(--target "$@")
  cmake -S "$ROOT" -B "$dir" "${args[@]}" >/dev/null
  cmake --build "$dir" -j"$JOBS" "${targets[@]}"
}

# Release: the binaries and the benchmarks (unit tests run in the sanitizer build).
cmd_build() {
  deps
  build build -DCMAKE_BUILD_TYPE=Release -DINFERMETRY_TESTS=OFF
}

cmd_run() {
  cmd_build
  # The whole stack without a GPU: emulated vLLM servers, the RAG app, traffic, the pipelines
  # and the store (ports and rates: build/src/cmd/infermetry demo --help).
  ./build/src/cmd/infermetry demo "$@"
}

cmd_test() {
  echo "== Release build"
  cmd_build
  echo "== ASan+UBSan build + unit tests"
  build build-asan -DCMAKE_BUILD_TYPE=Debug -DINFERMETRY_SANITIZE=ON -DINFERMETRY_BENCH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$JOBS")
  echo "== fuzzing (${FUZZ_SECONDS}s per target)"
  local fuzzers=(textparse_fuzz otlp_json_fuzz otlp_proto_fuzz sql_parser_fuzz)
  CC=clang-14 CXX=clang++-14 build build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINFERMETRY_FUZZ=ON \
    -DINFERMETRY_TESTS=OFF -DINFERMETRY_BENCH=OFF -- "${fuzzers[@]}"
  local f corpus
  for f in "${fuzzers[@]}"; do
    corpus=$(mktemp -d)
    cp -r "test/fuzz/corpus/${f%_fuzz}/." "$corpus/"
    echo "-- $f"
    ./build-fuzz/test/fuzz/$f -max_total_time="$FUZZ_SECONDS" -seed=1 -rss_limit_mb=2048 \
      -print_final_stats=1 "$corpus" 2>&1 | grep -E '^(Done|stat::number_of_executed_units)|ERROR|SUMMARY' || true
    test "${PIPESTATUS[0]}" -eq 0
    rm -rf "$corpus"
  done
  echo "== end-to-end tests"
  local failed=0 passed=0
  for t in test/e2e/*_test.sh; do
    if INFERMETRY_BIN="$ROOT/build/src/cmd/infermetry" bash "$t"; then
      passed=$((passed + 1)); echo "PASS $t"
    else
      failed=$((failed + 1)); echo "FAIL $t"
    fi
  done
  echo "e2e: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

case "${1:-}" in
  deps) deps ;;
  build) cmd_build ;;
  run) shift; cmd_run "$@" ;;
  test) cmd_test ;;
  *) echo "usage: $0 deps|build|run|test" >&2; exit 2 ;;
esac
