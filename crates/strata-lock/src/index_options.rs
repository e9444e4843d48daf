//! The pip options a lock carries so that `pip install -r` of it finds every file it pins.
//!
//! pip-compile writes the `--extra-index-url` and `--find-links` it was given at the top of its
//! output; strata writes those its pins need, and only those the project declares: an index a
//! pin came from that the manifest names (a named index, `extra-index-url`, `index-url`), and
//! the manifest's `find-links` when a pin came from there. The machine's own indexes (pip's
//! configuration, its variables, the command line's `--index-url`) stay out of a file meant to
//! be committed, as the lock's fingerprint leaves them out: every machine that installs it has
//! its own default index. A URL is written as declared, so a named index's `${VAR}` stays
//! unexpanded (pip expands `${VAR}` in requirement files) and a committed lock names no
//! private host, and never with credentials.

use std::collections::HashSet;
use std::path::{Component, Path};

use strata_index::{IndexUrl, without_credentials};
use strata_project::Project;
use strata_resolve::Resolution;

/// The option lines for a lock of `resolution` written in `lock_dir` (relative to the project
/// root), in pip's search order: the indexes (`extra_index_urls` are further declared extra
/// indexes, like `strata compile`'s flags), then `find-links`.
pub fn index_options(
    project: Option<&Project>,
    extra_index_urls: &[String],
    resolution: &Resolution,
    lock_dir: Option<&Path>,
) -> Vec<String> {
    let used: HashSet<String> = resolution
        .packages
        .values()
        .flat_map(|package| &package.files)
        .filter_map(|file| file.index.as_ref())
        .map(key)
        .collect();
    let from_find_links = resolution.packages.values().any(|package| {
        package.direct_url.is_none() && package.files.iter().any(|file| file.index.is_none())
    });
    // (the URL it is searched at, the option line), in search order.
    let mut candidates: Vec<(Option<String>, String)> = Vec::new();
    if let Some(project) = project {
        for index in project.index.named.values() {
            candidates.push((
                index.url.clone(),
                format!("--extra-index-url {}", strip_credentials(&index.declared)),
            ));
        }
    }
    let manifest_extras = project
        .map(|project| project.index.extra_index_urls.as_slice())
        .unwrap_or_default();
    for url in extra_index_urls.iter().chain(manifest_extras) {
        candidates.push((
            Some(url.clone()),
            format!("--extra-index-url {}", strip_credentials(url)),
        ));
    }
    if let Some(url) = project.and_then(|project| project.index.index_url.as_ref()) {
        candidates.push((
            Some(url.clone()),
            format!("--index-url {}", strip_credentials(url)),
        ));
    }
    let mut lines: Vec<String> = Vec::new();
    for (url, line) in candidates {
        let searched = url
            .and_then(|url| IndexUrl::parse(url.trim()).ok())
            .is_some_and(|url| used.contains(&key(&url)));
        if searched && !lines.contains(&line) {
            lines.push(line);
        }
    }
    if from_find_links && let Some(project) = project {
        for links in &project.index.find_links {
            let line = format!("--find-links {}", relative_link(links, lock_dir));
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
    }
    lines
}

/// How an index is compared: its URL without credentials.
fn key(index: &IndexUrl) -> String {
    without_credentials(index.url()).to_string()
}

/// `text` without a `user:password@` (which may be `${USER}:${TOKEN}@`): never in a lock.
pub(crate) fn strip_credentials(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => text.to_string(),
    }
}

/// A manifest `find-links` entry as the lock must write it: pip reads a relative `--find-links`
/// of a requirements file relative to that file, and the manifest's are relative to the project
/// root, so one is prefixed with the way back from the lock directory to the root. URLs and
/// absolute paths are written as they are (without credentials).
fn relative_link(links: &str, lock_dir: Option<&Path>) -> String {
    if links.contains("://") || Path::new(links).is_absolute() {
        return strip_credentials(links);
    }
    let Some(lock_dir) = lock_dir else {
        return links.to_string();
    };
    let mut back = String::new();
    for component in lock_dir.components() {
        match component {
            Component::Normal(_) => back.push_str("../"),
            Component::CurDir => {}
            // A lock directory outside the root: no relative way back to write.
            _ => return links.to_string(),
        }
    }
    format!("{back}{links}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_a_lock() {
        assert_eq!(
            strip_credentials("https://${USER}:${TOKEN}@gpu.invalid/simple"),
            "https://gpu.invalid/simple"
        );
        assert_eq!(strip_credentials("${GPU_INDEX_URL}"), "${GPU_INDEX_URL}");
        assert_eq!(
            strip_credentials("https://gpu.invalid/simple/a@b"),
            "https://gpu.invalid/simple/a@b"
        );
    }

    #[test]
    fn find_links_are_written_relative_to_the_lock() {
        assert_eq!(
            relative_link("wheels", Some(Path::new("locks"))),
            "../wheels"
        );
        assert_eq!(
            relative_link("wheels", Some(Path::new("ci/locks"))),
            "../../wheels"
        );
        assert_eq!(relative_link("wheels", Some(Path::new("."))), "wheels");
        assert_eq!(
            relative_link("/opt/wheels", Some(Path::new("locks"))),
            "/opt/wheels"
        );
    }
}
