//! Unknown-key detection with suggestions.
//!
//! serde's `deny_unknown_fields` would reject a typo, but it cannot say which key was meant, and
//! it stops inside `#[serde(untagged)]` and `Spanned` wrappers. So before deserializing, the
//! document's spanned tree is walked against the table of allowed keys below, and the first
//! unknown key is reported with its line and the closest allowed key.

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Error, ErrorKind, Snippet};
use crate::suggest::closest;

const STRATA_KEYS: &[&str] = &[
    "python-version",
    "python-platform",
    "targets",
    "lock-dir",
    "pylock",
    "index-url",
    "extra-index-url",
    "find-links",
    "indexes",
    "sources",
    "profiles",
    "engines",
    "contracts",
    "images",
    "ci",
    "version-file",
];
const PROFILE_KEYS: &[&str] = &[
    "extends",
    "requirements",
    "constraints",
    "file",
    "include",
    "python-version",
    "python-platform",
    "targets",
    "image",
];
/// One entry of `targets = [...]`.
const TARGET_KEYS: &[&str] = &["python-version", "python-platform"];
const ENGINE_ONLY_KEYS: &[&str] = &[
    "version",
    "gpu",
    "indexes",
    "when-index-unavailable",
    "isolated-from-parent",
    "move-parent-pins",
];
const VERSION_KEYS: &[&str] = &["file", "key", "package"];
/// An engine's image has no `dev` stage: nothing extends an engine, so the engine itself holds
/// its test tools.
const IMAGE_KEYS: &[&str] = &["upstream", "build", "base", "packages"];
/// A profile has no version to choose an upstream image by.
const PROFILE_IMAGE_KEYS: &[&str] = &["build", "base", "dev"];
const INDEX_KEYS: &[&str] = &["url", "explicit"];
/// `[tool.strata.sources]`: `torch = { index = "pytorch" }`.
const SOURCE_KEYS: &[&str] = &["index"];
const CI_KEYS: &[&str] = &["workflow", "install", "runners", "test", "cells"];
const RUNNERS_KEYS: &[&str] = &["cpu", "gpu"];
const TEST_CELL_KEYS: &[&str] = &["command", "paths"];
const CELL_KEYS: &[&str] = &["command", "engines", "paths"];
/// `version-file = { path = "...", variable = "..." }`: where the project's own version is.
const VERSION_FILE_KEYS: &[&str] = &["path", "variable"];
const CONTRACTS_KEYS: &[&str] = &["root", "host", "engine-packages"];
const IMAGES_KEYS: &[&str] = &[
    "repository",
    "cpu-base",
    "gpu-base",
    "os-packages",
    "ca-bundle",
    "cache",
    "platforms",
    "source",
];

/// Every key the strata table accepts, as dotted paths with `*` for a name the user chooses
/// (`profiles.*.extends`, `engines.*.version.file`): what a test walks to show that each
/// setting is either part of a lock's fingerprint or cannot change a lock.
pub fn manifest_keys() -> Vec<String> {
    let mut out: Vec<String> = STRATA_KEYS.iter().map(|key| (*key).to_string()).collect();
    out.extend(TARGET_KEYS.iter().map(|key| format!("targets.{key}")));
    for table in ["profiles", "engines"] {
        let mut allowed: Vec<&str> = PROFILE_KEYS.to_vec();
        if table == "engines" {
            allowed.extend_from_slice(ENGINE_ONLY_KEYS);
        }
        for key in allowed {
            out.push(format!("{table}.*.{key}"));
            let nested: &[&str] = match key {
                "version" if table == "engines" => VERSION_KEYS,
                "image" if table == "engines" => IMAGE_KEYS,
                "image" => PROFILE_IMAGE_KEYS,
                "targets" => TARGET_KEYS,
                _ => &[],
            };
            out.extend(nested.iter().map(|sub| format!("{table}.*.{key}.{sub}")));
        }
    }
    out.extend(INDEX_KEYS.iter().map(|key| format!("indexes.*.{key}")));
    out.push("sources.*".to_string());
    out.extend(SOURCE_KEYS.iter().map(|key| format!("sources.*.{key}")));
    out.extend(CONTRACTS_KEYS.iter().map(|key| format!("contracts.{key}")));
    out.extend(IMAGES_KEYS.iter().map(|key| format!("images.{key}")));
    out.extend(CI_KEYS.iter().map(|key| format!("ci.{key}")));
    out.extend(
        VERSION_FILE_KEYS
            .iter()
            .map(|key| format!("version-file.{key}")),
    );
    out.extend(RUNNERS_KEYS.iter().map(|key| format!("ci.runners.{key}")));
    out.extend(TEST_CELL_KEYS.iter().map(|key| format!("ci.test.{key}")));
    out.push("ci.cells.*".to_string());
    out.extend(CELL_KEYS.iter().map(|key| format!("ci.cells.*.{key}")));
    out
}

/// Checks the keys of each entry of a `targets = [{...}, ...]` array in `table`.
fn check_targets(
    table: &DeTable<'_>,
    prefix: &str,
    path: &Path,
    source: &str,
) -> Result<(), Error> {
    let Some(value) = table.get("targets") else {
        return Ok(());
    };
    let DeValue::Array(entries) = value.get_ref() else {
        return Ok(());
    };
    for entry in entries {
        if let DeValue::Table(body) = entry.get_ref() {
            check_table(body, TARGET_KEYS, &join(prefix, "targets"), path, source)?;
        }
    }
    Ok(())
}

/// Checks every key of the strata table (`[tool.strata]` or the top of `strata.toml`).
///
/// `prefix` is how the table is spelled to the user (`tool.strata` or empty for `strata.toml`).
pub(crate) fn check_strata_table(
    table: &DeTable<'_>,
    prefix: &str,
    path: &Path,
    source: &str,
) -> Result<(), Error> {
    check_table(table, STRATA_KEYS, prefix, path, source)?;
    check_targets(table, prefix, path, source)?;
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        let nested = join(prefix, name);
        let DeValue::Table(inner) = value.get_ref() else {
            continue;
        };
        match name {
            "profiles" | "engines" => {
                let mut allowed: Vec<&str> = PROFILE_KEYS.to_vec();
                if name == "engines" {
                    allowed.extend_from_slice(ENGINE_ONLY_KEYS);
                }
                for (entry, body) in inner {
                    let DeValue::Table(body) = body.get_ref() else {
                        continue;
                    };
                    let entry_path = join(&nested, entry.get_ref());
                    check_table(body, &allowed, &entry_path, path, source)?;
                    check_targets(body, &entry_path, path, source)?;
                    for (sub_key, sub_value) in body {
                        let keys = match sub_key.get_ref().as_ref() {
                            "version" => VERSION_KEYS,
                            "image" if name == "engines" => IMAGE_KEYS,
                            "image" => PROFILE_IMAGE_KEYS,
                            _ => continue,
                        };
                        if let DeValue::Table(sub_table) = sub_value.get_ref() {
                            let sub_path = join(&entry_path, sub_key.get_ref());
                            check_table(sub_table, keys, &sub_path, path, source)?;
                        }
                    }
                }
            }
            "indexes" => {
                for (entry, body) in inner {
                    if let DeValue::Table(body) = body.get_ref() {
                        let entry_path = join(&nested, entry.get_ref());
                        check_table(body, INDEX_KEYS, &entry_path, path, source)?;
                    }
                }
            }
            "sources" => {
                for (entry, body) in inner {
                    if let DeValue::Table(body) = body.get_ref() {
                        let entry_path = join(&nested, entry.get_ref());
                        check_table(body, SOURCE_KEYS, &entry_path, path, source)?;
                    }
                }
            }
            "contracts" => check_table(inner, CONTRACTS_KEYS, &nested, path, source)?,
            "images" => check_table(inner, IMAGES_KEYS, &nested, path, source)?,
            "version-file" => check_table(inner, VERSION_FILE_KEYS, &nested, path, source)?,
            "ci" => {
                check_table(inner, CI_KEYS, &nested, path, source)?;
                for (sub_key, sub_value) in inner {
                    let DeValue::Table(sub_table) = sub_value.get_ref() else {
                        continue;
                    };
                    let sub_path = join(&nested, sub_key.get_ref());
                    match sub_key.get_ref().as_ref() {
                        "runners" => check_table(sub_table, RUNNERS_KEYS, &sub_path, path, source)?,
                        "test" => check_table(sub_table, TEST_CELL_KEYS, &sub_path, path, source)?,
                        "cells" => {
                            for (cell, body) in sub_table {
                                if let DeValue::Table(body) = body.get_ref() {
                                    let cell_path = join(&sub_path, cell.get_ref());
                                    check_table(body, CELL_KEYS, &cell_path, path, source)?;
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_table(
    table: &DeTable<'_>,
    allowed: &[&str],
    table_name: &str,
    path: &Path,
    source: &str,
) -> Result<(), Error> {
    for key in table.keys() {
        let name: &str = key.get_ref();
        if !allowed.contains(&name) {
            return Err(unknown_key(key, allowed, table_name, path, source).into());
        }
    }
    Ok(())
}

fn unknown_key(
    key: &Spanned<toml::de::DeString<'_>>,
    allowed: &[&str],
    table_name: &str,
    path: &Path,
    source: &str,
) -> ErrorKind {
    let name: &str = key.get_ref();
    ErrorKind::UnknownKey {
        key: name.to_string(),
        table: if table_name.is_empty() {
            "strata.toml".to_string()
        } else {
            table_name.to_string()
        },
        suggestion: closest(name, allowed.iter().copied()).map(str::to_string),
        expected: allowed.iter().map(|key| (*key).to_string()).collect(),
        snippet: Snippet::from_span(path, source, key.span()),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}
