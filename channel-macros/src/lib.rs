//! The procedural half of junction's `select!` and `select_biased!`.
//!
//! Users never name this crate: they write `junction::select! { ... }`, whose
//! `macro_rules!` wrapper calls [`select!`](macro@select) here with `$crate` as the
//! first tokens. The grammar, the semantics and runnable examples of every form are in
//! the documentation of `junction::select!`.
//!
//! The input this macro receives is
//!
//! ```text
//! CRATE_PATH ; [biased ;] ARM*
//!
//! ARM     := ATTR* OP
//! ATTR    := #[cfg(PREDICATE)]
//! OP      := recv(EXPR [,]) -> PAT [, if EXPR] => BODY
//!          | send(EXPR, EXPR [,]) -> PAT [, if EXPR] => BODY
//!          | default [( [EXPR [,]] )] => BODY
//! BODY    := EXPR ,          (the comma may be left out after the last arm and
//!          | BLOCK-LIKE [,]   after a block, `if`, `match`, `loop`, ...)
//! ```
//!
//! The code is split in two: `parse` turns tokens into arms and reports misuse with
//! the span of the offending tokens, `expand` writes the straight-line code that drives
//! `Select` (its module comment shows the shape of the output).
#![deny(missing_docs)]

use proc_macro::TokenStream;

mod expand;
mod parse;

/// Expands one `select!` invocation; use `junction::select!` or
/// `junction::select_biased!`, which call this with the path of `junction` first.
///
/// The input is `CRATE_PATH ; [biased ;] arms...`; every path the expansion names is
/// `CRATE_PATH::__private::...`, so a renamed or re-exported `junction` still works.
#[proc_macro]
pub fn select(input: TokenStream) -> TokenStream {
    match syn::parse::<parse::SelectInput>(input) {
        Ok(select) => expand::expand(&select).into(),
        Err(err) => err.to_compile_error().into(),
    }
}
