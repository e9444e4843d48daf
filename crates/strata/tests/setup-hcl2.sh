#!/usr/bin/env bash
# Creates (once) a throwaway venv with python-hcl2, the HCL parser the images tests read the
# generated docker-bake.hcl with, and prints its directory. Usage: setup-hcl2.sh [VENV_DIR]
# (default: target/hcl2-venv)
#   export STRATA_TEST_HCL2_VENV="$(crates/strata/tests/setup-hcl2.sh | tail -1)"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${1:-$here/../../../target/hcl2-venv}"
version="8.1.4"
if ! "$venv/bin/python" -c "import importlib.metadata as m; assert m.version('python-hcl2') == '$version'" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  # The machine's pip configuration decides where packages come from.
  "$venv/bin/pip" install --quiet --disable-pip-version-check "python-hcl2==$version" >&2
fi
cd "$venv" && pwd
