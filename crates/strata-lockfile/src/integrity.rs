//! A lock's digest of itself: whether its files are what strata wrote.
//!
//! The fingerprint says whether a lock's *inputs* changed; it cannot see an edit of the lock
//! itself (a pin added with its hash, a version changed by hand, a merge that kept half of each
//! side). So every lock strata writes records the sha256 of its own text:
//!
//! * `<name>.txt` carries `# strata-digest: sha256:...` in its header, the digest of the whole
//!   file without that one line (header included: an edited fingerprint line is an edit too);
//! * `pylock.<name>.toml` carries `digest = "sha256:..."` in `[tool.strata]`, the same way, so
//!   each file can be verified on its own; the pair must also carry the same fingerprint and
//!   pin the same versions with the same hashes (they are two renderings of one lock).
//!
//! A file whose digest does not match was edited: `lock --check` fails, `strata lock` resolves
//! it again (with preferences from the other file of the pair when that one is intact, never
//! from the edited file: relocking must not bless the edit), and `check` says so.
//!
//! The digest is a seal against accidents and unreviewed hand edits, not a signature: anyone
//! can recompute it. Naming the edited lines is best effort from what is on disk: lines the
//! canonical writer would not write (strata renders a lock to the same bytes every time), pins
//! that disagree with the other file of the pair, and pins without a `# via` (strata writes one
//! for every pin). An edit that keeps strata's layout in both files consistently can only be
//! seen by the digest, and the message says to compare with version control.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use pep508_rs::PackageName;
use sha2::{Digest, Sha256};

use crate::model::Lock;

/// The header line of `<name>.txt` that carries its digest (without the leading `# `).
pub const DIGEST_PREFIX: &str = "strata-digest: ";

/// The `[tool.strata]` key of `pylock.<name>.toml` that carries its digest.
const PYLOCK_DIGEST_PREFIX: &str = "digest = \"";

/// What a file's recorded digest says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seal {
    /// The digest matches: the file is what strata wrote.
    Intact,
    /// There is no digest (another tool's lock, or one written before strata recorded them).
    Unsealed,
    /// The digest does not match: the file was edited after strata wrote it.
    Broken {
        /// The digest the file records.
        recorded: String,
        /// The digest of what is there.
        actual: String,
    },
}

/// Which of the two lock files a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `<name>.txt`.
    Requirements,
    /// `pylock.<name>.toml`.
    Pylock,
}

impl FileKind {
    fn digest_line(self, digest: &str) -> String {
        match self {
            Self::Requirements => format!("# {DIGEST_PREFIX}{digest}\n"),
            Self::Pylock => format!("{PYLOCK_DIGEST_PREFIX}{digest}\"\n"),
        }
    }

    /// The recorded digest if `line` is the digest line.
    fn recorded(self, line: &str) -> Option<&str> {
        match self {
            Self::Requirements => line.strip_prefix("# ")?.strip_prefix(DIGEST_PREFIX),
            Self::Pylock => line.strip_prefix(PYLOCK_DIGEST_PREFIX)?.strip_suffix('"'),
        }
        .map(str::trim)
    }
}

/// `sha256:<hex>` of `text`.
fn digest(text: &str) -> String {
    let hash = Sha256::digest(text.as_bytes());
    hash.iter().fold(String::from("sha256:"), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

/// Inserts the digest line of `kind` at byte `at` of `text` (a line start), recording the
/// digest of `text` as it is.
pub(crate) fn seal(text: &str, at: usize, kind: FileKind) -> String {
    let line = kind.digest_line(&digest(text));
    let mut out = String::with_capacity(text.len() + line.len());
    out.push_str(&text[..at]);
    out.push_str(&line);
    out.push_str(&text[at..]);
    out
}

/// The recorded digest of `text` and the text without its (first) digest line.
fn split(text: &str, kind: FileKind) -> Option<(String, String)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(recorded) = kind.recorded(line.trim_end_matches(['\n', '\r'])) {
            let mut rest = String::with_capacity(text.len());
            rest.push_str(&text[..offset]);
            rest.push_str(&text[offset + line.len()..]);
            return Some((recorded.to_string(), rest));
        }
        offset += line.len();
    }
    None
}

/// What the digest of `text`, a lock file of `kind`, says about it.
pub fn seal_of(text: &str, kind: FileKind) -> Seal {
    match split(text, kind) {
        None => Seal::Unsealed,
        Some((recorded, rest)) => {
            let actual = digest(&rest);
            if actual == recorded {
                Seal::Intact
            } else {
                Seal::Broken { recorded, actual }
            }
        }
    }
}

/// What the digest of a `<name>.txt` lock says about it.
///
/// ```
/// use strata_lockfile::integrity::{Seal, seal_of_requirements};
/// assert_eq!(seal_of_requirements("numpy==1.26.4\n"), Seal::Unsealed);
/// ```
pub fn seal_of_requirements(text: &str) -> Seal {
    seal_of(text, FileKind::Requirements)
}

/// What the digest of a `pylock.<name>.toml` says about it.
pub fn seal_of_pylock(text: &str) -> Seal {
    seal_of(text, FileKind::Pylock)
}

/// The digest `text` records (`sha256:...`), if any.
pub fn recorded_digest(text: &str, kind: FileKind) -> Option<String> {
    split(text, kind).map(|(recorded, _)| recorded)
}

/// One file of a lock as it is on disk, for [`edited_lines`].
#[derive(Debug, Clone, Copy)]
pub struct LockText<'a> {
    /// How to name the file in messages (`locks/base.txt`).
    pub label: &'a str,
    /// Its contents.
    pub text: &'a str,
}

/// The lines of a lock pair that strata did not write, each as `file:line: what`, for files
/// whose digest is broken (an intact file gets no finding of its own, but serves as the
/// reference for the other). `targets` are needed to re-render a `pylock.toml`.
///
/// When the edit cannot be located, the one finding says so and points at version control.
pub fn edited_lines(
    requirements: LockText<'_>,
    pylock: Option<LockText<'_>>,
    targets: &[strata_dist::Target],
) -> Vec<String> {
    let txt_seal = seal_of(requirements.text, FileKind::Requirements);
    let pylock_seal = pylock.map(|file| seal_of(file.text, FileKind::Pylock));
    let txt_lock = crate::requirements_txt::read(requirements.text).ok();
    let pylock_lock = pylock.and_then(|file| crate::pylock_toml::read(file.text).ok());
    let mut findings = Vec::new();
    if matches!(txt_seal, Seal::Broken { .. }) {
        let lines = package_lines_txt(requirements.text);
        findings.extend(noncanonical_txt(requirements));
        if let Some(lock) = &txt_lock {
            for package in &lock.packages {
                if package.via.is_empty() {
                    findings.push(format!(
                        "{}:{}: `{}` has no `# via` (strata writes one for every pin, since something requires each)",
                        requirements.label,
                        lines.get(&package.name).copied().unwrap_or(0),
                        package.name
                    ));
                }
            }
        }
        if let (Some(mine), Some(other), Some(file)) = (&txt_lock, &pylock_lock, pylock)
            && pylock_seal == Some(Seal::Intact)
        {
            findings.extend(disagreements(
                requirements.label,
                &lines,
                mine,
                file.label,
                other,
            ));
        }
    }
    if let (Some(file), Some(Seal::Broken { .. })) = (pylock, &pylock_seal) {
        let lines = package_lines_pylock(file.text);
        if let Some(lock) = pylock_lock.as_ref().filter(|_| !targets.is_empty()) {
            let rendered = crate::pylock_toml::write(lock, targets);
            findings.extend(foreign_lines(file, &rendered, FileKind::Pylock));
        }
        if let (Some(mine), Some(other)) = (&pylock_lock, &txt_lock)
            && txt_seal == Seal::Intact
        {
            findings.extend(disagreements(
                file.label,
                &lines,
                mine,
                requirements.label,
                other,
            ));
        }
        if pylock_lock.is_none() {
            findings.push(format!(
                "{}: it no longer reads as a pylock.toml",
                file.label
            ));
        }
    }
    if txt_lock.is_none()
        && matches!(txt_seal, Seal::Broken { .. })
        && let Err(error) = crate::requirements_txt::read(requirements.text)
    {
        findings.push(format!(
            "{}:{}: {}",
            requirements.label, error.line, error.reason
        ));
    }
    let broken: Vec<(&str, &Seal)> = std::iter::once((requirements.label, &txt_seal))
        .chain(pylock.map(|file| file.label).zip(pylock_seal.as_ref()))
        .filter(|(_, seal)| matches!(seal, Seal::Broken { .. }))
        .collect();
    if findings.is_empty() {
        for (label, seal) in broken {
            if let Seal::Broken { recorded, actual } = seal {
                findings.push(format!(
                    "{label}: its contents were edited (digest {actual}, recorded {recorded}) in strata's own layout, so the lines cannot be named here; compare with version control, e.g. `strata diff HEAD:{label} {label}`"
                ));
            }
        }
    }
    findings
}

/// Lines of a `<name>.txt` that strata's writer would not write for the lock they parse to.
fn noncanonical_txt(file: LockText<'_>) -> Vec<String> {
    match crate::requirements_txt::read(file.text) {
        Ok(lock) => {
            let rendered = crate::requirements_txt::write(&lock);
            foreign_lines(file, &rendered, FileKind::Requirements)
        }
        Err(_) => Vec::new(),
    }
}

/// Lines of `file` that are not in `rendered` (counting repeats), in file order, without the
/// digest lines.
fn foreign_lines(file: LockText<'_>, rendered: &str, kind: FileKind) -> Vec<String> {
    let mut expected: HashMap<&str, usize> = HashMap::new();
    for line in rendered.lines() {
        *expected.entry(line).or_default() += 1;
    }
    let mut out = Vec::new();
    for (index, line) in file.text.lines().enumerate() {
        if kind.recorded(line).is_some() {
            continue;
        }
        match expected.get_mut(line) {
            Some(count) if *count > 0 => *count -= 1,
            _ => out.push(format!(
                "{}:{}: `{}` is not what strata writes for this lock",
                file.label,
                index + 1,
                line.trim()
            )),
        }
    }
    out
}

/// Pins of `mine` that differ from `other` (the other file of the pair), and pins `other` has
/// that `mine` lacks.
fn disagreements(
    label: &str,
    lines: &HashMap<PackageName, usize>,
    mine: &Lock,
    other_label: &str,
    other: &Lock,
) -> Vec<String> {
    let theirs: BTreeMap<&PackageName, &crate::model::LockedPackage> = other
        .packages
        .iter()
        .map(|package| (&package.name, package))
        .collect();
    let ours: BTreeMap<&PackageName, &crate::model::LockedPackage> = mine
        .packages
        .iter()
        .map(|package| (&package.name, package))
        .collect();
    let mut out = Vec::new();
    for (name, package) in &ours {
        let line = lines.get(*name).copied().unwrap_or(0);
        match theirs.get(name) {
            None => out.push(format!(
                "{label}:{line}: `{name}` {} is not in {other_label}",
                package.version
            )),
            Some(theirs) if theirs.version != package.version => out.push(format!(
                "{label}:{line}: `{name}` is at {}, {other_label} pins {}",
                package.version, theirs.version
            )),
            Some(theirs) if theirs.hashes != package.hashes => out.push(format!(
                "{label}:{line}: the hashes of `{name}` differ from {other_label}'s"
            )),
            Some(_) => {}
        }
    }
    for (name, package) in &theirs {
        if !ours.contains_key(name) {
            out.push(format!(
                "{label}: `{name}` {} from {other_label} is missing",
                package.version
            ));
        }
    }
    out
}

/// The line (1-based) each requirement of a `<name>.txt` starts on.
fn package_lines_txt(text: &str) -> HashMap<PackageName, usize> {
    let mut out = HashMap::new();
    let mut continued = false;
    for (index, line) in text.lines().enumerate() {
        let starts = !continued
            && !line.starts_with(char::is_whitespace)
            && !line.starts_with('#')
            && !line.starts_with('-');
        continued = line.trim_end().ends_with('\\');
        if !starts {
            continue;
        }
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        if let Ok(name) = PackageName::new(name) {
            out.entry(name).or_insert(index + 1);
        }
    }
    out
}

/// The line (1-based) of each `name = "..."` that opens a package of a `pylock.toml`.
fn package_lines_pylock(text: &str) -> HashMap<PackageName, usize> {
    let mut out = HashMap::new();
    let mut in_package = false;
    for (index, line) in text.lines().enumerate() {
        if line.trim() == "[[packages]]" {
            in_package = true;
            continue;
        }
        if in_package
            && let Some(name) = line
                .strip_prefix("name = \"")
                .and_then(|rest| rest.strip_suffix('"'))
        {
            if let Ok(name) = PackageName::new(name.to_string()) {
                out.entry(name).or_insert(index + 1);
            }
            in_package = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_text_is_intact_until_any_byte_changes() {
        let text = "# header\n# strata-inputs: a=1\nnumpy==1.26.4 \\\n    --hash=sha256:aa\n";
        let at = text.find("numpy").unwrap();
        let sealed = seal(text, at, FileKind::Requirements);
        assert_eq!(seal_of(&sealed, FileKind::Requirements), Seal::Intact);
        assert!(sealed.contains("# strata-digest: sha256:"), "{sealed}");
        let edited = sealed.replace("1.26.4", "1.26.5");
        assert!(matches!(
            seal_of(&edited, FileKind::Requirements),
            Seal::Broken { .. }
        ));
        // A second digest line is an edit too: only the first is the seal.
        let doubled = sealed.replacen(
            "# header\n",
            &format!(
                "# header\n{}",
                sealed
                    .lines()
                    .find(|line| line.contains("strata-digest"))
                    .unwrap()
            ),
            1,
        );
        assert!(matches!(
            seal_of(&doubled, FileKind::Requirements),
            Seal::Broken { .. }
        ));
        assert_eq!(seal_of(text, FileKind::Requirements), Seal::Unsealed);
    }
}
