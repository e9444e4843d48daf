//! `strata compile --format json`: the lock as data, with what the run wrote and warned.
//!
//! A stable interface (documented in the README): fields are only ever added.

use serde::Serialize;
use strata_lockfile::{Lock, LockedPackage};

/// `strata compile --format json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct CompileJson {
    /// The requirements file, as given.
    pub(crate) input: String,
    /// The target's Python version (`3.11`).
    pub(crate) python_version: String,
    /// The target's platform (`x86_64-manylinux_2_28`).
    pub(crate) python_platform: String,
    /// `--output-file`; `null` when the lock is in `lock` instead.
    pub(crate) output_file: Option<String>,
    /// Whether the output file was written (`false` when it already held this lock, or there
    /// is none).
    pub(crate) written: bool,
    /// Every pin, in the lock's order.
    pub(crate) packages: Vec<PackageJson>,
    /// What the run warned about on stderr (yanked pins, extras a version lacks, unused
    /// indexes...), in order.
    pub(crate) warnings: Vec<String>,
    /// The lock's text, when there is no output file to hold it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) lock: Option<String>,
}

/// One pin of the lock.
#[derive(Debug, Serialize)]
pub(crate) struct PackageJson {
    name: String,
    version: String,
    /// Extras something requires, as `name[extra]==version` writes them.
    extras: Vec<String>,
    /// A direct URL requirement's URL (credentials redacted); absent for an index pin.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    /// `sha256:<hex>` of every file of the version (empty without `--generate-hashes`).
    hashes: Vec<String>,
    /// Why it is there, as the `# via` lines say.
    via: Vec<String>,
}

impl From<&LockedPackage> for PackageJson {
    fn from(package: &LockedPackage) -> Self {
        Self {
            name: package.name.to_string(),
            version: package.version.to_string(),
            extras: package.extras.iter().map(ToString::to_string).collect(),
            url: package.url.clone(),
            hashes: package
                .hashes
                .iter()
                .map(|hash| format!("sha256:{hash}"))
                .collect(),
            via: package.via.clone(),
        }
    }
}

/// The pins of `lock`, for [`CompileJson::packages`].
pub(crate) fn packages(lock: &Lock) -> Vec<PackageJson> {
    lock.packages.iter().map(PackageJson::from).collect()
}
