//! `STR001` `EngineImportAtModuleLevel`: host modules must not import an engine package when
//! they are imported, directly or through modules they import at module level; test modules
//! must guard such imports with `pytest.importorskip`.

use rustc_hash::FxHashMap;

use crate::collect::{Collection, ImportKind};
use crate::diagnostic::{ContractResult, ContractStatus, Finding, Rule};
use crate::graph::{EdgeSet, Graph, Site, is_self_or_descendant};
use crate::rules::import_linter::{chain_summary, links};

/// The contract name the engine rule reports under.
pub(crate) const ENGINE_CONTRACT: &str = "Engine packages are not imported at module level";

/// Checks the engine rule over every scanned module.
pub(crate) fn check_engine_imports(
    collection: &Collection,
    roots: &[String],
    host: &[String],
    engine_packages: &[String],
) -> (ContractResult, Vec<Finding>) {
    let is_engine = |name: &str| {
        engine_packages
            .iter()
            .any(|engine| is_self_or_descendant(name, engine))
    };
    // What runs when a module is imported: its unguarded module-level imports and, since
    // importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py` first, its parent package.
    let mut graph = Graph::build(collection, roots, true, |import| {
        import.is_unguarded_at_import_time()
    });
    for id in 0..u32::try_from(graph.len()).unwrap_or(u32::MAX) {
        if let Some((parent, _)) = graph.name(id).rsplit_once('.')
            && let Some(parent) = graph.find(parent)
        {
            graph.add_edge(id, parent, Site { line: 0, column: 0 });
        }
    }
    let engines = graph.membership(
        (0..u32::try_from(graph.len()).unwrap_or(u32::MAX)).filter(|&id| is_engine(graph.name(id))),
    );
    let is_host = |name: &str| host.iter().any(|pattern| glob_match(pattern, name));
    let hosts: Vec<u32> = (0..u32::try_from(graph.len()).unwrap_or(u32::MAX))
        .filter(|&id| graph.path(id).is_some() && is_host(graph.name(id)))
        .collect();
    // A chain through another host module is that module's finding.
    let excluded = graph.membership(hosts.iter().copied());
    let importorskips: FxHashMap<&str, Vec<(&str, u32)>> = collection
        .modules
        .iter()
        .map(|module| {
            let skips = module
                .imports
                .iter()
                .filter(|import| import.kind == ImportKind::ImportOrSkip && !import.in_function)
                .map(|import| (import.top_level(), import.line))
                .collect();
            (module.name.as_str(), skips)
        })
        .collect();

    let mut findings = Vec::new();
    let nothing = EdgeSet::default();
    for id in 0..u32::try_from(graph.len()).unwrap_or(u32::MAX) {
        let name = graph.name(id);
        let host = hosts.binary_search(&id).is_ok();
        let test = !host && graph.path(id).is_some() && is_test_module(name);
        if !host && !test {
            continue;
        }
        for chain in graph.chains_from(id, &engines, &excluded, &nothing) {
            let links = links(&graph, &chain);
            let engine = graph.name(chain[chain.len() - 1]);
            let first_line = links
                .first()
                .and_then(|link| link.sites.first())
                .map_or(0, |site| site.0);
            if test
                && importorskips.get(name).is_some_and(|skips| {
                    skips
                        .iter()
                        .any(|(skipped, line)| *skipped == engine && *line <= first_line)
                })
            {
                continue;
            }
            let message = if host {
                format!(
                    "Host module `{name}` imports engine package `{engine}` at module level: {}",
                    chain_summary(&links)
                )
            } else {
                format!(
                    "Test module `{name}` imports engine package `{engine}` at module level without `pytest.importorskip(\"{engine}\")`: {}",
                    chain_summary(&links)
                )
            };
            let mut finding = Finding::from_chain(
                Rule::ENGINE_IMPORT_AT_MODULE_LEVEL,
                ENGINE_CONTRACT,
                links,
                message,
            );
            if finding.line == 0 {
                finding.line = 1;
                finding.column = 1;
            }
            findings.push(finding);
        }
    }
    let result = ContractResult {
        name: ENGINE_CONTRACT.to_owned(),
        id: None,
        type_name: "engine".to_owned(),
        status: if findings.is_empty() {
            ContractStatus::Kept
        } else {
            ContractStatus::Broken
        },
        violations: findings.len(),
        warnings: Vec::new(),
    };
    (result, findings)
}

/// Tests are modules in a `tests` or `test` package, or named `test_*`, `*_test` or
/// `conftest`: pytest's default discovery.
pub(crate) fn is_test_module(name: &str) -> bool {
    let mut parts = name.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_some() {
            if part == "tests" || part == "test" {
                return true;
            }
        } else {
            return part.starts_with("test_") || part.ends_with("_test") || part == "conftest";
        }
    }
    false
}

/// Shell-style glob over a dotted name: `*` matches any run of characters (dots included, so
/// `pkg.cli.*` is every module below `pkg.cli`), `?` one character.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let (pattern, name) = (pattern.as_bytes(), name.as_bytes());
    let (mut p, mut n) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            backtrack = Some((p, n));
            p += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            n = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|byte| *byte == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_cross_dots_and_match_whole_names() {
        assert!(glob_match("app.cli.*", "app.cli.main.sub"));
        assert!(!glob_match("app.cli.*", "app.cli"));
        assert!(glob_match("app.cli", "app.cli"));
        assert!(!glob_match("app.cli", "app.client"));
        assert!(glob_match("app.*.config", "app.x.y.config"));
    }

    #[test]
    fn pytest_naming_decides_what_is_a_test() {
        assert!(is_test_module("tests.test_engine"));
        assert!(is_test_module("app.tests.helpers"));
        assert!(is_test_module("test_app"));
        assert!(is_test_module("tests.conftest"));
        assert!(!is_test_module("app.testing"));
        assert!(!is_test_module("tests"));
    }
}
