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

files=$(find "$project/src/transformers" -name '*.py' | wc -l)
echo "transformers $version: $files Python files"

(cd "$repo" && cargo build --quiet --release -p strata-contracts --example contracts_bench)
bench="$repo/target/release/examples/contracts_bench"

seconds() { # runs "$@" quietly (exit 1 = violations is fine) and prints the wall time
  local start end
  start=$(date +%s.%N)
  "$@" > "$cache/last.log" 2>&1 || [ $? -eq 1 ] || { cat "$cache/last.log" >&2; echo "failed: $*" >&2; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

"$bench" "$project" > "$cache/strata.log"   # warm the file cache
strata=$(seconds "$bench" "$project")
tail -3 "$cache/strata.log"
cd "$project"
lint=$(seconds env PYTHONPATH="$project/src" "$venv/bin/lint-imports" --no-cache)
grep -E '^Contracts:|KEPT|BROKEN' "$cache/last.log" || true
printf 'strata        %6.3f s\n' "$strata"
printf 'lint-imports  %6.3f s   (%.1fx strata)\n' "$lint" "$(echo "$lint / $strata" | bc -l)"
if [ -x "$venv/bin/tach" ]; then
  tach=$(seconds "$venv/bin/tach" check)
  printf 'tach check    %6.3f s   (%.1fx strata)\n' "$tach" "$(echo "$tach / $strata" | bc -l)"
fi

# strata's own engine rule on the same tree (no other tool has it): pipelines must not import
# torch, tensorflow or flax at module level.
engine=$(seconds "$bench" "$project" --host 'transformers.pipelines,transformers.pipelines.*' --engines torch,tensorflow,flax)
printf 'strata + engine rule %6.3f s   (%s)\n' "$engine" "$(grep -o '[0-9]* findings' "$cache/last.log")"

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
files=$(find "$project/src" -name '*.py' | wc -l)
echo
echo "scale: $((copies + 1)) copies, $files Python files"
strata=$(seconds "$bench" "$project" --config "$cache/scale.importlinter")
tail -1 "$cache/last.log"
lint=$(seconds env PYTHONPATH="$project/src" "$venv/bin/lint-imports" --no-cache --config "$cache/scale.importlinter")
grep -E '^Contracts:' "$cache/last.log" || true
printf 'strata        %6.3f s\n' "$strata"
printf 'lint-imports  %6.3f s   (%.1fx strata)\n' "$lint" "$(echo "$lint / $strata" | bc -l)"
