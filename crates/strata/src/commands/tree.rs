//! `strata tree`: the dependency tree of an installed environment or a lock, forward or
//! inverted.

use std::str::FromStr;

use anyhow::{Result, bail};
use pep508_rs::PackageName;
use strata_env::{TreeNode, TreeOptions, render};

use crate::ExitStatus;
use crate::args::{GlobalArgs, TreeArgs, TreeFormat};
use crate::commands::open_subject;
use crate::output;
use crate::printer::Printer;

pub(crate) fn tree(
    global: &GlobalArgs,
    args: &TreeArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let packages = parse_names(&args.package)?;
    let exclude = parse_names(&args.exclude)?;
    let subject = open_subject(global, &args.environment, &[], printer)?;
    let environment = &subject.environment;
    for package in &packages {
        if environment.graph.find(package).is_none() {
            bail!("{}", subject.absent(package));
        }
    }
    let options = TreeOptions {
        invert: args.invert,
        packages,
        exclude,
        depth: args.depth,
    };
    let tree = strata_env::tree(&environment.graph, &options);
    let text = match args.format {
        TreeFormat::Text => render::text(&tree),
        TreeFormat::Json => output::json::render(&tree)?,
        TreeFormat::Dot => render::dot(&tree),
        TreeFormat::Mermaid => render::mermaid(&tree),
    };
    printer.data(&text)?;
    if tree.roots.iter().any(has_violation) {
        printer.warning("Some requirements are not satisfied; `strata check` lists them");
    }
    Ok(ExitStatus::Success)
}

fn has_violation(node: &TreeNode) -> bool {
    node.edge.as_ref().is_some_and(|edge| !edge.satisfied)
        || node.children.iter().any(has_violation)
}

fn parse_names(names: &[String]) -> Result<Vec<PackageName>> {
    names
        .iter()
        .map(|name| {
            PackageName::from_str(name.trim())
                .map_err(|error| anyhow::anyhow!("Invalid package name `{name}`: {error}"))
        })
        .collect()
}
