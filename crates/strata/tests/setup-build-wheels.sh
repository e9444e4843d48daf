#!/usr/bin/env bash
# Downloads (once) the wheels the example's `strata build` test serves with `--find-links`: the
# setuptools its `[build-system]` requires. Prints the directory.
# Usage: setup-build-wheels.sh [DIR]   (default: target/build-wheels)
#   export STRATA_TEST_BUILD_WHEELS="$(crates/strata/tests/setup-build-wheels.sh | tail -1)"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-$here/../../../target/build-wheels}"
setuptools="80.9.0"
if [[ ! -f "$dir/setuptools-$setuptools-py3-none-any.whl" ]]; then
  mkdir -p "$dir"
  # The machine's pip configuration decides where packages come from.
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "$dir" "setuptools==$setuptools" >&2
fi
cd "$dir" && pwd
