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
//! * **one verifier per process** — the platform store is read once, not per client built (a
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

/// The TLS configuration every client is built with: one verifier per process, so the
/// platform's store is read once (when the first client is built, or when `ca_file` is set),
/// not each time a client is built (the node builds its peer-probe client every tick).
static CONFIG: RwLock<Option<Arc<ClientConfig>>> = RwLock::new(None);

/// Apply the settings' `ca_file` (or clear it when unset) to every client built from now on.
/// Called once when the settings are loaded (`cli::Cli::settings`).
///
/// Errors (Local): see [`set_ca_file`].
pub fn configure(s: &Settings) -> Result<()> {
    set_ca_file(s.ca_file.as_deref())
}

/// Trust the certificates of the PEM bundle at `path` in addition to the platform roots
/// (`None`: platform roots only).
///
/// Errors (Local, naming `ca_file`): unreadable file, malformed PEM, no certificate, a
/// certificate rustls cannot use as a root.
pub fn set_ca_file(path: Option<&Path>) -> Result<()> {
    let extra = match path {
        None => Vec::new(),
        Some(p) => super::read_certs(p, "ca_file")?,
    };
    let cfg = client_config(extra).map_err(|e| {
        Error::local(format!(
            "ca_file {}: unusable certificate: {e}",
            path.map_or_else(String::new, |p| p.display().to_string())
        ))
    })?;
    *CONFIG.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(cfg));
    Ok(())
}

/// The rustls configuration for `extra` roots plus the platform's. With no platform root at all
/// (a slim image without `ca-certificates`) the platform verifier refuses to exist; then a
/// warning is logged and `extra` alone is trusted, so `http://` keeps working and `https://` to
/// a public server fails as untrusted.
///
/// Errors: a certificate of `extra` that rustls refuses as a root.
fn client_config(
    extra: Vec<CertificateDer<'static>>,
) -> std::result::Result<ClientConfig, rustls::Error> {
    super::install_default_provider();
    let provider = super::provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let no_extra = extra.is_empty();
    match rustls_platform_verifier::Verifier::new_with_extra_roots(extra.clone(), provider) {
        Ok(v) => Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(v))
            .with_no_client_auth()),
        // With extra roots the store is never empty: the error is about one of them.
        Err(e) if !no_extra => Err(e),
        Err(e) => {
            tracing::warn!(
                reason = %e,
                "no CA certificate found on this system (install ca-certificates, or set \
                 ca_file): https connections trust ca_file only"
            );
            let mut roots = rustls::RootCertStore::empty();
            roots.add_parsable_certificates(extra);
            Ok(builder.with_root_certificates(roots).with_no_client_auth())
        }
    }
}

/// The shared configuration, made on first use with the platform roots alone when `ca_file`
/// was never applied.
fn shared_config() -> Arc<ClientConfig> {
    if let Some(c) = CONFIG.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
        return c.clone();
    }
    let mut slot = CONFIG.write().unwrap_or_else(|p| p.into_inner());
    slot.get_or_insert_with(|| {
        Arc::new(
            client_config(Vec::new()).expect("no extra roots: cannot fail (see client_config)"),
        )
    })
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
        assert!(CONFIG.read().unwrap().is_some());
    }

    #[test]
    fn only_certificate_failures_get_the_hint() {
        let t = "error sending request: invalid peer certificate: UnknownIssuer";
        assert!(certificate_hint(t).contains("ca_file"));
        assert_eq!(certificate_hint("connection refused"), "");
    }
}
