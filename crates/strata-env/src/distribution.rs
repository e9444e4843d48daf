//! The source-neutral record of one distribution: what `check`, `tree` and `why` work on.
//!
//! An installed environment produces these from `.dist-info` directories; a lock will produce
//! them from its entries (another [`Origin`] variant), and everything downstream stays the same.

use std::path::PathBuf;

use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement};
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
    /// The installation details, when the record describes an installed distribution.
    pub fn installed(&self) -> Option<&Installed> {
        match &self.origin {
            Origin::Installed(installed) => Some(installed),
        }
    }
}

pub(crate) fn serialize_display<T: std::fmt::Display, S: serde::Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}
