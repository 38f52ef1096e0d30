#!/usr/bin/env bash
# Miri over the test suites: undefined behaviour, data races, leaks, under both of
# Rust's aliasing models and several schedules.
#
#   scripts/miri.sh          the CI size: channel-core and the concurrency and teardown
#                            suites of channel-select under Stacked Borrows; the unsafe-
#                            heavy ones under Tree Borrows and several seeds
#   scripts/miri.sh full     everything (the facade's tests too) under both models, and
#                            the concurrency suites under MIRI_SEEDS seeds (default 8)
#
# Needs a nightly toolchain with the miri and rust-src components (installed here with
# rustup when missing). Iteration counts shrink under cfg(miri); assertions do not.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-ci}
rustup component add --toolchain nightly miri rust-src >/dev/null 2>&1 || true
cargo +nightly miri --version >/dev/null

miri() { # MIRIFLAGS, then cargo arguments
    local flags=$1
    shift
    printf '\n== MIRIFLAGS="%s" cargo miri test %s\n' "$flags" "$*"
    MIRIFLAGS="$flags" cargo +nightly miri test --no-fail-fast "$@"
}

# The suites where unsafe code and threads meet: claims, teardown, rendezvous deals,
# selection, and the model-based sequences.
unsafe_suites=(--test drop_accounting --test rendezvous --test select --test model)

# The suites where threads race over claims, wake-ups and teardown.
concurrency_suites=(--test close --test disconnect --test exactly_once --test select_stress
    --test failure_modes --test memory --test timeouts --test async_cancel --test async_alloc)

case "$mode" in
ci)
    miri "" -p channel-core --tests
    miri "" -p channel-select "${unsafe_suites[@]}" "${concurrency_suites[@]}"
    miri "-Zmiri-tree-borrows" -p channel-core --test safety
    miri "-Zmiri-tree-borrows" -p channel-select --test drop_accounting --test rendezvous --test select --test failure_modes
    miri "-Zmiri-many-seeds=0..4" -p channel-core --test safety
    miri "-Zmiri-many-seeds=0..4" -p channel-select --test drop_accounting
    ;;
full)
    seeds=${MIRI_SEEDS:-8}
    miri "" -p channel-core -p channel-select -p junction --tests
    miri "-Zmiri-tree-borrows" -p channel-core -p channel-select -p junction --tests
    miri "-Zmiri-many-seeds=0..$seeds" -p channel-core --test safety
    miri "-Zmiri-many-seeds=0..$seeds" -p channel-select "${unsafe_suites[@]}"
    ;;
*)
    echo "usage: scripts/miri.sh [ci|full]" >&2
    exit 2
    ;;
esac
echo "miri: all passed"
