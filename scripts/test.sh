#!/usr/bin/env bash
# The project's one test command (README quick start, .ci/run): installs what is missing, builds,
# lints, type-checks src/test/bench (strict), checks the packed package, then runs every test
# (unit and integration against real carbon-cache, Prometheus and Chromium) with node --test.
set -euo pipefail
cd "$(dirname "$0")/.."
# A clean build, so that no stale compiled test of a deleted file runs.
rm -rf build dist
bash scripts/setup.sh --services
echo "test: lint (warnings fail it)"
npx biome lint --error-on-warnings src test bench examples
echo "test: node --test"
mkdir -p artifacts
# Every build/test/**/*.test.js file (Node 20's runner takes no globs); integration files start
# their own servers on free loopback ports.
mapfile -t files < <(find build/test -name '*.test.js' | sort)
node --enable-source-maps --test --test-concurrency=2 --test-timeout=300000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  "${files[@]}"
