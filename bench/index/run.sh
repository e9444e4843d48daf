#!/usr/bin/env bash
# Times strata's metadata fetching for 60 real packages (an ML and web mix) against
# `uv pip compile` of the same list, cold (empty cache) and warm, and prints a table with ratios.
#
#   bench/index/run.sh            # Python 3.12, x86_64-manylinux_2_28, 8 strata processes at once
#   PYTHON_VERSION=3.11 JOBS=16 bench/index/run.sh
#   STRATA_BIN=/path/to/strata bench/index/run.sh   # skip the release build
#
# What is measured, and what the comparison means:
#
# * strata: for each package, `strata index metadata NAME==VERSION --format json`, 8 processes at
#   a time (xargs -P). Each run reads the project's page and the metadata of the file pip would
#   install on the target (PEP 658 file, else HTTP ranges on the wheel, else the sdist). VERSION
#   is the newest version for the target, taken from uv's `--no-deps` pins, so both tools look at
#   the same releases. Every package costs strata a process start, a TLS handshake and a fresh
#   connection pool, which a resolver inside one strata process would not pay.
# * uv --no-deps: `uv pip compile --no-deps --generate-hashes` of the unpinned names, one
#   process. It reads the same 60 pages (and, to validate the chosen versions, their metadata),
#   in parallel over one connection pool. This is the like-for-like row: same packages, same
#   pages, one version each.
# * uv full vs strata compile: `uv pip compile --generate-hashes` and `strata compile
#   --generate-hashes` of the same names, a real resolution of the whole graph (well over a
#   hundred packages) in one process each. This pair is the end-to-end comparison; the loop above
#   isolates metadata fetching but pays a process per package.
#
# Cold means an empty `STRATA_CACHE_DIR` / `UV_CACHE_DIR`; warm repeats with the cache the cold run
# left. No index host is written here: strata gets the index pip would use (asked of pip once, see
# below), uv uses its own configuration and default, and the machine's TLS proxy is trusted through
# `SSL_CERT_FILE` and the platform's store (`UV_NATIVE_TLS=1`). Both get the machine's real Python
# interpreter so neither spends the run discovering one.
#
# Needs python3 with pip and cargo. Everything goes to bench/.cache/index/.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$repo/bench/.cache/index"
venv="$work/venv"
python_version="${PYTHON_VERSION:-3.12}"
platform="${PYTHON_PLATFORM:-x86_64-manylinux_2_28}"
jobs="${JOBS:-8}"
export UV_NATIVE_TLS="${UV_NATIVE_TLS:-1}"
# uv otherwise tries to download a managed Python matching `--python-version` before resolving,
# which costs seconds (or a DNS timeout offline) that have nothing to do with the index.
export UV_PYTHON_DOWNLOADS="${UV_PYTHON_DOWNLOADS:-never}"

packages=(
  numpy pandas scipy scikit-learn matplotlib seaborn pillow sympy networkx numba
  torch torchvision torchaudio transformers tokenizers safetensors huggingface-hub accelerate
  datasets sentencepiece xgboost lightgbm onnx onnxruntime opencv-python-headless tensorboard
  polars pyarrow
  fastapi starlette uvicorn pydantic pydantic-core httpx requests aiohttp sqlalchemy alembic
  psycopg2-binary redis celery django flask jinja2 gunicorn
  click typer rich pyyaml orjson boto3 botocore protobuf grpcio tqdm
  ipython pytest black ruff mypy
)

mkdir -p "$work"
if [ ! -x "$venv/bin/uv" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check uv
fi
uv="$venv/bin/uv"
# The real interpreter, not a version manager's shim: both tools otherwise spend seconds per run
# discovering Python, which is not what this measures.
python_exe="$(python3 -c 'import sys; print(sys.executable)')"
# When no variable names an index, strata reads pip's configuration and then asks pip for its
# default, a Python start per strata process (over a second through a version manager's shim).
# Ask pip once here, as one lock run would, instead of once per package: still pip's answer.
if [ -z "${STRATA_INDEX_URL:-}${UV_DEFAULT_INDEX:-}${UV_INDEX_URL:-}${PIP_INDEX_URL:-}" ]; then
  STRATA_INDEX_URL="$("$python_exe" -m pip config get install.index-url 2>/dev/null ||
    "$python_exe" -m pip config get global.index-url 2>/dev/null ||
    "$python_exe" -c 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)')"
  export STRATA_INDEX_URL
fi
if [ -n "${STRATA_BIN:-}" ]; then
  strata="$STRATA_BIN"
else
  (cd "$repo" && cargo build --release --quiet -p strata)
  strata="${CARGO_TARGET_DIR:-$repo/target}/release/strata"
fi

printf '%s\n' "${packages[@]}" > "$work/requirements.in"
target_args=(--python-version "$python_version" --python-platform "$platform")

now() { date +%s.%N; }
declare -A seconds
timed() { # key, command...
  local key="$1" start end
  shift
  start="$(now)"
  "$@"
  end="$(now)"
  seconds["$key"]="$(awk "BEGIN { print $end - $start }")"
}

uv_compile() { # label, extra args...
  local label="$1"
  shift
  rm -f "$work/uv-$label.txt"
  UV_CACHE_DIR="$work/uv-cache-$label" "$uv" pip compile "$work/requirements.in" \
    --python "$python_exe" --generate-hashes --no-header --quiet "${target_args[@]}" "$@" -o "$work/uv-$label.txt"
}

rm -rf "$work/uv-cache-no-deps" "$work/uv-cache-full"
timed "uv no-deps cold" uv_compile no-deps --no-deps
timed "uv no-deps warm" uv_compile no-deps --no-deps
timed "uv full cold" uv_compile full
timed "uv full warm" uv_compile full

# The pins strata fetches: the newest version of each package for the target, as uv chose it.
grep -E '^[A-Za-z0-9._-]+==' "$work/uv-no-deps.txt" | sed 's/ .*//' > "$work/pins.txt"

strata_loop() { # label
  local out="$work/strata-$1"
  rm -rf "$out"
  mkdir -p "$out"
  # shellcheck disable=SC2016
  STRATA_CACHE_DIR="$work/strata-cache" xargs -P "$jobs" -I{} sh -c \
    '"$0" index metadata "$1" --python-version "$2" --python-platform "$3" --format json >"$4/$1.json" 2>"$4/$1.err" || true' \
    "$strata" {} "$python_version" "$platform" "$out" < "$work/pins.txt"
}

rm -rf "$work/strata-cache"
timed "strata cold" strata_loop cold
timed "strata warm" strata_loop warm

# The like-for-like of `uv pip compile`: strata's own resolver in one process, same input.
strata_compile() {
  rm -f "$work/strata-compile.txt"
  STRATA_CACHE_DIR="$work/strata-compile-cache" "$strata" compile "$work/requirements.in" \
    --generate-hashes "${target_args[@]}" -o "$work/strata-compile.txt" 2>"$work/strata-compile.err" ||
    echo "strata compile failed: $(tail -3 "$work/strata-compile.err")" >&2
}
rm -rf "$work/strata-compile-cache"
timed "strata compile cold" strata_compile
timed "strata compile warm" strata_compile

python3 - "$work" "${#packages[@]}" "$(wc -l < "$work/pins.txt")" \
  "${seconds[strata cold]}" "${seconds[strata warm]}" \
  "${seconds[uv no-deps cold]}" "${seconds[uv no-deps warm]}" \
  "${seconds[uv full cold]}" "${seconds[uv full warm]}" \
  "${seconds[strata compile cold]}" "${seconds[strata compile warm]}" <<'PY'
import json, pathlib, sys

work = pathlib.Path(sys.argv[1])
names, pins = int(sys.argv[2]), int(sys.argv[3])
strata_cold, strata_warm, nodeps_cold, nodeps_warm, full_cold, full_warm, compile_cold, compile_warm = map(
    float, sys.argv[4:12]
)

def summary(label):
    rows, failed = [], []
    for path in sorted((work / f"strata-{label}").glob("*.json")):
        try:
            rows.append(json.loads(path.read_text()))
        except ValueError:
            failed.append(path.stem)
    return rows, failed

cold, failed = summary("cold")
warm, warm_failed = summary("warm")
downloaded = sum(row["bytes-downloaded"] for row in cold)
sizes = sum(row["file-size"] or 0 for row in cold)
sources = {}
for row in cold:
    sources[row["source"]] = sources.get(row["source"], 0) + 1
def pins_in(name):
    path = work / name
    if not path.exists():
        return None
    return sum(1 for line in path.read_text().splitlines() if "==" in line and not line.lstrip().startswith("#"))

full_pins = pins_in("uv-full.txt")
compile_pins = pins_in("strata-compile.txt")

print(f"{names} names, {pins} pinned by uv --no-deps; strata fetched {len(cold)} cold ({len(failed)} failed), {len(warm)} warm ({len(warm_failed)} failed)")
print(f"full resolution pins: uv {full_pins} packages, strata compile {compile_pins}")
print(f"strata cold: {downloaded:,} bytes of metadata traffic for {sizes:,} bytes of files ({100 * downloaded / max(sizes, 1):.3f}%), by rung: {sources}")
big = sorted(cold, key=lambda row: row["file-size"] or 0, reverse=True)[:3]
for row in big:
    print(f"  {row['file']}: {row['bytes-downloaded']:,} of {row['file-size']:,} bytes via {row['source']}")
if failed:
    print("  failed:", ", ".join(failed))
print()
print(f"{'':24}{'cold s':>10}{'warm s':>10}{'cold ratio':>14}{'warm ratio':>14}")
print(f"{'strata metadata loop':24}{strata_cold:>10.2f}{strata_warm:>10.2f}{'1.00':>14}{'1.00':>14}")
print(f"{'uv compile --no-deps':24}{nodeps_cold:>10.2f}{nodeps_warm:>10.2f}{nodeps_cold / strata_cold:>13.2f}x{nodeps_warm / strata_warm:>13.2f}x")
print()
print(f"{'strata compile (full)':24}{compile_cold:>10.2f}{compile_warm:>10.2f}{'1.00':>14}{'1.00':>14}")
print(f"{'uv compile (full)':24}{full_cold:>10.2f}{full_warm:>10.2f}{full_cold / compile_cold:>13.2f}x{full_warm / compile_warm:>13.2f}x")
print("\nratio = uv time / strata time of the row above it (above 1: strata faster)")
PY
