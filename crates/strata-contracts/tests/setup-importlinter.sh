#!/usr/bin/env bash
# Creates (once) a throwaway venv with import-linter for the parity test, and prints the line
# to export. Usage: setup-importlinter.sh [VENV_DIR]   (default: target/importlinter-venv)
#   export STRATA_TEST_IMPORTLINTER_VENV="$(crates/strata-contracts/tests/setup-importlinter.sh | tail -1)"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${1:-$here/../../../target/importlinter-venv}"
version="2.12"
if [ ! -x "$venv/bin/lint-imports" ] || ! "$venv/bin/lint-imports" --version 2>/dev/null | grep -q "$version"; then
  python3 -m venv "$venv" >&2
  # The machine's pip configuration decides where packages come from.
  "$venv/bin/pip" install --quiet --disable-pip-version-check "import-linter==$version" >&2
fi
cd "$venv" && pwd
