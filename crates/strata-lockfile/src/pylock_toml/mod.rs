//! The PEP 751 form of a lock: `<name>.pylock.toml`.
//!
//! One file per profile, for one target, so `environments` holds the single marker expression
//! that describes the target and `requires-python` pins its Python minor version. Each
//! `[[packages]]` entry records the version, `requires-python`, its dependencies by name, the
//! `index` its files were found on (the one a bound package is taken from, without
//! credentials), and every file (wheels, sdist) with URL, size and sha256: an installer needs no
//! resolution and no index page to install it. Keys and arrays are written in a fixed order, so the same lock gives
//! the same bytes. The fingerprint of the inputs lives in `[tool.strata]`, which the
//! specification reserves for tools.
//!
//! See: <https://packaging.python.org/en/latest/specifications/pylock-toml/>

mod read;
mod write;

pub use read::{PylockReadError, read};
pub use write::write;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::str::FromStr;

    use pep440_rs::Version;
    use pep508_rs::PackageName;

    use super::*;
    use crate::model::{Lock, LockedFile, LockedPackage};

    fn sample() -> Lock {
        let name = |text: &str| PackageName::new(text.to_string()).unwrap();
        Lock {
            header: vec![format!("{}abc123", crate::header::FINGERPRINT_PREFIX)],
            options: Vec::new(),
            packages: vec![LockedPackage {
                name: name("numpy"),
                version: Version::from_str("1.26.4").unwrap(),
                extras: BTreeSet::new(),
                url: None,
                hashes: vec!["aa".to_string(), "bb".to_string()],
                via: Vec::new(),
                files: vec![
                    LockedFile {
                        filename: "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl".to_string(),
                        url: "http://127.0.0.1:1/files/numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl".to_string(),
                        size: Some(10),
                        sha256: "aa".to_string(),
                        is_wheel: true,
                    },
                    LockedFile {
                        filename: "numpy-1.26.4.tar.gz".to_string(),
                        url: "http://127.0.0.1:1/files/numpy-1.26.4.tar.gz".to_string(),
                        size: None,
                        sha256: "bb".to_string(),
                        is_wheel: false,
                    },
                ],
                requires_python: Some(">=3.9".to_string()),
                dependencies: vec![name("six")],
                index: Some("https://index.invalid/simple/".to_string()),
                line: None,
                requested_revision: None,
                editable: false,
                marker: pep508_rs::MarkerTree::TRUE,
            }],
        }
    }

    #[test]
    fn written_lock_reads_back_and_rewrites_to_the_same_bytes() {
        let target = strata_dist::Target::parse("3.11", "x86_64-manylinux_2_28").unwrap();
        let text = write(&sample(), std::slice::from_ref(&target));
        let read_back = read(&text).unwrap();
        assert_eq!(read_back.packages[0].files, sample().packages[0].files);
        assert_eq!(
            read_back.packages[0].dependencies,
            sample().packages[0].dependencies
        );
        assert_eq!(read_back.packages[0].index, sample().packages[0].index);
        assert_eq!(read_back.fingerprint(), Some("abc123"));
        assert_eq!(write(&read_back, std::slice::from_ref(&target)), text);
        // A finding about the pin names the line its table starts on.
        let table = text
            .lines()
            .position(|line| line == "[[packages]]")
            .unwrap();
        assert_eq!(read_back.packages[0].line, Some(table + 1), "{text}");
    }

    #[test]
    fn output_is_valid_toml_with_the_pep_751_keys() {
        let target = strata_dist::Target::parse("3.12", "aarch64-manylinux_2_28").unwrap();
        let value: toml::Table =
            toml::from_str(&write(&sample(), std::slice::from_ref(&target))).unwrap();
        assert_eq!(value["lock-version"].as_str(), Some("1.0"));
        assert_eq!(value["requires-python"].as_str(), Some("==3.12.*"));
        let environment = value["environments"][0].as_str().unwrap();
        assert!(
            environment.contains("platform_machine == 'aarch64'"),
            "{environment}"
        );
        assert_eq!(value["packages"][0]["wheels"].as_array().unwrap().len(), 1);
        assert_eq!(
            value["packages"][0]["index"].as_str(),
            Some("https://index.invalid/simple/")
        );
    }

    #[test]
    fn unknown_lock_version_is_rejected() {
        assert!(read("lock-version = \"2.0\"\n").is_err());
    }

    #[test]
    fn a_read_error_names_the_line_and_once_named_the_file() {
        use strata_diagnostic::Diagnostic;

        let text = "lock-version = \"1.0\"\n\n[[packages]]\nname = \"numpy\"\nversion = \"one\"\n";
        let error = read(text).unwrap_err();
        assert_eq!(error.line, Some(5));
        assert!(error.reason.starts_with("package `numpy`: "), "{error}");
        assert!(
            error
                .to_string()
                .starts_with("Invalid pylock.toml at line 5: package `numpy`"),
            "{error}"
        );
        assert_eq!(error.snippet(), None, "no snippet without a file to name");

        let error = error.with_path("locks/base.pylock.toml");
        assert!(
            error
                .to_string()
                .starts_with("Invalid pylock.toml `locks/base.pylock.toml` at line 5: "),
            "{error}"
        );
        let snippet = error.snippet().expect("a snippet once the file is named");
        assert_eq!(snippet.to_string(), "locks/base.pylock.toml:5:11");
        assert_eq!(
            (snippet.text.as_str(), snippet.width),
            ("version = \"one\"", 5)
        );
    }

    #[test]
    fn a_syntax_error_is_one_line_with_its_place_in_the_fields() {
        let error = read("lock-version = \"1.0\"\n[[packages]\n").unwrap_err();
        assert_eq!(error.line, Some(2), "{error}");
        assert!(
            !error.reason.contains('\n'),
            "the snippet shows the line: {error}"
        );
        let error = read("lock-version = \"2.0\"\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "Invalid pylock.toml at line 1: unsupported lock-version `2.0`"
        );
    }
}
