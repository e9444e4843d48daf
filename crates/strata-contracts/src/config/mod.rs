//! import-linter's configuration: `[tool.importlinter]` in `pyproject.toml`, or
//! `[importlinter]` sections in `setup.cfg` / `.importlinter`.
//!
//! The raw layer ([`RawSection`]) is the same for TOML and INI; validation turns it into the
//! model ([`ImportLinterConfig`], [`Contract`]) and is where "file, line, what" errors come from.

mod ini;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, ErrorKind};

/// A configuration value before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawValue {
    String(String),
    List(Vec<String>),
    Bool(bool),
}

/// One `[section]` (INI) or table (TOML) with its values and their lines.
#[derive(Debug, Clone)]
pub(crate) struct RawSection {
    name: String,
    line: usize,
    values: Vec<(String, RawValue, usize)>,
}

/// What to do when an `ignore_imports` expression matches no import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alerting {
    /// Fail the run (import-linter's default).
    Error,
    /// Add a warning to the contract's result.
    Warn,
    /// Say nothing.
    None,
}

/// One module of a layer, `(name)` when optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerModule {
    /// The module name, relative to the container when there are containers.
    pub name: String,
    /// Written `(name)`: a missing module is not an error.
    pub optional: bool,
}

/// One line of a `layers` contract: one module, or siblings split by `|` (independent of each
/// other) or `:` (free to import each other).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer {
    /// The modules of the layer.
    pub modules: Vec<LayerModule>,
    /// Whether the siblings must not import each other.
    pub independent: bool,
}

/// The contract types strata checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContractKind {
    /// Higher layers may import lower ones, never the reverse, directly or indirectly.
    Layers {
        /// From highest to lowest.
        layers: Vec<Layer>,
        /// Packages the layers repeat in.
        containers: Vec<String>,
        /// Every child of each container must be a layer.
        exhaustive: bool,
        /// Children exempt from `exhaustive`.
        exhaustive_ignores: Vec<String>,
    },
    /// `source_modules` must not import `forbidden_modules`.
    Forbidden {
        /// The importers (module expressions).
        source_modules: Vec<String>,
        /// The modules they must not import.
        forbidden_modules: Vec<String>,
        /// Check direct imports only.
        allow_indirect_imports: bool,
        /// Include descendants on both sides.
        as_packages: bool,
    },
    /// No imports between the modules, in either direction, directly or indirectly.
    Independence {
        /// The modules (module expressions).
        modules: Vec<String>,
    },
    /// No dependency cycles among the children of each ancestor (imports between descendants
    /// count for the children they are in), repeated `depth` generations down.
    AcyclicSiblings {
        /// The packages whose children are checked (module expressions).
        ancestors: Vec<String>,
        /// How many generations below each ancestor are checked too (import-linter's default
        /// is 10).
        depth: u32,
        /// Packages (module expressions) whose children are not checked.
        skip_descendants: Vec<String>,
    },
    /// A type strata does not check yet (`protected`, custom types).
    Unsupported {
        /// The type as written.
        type_name: String,
    },
}

/// An `importer -> imported` expression of `ignore_imports`; `*` stands for one module name,
/// `**` for one or more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportExpression {
    /// The importer pattern.
    pub importer: String,
    /// The imported pattern.
    pub imported: String,
}

impl std::fmt::Display for ImportExpression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} -> {}", self.importer, self.imported)
    }
}

/// One contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contract {
    /// The `id` (INI: from `[importlinter:contract:<id>]`), if any.
    pub id: Option<String>,
    /// The `name`.
    pub name: String,
    /// 1-based line of the contract's section in its file.
    pub line: usize,
    /// The type and its options.
    pub kind: ContractKind,
    /// Imports removed from the graph before this contract is checked.
    pub ignore_imports: Vec<ImportExpression>,
    /// What to do with an `ignore_imports` line that matches nothing.
    pub unmatched_ignore_imports_alerting: Alerting,
}

/// The whole import-linter configuration of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportLinterConfig {
    /// The file it was read from.
    pub path: PathBuf,
    /// `root_package` / `root_packages`.
    pub root_packages: Vec<String>,
    /// Whether external packages are graph nodes (by top-level name).
    pub include_external_packages: bool,
    /// Drop imports under `if TYPE_CHECKING:` (including its `else`) from the graph.
    pub exclude_type_checking_imports: bool,
    /// The contracts, in file order.
    pub contracts: Vec<Contract>,
}

impl ImportLinterConfig {
    /// Finds and reads the configuration the way `lint-imports` does: `setup.cfg`, then
    /// `.importlinter`, then `pyproject.toml`, the first holding an `importlinter` section.
    /// `Ok(None)` when the project has none.
    pub fn discover(root: &Path) -> Result<Option<Self>, Error> {
        for name in ["setup.cfg", ".importlinter", "pyproject.toml"] {
            let path = root.join(name);
            if !path.is_file() {
                continue;
            }
            if let Some(config) = Self::from_file(&path)? {
                return Ok(Some(config));
            }
        }
        Ok(None)
    }

    /// Reads one file (TOML when it ends in `.toml`, INI otherwise); `Ok(None)` when it has no
    /// import-linter section.
    pub fn from_file(path: &Path) -> Result<Option<Self>, Error> {
        let text = fs_err::read_to_string(path).map_err(|source| ErrorKind::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses configuration text; `file_name` decides the format and names the file in errors.
    pub fn parse(file_name: &Path, text: &str) -> Result<Option<Self>, Error> {
        let sections = if file_name
            .extension()
            .is_some_and(|extension| extension == "toml")
        {
            toml_sections(file_name, text)
        } else {
            ini::parse(file_name, text)
        };
        sections
            .and_then(|sections| from_sections(file_name, &sections))
            .map_err(|error| error.with_line_from(text))
    }
}

fn toml_sections(path: &Path, text: &str) -> Result<Vec<RawSection>, Error> {
    let table: toml::Table = toml::from_str(text).map_err(|error| ErrorKind::Syntax {
        path: path.to_path_buf(),
        line: error
            .span()
            .map_or(1, |span| line_of_offset(text, span.start)),
        message: error.message().to_owned(),
    })?;
    let Some(importlinter) = table
        .get("tool")
        .and_then(|tool| tool.get("importlinter"))
        .and_then(toml::Value::as_table)
    else {
        return Ok(Vec::new());
    };
    let header_line = line_of(text, "[tool.importlinter]").unwrap_or(1);
    let mut sections = vec![RawSection {
        name: "importlinter".to_owned(),
        line: header_line,
        values: Vec::new(),
    }];
    let contract_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.trim().starts_with("[[tool.importlinter.contracts]]"))
        .map(|(index, _)| index + 1)
        .collect();
    for (key, value) in importlinter {
        if key == "contracts" {
            let contracts = value.as_array().map(Vec::as_slice).unwrap_or_default();
            for (index, contract) in contracts.iter().enumerate() {
                let line = contract_lines.get(index).copied().unwrap_or(header_line);
                let Some(contract) = contract.as_table() else {
                    return Err(invalid(path, line, "Each contract must be a table"));
                };
                let mut section = RawSection {
                    name: format!("importlinter:contract:{}", index + 1),
                    line,
                    values: Vec::new(),
                };
                for (key, value) in contract {
                    section
                        .values
                        .push((key.clone(), toml_value(path, line, key, value)?, line));
                }
                sections.push(section);
            }
        } else {
            let value = toml_value(path, header_line, key, value)?;
            sections[0].values.push((key.clone(), value, header_line));
        }
    }
    Ok(sections)
}

fn toml_value(path: &Path, line: usize, key: &str, value: &toml::Value) -> Result<RawValue, Error> {
    let scalar = |value: &toml::Value| match value {
        toml::Value::String(string) => Some(string.clone()),
        toml::Value::Integer(integer) => Some(integer.to_string()),
        _ => None,
    };
    match value {
        toml::Value::Boolean(boolean) => Ok(RawValue::Bool(*boolean)),
        toml::Value::Array(items) => items
            .iter()
            .map(|item| {
                scalar(item).ok_or_else(|| {
                    invalid(path, line, &format!("`{key}` must be a list of strings"))
                })
            })
            .collect::<Result<_, _>>()
            .map(RawValue::List),
        other => scalar(other)
            .map(RawValue::String)
            .ok_or_else(|| invalid(path, line, &format!("`{key}` has an unsupported type"))),
    }
}

fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.trim().starts_with(needle))
        .map(|index| index + 1)
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

fn invalid(path: &Path, line: usize, message: &str) -> Error {
    ErrorKind::InvalidContract {
        path: path.to_path_buf(),
        line,
        message: message.to_owned(),
    }
    .into()
}

/// Typed access to a section's values, with errors that name the key's line.
struct Values<'a> {
    path: &'a Path,
    section: &'a RawSection,
}

impl Values<'_> {
    fn raw(&self, key: &str) -> Option<(&RawValue, usize)> {
        self.section
            .values
            .iter()
            .find(|(name, _, _)| name == key)
            .map(|(_, value, line)| (value, *line))
    }

    fn string(&self, key: &str) -> Result<Option<String>, Error> {
        match self.raw(key) {
            None => Ok(None),
            Some((RawValue::String(value), _)) => Ok(Some(value.clone())),
            Some((_, line)) => Err(invalid(
                self.path,
                line,
                &format!("`{key}` must be a string"),
            )),
        }
    }

    fn list(&self, key: &str) -> Vec<String> {
        match self.raw(key) {
            None => Vec::new(),
            Some((RawValue::String(value), _)) => vec![value.clone()],
            Some((RawValue::List(values), _)) => values.clone(),
            Some((RawValue::Bool(value), _)) => vec![value.to_string()],
        }
    }

    fn bool(&self, key: &str, default: bool) -> Result<bool, Error> {
        match self.raw(key) {
            None => Ok(default),
            Some((RawValue::Bool(value), _)) => Ok(*value),
            Some((RawValue::String(value), line)) => match value.to_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(invalid(
                    self.path,
                    line,
                    &format!("`{key}` must be `true` or `false`, found `{value}`"),
                )),
            },
            Some((RawValue::List(_), line)) => Err(invalid(
                self.path,
                line,
                &format!("`{key}` must be `true` or `false`"),
            )),
        }
    }
}

fn from_sections(
    path: &Path,
    sections: &[RawSection],
) -> Result<Option<ImportLinterConfig>, Error> {
    let Some(top) = sections
        .iter()
        .find(|section| section.name == "importlinter")
    else {
        return Ok(None);
    };
    let values = Values { path, section: top };
    let mut root_packages = values.list("root_packages");
    if let Some(root) = values.string("root_package")? {
        root_packages.push(root);
    }
    if root_packages.is_empty() {
        return Err(invalid(
            path,
            top.line,
            "Missing `root_package` or `root_packages`",
        ));
    }
    let mut contracts = Vec::new();
    for section in sections {
        let Some(id) = section.name.strip_prefix("importlinter:contract:") else {
            continue;
        };
        contracts.push(contract(path, section, id)?);
    }
    Ok(Some(ImportLinterConfig {
        path: path.to_path_buf(),
        root_packages,
        include_external_packages: values.bool("include_external_packages", false)?,
        exclude_type_checking_imports: values.bool("exclude_type_checking_imports", false)?,
        contracts,
    }))
}

fn contract(path: &Path, section: &RawSection, section_id: &str) -> Result<Contract, Error> {
    let values = Values { path, section };
    let is_toml = path
        .extension()
        .is_some_and(|extension| extension == "toml");
    let id = values
        .string("id")?
        .or_else(|| (!is_toml).then(|| section_id.to_owned()));
    let name = values
        .string("name")?
        .ok_or_else(|| invalid(path, section.line, "Contract has no `name`"))?;
    let type_name = values.string("type")?.ok_or_else(|| {
        invalid(
            path,
            section.line,
            &format!("Contract `{name}` has no `type`"),
        )
    })?;
    let kind = match type_name.as_str() {
        "layers" => {
            let layers = values
                .list("layers")
                .iter()
                .map(|line| {
                    parse_layer(line).map_err(|message| invalid(path, section.line, &message))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let containers = values.list("containers");
            let exhaustive = values.bool("exhaustive", false)?;
            if exhaustive && containers.is_empty() {
                return Err(invalid(
                    path,
                    section.line,
                    "The `exhaustive` option is not supported for contracts without containers",
                ));
            }
            ContractKind::Layers {
                layers,
                containers,
                exhaustive,
                exhaustive_ignores: values.list("exhaustive_ignores"),
            }
        }
        "forbidden" => ContractKind::Forbidden {
            source_modules: values.list("source_modules"),
            forbidden_modules: values.list("forbidden_modules"),
            allow_indirect_imports: values.bool("allow_indirect_imports", false)?,
            as_packages: values.bool("as_packages", true)?,
        },
        "independence" => ContractKind::Independence {
            modules: values.list("modules"),
        },
        "acyclic_siblings" => {
            let depth = match values.string("depth")? {
                None => 10,
                Some(depth) => depth.parse().map_err(|_| {
                    invalid(
                        path,
                        section.line,
                        &format!("`depth` must be a non-negative integer, found `{depth}`"),
                    )
                })?,
            };
            ContractKind::AcyclicSiblings {
                ancestors: values.list("ancestors"),
                depth,
                skip_descendants: values.list("skip_descendants"),
            }
        }
        other => ContractKind::Unsupported {
            type_name: other.to_owned(),
        },
    };
    let ignore_imports = values
        .list("ignore_imports")
        .iter()
        .map(|expression| {
            let (importer, imported) = expression.split_once("->").ok_or_else(|| {
                invalid(
                    path,
                    section.line,
                    &format!("`{expression}` is not an import expression (`importer -> imported`)"),
                )
            })?;
            Ok(ImportExpression {
                importer: importer.trim().to_owned(),
                imported: imported.trim().to_owned(),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let alerting = match values
        .string("unmatched_ignore_imports_alerting")?
        .as_deref()
    {
        None | Some("error") => Alerting::Error,
        Some("warn") => Alerting::Warn,
        Some("none") => Alerting::None,
        Some(other) => {
            return Err(invalid(
                path,
                section.line,
                &format!(
                    "`unmatched_ignore_imports_alerting` must be `error`, `warn` or `none`, found `{other}`"
                ),
            ));
        }
    };
    Ok(Contract {
        id,
        name,
        line: section.line,
        kind,
        ignore_imports,
        unmatched_ignore_imports_alerting: alerting,
    })
}

/// `a | b`, `a : b`, `(a)`; mixing `|` and `:` is an error, as in import-linter.
fn parse_layer(line: &str) -> Result<Layer, String> {
    let (parts, independent): (Vec<&str>, bool) = match (line.contains('|'), line.contains(':')) {
        (true, true) => {
            return Err(format!(
                "Layer `{line}` mixes independent (`|`) and non-independent (`:`) siblings"
            ));
        }
        (true, false) => (line.split('|').collect(), true),
        (false, true) => (line.split(':').collect(), false),
        (false, false) => (vec![line], true),
    };
    let modules = parts
        .into_iter()
        .map(str::trim)
        .map(|part| {
            match part
                .strip_prefix('(')
                .and_then(|rest| rest.strip_suffix(')'))
            {
                Some(name) => LayerModule {
                    name: name.to_owned(),
                    optional: true,
                },
                None => LayerModule {
                    name: part.to_owned(),
                    optional: false,
                },
            }
        })
        .collect();
    Ok(Layer {
        modules,
        independent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_contracts_keep_their_order_lines_and_options() {
        let text = r#"
[tool.importlinter]
root_package = "app"
exclude_type_checking_imports = true

[[tool.importlinter.contracts]]
name = "Layered"
type = "layers"
layers = ["app.high", "app.mid_a | app.mid_b", "(app.low)"]

[[tool.importlinter.contracts]]
id = "no-db"
name = "No database"
type = "forbidden"
source_modules = ["app.high"]
forbidden_modules = ["sqlalchemy"]
allow_indirect_imports = "True"
ignore_imports = ["app.** -> app.low"]
"#;
        let config = ImportLinterConfig::parse(Path::new("pyproject.toml"), text)
            .unwrap()
            .unwrap();
        assert_eq!(config.root_packages, ["app"]);
        assert!(config.exclude_type_checking_imports);
        assert_eq!(config.contracts[0].line, 6);
        assert_eq!(config.contracts[1].line, 11);
        assert_eq!(config.contracts[1].id.as_deref(), Some("no-db"));
        let ContractKind::Layers { layers, .. } = &config.contracts[0].kind else {
            panic!("expected layers");
        };
        assert!(layers[1].independent);
        assert_eq!(layers[1].modules.len(), 2);
        assert!(layers[2].modules[0].optional);
        assert!(matches!(
            config.contracts[1].kind,
            ContractKind::Forbidden {
                allow_indirect_imports: true,
                ..
            }
        ));
    }

    #[test]
    fn a_contract_without_a_type_names_file_and_line() {
        let text = "[importlinter]\nroot_package = app\n\n[importlinter:contract:x]\nname = X\n";
        let error = ImportLinterConfig::parse(Path::new(".importlinter"), text).unwrap_err();
        insta::assert_snapshot!(error, @".importlinter:4: Contract `X` has no `type`");
    }

    #[test]
    fn mixed_layer_separators_are_rejected() {
        assert!(parse_layer("a | b : c").is_err());
        assert!(!parse_layer("a : b").unwrap().independent);
    }
}
