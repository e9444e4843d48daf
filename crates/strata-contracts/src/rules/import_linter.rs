//! import-linter's contract types, with grimp's search semantics: `layers`, `independence`
//! (one level of independent siblings) and `forbidden`.

use std::fmt::Write as _;
use std::path::Path;

use rustc_hash::FxHashSet;

use crate::config::{Alerting, Contract, ContractKind, Layer};
use crate::diagnostic::{ContractResult, ContractStatus, Finding, Link, Rule};
use crate::error::{Error, ErrorKind};
use crate::graph::{EdgeSet, Graph, is_self_or_descendant};

/// Checks one contract against the graph.
pub(crate) fn check_contract(
    graph: &Graph,
    contract: &Contract,
    config_path: &Path,
    root_packages: &[String],
    include_external: bool,
) -> Result<(ContractResult, Vec<Finding>), Error> {
    let invalid = |contract: &Contract, message: &str| -> Error {
        ErrorKind::InvalidContract {
            path: config_path.to_path_buf(),
            line: contract.line,
            message: format!("Contract `{}`: {message}", contract.name),
        }
        .into()
    };
    let mut warnings = Vec::new();
    let removed = ignored_edges(graph, contract, &mut warnings)?;
    let (type_name, findings) = match &contract.kind {
        ContractKind::Layers {
            layers,
            containers,
            exhaustive,
            exhaustive_ignores,
        } => {
            let mut findings = Vec::new();
            let container_ids = expand(graph, containers);
            if containers.is_empty() {
                let levels = levels(graph, contract, layers, None, &invalid)?;
                findings.extend(layer_findings(graph, contract, &levels, &removed));
            } else {
                for container in container_ids {
                    let levels = levels(
                        graph,
                        contract,
                        layers,
                        Some(graph.name(container)),
                        &invalid,
                    )?;
                    findings.extend(layer_findings(graph, contract, &levels, &removed));
                    if *exhaustive {
                        findings.extend(undeclared(
                            graph,
                            contract,
                            container,
                            layers,
                            exhaustive_ignores,
                        ));
                    }
                }
            }
            ("layers", findings)
        }
        ContractKind::Independence { modules } => {
            let ids = expand(graph, modules);
            for module in modules.iter().filter(|module| !module.contains('*')) {
                require(graph, contract, module)?;
            }
            let level = Level {
                modules: ids,
                independent: true,
            };
            (
                "independence",
                layer_findings(graph, contract, &[level], &removed),
            )
        }
        ContractKind::Forbidden {
            source_modules,
            forbidden_modules,
            allow_indirect_imports,
            as_packages,
        } => {
            for module in source_modules.iter().filter(|module| !module.contains('*')) {
                require(graph, contract, module)?;
            }
            for module in forbidden_modules {
                let internal = root_packages
                    .iter()
                    .any(|root| is_self_or_descendant(module, root));
                if !internal && !include_external {
                    return Err(invalid(
                        contract,
                        "The top level configuration must have `include_external_packages = true` when there are external forbidden modules",
                    ));
                }
                if !internal && module.contains('.') {
                    return Err(invalid(
                        contract,
                        &format!(
                            "Invalid forbidden module `{module}`: subpackages of external packages are not valid"
                        ),
                    ));
                }
            }
            let findings = forbidden(
                graph,
                contract,
                &expand(graph, source_modules),
                &expand(graph, forbidden_modules),
                *allow_indirect_imports,
                *as_packages,
                &removed,
            );
            ("forbidden", findings)
        }
        ContractKind::AcyclicSiblings {
            ancestors,
            depth,
            skip_descendants,
        } => {
            for expression in ancestors.iter().chain(skip_descendants) {
                if graph.matching(expression).is_empty() {
                    return Err(ErrorKind::MissingModule {
                        contract: contract.name.clone(),
                        module: expression.clone(),
                    }
                    .into());
                }
            }
            let skip: FxHashSet<u32> = expand(graph, skip_descendants).into_iter().collect();
            let mut findings = Vec::new();
            for ancestor in expand(graph, ancestors) {
                acyclic_siblings(
                    graph,
                    contract,
                    ancestor,
                    *depth,
                    &skip,
                    &removed,
                    &mut findings,
                );
            }
            ("acyclic_siblings", findings)
        }
        ContractKind::Unsupported { type_name } => {
            let result = ContractResult {
                name: contract.name.clone(),
                id: contract.id.clone(),
                type_name: type_name.clone(),
                status: ContractStatus::Skipped,
                violations: 0,
                warnings: vec![format!(
                    "Contract type `{type_name}` is not checked by strata"
                )],
            };
            return Ok((result, Vec::new()));
        }
    };
    let result = ContractResult {
        name: contract.name.clone(),
        id: contract.id.clone(),
        type_name: type_name.to_owned(),
        status: if findings.is_empty() {
            ContractStatus::Kept
        } else {
            ContractStatus::Broken
        },
        violations: findings.len(),
        warnings,
    };
    Ok((result, findings))
}

fn require(graph: &Graph, contract: &Contract, module: &str) -> Result<u32, Error> {
    graph.find(module).ok_or_else(|| {
        ErrorKind::MissingModule {
            contract: contract.name.clone(),
            module: module.to_owned(),
        }
        .into()
    })
}

fn expand(graph: &Graph, expressions: &[String]) -> Vec<u32> {
    let mut ids: Vec<u32> = expressions
        .iter()
        .flat_map(|expression| graph.matching(expression))
        .collect();
    ids.sort_unstable_by(|left, right| graph.name(*left).cmp(graph.name(*right)));
    ids.dedup();
    ids
}

/// The edges `ignore_imports` removes; an expression matching nothing is an error, a warning
/// or nothing, as configured.
fn ignored_edges(
    graph: &Graph,
    contract: &Contract,
    warnings: &mut Vec<String>,
) -> Result<EdgeSet, Error> {
    let mut removed = EdgeSet::default();
    for expression in &contract.ignore_imports {
        let importers: FxHashSet<u32> = graph.matching(&expression.importer).into_iter().collect();
        let imported: FxHashSet<u32> = graph.matching(&expression.imported).into_iter().collect();
        let before = removed.len();
        removed.extend(
            graph
                .edges()
                .filter(|(from, to)| importers.contains(from) && imported.contains(to)),
        );
        if removed.len() == before {
            match contract.unmatched_ignore_imports_alerting {
                Alerting::Error => {
                    return Err(ErrorKind::UnmatchedIgnoreImport {
                        contract: contract.name.clone(),
                        expression: expression.to_string(),
                    }
                    .into());
                }
                Alerting::Warn => {
                    warnings.push(format!("No matches for ignored import {expression}."));
                }
                Alerting::None => {}
            }
        }
    }
    Ok(removed)
}

/// One line of layers resolved to modules.
struct Level {
    modules: Vec<u32>,
    independent: bool,
}

fn levels(
    graph: &Graph,
    contract: &Contract,
    layers: &[Layer],
    container: Option<&str>,
    invalid: &dyn Fn(&Contract, &str) -> Error,
) -> Result<Vec<Level>, Error> {
    let mut levels = Vec::new();
    for layer in layers {
        let mut modules = Vec::new();
        for module in &layer.modules {
            let name = match container {
                Some(container) => format!("{container}.{}", module.name),
                None => module.name.clone(),
            };
            match graph.find(&name) {
                Some(id) => modules.push(id),
                None if module.optional => {}
                None => {
                    return Err(match container {
                        Some(container) => invalid(
                            contract,
                            &format!(
                                "Missing layer in container `{container}`: module `{name}` does not exist"
                            ),
                        ),
                        None => invalid(
                            contract,
                            &format!("Missing layer `{name}`: module `{name}` does not exist"),
                        ),
                    });
                }
            }
        }
        levels.push(Level {
            modules,
            independent: layer.independent,
        });
    }
    Ok(levels)
}

/// grimp's `find_illegal_dependencies_for_layers`: for each forbidden (lower, higher) pair,
/// direct imports and the middles of indirect chains, never passing through other layers.
fn layer_findings(
    graph: &Graph,
    contract: &Contract,
    levels: &[Level],
    removed: &EdgeSet,
) -> Vec<Finding> {
    // (importer, imported, whether they are siblings of one level)
    let mut pairs: Vec<(u32, u32, bool)> = Vec::new();
    for (index, level) in levels.iter().enumerate() {
        for &module in &level.modules {
            for lower in &levels[index + 1..] {
                pairs.extend(lower.modules.iter().map(|&lower| (lower, module, false)));
            }
            if level.independent {
                pairs.extend(
                    level
                        .modules
                        .iter()
                        .filter(|&&sibling| sibling != module)
                        .map(|&sibling| (module, sibling, true)),
                );
            }
        }
    }
    pairs.sort_unstable_by(|left, right| {
        (graph.name(left.0), graph.name(left.1)).cmp(&(graph.name(right.0), graph.name(right.1)))
    });
    pairs.dedup();
    let all_layer_modules: Vec<u32> = levels
        .iter()
        .flat_map(|level| level.modules.iter())
        .flat_map(|&module| graph.with_descendants(module))
        .collect();
    // An independence contract is one level of siblings.
    let rule = if levels.len() == 1 {
        Rule::IMPORT_BETWEEN_INDEPENDENT_MODULES
    } else {
        Rule::IMPORT_OF_HIGHER_LAYER
    };
    let mut findings = Vec::new();
    for (from_layer, to_layer, siblings) in pairs {
        let from_modules = graph.with_descendants(from_layer);
        let to_modules = graph.with_descendants(to_layer);
        let from = graph.membership(from_modules.iter().copied());
        let to = graph.membership(to_modules.iter().copied());
        let nothing = vec![false; graph.len()];
        if graph
            .shortest_chain(&from, &to, &nothing, removed)
            .is_none()
        {
            continue;
        }
        let mut excluded = graph.membership(all_layer_modules.iter().copied());
        for &module in from_modules.iter().chain(&to_modules) {
            excluded[module as usize] = false;
        }
        let mut searched = removed.clone();
        let mut chains = Vec::new();
        while let Some(chain) = graph.shortest_chain(&from, &to, &excluded, &searched) {
            searched.extend(chain.windows(2).map(|pair| (pair[0], pair[1])));
            chains.push(chain);
        }
        let message_head = if siblings {
            format!(
                "`{}` is not allowed to import independent module `{}`",
                graph.name(from_layer),
                graph.name(to_layer)
            )
        } else {
            format!(
                "`{}` is not allowed to import higher layer `{}`",
                graph.name(from_layer),
                graph.name(to_layer)
            )
        };
        // grimp turns each middle into a route whose heads and tails come from the graph, so
        // two chains through the same middle are one route.
        let mut seen_middles: FxHashSet<Vec<u32>> = FxHashSet::default();
        chains.retain(|chain| {
            chain.len() == 2 || seen_middles.insert(chain[1..chain.len() - 1].to_vec())
        });
        for chain in chains {
            // As import-linter shows a route: the first head (by name) that imports the
            // middle's first module, and the first tail the middle's last module imports.
            let chain = if chain.len() > 2 {
                let middle = &chain[1..chain.len() - 1];
                let head = first_by_name(
                    graph,
                    from_modules
                        .iter()
                        .copied()
                        .filter(|&head| graph.has_edge(head, middle[0], removed)),
                )
                .unwrap_or(chain[0]);
                let tail = first_by_name(
                    graph,
                    to_modules
                        .iter()
                        .copied()
                        .filter(|&tail| graph.has_edge(middle[middle.len() - 1], tail, removed)),
                )
                .unwrap_or(chain[chain.len() - 1]);
                std::iter::once(head)
                    .chain(middle.iter().copied())
                    .chain(std::iter::once(tail))
                    .collect()
            } else {
                chain
            };
            let links = links(graph, &chain);
            let message = format!("{message_head}: {}", chain_summary(&links));
            findings.push(Finding::from_chain(rule, &contract.name, links, message));
        }
    }
    findings
}

fn first_by_name(graph: &Graph, ids: impl Iterator<Item = u32>) -> Option<u32> {
    ids.min_by(|left, right| graph.name(*left).cmp(graph.name(*right)))
}

pub(crate) fn links(graph: &Graph, chain: &[u32]) -> Vec<Link> {
    chain
        .windows(2)
        .map(|pair| Link::new(graph, pair[0], pair[1]))
        .collect()
}

/// `a -> b (l.3) -> c (l.4, l.9)`.
pub(crate) fn chain_summary(links: &[Link]) -> String {
    let mut text = links
        .first()
        .map(|link| link.importer.clone())
        .unwrap_or_default();
    for link in links {
        let mut lines: Vec<String> = Vec::new();
        for (line, _) in &link.sites {
            let text = if *line == 0 {
                "package".to_owned()
            } else {
                format!("l.{line}")
            };
            if !lines.contains(&text) {
                lines.push(text);
            }
        }
        let _ = write!(text, " -> {} ({})", link.imported, lines.join(", "));
    }
    text
}

fn undeclared(
    graph: &Graph,
    contract: &Contract,
    container: u32,
    layers: &[Layer],
    ignores: &[String],
) -> Vec<Finding> {
    let declared: FxHashSet<&str> = layers
        .iter()
        .flat_map(|layer| layer.modules.iter().map(|module| module.name.as_str()))
        .chain(ignores.iter().map(String::as_str))
        .collect();
    let mut children: Vec<u32> = graph.children_of(container).to_vec();
    children.sort_unstable_by(|left, right| graph.name(*left).cmp(graph.name(*right)));
    children
        .into_iter()
        .filter(|&child| {
            let tail = graph.name(child).rsplit('.').next().unwrap_or_default();
            !declared.contains(tail)
        })
        .map(|child| Finding {
            rule: Rule::UNDECLARED_LAYER,
            contract: contract.name.clone(),
            path: graph.path(child).cloned().unwrap_or_default(),
            line: 1,
            column: 1,
            message: format!(
                "`{}` is not listed as a layer of exhaustive container `{}`",
                graph.name(child),
                graph.name(container)
            ),
            importer: graph.name(container).to_owned(),
            imported: graph.name(child).to_owned(),
            chain: Vec::new(),
        })
        .collect()
}

/// import-linter's forbidden contract: for each (source, forbidden) pair that does not
/// overlap, the direct imports, or grimp's `find_shortest_chains` (one shortest chain per
/// pair of modules, never through either package).
fn forbidden(
    graph: &Graph,
    contract: &Contract,
    sources: &[u32],
    forbidden: &[u32],
    allow_indirect: bool,
    as_packages: bool,
    removed: &EdgeSet,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let expand_package = |id: u32| {
        if as_packages {
            graph.with_descendants(id)
        } else {
            vec![id]
        }
    };
    for &source in sources {
        for &target in forbidden {
            let (source_name, target_name) = (graph.name(source), graph.name(target));
            let overlap = source == target
                || (as_packages
                    && (is_self_or_descendant(source_name, target_name)
                        || is_self_or_descendant(target_name, source_name)));
            if overlap {
                continue;
            }
            let downstream = expand_package(source);
            let upstream = expand_package(target);
            let mut chains: Vec<Vec<u32>> = Vec::new();
            if allow_indirect {
                for &importer in &downstream {
                    for &imported in graph.imports_of(importer) {
                        if upstream.contains(&imported) && !removed.contains(&(importer, imported))
                        {
                            chains.push(vec![importer, imported]);
                        }
                    }
                }
            } else {
                let to = graph.membership(upstream.iter().copied());
                let excluded = graph.membership(downstream.iter().chain(&upstream).copied());
                for &start in &downstream {
                    chains.extend(graph.chains_from(start, &to, &excluded, removed));
                }
            }
            chains.sort_by(|left, right| {
                let names = |chain: &Vec<u32>| {
                    chain
                        .iter()
                        .map(|id| graph.name(*id).to_owned())
                        .collect::<Vec<_>>()
                };
                names(left).cmp(&names(right))
            });
            for chain in chains {
                let links = links(graph, &chain);
                let message = format!(
                    "`{source_name}` is not allowed to import `{target_name}`: {}",
                    chain_summary(&links)
                );
                findings.push(Finding::from_chain(
                    Rule::FORBIDDEN_IMPORT,
                    &contract.name,
                    links,
                    message,
                ));
            }
        }
    }
    findings
}

/// import-linter's `acyclic_siblings`: the children of `package`, each standing for its whole
/// subtree, must not import each other in a cycle; then the same for each child not skipped,
/// `depth` generations down. The verdict matches import-linter; the finding shows one cycle
/// (import-linter instead nominates imports to remove, with a heuristic).
fn acyclic_siblings(
    graph: &Graph,
    contract: &Contract,
    package: u32,
    depth: u32,
    skip: &FxHashSet<u32>,
    removed: &EdgeSet,
    findings: &mut Vec<Finding>,
) {
    let mut children = graph.children_of(package).to_vec();
    children.sort_unstable_by(|left, right| graph.name(*left).cmp(graph.name(*right)));
    if children.len() >= 2 {
        let mut owner: rustc_hash::FxHashMap<u32, usize> = rustc_hash::FxHashMap::default();
        for (index, &child) in children.iter().enumerate() {
            for module in graph.with_descendants(child) {
                owner.insert(module, index);
            }
        }
        // For each (child, child) dependency, the first import (by module names) making it.
        let mut dependencies: std::collections::BTreeMap<(usize, usize), (u32, u32)> =
            std::collections::BTreeMap::new();
        for (&module, &from) in &owner {
            for &imported in graph.imports_of(module) {
                if let Some(&to) = owner.get(&imported)
                    && to != from
                    && !removed.contains(&(module, imported))
                {
                    let entry = dependencies.entry((from, to)).or_insert((module, imported));
                    let key = |pair: (u32, u32)| (graph.name(pair.0), graph.name(pair.1));
                    if key((module, imported)) < key(*entry) {
                        *entry = (module, imported);
                    }
                }
            }
        }
        if let Some(cycle) = find_cycle(children.len(), &dependencies) {
            let links: Vec<Link> = cycle
                .windows(2)
                .filter_map(|pair| dependencies.get(&(pair[0], pair[1])))
                .map(|&(importer, imported)| Link::new(graph, importer, imported))
                .collect();
            let relative: Vec<String> = cycle
                .iter()
                .map(|&index| {
                    let name = graph.name(children[index]);
                    format!(".{}", name.rsplit('.').next().unwrap_or(name))
                })
                .collect();
            let imports: Vec<String> = links
                .iter()
                .map(|link| chain_summary(std::slice::from_ref(link)))
                .collect();
            let message = format!(
                "No cycles are allowed in `{}`: {} ({})",
                graph.name(package),
                relative.join(" -> "),
                imports.join("; ")
            );
            findings.push(Finding::from_chain(
                Rule::CYCLE_BETWEEN_SIBLINGS,
                &contract.name,
                links,
                message,
            ));
        }
    }
    if depth > 0 {
        for child in children {
            if !skip.contains(&child) {
                acyclic_siblings(graph, contract, child, depth - 1, skip, removed, findings);
            }
        }
    }
}

/// A cycle in a small directed graph, as the node path with the first node repeated at the
/// end; depth-first from the lowest node, so the answer is stable.
fn find_cycle(
    nodes: usize,
    edges: &std::collections::BTreeMap<(usize, usize), (u32, u32)>,
) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    fn visit(
        node: usize,
        adjacency: &[Vec<usize>],
        state: &mut [State],
        stack: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[node] = State::Open;
        stack.push(node);
        for &next in &adjacency[node] {
            match state[next] {
                State::Open => {
                    let start = stack.iter().position(|&open| open == next)?;
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next);
                    return Some(cycle);
                }
                State::New => {
                    if let Some(cycle) = visit(next, adjacency, state, stack) {
                        return Some(cycle);
                    }
                }
                State::Done => {}
            }
        }
        stack.pop();
        state[node] = State::Done;
        None
    }
    let mut adjacency = vec![Vec::new(); nodes];
    for &(from, to) in edges.keys() {
        adjacency[from].push(to);
    }
    let mut state = vec![State::New; nodes];
    for node in 0..nodes {
        if state[node] == State::New
            && let Some(cycle) = visit(node, &adjacency, &mut state, &mut Vec::new())
        {
            return Some(cycle);
        }
    }
    None
}
