//! `bounded(cap)` with a capacity that cannot be allocated panics with a message
//! about the capacity: never an overflow, an abort or undefined behaviour.

mod common;

use channel_select::bounded;
use common::expect_panic;

#[track_caller]
fn assert_capacity_panic(cap: usize) {
    let msg = expect_panic(|| bounded::<u64>(cap));
    assert!(
        msg.to_lowercase().contains("capacity"),
        "bounded({cap}) panicked with an unclear message: {msg:?}"
    );
}

#[test]
fn usize_max_panics() {
    assert_capacity_panic(usize::MAX);
}

#[test]
fn half_the_address_space_panics() {
    assert_capacity_panic(usize::MAX / 2 + 1);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri aborts on an impossible allocation instead of failing it"
)]
fn usize_max_over_64_panics() {
    assert_capacity_panic(usize::MAX / 64);
}

#[cfg(target_pointer_width = "64")]
#[test]
#[cfg_attr(
    miri,
    ignore = "Miri aborts on an impossible allocation instead of failing it"
)]
fn two_to_the_fifty_panics() {
    assert_capacity_panic(1 << 50);
}

/// `cap * size_of::<T>()` overflows `usize` for a large message type.
#[cfg(target_pointer_width = "64")]
#[test]
fn size_overflow_with_a_large_message_type_panics() {
    let msg = expect_panic(|| bounded::<[u8; 1 << 20]>(1 << 45));
    assert!(msg.to_lowercase().contains("capacity"), "{msg:?}");
}

#[test]
fn big_capacity_for_zero_sized_messages_is_fine() {
    // No storage is needed for zero-sized messages, so any capacity may be accepted;
    // if it is, the channel must work.
    if let Ok((s, r)) = std::panic::catch_unwind(|| bounded::<()>(usize::MAX / 2)) {
        s.send(()).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r.recv(), Ok(()));
    }
}
