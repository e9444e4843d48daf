//! Which indexes to use: the same answer pip on this machine would give, unless told otherwise.
//!
//! strata never writes an index URL into its code or docs. The primary index is the first of:
//!
//! 1. the command line (`--index-url`);
//! 2. the manifest (`index-url` in `[tool.strata]`);
//! 3. `STRATA_INDEX_URL`;
//! 4. the variables users already set for uv and pip: `UV_DEFAULT_INDEX`, `UV_INDEX_URL`,
//!    `PIP_INDEX_URL`;
//! 5. pip's configuration files (`index-url` in `[global]`, overridden by `[install]`), read in
//!    pip's order: global (`/etc/xdg/pip/pip.conf`, `/etc/pip.conf`), user
//!    (`$XDG_CONFIG_HOME/pip/pip.conf` or `~/.config/pip/pip.conf`, legacy `~/.pip/pip.conf`),
//!    site (`$VIRTUAL_ENV/pip.conf`), then `PIP_CONFIG_FILE` (which, set to `/dev/null`,
//!    disables them all, as in pip);
//! 6. pip's own built-in default, asked of the machine's pip by the caller.
//!
//! Extra indexes and find-links come from the first layer that sets any, in the same order
//! (`STRATA_EXTRA_INDEX_URL`, `UV_EXTRA_INDEX_URL`, `PIP_EXTRA_INDEX_URL`, `PIP_FIND_LINKS`;
//! space-separated lists, as pip reads them). Each resolved setting remembers where it came from,
//! so `-v` output and errors can say "from `PIP_INDEX_URL`" instead of leaving users guessing.

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};
use crate::index_url::IndexUrl;

/// Settings given explicitly, by the command line and the manifest.
#[derive(Debug, Clone, Default)]
pub struct ExplicitIndexes {
    /// `--index-url`.
    pub cli_index_url: Option<String>,
    /// `--extra-index-url`.
    pub cli_extra_index_urls: Vec<String>,
    /// `--find-links`.
    pub cli_find_links: Vec<String>,
    /// The manifest's `index-url`.
    pub manifest_index_url: Option<String>,
    /// The manifest's `extra-index-url`.
    pub manifest_extra_index_urls: Vec<String>,
    /// The manifest's `find-links`.
    pub manifest_find_links: Vec<String>,
}

/// The indexes to use, each with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexConfig {
    /// The primary index.
    pub index_url: IndexUrl,
    /// Where `index_url` came from, like `PIP_INDEX_URL` or `/etc/pip.conf`.
    pub index_origin: String,
    /// Further indexes, in order. They are searched before `index_url` (as uv does): an extra
    /// index is there to provide something the default index lacks or has otherwise.
    pub extra_index_urls: Vec<IndexUrl>,
    /// Local directories or pages of distribution files.
    pub find_links: Vec<String>,
    /// Packages bound to one index (the manifest's `[tool.strata.sources]`): each is taken
    /// from that index alone, whatever the others have, and `find-links` is not consulted
    /// for it. The index may be one that serves nothing else (an `explicit` one).
    pub bound: Vec<(pep508_rs::PackageName, IndexUrl)>,
}

impl IndexConfig {
    /// A configuration of exactly these indexes (tests, and the `--index-url` flag).
    pub fn new(index_url: IndexUrl) -> Self {
        Self {
            index_url,
            index_origin: "the caller".to_string(),
            extra_index_urls: Vec::new(),
            find_links: Vec::new(),
            bound: Vec::new(),
        }
    }

    /// Every index searched for a package bound to none, in priority order: the extra indexes
    /// first, then the primary one (uv's order; pip's has no priority at all). Under the
    /// first-index strategy a project the default index also has is taken from the extra
    /// index, which is what naming one is for.
    pub fn indexes(&self) -> impl Iterator<Item = &IndexUrl> {
        self.extra_index_urls
            .iter()
            .chain(std::iter::once(&self.index_url))
    }

    /// The index `name` is bound to, if any.
    pub fn bound_index(&self, name: &pep508_rs::PackageName) -> Option<&IndexUrl> {
        self.bound
            .iter()
            .find(|(package, _)| package == name)
            .map(|(_, index)| index)
    }

    /// The indexes searched for `name`, in priority order: its bound index alone, or
    /// [`IndexConfig::indexes`].
    pub fn indexes_for(&self, name: &pep508_rs::PackageName) -> Vec<&IndexUrl> {
        match self.bound_index(name) {
            Some(index) => vec![index],
            None => self.indexes().collect(),
        }
    }

    /// Every index this configuration may read from: [`IndexConfig::indexes`], then the bound
    /// indexes that are not among them, each once.
    pub fn all_indexes(&self) -> Vec<&IndexUrl> {
        let mut all: Vec<&IndexUrl> = self.indexes().collect();
        for (_, index) in &self.bound {
            if !all.contains(&index) {
                all.push(index);
            }
        }
        all
    }

    /// What pip gets as `--extra-index-url` to install what this configuration resolved: every
    /// index of [`IndexConfig::all_indexes`] but the main one, bound ones included. pip has no
    /// per-package index and merges them all; the hashes of the pins are what keep a same-named
    /// file of another index out.
    pub fn pip_extra_index_urls(&self) -> Vec<String> {
        self.all_indexes()
            .into_iter()
            .filter(|index| **index != self.index_url)
            .map(|index| index.url().to_string())
            .collect()
    }
}

/// Resolves the index configuration.
///
/// `env` reads environment variables; `pip_default` asks the machine's pip for its built-in
/// index and is only called when nothing else sets one.
pub fn resolve(
    explicit: &ExplicitIndexes,
    env: &dyn Fn(&str) -> Option<String>,
    pip_default: &dyn Fn() -> Option<String>,
) -> Result<IndexConfig, Error> {
    let pip = PipConfig::load(env);
    let variable = |names: &[&'static str]| -> Option<(String, String)> {
        names.iter().find_map(|name| {
            env(name)
                .filter(|value| !value.trim().is_empty())
                .map(|value| (value, (*name).to_string()))
        })
    };
    let (index_text, index_origin) = explicit
        .cli_index_url
        .clone()
        .map(|url| (url, "--index-url".to_string()))
        .or_else(|| {
            explicit
                .manifest_index_url
                .clone()
                .map(|url| (url, "the manifest's `index-url`".to_string()))
        })
        .or_else(|| variable(&["STRATA_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"]))
        .or_else(|| pip.value("index-url").map(|(value, origin)| (value.to_string(), origin)))
        .or_else(|| pip_default().map(|url| (url, "pip's default".to_string())))
        .ok_or_else(|| ErrorKind::Config {
            origin: "this machine".to_string(),
            reason: "no package index is configured and pip could not be asked for its default; pass `--index-url` or set `index-url` in the manifest".to_string(),
        })?;
    let index_url = parse_url(index_text.trim(), &index_origin)?;

    let extra_texts = first_list(&[
        (
            explicit.cli_extra_index_urls.clone(),
            "--extra-index-url".to_string(),
        ),
        (
            explicit.manifest_extra_index_urls.clone(),
            "the manifest's `extra-index-url`".to_string(),
        ),
    ])
    .or_else(|| {
        variable(&[
            "STRATA_EXTRA_INDEX_URL",
            "UV_EXTRA_INDEX_URL",
            "PIP_EXTRA_INDEX_URL",
        ])
        .map(|(value, origin)| (split_list(&value), origin))
    })
    .or_else(|| {
        pip.value("extra-index-url")
            .map(|(value, origin)| (split_list(value), origin))
    });
    let extra_index_urls = match extra_texts {
        Some((texts, origin)) => texts
            .iter()
            .map(|text| parse_url(text, &origin))
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };

    let find_links = first_list(&[
        (explicit.cli_find_links.clone(), String::new()),
        (explicit.manifest_find_links.clone(), String::new()),
    ])
    .or_else(|| variable(&["PIP_FIND_LINKS"]).map(|(value, origin)| (split_list(&value), origin)))
    .or_else(|| {
        pip.value("find-links")
            .map(|(value, origin)| (split_list(value), origin))
    })
    .map(|(links, _)| links)
    .unwrap_or_default();

    Ok(IndexConfig {
        index_url,
        index_origin,
        extra_index_urls,
        find_links,
        bound: Vec::new(),
    })
}

/// What a lock's fingerprint records of the index configuration: the settings the project and
/// the command line declare. Machine-level settings (variables, pip's files, pip's default)
/// are deliberately left out: a teammate's mirror of the same index must not make every lock
/// look stale in CI. Computing it costs no subprocess and no request.
pub fn identity(explicit: &ExplicitIndexes) -> String {
    let redacted = |urls: &[String]| -> Vec<String> {
        urls.iter().map(|url| crate::redact_text(url)).collect()
    };
    format!(
        "index-url={:?} extra-index-url={:?} find-links={:?} manifest-index-url={:?} manifest-extra-index-url={:?} manifest-find-links={:?}",
        explicit.cli_index_url.as_deref().map(crate::redact_text),
        redacted(&explicit.cli_extra_index_urls),
        explicit.cli_find_links,
        explicit
            .manifest_index_url
            .as_deref()
            .map(crate::redact_text),
        redacted(&explicit.manifest_extra_index_urls),
        explicit.manifest_find_links,
    )
}

fn first_list(layers: &[(Vec<String>, String)]) -> Option<(Vec<String>, String)> {
    layers
        .iter()
        .find(|(values, _)| !values.is_empty())
        .cloned()
}

/// pip splits list-valued variables and config values on whitespace.
fn split_list(value: &str) -> Vec<String> {
    value.split_whitespace().map(str::to_string).collect()
}

fn parse_url(text: &str, origin: &str) -> Result<IndexUrl, Error> {
    IndexUrl::parse(text).map_err(|error| {
        ErrorKind::Config {
            origin: origin.to_string(),
            reason: format!("`{}` is not a URL: {error}", crate::redact_text(text)),
        }
        .into()
    })
}

/// pip's configuration files, merged in pip's order (later files win).
#[derive(Debug, Default)]
struct PipConfig {
    /// `(key, value, file)` with keys normalized to `a-b` form, later entries winning.
    values: Vec<(String, String, PathBuf)>,
}

impl PipConfig {
    fn load(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let mut config = Self::default();
        let config_file = env("PIP_CONFIG_FILE").filter(|value| !value.is_empty());
        if config_file.as_deref() == Some("/dev/null") {
            return config;
        }
        let home = env("HOME").map(PathBuf::from);
        let mut files = vec![
            PathBuf::from("/etc/xdg/pip/pip.conf"),
            PathBuf::from("/etc/pip.conf"),
        ];
        if let Some(home) = &home {
            files.push(home.join(".pip/pip.conf"));
        }
        match env("XDG_CONFIG_HOME").filter(|value| !value.is_empty()) {
            Some(xdg) => files.push(Path::new(&xdg).join("pip/pip.conf")),
            None => {
                if let Some(home) = &home {
                    files.push(home.join(".config/pip/pip.conf"));
                }
            }
        }
        if let Some(venv) = env("VIRTUAL_ENV").filter(|value| !value.is_empty()) {
            files.push(Path::new(&venv).join("pip.conf"));
        }
        if let Some(file) = config_file {
            files.push(PathBuf::from(file));
        }
        for file in files {
            if let Ok(text) = fs_err::read_to_string(&file) {
                config.values.extend(
                    parse_ini(&text)
                        .into_iter()
                        .map(|(key, value)| (key, value, file.clone())),
                );
            }
        }
        config
    }

    /// The value of `key` (already normalized), with its file.
    fn value(&self, key: &str) -> Option<(&str, String)> {
        self.values
            .iter()
            .rev()
            .find(|(name, _, _)| name == key)
            .map(|(_, value, file)| (value.as_str(), file.display().to_string()))
    }
}

/// Reads the `[global]` and `[install]` sections of a pip config file (`[install]` after, so it
/// wins). Indented lines continue the previous value, which is how multi-valued
/// `extra-index-url` settings are written.
fn parse_ini(text: &str) -> Vec<(String, String)> {
    let mut section = String::new();
    let mut global = Vec::new();
    let mut install = Vec::new();
    let mut current: Option<(String, String)> = None;
    let mut flush = |current: &mut Option<(String, String)>, section: &str| {
        if let Some(entry) = current.take() {
            match section {
                "global" => global.push(entry),
                "install" => install.push(entry),
                _ => {}
            }
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            if let Some((_, value)) = &mut current {
                value.push(' ');
                value.push_str(trimmed);
            }
            continue;
        }
        flush(&mut current, &section);
        if let Some(name) = trimmed
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            section = name.trim().to_lowercase();
            continue;
        }
        if let Some(split) = trimmed.find(['=', ':']) {
            let key = trimmed[..split].trim().to_lowercase().replace('_', "-");
            let value = trimmed[split + 1..].trim().to_string();
            current = Some((key, value));
        }
    }
    flush(&mut current, &section);
    global.extend(install);
    global
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(key, value)| ((*key).to_string(), (*value).to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn layers_are_taken_in_order() {
        let env = env_of(&[
            ("PIP_CONFIG_FILE", "/dev/null"),
            ("PIP_INDEX_URL", "http://127.0.0.1:1/pip/"),
            ("UV_INDEX_URL", "http://127.0.0.1:1/uv/"),
        ]);
        let never = || -> Option<String> { panic!("pip must not be asked when a variable is set") };
        let config = resolve(&ExplicitIndexes::default(), &env, &never).unwrap();
        assert_eq!(config.index_url.url().as_str(), "http://127.0.0.1:1/uv/");
        assert_eq!(config.index_origin, "UV_INDEX_URL");

        let explicit = ExplicitIndexes {
            manifest_index_url: Some("http://127.0.0.1:1/manifest".to_string()),
            ..ExplicitIndexes::default()
        };
        let config = resolve(&explicit, &env, &never).unwrap();
        assert_eq!(
            config.index_url.url().as_str(),
            "http://127.0.0.1:1/manifest/"
        );
    }

    #[test]
    fn pip_config_file_is_read_and_install_section_wins() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pip.conf");
        fs_err::write(
            &file,
            "[global]\nindex-url = http://127.0.0.1:1/global\nextra-index-url =\n    http://127.0.0.1:1/a\n    http://127.0.0.1:1/b\nfind_links = /opt/wheels\n[install]\nindex_url = http://127.0.0.1:1/install\n",
        )
        .unwrap();
        let path = file.to_str().unwrap().to_string();
        let env = env_of(&[("PIP_CONFIG_FILE", path.as_str())]);
        let config = resolve(&ExplicitIndexes::default(), &env, &|| None).unwrap();
        assert_eq!(
            config.index_url.url().as_str(),
            "http://127.0.0.1:1/install/"
        );
        assert_eq!(config.extra_index_urls.len(), 2);
        assert_eq!(config.find_links, ["/opt/wheels"]);
        assert_eq!(config.index_origin, file.display().to_string());
    }

    #[test]
    fn pip_default_is_the_last_resort() {
        let env = env_of(&[("PIP_CONFIG_FILE", "/dev/null")]);
        let config = resolve(&ExplicitIndexes::default(), &env, &|| {
            Some("http://127.0.0.1:1/default/".to_string())
        })
        .unwrap();
        assert_eq!(config.index_origin, "pip's default");
        let error = resolve(&ExplicitIndexes::default(), &env, &|| None).unwrap_err();
        assert!(
            error.to_string().contains("no package index is configured"),
            "{error}"
        );
    }
}
