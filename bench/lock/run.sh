#!/usr/bin/env bash
# Times `strata lock` on examples/ml-engines against the equivalent chain of
# `uv pip compile --generate-hashes` runs, and a no-op `strata lock`.
#
#   bench/lock/run.sh
#   NOOP_RUNS=50 bench/lock/run.sh
#
# What is measured, on a copy of the example in bench/.cache/lock/ (the repository's locks are
# never touched):
#   (a) `strata lock --force`, cold (empty STRATA_CACHE_DIR, no existing locks) and warm (the
#       cache and the locks the cold run left);
#   (b) a no-op `strata lock` (nothing changed): hyperfine's mean when hyperfine is there or
#       installable with apt-get, else the mean of NOOP_RUNS (default 20) timed runs;
#   (c) the pip-tools-style chain with uv: base first, each child of the hierarchy with `-c` of
#       its parent's output, each engine with `-c` of base's output, the same inputs strata reads
#       (the `.in` files, `[project]` dependencies, extras, dependency groups, the engine pins
#       from the version files), cold (empty UV_CACHE_DIR, no outputs) and warm; then the ratio
#       strata / chain.
#       Layered that way the example fails: base locks numpy 2 and backend's accelerate==0.33.0
#       needs numpy<2 (the case strata's one-solve-per-hierarchy exists for). The pure chain is
#       run once to show it; the timed chain carries the fix a team makes by hand, the extra
#       base line in CHAIN_BASE_FIX (default `numpy<2`).
# Engines whose index is not configured (tensorrt-llm without NVIDIA_INDEX_URL) are skipped by
# strata and left out of the chain too.
#
# No index host is written here: strata uses the index pip would use; uv gets the one pip's
# configuration names, if any, else its own default (the same index). TLS through the platform
# store (`UV_NATIVE_TLS=1`). Needs python3 with pip and cargo.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$repo/bench/.cache/lock"
venv="$work/venv"
noop_runs="${NOOP_RUNS:-20}"
chain_base_fix="${CHAIN_BASE_FIX:-numpy<2}"
export UV_NATIVE_TLS="${UV_NATIVE_TLS:-1}"
export UV_PYTHON_DOWNLOADS="${UV_PYTHON_DOWNLOADS:-never}"
unset PIP_FIND_LINKS

mkdir -p "$work"
if [ ! -x "$venv/bin/uv" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check uv
fi
uv="$venv/bin/uv"
python_exe="$(python3 -c 'import sys; print(sys.executable)')"
if [ -z "${STRATA_INDEX_URL:-}${UV_DEFAULT_INDEX:-}${UV_INDEX_URL:-}${PIP_INDEX_URL:-}" ]; then
  configured="$("$python_exe" -m pip config get install.index-url 2>/dev/null ||
    "$python_exe" -m pip config get global.index-url 2>/dev/null || true)"
  if [ -n "$configured" ]; then
    export STRATA_INDEX_URL="$configured" UV_DEFAULT_INDEX="$configured"
  fi
fi
(cd "$repo" && cargo build --release --quiet -p strata)
strata="${CARGO_TARGET_DIR:-$repo/target}/release/strata"
echo "$("$uv" --version); $("$strata" --version 2>/dev/null || echo strata)"

project="$work/ml-engines"
rm -rf "$project"
cp -r "$repo/examples/ml-engines" "$project"

now() { python3 -c 'import time; print(time.monotonic())'; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

# --- (a) strata lock --force, cold and warm ---------------------------------------------------
strata_lock() { # cache, args...
  local cache="$1"
  shift
  (cd "$project" && STRATA_CACHE_DIR="$cache" "$strata" lock "$@")
}
rm -rf "$work/strata-cache" "$project/locks"
echo "strata lock --force: cold" >&2
start=$(now)
strata_lock "$work/strata-cache" --force >"$work/strata-cold.log" 2>&1 ||
  { cat "$work/strata-cold.log" >&2; exit 1; }
strata_cold=$(elapsed "$start" "$(now)")
echo "strata lock --force: warm" >&2
start=$(now)
strata_lock "$work/strata-cache" --force >"$work/strata-warm.log" 2>&1 ||
  { cat "$work/strata-warm.log" >&2; exit 1; }
strata_warm=$(elapsed "$start" "$(now)")
tail -n 12 "$work/strata-warm.log" >&2

# --- (b) no-op strata lock ---------------------------------------------------------------------
if ! command -v hyperfine >/dev/null 2>&1; then
  apt-get install -y -qq hyperfine >/dev/null 2>&1 || true
fi
if command -v hyperfine >/dev/null 2>&1; then
  (cd "$project" && STRATA_CACHE_DIR="$work/strata-cache" hyperfine --warmup 3 --runs "$noop_runs" \
    --export-json "$work/noop.json" "$strata lock" >&2)
  noop_ms=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['results'][0]['mean']*1000:.1f}\")" "$work/noop.json")
  noop_how="hyperfine, $noop_runs runs"
else
  noop_ms=$(cd "$project" && STRATA_CACHE_DIR="$work/strata-cache" python3 - "$strata" "$noop_runs" <<'PY'
import subprocess, sys, time
strata, runs = sys.argv[1], int(sys.argv[2])
times = []
for _ in range(runs):
    start = time.monotonic()
    subprocess.run([strata, "lock"], check=True, capture_output=True)
    times.append(time.monotonic() - start)
print(f"{sum(times) / len(times) * 1000:.1f}")
PY
)
  noop_how="mean of $noop_runs timed runs (no hyperfine)"
fi

# --- (c) the uv chain ----------------------------------------------------------------------------
# The chain's inputs: one `.in` per profile and engine, holding what strata reads for it (its
# parents' inputs by `-r`, its file by `-r`, its includes spelled out, an engine's pin), and
# the commands, in order, with the `-c` of the parent's output.
write_chain() { # directory, extra base line
  rm -rf "$1"
  mkdir -p "$1"
  python3 - "$project" "$1" "$uv" "$python_exe" "$2" >"$1/commands.sh" <<'PY'
import os, shlex, sys, tomllib

project, chain, uv, python_exe, base_fix = sys.argv[1:]
with open(os.path.join(project, "pyproject.toml"), "rb") as f:
    manifest = tomllib.load(f)
strata = manifest["tool"]["strata"]
name = manifest["project"]["name"]

def group(group_name):
    out = []
    for entry in manifest.get("dependency-groups", {}).get(group_name, []):
        if isinstance(entry, dict):
            out += group(entry["include-group"])
        else:
            out.append(entry)
    return out

def include(entry):
    if entry == "project":
        return manifest["project"].get("dependencies", [])
    kind, _, value = entry.partition(":")
    if kind == "extra":
        # Self-references (`llmbench[...]`) name other extras; strata expands them too.
        out = []
        for requirement in manifest["project"]["optional-dependencies"][value]:
            if requirement.startswith(name + "["):
                for extra in requirement[len(name) + 1:requirement.index("]")].split(","):
                    out += include("extra:" + extra.strip())
            else:
                out.append(requirement)
        return out
    if kind == "group":
        return group(value)
    raise SystemExit(f"unknown include {entry}")

def yaml_key(path, key):
    # The version files are two-level YAML mappings; enough of YAML for them.
    stack, value = [], None
    for line in open(path):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        k, _, v = line.strip().partition(":")
        stack = [s for s in stack if s[0] < indent] + [(indent, k)]
        if ".".join(s[1] for s in stack) == key:
            value = v.strip().strip('"').strip("'")
    return value

def write_in(profile, table, is_engine):
    lines = [f"-r {p}.in" for p in table.get("extends", [])]
    if "file" in table:
        lines.append("-r " + os.path.join(project, table["file"]))
    for entry in table.get("include", []):
        lines += include(entry)
    lines += table.get("requirements", [])
    if profile == "base" and base_fix:
        lines.append(base_fix)
    if is_engine:
        version = table["version"]
        package = version.get("package", profile)
        lines.append(f"{package}=={yaml_key(os.path.join(project, version['file']), version['key'])}")
    with open(os.path.join(chain, profile + ".in"), "w") as f:
        f.write("\n".join(lines) + "\n")

def command(profile, table):
    python_version = table.get("python-version", strata["python-version"])
    parts = [uv, "pip", "compile", f"{profile}.in", "--generate-hashes", "--quiet",
             "--python", python_exe, "--python-version", python_version,
             "--python-platform", strata["python-platform"], "-o", f"{profile}.txt"]
    for parent in table.get("extends", []):
        parts += ["-c", f"{parent}.txt"]
    print(" ".join(shlex.quote(p) for p in parts))

print("set -e")
print(f"cd {shlex.quote(chain)}")
for profile, table in strata["profiles"].items():
    write_in(profile, table, False)
    command(profile, table)
for profile, table in strata.get("engines", {}).items():
    if any(strata["indexes"][i]["url"].startswith("${") and
           os.environ.get(strata["indexes"][i]["url"][2:-1]) is None
           for i in table.get("indexes", [])):
        print(f"skipping engine {profile}: its index is not configured", file=sys.stderr)
        continue
    write_in(profile, table, True)
    command(profile, table)
PY
}
write_chain "$work/chain-pure" ""
echo "uv chain as pip-tools layers it, once" >&2
if UV_CACHE_DIR="$work/uv-cache-pure" bash "$work/chain-pure/commands.sh" >"$work/uv-pure.log" 2>&1; then
  pure="locks"
else
  pure="fails: $(grep -m1 -o 'Because .*' "$work/uv-pure.log" | cut -c1-160)"
fi
chain="$work/chain"
write_chain "$chain" "$chain_base_fix"
echo "uv chain: cold" >&2
rm -rf "$work/uv-cache"
start=$(now)
UV_CACHE_DIR="$work/uv-cache" bash "$chain/commands.sh" >"$work/uv-cold.log" 2>&1 ||
  { cat "$work/uv-cold.log" >&2; exit 1; }
uv_cold=$(elapsed "$start" "$(now)")
echo "uv chain: warm" >&2
start=$(now)
UV_CACHE_DIR="$work/uv-cache" bash "$chain/commands.sh" >"$work/uv-warm.log" 2>&1 ||
  { cat "$work/uv-warm.log" >&2; exit 1; }
uv_warm=$(elapsed "$start" "$(now)")

steps=$(grep -c "pip compile" "$chain/commands.sh")
python3 - "$strata_cold" "$strata_warm" "$uv_cold" "$uv_warm" "$noop_ms" "$noop_how" "$steps" "$pure" "$chain_base_fix" <<'PY'
import sys
strata_cold, strata_warm, uv_cold, uv_warm = map(float, sys.argv[1:5])
noop_ms, noop_how, steps, pure, fix = sys.argv[5:10]
print(f"examples/ml-engines, one `strata lock --force` vs a chain of {steps} `uv pip compile --generate-hashes`")
print(f"the chain as pip-tools layers it: {pure}")
print(f"timed chain: with `{fix}` added to base by hand")
print(f"{'':8} {'strata':>9} {'uv chain':>9} {'ratio':>7}")
print(f"{'cold':8} {strata_cold:8.2f}s {uv_cold:8.2f}s {strata_cold / uv_cold:7.2f}")
print(f"{'warm':8} {strata_warm:8.2f}s {uv_warm:8.2f}s {strata_warm / uv_warm:7.2f}")
print(f"no-op `strata lock`: {noop_ms} ms ({noop_how}; goal < 50 ms)")
PY
