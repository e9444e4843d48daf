//! A private index: strata authenticates from `.netrc` (`NETRC`) or from credentials in the
//! index URL, for pages and files alike, says what to do when it has none, and never writes a
//! password anywhere.

use std::path::Path;

use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::compile_command;
use crate::support::{Filters, Output};

const PASSWORD: &str = "s3cret-token";

fn private_index() -> TestIndex {
    TestIndex::start_with_faults(
        Universe::new()
            .package(Package::new("numpy", "1.26.4"))
            .package(Package::new("accelerate", "0.33.0").requires("numpy<2")),
        Faults::new().on(
            "/",
            Fault::RequireBasicAuth {
                login: "ml-team".to_string(),
                password: PASSWORD.to_string(),
            },
        ),
    )
}

/// `strata compile requirements.in -o lock.txt --index-url <url>` in `dir`, `HOME` in `dir`
/// (so no `~/.netrc` of the machine's is read) and `env` on top.
fn compile_with(dir: &Path, url: &str, env: &[(&str, &str)]) -> Output {
    fs_err::write(dir.join("requirements.in"), "accelerate\n").unwrap();
    compile_command(
        dir,
        &["requirements.in", "-o", "lock.txt", "--generate-hashes"],
    )
    .args(&["--index-url", url, "--python-version", "3.11"])
    .env("HOME", dir)
    .env_remove("NETRC")
    .envs(env)
    .output()
}

#[test]
fn without_credentials_the_error_says_how_to_give_them() {
    let index = private_index();
    let dir = tempfile::tempdir().unwrap();
    let output = compile_with(dir.path(), &index.url(), &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    insta::assert_snapshot!(Filters::new().index_port(&index).apply(&output.stderr), @r"
    Resolving `requirements.in` for Python 3.11 on x86_64-manylinux_2_28
    error: `http://127.0.0.1:PORT/simple/accelerate/` answered HTTP 401 (needed for `accelerate`); the index wants credentials: add `machine 127.0.0.1 login USER password TOKEN` to `~/.netrc` (or the file `NETRC` names), or put them in the index URL (`https://USER:TOKEN@127.0.0.1/...`)
    ");
}

#[test]
fn netrc_credentials_reach_pages_and_files() {
    let index = private_index();
    let dir = tempfile::tempdir().unwrap();
    let netrc = dir.path().join("netrc");
    fs_err::write(
        &netrc,
        format!("machine 127.0.0.1\n  login ml-team\n  password {PASSWORD}\n"),
    )
    .unwrap();
    let output = compile_with(
        dir.path(),
        &index.url(),
        &[("NETRC", netrc.to_str().unwrap())],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let lock = fs_err::read_to_string(dir.path().join("lock.txt")).unwrap();
    assert!(
        lock.contains("accelerate==0.33.0") && lock.contains("numpy==1.26.4"),
        "{lock}"
    );
    assert!(
        index
            .requests_for("/files/")
            .iter()
            .all(|r| r.status != Some(401))
    );
}

#[test]
fn url_credentials_work_and_are_written_nowhere() {
    let index = private_index();
    let dir = tempfile::tempdir().unwrap();
    let url = index
        .url()
        .replace("http://", &format!("http://ml-team:{PASSWORD}@"));
    let output = compile_with(dir.path(), &url, &[]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let lock = fs_err::read_to_string(dir.path().join("lock.txt")).unwrap();
    assert!(lock.contains("numpy==1.26.4"), "{lock}");
    for (what, text) in [
        ("lock", lock.as_str()),
        ("stdout", output.stdout.as_str()),
        ("stderr", output.stderr.as_str()),
    ] {
        assert!(
            !text.contains(PASSWORD),
            "the password is in the {what}:\n{text}"
        );
    }
    let mut cached = Vec::new();
    for entry in walk(&dir.path().join(".cache")) {
        if fs_err::read_to_string(&entry).is_ok_and(|text| text.contains(PASSWORD)) {
            cached.push(entry);
        }
    }
    assert!(
        cached.is_empty(),
        "the password is in the cache: {cached:?}"
    );

    let wrong = index
        .url()
        .replace("http://", "http://ml-team:wrong-token@");
    let output = compile_with(tempfile::tempdir().unwrap().path(), &wrong, &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output.stderr.contains("refused the credentials sent")
            && !output.stderr.contains("wrong-token"),
        "{}",
        output.stderr
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs_err::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
