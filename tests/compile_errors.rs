//! Misusing `select!` is a compile error that points at the offending tokens and says
//! what is allowed. The cases and their expected messages live in
//! `channel-macros/tests/ui/` (regenerate with `TRYBUILD=overwrite` after a deliberate
//! change of wording, and review the diff).

#[test]
fn select_misuse_is_a_compile_error() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("channel-macros/tests/ui/*.rs");
}
