//! `tree`: the dependency tree, forward or inverted, as data; [`render`] turns it into text,
//! Graphviz dot or Mermaid, and it serializes to JSON.
//!
//! Forward, the roots are the distributions nothing requires (plus members of cycles that no
//! root reaches, so every distribution appears), and each child carries the specifier its
//! parent demands and the installed version, as pipdeptree prints them. Inverted (`--invert`),
//! the roots are the distributions that require nothing installed, and each child is a
//! dependent, with the requirement it places on its parent in the tree. `--package` replaces
//! the roots; `--exclude` drops distributions and everything below them; `--depth` cuts the
//! tree. A distribution already on the path from the root is shown once more, marked as a
//! cycle, and not expanded again, so the tree is finite on any graph.
//!
//! Shared subtrees are repeated, as pipdeptree repeats them: the tree answers "what is under
//! this", and the dot and Mermaid renderers fold repeated edges back into a graph.

use std::collections::HashSet;

use pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName, VersionOrUrl};
use serde::Serialize;

use crate::distribution::{DeclaredRequirement, Origin};
use crate::graph::{Edge, Graph};

pub mod render;

/// What to show.
#[derive(Debug, Clone, Default)]
pub struct TreeOptions {
    /// Show dependents instead of dependencies.
    pub invert: bool,
    /// Start from these distributions instead of the roots.
    pub packages: Vec<PackageName>,
    /// Leave these distributions, and what is only reachable through them, out.
    pub exclude: Vec<PackageName>,
    /// Show at most this many levels below the roots.
    pub depth: Option<usize>,
}

/// A dependency tree.
#[derive(Debug, Clone, Serialize)]
pub struct Tree {
    /// Whether children are dependents (`--invert`) rather than dependencies.
    pub inverted: bool,
    /// Whether the versions are a lock's pins rather than installed versions (the renderers
    /// say `locked` instead of `installed`).
    pub locked: bool,
    /// The top-level nodes, sorted by name.
    pub roots: Vec<TreeNode>,
}

/// One node: a distribution, and how it is connected to its parent in the tree.
#[derive(Debug, Clone, Serialize)]
pub struct TreeNode {
    /// The distribution's name (normalized).
    pub name: PackageName,
    /// The installed version, or `None` when a requirement names something not installed.
    pub version: Option<Version>,
    /// The requirement connecting this node to its parent in the tree (absent on roots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<TreeEdge>,
    /// Whether this distribution already appears above it on the path (not expanded again).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
    /// The children: dependencies, or dependents when inverted.
    pub children: Vec<Self>,
}

/// The requirement on one tree edge.
#[derive(Debug, Clone, Serialize)]
pub struct TreeEdge {
    /// The required distribution's name.
    pub required: PackageName,
    /// The specifiers as written order-wise (`>=1.17,<2.0.0`), `@ URL`, or empty for any version.
    pub specifier: String,
    /// The parent's extra the requirement applies under, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<ExtraName>,
    /// Whether the installed version satisfies it (false when missing).
    pub satisfied: bool,
}

impl TreeEdge {
    fn new(graph: &Graph, edge: &Edge) -> Self {
        Self {
            required: edge.child_name.clone(),
            specifier: specifier_text(graph.requirement(edge)),
            extra: edge.extra.clone(),
            satisfied: edge.satisfied,
        }
    }
}

/// The version part of a requirement: specifiers joined by `,`, `@ URL`, or empty.
pub(crate) fn specifier_text(declared: &DeclaredRequirement) -> String {
    match &declared.requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        Some(VersionOrUrl::Url(url)) => format!("@ {url}"),
        None => String::new(),
    }
}

/// Builds the tree of `graph` as `options` ask.
///
/// Names in `options.packages` that are not installed are ignored; the caller checks them
/// first if it wants to report them.
pub fn tree(graph: &Graph, options: &TreeOptions) -> Tree {
    let excluded: HashSet<&PackageName> = options.exclude.iter().collect();
    let count = graph.distributions().len();
    let roots: Vec<usize> = if options.packages.is_empty() {
        default_roots(graph, options.invert)
    } else {
        options
            .packages
            .iter()
            .filter_map(|name| graph.find(name))
            .collect()
    };
    let mut roots: Vec<usize> = roots
        .into_iter()
        .filter(|&node| !excluded.contains(&graph.distributions()[node].name))
        .collect();
    roots.sort_by(|&a, &b| {
        graph.distributions()[a]
            .name
            .cmp(&graph.distributions()[b].name)
    });
    roots.dedup();
    let builder = Builder {
        graph,
        options,
        excluded,
    };
    let mut on_path = vec![false; count];
    Tree {
        inverted: options.invert,
        locked: graph
            .distributions()
            .iter()
            .any(|distribution| matches!(distribution.origin, Origin::Locked(_))),
        roots: roots
            .into_iter()
            .map(|root| builder.node(root, None, 0, &mut on_path))
            .collect(),
    }
}

/// Roots when none are named: nodes without parents in the chosen direction, then one node of
/// every cycle nothing else reaches, so that every distribution appears somewhere.
fn default_roots(graph: &Graph, invert: bool) -> Vec<usize> {
    let count = graph.distributions().len();
    let neighbours = |node: usize| -> Vec<usize> {
        if invert {
            graph.incoming(node).map(|edge| edge.parent).collect()
        } else {
            graph.outgoing(node).filter_map(|edge| edge.child).collect()
        }
    };
    let has_parent = |node: usize| -> bool {
        if invert {
            graph.outgoing(node).any(|edge| edge.child.is_some())
        } else {
            graph.incoming(node).next().is_some()
        }
    };
    let mut sorted: Vec<usize> = (0..count).collect();
    sorted.sort_by(|&a, &b| {
        graph.distributions()[a]
            .name
            .cmp(&graph.distributions()[b].name)
    });
    let mut roots: Vec<usize> = sorted
        .iter()
        .copied()
        .filter(|&node| !has_parent(node))
        .collect();
    let mut reached = vec![false; count];
    let mut stack: Vec<usize> = roots.clone();
    let visit = |stack: &mut Vec<usize>, reached: &mut Vec<bool>| {
        while let Some(node) = stack.pop() {
            if std::mem::replace(&mut reached[node], true) {
                continue;
            }
            stack.extend(neighbours(node));
        }
    };
    visit(&mut stack, &mut reached);
    for node in sorted {
        if !reached[node] {
            roots.push(node);
            stack.push(node);
            visit(&mut stack, &mut reached);
        }
    }
    roots
}

struct Builder<'a> {
    graph: &'a Graph,
    options: &'a TreeOptions,
    excluded: HashSet<&'a PackageName>,
}

impl Builder<'_> {
    fn node(
        &self,
        node: usize,
        edge: Option<TreeEdge>,
        depth: usize,
        on_path: &mut Vec<bool>,
    ) -> TreeNode {
        let distribution = &self.graph.distributions()[node];
        let mut tree_node = TreeNode {
            name: distribution.name.clone(),
            version: Some(distribution.version.clone()),
            edge,
            cycle: on_path[node],
            children: Vec::new(),
        };
        if tree_node.cycle || self.options.depth.is_some_and(|limit| depth >= limit) {
            return tree_node;
        }
        on_path[node] = true;
        let mut children: Vec<TreeNode> = Vec::new();
        if self.options.invert {
            for edge in self.graph.incoming(node) {
                let parent = &self.graph.distributions()[edge.parent];
                if self.excluded.contains(&parent.name) {
                    continue;
                }
                let tree_edge = TreeEdge::new(self.graph, edge);
                children.push(self.node(edge.parent, Some(tree_edge), depth + 1, on_path));
            }
        } else {
            for edge in self.graph.outgoing(node) {
                if self.excluded.contains(&edge.child_name) {
                    continue;
                }
                let tree_edge = TreeEdge::new(self.graph, edge);
                match edge.child {
                    Some(child) => {
                        children.push(self.node(child, Some(tree_edge), depth + 1, on_path));
                    }
                    None => children.push(TreeNode {
                        name: edge.child_name.clone(),
                        version: None,
                        edge: Some(tree_edge),
                        cycle: false,
                        children: Vec::new(),
                    }),
                }
            }
        }
        on_path[node] = false;
        children.sort_by(|a, b| a.name.cmp(&b.name));
        tree_node.children = children;
        tree_node
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::graph::Extras;
    use crate::graph::tests::{distribution, markers};

    fn graph() -> Graph {
        Graph::new(
            vec![
                distribution("top", "1.0", &["mid>=1", "gone"]),
                distribution("mid", "1.5", &["leaf<1", "loop-a"]),
                distribution("leaf", "2.0", &[]),
                distribution("loop-a", "1", &["loop-b"]),
                distribution("loop-b", "1", &["loop-a==1"]),
                distribution("island-a", "1", &["island-b"]),
                distribution("island-b", "1", &["island-a"]),
            ],
            &markers(),
            Extras::Follow,
        )
    }

    fn names(names: &[&str]) -> Vec<PackageName> {
        names
            .iter()
            .map(|name| PackageName::from_str(name).unwrap())
            .collect()
    }

    #[test]
    fn forward_tree_marks_violations_missing_and_cycles_and_includes_islands() {
        let text = render::text(&tree(&graph(), &TreeOptions::default()));
        insta::assert_snapshot!(text, @r"
        island-a==1
        └── island-b [required: Any, installed: 1]
            └── island-a [required: Any, installed: 1] (cycle)
        top==1.0
        ├── gone [required: Any, installed: ?] (missing)
        └── mid [required: >=1, installed: 1.5]
            ├── leaf [required: <1, installed: 2.0] (violated)
            └── loop-a [required: Any, installed: 1]
                └── loop-b [required: Any, installed: 1]
                    └── loop-a [required: ==1, installed: 1] (cycle)
        ");
    }

    #[test]
    fn exclude_and_depth_cut_the_tree() {
        let options = TreeOptions {
            packages: names(&["top"]),
            exclude: names(&["loop-a"]),
            depth: Some(1),
            ..TreeOptions::default()
        };
        insta::assert_snapshot!(render::text(&tree(&graph(), &options)), @r"
        top==1.0
        ├── gone [required: Any, installed: ?] (missing)
        └── mid [required: >=1, installed: 1.5]
        ");
        let options = TreeOptions {
            invert: true,
            packages: names(&["leaf"]),
            ..TreeOptions::default()
        };
        insta::assert_snapshot!(render::text(&tree(&graph(), &options)), @r"
        leaf==2.0
        └── mid==1.5 [requires: leaf<1] (violated)
            └── top==1.0 [requires: mid>=1]
        ");
    }

    #[test]
    fn dot_and_mermaid_fold_the_tree_into_a_graph() {
        let options = TreeOptions {
            packages: names(&["mid"]),
            depth: Some(1),
            ..TreeOptions::default()
        };
        let tree = tree(&graph(), &options);
        insta::assert_snapshot!(render::dot(&tree), @r#"
        digraph {
            node [shape=box];
            "leaf" [label="leaf\n2.0"];
            "loop-a" [label="loop-a\n1"];
            "mid" [label="mid\n1.5"];
            "mid" -> "leaf" [label="<1", color=red, style=dashed];
            "mid" -> "loop-a" [label=""];
        }
        "#);
        insta::assert_snapshot!(render::mermaid(&tree), @r#"
        flowchart TD
            leaf["leaf 2.0"]
            loop_a["loop-a 1"]
            mid["mid 1.5"]
            mid -. "<1 violated" .-> leaf
            mid -- "any" --> loop_a
        "#);
        let json: serde_json::Value = serde_json::from_str(&render::json(&tree)).unwrap();
        assert_eq!(json["roots"][0]["children"][0]["edge"]["satisfied"], false);
    }
}
