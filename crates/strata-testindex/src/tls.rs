//! HTTPS for the loopback index ([`crate::Universe::tls`]): a test CA made fresh for each
//! index, a server certificate it signs, and the byte stream that speaks TLS over a
//! connection's socket.
//!
//! The CA is new every time and its key never leaves the process, so trusting it (pip's
//! `--cert`, `SSL_CERT_FILE`, an image's trust store) trusts this one index and nothing else.
//! The server certificate names `127.0.0.1` (an IP address SAN, which clients match against a
//! URL's IP host) and `localhost` (a DNS SAN), and carries the extensions strict verifiers ask
//! for (key usages, authority and subject key identifiers), so Python's `VERIFY_X509_STRICT`
//! accepts it as readily as rustls does.
//!
//! The crypto provider is aws-lc-rs, the one reqwest links into strata: a second one would
//! double the build for a test helper.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::ErrorKind;

/// The test CA's certificate file, in the index's directory.
const CA_FILE: &str = "test-ca.pem";

/// How many CAs this process has made, to name each differently.
static CAS: AtomicUsize = AtomicUsize::new(0);

/// What a TLS index serves with, and what its clients must trust.
#[derive(Debug)]
pub(crate) struct Identity {
    /// The server's configuration: the certificate and its key.
    pub(crate) config: Arc<rustls::ServerConfig>,
    /// The test CA's certificate, PEM.
    pub(crate) ca_pem: String,
    /// Where [`Identity::ca_pem`] is written.
    pub(crate) ca_path: PathBuf,
}

impl Identity {
    /// A fresh CA and a server certificate for `127.0.0.1` and `localhost`; the CA's
    /// certificate is written into `directory`.
    pub(crate) fn generate(directory: &Path) -> Result<Self, ErrorKind> {
        let tls = |reason: String| ErrorKind::Tls { reason };
        let ca_key = KeyPair::generate().map_err(|error| tls(format!("a CA key: {error}")))?;
        let mut ca = CertificateParams::default();
        // A name of its own: verifiers find an issuer by name, so two indexes' CAs of one name
        // would read as a bad signature rather than as an unknown issuer.
        ca.distinguished_name.push(
            DnType::CommonName,
            format!(
                "strata-testindex test CA {}-{}",
                std::process::id(),
                CAS.fetch_add(1, Ordering::Relaxed)
            ),
        );
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_certificate = ca
            .self_signed(&ca_key)
            .map_err(|error| tls(format!("the CA certificate: {error}")))?;
        let issuer = Issuer::new(ca, ca_key);

        let server_key =
            KeyPair::generate().map_err(|error| tls(format!("a server key: {error}")))?;
        let mut server = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
            .map_err(|error| tls(format!("the server's names: {error}")))?;
        server
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        server.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server.use_authority_key_identifier_extension = true;
        let server_certificate = server
            .signed_by(&server_key, &issuer)
            .map_err(|error| tls(format!("the server certificate: {error}")))?;

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| tls(format!("the protocol versions: {error}")))?
            .with_no_client_auth()
            .with_single_cert(
                vec![server_certificate.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
            )
            .map_err(|error| tls(format!("the server configuration: {error}")))?;
        // The server speaks HTTP/1.1 only: a client offering HTTP/2 as well must not pick it.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];

        let ca_pem = ca_certificate.pem();
        let ca_path = directory.join(CA_FILE);
        fs_err::write(&ca_path, &ca_pem).map_err(|source| ErrorKind::Generate {
            filename: CA_FILE.to_string(),
            source,
        })?;
        Ok(Self {
            config: Arc::new(config),
            ca_pem,
            ca_path,
        })
    }
}

/// One client's byte stream: the socket itself, or TLS over it.
///
/// A connection's thread reads requests through one clone and writes answers through another,
/// never both at once, so the clones share the one TLS session through an `Rc<RefCell>`.
#[derive(Debug)]
pub(crate) struct Wire {
    socket: TcpStream,
    tls: Option<Rc<RefCell<rustls::ServerConnection>>>,
}

impl Wire {
    /// `socket`, plain or (with a configuration) TLS; the handshake happens on first use.
    pub(crate) fn new(
        socket: TcpStream,
        config: Option<&Arc<rustls::ServerConfig>>,
    ) -> io::Result<Self> {
        let tls = config
            .map(|config| rustls::ServerConnection::new(Arc::clone(config)))
            .transpose()
            .map_err(io::Error::other)?
            .map(|connection| Rc::new(RefCell::new(connection)));
        Ok(Self { socket, tls })
    }

    /// The socket underneath, for timeouts, peeking and shutting down.
    pub(crate) fn socket(&self) -> &TcpStream {
        &self.socket
    }

    /// Another handle on the same stream.
    pub(crate) fn try_clone(&self) -> io::Result<Self> {
        Ok(Self {
            socket: self.socket.try_clone()?,
            tls: self.tls.clone(),
        })
    }

    /// Ends the stream: TLS's `close_notify` first, so a client reading to the end of the
    /// connection sees a clean end rather than a truncation, then the socket.
    pub(crate) fn close(&mut self) {
        if let Some(tls) = &self.tls {
            let mut connection = tls.borrow_mut();
            connection.send_close_notify();
            while connection.wants_write() {
                if !matches!(connection.write_tls(&mut self.socket), Ok(written) if written > 0) {
                    break;
                }
            }
        }
        let _ = self.socket.shutdown(Shutdown::Both);
    }
}

impl Read for Wire {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match &self.tls {
            None => self.socket.read(buffer),
            Some(tls) => rustls::Stream::new(&mut *tls.borrow_mut(), &mut self.socket).read(buffer),
        }
    }
}

impl Write for Wire {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match &self.tls {
            None => self.socket.write(bytes),
            Some(tls) => rustls::Stream::new(&mut *tls.borrow_mut(), &mut self.socket).write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &self.tls {
            None => self.socket.flush(),
            Some(tls) => rustls::Stream::new(&mut *tls.borrow_mut(), &mut self.socket).flush(),
        }
    }
}
