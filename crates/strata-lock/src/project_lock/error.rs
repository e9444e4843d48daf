//! Why a lock run failed, with the hints the CLI shows.

use strata_diagnostic::Diagnostic;
use strata_project::ProfileName;
use strata_resolve::ResolveError;

/// How a lock run failed.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// A profile named on the command line does not exist.
    #[error(transparent)]
    UnknownProfile(strata_project::Error),
    /// Profiles of one hierarchy declare different targets.
    #[error(
        "Profiles `{first}` and `{second}` extend each other but have different targets; a hierarchy is solved once, for one target"
    )]
    MixedTargets {
        /// One profile.
        first: String,
        /// The other.
        second: String,
    },
    /// A target is missing or invalid.
    #[error("Profile `{profile}` has no usable target: {reason}")]
    Target {
        /// The profile.
        profile: String,
        /// What is missing.
        reason: String,
    },
    /// A solve failed.
    #[error("Failed to lock {what}{}", where_lines(branches, parent_pins))]
    Resolve {
        /// Which profiles or engine.
        what: String,
        /// For a hierarchy, which of its profiles bring in the conflicting packages, as
        /// "profile `ui` requires `gradio>=4` (requirements/in/ui.in:2)".
        branches: Vec<String>,
        /// With `--layered`, the parents' pins on the conflicting packages, as
        /// "profile `base` pins `numpy==2.1.1` (locks/base.txt)".
        parent_pins: Box<[String]>,
        /// Why (boxed: the error travels through every locking function).
        #[source]
        source: Box<ResolveError>,
    },
    /// No hierarchy pins could be found that the engine can live with.
    #[error("Engine `{engine}` cannot use the pins of the profiles it extends: {}", packages.join(", "))]
    EngineIncompatible {
        /// The engine.
        engine: String,
        /// The packages pinned differently, as `name parent-version -> engine-version`.
        packages: Vec<String>,
    },
    /// The engine cannot use its parents' pins and `move-parent-pins = false` keeps it from
    /// moving them.
    #[error("Engine `{engine}` cannot use the pins of the profiles it extends, and `move-parent-pins = false` keeps it from moving them:\n  {}", conflicts.join("\n  "))]
    EngineMayNotMovePins {
        /// The engine.
        engine: String,
        /// One line per parent pin it cannot use, as "numpy: profile `host` pins 2.4.6;
        /// the engine needs <2.3 (numba==0.61.2 requires numpy>=1.24,<2.3)".
        conflicts: Vec<String>,
    },
    /// An upstream engine's captured package set is missing, unreadable or stale.
    #[error(transparent)]
    ImagePackages(#[from] strata_project::ImagePackagesError),
    /// An engine's index is not configured and the engine says to fail.
    #[error("Engine `{engine}` needs index `{index}`, whose URL `{declared}` uses unset variables: {}", variables.join(", "))]
    IndexUnavailable {
        /// The engine.
        engine: String,
        /// The index name.
        index: String,
        /// The URL as declared.
        declared: String,
        /// The unset variables.
        variables: Vec<String>,
    },
}

impl LockError {
    /// An engine's solve (or its resolver) failed: an engine is solved alone, so there are no
    /// branches or parent pins to name beside the resolver's own explanation.
    pub(crate) fn engine(name: &ProfileName) -> impl FnOnce(ResolveError) -> Self {
        move |source| Self::Resolve {
            what: format!("engine `{name}`"),
            branches: Vec::new(),
            parent_pins: Box::default(),
            source: Box::new(source),
        }
    }

    /// Whether the failure means "no solution" (exit 1) rather than "could not lock" (exit 2).
    pub fn is_no_solution(&self) -> bool {
        match self {
            Self::Resolve { source, .. } => source.is_no_solution(),
            // No hierarchy pins fit the engine: a conflict in the project's requirements.
            Self::EngineIncompatible { .. } | Self::EngineMayNotMovePins { .. } => true,
            _ => false,
        }
    }
}

impl Diagnostic for LockError {
    fn snippet(&self) -> Option<strata_diagnostic::Snippet> {
        match self {
            Self::ImagePackages(error) => error.snippet(),
            _ => None,
        }
    }

    /// Hints for the user.
    fn hints(&self) -> Vec<String> {
        match self {
            Self::Resolve {
                source,
                branches,
                parent_pins,
                ..
            } => {
                let mut hints = source.hints();
                if !parent_pins.is_empty() {
                    hints.push(
                        "Without `--layered`, a hierarchy is solved in one resolution, so its parents' pins already fit every child".to_string(),
                    );
                }
                if branches.len() >= 2 {
                    hints.push(
                        "Profiles extending one parent are solved together; if two branches cannot share versions, make one of them an engine (`[tool.strata.engines.NAME]`) so it gets its own solve".to_string(),
                    );
                }
                hints
            }
            Self::EngineIncompatible { engine, .. } => vec![format!(
                "Set `isolated-from-parent = true` on engine `{engine}` to resolve it with its parents' requirements but not their pins; strata then reports which pins diverge"
            )],
            Self::EngineMayNotMovePins { engine, .. } => vec![format!(
                "Remove `move-parent-pins = false` from engine `{engine}` to let the profiles it extends take its versions, or set `isolated-from-parent = true` to lock it apart from their pins"
            )],
            Self::IndexUnavailable { .. } => vec![
                "Set the variable, or set `when-index-unavailable = \"skip\"` on the engine to lock the rest without it".to_string(),
            ],
            Self::UnknownProfile(error) => error.hints(),
            Self::ImagePackages(error) => error.hints(),
            _ => Vec::new(),
        }
    }
}

/// ", where" and one indented line per branch and parent pin; nothing when there are none.
pub(crate) fn where_lines(branches: &[String], parent_pins: &[String]) -> String {
    if branches.is_empty() && parent_pins.is_empty() {
        return String::new();
    }
    let lines: Vec<&str> = branches
        .iter()
        .chain(parent_pins)
        .map(String::as_str)
        .collect();
    format!(", where\n  {}", lines.join("\n  "))
}

#[cfg(test)]
mod tests {
    use super::where_lines;

    #[test]
    fn where_lines_lists_branches_then_parent_pins_and_nothing_when_there_are_none() {
        assert_eq!(where_lines(&[], &[]), "");
        assert_eq!(
            where_lines(
                &["a needs x<2".to_string()],
                &["base pins x==2".to_string()]
            ),
            ", where\n  a needs x<2\n  base pins x==2"
        );
    }
}
