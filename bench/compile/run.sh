#!/usr/bin/env bash
# Times `strata compile --generate-hashes` against `uv pip compile --generate-hashes` (and, on
# request, pip-tools' `pip-compile --generate-hashes`) on the requirement sets in
# bench/compile/sets/, cold (empty cache) and warm (the cache the cold run left), and prints wall
# time, peak memory, ratios and how the pins differ.
#
#   bench/compile/run.sh                 # every set, Python 3.11, x86_64-manylinux_2_28
#   bench/compile/run.sh cli vllm        # only these sets
#   RUNS=3 bench/compile/run.sh          # best of 3 for the warm runs
#   PIP_COMPILE=1 bench/compile/run.sh   # pip-compile too, on every set
#   PIP_COMPILE_SETS="cli ml-host" bench/compile/run.sh   # pip-compile on these sets only
#   PIP_COMPILE=1 PIP_COMPILE_HASHES=0 bench/compile/run.sh   # pip-compile without hashes
#   TIMEOUT=600 bench/compile/run.sh     # limit of one run in seconds (default 900)
#
# Both tools get the same target (`--python-version 3.11 --python-platform
# x86_64-manylinux_2_28`), hashes, their own cache directory under bench/.cache/compile/, and the
# machine's real Python interpreter. The index and TLS are bench/common.sh's: no index host is
# written here; strata gets the index pip would use (asked of pip once), uv uses its own default,
# which is the same index unless pip's configuration names another, in which case both are given
# it. The TLS proxy's CA is trusted through `SSL_CERT_FILE` and the platform store
# (`UV_NATIVE_TLS=1`). `PIP_FIND_LINKS` is unset so that strata reads only the index, as uv does.
#
# pip-compile is opt-in (`PIP_COMPILE=1`, or `PIP_COMPILE_SETS` naming the sets it runs on):
# it takes minutes where the others take seconds. It is pip-tools 7.6.2 on pip 26.3 (both
# pinned below: its speed is pip's resolver's), installed in the bench venv beside uv. It has no
# `--python-version` or `--python-platform`: it resolves for the interpreter running it, the
# bench venv's own (made from the machine's python3; the script prints its version and says so
# when it is not 3.11), on this machine's platform (x86_64 Linux, its own glibc) rather than
# strictly manylinux_2_28, so some pins may differ for that reason alone. It keeps its defaults
# except `--generate-hashes`, `--quiet`, `--resolver=backtracking` (the default anyway),
# `--output-file` and `--cache-dir` under bench/.cache/compile/. With the backtracking resolver
# pip-tools hands its `--cache-dir` to pip as pip's cache too; `PIP_CACHE_DIR` names the same
# directory, so that cold means it is empty. It reads the machine's pip configuration, which
# names the index strata is given.
#
# pip-compile takes the hashes of the files of a pin from the index's JSON API when that API
# lists the same file URLs as the simple index, and otherwise downloads every file of the pinned
# release, for every platform, and hashes it: gigabytes for torch and its CUDA wheels (19 GB for
# the transformers-torch set, 30 GB for vllm), so that its time is then mostly download. Against
# the index measured here it downloads: that index's JSON API gives relative file URLs, which
# match none of the simple index's, and pip-tools 7.6.1 and 7.6.2 ask for `<root>/<name>/json`
# rather than `<root>/pypi/<name>/json`, which is not found there (7.6.0, which asks for the
# latter, stops with a TypeError on pip 26.2.1 and 26.3). Nor does pip keep anything in
# its cache here (the TLS proxy strips HTTP caching headers): a warm pip-compile run is faster
# only as far as the files come faster the second time. `PIP_COMPILE_HASHES=0` drops
# `--generate-hashes` from its command line (and only from its): a lower bound of its time, its
# resolution alone.
#
# Every run is under `timeout $TIMEOUT` (900 s unless set), so that a pathological set cannot
# hang the bench; a run that timed out prints as `>900s`, one that failed as `failed`. The load
# averages at the start and at the end are printed: on a shared 2-core machine, read the numbers
# with them.
#
# Peak memory is the maximum resident set size from `/usr/bin/time -f %M` when it exists, else
# from Python's `resource.getrusage(RUSAGE_CHILDREN)` around each run.
#
# Needs python3 with pip and cargo. Everything goes to bench/.cache/compile/.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
sets_dir="$repo/bench/compile/sets"
work="$repo/bench/.cache/compile"
venv="$work/venv"
runs="${RUNS:-1}"
limit="${TIMEOUT:-900}"
pip_tools_version=7.6.2
pip_version=26.3
pip_compile_hashes=(--generate-hashes)
if [ "${PIP_COMPILE_HASHES:-1}" = 0 ]; then
  pip_compile_hashes=()
fi
target_args=(--python-version 3.11 --python-platform x86_64-manylinux_2_28)

if [ "$#" -gt 0 ]; then
  sets=("$@")
else
  sets=(cli ml-host transformers-torch vllm)
fi
# The sets pip-compile runs on: PIP_COMPILE_SETS, else every set when PIP_COMPILE=1, else none.
pip_compile_sets=()
if [ -n "${PIP_COMPILE_SETS:-}" ]; then
  read -r -a pip_compile_sets <<<"$PIP_COMPILE_SETS"
elif [ "${PIP_COMPILE:-0}" = 1 ]; then
  pip_compile_sets=("${sets[@]}")
fi

mkdir -p "$work"
bench_uv "$venv"
pip_compile="$venv/bin/pip-compile"
if [ "${#pip_compile_sets[@]}" -gt 0 ] &&
  [ "$("$pip_compile" --version 2>/dev/null)" != "pip-compile, version $pip_tools_version" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pip==$pip_version" \
    "pip-tools==$pip_tools_version"
fi
python_exe="$(python3 -c 'import sys; print(sys.executable)')"
bench_index "$python_exe"
(cd "$repo" && cargo build --release --quiet -p strata)
strata="${CARGO_TARGET_DIR:-$repo/target}/release/strata"
echo "$("$uv" --version); strata $("$strata" --version 2>/dev/null | sed 's/^strata //')"
if [ "${#pip_compile_sets[@]}" -gt 0 ]; then
  venv_python="$("$venv/bin/python" -c 'import platform; print(platform.python_version())')"
  echo "$("$pip_compile" --version) on pip $("$venv/bin/python" -m pip --version | cut -d' ' -f2)," \
    "Python $venv_python (the bench venv's: pip-compile resolves for it)"
  if [ "${#pip_compile_hashes[@]}" = 0 ]; then
    echo "note: pip-compile runs WITHOUT --generate-hashes (PIP_COMPILE_HASHES=0), strata and uv with"
  fi
  case "$venv_python" in
    3.11.*) ;;
    *) echo "note: pip-compile resolves for Python $venv_python, strata and uv for 3.11:" \
      "pins will differ for that reason" ;;
  esac
fi
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"

# measure OUT_PREFIX command...: runs the command under `timeout $limit` and writes
# OUT_PREFIX.time ("seconds kilobytes"; the seconds are inf when the run timed out, nan when it
# failed) and .log.
if [ -x /usr/bin/time ]; then
  measure() {
    local prefix="$1" status=0 kilobytes
    shift
    /usr/bin/time -f '%e %M' -o "$prefix.time" timeout "$limit" "$@" >"$prefix.log" 2>&1 ||
      status=$?
    if [ "$status" != 0 ]; then
      kilobytes="$(tail -n 1 "$prefix.time" | cut -d' ' -f2)"
      if [ "$status" = 124 ]; then
        echo "timed out after ${limit}s: $* (see $prefix.log)" >&2
        echo "inf ${kilobytes:-0}" >"$prefix.time"
      else
        echo "failed: $* (see $prefix.log)" >&2
        echo "nan ${kilobytes:-0}" >"$prefix.time"
      fi
    fi
  }
else
  measure() {
    local prefix="$1"
    shift
    python3 - "$prefix" timeout "$limit" "$@" <<'PY'
import resource, subprocess, sys, time
prefix, command = sys.argv[1], sys.argv[2:]
start = time.monotonic()
with open(prefix + ".log", "wb") as log:
    code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT)
seconds = time.monotonic() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
outcome = seconds if code == 0 else float("inf") if code == 124 else float("nan")
with open(prefix + ".time", "w") as out:
    out.write(f"{outcome} {peak}\n")
if code:
    what = "timed out" if code == 124 else "failed"
    print(f"{what}: {' '.join(command)} (see {prefix}.log)", file=sys.stderr)
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
    pip-compile) cmd=(env PIP_CACHE_DIR="$work/pip-compile-cache-$2" "$pip_compile"
      "$sets_dir/$2.in" "${pip_compile_hashes[@]}" --quiet --resolver=backtracking
      --cache-dir "$work/pip-compile-cache-$2" --output-file "$3") ;;
  esac
}

for set in "${sets[@]}"; do
  tools=(strata uv)
  for name in "${pip_compile_sets[@]}"; do
    if [ "$name" = "$set" ]; then tools+=(pip-compile); fi
  done
  for tool in "${tools[@]}"; do
    # The output is removed before every run: every tool would otherwise read it as
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

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work" "$runs" "$limit" "${pip_compile_sets[*]:-}" "${sets[@]}" <<'PY'
import math, os, pathlib, re, sys

work, runs, limit = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
pip_compile_sets, sets = sys.argv[4].split(), sys.argv[5:]

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
    # A timed-out run (inf) gives a lower bound: the limit over the other tool's time.
    if math.isnan(a) or math.isnan(b) or b == 0 or math.isinf(b):
        return "-"
    return f">{float(limit) / b:.0f}x" if math.isinf(a) else f"{a / b:.2f}x"

def seconds(value):
    return "failed" if math.isnan(value) else f">{limit}s" if math.isinf(value) else f"{value:.2f}"

def differing(a, b):
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))

def unwritten(set_, *tools):
    # A tool whose last run timed out or failed left no lock: there are no pins to compare.
    return [tool for tool in tools if not (work / f"{tool}-{set_}.txt").exists()]

header = f"{'set':20}{'tool':12}{'cold s':>9}{'warm s':>9}{'cold MB':>9}{'warm MB':>9}{'pins':>6}"
print()
print(header)
print("-" * len(header))
ratios, pip_compile_ratios = [], []
for set_ in sets:
    row = {}
    tools = ("strata", "uv", "pip-compile") if set_ in pip_compile_sets else ("strata", "uv")
    for tool in tools:
        (cold_s, cold_mb), (warm_s, warm_mb) = best(tool, set_)
        row[tool] = (cold_s, warm_s, cold_mb, warm_mb)
        print(f"{set_:20}{tool:12}{seconds(cold_s):>9}{seconds(warm_s):>9}{cold_mb:>9.0f}{warm_mb:>9.0f}{len(pins(tool, set_)):>6}")
    s, u = row["strata"], row["uv"]
    missing = unwritten(set_, "strata", "uv")
    differ = [f"no lock from {' or '.join(missing)}"] if missing else differing(pins("strata", set_), pins("uv", set_))
    ratios.append((set_, ratio(s[0], u[0]), ratio(s[1], u[1]), ratio(s[2], u[2]), ratio(s[3], u[3]), differ))
    if "pip-compile" in row:
        p, ours, theirs = row["pip-compile"], pins("strata", set_), pins("pip-compile", set_)
        differ = [f"{name} {ours.get(name, '-')}/{theirs.get(name, '-')}" for name in differing(ours, theirs)]
        missing = unwritten(set_, "strata", "pip-compile")
        if missing:
            differ = [f"no lock from {' or '.join(missing)}"]
        pip_compile_ratios.append((set_, ratio(p[0], s[0]), ratio(p[1], s[1]), ratio(p[2], s[2]), ratio(p[3], s[3]), differ))

def show(title, rows):
    print()
    print(f"{title:20}{'cold time':>11}{'warm time':>11}{'cold mem':>10}{'warm mem':>10}  pins that differ")
    for set_, cold_t, warm_t, cold_m, warm_m, differ in rows:
        shown = ", ".join(differ[:6]) + (f" (+{len(differ) - 6})" if len(differ) > 6 else "")
        count = f"{len(differ)}: " if differ and not differ[0].startswith("no lock") else ""
        print(f"{set_:20}{cold_t:>11}{warm_t:>11}{cold_m:>10}{warm_m:>10}  {count}{shown or 'none'}")

show("strata / uv", ratios)
print("\nratio = strata / uv (below 1: strata faster or smaller); warm = best of", runs)
if pip_compile_ratios:
    show("pip-compile / strata", pip_compile_ratios)
    if os.environ.get("PIP_COMPILE_HASHES", "1") == "0":
        print("\npip-compile ran without --generate-hashes: its resolution alone, a lower bound.", end="")
    print("\nratio = pip-compile / strata (above 1: strata faster or smaller); pins as strata/pip-compile,")
    print("'-' where one has none. pip-compile resolves for the bench venv's interpreter on this machine,")
    print("strata for 3.11 on x86_64-manylinux_2_28, each reading the index at its own moment.")
PY
