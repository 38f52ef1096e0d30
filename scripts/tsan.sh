#!/usr/bin/env bash
# ThreadSanitizer over the integration tests of channel-core, channel-select and the
# facade: every data race between threads is reported and fails the run.
#
#   scripts/tsan.sh            the whole suites
#   JUNCTION_STRESS=10 scripts/tsan.sh   bigger stress runs
#
# Needs a nightly toolchain with rust-src (std is rebuilt with the sanitizer). Skipped
# here: the impossible-capacity tests (TSan's allocator aborts where the system one
# returns null), the 1 and 16 MiB message tests (they bound stack copies, which the
# instrumented frames multiply past any fixed stack), and the compile-fail cases (they
# run the compiler, not the code).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup component add --toolchain nightly rust-src >/dev/null 2>&1 || true
target=x86_64-unknown-linux-gnu
export RUSTFLAGS="-Zsanitizer=thread"
export RUSTDOCFLAGS="-Zsanitizer=thread"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
# Symbolizing a panic's backtrace is slow under TSan: the panic tests would overrun
# their own watchdogs.
export RUST_BACKTRACE=0
# A separate target directory: the sanitized std must not mix with the normal builds.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/tsan}
cargo +nightly test -Zbuild-std --target "$target" --no-fail-fast \
    -p channel-core -p channel-select -p junction --tests -- \
    --skip usize_max --skip half_the_address_space --skip two_to_the_fifty \
    --skip size_overflow --skip mib_messages --skip select_misuse_is_a_compile_error
echo "tsan: no data race"
