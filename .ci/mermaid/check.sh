#!/usr/bin/env bash
# Parses `strata profiles --format mermaid` of the example with Mermaid's own parser (mermaid 11
# under jsdom), so the diagram users paste into their docs is known to render.
# Usage: .ci/mermaid/check.sh PATH-TO-STRATA-BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
strata="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
if ! command -v npm >/dev/null 2>&1; then
  echo "mermaid check skipped: npm is not installed"
  exit 0
fi
cd "$here"
if [ ! -d node_modules/mermaid ]; then
  npm install --silent --no-audit --no-fund >/dev/null
fi
"$strata" profiles --project "$here/../../examples/ml-engines" --format mermaid > "$here/example.mmd"
node "$here/check.mjs" "$here/example.mmd"
