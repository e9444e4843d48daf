//! What `strata sync` says it did: one summary line for people, one JSON object for machines.
//!
//! The JSON form is a stable interface (documented in the README): fields are only ever added.

use serde::Serialize;
use strata_env::Finding;

/// How a sync ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SyncStatus {
    /// The environment did not exist; it was made and holds the lock.
    Created,
    /// The environment existed and was changed to hold the lock.
    Updated,
    /// The environment already held exactly the lock; pip was not run.
    Unchanged,
    /// `--locked` and the lock is not current: nothing was installed.
    Refused,
}

/// A lock that is not current for the project's inputs, as `strata lock --check` says it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Stale {
    /// Why, in `lock --check`'s words (`is stale: its requirements changed since it was
    /// written`).
    pub(crate) reason: String,
    /// For a lock edited by hand, the edited lines, each as `file:line: what`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) edited: Vec<String>,
}

/// `strata sync --format json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct SyncJson<'a> {
    /// The profile or engine.
    pub(crate) profile: &'a str,
    /// Its lock, as shown to people (relative to the working directory when inside it).
    pub(crate) lock: String,
    /// The virtual environment.
    pub(crate) venv: String,
    pub(crate) status: SyncStatus,
    /// `null` when the lock is current.
    pub(crate) stale: Option<Stale>,
    /// How many distributions the lock pins.
    pub(crate) locked: usize,
    /// Pins installed by this run (missing before, at another version, or not from the lock's
    /// direct URL), as `name==version`.
    pub(crate) installed: Vec<String>,
    /// Distributions removed because the lock does not name them.
    pub(crate) removed: Vec<String>,
    /// Broken requirements of the result, as `strata check --format json` reports them.
    pub(crate) findings: &'a [Finding],
}

/// The line that says what a sync changed.
pub(crate) fn summary(json: &SyncJson<'_>) -> String {
    let list = |names: &[String]| {
        if names.is_empty() {
            String::new()
        } else {
            format!(" ({})", names.join(", "))
        }
    };
    match json.status {
        SyncStatus::Unchanged => format!(
            "`{}` already holds exactly the {} distributions of `{}`: nothing to change",
            json.venv, json.locked, json.lock
        ),
        SyncStatus::Refused => format!("`{}` was not synced", json.venv),
        SyncStatus::Created | SyncStatus::Updated => format!(
            "{} `{}`: {} locked distributions, {} installed{}, {} removed{}",
            if json.status == SyncStatus::Created {
                "Created"
            } else {
                "Updated"
            },
            json.venv,
            json.locked,
            json.installed.len(),
            if json.status == SyncStatus::Created {
                // Everything was installed: the list would be the lock.
                String::new()
            } else {
                list(&json.installed)
            },
            json.removed.len(),
            list(&json.removed)
        ),
    }
}
