//! The operations of a dynamic `Select`: the first `INLINE` in place, more in a `Vec`,
//! so that a small selection never allocates.
//!
//! The entries are `Copy` and the type has no `Drop` impl of its own, so the drop
//! checker still lets a `Select` be declared before the handles it borrows (the
//! crossbeam-channel pattern); an inline store with a `Drop` impl would reject it.
//! Unused inline entries point at a placeholder handle, a static `never()` receiver,
//! so the store needs no `unsafe`.

use super::protocol::Op;
use crate::channel::{never_receiver, Receiver};
use crate::flavors::{SelectHandle, Side};

/// Operations kept in place before spilling to the heap.
pub(super) const INLINE: usize = 8;

/// What unused inline entries point at; never selected (it is never in the slice).
static PLACEHOLDER: Receiver<()> = never_receiver();

/// A selection's operations, in order.
#[derive(Clone)]
pub(super) struct Ops<'a> {
    /// The operations while there are at most `INLINE` (and `spill` is empty).
    inline: [Op<'a>; INLINE],
    /// How many of `inline` are in use (when `spill` is empty).
    len: usize,
    /// Every operation, once more than `INLINE` were added.
    spill: Vec<Op<'a>>,
}

impl<'a> Ops<'a> {
    /// No operations.
    pub(super) fn new() -> Self {
        let placeholder: &'a dyn SelectHandle = PLACEHOLDER.select_handle();
        Ops {
            inline: [Op::new(placeholder, usize::MAX, Side::Recv); INLINE],
            len: 0,
            spill: Vec::new(),
        }
    }

    /// Appends `op` (allocating only for the operation after the `INLINE`th).
    pub(super) fn push(&mut self, op: Op<'a>) {
        if !self.spill.is_empty() {
            self.spill.push(op);
        } else if self.len < INLINE {
            self.inline[self.len] = op;
            self.len += 1;
        } else {
            self.spill.reserve(2 * INLINE);
            self.spill.extend_from_slice(&self.inline);
            self.spill.push(op);
            self.len = 0;
        }
    }

    /// Removes the operation at `pos`, keeping the order of the others.
    pub(super) fn remove(&mut self, pos: usize) {
        if self.spill.is_empty() {
            self.inline[..self.len].copy_within(pos + 1.., pos);
            self.len -= 1;
        } else {
            self.spill.remove(pos);
        }
    }

    /// The operations.
    pub(super) fn as_slice(&self) -> &[Op<'a>] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }

    /// The operations, to reorder.
    pub(super) fn as_mut_slice(&mut self) -> &mut [Op<'a>] {
        if self.spill.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.spill
        }
    }
}
