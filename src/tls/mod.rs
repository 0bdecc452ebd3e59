//! TLS: the crypto provider, PEM loading, the node's reloadable server certificate
//! ([`server`], issue 10 "optional TLS listener") and the one builder of outbound HTTP clients
//! ([`client`], issue 11 item 1).
//!
//! Guarantees:
//! * **one provider** — rustls runs on `ring` (no aws-lc-rs: it needs a C/cmake build that
//!   costs minutes on a small machine). [`install_default_provider`] makes it the process
//!   default, which reqwest (built with `rustls-no-provider`) requires before any client is
//!   built; it is idempotent and called by `main` and by [`client::builder`];
//! * **PEM input is untrusted** — a missing, unreadable, empty or malformed file is a Local
//!   error naming the setting and the path, never a panic; errors about key files never
//!   echo the file's content.

pub mod client;
pub mod devca;
pub mod proxy;
pub mod server;

use std::path::Path;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{Error, Result};

/// Make rustls' `ring` provider the process-wide default (reqwest needs one; rustls picks
/// none on its own when built without aws-lc-rs). Idempotent; a provider installed earlier
/// (by an embedding program) is kept.
pub fn install_default_provider() {
    if CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing the same provider is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The provider our own configs are built with: the process default when one is installed,
/// else `ring`.
pub fn provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()))
}

fn read_file(path: &Path, setting: &str) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| Error::local(format!("{setting} {}: cannot read: {e}", path.display())))
}

/// Every certificate of the PEM file at `path` (`-----BEGIN CERTIFICATE-----` blocks, in
/// file order: leaf first for a chain). `setting` names the setting in errors.
///
/// Errors (Local): unreadable file, malformed PEM, no certificate in the file.
pub fn read_certs(path: &Path, setting: &str) -> Result<Vec<CertificateDer<'static>>> {
    let pem = read_file(path, setting)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::local(format!(
                "{setting} {}: not a valid PEM certificate file: {e}",
                path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(Error::local(format!(
            "{setting} {}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file",
            path.display()
        )));
    }
    Ok(certs)
}

/// The first private key of the PEM file at `path`: PKCS#8 (`PRIVATE KEY`), RSA
/// (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`). `setting` names the setting in errors,
/// which never quote the file.
///
/// Errors (Local): unreadable file, malformed PEM, no private key in the file.
pub fn read_private_key(path: &Path, setting: &str) -> Result<PrivateKeyDer<'static>> {
    let pem = read_file(path, setting)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
        let why = match e {
            rustls_pki_types::pem::Error::NoItemsFound => "no private key found",
            _ => "malformed PEM",
        };
        Error::local(format!(
            "{setting} {}: {why} (expected a PEM PKCS#8, RSA or SEC1 private key)",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pem_files_are_errors_naming_the_setting_without_key_material() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let e = read_certs(&missing, "tls_cert_file").unwrap_err();
        assert!(e.message().starts_with("tls_cert_file "), "{e}");
        assert!(e.message().contains("cannot read"), "{e}");

        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let e = read_certs(&empty, "tls_cert_file").unwrap_err();
        assert!(e.message().contains("no PEM certificate"), "{e}");

        // A key file with a secret-looking body that is not valid PEM.
        let bad = dir.path().join("key.pem");
        std::fs::write(
            &bad,
            "-----BEGIN PRIVATE KEY-----\nSECRETSECRET!!\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let e = read_private_key(&bad, "tls_key_file").unwrap_err();
        assert!(e.message().starts_with("tls_key_file "), "{e}");
        assert!(!e.message().contains("SECRET"), "{e}");
        // A certificate file given as the key.
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let cert_file = dir.path().join("cert.pem");
        std::fs::write(&cert_file, cert.cert.pem()).unwrap();
        let e = read_private_key(&cert_file, "tls_key_file").unwrap_err();
        assert!(e.message().contains("no private key found"), "{e}");
        assert_eq!(read_certs(&cert_file, "tls_cert_file").unwrap().len(), 1);
    }
}
