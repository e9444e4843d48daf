#!/usr/bin/env bash
# The layering rule of DESIGN.md's architecture, checked on the real dependency graph: the crates
# that read the project model, lock files, installed environments and Python sources must never
# pull in the network stack or the solver (directly or through another crate), so that image
# plans, CI plans and inspection stay pure and fast to build. `cargo tree -e normal` lists what a
# crate's library links (not its tests' dev-dependencies).
#
#   bash .ci/layering.sh          # exit 1 naming each crate that reaches a forbidden one
set -euo pipefail
cd "$(dirname "$0")/.."

pure_crates=(strata-diagnostic strata-dist strata-build strata-images strata-ci strata-lockfile strata-project strata-env strata-contracts)
forbidden='^(tokio|reqwest|hyper|pubgrub|strata-index|strata-resolve|strata-lock) '

status=0
for crate in "${pure_crates[@]}"; do
    reached="$(cargo tree --locked --offline -e normal -p "$crate" --prefix none --format '{p}' \
        | sed "s/ (\*)$//" | grep -E "$forbidden" | sort -u || true)"
    if [[ -n "$reached" ]]; then
        echo "error: $crate must not depend on the network stack or the solver, but reaches:" >&2
        echo "$reached" | sed 's/^/    /' >&2
        echo "  see \`cargo tree -e normal -i <name> -p $crate\` for the path" >&2
        status=1
    fi
done
if [[ $status -eq 0 ]]; then
    echo "layering: ${pure_crates[*]} reach none of tokio, reqwest, hyper, pubgrub, strata-index, strata-resolve, strata-lock"
fi
exit $status
