//! Telling pip where packages come from: exactly the indexes strata resolved against.
//!
//! pip gets them through its environment (`PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`,
//! `PIP_FIND_LINKS`), never its command line: index URLs may carry a password, and every user of
//! the machine can read any process's command line (`ps`, `/proc/PID/cmdline`), while its
//! environment is readable by its owner alone. Setting all three also replaces what pip's own
//! configuration says, so pip uses exactly these. (When pip builds an sdist, its
//! build-isolation subprocess puts the index URLs on its own command line: that is pip's doing;
//! credentials in `.netrc` instead of the URL stay off every command line.)
//!
//! One type serves every pip strata runs: `strata sync`'s installs and the build environments
//! of `strata build` and of metadata builds.

use std::process::Command;

/// Where pip finds the files a lock names (a lock names files, not where they are): the indexes
/// the lock was resolved against, URLs with their credentials, if any.
///
/// ```
/// let sources = strata_env::PipSources {
///     index_url: Some("https://host/simple/".to_string()),
///     ..Default::default()
/// };
/// let mut pip = std::process::Command::new("pip");
/// sources.apply(&mut pip);
/// assert!(pip.get_envs().any(|(key, _)| key == "PIP_INDEX_URL"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipSources {
    /// The main index (`--index-url`); `None` for no index at all (only `find_links`).
    pub index_url: Option<String>,
    /// More indexes, in order (`--extra-index-url`).
    pub extra_index_urls: Vec<String>,
    /// Local directories or pages of links (`--find-links`).
    pub find_links: Vec<String>,
}

impl PipSources {
    /// Gives them to `command` (a pip invocation) through its environment, see the module docs.
    pub fn apply(&self, command: &mut Command) {
        match &self.index_url {
            Some(url) => {
                command.env("PIP_INDEX_URL", url);
            }
            None => {
                // No index: only `find-links`, and nothing written to the user's pip cache.
                command.env("PIP_NO_INDEX", "1").arg("--no-cache-dir");
            }
        }
        command.env("PIP_EXTRA_INDEX_URL", self.extra_index_urls.join(" "));
        // pip splits these variables at whitespace, so a directory whose path has a space can
        // only be an argument; a path carries no password.
        let (spaced, plain): (Vec<&String>, Vec<&String>) = self
            .find_links
            .iter()
            .partition(|entry| entry.contains(char::is_whitespace));
        command.env(
            "PIP_FIND_LINKS",
            plain
                .iter()
                .map(|entry| entry.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        );
        for entry in spaced {
            command.arg("--find-links").arg(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::process::Command;

    use super::PipSources;

    #[test]
    fn indexes_reach_pip_through_its_environment_and_only_a_spaced_path_is_an_argument() {
        let indexes = PipSources {
            index_url: Some("https://ml:tok@host/simple/".to_string()),
            extra_index_urls: vec![
                "https://host/extra/".to_string(),
                "https://ci:tok2@other/simple/".to_string(),
            ],
            find_links: vec![
                "https://ml:tok3@host/links/".to_string(),
                "/wheels/my wheels".to_string(),
            ],
        };
        let mut command = Command::new("python");
        indexes.apply(&mut command);
        let env = |name: &str| {
            command
                .get_envs()
                .find(|(key, _)| *key == OsStr::new(name))
                .and_then(|(_, value)| value)
                .map(|value| value.to_string_lossy().into_owned())
        };
        assert_eq!(env("PIP_INDEX_URL").unwrap(), "https://ml:tok@host/simple/");
        assert_eq!(
            env("PIP_EXTRA_INDEX_URL").unwrap(),
            "https://host/extra/ https://ci:tok2@other/simple/"
        );
        assert_eq!(
            env("PIP_FIND_LINKS").unwrap(),
            "https://ml:tok3@host/links/"
        );
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args, ["--find-links", "/wheels/my wheels"]);

        // Nothing configured still overrides pip's own configuration: no extra index.
        let mut command = Command::new("python");
        PipSources {
            index_url: Some("https://host/simple/".to_string()),
            ..PipSources::default()
        }
        .apply(&mut command);
        let extra = command
            .get_envs()
            .find(|(key, _)| *key == OsStr::new("PIP_EXTRA_INDEX_URL"))
            .and_then(|(_, value)| value);
        assert_eq!(extra, Some(OsStr::new("")));
    }

    #[test]
    fn no_index_means_find_links_alone_and_no_pip_cache() {
        let mut command = Command::new("python");
        PipSources {
            find_links: vec!["/wheels".to_string()],
            ..PipSources::default()
        }
        .apply(&mut command);
        assert!(
            command
                .get_envs()
                .any(|(key, value)| key == "PIP_NO_INDEX" && value == Some(OsStr::new("1")))
        );
        assert!(!command.get_envs().any(|(key, _)| key == "PIP_INDEX_URL"));
        assert_eq!(command.get_args().collect::<Vec<_>>(), ["--no-cache-dir"]);
    }
}
