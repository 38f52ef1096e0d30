//! Code generation for `select!` and `select_async!`.
//!
//! One parsed `select!` expands in either [`Mode`]: blocking, for `select!`, or async,
//! for `select_async!`. The two write the same code except where it waits, and every
//! such place is a method of `Mode`: the selection (`select()` or
//! `select_async().await`, `select_timeout(t)` or `select_timeout_async(t).await`;
//! `try_select()` in both) and the lone operation's call below.
//!
//! A `select!` with exactly one operation, no guard and no `#[cfg]` becomes the direct
//! call (`recv`, `try_recv`, `recv_timeout`, and for a send whose message cannot be seen
//! being evaluated, `send`, `try_send`, `send_timeout`; async: `recv_async().await`,
//! `try_recv`, `send_async(v).await`, `try_send`, and a `default(t)` goes through the
//! `SelectArray`, as handles have no timed futures). Everything else becomes
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
//!                 let __o = __sel.select();           // or try_select, select_timeout,
//!                                                     // select_async().await, ...
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

/// The expansion of one `select!` (`Mode::Blocking`) or `select_async!` (`Mode::Async`).
pub(crate) fn expand(select: &SelectInput, mode: Mode) -> TokenStream {
    let code = direct_call(select, mode).unwrap_or_else(|| with_select(select, mode));
    quote!({ #code })
}

/// How the expansion waits: the one thing in which `select!` and `select_async!` differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `select!`: the thread blocks.
    Blocking,
    /// `select_async!`: the enclosing async fn or block awaits.
    Async,
}

impl Mode {
    /// Waits for the selection `sel`: a `SelectedOperation`.
    fn select(self, sel: &Ident) -> TokenStream {
        match self {
            Mode::Blocking => quote!(#sel.select()),
            Mode::Async => quote!(#sel.select_async().await),
        }
    }

    /// Waits for the selection `sel` at most `timeout`:
    /// `Result<SelectedOperation, SelectTimeoutError>`.
    fn select_timeout(self, sel: &Ident, timeout: &Expr) -> TokenStream {
        match self {
            Mode::Blocking => quote!(#sel.select_timeout(#timeout)),
            Mode::Async => quote!(#sel.select_timeout_async(#timeout).await),
        }
    }

    /// Waits for a lone operation on its handle `h`: `Result<T, RecvError>` or
    /// `Result<(), SendError<T>>`.
    fn wait(self, h: &Ident, op: &Op) -> TokenStream {
        match (self, op) {
            (Mode::Blocking, Op::Recv { .. }) => quote!(#h.recv()),
            (Mode::Blocking, Op::Send { msg, .. }) => quote!(#h.send(#msg)),
            (Mode::Async, Op::Recv { .. }) => quote!(#h.recv_async().await),
            (Mode::Async, Op::Send { msg, .. }) => quote!(#h.send_async(#msg).await),
        }
    }

    /// Whether a lone operation with `default(t)` is a timed call on its handle
    /// (`recv_timeout`, `send_timeout`). Handles have no timed futures, so an async
    /// expansion selects with a timeout instead.
    fn has_timed_calls(self) -> bool {
        self == Mode::Blocking
    }
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
fn direct_call(select: &SelectInput, mode: Mode) -> Option<TokenStream> {
    let (arm, default) = lone_operation(select, mode)?;
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
            let wait = mode.wait(&h, &arm.op);
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
/// `#[cfg]` anywhere, and no timeout unless `mode` has timed calls.
fn lone_operation(select: &SelectInput, mode: Mode) -> Option<(&OpArm, Option<&DefaultArm>)> {
    let [arm] = select.arms.as_slice() else {
        return None;
    };
    if arm.guard.is_some() || !arm.cfgs.is_empty() {
        return None;
    }
    match &select.default {
        Some(d) if !d.cfgs.is_empty() => None,
        Some(d) if d.timeout.is_some() && !mode.has_timed_calls() => None,
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

/// What the pieces of one arm name.
struct ArmNames<'a> {
    /// The path to the facade's private items.
    p: &'a TokenStream,
    /// The arm as parsed.
    arm: &'a OpArm,
    /// The arm's `#[cfg(all(...))]`, or nothing.
    on: TokenStream,
    /// `Receiver<_>` or `Sender<_>`.
    ty: TokenStream,
    /// The `SelectArray` method that registers the operation: `recv` or `send`.
    register: Ident,
    /// `__handleK`: the borrowed handle (an `Option` of it when guarded).
    h: Ident,
    /// `__indexK`: the operation's index in the selection (an `Option` when guarded).
    i: Ident,
}

impl Pieces {
    /// Adds the pieces of arm number `k`.
    fn add(&mut self, p: &TokenStream, k: usize, arm: &OpArm) {
        let register = match &arm.op {
            Op::Recv { .. } => "recv",
            Op::Send { .. } => "send",
        };
        let a = ArmNames {
            p,
            arm,
            on: cfg_on(&arm.cfgs),
            ty: handle_type(p, &arm.op),
            register: Ident::new(register, Span::call_site()),
            h: format_ident!("__handle{}", k, span = Span::mixed_site()),
            i: format_ident!("__index{}", k, span = Span::mixed_site()),
        };
        let (on, h, i) = (&a.on, &a.h, &a.i);
        self.indices.extend(quote!(#on let #i;));
        match &arm.guard {
            None => self.add_unguarded(&a),
            Some(guard) => self.add_guarded(&a, k, guard),
        }
        if let Some(off) = cfg_off(&arm.cfgs) {
            self.elems.extend(quote!(#off (),));
        }
        self.binds.extend(quote!(#h,));
    }

    /// An arm without a guard: its handle is borrowed and registered as it is.
    fn add_unguarded(&mut self, a: &ArmNames) {
        let ArmNames {
            on,
            ty,
            h,
            i,
            register,
            ..
        } = a;
        let handle = a.arm.op.handle();
        let (h_at, borrowed) = (name_at(&h.to_string(), handle.span()), borrow(handle));
        let (sel, idx, enabled) = (name("__sel"), name("__i"), name("__enabled"));
        self.elems.extend(quote!(#on #borrowed,));
        self.checks.extend(quote!(#on let #h: &#ty = #h_at;));
        self.registers
            .extend(quote!(#on { #i = #sel.#register(#h); }));
        if a.arm.cfgs.is_empty() {
            self.always_enabled = true;
        } else {
            self.enables.extend(quote!(#on { #enabled = true; }));
        }
        self.add_dispatch(a, quote!(#idx == #i), quote!(#h));
    }

    /// An arm with a guard: `__handleK` and `__indexK` are `Option`s, `Some` only when
    /// the guard held.
    fn add_guarded(&mut self, a: &ArmNames, k: usize, guard: &Expr) {
        let ArmNames {
            p,
            on,
            h,
            i,
            register,
            ..
        } = a;
        let g = format_ident!("__guard{}", k, span = Span::mixed_site());
        self.guards
            .extend(quote_spanned!(guard.span()=> #on let #g: #p::bool = #guard;));
        self.add_guarded_handle(a, &g);
        let (sel, idx, one, enabled) = (name("__sel"), name("__i"), name("__h"), name("__enabled"));
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
        let handle = quote! {
            match #h {
                #p::Option::Some(#one) => #one,
                #p::Option::None => #p::panic!(#NO_ARM),
            }
        };
        self.add_dispatch(a, quote!(#p::Option::Some(#idx) == #i), handle);
    }

    /// A guarded arm's tuple element, evaluated only when the guard `g` holds.
    fn add_guarded_handle(&mut self, a: &ArmNames, g: &Ident) {
        let ArmNames { p, on, ty, h, .. } = a;
        let handle = a.arm.op.handle();
        let (x, x_at) = (name("__x"), name_at("__x", handle.span()));
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
            let borrowed = borrow(handle);
            self.elems.extend(quote! {
                #on (if #g {
                    match #borrowed { #x => #p::Option::<&#ty>::Some(#x_at) }
                } else {
                    #p::Option::None
                }),
            });
        }
    }

    /// The arm's case of the `match` on the selected index `__i`, taken when `selected`
    /// holds: completes the operation on `handle`, binds the pattern, runs the body.
    fn add_dispatch(&mut self, a: &ArmNames, selected: TokenStream, handle: TokenStream) {
        let ArmNames { p, on, arm, .. } = a;
        let (oper, idx, one) = (name("__oper"), name("__i"), name("__h"));
        let (pat, body) = (let_pattern(&arm.pat), &arm.body);
        let complete = match &arm.op {
            Op::Recv { .. } => quote!(#oper.recv(#one)),
            Op::Send { msg, .. } => quote!(#oper.send(#one, #msg)),
        };
        self.dispatch.extend(quote! {
            #on #idx if #selected => {
                let #oper = #p::ManuallyDrop::into_inner(#oper);
                let #one = #handle;
                let #pat = #complete;
                #body
            }
        });
    }

    /// The whole general expansion (the shape in the module comment): the arms' pieces
    /// around the block that selects, which makes the `SelectArray` with `new_sel` and
    /// sets `__outcome` in `selection`, then the match on the outcome, whose `None`
    /// cases are `none_arms`. `__sel` and the `SelectedOperation` borrowed for its
    /// index live only inside that block, and the operation leaves it in a
    /// `ManuallyDrop` (taken out again first thing in its arm), so `__outcome` has no
    /// drop glue: nothing `!Send` stays alive while a body runs, or awaits in an
    /// `async fn`.
    fn assemble(
        self,
        p: &TokenStream,
        new_sel: TokenStream,
        selection: TokenStream,
        none_arms: TokenStream,
    ) -> TokenStream {
        let Pieces {
            guards,
            elems,
            binds,
            checks,
            indices,
            registers,
            dispatch,
            ..
        } = self;
        let (sel, oper) = (name("__sel"), name("__oper"));
        let (idx, outcome) = (name("__i"), name("__outcome"));
        quote! {
            #guards
            match (#elems) {
                (#binds) => {
                    #checks
                    #indices
                    let #outcome = {
                        #[allow(unused_mut)]
                        let mut #sel = #new_sel;
                        #registers
                        let #outcome;
                        #selection
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
}

/// The general expansion around one `Select` (see the module comment).
fn with_select(select: &SelectInput, mode: Mode) -> TokenStream {
    let krate = &select.krate;
    let p = quote!(#krate::__private);
    let mut pieces = Pieces::default();
    for (k, arm) in select.arms.iter().enumerate() {
        pieces.add(&p, k, arm);
    }
    let default = select.default.as_ref();
    let selection = under_default(
        default,
        |d| attempt(&p, d, mode),
        waiting(&p, &pieces, mode),
    );
    let none_arms = under_default(
        default,
        |d| {
            let body = &d.body;
            quote!(#p::Option::None => { #body })
        },
        quote!(#p::Option::None => #p::panic!(#NO_ARM),),
    );
    pieces.assemble(&p, new_selection(&p, select), selection, none_arms)
}

/// `SelectArray::<'_, N>::new()`, or `new_biased()`: a selection of exactly the arms'
/// operations, on the stack.
fn new_selection(p: &TokenStream, select: &SelectInput) -> TokenStream {
    let arms = select.arms.len();
    let new = if select.biased {
        quote!(new_biased)
    } else {
        quote!(new)
    };
    quote!(#p::SelectArray::<'_, #arms>::#new())
}

/// `with(default)` under the default arm's `#[cfg]`, and `without` where that removes
/// it; just `without` when there is no default arm.
fn under_default(
    default: Option<&DefaultArm>,
    with: impl FnOnce(&DefaultArm) -> TokenStream,
    without: TokenStream,
) -> TokenStream {
    let Some(default) = default else {
        return without;
    };
    let (on, with) = (cfg_on(&default.cfgs), with(default));
    let mut tokens = quote!(#on #with);
    if let Some(off) = cfg_off(&default.cfgs) {
        tokens.extend(quote!(#off #without));
    }
    tokens
}

/// The selection without a default arm: waits until an arm is selected, after checking
/// that some arm takes part, and sets `__outcome`.
fn waiting(p: &TokenStream, pieces: &Pieces, mode: Mode) -> TokenStream {
    let (o, outcome) = (name("__o"), name("__outcome"));
    let select = mode.select(&name("__sel"));
    let check = if pieces.always_enabled {
        TokenStream::new()
    } else {
        let (enabled, enables) = (name("__enabled"), &pieces.enables);
        quote! {
            #[allow(unused_mut)]
            let mut #enabled = false;
            #enables
            if !#enabled {
                #p::panic!(#ALL_DISABLED);
            }
        }
    };
    quote! {{
        #check
        let #o = #select;
        #outcome = #p::Option::Some((#o.index(), #p::ManuallyDrop::new(#o)));
    }}
}

/// The selection of a `default` arm: tries now, or waits at most its timeout, and sets
/// `__outcome` (`None`: nothing was ready in time).
fn attempt(p: &TokenStream, default: &DefaultArm, mode: Mode) -> TokenStream {
    let (sel, o, outcome) = (name("__sel"), name("__o"), name("__outcome"));
    let attempt = match &default.timeout {
        None => quote!(#sel.try_select()),
        Some(t) => mode.select_timeout(&sel, t),
    };
    quote! {{
        #outcome = match #attempt {
            #p::Result::Ok(#o) => {
                #p::Option::Some((#o.index(), #p::ManuallyDrop::new(#o)))
            }
            #p::Result::Err(_) => #p::Option::None,
        };
    }}
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn expand_str(tokens: TokenStream) -> String {
        let input: SelectInput = syn::parse2(tokens).unwrap();
        expand(&input, Mode::Blocking).to_string()
    }

    fn expand_async(tokens: TokenStream) -> String {
        let input: SelectInput = syn::parse2(tokens).unwrap();
        expand(&input, Mode::Async).to_string()
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

    #[test]
    fn async_lone_operations_await_their_futures() {
        let out = expand_async(quote! { jx; recv(r) -> m => m });
        assert!(out.contains("__handle . recv_async () . await"), "{out}");
        assert!(!out.contains("SelectArray"), "{out}");
        let out = expand_async(quote! { jx; send(s, v) -> m => m });
        assert!(out.contains("__handle . send_async (v) . await"), "{out}");
        assert!(!out.contains("SelectArray"), "{out}");
        // `default` tries without waiting, as in `select!`
        let out = expand_async(quote! { jx; recv(r) -> m => m, default => 0 });
        assert!(
            out.contains("try_recv ()") && !out.contains("await"),
            "{out}"
        );
        let out = expand_async(quote! { jx; send(s, ()) -> m => m, default => 0 });
        assert!(
            out.contains("try_send (())") && !out.contains("await"),
            "{out}"
        );
    }

    #[test]
    fn async_timed_lone_operations_select_with_a_timeout() {
        for tokens in [
            quote! { jx; recv(r) -> m => m, default(t) => 0 },
            quote! { jx; send(s, -1) -> m => m, default(t) => 0 },
        ] {
            let out = expand_async(tokens);
            assert!(out.contains("SelectArray :: < '_ , 1usize >"), "{out}");
            assert!(
                out.contains("__sel . select_timeout_async (t) . await"),
                "{out}"
            );
            assert!(
                !out.contains("recv_timeout") && !out.contains("send_timeout"),
                "{out}"
            );
        }
    }

    #[test]
    fn async_selection_awaits_once() {
        let out = expand_async(quote! { jx; recv(a) -> m => m, send(b, v) -> r, if g => r });
        assert!(out.contains("__sel . select_async () . await"), "{out}");
        assert_eq!(out.matches("await").count(), 1, "{out}");
        let out = expand_async(quote! { jx; recv(a) -> m => m, recv(b) -> m => m, default => 0 });
        assert!(
            out.contains("__sel . try_select ()") && !out.contains("await"),
            "{out}"
        );
        let out =
            expand_async(quote! { jx; recv(a) -> m => m, send(b, v) -> r => r, default(t) => 0 });
        assert!(
            out.contains("__sel . select_timeout_async (t) . await"),
            "{out}"
        );
        assert_eq!(out.matches("await").count(), 1, "{out}");
        // a default under `#[cfg]` keeps the waiting selection for when it is removed
        let out = expand_async(quote! { jx; recv(a) -> m => m, #[cfg(x)] default => 0 });
        assert!(out.contains("try_select ()"), "{out}");
        assert!(out.contains("__sel . select_async () . await"), "{out}");
    }

    #[test]
    fn the_modes_differ_only_where_they_wait() {
        let cases = [
            quote! { jx; recv(r) -> m => m },
            quote! { jx; send(s, v) -> m => m },
            quote! { jx; recv(r) -> m => m, default => 0 },
            quote! { jx; send(s, make()) -> m => m },
            quote! { jx; biased; recv(a) -> m => m, send(b, v) -> r, if g => r },
            quote! { jx; #[cfg(x)] recv(a()) -> m, if g => m, default(t) => 1 },
            quote! { jx; recv(a) -> m => m, #[cfg(x)] default(t) => 1 },
        ];
        for tokens in cases {
            let blocking = expand_str(tokens.clone());
            assert!(!blocking.contains("await"), "{blocking}");
            let awaited = blocking
                .replace("__sel . select ()", "__sel . select_async () . await")
                .replace(
                    "__sel . select_timeout (t)",
                    "__sel . select_timeout_async (t) . await",
                )
                .replace("__handle . recv ()", "__handle . recv_async () . await")
                .replace("__handle . send (v)", "__handle . send_async (v) . await");
            assert_eq!(expand_async(tokens), awaited);
        }
    }
}
