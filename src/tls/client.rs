//! The one place outbound HTTP clients are built (chain RPC, peers, app and node clients,
//! `health`, `bench`).
//!
//! Guarantees: every client is built after the `ring` provider is installed
//! ([`super::install_default_provider`]), so building one never panics for want of a provider.

/// A reqwest client builder with TLS ready (rustls on `ring`); the caller adds its timeouts.
pub fn builder() -> reqwest::ClientBuilder {
    super::install_default_provider();
    reqwest::Client::builder()
}
