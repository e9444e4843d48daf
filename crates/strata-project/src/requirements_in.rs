//! pip-tools `.in` files: requirements plus the subset of pip's file options that matter to a lock.
//!
//! The syntax follows pip's requirements-file format
//! (See: <https://pip.pypa.io/en/stable/reference/requirements-file-format/>):
//! a `#` at the start of a line or after whitespace starts a comment, blank lines are skipped,
//! and a line ending in `\` continues on the next one (the reported line is the first).
//!
//! The rule: every form is either locked as written or rejected with its file, line and what to
//! write instead (exit 2). Nothing is dropped from a lock without a word. `requirement` is the
//! one parser for every source: `.in` lines (through `-r` and `-c`), inline `requirements` and
//! `constraints`, `[project]` dependencies, extras and PEP 735 groups, and `strata compile`'s
//! input, `-c` and `--overrides` files.
//!
//! | form | what strata does |
//! |---|---|
//! | `name`, `name[extra]>=1 ; marker` | a requirement |
//! | `name @ https://.../name-1.0-py3-none-any.whl#sha256=...` (or an sdist) | a direct URL requirement: locked with that file and that hash. Without `#sha256=`: an error where the lock records hashes (`strata lock`, `strata compile --generate-hashes`), as pip refuses a hashed file with one line unhashed |
//! | `name @ file:///.../name-1.0-py3-none-any.whl` | the same, for a local wheel or sdist |
//! | `-r FILE` / `--requirement FILE` | includes requirements, relative to the including file |
//! | `-c FILE` / `--constraint FILE` | includes constraints (limits, never additions); everything a constraints file includes is a constraint too. A constraint with extras (`numpy[foo]<2`) is an error, as pip refuses it ("Constraints cannot have extras") |
//! | `./pkg`, `../pkg`, `/abs/pkg`, `file:///abs/pkg`, `name @ ./pkg`, `name @ file:///abs/pkg` | a local directory (a project with `pyproject.toml` or `setup.py`): resolved with its dependencies from its metadata. A relative path is relative to the file that names it (the pip-tools convention; pip itself reads a requirements file's paths relative to the current directory). Without a name, the name is `[project].name` (or `setup.cfg`'s). Errors: a missing directory, one that is no project, a name that disagrees with the directory's. Only `name @ file:///abs/pkg` is PEP 508, so only it is read outside `.in` files |
//! | `-e PATH` / `--editable PATH` / `-e file:///abs/pkg` | the same directory, installed editable. `-e` of anything else (a git URL, a wheel) is an error |
//! | `../x.whl`, `name @ ./x-1.0.tar.gz` (a local wheel or sdist by path) | error: a wheel in a `find-links` directory can be locked, by name; or `name @ file:///abs/x-1.0-py3-none-any.whl` |
//! | `name @ git+https://host/repo.git@REV#subdirectory=dir` (`git+ssh`, `git+file`, `git+git`) | a git requirement: locked at the full commit `REV` names (a branch, a tag, a short or full hash; none: the default branch) |
//! | `git+https://...#egg=name` (no `name @`), `hg+`, `svn+`, `bzr+` | error: a git URL needs `name @`; other version-control systems cannot be locked |
//! | `https://host/x-1.0-py3-none-any.whl` without `name @` | error: a lock needs the name |
//! | `name @ https://host/archive/main.zip` (not a wheel or sdist of `name`) | error naming the package |
//! | `-i URL` / `--index-url`, `--extra-index-url`, `-f` / `--find-links` | `strata compile`: used, after the command line's (its `--index-url` wins, with a warning); a profile's file: accepted only when the manifest declares the same value, else an error (one index configuration serves a project) |
//! | `--pre` | `strata compile`: pre-releases allowed; a profile's file: error (write a pre-release specifier) |
//! | any other option (`--trusted-host`, `--no-index`, `--only-binary`, `--hash`, ...) | error naming the option |
//! | `${VAR}` | not expanded: the text is parsed as written, and fails as a requirement |
//! | `include = ["project"]`, `"extra:NAME"`, `"group:NAME"` | `[project].dependencies`, an extra, a PEP 735 group (`{include-group = ...}` followed); each entry read by the same parser |
//! | `myproj[a]` inside an extra of `myproj` | the extras' requirements, with the reference's marker |
//! | `myproj`, `myproj[a]` (any spelling of the name) in a group | the project's dependencies plus the extras, with the reference's marker; never looked up on an index |
//! | a field named in `[project].dynamic` (`dependencies`, `optional-dependencies`) | error: strata does not build the project to compute it |
//!
//! An index option records its line ([`FileOption`]) so that the command that reads it, not
//! this reader, decides how it applies.

use std::path::{Path, PathBuf};

use pep508_rs::{Requirement, VersionOrUrl};

use crate::error::{Error, ErrorKind, LocalDirectoryProblem, Snippet, Unsupported};
use crate::{local_directory, text_file};

/// Where a requirement was written: a file and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileLine {
    pub(crate) path: PathBuf,
    pub(crate) line: usize,
}

/// Everything read from one `.in` file and the files it includes.
#[derive(Debug, Default)]
pub(crate) struct InFile {
    pub(crate) requirements: Vec<(Requirement, FileLine)>,
    pub(crate) constraints: Vec<(Requirement, FileLine)>,
    pub(crate) options: PipOptions,
    /// Every option line that set a field of `options`, in reading order.
    pub(crate) option_lines: Vec<OptionLine>,
    /// A direct URL requirement without `#sha256=` each, for the callers that lock with hashes.
    pub(crate) unhashed_urls: Vec<(String, Snippet)>,
}

/// An index option or `--pre` read from a file, with where it was written: a profile's lock
/// and `strata compile` treat these differently, and each must be able to name the line.
#[derive(Debug, Clone)]
pub(crate) struct OptionLine {
    /// The option's long name: `--index-url`, `--extra-index-url`, `--find-links` or `--pre`.
    pub(crate) option: &'static str,
    /// Its value as written (`None` for `--pre`).
    pub(crate) value: Option<String>,
    /// The directory of the file, against which pip resolves a relative `--find-links`.
    pub(crate) directory: PathBuf,
    /// The line.
    pub(crate) snippet: Snippet,
}

/// pip options found in requirement files.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PipOptions {
    /// `--index-url`, the last one read wins as in pip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_url: Option<String>,
    /// `--extra-index-url` values in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra_index_urls: Vec<String>,
    /// `--find-links` values in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub find_links: Vec<String>,
    /// `--pre`: pre-releases allowed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pre: bool,
}

/// A requirements file read on its own (for `strata compile`): requirements and constraints
/// with their file and line, and pip options.
#[derive(Debug, Clone, Default)]
pub struct RequirementsFile {
    /// Requirements, from the file and its `-r` includes.
    pub requirements: Vec<crate::SourcedRequirement>,
    /// Constraints, from `-c` includes.
    pub constraints: Vec<crate::SourcedRequirement>,
    /// pip options. A relative `--find-links` that exists next to the file naming it is
    /// resolved against that file's directory, as pip does.
    pub options: PipOptions,
    /// Every line that set one of `options`, in reading order.
    pub option_lines: Vec<FileOption>,
    /// The requirements that are direct URLs without `#sha256=`.
    unhashed_urls: Vec<(String, Snippet)>,
}

impl RequirementsFile {
    /// Fails on the first requirement that is a direct URL without `#sha256=`: a hashed lock
    /// needs a hash for every line (pip refuses the whole file otherwise), and strata takes a
    /// URL's hash from the URL rather than downloading the file whole to compute one.
    pub fn require_hashes(&self) -> Result<(), Error> {
        match self.unhashed_urls.first() {
            Some((text, snippet)) => Err(unhashed_url_error(text, snippet.clone())),
            None => Ok(()),
        }
    }
}

/// An index option or `--pre` read from a requirements file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOption {
    /// The option's long name: `--index-url`, `--extra-index-url`, `--find-links` or `--pre`.
    pub option: &'static str,
    /// Its value as written (`None` for `--pre`).
    pub value: Option<String>,
    /// Where it was written.
    pub origin: crate::Origin,
}

/// Reads a pip-tools `.in` file (or any requirements file) and its includes. Paths in origins
/// are relative to `display_root` when inside it.
pub fn read_requirements_file(path: &Path, display_root: &Path) -> Result<RequirementsFile, Error> {
    let referrer = Snippet::from_line(path, 1, "", 0..1);
    let file = read(path, display_root, &referrer)?;
    Ok(requirements_file(file, display_root))
}

fn requirements_file(file: InFile, display_root: &Path) -> RequirementsFile {
    let origin = |line: FileLine| crate::Origin::File {
        path: line.path,
        line: line.line,
    };
    let sourced = |entries: Vec<(Requirement, FileLine)>| -> Vec<crate::SourcedRequirement> {
        entries
            .into_iter()
            .map(|(requirement, line)| crate::SourcedRequirement {
                requirement,
                origin: origin(line),
            })
            .collect()
    };
    let mut options = file.options;
    options.find_links = file
        .option_lines
        .iter()
        .filter(|line| line.option == "--find-links")
        .filter_map(|line| line.value.as_deref().map(|value| (line, value)))
        .map(|(line, value)| {
            let next_to_file = line.directory.join(value);
            if value.contains("://") || !next_to_file.exists() {
                value.to_string()
            } else {
                display_path(&next_to_file, display_root)
                    .display()
                    .to_string()
            }
        })
        .collect();
    RequirementsFile {
        requirements: sourced(file.requirements),
        constraints: sourced(file.constraints),
        unhashed_urls: file.unhashed_urls,
        options,
        option_lines: file
            .option_lines
            .into_iter()
            .map(|line| FileOption {
                option: line.option,
                value: line.value,
                origin: crate::Origin::File {
                    path: line.snippet.path,
                    line: line.snippet.line,
                },
            })
            .collect(),
    }
}

/// Reads a constraints file given on its own (`strata compile -c FILE`): every requirement in
/// it and in what it includes is a constraint, as in pip, so the result has only `constraints`
/// (and the file's options).
pub fn read_constraints_file(path: &Path, display_root: &Path) -> Result<RequirementsFile, Error> {
    let referrer = Snippet::from_line(path, 1, "", 0..1);
    let mut file = InFile::default();
    read_into(
        path,
        display_root,
        &referrer,
        Kind::Constraints,
        &mut Vec::new(),
        &mut file,
    )?;
    Ok(requirements_file(file, display_root))
}

/// Reads `path` and its includes. `display_root` makes paths in errors and origins relative to
/// the project, which is how users write them. `referrer` is where the file was named (a manifest
/// key or a `-r` line), used when the file itself does not exist.
pub(crate) fn read(path: &Path, display_root: &Path, referrer: &Snippet) -> Result<InFile, Error> {
    let mut out = InFile::default();
    let mut stack = Vec::new();
    read_into(
        path,
        display_root,
        referrer,
        Kind::Requirements,
        &mut stack,
        &mut out,
    )?;
    Ok(out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Requirements,
    Constraints,
}

fn read_into(
    path: &Path,
    display_root: &Path,
    referrer: &Snippet,
    kind: Kind,
    stack: &mut Vec<PathBuf>,
    out: &mut InFile,
) -> Result<(), Error> {
    let display = display_path(path, display_root);
    if stack.iter().any(|seen| seen == path) {
        let mut chain: Vec<String> = stack
            .iter()
            .map(|seen| display_path(seen, display_root).display().to_string())
            .collect();
        chain.push(display.display().to_string());
        return Err(ErrorKind::IncludeLoop {
            chain,
            snippet: referrer.clone(),
        }
        .into());
    }
    let source = match text_file::read(path, &display, Some(referrer)) {
        Ok(source) => source,
        Err(text_file::ReadFailure::Missing(_)) => {
            return Err(ErrorKind::MissingInFile {
                path: display,
                snippet: referrer.clone(),
            }
            .into());
        }
        Err(text_file::ReadFailure::Failed(error)) => return Err(error),
    };
    stack.push(path.to_path_buf());
    let directory = path.parent().unwrap_or(Path::new("."));
    for logical in logical_lines(&source) {
        let here = FileLine {
            path: display.clone(),
            line: logical.number,
        };
        let text = logical.text.as_str();
        let snippet_all = || {
            Snippet::from_line(
                &display,
                logical.number,
                &logical.first_line,
                0..logical.first_line.chars().count(),
            )
        };
        if text.starts_with('-') {
            let (option, value) = split_option(text);
            let needs_value = || -> Result<&str, Error> {
                value.ok_or_else(|| {
                    ErrorKind::InFileOption {
                        option: option.to_string(),
                        snippet: snippet_all(),
                    }
                    .into()
                })
            };
            match option {
                "-r" | "--requirement" | "-c" | "--constraint" => {
                    let include_kind = if option.starts_with("-c") || option == "--constraint" {
                        Kind::Constraints
                    } else {
                        kind
                    };
                    let target = directory.join(needs_value()?);
                    read_into(
                        &target,
                        display_root,
                        &snippet_all(),
                        include_kind,
                        stack,
                        out,
                    )?;
                }
                "-e" | "--editable" => {
                    let value = needs_value()?;
                    let Some((None, target)) = local_directory::directory_line(value) else {
                        return Err(ErrorKind::LocalDirectory {
                            problem: LocalDirectoryProblem::NotEditable,
                            text: text.to_string(),
                            snippet: snippet_all(),
                        }
                        .into());
                    };
                    let requirement = local_directory::directory_requirement(
                        None,
                        target,
                        true,
                        directory,
                        display_root,
                        text,
                        &snippet_all(),
                    )?;
                    push_requirement(kind, requirement, text, here, snippet_all(), out)?;
                }
                "-i" | "--index-url" | "--extra-index-url" | "-f" | "--find-links" => {
                    let value = needs_value()?.to_string();
                    let option = match option {
                        "-i" | "--index-url" => {
                            out.options.index_url = Some(value.clone());
                            "--index-url"
                        }
                        "--extra-index-url" => {
                            out.options.extra_index_urls.push(value.clone());
                            "--extra-index-url"
                        }
                        _ => {
                            out.options.find_links.push(value.clone());
                            "--find-links"
                        }
                    };
                    out.option_lines.push(OptionLine {
                        option,
                        value: Some(value),
                        directory: directory.to_path_buf(),
                        snippet: snippet_all(),
                    });
                }
                "--pre" if value.is_none() => {
                    out.options.pre = true;
                    out.option_lines.push(OptionLine {
                        option: "--pre",
                        value: None,
                        directory: directory.to_path_buf(),
                        snippet: snippet_all(),
                    });
                }
                _ => {
                    return Err(ErrorKind::InFileOption {
                        option: option.to_string(),
                        snippet: snippet_all(),
                    }
                    .into());
                }
            }
            continue;
        }
        let requirement = match local_directory::directory_line(text) {
            Some((name, target)) => local_directory::directory_requirement(
                name,
                target,
                false,
                directory,
                display_root,
                text,
                &snippet_all(),
            )?,
            None => parse_requirement(text, &display, &logical)?,
        };
        push_requirement(kind, requirement, text, here, snippet_all(), out)?;
    }
    stack.pop();
    Ok(())
}

/// Adds a requirement read from a line to `out`, as a requirement or a constraint.
fn push_requirement(
    kind: Kind,
    requirement: Requirement,
    text: &str,
    here: FileLine,
    snippet: Snippet,
    out: &mut InFile,
) -> Result<(), Error> {
    match kind {
        Kind::Requirements => {
            if is_unhashed_url(&requirement) {
                out.unhashed_urls.push((text.to_string(), snippet));
            }
            out.requirements.push((requirement, here));
        }
        Kind::Constraints => {
            if let Some(form) = constraint_extras(&requirement) {
                return Err(ErrorKind::Unsupported {
                    form,
                    text: text.to_string(),
                    snippet,
                }
                .into());
            }
            out.constraints.push((requirement, here));
        }
    }
    Ok(())
}

/// Parses one PEP 508 requirement from a `.in` line, mapping a parse error onto the file's line.
fn parse_requirement(
    text: &str,
    display: &Path,
    logical: &LogicalLine,
) -> Result<Requirement, Error> {
    // The caret can only be placed exactly when the requirement sits on one physical line;
    // for a continued line, underline the start of the first one.
    let offset = logical.first_line.find(text).unwrap_or(0);
    let before = logical.first_line[..offset].chars().count();
    requirement(text, |columns| {
        let columns = if logical.continued {
            0..1
        } else {
            before + columns.start..before + columns.end
        };
        Snippet::from_line(display, logical.number, &logical.first_line, columns)
    })
}

/// The longest package name strata accepts, in characters. Real names are far shorter; one
/// past this is a missing separator or pasted text, and its wheel's file name
/// (`NAME-VERSION-TAGS.whl`) or cache entry would come close to, or pass, the 255-byte
/// file-name limit of common file systems.
pub(crate) const MAX_NAME_LENGTH: usize = 200;

/// Parses a PEP 508 requirement from any source (a `.in` line, a manifest entry, a
/// `pyproject.toml` list) and rejects the forms strata cannot lock. `snippet` maps a character
/// range of `text` to the input file.
pub(crate) fn requirement(
    text: &str,
    snippet: impl Fn(std::ops::Range<usize>) -> Snippet,
) -> Result<Requirement, Error> {
    let whole = || snippet(0..text.chars().count());
    let unsupported = |form| -> Error {
        ErrorKind::Unsupported {
            form,
            text: text.to_string(),
            snippet: whole(),
        }
        .into()
    };
    // pep508_rs would panic on this one; strata_dist::parse_requirement says why.
    if let Some((at, separator)) = strata_dist::name_ending_in_separator(text) {
        return Err(ErrorKind::InvalidRequirement {
            requirement: text.to_string(),
            message: format!(
                "Package name must end with an alphanumeric character, not '{separator}'"
            ),
            snippet: snippet(at..at + 1),
        }
        .into());
    }
    match strata_dist::parse_requirement(text) {
        Ok(requirement) if requirement.name.as_ref().len() > MAX_NAME_LENGTH => {
            // The name as written (the parsed one is normalized), to underline it.
            let leading = text.len() - text.trim_start().len();
            let name: String = text[leading..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                .collect();
            let start = text[..leading].chars().count();
            let length = name.chars().count();
            Err(ErrorKind::NameTooLong {
                name,
                length,
                max: MAX_NAME_LENGTH,
                snippet: snippet(start..start + length),
            }
            .into())
        }
        Ok(requirement) => match url_form(&requirement) {
            Some(form) => Err(unsupported(form)),
            None => local_directory::checked(requirement, text, &whole()),
        },
        Err(error) => {
            if let Some(form) = unparsed_form(text) {
                return Err(unsupported(form));
            }
            let start = text[..error.start.min(text.len())].chars().count();
            Err(ErrorKind::InvalidRequirement {
                requirement: text.to_string(),
                message: error.message.to_string(),
                snippet: snippet(start..start + error.len.max(1)),
            }
            .into())
        }
    }
}

/// Why `requirement` cannot be a constraint: pip refuses a constraint with extras, because
/// a constraint limits the package whatever extras are asked for.
pub(crate) fn constraint_extras(requirement: &Requirement) -> Option<Unsupported> {
    if requirement.extras.is_empty() {
        return None;
    }
    let mut without = requirement.clone();
    without.extras.clear();
    Some(Unsupported::ConstraintExtras {
        without: without.to_string(),
    })
}

/// Whether `requirement` is a direct URL that carries no `#sha256=` to pin it by.
pub(crate) fn is_unhashed_url(requirement: &Requirement) -> bool {
    let Some(VersionOrUrl::Url(url)) = &requirement.version_or_url else {
        return false;
    };
    let url = url.to_url();
    // A git pin is a commit, and a directory no single file: pip checks a hash of neither.
    if url.scheme().starts_with("git+")
        || strata_dist::LocalDirectory::from_url(&url.clone().into()).is_some()
    {
        return false;
    }
    !url.fragment()
        .is_some_and(|fragment| fragment.starts_with("sha256="))
}

/// The error for a direct URL without a hash in a lock that records hashes.
pub(crate) fn unhashed_url_error(text: &str, snippet: Snippet) -> Error {
    ErrorKind::Unsupported {
        form: Unsupported::UnhashedUrl,
        text: text.to_string(),
        snippet,
    }
    .into()
}

/// Why a parsed `name @ url` requirement cannot be locked: strata locks a direct URL only when
/// it names a wheel or sdist of the package (fetched over HTTP, or a local file).
fn url_form(requirement: &Requirement) -> Option<Unsupported> {
    let Some(VersionOrUrl::Url(url)) = &requirement.version_or_url else {
        return None;
    };
    let url = url.to_url();
    let scheme = url.scheme();
    // Git is locked by commit (`strata_index::GitUrl`); other systems are not.
    if scheme.starts_with("git+") {
        return None;
    }
    if ["hg+", "svn+", "bzr+"]
        .iter()
        .any(|prefix| scheme.starts_with(prefix))
    {
        return Some(Unsupported::Vcs);
    }
    let last = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .unwrap_or_default();
    let is_distribution = matches!(
        strata_dist::DistFilename::parse_for_package(last, &requirement.name),
        Ok(Some(_))
    );
    match (is_distribution, scheme) {
        (true, _) => None,
        // A project directory (`local_directory`), checked by the caller.
        (false, "file") if strata_dist::LocalDirectory::from_url(&url.clone().into()).is_some() => {
            None
        }
        (false, "file") => Some(Unsupported::LocalPath),
        (false, _) => Some(Unsupported::NotADistribution {
            package: requirement.name.to_string(),
        }),
    }
}

/// Recognizes, in text that is not PEP 508, the pip forms strata cannot lock, so the message
/// says what to write instead of what the PEP 508 parser expected.
fn unparsed_form(text: &str) -> Option<Unsupported> {
    if let Some((_, target)) = text.split_once(" @ ") {
        let target = target.trim();
        return (!target.contains("://")).then_some(Unsupported::LocalPath);
    }
    let first = text
        .split(|c: char| c.is_whitespace() || c == ';')
        .next()
        .unwrap_or_default();
    let lower = first.to_ascii_lowercase();
    if ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
    {
        return Some(Unsupported::Vcs);
    }
    if lower.starts_with("file:") {
        return Some(Unsupported::LocalPath);
    }
    if lower.contains("://") {
        return Some(Unsupported::UnnamedUrl);
    }
    let archive = [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .any(|suffix| lower.ends_with(suffix));
    if first.starts_with(['.', '/', '~']) || first.contains(['/', '\\']) || archive {
        return Some(Unsupported::LocalPath);
    }
    None
}

/// Splits `--opt value`, `--opt=value` and `-rfile` forms.
fn split_option(text: &str) -> (&str, Option<&str>) {
    if let Some(rest) = text.strip_prefix("--") {
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .map_or(text.len(), |index| index + 2);
        let value = text[end..]
            .trim_start_matches(|c: char| c == '=' || c.is_whitespace())
            .trim();
        return (&text[..end], (!value.is_empty()).then_some(value));
    }
    let end = text
        .char_indices()
        .nth(2)
        .map_or(text.len(), |(index, _)| index);
    let value = text[end..].trim();
    (&text[..end], (!value.is_empty()).then_some(value))
}

struct LogicalLine {
    /// 1-based number of the first physical line.
    number: usize,
    /// The joined text with comments removed, trimmed.
    text: String,
    /// The first physical line as written, for snippets.
    first_line: String,
    /// Whether the text spans several physical lines.
    continued: bool,
}

/// Joins continuation lines and strips comments the way pip does.
fn logical_lines(source: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut pending: Option<LogicalLine> = None;
    for (index, raw) in source.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        let (body, continues) = match raw.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (raw, false),
        };
        let current = pending.get_or_insert_with(|| LogicalLine {
            number: index + 1,
            text: String::new(),
            first_line: raw.to_string(),
            continued: false,
        });
        if !current.text.is_empty() {
            current.continued = true;
        }
        current.text.push_str(body);
        if continues {
            continue;
        }
        let mut line = pending.take().expect("a pending line was just inserted");
        line.text = strip_comment(&line.text).trim().to_string();
        if !line.text.is_empty() {
            lines.push(line);
        }
    }
    if let Some(mut line) = pending {
        line.text = strip_comment(&line.text).trim().to_string();
        if !line.text.is_empty() {
            lines.push(line);
        }
    }
    lines
}

/// pip's rule: `#` starts a comment at the start of a line or after whitespace, so
/// `pkg @ https://host/x.whl#sha256=...` keeps its fragment.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (index, byte) in bytes.iter().enumerate() {
        if *byte == b'#' && (index == 0 || bytes[index - 1].is_ascii_whitespace()) {
            return &line[..index];
        }
    }
    line
}

/// Makes `path` relative to `root` when it lies inside it.
pub(crate) fn display_path(path: &Path, root: &Path) -> PathBuf {
    let normalized = normalize(path);
    normalized
        .strip_prefix(normalize(root))
        .map_or(normalized.clone(), Path::to_path_buf)
}

/// Removes `.` and resolves `..` lexically, without touching the filesystem (the file may not
/// exist yet, and symlinked checkouts must keep the path the user wrote).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                let at_start = out
                    .components()
                    .next_back()
                    .is_none_or(|last| matches!(last, std::path::Component::ParentDir));
                if at_start || !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
        let path = dir.join(name);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(&path, contents).unwrap();
        path
    }

    fn referrer() -> Snippet {
        Snippet::from_line(Path::new("strata.toml"), 1, "file = \"x\"", 0..1)
    }

    #[test]
    fn comments_continuations_and_options_are_read_as_pip_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "in/base.in",
            "# a comment\n\nnumpy>=1.26  # trailing comment\n\
             torch \\\n  >=2.0\n\
             pkg @ https://example.invalid/pkg-1.0-py3-none-any.whl#sha256=abc\n\
             --index-url https://mirror.invalid/simple\n--extra-index-url=https://extra.invalid/simple\n\
             -f ./wheels\n--pre\n",
        );
        let file = read(&path, dir.path(), &referrer()).unwrap();
        let names: Vec<_> = file
            .requirements
            .iter()
            .map(|(requirement, line)| format!("{}@{}", requirement.name, line.line))
            .collect();
        assert_eq!(names, ["numpy@3", "torch@4", "pkg@6"]);
        assert_eq!(
            file.options.index_url.as_deref(),
            Some("https://mirror.invalid/simple")
        );
        assert_eq!(
            file.options.extra_index_urls,
            ["https://extra.invalid/simple"]
        );
        assert_eq!(file.options.find_links, ["./wheels"]);
        assert!(file.options.pre);
        let lines: Vec<_> = file
            .option_lines
            .iter()
            .map(|line| format!("{}@{}", line.option, line.snippet.line))
            .collect();
        assert_eq!(
            lines,
            [
                "--index-url@7",
                "--extra-index-url@8",
                "--find-links@9",
                "--pre@10"
            ]
        );
        assert_eq!(file.requirements[0].1.path, Path::new("in/base.in"));
    }

    #[test]
    fn includes_are_relative_to_the_including_file_and_constraints_stay_constraints() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "in/common.in", "requests\n-c pins.txt\n");
        write(dir.path(), "in/pins.txt", "urllib3<2\n-r more-pins.txt\n");
        write(dir.path(), "in/more-pins.txt", "idna==3.7\n");
        let path = write(dir.path(), "in/app.in", "-r common.in\nfastapi\n");
        let file = read(&path, dir.path(), &referrer()).unwrap();
        let requirements: Vec<_> = file
            .requirements
            .iter()
            .map(|(requirement, _)| requirement.name.to_string())
            .collect();
        let constraints: Vec<_> = file
            .constraints
            .iter()
            .map(|(requirement, _)| requirement.to_string())
            .collect();
        assert_eq!(requirements, ["requests", "fastapi"]);
        assert_eq!(constraints, ["urllib3<2", "idna==3.7"]);
    }

    /// Reads a one-line `.in` file and returns the form it was rejected as, with the line.
    fn rejected(line: &str) -> (Unsupported, usize) {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "base.in", &format!("numpy\n{line}\n"));
        let error = read(&path, dir.path(), &referrer()).unwrap_err();
        match error.kind() {
            ErrorKind::Unsupported { form, snippet, .. } => {
                assert_eq!(snippet.path, Path::new("base.in"));
                (form.clone(), snippet.line)
            }
            other => panic!("`{line}` was not rejected as unsupported: {other:?}"),
        }
    }

    /// One test per form that used to be dropped or misreported: each is an error on its line.
    macro_rules! rejected_form {
        ($name:ident, $line:expr, $form:pat) => {
            #[test]
            fn $name() {
                let (form, line) = rejected($line);
                assert!(matches!(form, $form), "`{}` gave {form:?}", $line);
                assert_eq!(line, 2);
            }
        };
    }

    rejected_form!(
        unnamed_local_wheel_is_a_local_path,
        "../dist/x-1.0-py3-none-any.whl",
        Unsupported::LocalPath
    );
    rejected_form!(
        named_relative_wheel_is_a_local_path,
        "x @ ./x-1.0.tar.gz",
        Unsupported::LocalPath
    );

    /// A project tree for the local directory forms: `pkg` (named in `pyproject.toml`), `cfg`
    /// (named in `setup.cfg`, with a `setup.py`), `anon` (a `setup.py` and no name), `empty`
    /// (no project), and `req/` for the `.in` file.
    fn local_tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "pkg/pyproject.toml",
            "[project]\nname = \"Pkg\"\nversion = \"1\"\n",
        );
        write(dir.path(), "cfg/setup.py", "");
        write(dir.path(), "cfg/setup.cfg", "[metadata]\nname = cfgpkg\n");
        write(dir.path(), "anon/setup.py", "");
        write(dir.path(), "empty/README", "");
        dir
    }

    /// Reads `line` from `req/base.in` of a [`local_tree`]: the requirement's name, the path
    /// as the lock writes it, its absolute path and whether it is editable.
    fn local(line: &str) -> (String, String, PathBuf, bool) {
        let dir = local_tree();
        let root = dir.path().canonicalize().unwrap();
        let line = line.replace("ROOT", &root.display().to_string());
        let path = write(&root, "req/base.in", &format!("{line}\n"));
        let file = read(&path, &root, &referrer()).unwrap();
        let (requirement, _) = &file.requirements[0];
        assert!(
            file.unhashed_urls.is_empty(),
            "a directory has no hash to ask for"
        );
        let Some(VersionOrUrl::Url(url)) = &requirement.version_or_url else {
            panic!("`{line}` is no URL requirement: {requirement}");
        };
        let directory = strata_dist::LocalDirectory::from_url(url).unwrap();
        let relative = directory.path.strip_prefix(&root).unwrap().to_path_buf();
        (
            requirement.name.to_string(),
            url.given()
                .unwrap()
                .replace(&root.display().to_string(), "ROOT"),
            relative,
            directory.editable,
        )
    }

    #[test]
    fn local_directories_are_requirements_relative_to_the_file_that_names_them() {
        let cases = [
            ("-e ../pkg", "pkg", "./pkg", "pkg", true),
            ("--editable ../pkg", "pkg", "./pkg", "pkg", true),
            ("--editable=../cfg", "cfgpkg", "./cfg", "cfg", true),
            ("-e file://ROOT/pkg", "pkg", "ROOT/pkg", "pkg", true),
            ("../pkg", "pkg", "./pkg", "pkg", false),
            ("./../pkg/", "pkg", "./pkg", "pkg", false),
            ("ROOT/cfg", "cfgpkg", "ROOT/cfg", "cfg", false),
            ("file://ROOT/pkg", "pkg", "ROOT/pkg", "pkg", false),
            ("pkg @ ../pkg", "pkg", "./pkg", "pkg", false),
            ("anon @ ../anon", "anon", "./anon", "anon", false),
            ("pkg @ file://ROOT/pkg", "pkg", "ROOT/pkg", "pkg", false),
            ("-e ../pkg[fast]", "pkg", "./pkg", "pkg", true),
        ];
        for (line, name, written, path, editable) in cases {
            assert_eq!(
                local(line),
                (
                    name.to_string(),
                    written.to_string(),
                    PathBuf::from(path),
                    editable
                ),
                "{line}"
            );
        }
    }

    /// The problem `line` of `req/base.in` of a [`local_tree`] is rejected with, on its line.
    fn local_problem(line: &str) -> LocalDirectoryProblem {
        let dir = local_tree();
        let path = write(dir.path(), "req/base.in", &format!("numpy\n{line}\n"));
        let error = read(&path, dir.path(), &referrer()).unwrap_err();
        let ErrorKind::LocalDirectory {
            problem, snippet, ..
        } = error.kind()
        else {
            panic!("`{line}`: {error:?}");
        };
        assert_eq!(
            (snippet.path.as_path(), snippet.line),
            (Path::new("req/base.in"), 2)
        );
        problem.clone()
    }

    #[test]
    fn a_local_directory_keeps_the_extras_written_after_its_path() {
        let dir = local_tree();
        let path = write(dir.path(), "req/base.in", "-e ../pkg[fast,gpu]\n");
        let file = read(&path, dir.path(), &referrer()).unwrap();
        let extras: Vec<String> = file.requirements[0]
            .0
            .extras
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(extras, ["fast", "gpu"]);
    }

    #[test]
    fn local_directories_that_cannot_be_locked_are_errors_on_their_line() {
        assert!(matches!(
            local_problem("-e ../nowhere"),
            LocalDirectoryProblem::Missing { .. }
        ));
        assert!(matches!(
            local_problem("../empty"),
            LocalDirectoryProblem::NotAProject { .. }
        ));
        assert!(matches!(
            local_problem("../anon"),
            LocalDirectoryProblem::Unnamed { .. }
        ));
        assert_eq!(
            local_problem("other @ ../pkg"),
            LocalDirectoryProblem::NameMismatch {
                written: "other".to_string(),
                found: "Pkg".to_string()
            }
        );
        assert_eq!(
            local_problem("-e git+https://git.invalid/x.git#egg=x"),
            LocalDirectoryProblem::NotEditable
        );
    }

    #[test]
    fn a_file_url_of_a_directory_is_checked_wherever_pep_508_allows_it() {
        let dir = local_tree();
        let text = format!("other @ file://{}/pkg", dir.path().display());
        let error = requirement(&text, |_| referrer()).unwrap_err();
        assert!(
            matches!(
                error.kind(),
                ErrorKind::LocalDirectory {
                    problem: LocalDirectoryProblem::NameMismatch { .. },
                    ..
                }
            ),
            "{error:?}"
        );
        let text = format!("pkg @ file://{}/pkg", dir.path().display());
        assert!(requirement(&text, |_| referrer()).is_ok());
    }
    rejected_form!(
        named_mercurial_url_is_vcs,
        "x @ hg+https://hg.invalid/x@v1.0",
        Unsupported::Vcs
    );
    rejected_form!(
        unnamed_git_url_is_vcs,
        "git+https://git.invalid/x.git#egg=x",
        Unsupported::Vcs
    );
    rejected_form!(
        unnamed_https_url_needs_a_name,
        "https://files.invalid/x-1.0-py3-none-any.whl",
        Unsupported::UnnamedUrl
    );
    rejected_form!(
        url_of_an_archive_that_is_no_distribution_is_named,
        "x @ https://git.invalid/x/archive/main.zip",
        Unsupported::NotADistribution { .. }
    );

    #[test]
    fn constraints_with_extras_are_refused_on_their_line_as_pip_does() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "pins.txt",
            "idna==3.7\nnumpy[foo]<2 ; python_version >= '3.10'\n",
        );
        let path = write(dir.path(), "base.in", "numpy[foo]\n-c pins.txt\n");
        let error = read(&path, dir.path(), &referrer()).unwrap_err();
        let ErrorKind::Unsupported { form, snippet, .. } = error.kind() else {
            panic!("unexpected {error:?}");
        };
        assert_eq!(
            form,
            &Unsupported::ConstraintExtras {
                without: "numpy<2 ; python_full_version >= '3.10'".to_string()
            }
        );
        assert_eq!(
            (snippet.path.as_path(), snippet.line),
            (Path::new("pins.txt"), 2)
        );
        // Read on its own, a constraints file is all constraints, its includes too.
        let error = read_constraints_file(&dir.path().join("pins.txt"), dir.path()).unwrap_err();
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Unsupported {
                    form: Unsupported::ConstraintExtras { .. },
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn direct_urls_of_distributions_are_requirements() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "base.in",
            "x @ https://files.invalid/x-1.0-py3-none-any.whl#sha256=ab\n\
             y @ file:///wheels/y-2.0.tar.gz\n",
        );
        let file = read(&path, dir.path(), &referrer()).unwrap();
        assert_eq!(file.requirements.len(), 2);
    }

    #[test]
    fn a_bad_specifier_is_still_a_parse_error_with_a_caret() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "base.in",
            "torch>=>2.0 ; sys_platform == 'a/b'\n",
        );
        let error = read(&path, dir.path(), &referrer()).unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::InvalidRequirement { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_name_ending_in_a_separator_before_more_text_is_an_error_not_a_panic() {
        let snippet = |columns: std::ops::Range<usize>| {
            Snippet::from_line(Path::new("base.in"), 1, "", columns)
        };
        for (text, column) in [
            ("pytest-[timeout]", 7),
            ("numpy- >=1", 6),
            ("  a_ ; python_version > '3'", 4),
            ("x. @ https://files.invalid/x-1.0-py3-none-any.whl", 2),
        ] {
            let error = requirement(text, snippet).unwrap_err();
            let ErrorKind::InvalidRequirement { snippet, .. } = error.kind() else {
                panic!("`{text}`: unexpected {error:?}");
            };
            assert_eq!(snippet.column, column, "`{text}`");
        }
        // At the end of the input the parser says the same itself; elsewhere a name is fine.
        assert!(requirement("numpy-", snippet).is_err());
        assert!(requirement("py-test[x]>=1", snippet).is_ok());
    }

    #[test]
    fn a_name_longer_than_the_limit_is_refused_with_the_name_underlined() {
        let at_limit = "a".repeat(MAX_NAME_LENGTH);
        let snippet = |columns: std::ops::Range<usize>| {
            Snippet::from_line(Path::new("base.in"), 1, "", columns)
        };
        assert!(requirement(&format!("{at_limit}>=1"), snippet).is_ok());
        let error = requirement(&format!("  {at_limit}b>=1"), snippet).unwrap_err();
        let ErrorKind::NameTooLong {
            length, snippet, ..
        } = error.kind()
        else {
            panic!("unexpected {error:?}");
        };
        assert_eq!(*length, MAX_NAME_LENGTH + 1);
        assert_eq!((snippet.column, snippet.width), (3, MAX_NAME_LENGTH + 1));
        assert!(error.to_string().len() < 200, "{error}");
    }

    #[test]
    fn hash_fragment_in_url_is_not_a_comment() {
        assert_eq!(
            strip_comment("a @ https://h/x.whl#sha256=1"),
            "a @ https://h/x.whl#sha256=1"
        );
        assert_eq!(strip_comment("a # c"), "a ");
        assert_eq!(strip_comment("# c"), "");
    }

    #[test]
    fn normalize_keeps_leading_parent_components() {
        assert_eq!(
            normalize(Path::new("./../../a.toml")),
            Path::new("../../a.toml")
        );
        assert_eq!(normalize(Path::new("x/./y/../z")), Path::new("x/z"));
    }

    #[test]
    fn option_forms_split() {
        let cases = [
            ("-r base.in", ("-r", Some("base.in"))),
            ("-rbase.in", ("-r", Some("base.in"))),
            ("--requirement=base.in", ("--requirement", Some("base.in"))),
            ("--requirement  base.in", ("--requirement", Some("base.in"))),
            ("--pre", ("--pre", None)),
        ];
        for (input, expected) in cases {
            assert_eq!(split_option(input), expected, "case {input}");
        }
    }
}
