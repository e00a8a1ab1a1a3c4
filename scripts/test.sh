#!/usr/bin/env bash
# The project's one test command (README quick start, .ci/run): installs what is missing, builds,
# lints, type-checks src/test/bench (strict), checks the packed package, then runs every test
# (unit and integration against real carbon-cache, Prometheus and Chromium) with node --test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --services
echo "test: lint"
npx biome lint src test bench examples
echo "test: node --test"
mkdir -p artifacts
# Files are found by glob; integration files start their own servers on free loopback ports.
node --enable-source-maps --test --test-concurrency=2 --test-timeout=300000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  "build/test/**/*.test.js"
