#!/usr/bin/env bash
# Runs strata and uv side by side in one run, in paired runs that alternate (strata, uv, strata,
# uv, ...), and prints for each the medians of wall time, CPU time (user + system) and peak
# memory, with the ratios strata / uv; then the example's whole lock and contracts over a
# 10,000-file tree, strata alone. The numbers the performance issue's goals are judged by.
#
#   bench/compare/run.sh                          # everything, 5 pairs per set and mode
#   RUNS=3 SETS="cli vllm" MODES="warm offline" bench/compare/run.sh
#   MODES=lock bench/compare/run.sh               # only the example's lock
#   STRATA=target/release/strata bench/compare/run.sh   # this binary, no build
#   FORMAT=tsv bench/compare/run.sh > numbers.tsv       # one TSV line per (set, mode, tool)
#   TIMEOUT=600 bench/compare/run.sh              # limit of one run in seconds (default 900)
#
# SETS names requirement sets of bench/compile/sets/ (default: cli ml-host transformers-torch
# vllm). MODES (default: cold warm offline lock contracts):
#   cold     `strata compile` and `uv pip compile`, each with its cache directory emptied before
#            every run;
#   warm     the same with the cache the previous run left (a first, unmeasured run of each tool
#            fills it when it does not exist yet);
#   offline  warm, and `--offline` for both: every page and metadata file from the cache;
#   lock     `strata lock --force` of a copy of examples/ml-engines, warm (its cache filled by an
#            unmeasured run first); no uv peer here: the chain of `uv pip compile` runs that does
#            the same work is bench/lock/run.sh's, and takes about 15x longer;
#   contracts `strata contracts` on a tree of 10,000 typical Python files, cold (`--no-cache`:
#            every file parsed), cold writing its cache (emptied before every run) and warm;
#            cold is strata's cache only: the files stay in the OS page cache, as after a
#            checkout.
# The compile runs give both tools the same target (`--python-version 3.11 --python-platform
# x86_64-manylinux_2_28`), `--generate-hashes`, their own cache directory per set under
# bench/.cache/compare/cache/, the machine's real Python interpreter, and no output file from
# the run before (each would read it as preferences). The index and TLS are bench/common.sh's:
# the index pip would use, for both tools. The summary counts the pins and `--hash` lines of each
# tool's last output; the hashes differ by design: strata writes those of the files that install
# on the target (numpy 2.3.5 in the vllm set: 2), uv those of every file of the release (74).
#
# "Typical" files, for contracts: the Python modules (files under a chain of `__init__.py` from
# the top) of the site-packages of a fresh venv with transformers 4.46.3 (the version
# bench/contracts/run.sh reads) and its dependencies as pip installs them: numpy,
# huggingface_hub, tokenizers, requests, urllib3, tqdm, yaml, ... and the venv's own pip and
# setuptools. Measured when written: 3,366 modules, 66.0 MB, 19.6 KB on average (transformers
# alone: 1,813 files, 24.4 KB; numpy 18.7 KB; pip 12.1 KB); the tree: 10,000 files, 195.6 MB,
# 19.6 KB on average (both printed when the tree is made). The tree is that set copied under
# root packages `site1`, `site2`, ... (two whole copies, then an evenly spaced share of the
# modules, with every `__init__.py`, to reach exactly 10,000 files with the same average size),
# checked against one import-linter layers contract per copy on its transformers (pipelines over
# models over generation | integrations over utils), as bench/contracts/run.sh writes for
# transformers alone. Relative imports (most of transformers') stay inside their copy.
#
# Time and memory: each run is measured by a Python parent: wall time with a monotonic clock
# around the run, CPU time and peak RSS from `resource.getrusage(RUSAGE_CHILDREN)` (its deltas
# for CPU; the maximum RSS of the run's process tree, the only child that parent waits for). That
# maximum has a floor of the measuring Python's own size (about 14 MB here: Linux counts the
# parent's memory shared before `exec`), far below anything measured here.
# Every run is under `timeout $TIMEOUT`; a run that failed or timed out counts as such, is left
# out of the medians and is reported. Load averages are printed at the start and end of every
# set and mode: on a shared 2-core machine, read the numbers with them.
#
# Needs python3 with pip, and cargo unless STRATA is given. Everything goes to
# bench/.cache/compare/.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
sets_dir="$repo/bench/compile/sets"
work="$repo/bench/.cache/compare"
results="$work/results"
runs="${RUNS:-5}"
limit="${TIMEOUT:-900}"
format="${FORMAT:-table}"
read -r -a sets <<<"${SETS:-cli ml-host transformers-torch vllm}"
read -r -a modes <<<"${MODES:-cold warm offline lock contracts}"
target_args=(--python-version 3.11 --python-platform x86_64-manylinux_2_28)
contracts_files=10000
transformers_version=4.46.3

for mode in "${modes[@]}"; do
  case "$mode" in
    cold | warm | offline | lock | contracts) ;;
    *) echo "unknown mode $mode (cold, warm, offline, lock, contracts)" >&2; exit 2 ;;
  esac
done
for set in "${sets[@]}"; do
  [ -f "$sets_dir/$set.in" ] || { echo "no set $sets_dir/$set.in" >&2; exit 2; }
done
case "$format" in table | tsv) ;; *) echo "FORMAT is table or tsv" >&2; exit 2 ;; esac

mkdir -p "$work/cache"
rm -rf "$results"
mkdir -p "$results"
bench_uv "$work/venv"
python_exe="$(python3 -c 'import sys; print(sys.executable)')"
bench_index "$python_exe"
if [ -n "${STRATA:-}" ]; then
  # Absolute: the contracts runs start from the tree's directory.
  case "$STRATA" in
    */*) strata="$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")" ;;
    *) strata="$(command -v "$STRATA")" ;;
  esac
else
  (cd "$repo" && cargo build --release --locked --quiet -p strata)
  strata="${CARGO_TARGET_DIR:-$repo/target}/release/strata"
fi
versions="$("$uv" --version); strata $("$strata" --version 2>/dev/null | head -n 1 | sed 's/^strata //')"
echo "$versions" >&2
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average at start: $(load) ($(nproc) cores)" >&2
{
  echo "versions	$versions"
  echo "load-start	$(load) ($(nproc) cores)"
  echo "runs	$runs"
} >"$results/meta"

# measure PREFIX command...: runs the command under `timeout $limit`, its output to PREFIX.log,
# and writes PREFIX.time: "wall cpu kilobytes ok" (seconds, seconds, peak RSS, 1 when the exit
# code is one of $ok_codes).
ok_codes=0
measure() {
  local prefix="$1"
  shift
  python3 - "$prefix" "$ok_codes" timeout "$limit" "$@" <<'PY'
import resource, subprocess, sys, time
prefix, ok_codes, command = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.monotonic()
with open(prefix + ".log", "wb") as log:
    code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT)
wall = time.monotonic() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
with open(prefix + ".time", "w") as out:
    out.write(f"{wall:.4f} {cpu:.4f} {after.ru_maxrss} {int(str(code) in ok_codes)}\n")
if str(code) not in ok_codes:
    what = "timed out" if code == 124 else f"failed (exit {code})"
    print(f"{what}: {' '.join(command)} (see {prefix}.log)", file=sys.stderr)
PY
}

# The command line of one tool on one set in one mode, in the array `cmd` (through `env`, so
# that the cache directory is the run's own).
command_for() { # tool, set, mode, output
  local offline=()
  if [ "$3" = offline ]; then offline=(--offline); fi
  case "$1" in
    strata) cmd=(env STRATA_CACHE_DIR="$work/cache/strata-$2" "$strata" compile "$sets_dir/$2.in"
      --generate-hashes "${target_args[@]}" "${offline[@]}" -o "$4") ;;
    uv) cmd=(env UV_CACHE_DIR="$work/cache/uv-$2" "$uv" pip compile "$sets_dir/$2.in"
      --python "$python_exe" --generate-hashes --no-header "${target_args[@]}" "${offline[@]}"
      -o "$4") ;;
  esac
}

# block NAME MODE TOOLS...: starts a (set, mode) block; `done_block` ends it.
block() {
  block_line="$1	$2	$(load)	${*:3}"
  echo "$1 $2: load average $(load)" >&2
}
done_block() {
  echo "$block_line	$(load)" >>"$results/blocks"
}

compile_mode() { # set, mode
  local set="$1" mode="$2" tool run out
  block "$set" "$mode" strata uv
  for tool in strata uv; do
    out="$work/$tool-$set.txt"
    if [ "$mode" != cold ] && [ ! -d "$work/cache/$tool-$set" ]; then
      echo "$set: filling $tool's cache (not measured)" >&2
      command_for "$tool" "$set" warm "$out"
      rm -f "$out"
      measure "$results/$set-fill-$tool" "${cmd[@]}"
    fi
  done
  for run in $(seq 1 "$runs"); do
    for tool in strata uv; do
      out="$work/$tool-$set.txt"
      echo "$set $mode: $tool $run/$runs" >&2
      if [ "$mode" = cold ]; then rm -rf "$work/cache/$tool-$set"; fi
      rm -f "$out"
      command_for "$tool" "$set" "$mode" "$out"
      measure "$results/$set-$mode-$tool-$run" "${cmd[@]}"
      cp "$out" "$results/$set-$mode-$tool.txt" 2>/dev/null || true
    done
  done
  done_block
}

lock_mode() {
  local project="$work/ml-engines" cache="$work/cache/strata-lock" run
  rm -rf "$project"
  cp -r "$repo/examples/ml-engines" "$project"
  block ml-engines lock strata
  if [ ! -d "$cache" ]; then
    echo "ml-engines: filling strata's cache (not measured)" >&2
    measure "$results/ml-engines-fill-strata" env STRATA_CACHE_DIR="$cache" "$strata" lock \
      --force --project "$project"
  fi
  for run in $(seq 1 "$runs"); do
    echo "ml-engines lock --force: strata $run/$runs" >&2
    measure "$results/ml-engines-lock-strata-$run" env STRATA_CACHE_DIR="$cache" "$strata" lock \
      --force --project "$project"
  done
  done_block
}

# The contracts tree: the reference venv's modules copied to $contracts_files files, and its
# .importlinter. Made again only when missing or made by another version of this function.
contracts_tree() {
  local reference="$work/reference" tree="$work/contracts-tree" stamp
  stamp="$contracts_files $(declare -f contracts_tree | sha256sum | cut -c1-16)"
  if [ ! -x "$reference/bin/python" ] || [ ! -f "$reference/.installed" ]; then
    rm -rf "$reference"
    python3 -m venv "$reference"
    "$reference/bin/pip" install --quiet --disable-pip-version-check \
      "transformers==$transformers_version"
    touch "$reference/.installed"
  fi
  if [ "$(cat "$tree/.complete" 2>/dev/null)" = "$stamp" ]; then return; fi
  rm -rf "$tree"
  "$reference/bin/python" - "$tree" "$contracts_files" <<'PY' >&2
import os, pathlib, shutil, sys, sysconfig

tree, wanted = pathlib.Path(sys.argv[1]), int(sys.argv[2])
site = pathlib.Path(sysconfig.get_paths()["purelib"])

def modules():
    # Files Python imports as modules: top-level `.py` files, and files of packages whose every
    # directory from site-packages down has an `__init__.py`; names that are identifiers (not
    # `hook-numpy.py`, which PyInstaller runs by path).
    for entry in sorted(site.iterdir()):
        if not entry.stem.isidentifier():
            continue
        if entry.suffix == ".py" and entry.is_file():
            yield entry
        elif entry.is_dir() and (entry / "__init__.py").is_file():
            for directory, subdirectories, files in os.walk(entry):
                subdirectories[:] = sorted(
                    d for d in subdirectories
                    if d.isidentifier() and (pathlib.Path(directory) / d / "__init__.py").is_file()
                )
                for name in sorted(files):
                    if name.endswith(".py") and name[:-3].isidentifier():
                        yield pathlib.Path(directory) / name

found = list(modules())
size = sum(path.stat().st_size for path in found)
print(f"reference: {len(found)} modules in {site}, {size / 1e6:.1f} MB, {size / len(found) / 1e3:.1f} KB on average")

# Whole copies while they fit (each with its root package's `__init__.py`), then an evenly
# spaced share of the modules plus every `__init__.py`, so the tree keeps the average size.
copies, left = [], wanted
while left >= len(found) + 1:
    copies.append(found)
    left -= len(found) + 1
if left > 0:
    inits = [path for path in found if path.name == "__init__.py"]
    others = [path for path in found if path.name != "__init__.py"]
    take = left - 1 - len(inits)
    if take < 0:
        sys.exit("the tree's last copy cannot hold every __init__.py; change the file count")
    chosen = [others[i * len(others) // take] for i in range(take)] if take else []
    copies.append(sorted(inits + chosen))
tree_size, count = 0, 0
for number, paths in enumerate(copies, 1):
    root = tree / "src" / f"site{number}"
    root.mkdir(parents=True)
    (root / "__init__.py").write_text("")
    count += 1
    for path in paths:
        target = root / path.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        tree_size += path.stat().st_size
        count += 1
print(f"tree: {count} files in {len(copies)} copies, {tree_size / 1e6:.1f} MB, {tree_size / count / 1e3:.1f} KB on average")
roots = [f"site{number}" for number in range(1, len(copies) + 1)]
lines = ["[importlinter]", "root_packages ="] + [f"    {root}" for root in roots] + [""]
for root in roots:
    package = f"{root}.transformers"
    lines += [f"[importlinter:contract:{root}]", f"name = {root} transformers layers",
              "type = layers", "layers =", f"    {package}.pipelines", f"    {package}.models",
              f"    {package}.generation | {package}.integrations", f"    {package}.utils", ""]
(tree / ".importlinter").write_text("\n".join(lines))
PY
  echo "$stamp" >"$tree/.complete"
}

contracts_mode() {
  local tree="$work/contracts-tree" cache="$work/cache/strata-contracts" run variant
  contracts_tree
  # The checks run from the tree, away from any strata project. Exit 1 is the tool working: the
  # layers contracts are broken in transformers itself (as bench/contracts/run.sh finds).
  ok_codes="0 1"
  for variant in cold cold-writing-cache warm; do
    block "contracts-$contracts_files" "$variant" strata
    if [ "$variant" = warm ] && [ ! -d "$cache" ]; then
      (cd "$tree" && measure "$results/contracts-fill-strata" env STRATA_CACHE_DIR="$cache" \
        "$strata" contracts --root src)
    fi
    for run in $(seq 1 "$runs"); do
      echo "contracts $variant: strata $run/$runs" >&2
      case "$variant" in
        cold) cmd=(env STRATA_CACHE_DIR="$cache" "$strata" contracts --root src --no-cache) ;;
        cold-writing-cache)
          rm -rf "$cache"
          cmd=(env STRATA_CACHE_DIR="$cache" "$strata" contracts --root src) ;;
        warm) cmd=(env STRATA_CACHE_DIR="$cache" "$strata" contracts --root src) ;;
      esac
      (cd "$tree" && measure "$results/contracts-$contracts_files-$variant-strata-$run" "${cmd[@]}")
    done
    done_block
  done
  ok_codes=0
}

compile_modes=()
for mode in "${modes[@]}"; do
  case "$mode" in cold | warm | offline) compile_modes+=("$mode") ;; esac
done
if [ "${#compile_modes[@]}" -gt 0 ]; then
  for set in "${sets[@]}"; do
    for mode in "${compile_modes[@]}"; do compile_mode "$set" "$mode"; done
  done
fi
for mode in "${modes[@]}"; do
  case "$mode" in
    lock) lock_mode ;;
    contracts) contracts_mode ;;
  esac
done
echo "load average at end: $(load)" >&2
echo "load-end	$(load)" >>"$results/meta"

python3 - "$results" "$format" <<'PY'
import math, pathlib, re, statistics, sys

results, format_ = pathlib.Path(sys.argv[1]), sys.argv[2]
meta = dict(line.split("\t", 1) for line in (results / "meta").read_text().splitlines())
runs = int(meta["runs"])

def measured(name, tool):
    # The medians over the runs that succeeded, and how many did not.
    rows, failed = [], 0
    for run in range(1, runs + 1):
        path = results / f"{name}-{tool}-{run}.time"
        if not path.exists():
            failed += 1
            continue
        wall, cpu, kilobytes, ok = path.read_text().split()
        if ok == "1":
            rows.append((float(wall), float(cpu), int(kilobytes) / 1024))
        else:
            failed += 1
    if not rows:
        return (math.nan, math.nan, math.nan), failed
    return tuple(statistics.median(column) for column in zip(*rows)), failed

def pins(name, tool):
    path = results / f"{name}-{tool}.txt"
    if not path.exists():
        return None
    found, hashes = {}, 0
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?==(\S+)", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[3]
        hashes += "--hash=" in line
    return found, hashes

def ratio(a, b):
    return "-" if math.isnan(a) or math.isnan(b) or b == 0 else f"{a / b:.2f}"

blocks = []
for line in (results / "blocks").read_text().splitlines():
    set_, mode, load_start, tools, load_end = line.split("\t")
    name = f"{set_}-{mode}"
    rows = {tool: measured(name, tool) for tool in tools.split()}
    blocks.append((set_, mode, load_start, load_end, rows,
                   {tool: pins(name, tool) for tool in tools.split()}))

if format_ == "tsv":
    print("\t".join(["set", "mode", "tool", "runs", "failed", "wall_s", "cpu_s", "peak_rss_mb",
                     "wall_ratio", "cpu_ratio", "rss_ratio", "pins", "hashes", "load_start",
                     "load_end"]))
    for set_, mode, load_start, load_end, rows, found in blocks:
        peer = rows.get("uv")
        for tool, ((wall, cpu, rss), failed) in rows.items():
            ratios = ["-"] * 3
            if tool == "strata" and peer:
                ratios = [ratio(a, b) for a, b in zip((wall, cpu, rss), peer[0])]
            count, hashes = ("-", "-") if found[tool] is None else map(str, (len(found[tool][0]), found[tool][1]))
            print("\t".join([set_, mode, tool, str(runs), str(failed), f"{wall:.3f}", f"{cpu:.3f}",
                             f"{rss:.1f}", *ratios, count, hashes, load_start, load_end]))
    sys.exit()

print()
print(meta["versions"])
print(f"medians of {runs} run(s) each; compile runs paired, strata then uv; ratio = strata / uv")
header = f"{'set':22}{'mode':20}{'tool':14}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}{'pins':>6}{'hashes':>8}"
print()
print(header)
print("-" * len(header))
for set_, mode, load_start, load_end, rows, found in blocks:
    for tool, ((wall, cpu, rss), failed) in rows.items():
        count, hashes = ("", "") if found[tool] is None else (len(found[tool][0]), found[tool][1])
        note = f"  ({failed} failed)" if failed else ""
        print(f"{set_:22}{mode:20}{tool:14}{wall:>9.3f}{cpu:>9.3f}{rss:>9.0f}{count:>6}{hashes:>8}{note}")
    if "uv" in rows:
        (s, _), (u, _) = rows["strata"], rows["uv"]
        differ = ""
        if found["strata"] and found["uv"]:
            a, b = found["strata"][0], found["uv"][0]
            differ = f"{sum(a.get(k) != b.get(k) for k in set(a) | set(b))} pins differ"
        print(f"{'':22}{'':20}{'strata / uv':14}{ratio(s[0], u[0]):>9}{ratio(s[1], u[1]):>9}{ratio(s[2], u[2]):>9}  {differ}")
    print(f"{'':42}load {load_start} -> {load_end}")
print()
print(f"load average: {meta['load-start']} at start, {meta['load-end']} at end")
PY
