//! Pure renderers of a [`Report`]: the CLI prints what these return.

use std::fmt::Write as _;
use std::path::Path;

use crate::diagnostic::{ContractStatus, Report};

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// ruff-style lines, `path:line:col: CODE message`, then parse failures, then import-linter's
/// per-contract summary (`Contracts: 2 kept, 1 broken.`).
pub fn human(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {}",
            display(&finding.path),
            finding.line,
            finding.column,
            finding.rule.code,
            finding.message
        );
    }
    for failure in &report.parse_failures {
        let _ = writeln!(
            out,
            "{}:{}:{}: SyntaxError: {}",
            display(&failure.path),
            failure.line,
            failure.column,
            failure.message
        );
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary(report));
    out
}

/// import-linter's closing block: one line per contract, then the counts.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    for contract in &report.contracts {
        let status = match contract.status {
            ContractStatus::Kept => "KEPT",
            ContractStatus::Broken => "BROKEN",
            ContractStatus::Skipped => "SKIPPED",
        };
        let _ = writeln!(out, "{} {status}", contract.name);
        for warning in &contract.warnings {
            let _ = writeln!(out, "  warning: {warning}");
        }
    }
    let (kept, broken) = report.counts();
    let _ = writeln!(out, "\nAnalyzed {} files.", report.files);
    let _ = writeln!(out, "Contracts: {kept} kept, {broken} broken.");
    out
}

/// GitHub Actions workflow commands, one `::error` per finding and parse failure.
pub fn github(report: &Report) -> String {
    let escape = |text: &str| {
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |text: &str| escape(text).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "::error title={},file={},line={},col={}::{}",
            property(&format!("{} {}", finding.rule.code, finding.rule.name)),
            property(&display(&finding.path)),
            finding.line,
            finding.column,
            escape(&finding.message)
        );
    }
    for failure in &report.parse_failures {
        let _ = writeln!(
            out,
            "::error title=SyntaxError,file={},line={},col={}::{}",
            property(&display(&failure.path)),
            failure.line,
            failure.column,
            escape(&failure.message)
        );
    }
    out
}
