//! The index over HTTPS ([`Universe::tls`]): trusted through its test CA alone, by a rustls
//! client for both of the names its certificate carries, and by real pip with `--cert`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use strata_testindex::venv::describe;
use strata_testindex::{Package, TestIndex, Universe, Venv};

fn tls_index() -> TestIndex {
    TestIndex::start(
        Universe::new()
            .tls()
            .package(Package::new("demo", "1.0").requires("helper>=2"))
            .package(Package::new("helper", "2.0")),
    )
}

/// `GET <path>` over TLS to `name`, trusting only `ca_pem`: the response's text, or the error.
fn get(index: &TestIndex, ca_pem: &str, name: &str, path: &str) -> Result<String, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let server_name = ServerName::try_from(name.to_string()).unwrap();
    let mut connection = rustls::ClientConnection::new(Arc::new(config), server_name).unwrap();
    let mut socket = TcpStream::connect(index.address()).unwrap();
    let mut stream = rustls::Stream::new(&mut connection, &mut socket);
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|error| error.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|error| error.to_string())?;
    Ok(response)
}

#[test]
fn the_index_speaks_https_for_its_ip_and_localhost_trusted_through_its_ca_alone() {
    let index = tls_index();
    assert_eq!(
        index.url(),
        format!("https://127.0.0.1:{}/simple/", index.address().port())
    );
    let ca_pem = index.ca_certificate_pem().unwrap();
    assert_eq!(
        fs_err::read_to_string(index.ca_certificate_path().unwrap()).unwrap(),
        ca_pem
    );
    for name in ["127.0.0.1", "localhost"] {
        let page = get(&index, ca_pem, name, "/simple/demo/").unwrap();
        assert!(page.starts_with("HTTP/1.1 200"), "{name}: {page}");
        assert!(page.contains("demo-1.0-py3-none-any.whl"), "{page}");
    }
    // Another index's CA is no CA of this one's, and a name the certificate does not carry is
    // refused even with the right CA.
    let other = tls_index();
    let refused = get(
        &index,
        other.ca_certificate_pem().unwrap(),
        "127.0.0.1",
        "/simple/",
    )
    .unwrap_err();
    assert!(refused.contains("UnknownIssuer"), "{refused}");
    let wrong_name = get(&index, ca_pem, "index.invalid", "/simple/").unwrap_err();
    assert!(wrong_name.contains("not valid for name"), "{wrong_name}");
    // Only the two requests that got through the handshake reached the server's HTTP.
    assert_eq!(index.requests().len(), 2, "{:?}", index.requests());
}

#[test]
fn a_plain_index_has_no_ca() {
    let index = TestIndex::start(Universe::new().package(Package::new("demo", "1.0")));
    assert!(index.url().starts_with("http://127.0.0.1:"));
    assert_eq!(index.ca_certificate_pem(), None);
    assert_eq!(index.ca_certificate_path(), None);
}

#[test]
fn pip_installs_from_the_tls_index_with_its_ca_and_refuses_it_without() {
    let Some(venv) = Venv::create() else { return };
    let index = tls_index();
    // No retries: a certificate pip does not trust stays untrusted, and each retry waits.
    let untrusted = venv.try_install(&index, &["--retries", "0", "demo"]);
    assert!(!untrusted.status.success(), "{}", describe(&untrusted));
    // pip says why on stdout, as it skips the page it could not fetch.
    assert!(
        describe(&untrusted).contains("certificate verify failed"),
        "{}",
        describe(&untrusted)
    );
    assert_eq!(index.requests(), [], "nothing got past the handshake");

    let ca = index.ca_certificate_path().unwrap().to_str().unwrap();
    venv.install(&index, &["--cert", ca, "demo"]);
    assert_eq!(venv.installed(), ["demo==1.0", "helper==2.0"]);
    assert_eq!(
        index.requests_for("/files/").len(),
        2,
        "{:?}",
        index.requests()
    );
}
