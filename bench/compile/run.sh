#!/usr/bin/env bash
# Times `strata compile --generate-hashes` against `uv pip compile --generate-hashes` on the
# requirement sets in bench/compile/sets/, cold (empty cache) and warm (the cache the cold run
# left), and prints wall time, peak memory and ratios.
#
#   bench/compile/run.sh                 # every set, Python 3.11, x86_64-manylinux_2_28
#   bench/compile/run.sh cli vllm        # only these sets
#   RUNS=3 bench/compile/run.sh          # best of 3 for the warm runs
#
# Both tools get the same target (`--python-version 3.11 --python-platform
# x86_64-manylinux_2_28`), hashes, their own cache directory under bench/.cache/compile/, and the
# machine's real Python interpreter. No index host is written here: strata gets the index pip
# would use (asked of pip once, see below), uv uses its own default, which is the same index
# unless pip's configuration names another, in which case both are given it. The TLS
# proxy's CA is trusted through `SSL_CERT_FILE` and the platform store (`UV_NATIVE_TLS=1`).
# `PIP_FIND_LINKS` is unset so that strata reads only the index, as uv does.
#
# Peak memory is the maximum resident set size from `/usr/bin/time -f %M` when it exists, else
# from Python's `resource.getrusage(RUSAGE_CHILDREN)` around each run.
#
# Needs python3 with pip and cargo. Everything goes to bench/.cache/compile/.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sets_dir="$repo/bench/compile/sets"
work="$repo/bench/.cache/compile"
venv="$work/venv"
runs="${RUNS:-1}"
target_args=(--python-version 3.11 --python-platform x86_64-manylinux_2_28)
export UV_NATIVE_TLS="${UV_NATIVE_TLS:-1}"
# uv would otherwise try to download a managed Python matching `--python-version`.
export UV_PYTHON_DOWNLOADS="${UV_PYTHON_DOWNLOADS:-never}"
unset PIP_FIND_LINKS

if [ "$#" -gt 0 ]; then
  sets=("$@")
else
  sets=(cli ml-host transformers-torch vllm)
fi

mkdir -p "$work"
if [ ! -x "$venv/bin/uv" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check uv
fi
uv="$venv/bin/uv"
python_exe="$(python3 -c 'import sys; print(sys.executable)')"
# Without a variable naming an index, strata reads pip's configuration and then asks pip for its
# built-in default: a Python start per run (about 0.4 s through a version manager's shim) that a
# user with a configured index never pays. Ask pip once here instead: still pip's answer. When
# pip's configuration names an index, uv is given it too; otherwise uv's default is the same.
if [ -z "${STRATA_INDEX_URL:-}${UV_DEFAULT_INDEX:-}${UV_INDEX_URL:-}${PIP_INDEX_URL:-}" ]; then
  configured="$("$python_exe" -m pip config get install.index-url 2>/dev/null ||
    "$python_exe" -m pip config get global.index-url 2>/dev/null || true)"
  if [ -n "$configured" ]; then
    export STRATA_INDEX_URL="$configured" UV_DEFAULT_INDEX="$configured"
  else
    STRATA_INDEX_URL="$("$python_exe" -c 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)')"
    export STRATA_INDEX_URL
  fi
fi
(cd "$repo" && cargo build --release --quiet -p strata)
strata="${CARGO_TARGET_DIR:-$repo/target}/release/strata"
echo "$("$uv" --version); strata $("$strata" --version 2>/dev/null | sed 's/^strata //')"

# measure OUT_PREFIX command...: writes OUT_PREFIX.time ("seconds kilobytes") and .log.
if [ -x /usr/bin/time ]; then
  measure() {
    local prefix="$1"
    shift
    /usr/bin/time -f '%e %M' -o "$prefix.time" "$@" >"$prefix.log" 2>&1 ||
      { echo "failed: $* (see $prefix.log)" >&2; echo "nan 0" > "$prefix.time"; }
  }
else
  measure() {
    local prefix="$1"
    shift
    python3 - "$prefix" "$@" <<'PY'
import resource, subprocess, sys, time
prefix, command = sys.argv[1], sys.argv[2:]
start = time.monotonic()
with open(prefix + ".log", "wb") as log:
    code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT)
seconds = time.monotonic() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(prefix + ".time", "w") as out:
    out.write(f"{seconds if code == 0 else float('nan')} {peak}\n")
if code:
    print(f"failed: {' '.join(command)} (see {prefix}.log)", file=sys.stderr)
PY
  }
fi

# The command line of one tool on one set, in the array `cmd` (run through `env` so that
# /usr/bin/time can start it).
command_for() { # tool, set, out
  case "$1" in
    strata) cmd=(env STRATA_CACHE_DIR="$work/strata-cache-$2" "$strata" compile "$sets_dir/$2.in"
      --generate-hashes "${target_args[@]}" -o "$3") ;;
    uv) cmd=(env UV_CACHE_DIR="$work/uv-cache-$2" "$uv" pip compile "$sets_dir/$2.in"
      --python "$python_exe" --generate-hashes --no-header "${target_args[@]}" -o "$3") ;;
  esac
}

for set in "${sets[@]}"; do
  for tool in strata uv; do
    # The output is removed before every run: both tools would otherwise read it as
    # preferences, and warm should mean a warm cache, not a finished answer.
    rm -rf "$work/$tool-cache-$set"
    command_for "$tool" "$set" "$work/$tool-$set.txt"
    echo "$set: $tool cold" >&2
    rm -f "$work/$tool-$set.txt"
    measure "$work/$tool-$set-cold" "${cmd[@]}"
    for run in $(seq 1 "$runs"); do
      echo "$set: $tool warm $run" >&2
      rm -f "$work/$tool-$set.txt"
      measure "$work/$tool-$set-warm$run" "${cmd[@]}"
    done
  done
done

python3 - "$work" "$runs" "${sets[@]}" <<'PY'
import math, pathlib, re, sys

work, runs, sets = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]

def measured(name):
    seconds, kilobytes = (work / f"{name}.time").read_text().split()[-2:]
    return float(seconds), int(kilobytes) / 1024

def best(tool, set_):
    cold = measured(f"{tool}-{set_}-cold")
    warm = [measured(f"{tool}-{set_}-warm{run}") for run in range(1, runs + 1)]
    return cold, min(warm)

def pins(tool, set_):
    path = work / f"{tool}-{set_}.txt"
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?==(\S+)", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[3]
    return found

def ratio(a, b):
    return "-" if math.isnan(a) or math.isnan(b) or b == 0 else f"{a / b:.2f}x"

header = f"{'set':20}{'tool':8}{'cold s':>9}{'warm s':>9}{'cold MB':>9}{'warm MB':>9}{'pins':>6}"
print()
print(header)
print("-" * len(header))
ratios = []
for set_ in sets:
    row = {}
    for tool in ("strata", "uv"):
        (cold_s, cold_mb), (warm_s, warm_mb) = best(tool, set_)
        row[tool] = (cold_s, warm_s, cold_mb, warm_mb)
        print(f"{set_:20}{tool:8}{cold_s:>9.2f}{warm_s:>9.2f}{cold_mb:>9.0f}{warm_mb:>9.0f}{len(pins(tool, set_)):>6}")
    s, u = row["strata"], row["uv"]
    ours, theirs = pins("strata", set_), pins("uv", set_)
    differ = sorted(name for name in set(ours) | set(theirs) if ours.get(name) != theirs.get(name))
    ratios.append((set_, ratio(s[0], u[0]), ratio(s[1], u[1]), ratio(s[2], u[2]), ratio(s[3], u[3]), differ))
print()
print(f"{'strata / uv':20}{'cold time':>11}{'warm time':>11}{'cold mem':>10}{'warm mem':>10}  pins that differ")
for set_, cold_t, warm_t, cold_m, warm_m, differ in ratios:
    shown = ", ".join(differ[:6]) + (f" (+{len(differ) - 6})" if len(differ) > 6 else "")
    print(f"{set_:20}{cold_t:>11}{warm_t:>11}{cold_m:>10}{warm_m:>10}  {shown or 'none'}")
print("\nratio = strata / uv (below 1: strata faster or smaller); warm = best of", runs)
PY
