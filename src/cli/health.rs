//! `novakms health`: liveness/readiness with exit codes for scripts and probes.

use std::time::Duration;

use clap::Args;
use serde_json::json;

use crate::cli::{print_json, Cli, Output};
use crate::error::{Error, ErrorKind, Result};

/// Arguments of `health`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// Only check liveness
    #[arg(long, conflicts_with = "ready")]
    pub live: bool,
    /// Only check readiness (default: both)
    #[arg(long)]
    pub ready: bool,
}

/// Exit 0 when live (and ready unless `--live`), 4 when reachable but not
/// ready (reason printed), 3 when unreachable.
pub async fn run(cli: &Cli, a: &HealthArgs) -> Result<()> {
    let s = cli.settings()?;
    let p =
        crate::client::node::probe(&s.addr, Duration::from_secs(s.client_timeout_seconds)).await?;
    let ok = if a.live { p.live } else { p.live && p.ready };
    match cli.output {
        Output::Json => print_json(&json!({
            "addr": s.addr, "live": p.live, "ready": p.ready,
            "reason": if p.ready { serde_json::Value::Null } else { json!(p.reason) },
        })),
        Output::Text => {
            if ok {
                crate::outln!(
                    "{}: {}",
                    s.addr,
                    if a.live { "live" } else { "live and ready" }
                );
            }
        }
    }
    if ok {
        Ok(())
    } else if !p.live {
        Err(Error::new(
            ErrorKind::NotReady,
            format!("{}: not live", s.addr),
        ))
    } else {
        Err(Error::new(
            ErrorKind::NotReady,
            format!("{}: not ready: {}", s.addr, p.reason),
        ))
    }
}
