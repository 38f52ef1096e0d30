//! The procedural half of junction's `select!` and `select_biased!`, and of the coming
//! `select_async!`.
//!
//! Users never name this crate: they write `junction::select! { ... }`, whose
//! `macro_rules!` wrapper calls [`select!`](macro@select) here with `$crate` as the
//! first tokens. The grammar, the semantics and runnable examples of every form are in
//! the documentation of `junction::select!`. [`select_async!`](macro@select_async)
//! takes the same input and writes the same code, awaiting where `select!` blocks; the
//! facade does not wrap it yet.
//!
//! The input these macros receive is
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
//! `Select` (its module comment shows the shape of the output) in one of two modes,
//! blocking or async; both macros share the parser whole.
#![deny(missing_docs)]

use proc_macro::TokenStream;

use expand::Mode;

mod expand;
mod parse;

/// Expands one `select!` invocation; use `junction::select!` or
/// `junction::select_biased!`, which call this with the path of `junction` first.
///
/// The input is `CRATE_PATH ; [biased ;] arms...`; every path the expansion names is
/// `CRATE_PATH::__private::...`, so a renamed or re-exported `junction` still works.
#[proc_macro]
pub fn select(input: TokenStream) -> TokenStream {
    expand_input(input.into(), Mode::Blocking).into()
}

/// Expands one `select_async!` invocation: `select!`'s grammar and meaning (the same
/// parser, the same errors), awaiting inside the enclosing async fn or block.
///
/// Its input is `select!`'s. The expansion awaits `select_async()` and
/// `select_timeout_async(t)` on the `SelectArray`, `recv_async()` on a lone receiver
/// and `send_async(v)` on a lone sender; use `junction::select_async!`.
#[proc_macro]
pub fn select_async(input: TokenStream) -> TokenStream {
    expand_input(input.into(), Mode::Async).into()
}

/// Parses once, expands in `mode`; a misuse becomes the `compile_error!` that says so.
fn expand_input(input: proc_macro2::TokenStream, mode: Mode) -> proc_macro2::TokenStream {
    match syn::parse2::<parse::SelectInput>(input) {
        Ok(select) => expand::expand(&select, mode),
        Err(err) => err.to_compile_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_async_reports_the_errors_of_select() {
        for (tokens, expected) in parse::tests::misuse_cases() {
            let blocking = expand_input(tokens.clone(), Mode::Blocking).to_string();
            let awaiting = expand_input(tokens.clone(), Mode::Async).to_string();
            assert!(
                blocking.starts_with(":: core :: compile_error !") && blocking.contains(expected),
                "input `{tokens}`: `{blocking}` is not the error `{expected}`"
            );
            assert_eq!(awaiting, blocking, "input `{tokens}`");
        }
    }
}
