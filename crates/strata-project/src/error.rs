//! Errors raised while reading a project, each pointing at the input that caused it.
//!
//! Every variant carries the file it concerns and, when one exists, a
//! [`Snippet`]: the offending line with the byte range to underline. The CLI
//! renders the snippet under the message; library code never prints. Hints are
//! computed from the fields (the [`Diagnostic`] impl), never from message text.

use std::fmt;
use std::path::{Path, PathBuf};

use strata_diagnostic::Diagnostic;
pub use strata_diagnostic::Snippet;

/// User text longer than this many characters is shortened where a message quotes it.
const MAX_QUOTED_CHARS: usize = 100;

/// `text`, shortened to its first [`MAX_QUOTED_CHARS`] characters and `…` when longer: a message
/// that quotes a 100,000-character line must still fit on a screen.
pub(crate) fn elide(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// [`elide`] for a path.
fn elide_path(path: &Path) -> String {
    elide(&path.display().to_string())
}

/// The error type of this crate: what went wrong reading a project, boxed to keep `Result` small.
#[derive(Debug)]
pub struct Error {
    kind: Box<ErrorKind>,
    /// The project directory as the user named it, prefixed to relative snippet paths.
    root: Option<PathBuf>,
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    fn kind_snippet(&self) -> Option<&Snippet> {
        match &*self.kind {
            ErrorKind::Toml { snippet, .. }
            | ErrorKind::UnknownKey { snippet, .. }
            | ErrorKind::InvalidValue { snippet, .. }
            | ErrorKind::InvalidRequirement { snippet, .. }
            | ErrorKind::NameTooLong { snippet, .. }
            | ErrorKind::UnknownProfile { snippet, .. }
            | ErrorKind::UnknownExtra { snippet, .. }
            | ErrorKind::UnknownGroup { snippet, .. }
            | ErrorKind::UnknownInclude { snippet, .. }
            | ErrorKind::InFileOption { snippet, .. }
            | ErrorKind::Unsupported { snippet, .. }
            | ErrorKind::LocalDirectory { snippet, .. }
            | ErrorKind::MissingInFile { snippet, .. }
            | ErrorKind::IncludeLoop { snippet, .. }
            | ErrorKind::Yaml { snippet, .. }
            | ErrorKind::NotUtf8 { snippet, .. }
            | ErrorKind::MissingEngineVersion { snippet, .. } => Some(snippet),
            ErrorKind::NoSources { snippet, .. }
            | ErrorKind::DuplicateName { snippet, .. }
            | ErrorKind::MissingVersionFile { snippet, .. }
            | ErrorKind::CycleInExtends { snippet, .. }
            | ErrorKind::NoProjectTable { snippet, .. }
            | ErrorKind::Io { snippet, .. }
            | ErrorKind::TooLarge { snippet, .. }
            | ErrorKind::TwoManifests { snippet, .. }
            | ErrorKind::LockDirNotADirectory { snippet, .. }
            | ErrorKind::VersionKeyMissing { snippet, .. }
            | ErrorKind::VersionKeyNotAValue { snippet, .. }
            | ErrorKind::InvalidVersion { snippet, .. } => snippet.as_ref(),
            ErrorKind::ManifestNotFound { .. } | ErrorKind::NoSuchProfile { .. } => None,
        }
    }

    /// Records the project directory as the user named it (`examples/ml-engines`), so the
    /// snippet reads `examples/ml-engines/pyproject.toml:3:5` from wherever strata runs.
    pub(crate) fn with_root(mut self, root: &Path) -> Self {
        if root != Path::new(".") && !root.as_os_str().is_empty() {
            self.root = Some(root.to_path_buf());
        }
        self
    }
}

impl Diagnostic for Error {
    /// The place in an input file the error points at, if there is one, with its path as the
    /// user would type it from where strata runs.
    fn snippet(&self) -> Option<Snippet> {
        let mut snippet = self.kind_snippet()?.clone();
        if let Some(root) = &self.root
            && snippet.path.is_relative()
        {
            snippet.path = root.join(&snippet.path);
        }
        Some(snippet)
    }

    /// Actionable sentences for the user, computed from the error's fields.
    fn hints(&self) -> Vec<String> {
        match &*self.kind {
            ErrorKind::ManifestNotFound { .. } => vec![
                "Create a `strata.toml`, add a `[tool.strata]` table to `pyproject.toml`, or pass `--project DIR`".to_string(),
            ],
            ErrorKind::UnknownKey { suggestion: Some(suggestion), .. }
            | ErrorKind::UnknownProfile { suggestion: Some(suggestion), .. }
            | ErrorKind::NoSuchProfile { suggestion: Some(suggestion), .. }
            | ErrorKind::UnknownExtra { suggestion: Some(suggestion), .. }
            | ErrorKind::UnknownGroup { suggestion: Some(suggestion), .. } => {
                vec![format!("Did you mean `{suggestion}`?")]
            }
            ErrorKind::UnknownKey { expected, .. } => {
                vec![format!("Expected one of: {}", join_quoted(expected))]
            }
            ErrorKind::UnknownProfile { known, .. } if !known.is_empty() => {
                vec![format!("Known profiles and engines: {}", join_quoted(known))]
            }
            ErrorKind::UnknownExtra { known, .. } if !known.is_empty() => {
                vec![format!("Extras declared in `[project.optional-dependencies]`: {}", join_quoted(known))]
            }
            ErrorKind::UnknownGroup { known, .. } if !known.is_empty() => {
                vec![format!("Groups declared in `[dependency-groups]`: {}", join_quoted(known))]
            }
            ErrorKind::CycleInExtends { .. } => vec![
                "Remove one `extends` entry of the cycle: a profile contains its parents, so they cannot contain it".to_string(),
            ],
            ErrorKind::NoSources { profile, .. } => vec![format!(
                "Give `{profile}` at least one of `requirements = [...]`, `file = \"...\"`, `include = [...]` or `extends = [...]`"
            )],
            ErrorKind::MissingInFile { .. } => vec![
                "Paths in `-r`/`-c` lines are relative to the file that contains them; `file` keys are relative to the manifest".to_string(),
            ],
            ErrorKind::InFileOption { .. } => vec![
                "Supported options: `-r`, `-c`, `--index-url`, `--extra-index-url`, `--find-links`, `--pre`".to_string(),
            ],
            ErrorKind::Unsupported { form, .. } => vec![form.remedy()],
            ErrorKind::LocalDirectory { problem, .. } => vec![problem.remedy()],
            ErrorKind::VersionKeyMissing { found, .. } if !found.is_empty() => {
                vec![format!("Keys found at that level: {}", join_quoted(found))]
            }
            ErrorKind::VersionKeyNotAValue { suggestion: Some(suggestion), .. } => {
                vec![format!("Did you mean `key = \"{suggestion}\"`? `key` names the version itself, not what contains it")]
            }
            ErrorKind::VersionKeyNotAValue { key, keys, .. } if !keys.is_empty() => {
                vec![format!("Point `key` at the version itself; keys under `{key}`: {}", join_quoted(keys))]
            }
            ErrorKind::InvalidVersion { .. } => vec![
                "Write a PEP 440 version there, like `0.9.2` or `2.5.1rc1`: the version file is the single source of truth for the engine's version".to_string(),
            ],
            ErrorKind::VersionKeyNotAValue { .. } => vec![
                "Point `key` at a version written as a string or number, like `current_version: \"0.9.2\"`".to_string(),
            ],
            ErrorKind::MissingEngineVersion { .. } => vec![
                "Add `version = { file = \"engine_versions/NAME.yaml\", key = \"library.current_version\" }`: the file is the single source of truth for the engine's version".to_string(),
            ],
            ErrorKind::NameTooLong { .. } => vec![
                "Check the line for a missing separator or pasted text: wheel and cache files named after a longer name come close to, or pass, the 255-byte file-name limit of common file systems".to_string(),
            ],
            ErrorKind::TwoManifests { .. } => vec![
                "Keep one: move the keys of `[tool.strata]` to the top level of `strata.toml` and delete the table, or move those of `strata.toml` under `[tool.strata]` and delete `strata.toml` (`[project]` and `[dependency-groups]` are read from `pyproject.toml` either way)".to_string(),
            ],
            ErrorKind::LockDirNotADirectory { file, snippet: Some(_), .. } => vec![format!(
                "Set `lock-dir` to a directory (strata creates it when missing), or move the file `{}` out of the way",
                file.display()
            )],
            ErrorKind::LockDirNotADirectory { file, snippet: None, .. } => vec![format!(
                "Locks go to `locks` unless the manifest sets `lock-dir = \"DIR\"`: set it to a directory (strata creates it when missing), or move the file `{}` out of the way",
                file.display()
            )],
            ErrorKind::TooLarge { limit, .. } => vec![format!(
                "Check that the path names the file you mean: strata reads at most {} MiB of a manifest, requirements file or version file, and a device or FIFO (`/dev/zero`) only up to that",
                limit / (1024 * 1024)
            )],
            ErrorKind::NotUtf8 { .. } => vec![
                "Save the file as UTF-8 (from Latin-1: `iconv -f latin1 -t utf-8 FILE`), or remove the character: strata reads manifests, requirements files and version files as UTF-8".to_string(),
            ],
            ErrorKind::MissingVersionFile { .. } => vec![
                "The version file is the single source of truth for an engine's version: create it, or fix `version.file`".to_string(),
            ],
            _ => Vec::new(),
        }
    }
}

fn join_quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Self {
            kind: Box::new(kind),
            root: None,
        }
    }
}

/// The kinds of [`Error`]. Variant names say what went wrong; fields say where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No manifest was found walking up from the start directory.
    #[error("No strata project found in `{}` or any parent directory", start.display())]
    ManifestNotFound {
        /// Where the search started.
        start: PathBuf,
    },
    /// A directory holds both a `strata.toml` and a `pyproject.toml` with `[tool.strata]`.
    #[error(
        "Both `strata.toml` and `[tool.strata]` in `pyproject.toml` configure this project; strata reads one manifest"
    )]
    TwoManifests {
        /// The `[tool.strata]` table in `pyproject.toml`.
        snippet: Option<Snippet>,
    },
    /// A file could not be read.
    #[error("Failed to read `{}`", elide_path(path))]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
        /// The line or manifest entry that names the file, when another file does.
        snippet: Option<Snippet>,
    },
    /// An input file is larger than strata reads (see `MAX_INPUT_FILE_BYTES`); a device or a
    /// FIFO that never ends is one.
    #[error(
        "`{}` is larger than {} MiB, the most strata reads of one input file",
        elide_path(path),
        limit / (1024 * 1024)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The bound, in bytes.
        limit: u64,
        /// The line or manifest entry that names the file, when another file does.
        snippet: Option<Snippet>,
    },
    /// An input file is not UTF-8 text.
    #[error("`{}` is not UTF-8: byte 0x{byte:02X} at line {}, column {}", elide_path(&snippet.path), snippet.line, snippet.column)]
    NotUtf8 {
        /// The first byte that is not UTF-8.
        byte: u8,
        /// Its line, with the replacement character `\u{FFFD}` in its place.
        snippet: Snippet,
    },
    /// TOML syntax or type error.
    // The toml crate's message is folded into ours rather than chained, because it is the
    // whole explanation and a `Caused by:` line would only repeat the location.
    #[error("Invalid TOML in `{}`: {message}", snippet.path.display())]
    Toml {
        /// What the TOML parser said.
        message: String,
        /// Where.
        snippet: Snippet,
    },
    /// A key strata does not know.
    #[error("Unknown key `{}` in `{}`", elide(key), elide(table))]
    UnknownKey {
        /// The key as written.
        key: String,
        /// The table it was found in, like `tool.strata.profiles.base`.
        table: String,
        /// The closest known key, if one is close.
        suggestion: Option<String>,
        /// Every key allowed in that table.
        expected: Vec<String>,
        /// Where.
        snippet: Snippet,
    },
    /// A value with the right type but an invalid content (a bad name, platform, version...).
    #[error("Invalid {what} `{}`: {}", elide(value), elide(reason))]
    InvalidValue {
        /// What the value is, like "profile name" or "python-version".
        what: String,
        /// The value as written.
        value: String,
        /// Why it is invalid.
        reason: String,
        /// Where.
        snippet: Snippet,
    },
    /// A requirement whose package name is longer than strata accepts.
    #[error(
        "Package name `{}` is {length} characters long; strata accepts at most {max}",
        elide(name)
    )]
    NameTooLong {
        /// The name as written.
        name: String,
        /// Its length in characters.
        length: usize,
        /// The most strata accepts.
        max: usize,
        /// Where, underlining the name.
        snippet: Snippet,
    },
    /// A PEP 508 requirement that does not parse.
    // pep508's message is folded in: its own rendering repeats the input, which the snippet shows.
    #[error("Invalid requirement `{}`: {}", elide(requirement), elide(message))]
    InvalidRequirement {
        /// The requirement text.
        requirement: String,
        /// The parser's explanation.
        message: String,
        /// Where, underlining the fault.
        snippet: Snippet,
    },
    /// A command named a profile or engine the project does not define (or, where only an
    /// engine will do, an engine).
    #[error(
        "No {what} `{}` in `{}`; the project has {}",
        elide(name),
        manifest.display(),
        join_quoted(known)
    )]
    NoSuchProfile {
        /// `profile or engine`, or `engine`.
        what: &'static str,
        /// The name as given.
        name: String,
        /// The manifest, relative to the project root.
        manifest: PathBuf,
        /// The closest defined name.
        suggestion: Option<String>,
        /// Every defined profile and engine, in declaration order.
        known: Vec<String>,
    },
    /// `extends` names a profile that does not exist.
    #[error(
        "Profile `{profile}` extends `{}`, which is not defined",
        elide(parent)
    )]
    UnknownProfile {
        /// The profile with the bad `extends`.
        profile: String,
        /// The missing parent.
        parent: String,
        /// The closest known name.
        suggestion: Option<String>,
        /// Every defined profile and engine.
        known: Vec<String>,
        /// Where.
        snippet: Snippet,
    },
    /// `extends` forms a cycle.
    #[error("Profiles extend each other in a cycle: {}", cycle.join(" -> "))]
    CycleInExtends {
        /// The cycle, first name repeated at the end.
        cycle: Vec<String>,
        /// The `extends` entry that closes the cycle, when it can be located.
        snippet: Option<Snippet>,
    },
    /// The same name is used twice (a profile and an engine, or in two files).
    #[error("The name `{name}` is defined both as a profile and as an engine")]
    DuplicateName {
        /// The name.
        name: String,
        /// Where the second definition is.
        snippet: Option<Snippet>,
    },
    /// A profile has nothing to lock.
    #[error("Profile `{profile}` has no requirement sources")]
    NoSources {
        /// The profile.
        profile: String,
        /// Its table.
        snippet: Option<Snippet>,
    },
    /// An `include` entry has an unknown kind.
    #[error(
        "Unknown include `{}`: expected `project`, `extra:NAME` or `group:NAME`",
        elide(include)
    )]
    UnknownInclude {
        /// The entry.
        include: String,
        /// Where.
        snippet: Snippet,
    },
    /// `include = ["project"]` or an extra/group without a `pyproject.toml` `[project]` table.
    #[error("`{}` needs a `[project]` table in `{}`", elide(include), pyproject.display())]
    NoProjectTable {
        /// The include entry.
        include: String,
        /// The `pyproject.toml` that was looked at.
        pyproject: PathBuf,
        /// Where the include is.
        snippet: Option<Snippet>,
    },
    /// An extra that `[project.optional-dependencies]` does not declare.
    #[error("Unknown extra `{}`", elide(extra))]
    UnknownExtra {
        /// The extra.
        extra: String,
        /// Closest declared extra.
        suggestion: Option<String>,
        /// Declared extras.
        known: Vec<String>,
        /// Where it was referenced.
        snippet: Snippet,
    },
    /// A dependency group that `[dependency-groups]` does not declare.
    #[error("Unknown dependency group `{}`", elide(group))]
    UnknownGroup {
        /// The group.
        group: String,
        /// Closest declared group.
        suggestion: Option<String>,
        /// Declared groups.
        known: Vec<String>,
        /// Where it was referenced.
        snippet: Snippet,
    },
    /// A `.in` file (or a `-r`/`-c` include) does not exist.
    #[error("Requirements file `{}` does not exist", elide_path(path))]
    MissingInFile {
        /// The missing file.
        path: PathBuf,
        /// The line or key that names it.
        snippet: Snippet,
    },
    /// `-r` includes form a loop, or groups include each other.
    #[error("Include loop: {}", chain.iter().map(|link| elide(link)).collect::<Vec<_>>().join(" -> "))]
    IncludeLoop {
        /// The files or groups, first repeated at the end.
        chain: Vec<String>,
        /// The line that closes the loop.
        snippet: Snippet,
    },
    /// A pip option line strata does not support, or one that is malformed.
    #[error("Unsupported or malformed option `{}` in `{}`", elide(option), snippet.path.display())]
    InFileOption {
        /// The option.
        option: String,
        /// Where.
        snippet: Snippet,
    },
    /// A requirement form or file option strata cannot lock (yet), rejected rather than dropped.
    #[error("{} `{}` in `{}` {}", form.what(), elide(text), snippet.path.display(), form.problem())]
    Unsupported {
        /// Which form.
        form: Unsupported,
        /// The requirement or option line as written.
        text: String,
        /// Where.
        snippet: Snippet,
    },
    /// A local directory requirement (`./pkg`, `-e ./pkg`, `name @ file:///abs/pkg`) that does
    /// not name a usable project.
    #[error("Local directory requirement `{}` in `{}`: {problem}", elide(text), snippet.path.display())]
    LocalDirectory {
        /// What is wrong.
        problem: LocalDirectoryProblem,
        /// The requirement as written.
        text: String,
        /// Where.
        snippet: Snippet,
    },
    /// The lock directory, or one of its parents, is a file.
    #[error("Lock directory `{}` cannot be used: `{}` is a file, not a directory", lock_dir.display(), file.display())]
    LockDirNotADirectory {
        /// The lock directory, relative to the manifest as written (`locks` when unset).
        lock_dir: PathBuf,
        /// The file in its way: the lock directory itself or one of its parents.
        file: PathBuf,
        /// The manifest's `lock-dir` value, when it is set.
        snippet: Option<Snippet>,
    },
    /// An engine's version file does not exist.
    #[error(
        "Version file `{}` of engine `{engine}` does not exist",
        elide_path(path)
    )]
    MissingVersionFile {
        /// The engine.
        engine: String,
        /// The file.
        path: PathBuf,
        /// The manifest entry.
        snippet: Option<Snippet>,
    },
    /// YAML syntax error in a version file.
    #[error("Invalid YAML in `{}`: {message}", snippet.path.display())]
    Yaml {
        /// The parser's message.
        message: String,
        /// Where.
        snippet: Snippet,
    },
    /// The key path is absent from the version file.
    #[error(
        "Key `{}` not found in `{}` (version file of engine `{engine}`)",
        elide(key),
        elide_path(path)
    )]
    VersionKeyMissing {
        /// The engine.
        engine: String,
        /// The file.
        path: PathBuf,
        /// The dotted key path.
        key: String,
        /// Keys present at the deepest level reached.
        found: Vec<String>,
        /// The manifest's `key` value.
        snippet: Option<Snippet>,
    },
    /// The key path names something that is not a version: usually the mapping around it.
    #[error(
        "Key `{}` in `{}` (version file of engine `{engine}`) holds {holds}, not a version",
        elide(key),
        elide_path(path)
    )]
    VersionKeyNotAValue {
        /// The engine.
        engine: String,
        /// The file.
        path: PathBuf,
        /// The dotted key path.
        key: String,
        /// What the key holds: "a mapping", "a list", "no value"...
        holds: &'static str,
        /// The keys of the mapping it holds, if it holds one.
        keys: Vec<String>,
        /// The key path of the first value in that mapping that is a version.
        suggestion: Option<String>,
        /// The manifest's `key` value.
        snippet: Option<Snippet>,
    },
    /// An engine without a `version` table.
    #[error("Engine `{engine}` has no `version`")]
    MissingEngineVersion {
        /// The engine.
        engine: String,
        /// Its table.
        snippet: Snippet,
    },
    /// The version file's value is not a PEP 440 version.
    #[error(
        "Value `{}` at `{}` in `{}` is not a valid version: {}",
        elide(value),
        elide(key),
        elide_path(path),
        elide(reason)
    )]
    InvalidVersion {
        /// The file.
        path: PathBuf,
        /// The dotted key path.
        key: String,
        /// The value found.
        value: String,
        /// Why it does not parse.
        reason: String,
        /// The value in the version file, or the manifest's `key` value that names it when the
        /// value is not on its key's line.
        snippet: Option<Snippet>,
    },
}

/// Why a local directory requirement cannot be locked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocalDirectoryProblem {
    /// The directory does not exist.
    #[error("`{}` is not a directory", elide_path(path))]
    Missing {
        /// The directory, absolute.
        path: PathBuf,
    },
    /// The directory has neither `pyproject.toml` nor `setup.py`.
    #[error("`{}` has neither `pyproject.toml` nor `setup.py`", elide_path(path))]
    NotAProject {
        /// The directory, absolute.
        path: PathBuf,
    },
    /// `name @ ./dir` names another project than the directory holds.
    #[error("the directory holds `{}`, not `{}`", elide(found), elide(written))]
    NameMismatch {
        /// The name the requirement gives.
        written: String,
        /// The name the directory's `pyproject.toml` (or `setup.cfg`) states.
        found: String,
    },
    /// The directory states no name strata can read without building it.
    #[error(
        "`{}` states no project name in `pyproject.toml` or `setup.cfg`",
        elide_path(path)
    )]
    Unnamed {
        /// The directory, absolute.
        path: PathBuf,
    },
    /// A `-e` value that is not a local directory (an editable git checkout, a wheel).
    #[error("only a local directory can be editable")]
    NotEditable,
}

impl LocalDirectoryProblem {
    /// What to do about it.
    pub fn remedy(&self) -> String {
        match self {
            Self::Missing { .. } => "A relative path is relative to the file that names it (as in pip-tools); fix the path, or create the project there".to_string(),
            Self::NotAProject { .. } => "Point the requirement at the project's root, the directory that holds its `pyproject.toml` (or `setup.py`)".to_string(),
            Self::NameMismatch { found, .. } => format!("Write `{} @ PATH`, or drop the name (`PATH` alone): strata reads it from the directory", elide(found)),
            Self::Unnamed { .. } => "Write the name before the path, `name @ PATH`: strata needs it before it builds the project's metadata".to_string(),
            Self::NotEditable => "Write `-e PATH` for a local project; require a git repository as `name @ git+URL@REV` (strata locks its commit), without `-e`".to_string(),
        }
    }
}

/// The requirement forms and file options strata reads but cannot honour; each is an error
/// naming the line, so nothing the user wrote is dropped from a lock without a word.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsupported {
    /// A local wheel or sdist by path (`../x-1.0-py3-none-any.whl`, `x @ ./x-1.0.tar.gz`), or
    /// a `file:` URL that is neither a directory nor a wheel or sdist. (A local directory is
    /// a requirement: `crate::local_directory`.)
    LocalPath,
    /// A URL without a package name (`https://host/x-1.0-py3-none-any.whl`).
    UnnamedUrl,
    /// A version-control URL (`x @ git+https://...`).
    Vcs,
    /// A direct URL whose last segment is not a wheel or sdist of the package.
    NotADistribution {
        /// The package the requirement names.
        package: String,
    },
    /// A direct URL without `#sha256=` where the lock records hashes.
    UnhashedUrl,
    /// An include of `[project]` requirements that `[project].dynamic` says a build backend
    /// computes: the file does not hold them, and strata does not build the project to ask.
    Dynamic {
        /// `dependencies` or `optional-dependencies`.
        field: &'static str,
    },
    /// `--pre` in a profile's file: `strata lock` has one pre-release policy per solve.
    PreInProfile,
    /// A constraint with extras (`numpy[foo]<2`), which pip refuses: a constraint limits a
    /// package's version whatever extras are asked for.
    ConstraintExtras {
        /// The constraint without its extras, as it should be written.
        without: String,
    },
    /// `--index-url`, `--extra-index-url` or `--find-links` in a profile's file with a value
    /// the manifest does not declare: `strata lock` uses one index configuration per project.
    IndexOptionInProfile {
        /// The manifest key that would declare it (`index-url`, `extra-index-url`, `find-links`).
        key: &'static str,
        /// The value.
        value: String,
    },
}

impl Unsupported {
    fn what(&self) -> &'static str {
        match self {
            Self::LocalPath => "Local path requirement",
            Self::UnnamedUrl => "URL requirement without a name",
            Self::Vcs => "Version-control requirement",
            Self::NotADistribution { .. } | Self::UnhashedUrl => "Direct URL requirement",
            Self::PreInProfile | Self::IndexOptionInProfile { .. } => "Option",
            Self::Dynamic { .. } => "Include",
            Self::ConstraintExtras { .. } => "Constraint",
        }
    }

    fn problem(&self) -> &'static str {
        match self {
            Self::LocalPath | Self::Vcs => "cannot be locked yet",
            Self::UnnamedUrl => "cannot be locked",
            Self::NotADistribution { .. } => "does not name a wheel or sdist",
            Self::UnhashedUrl => "has no `#sha256=` for the lock's hash",
            Self::Dynamic {
                field: "dependencies",
            } => "reads `[project].dependencies`, which `[project].dynamic` declares computed",
            Self::Dynamic { .. } => {
                "reads `[project.optional-dependencies]`, which `[project].dynamic` declares computed"
            }
            Self::PreInProfile | Self::IndexOptionInProfile { .. } => {
                "is not used by `strata lock`"
            }
            // pip's own words for the same refusal ("Constraints cannot have extras").
            Self::ConstraintExtras { .. } => "cannot have extras",
        }
    }

    /// What to write instead.
    pub fn remedy(&self) -> String {
        match self {
            Self::LocalPath => "strata locks distributions from indexes and `name @ https://.../name-1.0-py3-none-any.whl` URLs: put built wheels in a directory named by `find-links` and require them by name (`name==1.0`)".to_string(),
            Self::UnnamedUrl => "Write `name @ URL`: a lock needs the package's name".to_string(),
            Self::Vcs => "Write a git repository as `name @ git+URL@REV` (strata locks its commit); for another version-control system, build a wheel and require it as `name @ https://.../name-1.0-py3-none-any.whl`".to_string(),
            Self::NotADistribution { package } => format!("The URL must end in a wheel or sdist filename of `{package}`, like `{package}-1.0-py3-none-any.whl` or `{package}-1.0.tar.gz`"),
            Self::UnhashedUrl => "Append the file's hash to the URL, `#sha256=<hex>` (`sha256sum FILE` gives it): every line of a hashed lock needs one, and strata takes a direct URL's hash from the URL instead of downloading the whole file".to_string(),
            Self::Dynamic { field } => format!("strata reads requirements from `pyproject.toml` without building the project: list `{field}` statically there (and remove it from `dynamic`), or put them in a `.in` file named by `file`"),
            Self::ConstraintExtras { without } => format!("Write `{without}`: a constraint limits a package's version whatever extras are asked for, and pip refuses one with extras; an extra to install belongs with the requirements, not the constraints"),
            Self::PreInProfile => "Write a pre-release specifier for the package that needs one (`name>=2.0rc1`): strata allows pre-releases for a package whose requirement names one".to_string(),
            Self::IndexOptionInProfile { key, value } => {
                // Shown elided: a pasted value can be any length, and a hint stays readable.
                let value = elide(value);
                let toml = if *key == "index-url" {
                    format!("{key} = \"{value}\"")
                } else {
                    format!("{key} = [\"{value}\"]")
                };
                format!("strata uses one index configuration for the whole project: declare `{toml}` in the manifest (`[tool.strata]` of `pyproject.toml`, or the top level of `strata.toml`); the line may stay in the file for pip-tools once the manifest declares the same value")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_text_is_shortened() {
        assert_eq!(elide("numpy"), "numpy");
        let long = "é".repeat(MAX_QUOTED_CHARS + 1);
        assert_eq!(elide(&long).chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(elide(&long).ends_with('…'));
    }
}
