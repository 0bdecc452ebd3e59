//! The node listener's TLS certificate (issue 10 "optional TLS listener"): loaded from
//! `tls_cert_file` / `tls_key_file`, reloaded on SIGHUP (`daemon`).
//!
//! Guarantees (tests below; end to end in `tests/tls_listener.rs`):
//! * **both or neither** — TLS is on when both settings are set, off (plain HTTP) when
//!   neither is; one without the other is a Local error (exit code 1) at start-up;
//! * **checked at start** — an unreadable or malformed file, or a key that does not match the
//!   certificate, is a Local error naming the setting, before the node binds;
//! * **atomic reload** — [`ServerTls::reload`] builds the whole new config first and swaps it in
//!   one step: connections accepted afterwards get the new certificate, open ones keep the
//!   session they have. A failed reload changes nothing (the old certificate keeps serving),
//!   is logged by the caller and counted in `novakms_tls_reloads_total{result="error"}`
//!   (`result="ok"` for a success); the error names the file, never its content;
//! * **HTTP/1.1 only** — ALPN offers `http/1.1` (the listener speaks HTTP/1.1 only);
//!   TLS 1.2 and 1.3 with rustls' safe defaults.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use crate::config::Settings;
use crate::error::{Error, Result};
use crate::metrics::Metrics;

/// Build a server config from a PEM certificate chain file and a PEM private key file.
///
/// Errors (Local): see [`super::read_certs`] and [`super::read_private_key`]; a key that does
/// not match the chain's first certificate, or a key type rustls cannot sign with.
pub fn server_config(cert_file: &Path, key_file: &Path) -> Result<ServerConfig> {
    let chain = super::read_certs(cert_file, "tls_cert_file")?;
    let key = super::read_private_key(key_file, "tls_key_file")?;
    let mut cfg = ServerConfig::builder_with_provider(super::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::local(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            Error::local(format!(
                "tls_key_file {} does not fit tls_cert_file {}: {e}",
                key_file.display(),
                cert_file.display()
            ))
        })?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}

/// The listener's current TLS config and where it came from. Shared by the accept loop
/// (`server`) and the SIGHUP handler (`daemon`).
pub struct ServerTls {
    cert_file: PathBuf,
    key_file: PathBuf,
    current: RwLock<Arc<ServerConfig>>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("cert_file", &self.cert_file)
            .field("key_file", &self.key_file)
            .finish_non_exhaustive()
    }
}

impl ServerTls {
    /// TLS per the settings: `None` when neither `tls_cert_file` nor `tls_key_file` is set.
    ///
    /// Errors (Local): only one of the two is set; the files do not load ([`server_config`]).
    pub fn from_settings(s: &Settings) -> Result<Option<Arc<ServerTls>>> {
        match (&s.tls_cert_file, &s.tls_key_file) {
            (None, None) => Ok(None),
            (Some(cert), Some(key)) => Ok(Some(Arc::new(ServerTls::load(cert, key)?))),
            (Some(_), None) => Err(Error::local(
                "tls_cert_file is set but tls_key_file is not: set both (TLS listener) or neither (plain HTTP)",
            )),
            (None, Some(_)) => Err(Error::local(
                "tls_key_file is set but tls_cert_file is not: set both (TLS listener) or neither (plain HTTP)",
            )),
        }
    }

    /// Load `cert_file` and `key_file` (see [`server_config`] for the errors).
    pub fn load(cert_file: &Path, key_file: &Path) -> Result<ServerTls> {
        let cfg = server_config(cert_file, key_file)?;
        Ok(ServerTls {
            cert_file: cert_file.to_path_buf(),
            key_file: key_file.to_path_buf(),
            current: RwLock::new(Arc::new(cfg)),
        })
    }

    /// An acceptor with the current certificate (for one new connection).
    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.config())
    }

    /// The current config.
    pub fn config(&self) -> Arc<ServerConfig> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Re-read both files and swap the new config in; on error keep the old one. Counted in
    /// `novakms_tls_reloads_total{result}` of `metrics`.
    pub fn reload(&self, metrics: &Metrics) -> Result<()> {
        let r = server_config(&self.cert_file, &self.key_file);
        metrics.observe_tls_reload(if r.is_ok() { "ok" } else { "error" });
        let cfg = r?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(cfg);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_pair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let cert = dir.join(format!("{name}.crt"));
        let key = dir.join(format!("{name}.key"));
        std::fs::write(&cert, ck.cert.pem()).unwrap();
        std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
        (cert, key)
    }

    fn reloads(m: &Metrics) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, m.registry()).unwrap();
        out.lines()
            .filter(|l| l.starts_with("novakms_tls_reloads_total"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn settings_need_both_files_or_neither() {
        let mut s = Settings::default();
        assert!(ServerTls::from_settings(&s).unwrap().is_none());
        s.tls_cert_file = Some("/nonexistent/c.pem".into());
        let e = ServerTls::from_settings(&s).unwrap_err();
        assert!(e.message().contains("tls_key_file is not"), "{e}");
        assert_eq!(e.kind().exit_code(), 1);
        s.tls_key_file = Some("/nonexistent/k.pem".into());
        let e = ServerTls::from_settings(&s).unwrap_err();
        assert!(e.message().starts_with("tls_cert_file /nonexistent"), "{e}");
    }

    #[test]
    fn mismatched_key_is_refused_at_load() {
        let dir = tempfile::tempdir().unwrap();
        let (cert_a, _) = write_pair(dir.path(), "a");
        let (_, key_b) = write_pair(dir.path(), "b");
        let e = server_config(&cert_a, &key_b).unwrap_err();
        assert!(e.message().contains("does not fit tls_cert_file"), "{e}");
    }

    #[test]
    fn reload_swaps_on_success_and_keeps_the_old_config_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = write_pair(dir.path(), "live");
        let m = Metrics::new();
        let tls = ServerTls::load(&cert, &key).unwrap();
        let first = tls.config();
        assert_eq!(first.alpn_protocols, vec![b"http/1.1".to_vec()]);

        // A new pair in place: the swap gives a new config.
        let (c2, k2) = write_pair(dir.path(), "next");
        std::fs::rename(&c2, &cert).unwrap();
        std::fs::rename(&k2, &key).unwrap();
        tls.reload(&m).unwrap();
        let second = tls.config();
        assert!(!Arc::ptr_eq(&first, &second));

        // A truncated key: error, the second config stays.
        std::fs::write(&key, "-----BEGIN PRIVATE KEY-----\n").unwrap();
        assert!(tls.reload(&m).is_err());
        assert!(Arc::ptr_eq(&second, &tls.config()));
        let text = reloads(&m);
        assert!(
            text.contains("novakms_tls_reloads_total{result=\"ok\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("novakms_tls_reloads_total{result=\"error\"} 1"),
            "{text}"
        );
    }
}
