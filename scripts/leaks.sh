#!/usr/bin/env bash
# LeakSanitizer over the test suites: every allocation must be freed by the time each
# test binary exits.
#
# Needs a nightly toolchain. Skipped here: the impossible-capacity and compile-fail
# cases (see tsan.sh). The tests that forget a claim on purpose run too: what a
# forgotten claim leaks by design (one message) is plain data in them.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-gnu
export RUSTFLAGS="-Zsanitizer=leak"
export LSAN_OPTIONS="exitcode=23"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/lsan}
cargo +nightly test --target "$target" --no-fail-fast \
    -p channel-core -p channel-select -p junction --tests -- \
    --skip usize_max --skip half_the_address_space \
    --skip two_to_the_fifty --skip size_overflow --skip select_misuse_is_a_compile_error
echo "lsan: no leak"
