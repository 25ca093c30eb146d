#!/usr/bin/env bash
# Lighthouse on the API reference of a running portal (./run.sh's by default): the accessibility score and the
# page weight (bytes transferred), as docs/api.md reports them. Not part of ./test.sh: it needs a running portal
# and takes about a minute.
#   scripts/lighthouse-docs.sh [URL]      URL defaults to http://localhost:5080/docs
# Lighthouse (npm, pinned) is installed into .tools/lighthouse on first use; Chromium is /usr/bin/chromium
# (CHROME_PATH to use another). Prints "accessibility N" and "bytes N" and exits non-zero below 95.
set -euo pipefail
cd "$(dirname "$0")/.."
URL="${1:-http://localhost:5080/docs}"
TOOLS="$PWD/.tools/lighthouse"
VERSION=12.2.3
if [ ! -x "$TOOLS/node_modules/.bin/lighthouse" ] || ! grep -q "\"version\": \"$VERSION\"" "$TOOLS/node_modules/lighthouse/package.json" 2>/dev/null; then
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error --save-exact "lighthouse@$VERSION" >&2)
fi
report="$(mktemp /tmp/lighthouse-docs.XXXXXX.json)"
trap 'rm -f "$report"' EXIT
CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}" "$TOOLS/node_modules/.bin/lighthouse" "$URL" \
  --only-categories=accessibility,performance --output=json --output-path="$report" --quiet \
  --chrome-flags="--headless=new --no-sandbox --disable-gpu" >&2
node -e '
  const r = require(process.argv[1]);
  const score = Math.round(r.categories.accessibility.score * 100);
  const bytes = r.audits["total-byte-weight"].numericValue;
  const failed = Object.values(r.audits).filter(a => r.categories.accessibility.auditRefs.some(x => x.id === a.id) && a.score === 0).map(a => a.id);
  console.log(`accessibility ${score}`);
  console.log(`bytes ${bytes}`);
  for (const item of r.audits["network-requests"].details.items) console.log(`  ${item.transferSize}\t${item.url}`);
  if (failed.length) console.log(`failed audits: ${failed.join(", ")}`);
  process.exit(score >= 95 ? 0 : 1);
' "$report"
