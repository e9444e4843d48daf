#!/usr/bin/env bash
# Times `strata check` and `strata tree --invert` against `pip check` and `pipdeptree` on a real
# environment of 150+ distributions (jupyter, jupyterlab, pandas, scikit-learn, matplotlib, dask,
# bokeh, boto3, pytest, flask and more, with their dependencies), and prints the wall times and
# the ratios.
#
#   bench/env/run.sh [RUNS]
#
# The environment is a throwaway venv under bench/.cache/ installed from the machine's pip
# configuration (the benchmark needs real packages; the tests never do). strata is the release
# build; it is timed three ways: through the venv's interpreter (`--venv`, one Python start for
# the paths and markers), and reading `--site-packages` directly (no Python at all).
# Uses hyperfine when installed, else a loop of RUNS runs (default 20) reporting the mean.
set -euo pipefail
runs="${1:-20}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$repo/bench/.cache"
venv="$cache/env-venv"
mkdir -p "$cache"

packages="jupyter jupyterlab pandas scikit-learn matplotlib seaborn statsmodels sqlalchemy requests dask distributed bokeh boto3 pytest black flask pipdeptree"
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$packages" ]; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check $packages
  echo "$packages" > "$venv/.installed"
fi
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
count="$(find "$site" -maxdepth 1 \( -name '*.dist-info' -o -name '*.egg-info' \) | wc -l)"

(cd "$repo" && cargo build --release --quiet -p strata)
strata="$repo/target/release/strata"

echo "environment: $venv ($count distributions)"
echo "pip $("$venv/bin/pip" --version | cut -d' ' -f2), pipdeptree $("$venv/bin/pipdeptree" --version 2>/dev/null | tail -1)"

# Both checks must agree before their speed means anything.
pip_lines="$("$venv/bin/pip" check 2>/dev/null | sort || true)"
strata_lines="$("$strata" check --venv "$venv" | sort || true)"
if [ "$pip_lines" != "$strata_lines" ]; then
  echo "warning: strata check and pip check disagree:" >&2
  diff <(echo "$pip_lines") <(echo "$strata_lines") >&2 || true
fi

declare -a names=(
  "strata check --venv"
  "strata check --site-packages"
  "pip check"
  "strata tree --invert --venv"
  "strata tree --invert --site-packages"
  "pipdeptree --reverse"
)
declare -a commands=(
  "$strata check --venv $venv"
  "$strata check --site-packages $site"
  "$venv/bin/pip check"
  "$strata tree --invert --venv $venv"
  "$strata tree --invert --site-packages $site"
  "$venv/bin/pipdeptree --python $venv/bin/python --reverse"
)

mean_ms() { # runs "$@" $runs times (exit 1 = problems found is fine), prints the mean in ms
  if command -v hyperfine >/dev/null; then
    hyperfine --style none --warmup 2 --runs "$runs" --ignore-failure --export-json "$cache/hyperfine.json" "$*" >/dev/null 2>&1
    python3 -c "import json; print('%.1f' % (json.load(open('$cache/hyperfine.json'))['results'][0]['mean'] * 1000))"
  else
    local start end
    "$@" >/dev/null 2>&1 || true
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    echo "scale=1; ($end - $start) / $runs / 1000000" | bc
  fi
}

declare -A ms
for index in "${!names[@]}"; do
  ms[$index]="$(mean_ms ${commands[$index]})"
  printf '%-40s %8s ms\n' "${names[$index]}" "${ms[$index]}"
done
ratio() { echo "scale=1; $1 / $2" | bc; }
echo
echo "pip check / strata check --venv:                 $(ratio "${ms[2]}" "${ms[0]}")x"
echo "pip check / strata check --site-packages:        $(ratio "${ms[2]}" "${ms[1]}")x"
echo "pipdeptree / strata tree --invert --venv:        $(ratio "${ms[5]}" "${ms[3]}")x"
echo "pipdeptree / strata tree --invert --site-packages: $(ratio "${ms[5]}" "${ms[4]}")x"

# The lock mode on the same set: a hashed lock of the packages above (compiled once), checked
# and explained before anything is installed. No peer does this without installing; the numbers
# are strata's alone, with the metadata cache warm (the lock's compile filled it).
lock="$cache/env-lock.txt"
if [ ! -s "$lock" ]; then
  # shellcheck disable=SC2086
  printf '%s\n' $packages > "$cache/env-lock.in"
  "$strata" compile "$cache/env-lock.in" -o "$lock" --generate-hashes --quiet
fi
pins="$(grep -c '^[a-z0-9]' "$lock")"
echo
printf '%-40s %8s ms\n' "strata check --lock ($pins pins)" "$(mean_ms "$strata" check --lock "$lock")"
printf '%-40s %8s ms\n' "strata why numpy --lock" "$(mean_ms "$strata" why numpy --lock "$lock")"
