//! The entry point: scan, build the graphs, run every contract.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::collect::{self, Collection, TypeChecking};
use crate::config::ImportLinterConfig;
use crate::diagnostic::Report;
use crate::error::{Error, ErrorKind};
use crate::graph::Graph;
use crate::rules::{check_contract, check_engine_imports};

/// What to check, filled by the caller from `[tool.strata.contracts]` and the project's
/// import-linter configuration.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContractsConfig {
    /// The project root: packages are looked up in `<root>/src` and `<root>`, and every path in
    /// the report is relative to it.
    pub root: PathBuf,
    /// Extra top-level packages to scan, beyond the import-linter root packages and the
    /// packages the host globs name.
    pub packages: Vec<String>,
    /// Host modules: shell-style globs of module names (`*` crosses dots), e.g.
    /// `["myproj.cli", "myproj.cli.*"]`.
    pub host: Vec<String>,
    /// Top-level import names of engine packages (`torch`, `vllm`). The engine rule runs only
    /// when this is non-empty.
    pub engine_packages: Vec<String>,
    /// Also scan `<root>/tests` (when it exists) for test modules importing engines without
    /// `pytest.importorskip`.
    pub scan_tests: bool,
    /// import-linter contracts; see [`ImportLinterConfig::discover`].
    pub importlinter: Option<ImportLinterConfig>,
    /// strata's cache directory, for the per-file import cache (see the crate docs); `None`
    /// parses every file.
    pub cache_dir: Option<PathBuf>,
}

impl ContractsConfig {
    /// A configuration for `root` that reads the project's import-linter contracts, if any, and
    /// scans `tests/`.
    pub fn discover(root: &Path) -> Result<Self, Error> {
        if !root.is_dir() {
            return Err(ErrorKind::RootNotFound {
                root: root.to_path_buf(),
            }
            .into());
        }
        Ok(Self {
            root: root.to_path_buf(),
            scan_tests: true,
            importlinter: ImportLinterConfig::discover(root)?,
            ..Self::default()
        })
    }

    /// Every top-level package [`check`] scans, deduplicated, in a stable order: the
    /// import-linter root packages, [`Self::packages`], the packages the host globs name, and
    /// `tests` when it exists.
    pub fn scan_roots(&self) -> Vec<String> {
        let mut roots: Vec<String> = Vec::new();
        if let Some(importlinter) = &self.importlinter {
            roots.extend(importlinter.root_packages.iter().cloned());
        }
        roots.extend(self.packages.iter().cloned());
        if !self.engine_packages.is_empty() {
            for pattern in &self.host {
                let head: String = pattern.split('.').next().unwrap_or_default().to_owned();
                if !head.is_empty() && !head.contains(['*', '?']) {
                    roots.push(head);
                }
            }
            if self.scan_tests && self.root.join("tests").is_dir() {
                roots.push("tests".to_owned());
            }
        }
        let mut seen = rustc_hash::FxHashSet::default();
        roots.retain(|root| seen.insert(root.clone()));
        roots
    }
}

/// Scans the packages and checks every contract. `Err` only when the check cannot be done
/// (invalid configuration, a missing root package or contract module); violations and files
/// that fail to parse are in the [`Report`].
pub fn check(config: &ContractsConfig) -> Result<Report, Error> {
    let roots = config.scan_roots();
    let collection = collect::collect(&config.root, &roots, config.cache_dir.as_deref())?;
    check_collection(config, &roots, &collection)
}

/// [`check`] over an already collected set of modules (for benchmarks and callers that
/// cache the scan).
pub fn check_collection(
    config: &ContractsConfig,
    roots: &[String],
    collection: &Collection,
) -> Result<Report, Error> {
    let mut report = Report {
        files: collection.modules.len() + collection.failures.len(),
        parse_failures: collection.failures.clone(),
        ..Report::default()
    };
    if !config.engine_packages.is_empty() {
        let (result, findings) =
            check_engine_imports(collection, roots, &config.host, &config.engine_packages);
        report.contracts.push(result);
        report.findings.extend(findings);
    }
    if let Some(importlinter) = &config.importlinter {
        let exclude_type_checking = importlinter.exclude_type_checking_imports;
        let graph = Graph::build(
            collection,
            &importlinter.root_packages,
            importlinter.include_external_packages,
            |import| {
                import.kind != collect::ImportKind::ImportOrSkip
                    && !(exclude_type_checking && import.type_checking != TypeChecking::No)
            },
        );
        for contract in &importlinter.contracts {
            let (result, findings) = check_contract(
                &graph,
                contract,
                &importlinter.path,
                &importlinter.root_packages,
                importlinter.include_external_packages,
            )
            .map_err(Error::with_line_from_file)?;
            report.contracts.push(result);
            report.findings.extend(findings);
        }
    }
    report.findings.sort_by(|left, right| {
        (&left.path, left.line, left.column, &left.message).cmp(&(
            &right.path,
            right.line,
            right.column,
            &right.message,
        ))
    });
    Ok(report)
}
