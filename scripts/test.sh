#!/usr/bin/env bash
# The project's one test command (README quick start, .ci/run): installs what is missing, builds,
# lints, type-checks src/test/bench (strict), checks the packed package, then runs every test
# (unit and integration against real carbon-cache, Prometheus and Chromium) with node --test.
#
# `scripts/test.sh --unit` (npm run test:unit) runs the same build and lint, then every test
# except the files listed in scripts/service-tests.txt (those needing carbon, Prometheus, the
# Pushgateway, Chromium or npm pack): no Debian service package needed, for a quick loop while developing.
# Without --unit (npm test, what CI runs) every test file runs, those included.
set -euo pipefail
cd "$(dirname "$0")/.."
# A clean build, so that no stale compiled test of a deleted file runs.
rm -rf build dist
case "${1:-}" in
  '') mode=all ;;
  --unit) mode=unit ;;
  *) echo "usage: scripts/test.sh [--unit]" >&2; exit 2 ;;
esac
if [ "$mode" = unit ]; then bash scripts/setup.sh; else bash scripts/setup.sh --services; fi
echo "test: lint (warnings fail it)"
npx biome lint --error-on-warnings src test bench examples
echo "test: format (biome format: any file it would change fails)"
npx biome format .
echo "test: node --test"
mkdir -p artifacts
# Every build/test/**/*.test.js file (Node 20's runner takes no globs); integration files start
# their own servers on free loopback ports.
mapfile -t files < <(find build/test -name '*.test.js' | sort)
# The service tests, as compiled paths; each listed file must exist (a stale list fails the run).
mapfile -t service < <(sed -e 's/#.*//' scripts/service-tests.txt | awk 'NF { print "build/test/" $1 }' | sed 's/\.ts$/.js/')
for f in "${service[@]}"; do
  [ -f "$f" ] || { echo "test: scripts/service-tests.txt lists ${f#build/test/}, which is not a compiled test file" >&2; exit 1; }
done
if [ "$mode" = unit ]; then
  mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -vxF -f <(printf '%s\n' "${service[@]}"))
  echo "test: --unit: ${#files[@]} files, leaving out ${#service[@]} that need services (scripts/service-tests.txt)"
fi
node --enable-source-maps --test --test-concurrency=2 --test-timeout=300000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  "${files[@]}"
