//! Writing a lock as pip-tools' `requirements.txt`.

use std::fmt::Write;

use crate::model::Lock;

/// The header line of a lock that pins a git repository, which therefore carries no hashes.
pub(crate) const VCS_NO_HASHES: &str = "No --hash lines: this lock pins a git repository by commit, and pip refuses hash-checking mode for one";

/// The header line of a lock that pins a local directory, when it has no install line to
/// replace (`strata compile`'s).
pub(crate) const DIRECTORY_NO_HASHES: &str = "No --hash lines: this lock pins a local directory, which pip cannot hash; install it from the directory its paths are relative to (where it was compiled)";

/// Renders `lock`: the header as `#` comments, its index options (then an empty line, as
/// pip-compile writes them), then each package with its hashes and `# via`.
///
/// A lock that pins a git repository carries no hashes at all: pip cannot hash a repository,
/// and one `--hash` anywhere puts it in hash-checking mode, where it refuses the git line and
/// so the whole file. The header says so (its install line, else `VCS_NO_HASHES`). The same
/// holds for a local directory, which pip cannot hash either (`DIRECTORY_NO_HASHES`).
///
/// A local directory pin is written as pip takes it, `-e ./pkg` (editable) or `./pkg`, with
/// its name and version in a trailing comment (`# pkg==1.0`), which pip ignores and the reader
/// needs: nothing else on the line names the project.
///
/// A lock with a strata fingerprint is sealed: a `strata-digest` line after the fingerprint
/// lines records the digest of the rest of the text (see [`crate::integrity`]); a digest line
/// already in `lock.header` (a lock read back) is replaced, never repeated.
pub fn write(lock: &Lock) -> String {
    let mut out = String::new();
    let has_directory = lock.packages.iter().any(crate::LockedPackage::is_directory);
    let has_vcs = lock.packages.iter().any(crate::LockedPackage::is_vcs) && !has_directory;
    let unhashed = lock
        .packages
        .iter()
        .any(crate::LockedPackage::is_unhashable);
    // Where the digest line goes: after the last fingerprint line of the header.
    let mut seal_at = None;
    for line in &lock.header {
        if line.starts_with(crate::integrity::DIGEST_PREFIX) {
            continue;
        }
        if line.is_empty() {
            out.push_str("#\n");
        } else if has_directory && line == crate::header::INSTALL_LINE {
            let _ = writeln!(out, "# {}", crate::header::DIRECTORY_INSTALL_LINE);
        } else if has_vcs && line == crate::header::INSTALL_LINE {
            let _ = writeln!(out, "# {}", crate::header::VCS_INSTALL_LINE);
        } else {
            let _ = writeln!(out, "# {line}");
        }
        if line.starts_with(crate::header::FINGERPRINT_PREFIX)
            || line.starts_with(crate::header::INPUTS_PREFIX)
        {
            seal_at = Some(out.len());
        }
    }
    if has_vcs
        && !lock.header.iter().any(|line| {
            line == VCS_NO_HASHES
                || line == crate::header::INSTALL_LINE
                || line == crate::header::VCS_INSTALL_LINE
        })
    {
        let _ = writeln!(out, "# {VCS_NO_HASHES}");
    }
    if has_directory
        && !lock.header.iter().any(|line| {
            line == DIRECTORY_NO_HASHES
                || line == crate::header::INSTALL_LINE
                || line == crate::header::DIRECTORY_INSTALL_LINE
        })
    {
        let _ = writeln!(out, "# {DIRECTORY_NO_HASHES}");
    }
    for option in &lock.options {
        let _ = writeln!(out, "{option}");
    }
    if !lock.options.is_empty() {
        out.push('\n');
    }
    for package in &lock.packages {
        let extras = if package.extras.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = package.extras.iter().map(ToString::to_string).collect();
            format!("[{}]", names.join(","))
        };
        match &package.url {
            Some(path) if package.is_directory() => {
                let editable = if package.editable { "-e " } else { "" };
                let _ = write!(out, "{editable}{path}{extras}");
            }
            Some(url) => {
                let _ = write!(out, "{}{extras} @ {url}", package.name);
            }
            None => {
                let _ = write!(out, "{}{extras}=={}", package.name, package.version);
            }
        }
        if let Some(marker) = package.marker.contents() {
            let _ = write!(out, " ; {marker}");
        }
        if package.is_directory() {
            // After the marker: pip ignores everything from ` #` on.
            let _ = write!(out, "  # {}=={}", package.name, package.version);
        }
        for hash in package.hashes.iter().filter(|_| !unhashed) {
            let _ = write!(out, " \\\n    --hash=sha256:{hash}");
        }
        out.push('\n');
        match package.via.as_slice() {
            [] => {}
            [only] => {
                let _ = writeln!(out, "    # via {only}");
            }
            many => {
                out.push_str("    # via\n");
                for via in many {
                    let _ = writeln!(out, "    #   {via}");
                }
            }
        }
    }
    match seal_at {
        Some(at) if lock.fingerprint().is_some() => {
            crate::integrity::seal(&out, at, crate::integrity::FileKind::Requirements)
        }
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use pep440_rs::Version;
    use pep508_rs::PackageName;

    use super::*;
    use crate::model::LockedPackage;

    #[test]
    fn writes_the_pip_tools_layout() {
        let package = |name: &str, version: &str, hashes: &[&str], via: &[&str]| LockedPackage {
            hashes: hashes.iter().map(ToString::to_string).collect(),
            via: via.iter().map(ToString::to_string).collect(),
            ..LockedPackage::new(
                PackageName::new(name.to_string()).unwrap(),
                Version::from_str(version).unwrap(),
            )
        };
        let lock = Lock {
            header: vec![
                "This file was generated by strata.".to_string(),
                String::new(),
            ],
            options: Vec::new(),
            packages: vec![
                package(
                    "accelerate",
                    "0.33.0",
                    &["aa", "bb"],
                    &["-r requirements.in"],
                ),
                package(
                    "numpy",
                    "1.26.4",
                    &["cc"],
                    &["-r requirements.in", "accelerate"],
                ),
            ],
        };
        insta::assert_snapshot!(write(&lock), @r"
        # This file was generated by strata.
        #
        accelerate==0.33.0 \
            --hash=sha256:aa \
            --hash=sha256:bb
            # via -r requirements.in
        numpy==1.26.4 \
            --hash=sha256:cc
            # via
            #   -r requirements.in
            #   accelerate
        ");
    }

    #[test]
    fn directory_pins_are_written_as_pip_installs_them_and_read_back() {
        let package =
            |name: &str, url: Option<&str>, editable: bool, hashes: &[&str]| LockedPackage {
                extras: if editable {
                    std::iter::once(pep508_rs::ExtraName::from_str("fast").unwrap()).collect()
                } else {
                    std::collections::BTreeSet::new()
                },
                url: url.map(str::to_string),
                hashes: hashes.iter().map(ToString::to_string).collect(),
                via: vec!["-r requirements/dev.in".to_string()],
                editable,
                ..LockedPackage::new(
                    PackageName::new(name.to_string()).unwrap(),
                    Version::from_str("1.0").unwrap(),
                )
            };
        let lock = Lock {
            header: vec!["h".to_string()],
            options: Vec::new(),
            packages: vec![
                package("dep", None, false, &["aa"]),
                package("edpkg", Some("./pkg"), true, &[]),
                package("other", Some("../libs/other"), false, &[]),
            ],
        };
        let text = write(&lock);
        insta::assert_snapshot!(text, @r"
        # h
        # No --hash lines: this lock pins a local directory, which pip cannot hash; install it from the directory its paths are relative to (where it was compiled)
        dep==1.0
            # via -r requirements/dev.in
        -e ./pkg[fast]  # edpkg==1.0
            # via -r requirements/dev.in
        ../libs/other  # other==1.0
            # via -r requirements/dev.in
        ");
        let read = crate::requirements_txt::read(&text).unwrap();
        let mut expected = lock.packages.clone();
        expected[0].hashes.clear();
        let mut read_packages = read.packages;
        for package in &mut read_packages {
            package.line = None;
        }
        assert_eq!(read_packages, expected);
    }
}
