//! Tests that need a tool of the machine's: `python3` with `venv` and pip, `curl`,
//! import-linter.
//!
//! Such a test cannot run without its tool. On a developer's machine it then says why and
//! passes without checking anything, so the rest of the suite stays usable; in CI that would
//! let a broken setup pass unseen, so `.ci/run` sets [`REQUIRE_TOOLS_VARIABLE`] and the same
//! test fails instead. Every test that looks for a tool goes through [`tool_missing`], which is
//! the one place that decides.
//!
//! ```no_run
//! let Some(curl) = which_curl() else {
//!     strata_testindex::tool_missing("`curl` is not available");
//!     return;
//! };
//! # fn which_curl() -> Option<std::path::PathBuf> { None }
//! ```

use std::fmt::Display;

/// The switch: set to `1`, a missing tool fails the test that needs it instead of skipping it.
pub const REQUIRE_TOOLS_VARIABLE: &str = "STRATA_TEST_REQUIRE_TOOLS";

/// Whether a missing tool fails tests ([`REQUIRE_TOOLS_VARIABLE`] is `1`, as `.ci/run` sets it).
#[expect(
    clippy::disallowed_methods,
    reason = "a switch of the test suite, set by .ci/run, not a strata setting"
)]
pub fn tools_required() -> bool {
    std::env::var_os(REQUIRE_TOOLS_VARIABLE).is_some_and(|value| value == "1")
}

/// A test cannot run because a tool is missing (`reason` says which and why). With
/// [`REQUIRE_TOOLS_VARIABLE`] set this panics, failing the test; otherwise it prints
/// `skipped: <reason>` and the caller returns early.
#[track_caller]
#[expect(clippy::print_stderr, reason = "a skipped test says why")]
pub fn tool_missing(reason: impl Display) {
    assert!(
        !tools_required(),
        "{reason}\n({REQUIRE_TOOLS_VARIABLE}=1: a missing tool is a failure; `.ci/run` installs \
         what the tests need)"
    );
    eprintln!("skipped: {reason} (set {REQUIRE_TOOLS_VARIABLE}=1 to make this a failure)");
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    /// Runs this test binary's `probe` test alone, with the switch set to `value` (or unset).
    fn probe_with(value: Option<&str>) -> std::process::Output {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command.args(["--exact", "tools::tests::probe", "--nocapture"]);
        command.env("STRATA_TESTINDEX_TOOLS_PROBE", "1");
        match value {
            Some(value) => command.env(super::REQUIRE_TOOLS_VARIABLE, value),
            None => command.env_remove(super::REQUIRE_TOOLS_VARIABLE),
        };
        command.output().unwrap()
    }

    #[expect(clippy::disallowed_methods, reason = "the probe's own switch")]
    #[test]
    fn probe() {
        if std::env::var_os("STRATA_TESTINDEX_TOOLS_PROBE").is_some() {
            super::tool_missing("`frobnicate` is not available");
        }
    }

    #[test]
    fn a_missing_tool_skips_by_default_and_fails_when_tools_are_required() {
        let skipped = probe_with(None);
        let stderr = String::from_utf8_lossy(&skipped.stderr);
        assert!(skipped.status.success(), "{stderr}");
        assert!(
            stderr.contains("skipped: `frobnicate` is not available"),
            "{stderr}"
        );
        assert!(probe_with(Some("0")).status.success());

        let failed = probe_with(Some("1"));
        let output = format!(
            "{}{}",
            String::from_utf8_lossy(&failed.stdout),
            String::from_utf8_lossy(&failed.stderr)
        );
        assert!(!failed.status.success(), "{output}");
        assert!(output.contains("`frobnicate` is not available"), "{output}");
        assert!(!output.contains("skipped:"), "{output}");
    }
}
