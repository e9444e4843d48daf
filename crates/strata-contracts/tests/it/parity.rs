//! Runs the real `lint-imports` and strata on the same fixtures and compares verdicts and the
//! imports that make each violation. The venv comes from `tests/setup-importlinter.sh`, in its
//! default place or the directory `STRATA_TEST_IMPORTLINTER_VENV` names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use strata_contracts::{ContractStatus, Rule};

use crate::{check_importlinter_fixture, fixture};

/// Per contract name, KEPT or BROKEN; and every `importer -> imported (l.N, ...)` link of the
/// report.
type Verdicts = (BTreeMap<String, bool>, BTreeSet<(String, String, String)>);

/// `lint-imports` of the venv `STRATA_TEST_IMPORTLINTER_VENV` names, else of the one
/// `tests/setup-importlinter.sh` makes by default; `None` (skipped, or failed when tools are
/// required) when there is none.
#[expect(
    clippy::disallowed_methods,
    reason = "a test-only switch set by .ci/run, not a strata setting"
)]
fn lint_imports() -> Option<PathBuf> {
    let venv = std::env::var_os("STRATA_TEST_IMPORTLINTER_VENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/importlinter-venv"),
        PathBuf::from,
    );
    let program = venv.join("bin/lint-imports");
    if !program.is_file() {
        strata_testindex::tool_missing(format!(
            "import-linter parity: `{}` does not exist (run crates/strata-contracts/tests/setup-importlinter.sh, or name its venv in STRATA_TEST_IMPORTLINTER_VENV)",
            program.display()
        ));
        return None;
    }
    Some(program)
}

fn import_linter_verdicts(program: &PathBuf, name: &str) -> Verdicts {
    let root = fixture(name);
    let output = Command::new(program)
        .arg("--no-cache")
        .current_dir(&root)
        .env("PYTHONPATH", &root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "lint-imports failed on {name}:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut statuses = BTreeMap::new();
    let mut links = BTreeSet::new();
    for line in stdout.lines() {
        if let Some(contract) = line.strip_suffix(" KEPT") {
            statuses.insert(contract.to_owned(), true);
        } else if let Some(contract) = line.strip_suffix(" BROKEN") {
            statuses.insert(contract.to_owned(), false);
        }
        let link = line.trim_start_matches(['-', ' ', '&']);
        if let Some((pair, lines)) = link.split_once(" (l.")
            && let Some((importer, imported)) = pair.split_once(" -> ")
        {
            let lines = format!("l.{}", lines.trim_end_matches(')'));
            links.insert((importer.to_owned(), imported.to_owned(), lines));
        }
    }
    (statuses, links)
}

fn strata_verdicts(name: &str) -> Verdicts {
    let report = check_importlinter_fixture(name);
    let statuses = report
        .contracts
        .iter()
        .map(|contract| {
            (
                contract.name.clone(),
                contract.status == ContractStatus::Kept,
            )
        })
        .collect();
    let links = report
        .findings
        .iter()
        // import-linter shows cycles as child-to-child counts, not as imports.
        .filter(|finding| finding.rule != Rule::CYCLE_BETWEEN_SIBLINGS)
        .flat_map(|finding| finding.chain.iter())
        .map(|link| {
            let mut lines: Vec<u32> = link.sites.iter().map(|(line, _)| *line).collect();
            lines.dedup();
            let lines: Vec<String> = lines.iter().map(|line| format!("l.{line}")).collect();
            (
                link.importer.clone(),
                link.imported.clone(),
                lines.join(", "),
            )
        })
        .collect();
    (statuses, links)
}

#[test]
fn strata_and_import_linter_agree_on_every_fixture() {
    let Some(program) = lint_imports() else {
        return;
    };
    for name in ["layers", "forbidden", "independence", "acyclic"] {
        let expected = import_linter_verdicts(&program, name);
        assert!(!expected.0.is_empty(), "no contracts parsed for {name}");
        assert_eq!(strata_verdicts(name), expected, "fixture {name}");
    }
}
