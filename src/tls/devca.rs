//! A private certificate authority for `novakms devnet up --tls` (issue 11 "Done means": an
//! https-only devnet): one CA and leaf certificates for `127.0.0.1` / `localhost` signed by
//! it, written as PEM files into the devnet directory.
//!
//! Guarantees (tests below):
//! * **keys are private** — every private key file (the CA's and each leaf's) is created with
//!   mode 0600; certificates are world-readable;
//! * **verifiable** — a leaf's file holds the leaf then the CA certificate, and rustls accepts
//!   it as a server certificate for `127.0.0.1` when the CA file is the only trust root;
//! * **devnet only** — the CA is made fresh per devnet and never leaves its directory; it has
//!   no name constraints, so nothing outside a devnet should trust it.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::error::{Error, Result};

/// A leaf certificate (PEM chain: leaf, then CA) and its PKCS#8 key file.
#[derive(Debug, Clone)]
pub struct LeafFiles {
    /// Certificate chain file (`tls_cert_file`).
    pub cert_file: PathBuf,
    /// Private key file, mode 0600 (`tls_key_file`).
    pub key_file: PathBuf,
}

/// A fresh private CA whose certificate is written to a file (`ca_file` for clients).
pub struct DevCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
    /// The CA certificate file (PEM).
    pub ca_file: PathBuf,
}

fn rc(e: rcgen::Error) -> Error {
    Error::local(format!("cannot make a devnet certificate: {e}"))
}

impl DevCa {
    /// Make a CA named `name` and write `<dir>/ca.crt` and `<dir>/ca.key` (0600).
    ///
    /// Errors (Local): key generation or signing failed, a file cannot be written.
    pub fn create(dir: &Path, name: &str) -> Result<DevCa> {
        let key = KeyPair::generate().map_err(rc)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(rc)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key).map_err(rc)?;
        let ca_file = dir.join("ca.crt");
        write_file(&ca_file, &cert.pem(), 0o644)?;
        write_file(&dir.join("ca.key"), &key.serialize_pem(), 0o600)?;
        Ok(DevCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
            ca_file,
        })
    }

    /// A server certificate for `127.0.0.1` and `localhost` named `name`, written as
    /// `<dir>/<name>.crt` (leaf then CA) and `<dir>/<name>.key` (PKCS#8, 0600).
    ///
    /// Errors (Local): as [`DevCa::create`].
    pub fn leaf(&self, dir: &Path, name: &str) -> Result<LeafFiles> {
        let key = KeyPair::generate().map_err(rc)?;
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .map_err(rc)?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &self.issuer).map_err(rc)?;
        let files = LeafFiles {
            cert_file: dir.join(format!("{name}.crt")),
            key_file: dir.join(format!("{name}.key")),
        };
        write_file(
            &files.cert_file,
            &format!("{}{}", cert.pem(), self.pem),
            0o644,
        )?;
        write_file(&files.key_file, &key.serialize_pem(), 0o600)?;
        Ok(files)
    }
}

/// Write `content` to `path` (created or truncated) with permission bits `mode`, set even
/// when the file already existed.
fn write_file(path: &Path, content: &str, mode: u32) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let err = |e: std::io::Error| Error::local(format!("cannot write {}: {e}", path.display()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)
        .map_err(err)?;
    f.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(err)?;
    f.write_all(content.as_bytes()).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::client::danger::ServerCertVerifier;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn keys_are_0600_and_a_leaf_verifies_against_the_ca_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let ca = DevCa::create(dir.path(), "test devnet CA").unwrap();
        let leaf = ca.leaf(dir.path(), "node-1").unwrap();
        assert_eq!(mode(&dir.path().join("ca.key")), 0o600);
        assert_eq!(mode(&leaf.key_file), 0o600);
        assert_eq!(mode(&leaf.cert_file), 0o644);

        // The server config loads (key fits the certificate) …
        super::super::server::server_config(&leaf.cert_file, &leaf.key_file).unwrap();
        // … and the leaf verifies for 127.0.0.1 with only the CA as root.
        let chain = super::super::read_certs(&leaf.cert_file, "tls_cert_file").unwrap();
        assert_eq!(chain.len(), 2);
        verify_with(&ca.ca_file, &chain).unwrap();
        // Another devnet's CA does not vouch for it.
        let other = tempfile::tempdir().unwrap();
        let other_ca = DevCa::create(other.path(), "other").unwrap();
        assert!(verify_with(&other_ca.ca_file, &chain).is_err());
    }

    /// Verify `chain` (leaf first) for 127.0.0.1 with only the certificates of `ca_file` as
    /// roots.
    fn verify_with(
        ca_file: &Path,
        chain: &[rustls_pki_types::CertificateDer<'static>],
    ) -> std::result::Result<(), rustls::Error> {
        let mut roots = rustls::RootCertStore::empty();
        for c in super::super::read_certs(ca_file, "ca_file").unwrap() {
            roots.add(c).unwrap();
        }
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            std::sync::Arc::new(roots),
            super::super::provider(),
        )
        .build()
        .unwrap();
        let ip =
            rustls_pki_types::ServerName::IpAddress(std::net::IpAddr::from([127, 0, 0, 1]).into());
        verifier
            .verify_server_cert(
                &chain[0],
                &chain[1..],
                &ip,
                &[],
                rustls_pki_types::UnixTime::now(),
            )
            .map(|_| ())
    }
}
