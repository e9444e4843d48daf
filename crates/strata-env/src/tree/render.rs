//! Renderers of a [`Tree`]: pure functions from data to the text a command prints.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Tree, TreeNode};

/// pipdeptree-style text: `name==version` roots, children drawn with box characters, each edge
/// with `[required: SPEC, installed: VERSION]` (forward; `locked:` for a lock) or
/// `[requires: NAME SPEC]` (inverted), and `(violated)`, `(missing)` or `(cycle)` where that
/// applies.
pub fn text(tree: &Tree) -> String {
    let mut out = String::new();
    for root in &tree.roots {
        line(&mut out, root, tree.inverted, tree.locked);
        out.push('\n');
        children(&mut out, tree, root, "");
    }
    out
}

fn children(out: &mut String, tree: &Tree, node: &TreeNode, prefix: &str) {
    for (index, child) in node.children.iter().enumerate() {
        let last = index + 1 == node.children.len();
        out.push_str(prefix);
        out.push_str(if last { "└── " } else { "├── " });
        line(out, child, tree.inverted, tree.locked);
        out.push('\n');
        let deeper = format!("{prefix}{}", if last { "    " } else { "│   " });
        children(out, tree, child, &deeper);
    }
}

fn line(out: &mut String, node: &TreeNode, inverted: bool, locked: bool) {
    match (&node.edge, inverted) {
        (None, _) => {
            out.push_str(node.name.as_ref());
            if let Some(version) = &node.version {
                let _ = write!(out, "=={version}");
            }
        }
        (Some(edge), false) => {
            let specifier = if edge.specifier.is_empty() {
                "Any"
            } else {
                &edge.specifier
            };
            let installed = node
                .version
                .as_ref()
                .map_or_else(|| "?".to_string(), ToString::to_string);
            let state = if locked { "locked" } else { "installed" };
            let _ = write!(
                out,
                "{} [required: {specifier}, {state}: {installed}]",
                node.name
            );
        }
        (Some(edge), true) => {
            let _ = write!(out, "{}", node.name);
            if let Some(version) = &node.version {
                let _ = write!(out, "=={version}");
            }
            let _ = write!(out, " [requires: {}{}]", edge.required, edge.specifier);
        }
    }
    if let Some(edge) = &node.edge {
        if node.version.is_none() && !inverted {
            out.push_str(" (missing)");
        } else if !edge.satisfied {
            out.push_str(" (violated)");
        }
    }
    if node.cycle {
        out.push_str(" (cycle)");
    }
}

/// The tree as pretty JSON (the serde form of [`Tree`]).
pub fn json(tree: &Tree) -> String {
    let mut out = serde_json::to_string_pretty(tree).expect("a tree serializes: plain data");
    out.push('\n');
    out
}

/// One drawn edge: from requirer to required, whatever the tree's direction.
struct GraphEdge {
    specifier: String,
    satisfied: bool,
}

/// Nodes (name to version text) and edges of the tree, folded into a graph.
type Folded = (
    BTreeMap<String, String>,
    BTreeMap<(String, String), GraphEdge>,
);

fn fold(tree: &Tree) -> Folded {
    let mut nodes = BTreeMap::new();
    let mut edges = BTreeMap::new();
    let mut stack: Vec<&TreeNode> = tree.roots.iter().collect();
    while let Some(node) = stack.pop() {
        nodes.insert(
            node.name.to_string(),
            node.version.as_ref().map_or_else(
                || {
                    if tree.locked {
                        "not in the lock"
                    } else {
                        "not installed"
                    }
                    .to_string()
                },
                ToString::to_string,
            ),
        );
        for child in &node.children {
            if let Some(edge) = &child.edge {
                // Edges always point from the requirer to the required distribution.
                let (from, to) = if tree.inverted {
                    (child.name.to_string(), node.name.to_string())
                } else {
                    (node.name.to_string(), child.name.to_string())
                };
                edges.insert(
                    (from, to),
                    GraphEdge {
                        specifier: edge.specifier.clone(),
                        satisfied: edge.satisfied,
                    },
                );
            }
            stack.push(child);
        }
    }
    (nodes, edges)
}

/// Graphviz dot: one node per distribution (`name` and version), one edge per requirement
/// labelled with its specifier; violated and missing requirements are red and dashed.
pub fn dot(tree: &Tree) -> String {
    let (nodes, edges) = fold(tree);
    let mut out = String::from("digraph {\n    node [shape=box];\n");
    for (name, version) in &nodes {
        let _ = writeln!(out, "    {} [label=\"{name}\\n{version}\"];", quote(name));
    }
    for ((from, to), edge) in &edges {
        let style = if edge.satisfied {
            String::new()
        } else {
            ", color=red, style=dashed".to_string()
        };
        let _ = writeln!(
            out,
            "    {} -> {} [label=\"{}\"{style}];",
            quote(from),
            quote(to),
            edge.specifier.replace('"', "\\\"")
        );
    }
    out.push_str("}\n");
    out
}

fn quote(name: &str) -> String {
    format!("\"{name}\"")
}

/// A Mermaid flowchart: one node per distribution, one edge per requirement labelled with its
/// specifier; violated and missing requirements are dotted and marked `violated`.
pub fn mermaid(tree: &Tree) -> String {
    let (nodes, edges) = fold(tree);
    let mut out = String::from("flowchart TD\n");
    for (name, version) in &nodes {
        let _ = writeln!(out, "    {}[\"{name} {version}\"]", mermaid_id(name));
    }
    for ((from, to), edge) in &edges {
        let label = if edge.specifier.is_empty() {
            "any".to_string()
        } else {
            edge.specifier.replace('"', "#quot;")
        };
        if edge.satisfied {
            let _ = writeln!(
                out,
                "    {} -- \"{label}\" --> {}",
                mermaid_id(from),
                mermaid_id(to)
            );
        } else {
            let _ = writeln!(
                out,
                "    {} -. \"{label} violated\" .-> {}",
                mermaid_id(from),
                mermaid_id(to)
            );
        }
    }
    out
}

/// Mermaid node identifiers: names with `.` and `-` replaced, since both end identifiers.
fn mermaid_id(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
