//! The import graph: modules as dense ids, deduplicated edges, and the chain searches the
//! contracts need.

use std::collections::VecDeque;
use std::path::PathBuf;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::collect::{Collection, Import};

/// Where one import of an edge is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Site {
    pub(crate) line: u32,
    pub(crate) column: u32,
}

/// Edges a contract removes (its `ignore_imports`), checked during every search.
pub(crate) type EdgeSet = FxHashSet<(u32, u32)>;

/// A directed graph of modules. External packages, when present, are single nodes named by
/// their top-level package.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    names: Vec<String>,
    index: FxHashMap<String, u32>,
    paths: Vec<Option<PathBuf>>,
    imports: Vec<Vec<u32>>,
    importers: Vec<Vec<u32>>,
    children: Vec<Vec<u32>>,
    sites: FxHashMap<(u32, u32), Vec<Site>>,
}

impl Graph {
    /// Builds the graph of the modules under `roots`, keeping the imports `keep` accepts.
    /// An imported name resolves to the module itself or, failing that, its parent
    /// (`from pkg import function` is an import of `pkg`), as grimp does; other names are
    /// external and kept as their top-level package only with `include_external`.
    pub(crate) fn build(
        collection: &Collection,
        roots: &[String],
        include_external: bool,
        keep: impl Fn(&Import) -> bool,
    ) -> Self {
        let mut graph = Self::default();
        let in_roots = |name: &str| roots.iter().any(|root| is_self_or_descendant(name, root));
        for module in &collection.modules {
            if in_roots(&module.name) {
                let id = graph.add(&module.name);
                graph.paths[id as usize] = Some(module.path.clone());
            }
        }
        // Namespace packages have no file but are still parents.
        let names: Vec<String> = graph.names.clone();
        for name in &names {
            let mut current = name.as_str();
            while let Some((parent, _)) = current.rsplit_once('.') {
                if !in_roots(parent) {
                    break;
                }
                graph.add(parent);
                current = parent;
            }
        }
        for id in 0..graph.names.len() {
            if let Some((parent, _)) = graph.names[id].rsplit_once('.')
                && let Some(&parent) = graph.index.get(parent)
            {
                graph.children[parent as usize].push(u32::try_from(id).unwrap_or(u32::MAX));
            }
        }
        for module in &collection.modules {
            let Some(&importer) = graph.index.get(&module.name) else {
                continue;
            };
            for import in module.imports.iter().filter(|import| keep(import)) {
                let imported = if in_roots(&import.module) {
                    let parent = import.module.rsplit_once('.').map(|(parent, _)| parent);
                    graph
                        .index
                        .get(&import.module)
                        .or_else(|| parent.and_then(|parent| graph.index.get(parent)))
                        .copied()
                } else if include_external {
                    Some(graph.add(import.top_level()))
                } else {
                    None
                };
                if let Some(imported) = imported
                    && imported != importer
                {
                    graph.add_edge(
                        importer,
                        imported,
                        Site {
                            line: import.line,
                            column: import.column,
                        },
                    );
                }
            }
        }
        for list in graph.imports.iter_mut().chain(graph.importers.iter_mut()) {
            list.sort_unstable();
            list.dedup();
        }
        graph
    }

    fn add(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 modules");
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), id);
        self.paths.push(None);
        self.imports.push(Vec::new());
        self.importers.push(Vec::new());
        self.children.push(Vec::new());
        id
    }

    pub(crate) fn add_edge(&mut self, importer: u32, imported: u32, site: Site) {
        let sites = self.sites.entry((importer, imported)).or_default();
        if sites.is_empty() {
            self.imports[importer as usize].push(imported);
            self.importers[imported as usize].push(importer);
        }
        sites.push(site);
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub(crate) fn path(&self, id: u32) -> Option<&PathBuf> {
        self.paths[id as usize].as_ref()
    }

    pub(crate) fn find(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    pub(crate) fn imports_of(&self, id: u32) -> &[u32] {
        &self.imports[id as usize]
    }

    pub(crate) fn children_of(&self, id: u32) -> &[u32] {
        &self.children[id as usize]
    }

    pub(crate) fn sites(&self, importer: u32, imported: u32) -> &[Site] {
        self.sites
            .get(&(importer, imported))
            .map_or(&[], Vec::as_slice)
    }

    pub(crate) fn has_edge(&self, importer: u32, imported: u32, removed: &EdgeSet) -> bool {
        self.sites.contains_key(&(importer, imported)) && !removed.contains(&(importer, imported))
    }

    /// Every edge, for matching `ignore_imports`.
    pub(crate) fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.imports
            .iter()
            .enumerate()
            .flat_map(|(importer, imported)| {
                let importer = u32::try_from(importer).unwrap_or(u32::MAX);
                imported.iter().map(move |imported| (importer, *imported))
            })
    }

    /// The module and all modules below it.
    pub(crate) fn with_descendants(&self, id: u32) -> Vec<u32> {
        let mut out = vec![id];
        let mut index = 0;
        while index < out.len() {
            out.extend_from_slice(&self.children[out[index] as usize]);
            index += 1;
        }
        out
    }

    /// Modules whose names match an import-linter module expression (`*` one name, `**` one
    /// or more); a plain name matches itself only.
    pub(crate) fn matching(&self, pattern: &str) -> Vec<u32> {
        if !pattern.contains('*') {
            return self.find(pattern).into_iter().collect();
        }
        let parts: Vec<&str> = pattern.split('.').collect();
        let mut found: Vec<u32> = (0..self.names.len())
            .filter(|&id| {
                let name: Vec<&str> = self.names[id].split('.').collect();
                wildcard_match(&parts, &name)
            })
            .map(|id| u32::try_from(id).unwrap_or(u32::MAX))
            .collect();
        found.sort_unstable_by(|left, right| self.name(*left).cmp(self.name(*right)));
        found
    }

    /// The shortest chain from any module of `from` to any module of `to`, through modules
    /// outside `excluded`, over edges outside `removed` (breadth-first, so ties go to the
    /// lowest module id).
    pub(crate) fn shortest_chain(
        &self,
        from: &[bool],
        to: &[bool],
        excluded: &[bool],
        removed: &EdgeSet,
    ) -> Option<Vec<u32>> {
        let mut previous: Vec<u32> = vec![u32::MAX; self.len()];
        let mut seen = vec![false; self.len()];
        let mut queue = VecDeque::new();
        for id in 0..self.len() {
            if from[id] {
                seen[id] = true;
                queue.push_back(u32::try_from(id).unwrap_or(u32::MAX));
            }
        }
        while let Some(current) = queue.pop_front() {
            for &next in self.imports_of(current) {
                let index = next as usize;
                if seen[index] || (!removed.is_empty() && removed.contains(&(current, next))) {
                    continue;
                }
                if to[index] {
                    let mut chain = vec![next, current];
                    let mut step = current;
                    while previous[step as usize] != u32::MAX {
                        step = previous[step as usize];
                        chain.push(step);
                    }
                    chain.reverse();
                    return Some(chain);
                }
                if excluded[index] || from[index] {
                    continue;
                }
                seen[index] = true;
                previous[index] = current;
                queue.push_back(next);
            }
        }
        None
    }

    /// From one module, the shortest chain to each module of `to` it reaches, through modules
    /// outside `excluded` and outside `to` (a module of `to` ends a chain, it is not a step).
    pub(crate) fn chains_from(
        &self,
        start: u32,
        to: &[bool],
        excluded: &[bool],
        removed: &EdgeSet,
    ) -> Vec<Vec<u32>> {
        let mut previous: FxHashMap<u32, u32> = FxHashMap::default();
        let mut reached: Vec<u32> = Vec::new();
        let mut queue = VecDeque::from([start]);
        previous.insert(start, u32::MAX);
        while let Some(current) = queue.pop_front() {
            for &next in self.imports_of(current) {
                let index = next as usize;
                if previous.contains_key(&next)
                    || (!removed.is_empty() && removed.contains(&(current, next)))
                {
                    continue;
                }
                if to[index] {
                    previous.insert(next, current);
                    reached.push(next);
                    continue;
                }
                if excluded[index] {
                    continue;
                }
                previous.insert(next, current);
                queue.push_back(next);
            }
        }
        reached
            .into_iter()
            .map(|end| {
                let mut chain = vec![end];
                let mut step = end;
                while let Some(&before) = previous.get(&step) {
                    if before == u32::MAX {
                        break;
                    }
                    chain.push(before);
                    step = before;
                }
                chain.reverse();
                chain
            })
            .collect()
    }

    /// Membership vector of `ids`.
    pub(crate) fn membership(&self, ids: impl IntoIterator<Item = u32>) -> Vec<bool> {
        let mut set = vec![false; self.len()];
        for id in ids {
            set[id as usize] = true;
        }
        set
    }
}

pub(crate) fn is_self_or_descendant(name: &str, ancestor: &str) -> bool {
    name == ancestor
        || (name.starts_with(ancestor) && name.as_bytes().get(ancestor.len()) == Some(&b'.'))
}

/// import-linter wildcards: `*` is exactly one name, `**` one or more.
fn wildcard_match(pattern: &[&str], name: &[&str]) -> bool {
    match (pattern.split_first(), name.split_first()) {
        (None, None) => true,
        (None, Some(_)) | (Some(_), None) => false,
        (Some((&"**", rest)), Some((_, name_rest))) => {
            (0..=name_rest.len()).any(|skip| wildcard_match(rest, &name_rest[skip..]))
        }
        (Some((&"*", rest)), Some((_, name_rest))) => wildcard_match(rest, name_rest),
        (Some((part, rest)), Some((first, name_rest))) => {
            part == first && wildcard_match(rest, name_rest)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_star_matches_one_name_and_double_star_one_or_more() {
        fn pattern(text: &str) -> Vec<&str> {
            text.split('.').collect()
        }
        assert!(wildcard_match(&pattern("a.*.c"), &pattern("a.b.c")));
        assert!(!wildcard_match(&pattern("a.*"), &pattern("a.b.c")));
        assert!(wildcard_match(&pattern("a.**"), &pattern("a.b.c")));
        assert!(!wildcard_match(&pattern("a.**"), &pattern("a")));
        assert!(wildcard_match(&pattern("a.**.d"), &pattern("a.b.c.d")));
    }
}
