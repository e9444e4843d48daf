#!/usr/bin/env bash
# Markers on constraints and overrides, strata against uv, on the real index.
#
# Each case is a requirements file with a constraints file (`-c`) or an overrides file
# (`--override`) whose lines carry markers; both tools resolve it for each platform below, and the
# script prints, per case and platform, whether the pins are identical and, when not, both lists.
# Exit status 1 when any differ.
#
#   bench/markers/run.sh
#   STRATA=target/release/strata bench/markers/run.sh
#
# The rules compared: a constraint whose marker is false on the target constrains nothing (pip
# and uv); an override replaces every requirement on its package whatever that requirement's
# marker, where its own marker holds, so overrides told apart by markers each apply on their
# platform and one whose marker is false drops the requirement (uv's documented behaviour).
# The index and TLS are bench/common.sh's: the index pip would use, for both tools.
#
# Measured 2026-12-05 (uv 0.13.9): identical pins in all 6 (case, platform) pairs.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=bench/common.sh
. "$root/bench/common.sh"

work="$root/bench/.cache/markers"
mkdir -p "$work"
bench_uv "$root/bench/.cache/targets/venv"
bench_index python3

strata="${STRATA:-}"
if [ -z "$strata" ]; then
  cargo build --release --locked -p strata --manifest-path "$root/Cargo.toml" >&2
  strata="$root/target/release/strata"
fi

platforms=(x86_64-manylinux_2_28 aarch64-apple-darwin x86_64-pc-windows-msvc)

printf 'requests==2.32.3\n' >"$work/requirements.in"
# One urllib3 per platform, and idna dropped where its override's marker is false.
printf '%s\n' \
  "urllib3==1.26.20 ; sys_platform == 'linux'" \
  "urllib3==2.2.3 ; sys_platform == 'darwin'" \
  "idna>=3.7 ; sys_platform == 'win32'" >"$work/overrides.txt"
# Each constraint holds on one platform only.
printf '%s\n' \
  "urllib3<2 ; sys_platform == 'win32'" \
  "idna<3.5 ; sys_platform == 'linux'" >"$work/constraints.txt"

# The `name==version` lines of a requirements file, sorted.
pins() {
  grep -E '^[A-Za-z0-9]' "$1" | sed -E 's/[[:space:]].*//' | sort
}

status=0
for case in "--override overrides.txt" "-c constraints.txt"; do
  read -r flag file <<<"$case"
  for platform in "${platforms[@]}"; do
    (
      cd "$work"
      # An output file from the run before would be read as preferences by both tools.
      rm -f uv.txt strata.txt
      "$uv" pip compile requirements.in "$flag" "$file" --python-version 3.11 \
        --python-platform "$platform" --no-header --no-annotate --quiet -o uv.txt
      # A strata that finds no solution writes nothing: an empty list, so a difference.
      "$strata" compile requirements.in "$flag" "$file" --python-version 3.11 \
        --python-platform "$platform" --quiet -o strata.txt 2>strata.err || touch strata.txt
    )
    if diff <(pins "$work/uv.txt") <(pins "$work/strata.txt") >/dev/null; then
      printf '%-24s %-24s identical: %s\n' "$flag $file" "$platform" \
        "$(pins "$work/strata.txt" | tr '\n' ' ')"
    else
      status=1
      printf '%-24s %-24s DIFFERENT\n  uv:     %s\n  strata: %s\n' "$flag $file" "$platform" \
        "$(pins "$work/uv.txt" | tr '\n' ' ')" "$(pins "$work/strata.txt" | tr '\n' ' ')"
    fi
  done
done
exit "$status"
