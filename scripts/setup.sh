#!/usr/bin/env bash
# Installs what the project needs on a fresh machine, then builds it. Idempotent and quiet when
# everything is already there. Debian packages are installed only when running as root on Debian
# and only when the integration tests need them (carbon, whisper, prometheus, pushgateway, chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

# Runs a command up to 3 times (a registry or mirror hiccup should not fail the whole run).
retry() {
  local n
  for n in 1 2 3; do
    "$@" && return 0
    [ "$n" = 3 ] && return 1
    echo "setup: '$*' failed, retrying in $((n * 5)) s" >&2
    sleep $((n * 5))
  done
}

# npm packages: reinstall when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  retry npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--services" ]; then
  need=()
  { [ -x /usr/bin/carbon-cache ] && [ -x /usr/bin/whisper-fetch ]; } || need+=(graphite-carbon python3-whisper)
  [ -x /usr/bin/prometheus ] || need+=(prometheus)
  [ -x /usr/bin/prometheus-pushgateway ] || need+=(prometheus-pushgateway)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v openssl >/dev/null || need+=(openssl) # a self-signed certificate for the https request-stats tests
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
      echo "setup: apt-get install ${need[*]}"
      export DEBIAN_FRONTEND=noninteractive
      retry apt-get update -qq
      retry apt-get install -y -qq "${need[@]}" >/dev/null
    else
      echo "setup: missing Debian packages ${need[*]}; the integration tests need them (run as root on Debian to install)" >&2
      exit 1
    fi
  fi
fi

echo "setup: build"
# -b: src references tsconfig.browser.json (the status page script, the only code built with the DOM library)
npx tsc -b tsconfig.json
npx tsc -p tsconfig.test.json
