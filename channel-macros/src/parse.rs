//! Parsing of `select!` arms, and every compile error that teaches the grammar.
//!
//! Each error is a `syn::Error` carrying the span of the tokens at fault and a sentence
//! that says what is allowed there.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::{token, Attribute, Expr, Ident, Pat, Token};

/// The grammar, quoted by the errors that cannot point at anything narrower.
const ARM_FORMS: &str = "`recv(r) -> msg => ...`, `send(s, value) -> res => ...`, \
                         `default => ...` or `default(timeout) => ...`";

/// A whole `select!` invocation, as the facade's wrapper hands it over.
pub(crate) struct SelectInput {
    /// The path of the facade crate (`$crate` in the wrapper): every generated path
    /// starts with it.
    pub(crate) krate: TokenStream,
    /// `biased;` was given (or the call came through `select_biased!`).
    pub(crate) biased: bool,
    /// The `recv` and `send` arms, in source order.
    pub(crate) arms: Vec<OpArm>,
    /// The `default` arm, if any (at most one).
    pub(crate) default: Option<DefaultArm>,
}

/// One `recv` or `send` arm.
pub(crate) struct OpArm {
    /// The predicates of the arm's `#[cfg(...)]` attributes (all must hold).
    pub(crate) cfgs: Vec<TokenStream>,
    /// What the arm waits for.
    pub(crate) op: Op,
    /// The pattern after `->`, bound to the operation's `Result`.
    pub(crate) pat: Pat,
    /// The condition after `, if`: a false guard disables the arm for this call.
    pub(crate) guard: Option<Expr>,
    /// The expression after `=>`.
    pub(crate) body: Expr,
}

/// The operation of an arm.
pub(crate) enum Op {
    /// `recv(handle)`.
    Recv {
        /// An expression whose type is `Receiver<T>` or a reference to one.
        handle: Expr,
    },
    /// `send(handle, msg)`.
    Send {
        /// An expression whose type is `Sender<T>` or a reference to one.
        handle: Expr,
        /// The message, evaluated only if this arm is selected.
        msg: Expr,
    },
}

impl Op {
    /// The receiver or sender the operation waits on.
    pub(crate) fn handle(&self) -> &Expr {
        match self {
            Op::Recv { handle } | Op::Send { handle, .. } => handle,
        }
    }
}

/// The `default` arm.
pub(crate) struct DefaultArm {
    /// The predicates of the arm's `#[cfg(...)]` attributes (all must hold).
    pub(crate) cfgs: Vec<TokenStream>,
    /// `default(timeout)`: wait at most this long; `None` for a plain `default`.
    pub(crate) timeout: Option<Expr>,
    /// The expression after `=>`.
    pub(crate) body: Expr,
}

impl Parse for SelectInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let krate = parse_crate_path(input)?;
        let biased = input.peek(Ident) && input.peek2(Token![;]) && {
            let fork = input.fork();
            fork.call(Ident::parse_any)? == "biased"
        };
        if biased {
            input.call(Ident::parse_any)?;
            input.parse::<Token![;]>()?;
        }
        if input.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                format!("a `select!` needs at least one arm: {ARM_FORMS}"),
            ));
        }
        let mut select = SelectInput {
            krate,
            biased,
            arms: Vec::new(),
            default: None,
        };
        while !input.is_empty() {
            parse_arm(input, &mut select)?;
        }
        Ok(select)
    }
}

/// Takes the tokens up to the first `;`: the facade's path, put there by its wrapper.
fn parse_crate_path(input: ParseStream) -> syn::Result<TokenStream> {
    input.step(|cursor| {
        let mut path = TokenStream::new();
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if let TokenTree::Punct(p) = &tt {
                if p.as_char() == ';' {
                    return Ok((path, next));
                }
            }
            path.extend([tt]);
            rest = next;
        }
        Err(cursor.error(
            "this macro is called through `junction::select!` or `junction::select_biased!`, \
             which pass the crate path first (`$crate; arms...`)",
        ))
    })
}

/// Parses one arm (attributes, operation, pattern, guard, `=>`, body, separator).
fn parse_arm(input: ParseStream, select: &mut SelectInput) -> syn::Result<()> {
    let cfgs = parse_cfgs(input)?;
    if !input.peek(Ident::peek_any) {
        return Err(input.error(format!("expected an arm here: {ARM_FORMS}")));
    }
    let name = input.call(Ident::parse_any)?;
    match name.to_string().as_str() {
        "recv" => select.arms.push(parse_op_arm(input, Side::Recv, cfgs)?),
        "send" => select.arms.push(parse_op_arm(input, Side::Send, cfgs)?),
        "default" => {
            let arm = parse_default_arm(input, cfgs)?;
            if select.default.is_some() {
                return Err(syn::Error::new(
                    name.span(),
                    "a `select!` has at most one `default` arm, and this is a second one; \
                     merge the two bodies into one",
                ));
            }
            select.default = Some(arm);
        }
        "biased" => return Err(misplaced_biased(select, name.span())),
        other => {
            return Err(syn::Error::new(
                name.span(),
                format!("unknown operation `{other}`: an arm is one of {ARM_FORMS}"),
            ));
        }
    }
    Ok(())
}

/// The error for `biased` anywhere but first: given twice, or after an arm.
fn misplaced_biased(select: &SelectInput, span: Span) -> syn::Error {
    let msg = if select.biased && select.arms.is_empty() && select.default.is_none() {
        "`biased;` is given twice: `select_biased!` (or the `biased;` before this) \
         already makes the first ready arm win"
    } else {
        "`biased;` must come first, before every arm: `select! { biased; recv(r) -> msg => ... }`"
    };
    syn::Error::new(span, msg)
}

/// Parses the outer attributes of an arm; only `#[cfg(predicate)]` is allowed.
fn parse_cfgs(input: ParseStream) -> syn::Result<Vec<TokenStream>> {
    let mut cfgs = Vec::new();
    for attr in input.call(Attribute::parse_outer)? {
        if !attr.path().is_ident("cfg") {
            return Err(syn::Error::new_spanned(
                &attr,
                "only `#[cfg(...)]` attributes are allowed on a `select!` arm \
                 (it removes the arm when the predicate is false)",
            ));
        }
        match &attr.meta {
            syn::Meta::List(list) if !list.tokens.is_empty() => cfgs.push(list.tokens.clone()),
            _ => {
                return Err(syn::Error::new_spanned(
                    &attr,
                    "`#[cfg]` on a `select!` arm needs a predicate: `#[cfg(feature = \"x\")]`",
                ))
            }
        }
    }
    Ok(cfgs)
}

/// Which way an operation arm moves a message. The parser needs it only for what its
/// errors say; the expansion reads the side from [`Op`].
#[derive(Clone, Copy)]
enum Side {
    /// `recv(r) -> msg`.
    Recv,
    /// `send(s, value) -> res`.
    Send,
}

impl Side {
    /// The operation's name, as written in the arm.
    fn keyword(self) -> &'static str {
        match self {
            Side::Recv => "recv",
            Side::Send => "send",
        }
    }

    /// The whole arm, as the errors quote it.
    fn form(self) -> &'static str {
        match self {
            Side::Recv => "`recv(r) -> msg => ...`",
            Side::Send => "`send(s, value) -> res => ...`",
        }
    }

    /// What the arm's pattern is matched against, in words.
    fn result(self) -> &'static str {
        match self {
            Side::Recv => "a `recv` arm's result is `Result<T, RecvError>`",
            Side::Send => "a `send` arm's result is `Result<(), SendError<T>>`",
        }
    }

    /// Fails, pointing at the operation's parentheses, when its next argument (`what`)
    /// is missing.
    fn require(self, content: ParseStream, parens: Span, what: &str) -> syn::Result<()> {
        if !content.is_empty() {
            return Ok(());
        }
        let message = format!("`{}` needs {what}: {}", self.keyword(), self.form());
        Err(syn::Error::new(parens, message))
    }
}

/// Parses `recv(...)` or `send(...)` after its name, up to and including the separator.
fn parse_op_arm(input: ParseStream, side: Side, cfgs: Vec<TokenStream>) -> syn::Result<OpArm> {
    if !input.peek(token::Paren) {
        return Err(input.error(format!(
            "expected `(` after `{}`: an arm waiting on a channel is written {}",
            side.keyword(),
            side.form(),
        )));
    }
    let content;
    let parens = syn::parenthesized!(content in input).span.join();
    let op = match side {
        Side::Recv => parse_recv_args(&content, parens)?,
        Side::Send => parse_send_args(&content, parens)?,
    };
    let pat = parse_result_pattern(input, side)?;
    let guard = parse_guard(input)?;
    let body = parse_fat_arrow_and_body(input)?;
    Ok(OpArm {
        cfgs,
        op,
        pat,
        guard,
        body,
    })
}

/// Parses the inside of `recv(...)`: the receiver and an optional comma.
fn parse_recv_args(content: ParseStream, parens: Span) -> syn::Result<Op> {
    Side::Recv.require(content, parens, "the receiver to wait on")?;
    let handle = content.parse()?;
    finish_args(
        content,
        "`recv` takes one argument, the receiver; to wait on several receivers, \
         write one `recv` arm for each (and to send, `send(s, value)`)",
    )?;
    Ok(Op::Recv { handle })
}

/// Parses the inside of `send(...)`: the sender, a comma, the message, an optional comma.
fn parse_send_args(content: ParseStream, parens: Span) -> syn::Result<Op> {
    Side::Send.require(content, parens, "a sender and the message to send")?;
    let handle = content.parse()?;
    let comma: Option<Token![,]> = content.parse()?;
    Side::Send.require(content, parens, "the message to send after the sender")?;
    if comma.is_none() {
        return Err(content.error(format!(
            "expected `,` between the sender and the message: {}",
            Side::Send.form()
        )));
    }
    let msg = content.parse()?;
    finish_args(
        content,
        "`send` takes two arguments, the sender and the message",
    )?;
    Ok(Op::Send { handle, msg })
}

/// Parses `-> pattern` after an operation, rejecting patterns that cannot match.
fn parse_result_pattern(input: ParseStream, side: Side) -> syn::Result<Pat> {
    if !input.peek(Token![->]) {
        let what = if input.peek(Token![=>]) {
            "found `=>`"
        } else {
            "found something else"
        };
        return Err(input.error(format!(
            "expected `->` and a pattern after `{}(...)` ({what}): write {}, \
             or `-> _` to ignore the result",
            side.keyword(),
            side.form(),
        )));
    }
    input.parse::<Token![->]>()?;
    if input.peek(Token![=>]) || input.is_empty() {
        return Err(input.error(
            "expected a pattern after `->`: a name such as `msg`, or `_` to ignore the result",
        ));
    }
    let pat = Pat::parse_multi_with_leading_vert(input)?;
    check_irrefutable(&pat, side)?;
    Ok(pat)
}

/// After the last argument of an operation: an optional trailing comma, then nothing.
fn finish_args(content: ParseStream, what: &str) -> syn::Result<()> {
    if content.peek(Token![,]) {
        content.parse::<Token![,]>()?;
    }
    if !content.is_empty() {
        return Err(content.error(what));
    }
    Ok(())
}

/// Parses `default`'s optional `(timeout)`, then `=>` and the body.
fn parse_default_arm(input: ParseStream, cfgs: Vec<TokenStream>) -> syn::Result<DefaultArm> {
    const TIMEOUT: &str = "expected a timeout inside `default(...)`: one expression of type \
                           `std::time::Duration`, such as `default(Duration::from_millis(100))`";
    let mut timeout = None;
    if input.peek(token::Paren) {
        let content;
        let parens = syn::parenthesized!(content in input);
        if !content.is_empty() {
            let not_a_timeout = || syn::Error::new(parens.span.join(), TIMEOUT);
            let expr = content.parse::<Expr>().map_err(|_| not_a_timeout())?;
            if content.peek(Token![,]) {
                content.parse::<Token![,]>()?;
            }
            if !content.is_empty() {
                return Err(not_a_timeout());
            }
            timeout = Some(expr);
        }
    }
    if input.peek(Token![->]) {
        return Err(
            input.error("`default` has no result to bind: write `default => ...` without `->`")
        );
    }
    if input.peek(Token![if]) || (input.peek(Token![,]) && input.peek2(Token![if])) {
        return Err(input.error(
            "`default` cannot have a guard: it runs when no other arm is ready; \
             put the condition inside its body",
        ));
    }
    let body = parse_fat_arrow_and_body(input)?;
    Ok(DefaultArm {
        cfgs,
        timeout,
        body,
    })
}

/// Parses an optional `, if condition` after the pattern.
fn parse_guard(input: ParseStream) -> syn::Result<Option<Expr>> {
    if input.peek(Token![if]) {
        return Err(
            input.error("a guard comes after a comma: `recv(r) -> msg, if condition => ...`")
        );
    }
    if input.peek(Token![,]) && input.peek2(Token![if]) {
        input.parse::<Token![,]>()?;
        input.parse::<Token![if]>()?;
        if input.peek(Token![=>]) {
            return Err(input.error("expected a condition after `if`"));
        }
        return Ok(Some(input.parse()?));
    }
    Ok(None)
}

/// Parses `=> body` and the separator after it (a comma, optional after a block-like
/// body and after the last arm).
fn parse_fat_arrow_and_body(input: ParseStream) -> syn::Result<Expr> {
    if !input.peek(Token![=>]) {
        return Err(input.error(
            "expected `=>` and the arm's body here: `recv(r) -> msg => body`; \
             a guard is written `-> msg, if condition =>`",
        ));
    }
    input.parse::<Token![=>]>()?;
    if input.is_empty() || input.peek(Token![,]) {
        return Err(input.error("expected the arm's body (an expression) after `=>`"));
    }
    let body = parse_body(input)?;
    if input.is_empty() {
        return Ok(body);
    }
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
        return Ok(body);
    }
    if input.peek(Token![;]) {
        return Err(input.error(
            "expected `,` after the arm's body, found `;`: arms are separated by commas \
             (put several statements in a block: `=> { a(); b() }`)",
        ));
    }
    if is_block_like(&body) {
        return Ok(body);
    }
    Err(input.error("expected `,` after the arm's body, before the next arm"))
}

/// Parses an arm's body. As with crossbeam-channel's `$body:expr,`, a whole expression
/// followed by a comma (or the end) is taken first, so `{ a }.len(),` is one body;
/// otherwise the body ends where a match arm's would (after a block, `if`, `match`...).
fn parse_body(input: ParseStream) -> syn::Result<Expr> {
    let fork = input.fork();
    if let Ok(expr) = fork.parse::<Expr>() {
        if fork.is_empty() || fork.peek(Token![,]) {
            input.advance_to(&fork);
            return Ok(expr);
        }
    }
    Expr::parse_with_earlier_boundary_rule(input)
}

/// Whether an arm's body may be followed by the next arm without a comma.
fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Block(_)
            | Expr::Unsafe(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::While(_)
            | Expr::Loop(_)
            | Expr::ForLoop(_)
            | Expr::TryBlock(_)
            | Expr::Const(_)
    )
}

/// Rejects patterns that visibly cannot match every `Result` an arm produces.
fn check_irrefutable(pat: &Pat, side: Side) -> syn::Result<()> {
    match refutable_part(pat) {
        None => Ok(()),
        Some(bad) => Err(syn::Error::new_spanned(
            bad,
            format!(
                "this pattern does not match every result: {}; bind it with a name \
                 such as `msg` (or `_`) and look inside it in the body, e.g. \
                 `-> msg => if let Ok(m) = msg {{ ... }}`",
                side.result(),
            ),
        )),
    }
}

/// The part of `pat` that is refutable for sure, judged from its syntax alone.
fn refutable_part(pat: &Pat) -> Option<&Pat> {
    let variant = |path: &syn::Path| {
        path.segments
            .last()
            .is_some_and(|s| matches!(s.ident.to_string().as_str(), "Ok" | "Err" | "Some" | "None"))
    };
    match pat {
        Pat::Lit(_) | Pat::Range(_) => Some(pat),
        Pat::TupleStruct(p) if variant(&p.path) => Some(pat),
        Pat::Path(p) if variant(&p.path) => Some(pat),
        Pat::Struct(p) if variant(&p.path) => Some(pat),
        Pat::Ident(p) => p.subpat.as_ref().and_then(|(_, sub)| refutable_part(sub)),
        Pat::Paren(p) => refutable_part(&p.pat),
        Pat::Type(p) => refutable_part(&p.pat),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use quote::quote;

    fn parse(tokens: TokenStream) -> syn::Result<SelectInput> {
        syn::parse2(tokens)
    }

    fn error(tokens: TokenStream) -> String {
        match parse(tokens) {
            Ok(_) => panic!("parsed, but an error was expected"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_form_parses() {
        let s = parse(quote! { krate; biased;
            recv(r) -> msg => a,
            recv(&r,) -> _ => { b }
            send(s, v) -> res, if ready => c(),
            #[cfg(feature = "x")] send(&s, v.clone(),) -> _ => if x { y } else { z }
            recv(opt.unwrap_or(&never())) -> mut m => m,
            default(Duration::from_millis(10)) => d,
        })
        .unwrap();
        assert!(s.biased);
        assert_eq!(s.krate.to_string(), "krate");
        assert_eq!(s.arms.len(), 5);
        assert!(s.arms[2].guard.is_some());
        assert_eq!(s.arms[3].cfgs.len(), 1);
        assert!(matches!(s.arms[2].op, Op::Send { .. }));
        assert!(s.default.as_ref().unwrap().timeout.is_some());
    }

    #[test]
    fn bodies_follow_crossbeam_boundaries() {
        // a block followed by a method call is one expression when a comma follows
        let s = parse(quote! { k; recv(r) -> m => { a }.len(), default => {} }).unwrap();
        assert!(matches!(s.arms[0].body, Expr::MethodCall(_)));
        // block-like bodies need no comma
        let s = parse(quote! { k;
            recv(r) -> m => match m { _ => () }
            recv(r) -> m => if c { 1 } else { 2 }
            default() => {}
        })
        .unwrap();
        assert_eq!(s.arms.len(), 2);
        assert!(s.default.unwrap().timeout.is_none());
    }

    #[test]
    fn without_biased_and_with_default_anywhere() {
        let s = parse(quote! { k; default => 0, recv(r) -> m => 1 }).unwrap();
        assert!(!s.biased);
        assert_eq!(s.arms.len(), 1);
        assert!(s.default.is_some());
    }

    /// Misuses, each with a part of the error that explains it.
    pub(crate) fn misuse_cases() -> Vec<(TokenStream, &'static str)> {
        vec![
            (quote! { k; }, "needs at least one arm"),
            (quote! { k; biased; }, "needs at least one arm"),
            (
                quote! { k; default => 1, default => 2 },
                "at most one `default`",
            ),
            (quote! { k; default, if x => 1 }, "cannot have a guard"),
            (quote! { k; default if x => 1 }, "cannot have a guard"),
            (quote! { k; default -> x => 1 }, "no result to bind"),
            (
                quote! { k; recieve(r) -> m => 1 },
                "unknown operation `recieve`",
            ),
            (quote! { k; recv(r) => 1 }, "expected `->`"),
            (quote! { k; recv r -> m => 1 }, "expected `(` after `recv`"),
            (quote! { k; recv() -> m => 1 }, "needs the receiver"),
            (
                quote! { k; recv(a, b) -> m => 1 },
                "one `recv` arm for each",
            ),
            (quote! { k; recv(r) -> m 1 }, "expected `=>`"),
            (quote! { k; recv(r) -> => 1 }, "expected a pattern"),
            (
                quote! { k; recv(r) -> m => a(); recv(r) -> m => 1 },
                "found `;`",
            ),
            (
                quote! { k; recv(r) -> m => {}; recv(r) -> m => 1 },
                "found `;`",
            ),
            (
                quote! { k; recv(r) -> m => a recv(r) -> m => 1 },
                "expected `,`",
            ),
            (quote! { k; recv(r) -> m if c => 1 }, "after a comma"),
            (quote! { k; send(s) -> m => 1 }, "needs the message"),
            (quote! { k; send(s,) -> m => 1 }, "needs the message"),
            (quote! { k; send() -> m => 1 }, "needs a sender"),
            (quote! { k; send(s v) -> m => 1 }, "expected `,` between"),
            (quote! { k; default(1 second) => 1 }, "expected a timeout"),
            (quote! { k; default(=>) => 1 }, "expected a timeout"),
            (
                quote! { k; #[inline] recv(r) -> m => 1 },
                "only `#[cfg(...)]`",
            ),
            (quote! { k; #[cfg] recv(r) -> m => 1 }, "needs a predicate"),
            (quote! { k; recv(r) -> m => 1, biased; }, "must come first"),
            (
                quote! { k; biased; biased; recv(r) -> m => 1 },
                "given twice",
            ),
            (
                quote! { k; recv(r) -> Ok(m) => 1 },
                "does not match every result",
            ),
            (
                quote! { k; send(s, v) -> Err(e) => 1 },
                "`send` arm's result",
            ),
            (
                quote! { k; recv(r) -> 3 => 1 },
                "does not match every result",
            ),
            (
                quote! { k; recv(r) -> x @ Ok(_) => 1 },
                "does not match every result",
            ),
            (quote! { k; 5 => 1 }, "expected an arm"),
            (quote! { no crate path }, "pass the crate path first"),
        ]
    }

    #[test]
    fn misuse_is_explained() {
        for (tokens, expected) in misuse_cases() {
            let msg = error(tokens.clone());
            assert!(
                msg.contains(expected),
                "input `{tokens}`: error `{msg}` lacks `{expected}`"
            );
        }
    }

    #[test]
    fn irrefutable_patterns_are_accepted() {
        for pat in [
            quote!(msg),
            quote!(_),
            quote!(mut m),
            quote!(ref m),
            quote!(m @ _),
            quote!(Ok(_) | Err(_)),
        ] {
            parse(quote! { k; recv(r) -> #pat => 1 }).unwrap();
        }
    }
}
