//! The one place outbound HTTP clients are built (issue 11 item 1): chain RPC (alloy's HTTP
//! transport), peer `/status` probes and `/sync`, the app client (`store`, `derive`), the node
//! client (`health`), `bench`.
//!
//! Guarantees:
//! * every client is built after the `ring` provider is installed
//!   ([`super::install_default_provider`]), so building one never panics for want of one;
//! * **roots** — servers are verified against the platform's trust store (reqwest's
//!   `rustls-platform-verifier`: the OS store, `/etc/ssl/certs` on Linux; slim images
//!   need `ca-certificates`), plus the certificates of `ca_file` when set ([`configure`]), for a
//!   private CA. `http://` URLs keep working (no TLS);
//! * **one verifier per process** — the platform store is read once, when the first client is
//!   built (never by commands that make no HTTP call), not per client built (a
//!   debug build spent 3.9 ms per client on it, and the node builds its probe client every
//!   tick; now 0.11 ms). Roots added to a builder from [`builder`] are ignored: trust goes
//!   through [`set_ca_file`];
//! * **no platform roots** (no `ca-certificates`) — a warning, and `ca_file` alone is trusted:
//!   `http://` keeps working;
//! * a bad `ca_file` (unreadable, no certificate) is a Local error naming the setting, raised
//!   when the settings are loaded, before any request;
//! * a certificate failure is described as one, naming `ca_file` ([`certificate_hint`], used by
//!   `client::describe` and the chain RPC's error text), and keeps the Remote kind (exit 3).

use std::path::Path;
use std::sync::{Arc, RwLock};

use rustls::ClientConfig;
use rustls_pki_types::CertificateDer;

use crate::config::Settings;
use crate::error::{Error, Result};

/// `ca_file`'s certificates, and the TLS configuration every client is built with: one
/// verifier per process, so the platform's store is read once (when the first client is built),
/// not each time a client is built (the node builds its peer-probe client every tick), and not
/// at all by commands that make no HTTP call.
struct Trust {
    extra: Vec<CertificateDer<'static>>,
    built: Option<Arc<ClientConfig>>,
}

static TRUST: RwLock<Trust> = RwLock::new(Trust {
    extra: Vec::new(),
    built: None,
});

/// Apply the settings' `ca_file` (or clear it when unset) to every client built from now on.
/// Called once when the settings are loaded (`cli::Cli::settings`).
///
/// Errors (Local): see [`set_ca_file`].
pub fn configure(s: &Settings) -> Result<()> {
    set_ca_file(s.ca_file.as_deref())
}

/// Trust the certificates of the PEM bundle at `path` in addition to the platform roots
/// (`None`: platform roots only). Reads only that file; the platform store is read when the
/// next client is built.
///
/// Errors (Local, naming `ca_file`): unreadable file, malformed PEM, no certificate, a
/// certificate rustls cannot use as a root.
pub fn set_ca_file(path: Option<&Path>) -> Result<()> {
    let extra = match path {
        None => Vec::new(),
        Some(p) => {
            let certs = super::read_certs(p, "ca_file")?;
            let mut check = rustls::RootCertStore::empty();
            for c in &certs {
                check.add(c.clone()).map_err(|e| {
                    Error::local(format!(
                        "ca_file {}: unusable certificate: {e}",
                        p.display()
                    ))
                })?;
            }
            certs
        }
    };
    *TRUST.write().unwrap_or_else(|p| p.into_inner()) = Trust { extra, built: None };
    Ok(())
}

/// The rustls configuration for `extra` roots (already checked by [`set_ca_file`]) plus the
/// platform's. With no platform root at all (a slim image without `ca-certificates`) the
/// platform verifier refuses to exist; then a warning is logged and `extra` alone is trusted,
/// so `http://` keeps working and `https://` to a public server fails as untrusted.
fn client_config(extra: &[CertificateDer<'static>]) -> ClientConfig {
    super::install_default_provider();
    let builder = ClientConfig::builder();
    match rustls_platform_verifier::Verifier::new_with_extra_roots(
        extra.iter().cloned(),
        super::provider(),
    ) {
        Ok(v) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(v))
            .with_no_client_auth(),
        Err(e) => {
            tracing::warn!(
                reason = %e,
                "no CA certificate found on this system (install ca-certificates, or set \
                 ca_file): https connections trust ca_file only"
            );
            let mut roots = rustls::RootCertStore::empty();
            roots.add_parsable_certificates(extra.iter().cloned());
            builder.with_root_certificates(roots).with_no_client_auth()
        }
    }
}

/// The shared configuration, built on first use.
fn shared_config() -> Arc<ClientConfig> {
    if let Some(c) = &TRUST.read().unwrap_or_else(|p| p.into_inner()).built {
        return c.clone();
    }
    let mut t = TRUST.write().unwrap_or_else(|p| p.into_inner());
    let Trust { extra, built } = &mut *t;
    built
        .get_or_insert_with(|| Arc::new(client_config(extra)))
        .clone()
}

/// A reqwest client builder with TLS ready (rustls on `ring`, platform roots plus `ca_file`);
/// the caller adds its timeouts. Cheap: the TLS configuration is shared.
pub fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().use_preconfigured_tls(ClientConfig::clone(&shared_config()))
}

/// The hint appended to a transport error's text (`text`: its whole cause chain) when the
/// cause is a server certificate that did not verify (rustls: "invalid peer certificate"):
/// says so and names `ca_file`; empty otherwise.
pub fn certificate_hint(text: &str) -> &'static str {
    if text.contains("invalid peer certificate") {
        " (the server's TLS certificate is not trusted here: for a private CA set ca_file / NOVAKMS_CA_FILE to its PEM)"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_file_errors_name_the_setting_and_unset_clears() {
        let dir = tempfile::tempdir().unwrap();
        let e = set_ca_file(Some(&dir.path().join("none.pem"))).unwrap_err();
        assert!(e.message().starts_with("ca_file "), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no pem here\n").unwrap();
        let e = set_ca_file(Some(&empty)).unwrap_err();
        assert!(e.message().contains("no PEM certificate"), "{e}");
        set_ca_file(None).unwrap();
        assert!(TRUST.read().unwrap().extra.is_empty());
    }

    #[test]
    fn only_certificate_failures_get_the_hint() {
        let t = "error sending request: invalid peer certificate: UnknownIssuer";
        assert!(certificate_hint(t).contains("ca_file"));
        assert_eq!(certificate_hint("connection refused"), "");
    }
}
