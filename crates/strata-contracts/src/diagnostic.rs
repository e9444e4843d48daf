//! What a check returns: findings as data, and a verdict per contract.

use std::path::PathBuf;

use serde::Serialize;

use crate::collect::ParseFailure;
use crate::graph::Graph;

/// A stable rule code and its name (ruff's convention: the name is the flagged pattern).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// `STR001`...; never reused.
    pub code: &'static str,
    /// `EngineImportAtModuleLevel`...
    pub name: &'static str,
}

impl Rule {
    /// A host module imports an engine package when it is imported.
    pub const ENGINE_IMPORT_AT_MODULE_LEVEL: Self = Self {
        code: "STR001",
        name: "EngineImportAtModuleLevel",
    };
    /// A lower layer imports a higher one (or an independent sibling).
    pub const IMPORT_OF_HIGHER_LAYER: Self = Self {
        code: "STR002",
        name: "ImportOfHigherLayer",
    };
    /// A source module imports a forbidden module.
    pub const FORBIDDEN_IMPORT: Self = Self {
        code: "STR003",
        name: "ForbiddenImport",
    };
    /// Two independent modules import each other.
    pub const IMPORT_BETWEEN_INDEPENDENT_MODULES: Self = Self {
        code: "STR004",
        name: "ImportBetweenIndependentModules",
    };
    /// Children of one package import each other in a cycle.
    pub const CYCLE_BETWEEN_SIBLINGS: Self = Self {
        code: "STR006",
        name: "CycleBetweenSiblings",
    };
    /// An exhaustive layers contract misses a child of a container.
    pub const UNDECLARED_LAYER: Self = Self {
        code: "STR005",
        name: "UndeclaredLayer",
    };
}

/// One import in a chain, with every line it is written on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The importing module.
    pub importer: String,
    /// The imported module (an external package by its top-level name).
    pub imported: String,
    /// The importer's file, relative to the project root.
    pub path: Option<PathBuf>,
    /// `(line, column)` of each import statement making this edge, 1-based.
    pub sites: Vec<(u32, u32)>,
}

impl Link {
    pub(crate) fn new(graph: &Graph, importer: u32, imported: u32) -> Self {
        let mut sites: Vec<(u32, u32)> = graph
            .sites(importer, imported)
            .iter()
            .map(|site| (site.line, site.column))
            .collect();
        sites.sort_unstable();
        sites.dedup();
        Self {
            importer: graph.name(importer).to_owned(),
            imported: graph.name(imported).to_owned(),
            path: graph.path(importer).cloned(),
            sites,
        }
    }
}

/// One violation: where, what, and the chain of imports that makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// The contract's name.
    pub contract: String,
    /// The file to point at (the first import of the chain), relative to the project root.
    pub path: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// One sentence, no trailing period.
    pub message: String,
    /// The module that must not import (the head of the chain).
    pub importer: String,
    /// The module it must not import (the tail).
    pub imported: String,
    /// The imports from `importer` to `imported`; one link for a direct import.
    pub chain: Vec<Link>,
}

impl Finding {
    pub(crate) fn from_chain(
        rule: Rule,
        contract: &str,
        chain: Vec<Link>,
        message: String,
    ) -> Self {
        let first = chain.first();
        let (line, column) = first
            .and_then(|link| link.sites.first().copied())
            .unwrap_or((1, 1));
        Self {
            rule,
            contract: contract.to_owned(),
            path: first.and_then(|link| link.path.clone()).unwrap_or_default(),
            line,
            column,
            message,
            importer: first.map(|link| link.importer.clone()).unwrap_or_default(),
            imported: chain
                .last()
                .map(|link| link.imported.clone())
                .unwrap_or_default(),
            chain,
        }
    }

    /// The chain as `a -> b (l.3) -> c (l.7)`.
    pub fn chain_text(&self) -> String {
        crate::rules::chain_summary(&self.chain)
    }
}

/// A contract's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContractStatus {
    /// No violations.
    Kept,
    /// At least one violation.
    Broken,
    /// Not checked (a contract type strata does not implement).
    Skipped,
}

/// One contract's outcome, for import-linter's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractResult {
    /// The contract's name.
    pub name: String,
    /// Its id, if any.
    pub id: Option<String>,
    /// `layers`, `forbidden`, `independence`, `engine` (strata's rule), or the unsupported type.
    pub type_name: String,
    /// The verdict.
    pub status: ContractStatus,
    /// How many findings it produced.
    pub violations: usize,
    /// Warnings (unmatched ignored imports with `warn`, why it was skipped).
    pub warnings: Vec<String>,
}

/// Everything a check found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// One entry per contract, in configuration order; the engine rule comes first.
    pub contracts: Vec<ContractResult>,
    /// Every violation, sorted by path, line, column.
    pub findings: Vec<Finding>,
    /// Files that could not be parsed; their imports are missing from the graph.
    pub parse_failures: Vec<ParseFailure>,
    /// How many Python files were analysed.
    pub files: usize,
}

impl Report {
    /// Whether any contract is broken or any file failed to parse (exit code 1).
    pub fn has_problems(&self) -> bool {
        !self.findings.is_empty()
            || !self.parse_failures.is_empty()
            || self
                .contracts
                .iter()
                .any(|contract| contract.status == ContractStatus::Broken)
    }

    /// `(kept, broken)` counts.
    pub fn counts(&self) -> (usize, usize) {
        let count = |status| {
            self.contracts
                .iter()
                .filter(|contract| contract.status == status)
                .count()
        };
        (count(ContractStatus::Kept), count(ContractStatus::Broken))
    }
}
