//! The source-neutral record of one distribution: what `check`, `tree` and `why` work on.
//!
//! An installed environment produces these from `.dist-info` directories, a lock from its pins
//! and the index's metadata ([`Distribution::locked`]); everything downstream is the same.

use std::collections::BTreeSet;
use std::path::PathBuf;

use pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName, Requirement};
use serde::Serialize;

/// One distribution of an environment, with its declared requirements.
#[derive(Debug, Clone, Serialize)]
pub struct Distribution {
    /// The normalized name.
    pub name: PackageName,
    /// The version.
    pub version: Version,
    /// Every `Requires-Dist`, in file order.
    pub requires: Vec<DeclaredRequirement>,
    /// Whether a user asked for it by name (a `REQUESTED` file for installed distributions).
    pub requested: bool,
    /// Extras it was asked for with by name (`name[extra]` in a lock). Installed distributions
    /// do not record them; extras other distributions' requirements name are found by the
    /// graph either way.
    pub requested_extras: BTreeSet<ExtraName>,
    /// Where the record came from.
    pub origin: Origin,
}

/// A requirement as parsed, with the text it was written as.
///
/// pip prints requirements from the text (its own formatting of what the file says), so keeping
/// it is what makes `strata check` lines identical to `pip check` ones.
#[derive(Debug, Clone, Serialize)]
pub struct DeclaredRequirement {
    /// The parsed requirement.
    #[serde(serialize_with = "serialize_display")]
    pub requirement: Requirement,
    /// The text as written in the metadata (for `.egg-info`, as converted from `requires.txt`).
    pub written: String,
}

/// Where a [`Distribution`] record came from.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum Origin {
    /// A distribution installed in a site-packages directory.
    Installed(Installed),
    /// A pin of a lock, with requirements from the index's metadata.
    Locked(Locked),
}

/// Where a locked distribution's record came from.
#[derive(Debug, Clone, Serialize)]
pub struct Locked {
    /// The lock file.
    pub lock: PathBuf,
    /// The distribution file its metadata was read from, when one was.
    pub file: Option<String>,
}

/// The installation details of an installed distribution.
#[derive(Debug, Clone, Serialize)]
pub struct Installed {
    /// The `.dist-info` or `.egg-info` path.
    pub path: PathBuf,
    /// Which metadata layout it uses.
    pub layout: MetadataLayout,
    /// The first line of `INSTALLER` (`pip`, `uv`, ...), when present.
    pub installer: Option<String>,
    /// `direct_url.json` (PEP 610), when present and valid JSON.
    pub direct_url: Option<serde_json::Value>,
}

/// The layout of an installed distribution's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetadataLayout {
    /// A `*.dist-info` directory with `METADATA` (wheels, PEP 376).
    DistInfo,
    /// A legacy `*.egg-info` directory (or file) with `PKG-INFO` and `requires.txt`.
    EggInfo,
}

impl Distribution {
    /// The record of a lock's pin: `requires` as the index's metadata gives them, each with the
    /// text the package wrote, `requested` when a top-level requirement asked for it.
    ///
    /// ```
    /// use std::str::FromStr;
    ///
    /// use pep508_rs::{PackageName, Requirement};
    /// use strata_env::{Distribution, Locked};
    ///
    /// let accelerate = Distribution::locked(
    ///     PackageName::from_str("accelerate")?,
    ///     "0.33.0".parse()?,
    ///     vec![(Requirement::from_str("numpy<2.0.0,>=1.17")?, "numpy (<2.0.0,>=1.17)".into())],
    ///     true,
    ///     Locked { lock: "locks/base.txt".into(), file: None },
    /// );
    /// assert_eq!(accelerate.requires[0].written, "numpy (<2.0.0,>=1.17)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn locked(
        name: PackageName,
        version: Version,
        requires: Vec<(Requirement, String)>,
        requested: bool,
        locked: Locked,
    ) -> Self {
        Self {
            name,
            version,
            requires: requires
                .into_iter()
                .map(|(requirement, written)| DeclaredRequirement {
                    requirement,
                    written,
                })
                .collect(),
            requested,
            requested_extras: BTreeSet::new(),
            origin: Origin::Locked(locked),
        }
    }

    /// The installation details, when the record describes an installed distribution.
    pub fn installed(&self) -> Option<&Installed> {
        match &self.origin {
            Origin::Installed(installed) => Some(installed),
            Origin::Locked(_) => None,
        }
    }
}

pub(crate) fn serialize_display<T: std::fmt::Display, S: serde::Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}
