//! The one place outbound HTTP clients are built (issue 11 item 1): chain RPC (alloy's HTTP
//! transport), peer `/status` probes and `/sync`, the app client (`store`, `derive`), the node
//! client (`health`), `bench`.
//!
//! Guarantees:
//! * every client is built after the `ring` provider is installed
//!   ([`super::install_default_provider`]), so building one never panics for want of one;
//! * **roots** — servers are verified against the platform's trust store (reqwest's
//!   `rustls-platform-verifier`: the OS store, `/etc/ssl/certs` on Linux; the Dockerfile ships
//!   `ca-certificates`), plus the certificates of `ca_file` when set ([`configure`]), for a
//!   private CA. `http://` URLs keep working (no TLS);
//! * a bad `ca_file` (unreadable, no certificate) is a Local error naming the setting, raised
//!   when the settings are loaded, before any request;
//! * a certificate failure is described as one, naming `ca_file` ([`certificate_hint`], used by
//!   `client::describe` and the chain RPC's error text), and keeps the Remote kind (exit 3).

use std::path::Path;
use std::sync::RwLock;

use crate::config::Settings;
use crate::error::{Error, Result};

/// Extra trust roots from `ca_file`, for every client built afterwards in this process.
static EXTRA_ROOTS: RwLock<Vec<reqwest::Certificate>> = RwLock::new(Vec::new());

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
/// Errors (Local, naming `ca_file`): unreadable file, malformed PEM, no certificate.
pub fn set_ca_file(path: Option<&Path>) -> Result<()> {
    let certs = match path {
        None => Vec::new(),
        Some(p) => super::read_certs(p, "ca_file")?
            .iter()
            .map(|der| {
                reqwest::Certificate::from_der(der).map_err(|e| {
                    Error::local(format!(
                        "ca_file {}: unusable certificate: {e}",
                        p.display()
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?,
    };
    *EXTRA_ROOTS.write().unwrap_or_else(|p| p.into_inner()) = certs;
    Ok(())
}

/// A reqwest client builder with TLS ready (rustls on `ring`, platform roots plus `ca_file`);
/// the caller adds its timeouts.
pub fn builder() -> reqwest::ClientBuilder {
    super::install_default_provider();
    let extra = EXTRA_ROOTS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let b = reqwest::Client::builder();
    if !platform_has_roots() {
        // The platform verifier refuses to build with no root at all, which would fail every
        // client, plain `http://` included. Without platform roots only `ca_file` is trusted.
        b.tls_certs_only(extra)
    } else if extra.is_empty() {
        b
    } else {
        b.tls_certs_merge(extra)
    }
}

/// True when the platform's store holds at least one CA certificate (read once per process).
/// Without any (a slim image without `ca-certificates`), a warning is logged once and clients
/// trust `ca_file` alone: `http://` keeps working, `https://` to a public server fails with an
/// untrusted-certificate error.
fn platform_has_roots() -> bool {
    static HAS_ROOTS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS_ROOTS.get_or_init(|| {
        let found = !rustls_native_certs::load_native_certs().certs.is_empty();
        if !found {
            tracing::warn!(
                "no CA certificate found on this system (install ca-certificates, or set \
                 ca_file): https connections trust ca_file only"
            );
        }
        found
    })
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
        assert!(EXTRA_ROOTS.read().unwrap().is_empty());
    }

    #[test]
    fn only_certificate_failures_get_the_hint() {
        let t = "error sending request: invalid peer certificate: UnknownIssuer";
        assert!(certificate_hint(t).contains("ca_file"));
        assert_eq!(certificate_hint("connection refused"), "");
    }
}
