//! CLI cases in `cli-tests/` (trycmd): every subcommand's `--help` and the
//! main error paths with their exit codes. Regenerate expected output with
//! `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli_tests() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .case("cli-tests/*.trycmd");
}
