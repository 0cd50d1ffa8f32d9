#!/usr/bin/env bash
# fuzz/run.sh RUNS [TARGET...]: runs each fuzz target (all of them by default) for RUNS
# executions from the seed corpora, and prints one line per target: executions and seconds.
# Stable toolchain: RUSTC_BOOTSTRAP=1 and no sanitizer (-s none). A crash stops with the input
# saved under fuzz/artifacts/TARGET/ (reproduce: cargo fuzz run -s none TARGET FILE).
# `.ci/run` runs `bash fuzz/run.sh 30000` as a smoke test; docs/fuzzing.md says how to run longer.
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-100000}
shift || true
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
python3 seed.py >/dev/null
cargo fuzz build -s none
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi
for target in "${targets[@]}"; do
  log=$(mktemp)
  if ! cargo fuzz run -s none "$target" -- -runs="$runs" -max_len=4096 -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz target $target failed (see above)" >&2
    exit 1
  fi
  done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1)
  echo "$target: ${done_line#Done }"
  rm -f "$log"
done
