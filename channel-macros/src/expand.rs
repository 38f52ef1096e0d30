//! Code generation for `select!`.
//!
//! A `select!` with exactly one operation, no guard and no `#[cfg]` becomes the direct
//! call (`recv`, `try_recv`, `recv_timeout`, and for a send whose message cannot be seen
//! being evaluated, `send`, `try_send`, `send_timeout`). Everything else becomes
//! straight-line code around one `SelectArray` (a `Select` of exactly the arms'
//! operations, on the stack), with no recursion and no nesting that grows
//! with the number of arms:
//!
//! ```text
//! {
//!     let __guard1: bool = GUARD1;                    // guards, in source order
//!     match (&(H0), (if __guard1 { Some(&(H1)) } else { None }), ...) {
//!         (__handle0, __handle1, ...) => {            // temporaries of H0 live here
//!             let __handle0: &Receiver<_> = __handle0;
//!             let __index0; let __index1;
//!             let __outcome = {                       // Select lives only in here
//!                 let mut __sel = SelectArray::<'_, N>::new(); // N: the arms
//!                 __index0 = __sel.recv(__handle0);
//!                 __index1 = match __handle1 { Some(h) => Some(__sel.send(h)), None => None };
//!                 let __o = __sel.select();           // or try_select / select_timeout
//!                 Some((__o.index(), ManuallyDrop::new(__o)))
//!             };
//!             match __outcome {
//!                 Some((__i, __oper)) => match __i {
//!                     __i if __i == __index0 => {
//!                         let __oper = ManuallyDrop::into_inner(__oper);
//!                         let PAT0 = __oper.recv(__handle0);
//!                         BODY0
//!                     }
//!                     __i if Some(__i) == __index1 => { let PAT1 = __oper.send(h, MSG1); BODY1 }
//!                     _ => unreachable,
//!                 },
//!                 None => DEFAULT_BODY,
//!             }
//!         }
//!     }
//! }
//! ```
//!
//! A guarded arm whose handle is a call (`after(d)`, `make()`) keeps the call's value in
//! the tuple instead, `if __guard1 { Some(H1) } else { None }`, and views it through
//! `Borrow<Receiver<_>>`, so an owned handle lives through the `select!`.
//!
//! An arm under `#[cfg(p)]` puts `#[cfg(p)]` on each of its pieces; its tuple element
//! is paired with `#[cfg(not(p))] ()` so the tuple pattern keeps its shape. Every name
//! the expansion introduces has mixed-site hygiene: user code can neither see nor
//! shadow it.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident};

use crate::parse::{DefaultArm, Op, OpArm, SelectInput};

const ALL_DISABLED: &str = "select!: every arm is disabled (its guard is false or #[cfg] \
                            removed it) and there is no `default` arm, so it could never finish";
const NO_ARM: &str = "select!: the selected operation matches no arm (a bug in junction)";

/// The expansion of one `select!`.
pub(crate) fn expand(select: &SelectInput) -> TokenStream {
    let code = direct_call(select).unwrap_or_else(|| with_select(select));
    quote!({ #code })
}

/// A hygienic name for the expansion's own variables.
fn name(text: &str) -> Ident {
    Ident::new(text, Span::mixed_site())
}

/// A hygienic name that reports errors at the user's `span` (e.g. a handle's type).
fn name_at(text: &str, span: Span) -> Ident {
    Ident::new(text, Span::mixed_site().located_at(span))
}

/// `#[cfg(all(p...))]` for an arm's predicates, nothing when it has none.
fn cfg_on(cfgs: &[TokenStream]) -> TokenStream {
    if cfgs.is_empty() {
        TokenStream::new()
    } else {
        quote!(#[cfg(all(#(#cfgs),*))])
    }
}

/// `#[cfg(not(all(p...)))]`: the arm is removed; `None` when it cannot be.
fn cfg_off(cfgs: &[TokenStream]) -> Option<TokenStream> {
    (!cfgs.is_empty()).then(|| quote!(#[cfg(not(all(#(#cfgs),*)))]))
}

/// `&(expr)`, spanned at the expression so type errors point at it.
fn borrow(expr: &Expr) -> TokenStream {
    quote_spanned!(expr.span()=> &(#expr))
}

/// The arm's pattern as a `let` accepts it: a top-level or-pattern needs parentheses.
fn let_pattern(pat: &syn::Pat) -> TokenStream {
    match pat {
        syn::Pat::Or(_) => quote!((#pat)),
        _ => quote!(#pat),
    }
}

/// Whether evaluating `msg` before the operation is ready cannot be observed, and so
/// the direct call may evaluate it first. `moves_ok`: a plain path (a variable, a
/// constant, a unit struct) is fine as well, which holds when nothing else could use
/// the variable after it moved (no `default` arm).
fn evaluation_invisible(msg: &Expr, moves_ok: bool) -> bool {
    match msg {
        Expr::Lit(_) => true,
        Expr::Tuple(t) => t.elems.is_empty(),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Neg(_)) && matches!(*u.expr, Expr::Lit(_)),
        Expr::Path(_) => moves_ok,
        Expr::Paren(p) => evaluation_invisible(&p.expr, moves_ok),
        _ => false,
    }
}

/// The direct-call forms of a single unguarded, unconditional operation.
fn direct_call(select: &SelectInput) -> Option<TokenStream> {
    let (arm, default) = lone_operation(select)?;
    if let Op::Send { msg, .. } = &arm.op {
        if !evaluation_invisible(msg, default.is_none()) {
            return None;
        }
    }
    let krate = &select.krate;
    let p = quote!(#krate::__private);
    let h = name("__handle");
    let (pat, body) = (let_pattern(&arm.pat), &arm.body);
    let call = match default {
        None => {
            let wait = wait_call(&h, &arm.op);
            quote! {
                let #pat = #wait;
                #body
            }
        }
        Some(default) => attempt_or_default(&p, &h, arm, default),
    };
    let handle = arm.op.handle();
    let (h_at, ty) = (name_at("__handle", handle.span()), handle_type(&p, &arm.op));
    let borrowed = borrow(handle);
    Some(quote! {
        match #borrowed {
            #h => {
                let #h: &#ty = #h_at;
                #call
            }
        }
    })
}

/// The arm and the default of a `select!` that is one operation, with no guard and no
/// `#[cfg]` anywhere.
fn lone_operation(select: &SelectInput) -> Option<(&OpArm, Option<&DefaultArm>)> {
    let [arm] = select.arms.as_slice() else {
        return None;
    };
    if arm.guard.is_some() || !arm.cfgs.is_empty() {
        return None;
    }
    match &select.default {
        Some(d) if !d.cfgs.is_empty() => None,
        d => Some((arm, d.as_ref())),
    }
}

/// `Receiver<_>` or `Sender<_>`: what an arm's handle must be a reference to.
fn handle_type(p: &TokenStream, op: &Op) -> TokenStream {
    match op {
        Op::Recv { .. } => quote!(#p::Receiver<_>),
        Op::Send { .. } => quote!(#p::Sender<_>),
    }
}

/// The single operation's waiting call on `h`: `h.recv()` or `h.send(msg)`.
fn wait_call(h: &Ident, op: &Op) -> TokenStream {
    match op {
        Op::Recv { .. } => quote!(#h.recv()),
        Op::Send { msg, .. } => quote!(#h.send(#msg)),
    }
}

/// The single operation tried now (`default`) or for a while (`default(t)`): the
/// default body when it was not ready, else the arm with the result the waiting call
/// would have given.
fn attempt_or_default(
    p: &TokenStream,
    h: &Ident,
    arm: &OpArm,
    default: &DefaultArm,
) -> TokenStream {
    let (res, m) = (name("__res"), name("__m"));
    let (pat, body, default_body) = (let_pattern(&arm.pat), &arm.body, &default.body);
    let (attempt, not_ready) = attempt_call(p, h, &arm.op, default.timeout.as_ref());
    let as_waited = match &arm.op {
        Op::Recv { .. } => quote! {
            #p::Result::Ok(#m) => #p::Result::Ok(#m),
            #p::Result::Err(_) => #p::Result::Err(#p::RecvError),
        },
        Op::Send { .. } => quote! {
            #p::Result::Ok(()) => #p::Result::Ok(()),
            #p::Result::Err(#m) => {
                #p::Result::Err(#p::SendError(#m.into_inner()))
            }
        },
    };
    quote! {
        match #attempt {
            #p::Result::Err(#not_ready) => { #default_body }
            #res => {
                let #pat = match #res { #as_waited };
                #body
            }
        }
    }
}

/// The non-blocking (no `timeout`) or timed call on `h`, and the pattern of its error
/// that means "not ready in time".
fn attempt_call(
    p: &TokenStream,
    h: &Ident,
    op: &Op,
    timeout: Option<&Expr>,
) -> (TokenStream, TokenStream) {
    match (op, timeout) {
        (Op::Recv { .. }, None) => (quote!(#h.try_recv()), quote!(#p::TryRecvError::Empty)),
        (Op::Recv { .. }, Some(t)) => (
            quote!(#h.recv_timeout(#t)),
            quote!(#p::RecvTimeoutError::Timeout),
        ),
        (Op::Send { msg, .. }, None) => {
            (quote!(#h.try_send(#msg)), quote!(#p::TrySendError::Full(_)))
        }
        (Op::Send { msg, .. }, Some(t)) => (
            quote!(#h.send_timeout(#msg, #t)),
            quote!(#p::SendTimeoutError::Timeout(_)),
        ),
    }
}

/// The pieces one arm contributes to the general expansion.
#[derive(Default)]
struct Pieces {
    /// `let __guardK: bool = GUARD;`
    guards: TokenStream,
    /// The scrutinee tuple's elements.
    elems: TokenStream,
    /// The tuple pattern's bindings.
    binds: TokenStream,
    /// `let __handleK: &Receiver<_> = __handleK;`
    checks: TokenStream,
    /// `let __indexK;`, declared outside the block that owns `__sel`.
    indices: TokenStream,
    /// `__indexK = __sel.recv(__handleK);`
    registers: TokenStream,
    /// Statements that set `__enabled` when an arm takes part.
    enables: TokenStream,
    /// Whether some arm always takes part (no guard, no cfg).
    always_enabled: bool,
    /// The arms of the `match` on the selected index.
    dispatch: TokenStream,
}

impl Pieces {
    fn add(&mut self, p: &TokenStream, k: usize, arm: &OpArm) {
        let on = cfg_on(&arm.cfgs);
        let (handle, ty, register) = match &arm.op {
            Op::Recv { handle } => (handle, quote!(#p::Receiver<_>), quote!(recv)),
            Op::Send { handle, .. } => (handle, quote!(#p::Sender<_>), quote!(send)),
        };
        let h = format_ident!("__handle{}", k, span = Span::mixed_site());
        let i = format_ident!("__index{}", k, span = Span::mixed_site());
        let (sel, oper, idx, one) = (name("__sel"), name("__oper"), name("__i"), name("__h"));
        let (pat, body) = (let_pattern(&arm.pat), &arm.body);
        let borrowed = borrow(handle);
        let complete = match &arm.op {
            Op::Recv { .. } => quote!(#oper.recv(#one)),
            Op::Send { msg, .. } => quote!(#oper.send(#one, #msg)),
        };
        let enabled = name("__enabled");
        match &arm.guard {
            None => {
                let h_at = name_at(&h.to_string(), handle.span());
                self.elems.extend(quote!(#on #borrowed,));
                self.checks.extend(quote!(#on let #h: &#ty = #h_at;));
                self.indices.extend(quote!(#on let #i;));
                self.registers
                    .extend(quote!(#on { #i = #sel.#register(#h); }));
                if arm.cfgs.is_empty() {
                    self.always_enabled = true;
                } else {
                    self.enables.extend(quote!(#on { #enabled = true; }));
                }
                self.dispatch.extend(quote! {
                    #on #idx if #idx == #i => {
                        let #oper = #p::ManuallyDrop::into_inner(#oper);
                        let #one = #h;
                        let #pat = #complete;
                        #body
                    }
                });
            }
            Some(guard) => {
                let g = format_ident!("__guard{}", k, span = Span::mixed_site());
                let guard_span = guard.span();
                self.guards
                    .extend(quote_spanned!(guard_span=> #on let #g: #p::bool = #guard;));
                let x = name("__x");
                let x_at = name_at("__x", handle.span());
                if matches!(handle, Expr::Call(_) | Expr::MethodCall(_)) {
                    // A call's value (never a place, so nothing is moved) is kept in the
                    // tuple by value: the temporary of a conditional expression would end
                    // with the `if`, an owned `after(d)` must live through the select.
                    // `Borrow` then views it, owned or a reference, as `&Receiver<_>`.
                    self.elems.extend(quote! {
                        #on (if #g { #p::Option::Some(#handle) } else { #p::Option::None }),
                    });
                    self.checks.extend(quote! {
                        #on let #h: #p::Option<&#ty> = match &#h {
                            #p::Option::Some(#x) => #p::Option::Some(#p::Borrow::borrow(#x_at)),
                            #p::Option::None => #p::Option::None,
                        };
                    });
                } else {
                    // The handle is borrowed as a match scrutinee, where no expected type
                    // reaches it (a block such as `{ log(); &r }` must not be checked
                    // against `Receiver<_>`), then coerced to `&Receiver<_>`.
                    self.elems.extend(quote! {
                        #on (if #g {
                            match #borrowed { #x => #p::Option::<&#ty>::Some(#x_at) }
                        } else {
                            #p::Option::None
                        }),
                    });
                }
                self.indices.extend(quote!(#on let #i;));
                self.registers.extend(quote! {
                    #on {
                        #i = match #h {
                            #p::Option::Some(#one) => #p::Option::Some(#sel.#register(#one)),
                            #p::Option::None => #p::Option::None,
                        };
                    }
                });
                self.enables
                    .extend(quote!(#on { if #g { #enabled = true; } }));
                self.dispatch.extend(quote! {
                    #on #idx if #p::Option::Some(#idx) == #i => {
                        let #oper = #p::ManuallyDrop::into_inner(#oper);
                        let #one = match #h {
                            #p::Option::Some(#one) => #one,
                            #p::Option::None => #p::panic!(#NO_ARM),
                        };
                        let #pat = #complete;
                        #body
                    }
                });
            }
        }
        if let Some(off) = cfg_off(&arm.cfgs) {
            self.elems.extend(quote!(#off (),));
        }
        self.binds.extend(quote!(#h,));
    }
}

/// The general expansion around one `Select` (see the module comment).
fn with_select(select: &SelectInput) -> TokenStream {
    let krate = &select.krate;
    let p = quote!(#krate::__private);
    let mut pieces = Pieces::default();
    for (k, arm) in select.arms.iter().enumerate() {
        pieces.add(&p, k, arm);
    }
    let Pieces {
        guards,
        elems,
        binds,
        checks,
        indices,
        registers,
        enables,
        always_enabled,
        dispatch,
    } = pieces;
    let (sel, oper, idx, o, outcome, enabled) = (
        name("__sel"),
        name("__oper"),
        name("__i"),
        name("__o"),
        name("__outcome"),
        name("__enabled"),
    );
    // The selection holds exactly the arms' operations, on the stack.
    let arms = select.arms.len();
    let new = if select.biased {
        quote!(new_biased)
    } else {
        quote!(new)
    };
    // Blocking selection, which must not start when every arm is disabled.
    let blocking_check = if always_enabled {
        TokenStream::new()
    } else {
        quote! {
            #[allow(unused_mut)]
            let mut #enabled = false;
            #enables
            if !#enabled {
                #p::panic!(#ALL_DISABLED);
            }
        }
    };
    let blocking = quote! {{
        #blocking_check
        let #o = #sel.select();
        #outcome = #p::Option::Some((#o.index(), #p::ManuallyDrop::new(#o)));
    }};
    let unreachable_none = quote!(#p::Option::None => #p::panic!(#NO_ARM),);
    let (attempts, none_arms) = match &select.default {
        None => (blocking, unreachable_none),
        Some(default) => {
            let (on, off) = (cfg_on(&default.cfgs), cfg_off(&default.cfgs));
            let attempt = match &default.timeout {
                None => quote!(#sel.try_select()),
                Some(t) => quote!(#sel.select_timeout(#t)),
            };
            let default_body = &default.body;
            let mut attempts = quote! {
                #on {
                    #outcome = match #attempt {
                        #p::Result::Ok(#o) => {
                            #p::Option::Some((#o.index(), #p::ManuallyDrop::new(#o)))
                        }
                        #p::Result::Err(_) => #p::Option::None,
                    };
                }
            };
            let mut none_arms = quote!(#on #p::Option::None => { #default_body });
            if let Some(off) = off {
                attempts.extend(quote!(#off #blocking));
                none_arms.extend(quote!(#off #unreachable_none));
            }
            (attempts, none_arms)
        }
    };
    // `__sel` and the `SelectedOperation` borrowed for its index live only inside the
    // block, and the operation leaves it in a `ManuallyDrop` (taken out again first
    // thing in its arm), so `__outcome` has no drop glue: nothing `!Send` stays alive
    // while a body runs, or awaits in an `async fn`.
    quote! {
        #guards
        match (#elems) {
            (#binds) => {
                #checks
                #indices
                let #outcome = {
                    #[allow(unused_mut)]
                    let mut #sel = #p::SelectArray::<'_, #arms>::#new();
                    #registers
                    let #outcome;
                    #attempts
                    #outcome
                };
                match #outcome {
                    #p::Option::Some((#idx, #oper)) => match #idx {
                        #dispatch
                        _ => #p::panic!(#NO_ARM),
                    },
                    #none_arms
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn expand_str(tokens: TokenStream) -> String {
        let input: SelectInput = syn::parse2(tokens).unwrap();
        expand(&input).to_string()
    }

    #[test]
    fn single_recv_is_the_direct_call() {
        let out = expand_str(quote! { jx; recv(r) -> m => m });
        assert!(out.contains(". recv ()"), "{out}");
        assert!(!out.contains("Select"), "{out}");
        let out = expand_str(quote! { jx; recv(r) -> m => m, default => 0 });
        assert!(out.contains("try_recv"), "{out}");
        let out = expand_str(quote! { jx; recv(r) -> m => m, default(t) => 0 });
        assert!(out.contains("recv_timeout (t)"), "{out}");
    }

    #[test]
    fn single_send_is_direct_only_when_the_message_is_invisible() {
        let out = expand_str(quote! { jx; send(s, v) -> m => m });
        assert!(
            out.contains(". send (v)") && !out.contains("Select"),
            "{out}"
        );
        let out = expand_str(quote! { jx; send(s, ()) -> m => m, default => 0 });
        assert!(out.contains("try_send (())"), "{out}");
        let out = expand_str(quote! { jx; send(s, -1) -> m => m, default(t) => 0 });
        assert!(out.contains("send_timeout (- 1 , t)"), "{out}");
        // a variable could be used by the default arm: it must not move early
        let out = expand_str(quote! { jx; send(s, v) -> m => m, default => drop(v) });
        assert!(out.contains("SelectArray"), "{out}");
        // a call's side effects must happen only once the send is ready
        let out = expand_str(quote! { jx; send(s, make()) -> m => m });
        assert!(out.contains("SelectArray"), "{out}");
    }

    #[test]
    fn guards_and_cfgs_use_select() {
        let out = expand_str(quote! { jx; recv(r) -> m, if c => m });
        assert!(
            out.contains("SelectArray") && out.contains("panic"),
            "{out}"
        );
        let out = expand_str(quote! { jx; #[cfg(x)] recv(r) -> m => m });
        assert!(out.contains("cfg (not (all (x)))"), "{out}");
    }

    #[test]
    fn biased_uses_new_biased() {
        let out = expand_str(quote! { jx; biased; recv(a) -> m => m, recv(b) -> m => m });
        assert!(out.contains("new_biased ()"), "{out}");
        assert!(out.contains("jx :: __private :: Select"), "{out}");
    }

    #[test]
    fn many_arms_expand_flat() {
        let arms: Vec<TokenStream> = (0..100).map(|_| quote!(recv(r) -> m => m,)).collect();
        let out = expand_str(quote! { jx; #(#arms)* });
        // one registration and one dispatch arm each, no nesting per arm
        assert_eq!(out.matches(". recv (__h)").count(), 100);
        assert_eq!(out.matches("match ").count(), 3);
    }
}
