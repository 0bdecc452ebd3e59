//! `novakms registry members|hash|check`: the cluster as the chain sees it.

use std::time::Duration;

use clap::{Args, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::json;

use crate::chain::membership;
use crate::chain::registry::RegistryClient;
use crate::cli::{print_json, Cli, Output};
use crate::config::Settings;
use crate::error::{Error, ErrorKind, Result};

/// `registry` subcommands.
#[derive(Debug, Subcommand)]
pub enum RegistryCmd {
    /// KMS membership from NovaAppRegistry (every instance KMSRegistry lists, plus every ACTIVE one).
    Members,
    /// masterSecretHash (or "unset"), KMS app id and contract addresses.
    Hash,
    /// Compare what a node reports (/status) with the chain; exit 0 consistent, 4 not.
    Check(CheckArgs),
}

/// Arguments of `registry check`.
#[derive(Debug, Args)]
pub struct CheckArgs {}

pub(crate) fn registry_client(s: &Settings) -> Result<RegistryClient> {
    s.require_registries()?;
    RegistryClient::new(
        &s.rpc_url,
        &s.nova_app_registry,
        &s.kms_registry,
        s.rpc_timeout(),
    )
}

fn short(hexstr: &str) -> String {
    // The 23-byte SPKI prefix is the same for every P-384 key: show the point.
    let point = hexstr
        .strip_prefix("3076301006072a8648ce3d020106052b8104002203620004")
        .unwrap_or(hexstr);
    if point.len() > 16 {
        format!("{}…{}", &point[..8], &point[point.len() - 8..])
    } else {
        point.to_string()
    }
}

/// Run a `registry` subcommand.
pub async fn run(cli: &Cli, cmd: &RegistryCmd) -> Result<()> {
    let s = cli.settings()?;
    let reg = registry_client(&s)?;
    match cmd {
        RegistryCmd::Members => {
            let rows = membership::members(&reg, s.kms_app_id).await?;
            match cli.output {
                Output::Json => print_json(&json!({
                    "kms_app_id": s.kms_app_id,
                    "members": rows.iter().map(|m| &m.row).collect::<Vec<_>>(),
                })),
                Output::Text => {
                    let mut t = Table::new();
                    t.load_style(UTF8_FULL_CONDENSED);
                    t.set_header(vec![
                        "id",
                        "wallet",
                        "url",
                        "version",
                        "instance",
                        "zk",
                        "teePubkey",
                    ]);
                    for r in rows.iter().map(|m| &m.row) {
                        t.add_row(vec![
                            r.instance_id.to_string(),
                            r.wallet.clone(),
                            r.url.clone(),
                            format!("{} ({})", r.version_id, r.version_status),
                            r.instance_status.clone(),
                            if r.zk_verified { "yes" } else { "no" }.to_string(),
                            short(&r.tee_pubkey),
                        ]);
                    }
                    crate::outln!("{t}");
                }
            }
        }
        RegistryCmd::Hash => {
            let hash = reg.master_secret_hash().await?;
            let kms_app_id = reg.kms_app_id().await?;
            let hash_str = if hash == [0u8; 32] {
                None
            } else {
                Some(format!("0x{}", hex::encode(hash)))
            };
            match cli.output {
                Output::Json => print_json(&json!({
                    "master_secret_hash": hash_str,
                    "kms_app_id": kms_app_id,
                    "kms_registry": reg.kms_registry(),
                    "nova_app_registry": reg.nova_app_registry(),
                })),
                Output::Text => {
                    crate::outln!(
                        "masterSecretHash:  {}",
                        hash_str.as_deref().unwrap_or("unset")
                    );
                    crate::outln!("KMS app id:        {kms_app_id}");
                    crate::outln!("KMSRegistry:       {}", reg.kms_registry());
                    crate::outln!("NovaAppRegistry:   {}", reg.nova_app_registry());
                }
            }
        }
        RegistryCmd::Check(_) => {
            let status =
                crate::client::node::status(&s.addr, Duration::from_secs(s.client_timeout_seconds))
                    .await?;
            let findings = membership::check(&reg, s.kms_app_id, &s.addr, &status).await?;
            let ok = findings.iter().all(|f| f.ok);
            match cli.output {
                Output::Json => print_json(&json!({
                    "addr": s.addr,
                    "consistent": ok,
                    "checks": findings,
                })),
                Output::Text => {
                    for f in &findings {
                        crate::outln!(
                            "{} {}: {}",
                            if f.ok { "ok  " } else { "FAIL" },
                            f.check,
                            f.detail
                        );
                    }
                }
            }
            if !ok {
                return Err(Error::new(
                    ErrorKind::NotReady,
                    format!("{}: node and chain disagree", s.addr),
                ));
            }
        }
    }
    Ok(())
}
