#!/usr/bin/env bash
# Runs the demo: a small HTTP service instrumented with scales-metrics, its status page live.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node --enable-source-maps build/examples/demo.js "$@"
