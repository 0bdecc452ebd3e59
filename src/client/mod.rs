//! HTTP clients used by the CLI subcommands: the Nova app client (PoP +
//! envelope) and a plain node client for `/status` and readiness.

pub mod admin;
pub mod app;
pub mod cluster;
pub mod node;
pub mod peer;

/// Describe a transport error with its whole cause chain (reqwest's own
/// message alone, "error sending request", hides the reason); a server certificate that did
/// not verify gets a hint naming `ca_file` ([`crate::tls::client::certificate_hint`]).
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let part = s.to_string();
        if !msg.contains(&part) {
            msg.push_str(": ");
            msg.push_str(&part);
        }
        src = s.source();
    }
    msg.push_str(crate::tls::client::certificate_hint(&msg));
    msg
}
