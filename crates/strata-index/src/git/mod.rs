//! Git requirements: `name @ git+https://host/org/repo.git@REV#subdirectory=pkg`.
//!
//! strata runs the machine's `git`, so the user's SSH agent, `~/.ssh/config` and credential
//! helpers authenticate; strata never asks for a secret nor stores one, and sets
//! `GIT_TERMINAL_PROMPT=0` so that a repository that wants a password fails instead of waiting
//! on a prompt nobody sees.
//!
//! A reference (a branch, a tag, a short or full commit hash; none is the default branch) is
//! resolved to the full commit by fetching the repository's branches and tags into a bare
//! repository in the cache (`git-v1/db/<hash of the URL>`), which later fetches update. The tree
//! of a commit is checked out once into `git-v1/checkouts/<hash of the URL>/<commit>`, through a
//! temporary directory renamed into place, so a checkout that exists is complete. A full commit
//! that the bare repository already has needs no network at all: a relock that keeps its
//! locked commit works offline.
//!
//! The metadata comes from the `[project]` table when none of the fields a resolver needs is
//! `dynamic` (see [`pyproject`]), else from a PEP 517 metadata build of the checkout.
//!
//! A commit with submodules (`.gitmodules`) gets them in its checkout, recursively, as pip's
//! `git submodule update --init --recursive` gives them to its build: a build backend or a
//! version file may live in one. A relative submodule URL (`../vendored.git`) is resolved
//! against the repository's own URL, not the cache's copy, as it is in a clone of that URL.
//!
//! Not done: Git LFS files (the checkout has their pointers; a backend that needs their
//! content for its metadata fails), and other version control systems.
//!
//! See: <https://pip.pypa.io/en/stable/topics/vcs-support/>, PEP 610 (`vcs_info`) and PEP 751
//! (`[packages.vcs]`).

mod pyproject;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use pep508_rs::PackageName;
use strata_dist::Metadata;
use url::Url;

use crate::client::IndexClient;
use crate::error::{Error, ErrorKind};
use crate::http_cache::store::short_hash;

/// The cache directory of git repositories and checkouts, under the cache root.
pub(crate) const GIT_DIR: &str = "git-v1";

/// A parsed `git+` URL: the repository, the requested reference and the subdirectory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GitUrl {
    /// The repository as `git` takes it (no `git+`, no `@REV`, no fragment).
    repository: Url,
    /// The requested reference, as written.
    rev: Option<String>,
    /// The project's directory inside the repository (`#subdirectory=`).
    subdirectory: Option<String>,
}

impl GitUrl {
    /// Parses a requirement's URL; `None` when it is not a `git+` URL.
    ///
    /// ```
    /// let url = url::Url::parse("git+https://host.invalid/org/repo.git@v1.0#subdirectory=pkg")
    ///     .unwrap();
    /// let git = strata_index::GitUrl::parse(&url).unwrap().unwrap();
    /// assert_eq!(git.repository().as_str(), "https://host.invalid/org/repo.git");
    /// assert_eq!(git.rev(), Some("v1.0"));
    /// assert_eq!(git.subdirectory(), Some("pkg"));
    /// ```
    ///
    /// # Errors
    ///
    /// When the transport after `git+` is not one git supports here.
    pub fn parse(url: &Url) -> Option<Result<Self, String>> {
        let transport = url.scheme().strip_prefix("git+")?;
        Some(Self::parse_git(url, transport))
    }

    fn parse_git(url: &Url, transport: &str) -> Result<Self, String> {
        if !matches!(transport, "https" | "http" | "ssh" | "file" | "git") {
            return Err(format!(
                "`git+{transport}` is not supported; use `git+https`, `git+ssh`, `git+file` or `git+git`"
            ));
        }
        let subdirectory = url.fragment().and_then(|fragment| {
            fragment
                .split('&')
                .find_map(|part| part.strip_prefix("subdirectory="))
                .filter(|dir| !dir.is_empty())
                .map(str::to_string)
        });
        // The reference follows the last `@` of the path (`repo.git@v1`); the `@` of
        // `git@host` is in the authority, not the path.
        // The reference follows the last `@` of the path, as pip reads it (`repo.git@v1`);
        // the `@` of `git@host` is in the authority, not the path.
        let (path, rev) = match url.path().rsplit_once('@') {
            Some((path, rev)) => (
                path,
                Some(percent_decode(rev)).filter(|rev| !rev.is_empty()),
            ),
            None => (url.path(), None),
        };
        let text = format!(
            "{transport}://{}{}",
            &url[url::Position::BeforeUsername..url::Position::AfterPort],
            path
        );
        let repository =
            Url::parse(&text).map_err(|error| format!("the repository URL is invalid: {error}"))?;
        Ok(Self {
            repository,
            rev,
            subdirectory,
        })
    }

    /// The repository as `git` takes it.
    pub fn repository(&self) -> &Url {
        &self.repository
    }

    /// The requested reference, if any (none: the default branch).
    pub fn rev(&self) -> Option<&str> {
        self.rev.as_deref()
    }

    /// The subdirectory of the project inside the repository, if any.
    pub fn subdirectory(&self) -> Option<&str> {
        self.subdirectory.as_deref()
    }

    /// The repository URL as a lock records it: without a password or token, but with an SSH
    /// user (`git@host`), which names an account and is no secret.
    pub fn repository_for_lock(&self) -> String {
        let mut copy = self.repository.clone();
        let _ = copy.set_password(None);
        if copy.scheme() != "ssh" {
            let _ = copy.set_username("");
        }
        copy.to_string()
    }

    /// The requirement URL that pins `commit`: `git+<repository>@<commit>` and the
    /// subdirectory, as pip installs it and a lock writes it.
    pub fn pinned(&self, commit: &str) -> String {
        let mut text = format!("git+{}@{commit}", self.repository_for_lock());
        if let Some(subdirectory) = &self.subdirectory {
            text.push_str("#subdirectory=");
            text.push_str(subdirectory);
        }
        text
    }

    /// Whether `other` names the same project: the same repository (credentials aside) and
    /// subdirectory, whatever the reference.
    pub fn same_project(&self, other: &Self) -> bool {
        self.repository_for_lock() == other.repository_for_lock()
            && self.subdirectory == other.subdirectory
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map_or_else(|| text.to_string(), |(_, value)| value.into_owned())
}

/// Whether `text` is a full commit hash (40 hexadecimal digits, SHA-1 repositories).
pub fn is_full_commit(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// A git requirement resolved to a commit, with its metadata.
#[derive(Debug, Clone)]
pub struct GitSource {
    /// The requirement's URL, parsed.
    pub url: GitUrl,
    /// The full commit the reference resolved to (or the locked one).
    pub commit: String,
    /// The project's metadata at that commit.
    pub metadata: Arc<Metadata>,
}

impl GitSource {
    /// The URL a lock writes: the repository at the full commit.
    pub fn pinned_url(&self) -> String {
        self.url.pinned(&self.commit)
    }
}

impl IndexClient {
    /// Resolves the git requirement `package @ url` to a commit and reads its metadata (see the
    /// module documentation). With `locked`, a full commit a lock pins, that commit is taken
    /// instead of resolving the reference again. Blocking: runs `git` and possibly a build.
    ///
    /// # Errors
    ///
    /// When `git` fails (the command and its stderr, credentials redacted), the reference does
    /// not exist, the metadata cannot be read or built, or its name is not `package`.
    pub fn git_source(
        &self,
        package: &PackageName,
        url: &GitUrl,
        locked: Option<&str>,
    ) -> Result<GitSource, Error> {
        let root = self.cache_root().join(GIT_DIR);
        let key = short_hash(&url.repository_for_lock());
        let db = root.join("db").join(&key);
        ensure_bare(&db)?;
        let known = locked.map(str::to_string).or_else(|| {
            url.rev()
                .filter(|rev| is_full_commit(rev))
                .map(str::to_string)
        });
        let commit = if let Some(commit) = known {
            if !has_commit(&db, &commit) {
                self.fetch(&db, url)?;
                if !has_commit(&db, &commit) {
                    return Err(missing_reference(url, &commit));
                }
            }
            commit.to_ascii_lowercase()
        } else {
            let memo = format!(
                "{} {}",
                url.repository_for_lock(),
                url.rev().unwrap_or_default()
            );
            self.resolved_commit(memo, || {
                self.fetch(&db, url)?;
                resolve_rev(&db, url)
            })?
        };
        let checkout = checkout(
            &db,
            &root.join("checkouts").join(&key),
            &commit,
            url,
            self.is_offline(),
        )?;
        let tree = match url.subdirectory() {
            Some(subdirectory) => checkout.join(subdirectory),
            None => checkout,
        };
        // A commit's metadata never changes: kept beside its checkout, so a dynamic one is
        // built once.
        let cached = root.join("checkouts").join(&key).join(format!(
            "{commit}-{}.METADATA",
            short_hash(url.subdirectory().unwrap_or_default())
        ));
        let label = format!("{package}-{}", &commit[..12]);
        let cached_metadata = fs_err::read(&cached)
            .ok()
            .and_then(|bytes| Metadata::parse(&bytes).ok());
        let metadata = if let Some(metadata) = cached_metadata {
            metadata
        } else {
            let (metadata, bytes) = self.tree_metadata(&tree, &label)?;
            strata_fs::write_atomic(&cached, &bytes).map_err(|source| ErrorKind::Io {
                path: cached.clone(),
                source,
            })?;
            metadata
        };
        if metadata.name != *package {
            return Err(ErrorKind::GitMetadata {
                url: url.pinned(&commit),
                reason: format!("the project there is `{}`, not `{package}`", metadata.name),
            }
            .into());
        }
        Ok(GitSource {
            url: url.clone(),
            commit,
            metadata: Arc::new(metadata),
        })
    }

    /// The metadata of a source tree, parsed and as bytes: static from `pyproject.toml` when it
    /// can be, else built.
    pub(crate) fn tree_metadata(
        &self,
        tree: &Path,
        label: &str,
    ) -> Result<(Metadata, Vec<u8>), Error> {
        let invalid = |reason: String| -> Error {
            ErrorKind::GitMetadata {
                url: tree.display().to_string(),
                reason,
            }
            .into()
        };
        if !tree.is_dir() {
            return Err(invalid(
                "the subdirectory does not exist at this commit".into(),
            ));
        }
        let bytes = if let Some(text) = pyproject::static_metadata(tree).map_err(&invalid)? {
            text.into_bytes()
        } else {
            let work_dir = tempfile::Builder::new()
                .prefix("build-")
                .tempdir_in(self.temp_dir()?)
                .map_err(|source| ErrorKind::Io {
                    path: self.cache_root().join("tmp"),
                    source,
                })?;
            let environment = self.build_environment(work_dir.path());
            strata_build::build_metadata_of_tree(tree, label, &environment)
                .map_err(|error| crate::client::build_error(label.to_string(), error))?
        };
        let metadata = Metadata::parse(&bytes)
            .map_err(|error| invalid(format!("its metadata does not parse: {error}")))?;
        Ok((metadata, bytes))
    }

    /// Fetches every branch and tag and the default branch into the bare repository `db`.
    fn fetch(&self, db: &Path, url: &GitUrl) -> Result<(), Error> {
        if self.is_offline() {
            return Err(ErrorKind::OfflineMiss {
                what: format!("the git repository `{}`", crate::redact(url.repository())),
            }
            .into());
        }
        run_git(
            Command::new("git")
                .arg("--git-dir")
                .arg(db)
                .args(["fetch", "--quiet", "--force", "--prune", "--tags"])
                .arg(url.repository().as_str())
                .args([
                    "+HEAD:refs/remotes/origin/HEAD",
                    "+refs/heads/*:refs/remotes/origin/*",
                ]),
        )
        .map(drop)
    }
}

/// Creates the bare repository `db` when it does not exist yet.
fn ensure_bare(db: &Path) -> Result<(), Error> {
    if db.join("HEAD").is_file() {
        return Ok(());
    }
    fs_err::create_dir_all(db).map_err(|source| ErrorKind::Io {
        path: db.to_path_buf(),
        source,
    })?;
    run_git(
        Command::new("git")
            .args(["init", "--quiet", "--bare"])
            .arg(db),
    )
    .map(drop)
}

fn has_commit(db: &Path, commit: &str) -> bool {
    git_command(
        Command::new("git")
            .arg("--git-dir")
            .arg(db)
            .args(["cat-file", "-e"])
            .arg(format!("{commit}^{{commit}}")),
    )
    .output()
    .is_ok_and(|output| output.status.success())
}

/// The full commit `url`'s reference names in `db`: a branch, then a tag, then a commit hash
/// (short or full); no reference is the default branch.
fn resolve_rev(db: &Path, url: &GitUrl) -> Result<String, Error> {
    let candidates: Vec<String> = match url.rev() {
        None => vec!["refs/remotes/origin/HEAD".to_string()],
        Some(rev) => {
            let mut names = vec![
                format!("refs/remotes/origin/{rev}"),
                format!("refs/tags/{rev}"),
            ];
            if rev.len() >= 4 && rev.bytes().all(|byte| byte.is_ascii_hexdigit()) {
                names.push(rev.to_string());
            }
            names
        }
    };
    for name in &candidates {
        let output = git_command(
            Command::new("git")
                .arg("--git-dir")
                .arg(db)
                .args(["rev-parse", "--verify", "--quiet"])
                .arg(format!("{name}^{{commit}}")),
        )
        .output();
        if let Ok(output) = output
            && output.status.success()
        {
            let commit = String::from_utf8_lossy(&output.stdout).trim().to_string();
            if is_full_commit(&commit) {
                return Ok(commit);
            }
        }
    }
    Err(missing_reference(url, url.rev().unwrap_or("HEAD")))
}

fn missing_reference(url: &GitUrl, rev: &str) -> Error {
    ErrorKind::GitMetadata {
        url: crate::redact(url.repository()),
        reason: format!("no branch, tag or commit `{rev}` there"),
    }
    .into()
}

/// The checkout of `commit` under `checkouts`, made once: a clone of `db` in a temporary
/// directory, checked out with its submodules (fetched from their own URLs, so not offline),
/// then renamed into place.
fn checkout(
    db: &Path,
    checkouts: &Path,
    commit: &str,
    url: &GitUrl,
    offline: bool,
) -> Result<PathBuf, Error> {
    let target = checkouts.join(commit);
    if target.is_dir() {
        return Ok(target);
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source: std::io::Error| -> Error { ErrorKind::Io { path, source }.into() }
    };
    fs_err::create_dir_all(checkouts).map_err(io(checkouts))?;
    let temp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempdir_in(checkouts)
        .map_err(io(checkouts))?;
    let tree = temp.path().join("tree");
    run_git(
        Command::new("git")
            .args(["clone", "--quiet", "--no-checkout"])
            .arg(db)
            .arg(&tree),
    )?;
    run_git(
        Command::new("git")
            .arg("-C")
            .arg(&tree)
            .args([
                "-c",
                "advice.detachedHead=false",
                "checkout",
                "--quiet",
                "--detach",
            ])
            .arg(commit),
    )?;
    if tree.join(".gitmodules").is_file() {
        if offline {
            return Err(ErrorKind::OfflineMiss {
                what: format!(
                    "the submodules of `{}` at {commit}",
                    crate::redact(url.repository())
                ),
            }
            .into());
        }
        // Relative submodule URLs are relative to `origin`, which the clone set to the cache.
        run_git(
            Command::new("git")
                .arg("-C")
                .arg(&tree)
                .args(["remote", "set-url", "origin"])
                .arg(url.repository().as_str()),
        )?;
        run_git(Command::new("git").arg("-C").arg(&tree).args([
            "submodule",
            "update",
            "--init",
            "--recursive",
            "--quiet",
        ]))?;
    }
    match fs_err::rename(&tree, &target) {
        Ok(()) => Ok(target),
        // Another run checked it out first: theirs is as good.
        Err(_) if target.is_dir() => Ok(target),
        Err(source) => Err(io(&target)(source)),
    }
}

/// `command` with the environment every git run gets: no prompt, no pager, no locale surprise.
fn git_command(command: &mut Command) -> &mut Command {
    command
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
}

/// Runs `command`; a failure names the command and its stderr, credentials redacted.
fn run_git(command: &mut Command) -> Result<Vec<u8>, Error> {
    let shown = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|arg| crate::redact_text(&arg.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ");
    let output = git_command(command)
        .output()
        .map_err(|error| ErrorKind::Git {
            command: shown.clone(),
            stderr: format!(
                "could not run `git`: {error}; strata needs git on `PATH` for git requirements"
            ),
        })?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(ErrorKind::Git {
        command: shown,
        stderr: stderr
            .lines()
            .map(redact_line)
            .collect::<Vec<_>>()
            .join("\n"),
    }
    .into())
}

/// `line` with the credentials of any URL in it redacted (git quotes URLs in its messages).
fn redact_line(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            if word.contains("://") {
                let trimmed = word.trim_matches(|c| matches!(c, '\'' | '"' | '`' | ':'));
                word.replace(trimmed, &crate::redact_text(trimmed))
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> GitUrl {
        GitUrl::parse(&Url::parse(text).unwrap()).unwrap().unwrap()
    }

    #[test]
    fn urls_split_into_repository_reference_and_subdirectory() {
        let url = parse("git+ssh://git@host.invalid/org/repo.git@main#subdirectory=a/b");
        assert_eq!(
            url.repository().as_str(),
            "ssh://git@host.invalid/org/repo.git"
        );
        assert_eq!(url.rev(), Some("main"));
        assert_eq!(url.subdirectory(), Some("a/b"));
        assert_eq!(
            url.pinned(&"a".repeat(40)),
            format!(
                "git+ssh://git@host.invalid/org/repo.git@{}#subdirectory=a/b",
                "a".repeat(40)
            )
        );
        let url = parse("git+https://user:token@host.invalid/org/repo");
        assert_eq!(url.rev(), None);
        assert_eq!(url.repository_for_lock(), "https://host.invalid/org/repo");
        let url = parse("git+file:///srv/repo@v1.0");
        assert_eq!(url.repository().as_str(), "file:///srv/repo");
        assert_eq!(url.rev(), Some("v1.0"));
        assert!(
            GitUrl::parse(&Url::parse("git+ftp://host.invalid/r").unwrap())
                .unwrap()
                .is_err()
        );
        assert!(GitUrl::parse(&Url::parse("https://host.invalid/r.whl").unwrap()).is_none());
    }
}
