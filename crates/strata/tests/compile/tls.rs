//! An index over HTTPS whose certificate only a test CA signs: strata trusts it when
//! `SSL_CERT_FILE` names that CA, as a user behind a re-signing proxy or with a private CA
//! does, and without it fails with exit 2, naming the URL, the package and the variable.

use std::path::Path;

use strata_testindex::{Package, TestIndex, Universe};

use crate::support::{Filters, Output};
use crate::{TARGET, compile_command, pins};

fn tls_index() -> TestIndex {
    TestIndex::start(
        Universe::new()
            .tls()
            .package(Package::new("numpy", "1.26.4"))
            .package(Package::new("accelerate", "0.33.0").requires("numpy<2")),
    )
}

/// `strata compile requirements.in -o lock.txt --generate-hashes` against `index`, trusting
/// `ca` alone through `SSL_CERT_FILE`, or with no CA variable at all.
fn compile_trusting(dir: &Path, index: &TestIndex, ca: Option<&Path>) -> Output {
    fs_err::write(dir.join("requirements.in"), "accelerate\n").unwrap();
    let run = compile_command(
        dir,
        &["requirements.in", "-o", "lock.txt", "--generate-hashes"],
    )
    .index(index)
    .args(TARGET)
    .env_remove("SSL_CERT_DIR");
    match ca {
        Some(ca) => run.env("SSL_CERT_FILE", ca),
        None => run.env_remove("SSL_CERT_FILE"),
    }
    .output()
}

#[test]
fn ssl_cert_file_naming_the_indexs_ca_lets_strata_lock_over_https() {
    let index = tls_index();
    assert!(index.url().starts_with("https://"), "{}", index.url());
    let dir = tempfile::tempdir().unwrap();
    let output = compile_trusting(dir.path(), &index, index.ca_certificate_path());
    assert_eq!(output.code, 0, "{}", output.render());
    let lock = fs_err::read_to_string(dir.path().join("lock.txt")).unwrap();
    assert_eq!(pins(&lock), ["accelerate==0.33.0", "numpy==1.26.4"]);
    assert!(lock.contains("--hash=sha256:"), "{lock}");
    assert!(
        !index.requests_for("/simple/accelerate/").is_empty(),
        "{:?}",
        index.requests()
    );
}

#[test]
fn without_the_ca_strata_fails_naming_the_url_the_package_and_ssl_cert_file() {
    let index = tls_index();
    let dir = tempfile::tempdir().unwrap();
    let output = compile_trusting(dir.path(), &index, None);
    assert_eq!(output.code, 2, "{}", output.render());
    assert_eq!(index.requests(), [], "nothing got past the handshake");
    // The time the attempt took depends on the machine.
    let stderr = Filters::new().index_port(&index).apply(&output.stderr);
    let stderr = match (stderr.find("(1 attempt in "), stderr.find("s)\n")) {
        (Some(start), Some(end)) if start < end => {
            format!(
                "{}(1 attempt in [TIME]){}",
                &stderr[..start],
                &stderr[end + 2..]
            )
        }
        _ => stderr,
    };
    // A certificate no retry will make trusted is not retried.
    insta::assert_snapshot!(stderr, @r"
    Resolving `requirements.in` for Python 3.11 on x86_64-manylinux_2_28
    error: Failed to fetch `https://127.0.0.1:PORT/simple/accelerate/` for `accelerate`: error sending request for url (https://127.0.0.1:PORT/simple/accelerate/): client error (Connect): invalid peer certificate: UnknownIssuer; the index's certificate is not trusted, so it was not retried (1 attempt in [TIME])

    hint: strata trusts the platform's certificate store, or the CAs `SSL_CERT_FILE` names instead of it: if a proxy or a private index signs with its own CA, add that CA to the store, or name a bundle holding it and the system's CAs in `SSL_CERT_FILE`
    ");
}
