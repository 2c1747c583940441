#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report's browser test (test/report-browser.test.ts drives
# it through puppeteer-core). Idempotent: when /usr/bin/chromium runs, nothing is downloaded.
# Prints the browser path last. Under CI=true any failure fails the run; elsewhere it warns and
# the browser test is skipped, saying why.
set -euo pipefail

browser="${CAIRN_CHROMIUM:-/usr/bin/chromium}"

fail() {
  echo "install-chromium: $1" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  echo "install-chromium: continuing without a browser; the report's browser test will be skipped" >&2
  exit 0
}

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi
}

works() { "$browser" --headless --no-sandbox --version >/dev/null 2>&1; }

if ! works; then
  command -v apt-get >/dev/null || fail "$browser is missing and apt-get is not available to install chromium"
  echo "install-chromium: installing Debian's chromium (apt-get update, then install)" >&2
  as_root apt-get update >/dev/null || fail "apt-get update failed (needs root or sudo)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null \
    || fail "apt-get install chromium failed"
  works || fail "chromium was installed but '$browser --headless --version' does not run"
fi
echo "$browser"
