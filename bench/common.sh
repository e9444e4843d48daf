# shellcheck shell=bash
# Sourced by bench/compile/run.sh and bench/compare/run.sh: what both need to run strata and uv
# against the same index from the same machine.
#
# No index host is written here: strata gets the index pip would use (asked of pip once, see
# bench_index), uv uses its own default, which is the same index unless pip's configuration names
# another, in which case both are given it. The TLS proxy's CA is trusted through
# `SSL_CERT_FILE` (left as the environment sets it) and the platform store (`UV_NATIVE_TLS=1`).
# `PIP_FIND_LINKS` is unset so that strata reads only the index, as uv does.

export UV_NATIVE_TLS="${UV_NATIVE_TLS:-1}"
# uv would otherwise try to download a managed Python matching `--python-version`.
export UV_PYTHON_DOWNLOADS="${UV_PYTHON_DOWNLOADS:-never}"
unset PIP_FIND_LINKS

# bench_uv VENV: uv installed in the throwaway venv VENV (made from the machine's python3 when
# missing); sets `uv` to its path.
bench_uv() {
  if [ ! -x "$1/bin/uv" ]; then
    python3 -m venv "$1"
    "$1/bin/pip" install --quiet --disable-pip-version-check uv
  fi
  # shellcheck disable=SC2034 # read by the sourcing script
  uv="$1/bin/uv"
}

# bench_index PYTHON: exports STRATA_INDEX_URL (and UV_DEFAULT_INDEX when pip's configuration
# names an index) unless a variable already names one.
#
# Without a variable naming an index, strata reads pip's configuration and then asks pip for its
# built-in default: a Python start per run (about 0.4 s through a version manager's shim) that a
# user with a configured index never pays. Ask pip once here instead: still pip's answer. When
# pip's configuration names an index, uv is given it too; otherwise uv's default is the same.
bench_index() {
  local configured
  if [ -n "${STRATA_INDEX_URL:-}${UV_DEFAULT_INDEX:-}${UV_INDEX_URL:-}${PIP_INDEX_URL:-}" ]; then
    return
  fi
  configured="$("$1" -m pip config get install.index-url 2>/dev/null ||
    "$1" -m pip config get global.index-url 2>/dev/null || true)"
  if [ -n "$configured" ]; then
    export STRATA_INDEX_URL="$configured" UV_DEFAULT_INDEX="$configured"
  else
    STRATA_INDEX_URL="$("$1" -c 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)')"
    export STRATA_INDEX_URL
  fi
}
