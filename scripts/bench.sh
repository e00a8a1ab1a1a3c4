#!/usr/bin/env bash
# Runs every benchmark under bench/ (peers side by side in the same process) and prints ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for f in build/bench/*.bench.js; do
  [ -n "${BENCH:-}" ] && [[ "$f" != *"$BENCH"* ]] && continue
  echo "== $f"
  node --expose-gc "$f"
done
