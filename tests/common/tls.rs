//! TLS test material made by the test itself (rcgen): a private CA, leaf certificates for
//! 127.0.0.1 signed by it, clients that trust it, and a raw TLS probe that reports the
//! certificate a server presents.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, ServerName};
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// A private certificate authority.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    /// The CA certificate, PEM.
    pub pem: String,
    /// The CA certificate, DER.
    pub der: CertificateDer<'static>,
}

/// A leaf certificate and its key, written as PEM files.
pub struct Leaf {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    /// The leaf certificate, DER.
    pub der: CertificateDer<'static>,
}

impl Leaf {
    /// SHA-256 of the DER certificate, hex.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.der)
    }
}

/// SHA-256 of a DER certificate, hex.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

impl TestCa {
    /// A fresh CA named `name`.
    pub fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).unwrap();
        TestCa {
            pem: cert.pem(),
            der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// Write the CA certificate to `<dir>/<name>` and return the path (a `ca_file`).
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, &self.pem).unwrap();
        p
    }

    /// A leaf for 127.0.0.1 and localhost, written as `<dir>/<name>.crt` (leaf then CA) and
    /// `<dir>/<name>.key` (PKCS#8).
    pub fn leaf(&self, dir: &Path, name: &str) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let cert_file = dir.join(format!("{name}.crt"));
        let key_file = dir.join(format!("{name}.key"));
        std::fs::write(&cert_file, format!("{}{}", cert.pem(), self.pem)).unwrap();
        std::fs::write(&key_file, key.serialize_pem()).unwrap();
        Leaf {
            cert_file,
            key_file,
            der: cert.der().clone(),
        }
    }

    /// A reqwest client that trusts this CA only.
    pub fn client(&self) -> reqwest::Client {
        // Trusting this CA only: the process-wide configuration of `tls::client::builder` would
        // take precedence over roots added to that builder.
        let mut cfg = rustls::ClientConfig::clone(&self.rustls_client());
        cfg.alpn_protocols.clear();
        reqwest::Client::builder()
            .use_preconfigured_tls(cfg)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    /// rustls client config trusting this CA only, offering ALPN h2 and http/1.1.
    pub fn rustls_client(&self) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.der.clone()).unwrap();
        let mut cfg = rustls::ClientConfig::builder_with_provider(novakms::tls::provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Arc::new(cfg)
    }

    /// A TLS session with `127.0.0.1:<port>`; `Err` with the connect or handshake error.
    pub async fn try_connect(&self, port: u16) -> Result<TlsStream<TcpStream>, String> {
        let tcp = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())?;
        let name = ServerName::IpAddress(std::net::IpAddr::from([127, 0, 0, 1]).into());
        tokio_rustls::TlsConnector::from(self.rustls_client())
            .connect(name, tcp)
            .await
            .map_err(|e| e.to_string())
    }

    /// [`TestCa::try_connect`], panicking on failure.
    pub async fn connect(&self, port: u16) -> TlsStream<TcpStream> {
        self.try_connect(port).await.unwrap()
    }

    /// Handshake with `127.0.0.1:<port>` and return the fingerprint of the certificate it
    /// presents and the ALPN protocol agreed; `Err` with the handshake error.
    pub async fn probe(&self, port: u16) -> Result<(String, Option<Vec<u8>>), String> {
        let tls = self.try_connect(port).await?;
        let (_, conn) = tls.get_ref();
        let leaf = conn.peer_certificates().ok_or("no certificate")?[0].clone();
        Ok((fingerprint(&leaf), conn.alpn_protocol().map(<[u8]>::to_vec)))
    }
}

/// Poll `<base>/readyz` with `http` until it answers 200 (60 s).
pub async fn wait_ready_with(http: &reqwest::Client, base: &str) {
    super::wait::eventually(
        &format!("{base} ready"),
        Duration::from_secs(60),
        || async {
            match http.get(format!("{base}/readyz")).send().await {
                Ok(r) => r.status() == 200,
                Err(_) => false,
            }
        },
    )
    .await;
}

/// A TLS terminator on 127.0.0.1 presenting `leaf`: each connection's handshake is done here,
/// then its bytes are copied both ways to `127.0.0.1:<upstream>` (plain TCP). Runs on the
/// current runtime until the handle is aborted; `sessions` counts completed handshakes.
pub struct Terminator {
    pub port: u16,
    pub sessions: Arc<std::sync::atomic::AtomicUsize>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Terminator {
    pub async fn start(leaf: &Leaf, upstream: u16) -> Terminator {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cfg = novakms::tls::server::server_config(&leaf.cert_file, &leaf.key_file).unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sessions = Arc::new(AtomicUsize::new(0));
        let count = sessions.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let count = count.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    count.fetch_add(1, Ordering::Relaxed);
                    let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
                });
            }
        });
        Terminator {
            port,
            sessions,
            task,
        }
    }

    /// Completed handshakes so far.
    pub fn sessions(&self) -> usize {
        self.sessions.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for Terminator {
    fn drop(&mut self) {
        self.task.abort();
    }
}
