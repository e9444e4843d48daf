//! pip-tools `.in` files: requirements plus the subset of pip's file options that matter to a lock.
//!
//! The syntax follows pip's requirements-file format
//! (See: <https://pip.pypa.io/en/stable/reference/requirements-file-format/>):
//!
//! * a `#` at the start of a line or after whitespace starts a comment; blank lines are skipped;
//! * a line ending in `\` continues on the next one (the reported line is the first);
//! * `-r FILE` / `--requirement FILE` includes requirements, `-c FILE` / `--constraint FILE`
//!   includes constraints (limits, never additions); both are relative to the including file,
//!   and everything a constraints file includes is a constraint too;
//! * `-e PATH` / `--editable PATH` declares an editable local project;
//! * `-i URL` / `--index-url`, `--extra-index-url`, `-f` / `--find-links` and `--pre` are kept as
//!   options of the profile.
//!
//! Deliberately not supported: pip's `${VAR}` expansion, per-requirement options such as
//! `--hash` (a `.in` file is an input, hashes belong in the lock), and unnamed URL requirements
//! (`./pkg` or `https://.../x.whl` alone): a lock needs the name, so write `name @ url`. Each of
//! these is rejected with the line and the supported alternatives rather than silently ignored.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep508_rs::Requirement;

use crate::error::{Error, ErrorKind, Snippet};

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
    pub(crate) editables: Vec<(String, FileLine)>,
    pub(crate) options: PipOptions,
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
/// with their file and line, editables and pip options.
#[derive(Debug, Clone, Default)]
pub struct RequirementsFile {
    /// Requirements, from the file and its `-r` includes.
    pub requirements: Vec<crate::SourcedRequirement>,
    /// Constraints, from `-c` includes.
    pub constraints: Vec<crate::SourcedRequirement>,
    /// Editable local projects.
    pub editables: Vec<crate::Editable>,
    /// pip options.
    pub options: PipOptions,
}

/// Reads a pip-tools `.in` file (or any requirements file) and its includes. Paths in origins
/// are relative to `display_root` when inside it.
pub fn read_requirements_file(path: &Path, display_root: &Path) -> Result<RequirementsFile, Error> {
    let referrer = Snippet::from_line(path, 1, "", 0..1);
    let file = read(path, display_root, &referrer)?;
    let origin = |line: FileLine| crate::Origin::File {
        path: line.path,
        line: line.line,
    };
    Ok(RequirementsFile {
        requirements: file
            .requirements
            .into_iter()
            .map(|(requirement, line)| crate::SourcedRequirement {
                requirement,
                origin: origin(line),
            })
            .collect(),
        constraints: file
            .constraints
            .into_iter()
            .map(|(requirement, line)| crate::SourcedRequirement {
                requirement,
                origin: origin(line),
            })
            .collect(),
        editables: file
            .editables
            .into_iter()
            .map(|(path, line)| crate::Editable {
                path,
                origin: origin(line),
            })
            .collect(),
        options: file.options,
    })
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
    let source = match fs_err::read_to_string(path) {
        Ok(source) => source,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ErrorKind::MissingInFile {
                path: display,
                snippet: referrer.clone(),
            }
            .into());
        }
        Err(error) => {
            return Err(ErrorKind::Io {
                path: display,
                source: error,
            }
            .into());
        }
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
                "-e" | "--editable" => out.editables.push((needs_value()?.to_string(), here)),
                "-i" | "--index-url" => out.options.index_url = Some(needs_value()?.to_string()),
                "--extra-index-url" => {
                    out.options
                        .extra_index_urls
                        .push(needs_value()?.to_string());
                }
                "-f" | "--find-links" => out.options.find_links.push(needs_value()?.to_string()),
                "--pre" if value.is_none() => out.options.pre = true,
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
        let requirement = parse_requirement(text, &display, &logical)?;
        match kind {
            Kind::Requirements => out.requirements.push((requirement, here)),
            Kind::Constraints => out.constraints.push((requirement, here)),
        }
    }
    stack.pop();
    Ok(())
}

/// Parses one PEP 508 requirement from a `.in` line, mapping a parse error onto the file's line.
fn parse_requirement(
    text: &str,
    display: &Path,
    logical: &LogicalLine,
) -> Result<Requirement, Error> {
    Requirement::from_str(text).map_err(|error| -> Error {
        // The caret can only be placed exactly when the requirement sits on one physical line;
        // for a continued line, underline the start of the first one.
        let offset = logical.first_line.find(text).unwrap_or(0);
        let start = logical.first_line[..offset].chars().count()
            + text[..error.start.min(text.len())].chars().count();
        let columns = if logical.continued {
            0..1
        } else {
            start..start + error.len.max(1)
        };
        ErrorKind::InvalidRequirement {
            requirement: text.to_string(),
            message: error.message.to_string(),
            snippet: Snippet::from_line(display, logical.number, &logical.first_line, columns),
        }
        .into()
    })
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
             -f ./wheels\n--pre\n-e ./local/project\n",
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
        assert_eq!(file.editables[0].0, "./local/project");
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
