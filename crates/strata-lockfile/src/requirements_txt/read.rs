//! Reading a `requirements.txt` lock back (ours, pip-compile's or uv's): pins, extras, direct
//! URLs, hashes and the `# via` annotations.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use pep440_rs::{Operator, Version};
use pep508_rs::{PackageName, VersionOrUrl};

use crate::model::{Lock, LockedPackage};

/// A line that is not a requirement this reader understands.
#[derive(Debug, thiserror::Error)]
#[error("Line {line} is not a pinned requirement: {reason}")]
pub struct ReadError {
    /// 1-based line.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// The `name==version` pins of a lock. Direct URL requirements pin a file, not a version, and
/// are left out; a requirement that is not an exact pin is an error naming the line.
pub fn read_pins(text: &str) -> Result<HashMap<PackageName, Version>, ReadError> {
    Ok(read(text)?
        .packages
        .into_iter()
        .filter(|package| package.url.is_none())
        .map(|package| (package.name, package.version))
        .collect())
}

/// Reads a whole lock: the leading `#` comment block as the header, then every requirement
/// with its extras, `--hash` options and `# via` entries (both pip-tools layouts: the indented
/// block under the requirement and the inline `  # via x` comment).
///
/// The index options before the first requirement (`--index-url`, `--extra-index-url`,
/// `--find-links`, as strata and pip-compile write them) are kept as the lock's options; other
/// pip option lines (`-c`), and option lines among the pins, are skipped. A direct URL requirement is kept with its
/// URL and version 0, as nothing in the file says its version. Files, `Requires-Python` and
/// dependencies are not in this format; they stay empty.
///
/// ```
/// let lock = strata_lockfile::requirements_txt::read(
///     "numpy==1.26.4 \\\n    --hash=sha256:aa\n    # via\n    #   -r base.in\n    #   accelerate\n",
/// )?;
/// assert_eq!(lock.packages[0].via, ["-r base.in", "accelerate"]);
/// assert_eq!(lock.packages[0].hashes, ["aa"]);
/// # Ok::<(), strata_lockfile::requirements_txt::ReadError>(())
/// ```
pub fn read(text: &str) -> Result<Lock, ReadError> {
    let header = header_lines(text);
    let mut options: Vec<String> = Vec::new();
    let mut packages: Vec<LockedPackage> = Vec::new();
    // Whether indented `#   name` lines continue a `# via` block of the last package.
    let mut in_via_block = false;
    let mut logical = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = index + 1;
            if let Some(comment) = raw.trim_start().strip_prefix('#') {
                let indented = raw.starts_with(char::is_whitespace);
                let comment = comment.trim();
                match packages.last_mut() {
                    Some(last) if indented => {
                        if let Some(rest) = comment.strip_prefix("via ") {
                            last.via.push(rest.trim().to_string());
                            in_via_block = false;
                        } else if comment == "via" {
                            in_via_block = true;
                        } else if in_via_block && !comment.is_empty() {
                            last.via.push(comment.to_string());
                        }
                    }
                    _ => in_via_block = false,
                }
                continue;
            }
        }
        let (line, inline_comment) = match raw.split_once(" #") {
            Some((line, comment)) => (line, Some(comment)),
            None => (raw, None),
        };
        let (body, continues) = match line.trim_end().strip_suffix('\\') {
            Some(body) => (body, true),
            None => (line, false),
        };
        logical.push_str(body);
        logical.push(' ');
        if continues {
            continue;
        }
        let text = std::mem::take(&mut logical);
        in_via_block = false;
        let mut parts = text.split("--hash");
        let requirement_text = parts.next().unwrap_or_default().trim();
        if requirement_text.is_empty() {
            continue;
        }
        if let Some(package) = directory_package(requirement_text, inline_comment, start) {
            packages.push(package);
            continue;
        }
        if requirement_text.starts_with('-') {
            if packages.is_empty() && is_index_option(requirement_text) {
                options.push(requirement_text.to_string());
            }
            continue;
        }
        let hashes: Vec<String> = parts
            .filter_map(|option| {
                let value = option.trim_start_matches(['=', ' ']).trim();
                value.strip_prefix("sha256:").map(str::to_string)
            })
            .collect();
        let mut package = package(requirement_text, start)?;
        package.hashes = hashes;
        if let Some(via) = inline_comment
            .map(str::trim)
            .and_then(|comment| comment.strip_prefix("via "))
        {
            package.via.push(via.trim().to_string());
        }
        packages.push(package);
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Lock {
        header,
        options,
        packages,
    })
}

/// Whether `line` is one of the index options a lock may carry.
fn is_index_option(line: &str) -> bool {
    ["--index-url", "--extra-index-url", "--find-links"]
        .iter()
        .any(|option| {
            line.strip_prefix(option)
                .is_some_and(|rest| rest.starts_with([' ', '=']))
        })
}

/// The leading `#` comment block, each line without its `# ` (and nothing else, so the writer
/// renders the same lines back: a lock's digest covers its header).
pub fn header_lines(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|line| line.starts_with('#'))
        .map(|line| {
            line.strip_prefix("# ")
                .unwrap_or_else(|| line.trim_start_matches('#'))
                .to_string()
        })
        .collect()
}

/// A local directory pin as strata writes it, `-e ./pkg  # pkg==1.0` or `./pkg  # pkg==1.0`
/// (`None` for any other line, and for a directory line without that comment).
fn directory_package(
    requirement_text: &str,
    comment: Option<&str>,
    line: usize,
) -> Option<LockedPackage> {
    let (editable, path) = match requirement_text
        .strip_prefix("-e ")
        .or_else(|| requirement_text.strip_prefix("--editable "))
    {
        Some(path) => (true, path.trim()),
        None => (false, requirement_text),
    };
    if !path.starts_with(['.', '/']) {
        return None;
    }
    // `./pkg ; sys_platform == 'linux'` in a lock of several targets.
    let (path, marker) = match path.split_once(';') {
        Some((path, marker)) => (
            path.trim(),
            Some(strata_dist::parse_marker(marker.trim()).ok()?),
        ),
        None => (path.trim(), None),
    };
    let (path, extras) = match path.split_once('[') {
        Some((path, extras)) => (path, extras.trim_end_matches(']')),
        None => (path, ""),
    };
    // Without strata's comment (uv writes `-e ./pkg` alone) nothing names the project: the
    // line is left to the rest of the reader, as before strata wrote directory pins.
    let Some(Ok(mut package)) = comment.map(|pin| package(pin.trim(), line)) else {
        return None;
    };
    package.url = Some(path.to_string());
    package.editable = editable;
    if let Some(marker) = marker {
        package.marker = marker;
    }
    package.extras = extras
        .split(',')
        .map(str::trim)
        .filter(|extra| !extra.is_empty())
        .filter_map(|extra| pep508_rs::ExtraName::from_str(extra).ok())
        .collect();
    Some(package)
}

fn package(requirement_text: &str, line: usize) -> Result<LockedPackage, ReadError> {
    let requirement =
        strata_dist::parse_requirement(requirement_text).map_err(|error| ReadError {
            line,
            reason: error.message.to_string(),
        })?;
    let (version, url) = match &requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
            let pinned = specifiers
                .iter()
                .find(|specifier| {
                    matches!(specifier.operator(), Operator::Equal | Operator::ExactEqual)
                })
                .ok_or_else(|| ReadError {
                    line,
                    reason: format!("`{requirement_text}` is not pinned with `==`"),
                })?;
            (pinned.version().clone(), None)
        }
        Some(VersionOrUrl::Url(url)) => (Version::new([0]), Some(url.to_string())),
        None => {
            return Err(ReadError {
                line,
                reason: format!("`{requirement_text}` has no version"),
            });
        }
    };
    Ok(LockedPackage {
        extras: requirement.extras.iter().cloned().collect::<BTreeSet<_>>(),
        url,
        line: Some(line),
        marker: requirement.marker.clone(),
        ..LockedPackage::new(requirement.name.clone(), version)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_come_back_from_what_the_writer_and_pip_compile_write() {
        let text = "#\n# header\n#\n--index-url https://mirror.invalid/simple\nnumpy==1.26.4 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via -r requirements.in\nuvicorn[standard]==0.30.1  # via -r x.in\n";
        let pins = read_pins(text).unwrap();
        assert_eq!(pins.len(), 2);
        assert_eq!(
            pins[&PackageName::new("numpy".to_string()).unwrap()].to_string(),
            "1.26.4"
        );
        assert_eq!(
            pins[&PackageName::new("uvicorn".to_string()).unwrap()].to_string(),
            "0.30.1"
        );
    }

    #[test]
    fn an_editable_line_without_strata_comment_is_left_out_as_uv_and_pip_compile_write_it() {
        let lock = read("-e ./pkg\n    # via -r x.in\n-e file:///src/y\nnumpy==1.26.4\n").unwrap();
        let names: Vec<String> = lock.packages.iter().map(|p| p.name.to_string()).collect();
        assert_eq!(names, ["numpy"]);
        let lock = read("-e ./pkg  # pkg==0.1\n").unwrap();
        assert!(lock.packages[0].editable && lock.packages[0].is_directory());
    }

    #[test]
    fn a_directory_line_of_a_lock_of_several_targets_keeps_its_marker() {
        let text = "./pkg ; sys_platform == 'linux'  # pkg==0.1\n";
        let lock = read(text).unwrap();
        let package = &lock.packages[0];
        assert_eq!(package.url.as_deref(), Some("./pkg"));
        assert_eq!(
            package.marker.contents().map(|marker| marker.to_string()),
            Some("sys_platform == 'linux'".to_string())
        );
        // Written back the same (after the note that the lock has no hashes).
        assert!(crate::requirements_txt::write(&lock).ends_with(&format!("\n{text}")));
    }

    #[test]
    fn unpinned_line_is_an_error_naming_the_line() {
        let error = read_pins("numpy==1\nrequests>=2\n").unwrap_err();
        assert_eq!(error.line, 2);
        // A hand edit the marker parser would have panicked on is an error too.
        let error = read("six==1.17.0 ; sys_platform == 'linux' é\n").unwrap_err();
        assert_eq!(error.line, 1);
        assert!(
            error.reason.contains("a marker is ASCII"),
            "{}",
            error.reason
        );
    }

    #[test]
    fn a_written_lock_reads_back_whole() {
        let text = "#\n# generated\n#\naccelerate==0.33.0 \\\n    --hash=sha256:11\n    # via -r in/base.in\nnumpy==1.26.4 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via\n    #   -r in/base.in\n    #   accelerate\n\n# a trailing comment\nuvicorn[standard]==0.30.1  # via -r x.in\nlocal @ file:///tmp/local-1.0-py3-none-any.whl\n";
        let lock = read(text).unwrap();
        assert_eq!(lock.header, ["", "generated", ""]);
        let summary: Vec<String> = lock
            .packages
            .iter()
            .map(|package| {
                format!(
                    "{}{:?}=={} url={:?} hashes={:?} via={:?}",
                    package.name,
                    package
                        .extras
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>(),
                    package.version,
                    package.url,
                    package.hashes,
                    package.via
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                r#"accelerate[]==0.33.0 url=None hashes=["11"] via=["-r in/base.in"]"#,
                r#"local[]==0 url=Some("file:///tmp/local-1.0-py3-none-any.whl") hashes=[] via=[]"#,
                r#"numpy[]==1.26.4 url=None hashes=["aa", "bb"] via=["-r in/base.in", "accelerate"]"#,
                r#"uvicorn["standard"]==0.30.1 url=None hashes=[] via=["-r x.in"]"#,
            ]
        );
        // What the writer writes, the reader takes back unchanged.
        assert_eq!(read(&crate::requirements_txt::write(&lock)).unwrap(), lock);
    }

    #[test]
    fn index_options_before_the_pins_are_kept_and_written_back_those_among_them_are_not() {
        let text = "# header\n--extra-index-url ${GPU_INDEX_URL}\n--find-links ../wheels\n\n\
                    numpy==1.26.4 \\\n    --hash=sha256:aa\n    # via -r base.in\n\
                    --index-url http://127.0.0.1:9/simple\nrich==13.7.1\n";
        let lock = read(text).unwrap();
        assert_eq!(
            lock.options,
            [
                "--extra-index-url ${GPU_INDEX_URL}",
                "--find-links ../wheels"
            ]
        );
        let written = crate::requirements_txt::write(&lock);
        assert!(
            written.starts_with(
                "# header\n--extra-index-url ${GPU_INDEX_URL}\n--find-links ../wheels\n\nnumpy=="
            ),
            "{written}"
        );
        assert!(!written.contains("--index-url"), "{written}");
        assert_eq!(read(&written).unwrap(), lock);
    }
}
