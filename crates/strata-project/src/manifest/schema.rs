//! The raw shape of the manifest, as serde reads it: every field optional, values kept with their
//! spans so validation (in `manifest/mod.rs` and `model.rs`) can point at the exact text.
//!
//! Nothing here is validated beyond TOML types; unknown keys are rejected earlier, by
//! [`super::keys`], which knows the allowed keys of every table and can suggest a near miss.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

/// A whole `pyproject.toml`. Tables strata does not read are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct PyProjectToml {
    pub(crate) project: Option<ProjectTable>,
    pub(crate) dependency_groups: Option<IndexMap<String, Vec<Spanned<GroupEntry>>>>,
    pub(crate) tool: Option<ToolTable>,
}

/// `[tool]`: only `strata` matters here.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ToolTable {
    pub(crate) strata: Option<StrataTable>,
}

/// `[project]`, the PEP 621 fields strata draws requirements from.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ProjectTable {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) version: Option<Spanned<String>>,
    pub(crate) dependencies: Option<Vec<Spanned<String>>>,
    pub(crate) optional_dependencies: Option<IndexMap<String, Vec<Spanned<String>>>>,
    /// PEP 621 `dynamic`: fields a build backend computes, which the file does not hold.
    pub(crate) dynamic: Option<Vec<String>>,
}

impl ProjectTable {
    /// Whether `field` (`dependencies`, `optional-dependencies`) is declared dynamic.
    pub(crate) fn is_dynamic(&self, field: &str) -> bool {
        self.dynamic
            .iter()
            .flatten()
            .any(|declared| declared == field)
    }
}

/// One entry of a PEP 735 dependency group: a requirement or `{include-group = "NAME"}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum GroupEntry {
    Requirement(String),
    Include {
        #[serde(rename = "include-group")]
        include_group: String,
    },
}

/// `[tool.strata]`, or the top level of `strata.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct StrataTable {
    pub(crate) python_version: Option<Spanned<String>>,
    pub(crate) python_platform: Option<Spanned<String>>,
    pub(crate) targets: Option<Spanned<Vec<TargetTable>>>,
    pub(crate) lock_dir: Option<Spanned<String>>,
    pub(crate) pylock: Option<bool>,
    pub(crate) index_url: Option<Spanned<String>>,
    pub(crate) extra_index_url: Option<Vec<Spanned<String>>>,
    pub(crate) find_links: Option<Vec<Spanned<String>>>,
    pub(crate) indexes: Option<IndexMap<Spanned<String>, IndexTable>>,
    pub(crate) sources: Option<IndexMap<Spanned<String>, Spanned<SourceTable>>>,
    pub(crate) profiles: Option<IndexMap<Spanned<String>, ProfileTable>>,
    pub(crate) engines: Option<IndexMap<Spanned<String>, ProfileTable>>,
    pub(crate) contracts: Option<ContractsTable>,
    pub(crate) images: Option<ImagesTable>,
    pub(crate) ci: Option<CiTable>,
}

/// `[tool.strata.ci]`: the CI plan's runners, test cells and probe cells.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct CiTable {
    pub(crate) workflow: Option<Spanned<String>>,
    pub(crate) install: Option<Spanned<String>>,
    pub(crate) runners: Option<RunnersTable>,
    pub(crate) test: Option<CellTable>,
    pub(crate) cells: Option<IndexMap<Spanned<String>, CellTable>>,
}

/// `runners = { cpu = [...], gpu = [...] }`: the `runs-on` labels of each kind of job.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct RunnersTable {
    pub(crate) cpu: Option<Vec<Spanned<String>>>,
    pub(crate) gpu: Option<Vec<Spanned<String>>>,
}

/// A cell: `test = { command = [...], paths = [...] }` or `[tool.strata.ci.cells.NAME]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct CellTable {
    pub(crate) command: Option<Vec<Spanned<String>>>,
    pub(crate) engines: Option<Vec<Spanned<String>>>,
    pub(crate) paths: Option<Vec<Spanned<String>>>,
}

/// `[tool.strata.images]`: what the generated images share, and how they are named.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ImagesTable {
    pub(crate) repository: Option<Spanned<String>>,
    pub(crate) cpu_base: Option<Spanned<String>>,
    pub(crate) gpu_base: Option<Spanned<String>>,
    pub(crate) os_packages: Option<Vec<Spanned<String>>>,
    pub(crate) ca_bundle: Option<Spanned<String>>,
    pub(crate) cache: Option<Spanned<String>>,
    pub(crate) platforms: Option<Vec<Spanned<String>>>,
    pub(crate) source: Option<Spanned<String>>,
}

/// `[tool.strata.indexes.NAME]`: a named index that engines can opt into.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct IndexTable {
    pub(crate) url: Spanned<String>,
    pub(crate) explicit: Option<bool>,
}

/// `[tool.strata.sources]` entry: `torch = { index = "pytorch" }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct SourceTable {
    pub(crate) index: Spanned<String>,
}

/// A profile or an engine table. Engine-only keys (`version`, `gpu`, `indexes`,
/// `when-index-unavailable`) are rejected in profiles by the key check, so one struct serves both.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ProfileTable {
    pub(crate) extends: Option<Vec<Spanned<String>>>,
    pub(crate) requirements: Option<Vec<Spanned<String>>>,
    pub(crate) constraints: Option<Vec<Spanned<String>>>,
    pub(crate) file: Option<Spanned<String>>,
    pub(crate) include: Option<Vec<Spanned<String>>>,
    pub(crate) python_version: Option<Spanned<String>>,
    pub(crate) python_platform: Option<Spanned<String>>,
    pub(crate) targets: Option<Spanned<Vec<TargetTable>>>,
    pub(crate) version: Option<Spanned<VersionTable>>,
    pub(crate) image: Option<Spanned<ImageTable>>,
    pub(crate) gpu: Option<bool>,
    pub(crate) indexes: Option<Vec<Spanned<String>>>,
    pub(crate) when_index_unavailable: Option<Spanned<String>>,
    pub(crate) isolated_from_parent: Option<bool>,
    pub(crate) move_parent_pins: Option<bool>,
}

/// One entry of `targets = [{ python-version = "3.11", python-platform = "..." }, ...]`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct TargetTable {
    pub(crate) python_version: Spanned<String>,
    pub(crate) python_platform: Spanned<String>,
}

/// `version = { file = "...", key = "...", package = "..." }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct VersionTable {
    pub(crate) file: Spanned<String>,
    pub(crate) key: Spanned<String>,
    pub(crate) package: Option<Spanned<String>>,
}

/// `image = { upstream = "...", packages = "..." }`, `image = { build = "...", base = "..." }`
/// or `image = { base = "...", dev = "..." }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ImageTable {
    pub(crate) upstream: Option<Spanned<String>>,
    pub(crate) build: Option<Spanned<String>>,
    pub(crate) base: Option<Spanned<String>>,
    pub(crate) dev: Option<Spanned<String>>,
    pub(crate) packages: Option<Spanned<String>>,
}

/// `[tool.strata.contracts]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ContractsTable {
    pub(crate) root: Option<Vec<String>>,
    pub(crate) host: Option<Vec<String>>,
    pub(crate) engine_packages: Option<Vec<String>>,
}
