#!/usr/bin/env bash
# Times `strata contracts` (through the crate's example binary) against `lint-imports` and
# `tach check` on transformers' source, unpacked from its sdist, with a layers contract
# written here. Prints the wall times and the ratios.
#
#   bench/contracts/run.sh [TRANSFORMERS_VERSION] [COPIES]
#
# transformers holds about 1,800 modules; to time the 10,000-file goal, the second part copies
# the package COPIES times (default 5) as extra root packages (transformers_copy1...) and times
# all of them under one contract set.
#
# Each tool is timed cold and warm, the best of a few runs: strata without a cache, strata
# writing its import cache, strata reading it; lint-imports with --no-cache and with its own
# cache filled; tach check (which has no cache for `check`). Ratios compare like with like.
# STRATA_RUNS (default 5) and LINT_RUNS (default 2) set how many runs each measurement takes.
#
# Needs python3 and the machine's pip configuration; everything goes to bench/.cache/.
set -euo pipefail
version="${1:-4.46.3}"
copies="${2:-5}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$repo/bench/.cache"
venv="$cache/venv"
project="$cache/transformers-$version"
mkdir -p "$cache"

if [ ! -x "$venv/bin/lint-imports" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check import-linter==2.12
  "$venv/bin/pip" install --quiet --disable-pip-version-check tach || echo "tach is not installable here; skipping it" >&2
fi
if [ ! -d "$project/src/transformers" ]; then
  "$venv/bin/pip" download --quiet --no-deps --no-binary :all: "transformers==$version" -d "$cache"
  tar -xzf "$cache/transformers-$version.tar.gz" -C "$cache"
fi

# One contract, the same for every tool: pipelines over models over the shared machinery.
cat > "$project/.importlinter" <<'INI'
[importlinter]
root_package = transformers

[importlinter:contract:layers]
name = transformers layers
type = layers
layers =
    transformers.pipelines
    transformers.models
    transformers.generation | transformers.integrations
    transformers.utils
INI
cat > "$project/tach.toml" <<'TOML'
source_roots = ["src"]
exclude = ["**/tests/**"]
layers = ["pipelines", "models", "machinery", "utils"]

[[modules]]
path = "transformers.pipelines"
layer = "pipelines"
depends_on = []

[[modules]]
path = "transformers.models"
layer = "models"
depends_on = []

[[modules]]
path = "transformers.generation"
layer = "machinery"
depends_on = []

[[modules]]
path = "transformers.integrations"
layer = "machinery"
depends_on = []

[[modules]]
path = "transformers.utils"
layer = "utils"
depends_on = []
TOML

sizes() { # the Python files under $1: count, and average size
  find "$1" -name '*.py' -printf '%s\n' |
    awk '{ n += 1; total += $1 } END { printf "%d Python files, %.1f MB, %.1f KB per file on average", n, total / 1e6, total / n / 1e3 }'
}
echo "transformers $version: $(sizes "$project/src/transformers")"
# The machine may be shared: its load says how much to trust the timings below.
echo "load averages at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

(cd "$repo" && cargo build --quiet --release -p strata-contracts --example contracts_bench)
bench="$repo/target/release/examples/contracts_bench"

seconds() { # runs "$@" quietly (exit 1 = violations is fine) and prints the wall time
  local start end
  start=$(date +%s.%N)
  "$@" > "$cache/last.log" 2>&1 || [ $? -eq 1 ] || { cat "$cache/last.log" >&2; echo "failed: $*" >&2; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
best() { # best RUNS PREPARE COMMAND...: the fastest of RUNS runs, PREPARE (eval'd) before each;
  # the machine is shared, and noise only ever adds time
  local runs="$1" prepare="$2" fastest="" time
  shift 2
  for _ in $(seq "$runs"); do
    eval "$prepare"
    time=$(seconds "$@")
    if [ -z "$fastest" ] || [ "$(echo "$time < $fastest" | bc -l)" = 1 ]; then fastest="$time"; fi
  done
  echo "$fastest"
}
row() { # row LABEL SECONDS [STRATA SECONDS]: a timing, and its ratio to strata's
  if [ -n "${3:-}" ]; then
    printf '%-34s %7.3f s   (%.1fx strata)\n' "$1" "$2" "$(echo "$2 / $3" | bc -l)"
  else
    printf '%-34s %7.3f s\n' "$1" "$2"
  fi
}

# Cold: strata parses every file (no cache dir), or parses every file and writes its import
# cache (emptied first); lint-imports runs with --no-cache. Warm: each tool's own cache was
# filled by the run before, so both reuse what they know about unchanged files.
strata_cache="$cache/strata-cache"
lint_cache="$cache/import-linter-cache"
compare() { # compare LABEL [extra contracts_bench and lint-imports arguments...]
  local label="$1" cold filled warm lint_cold lint_warm
  shift
  cold=$(best "${STRATA_RUNS:-5}" : "$bench" "$project" "$@")
  strata_cold="$cold"
  tail -1 "$cache/last.log"
  filled=$(best "${STRATA_RUNS:-5}" 'rm -rf "$strata_cache"' "$bench" "$project" --cache-dir "$strata_cache" "$@")
  warm=$(best "${STRATA_RUNS:-5}" : "$bench" "$project" --cache-dir "$strata_cache" "$@")
  local lint_args=()
  if [ "${1:-}" = --config ]; then lint_args=(--config "$2"); fi
  cd "$project"
  lint_cold=$(best "${LINT_RUNS:-2}" : env PYTHONPATH="$project/src" "$venv/bin/lint-imports" --no-cache "${lint_args[@]}")
  grep -E '^Contracts:' "$cache/last.log" || true
  rm -rf "$lint_cache"
  seconds env PYTHONPATH="$project/src" "$venv/bin/lint-imports" --cache-dir "$lint_cache" "${lint_args[@]}" > /dev/null
  lint_warm=$(best "${LINT_RUNS:-2}" : env PYTHONPATH="$project/src" "$venv/bin/lint-imports" --cache-dir "$lint_cache" "${lint_args[@]}")
  cd "$repo"
  echo "$label"
  row "strata, cold (no cache)" "$cold"
  row "strata, cold, writing its cache" "$filled"
  row "strata, warm (its cache)" "$warm"
  row "lint-imports --no-cache" "$lint_cold" "$cold"
  row "lint-imports, warm (its cache)" "$lint_warm" "$warm"
}

compare "transformers alone:"
if [ -x "$venv/bin/tach" ]; then
  (cd "$project" && "$venv/bin/tach" check > /dev/null 2>&1) || true
  tach=$(cd "$project" && best 3 : "$venv/bin/tach" check)
  row "tach check (no cache for check)" "$tach" "$strata_cold"
fi

# strata's own engine rule on the same tree (no other tool has it): pipelines must not import
# torch, tensorflow or flax at module level.
engine=$(best 3 : "$bench" "$project" --host 'transformers.pipelines,transformers.pipelines.*' --engines torch,tensorflow,flax)
printf 'strata + engine rule, cold %7.3f s   (%s)\n' "$engine" "$(grep -o '[0-9]* findings' "$cache/last.log")"

# Scale: the same package copied under new names, all of them root packages.
roots="transformers"
for index in $(seq 1 "$copies"); do
  name="transformers_copy$index"
  roots="$roots,$name"
  if [ ! -d "$project/src/$name" ]; then
    cp -r "$project/src/transformers" "$project/src/$name"
  fi
done
{
  echo "[importlinter]"
  echo "root_packages ="
  for root in ${roots//,/ }; do echo "    $root"; done
  echo
  for root in ${roots//,/ }; do
    echo "[importlinter:contract:$root]"
    echo "name = $root layers"
    echo "type = layers"
    echo "layers ="
    echo "    $root.pipelines"
    echo "    $root.models"
    echo "    $root.generation | $root.integrations"
    echo "    $root.utils"
    echo
  done
} > "$cache/scale.importlinter"
echo
echo "scale: $((copies + 1)) copies, $(sizes "$project/src")"
CONTRACTS_BENCH_PHASES=1 "$bench" "$project" --config "$cache/scale.importlinter" 2>&1 | grep phases
compare "all copies:" --config "$cache/scale.importlinter"
echo "load averages at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
