#!/usr/bin/env bash
# Multi-target locks against uv's universal resolution, on the real index.
#
# For each requirement set (default: the host-style `cli`, the ML-host-style `ml-host` and
# `transformers-torch` of bench/compile/sets/), a throwaway project declares three targets and
# `strata lock` writes one lock for all of them; `uv pip compile --universal` resolves the same
# requirements once for every platform. Then, target by target, each file's markers are evaluated for that target
# (with `packaging`, the library pip itself uses) and the pins each selects are compared. The
# script prints, per set and target, the pins of each tool, the share identical (pins both
# select at the same version, over the pins either selects) and the differences.
#
#   bench/targets/run.sh
#   SETS="ml-host" STRATA=target/release/strata bench/targets/run.sh
#
# The targets: Python 3.11 on x86_64-manylinux_2_28 (Linux CI), Python 3.11 on
# aarch64-manylinux_2_28 (Linux on ARM), Python 3.12 on aarch64-apple-darwin (macOS laptops).
# uv is given `--python-version 3.11` (its universal lock covers 3.11 and later), and its
# markers are read for each target's exact Python. The index and TLS come from bench/common.sh:
# the index pip would use, for both tools; uv revalidates its cache (`--refresh`), since a page
# it cached earlier may predate a release strata sees.
#
# What differs is expected in kind: uv forks on `requires-python` (a package whose newest
# release drops Python 3.11 gets two versions, one per Python), where strata prefers one
# version that fits every target; and uv does not look at which wheels exist, where strata
# solves each target with the files that install on it.
#
# Measured 2026-12-05 (identical share per target: Linux x86_64, Linux aarch64, macOS arm64):
#   cli                 100%, 100%, 100%
#   ml-host             100%, 100%, 91.7% (numpy, scipy: uv forks them for Python 3.12, whose
#                       newest releases need it; strata keeps the release that fits 3.11 too)
#   transformers-torch  66.7%, 66.7%, 90.0% (torch 2.12 and later have no macOS 13 arm64 wheel,
#                       strata's default macOS; strata locks torch 2.11 on every target, and with
#                       it triton and the CUDA wheels on Linux; uv locks 2.15, which that Mac
#                       cannot install)
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=bench/common.sh
. "$root/bench/common.sh"

work="$root/bench/.cache/targets"
mkdir -p "$work"
bench_uv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check packaging
bench_index python3

strata="${STRATA:-}"
if [ -z "$strata" ]; then
  cargo build --release --locked -p strata --manifest-path "$root/Cargo.toml" >&2
  strata="$root/target/release/strata"
fi

targets=(
  "3.11 x86_64-manylinux_2_28"
  "3.11 aarch64-manylinux_2_28"
  "3.12 aarch64-apple-darwin"
)

for set in ${SETS:-cli ml-host transformers-torch}; do
  project="$work/$set"
  rm -rf "$project"
  mkdir -p "$project"
  cp "$root/bench/compile/sets/$set.in" "$project/requirements.in"
  {
    echo "targets = ["
    for target in "${targets[@]}"; do
      read -r python platform <<<"$target"
      echo "  { python-version = \"$python\", python-platform = \"$platform\" },"
    done
    echo "]"
    echo "pylock = false"
    echo "[profiles.host]"
    echo "file = \"requirements.in\""
  } >"$project/strata.toml"
  start=$(date +%s.%N)
  "$strata" --project "$project" lock --quiet
  strata_seconds=$(echo "$(date +%s.%N) - $start" | bc)
  start=$(date +%s.%N)
  "$uv" pip compile --quiet --refresh --universal --python-version 3.11 --generate-hashes \
    "$project/requirements.in" -o "$project/uv.txt"
  uv_seconds=$(echo "$(date +%s.%N) - $start" | bc)
  printf '== %s: strata lock %.1f s, uv pip compile --universal %.1f s\n' \
    "$set" "$strata_seconds" "$uv_seconds"
  "$work/venv/bin/python" "$root/bench/targets/compare.py" \
    "$project/locks/host.txt" "$project/uv.txt" "${targets[@]}"
done
