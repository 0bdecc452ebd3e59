//! `novakms registry members|hash|check`: the cluster as the chain sees it.

use std::time::Duration;

use clap::{Args, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::{json, Value};

use crate::chain::registry::RegistryClient;
use crate::chain::types::{InstanceInfo, INSTANCE_ACTIVE};
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

/// One member row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MemberRow {
    /// Instance id.
    pub instance_id: u64,
    /// Canonical TEE wallet.
    pub wallet: String,
    /// Registered URL.
    pub url: String,
    /// Version id.
    pub version_id: u64,
    /// Version status name.
    pub version_status: String,
    /// Instance status name.
    pub instance_status: String,
    /// zkVerified flag.
    pub zk_verified: bool,
    /// teePubkey, hex DER SPKI.
    pub tee_pubkey: String,
}

fn registry_client(s: &Settings) -> Result<RegistryClient> {
    s.require_registries()?;
    RegistryClient::new(
        &s.rpc_url,
        &s.nova_app_registry,
        &s.kms_registry,
        s.rpc_timeout(),
    )
}

fn version_status_name(s: Option<u8>) -> String {
    match s {
        Some(0) => "ENROLLED".into(),
        Some(1) => "DEPRECATED".into(),
        Some(2) => "REVOKED".into(),
        Some(n) => format!("UNKNOWN({n})"),
        None => "NOT FOUND".into(),
    }
}

fn instance_status_name(s: u8) -> String {
    match s {
        0 => "ACTIVE".into(),
        1 => "STOPPED".into(),
        2 => "FAILED".into(),
        n => format!("UNKNOWN({n})"),
    }
}

/// Read the membership: wallets listed by `KMSRegistry.getOperators()` and
/// by `getActiveInstances(kms_app_id)`, each resolved through
/// `getInstanceByWallet` and `getVersion`. Errors: Remote (RPC).
pub async fn members(
    reg: &RegistryClient,
    kms_app_id: u64,
) -> Result<Vec<(InstanceInfo, MemberRow)>> {
    let mut wallets = reg.kms_operators().await?;
    for w in reg.get_active_instances(kms_app_id).await? {
        if !wallets.contains(&w) {
            wallets.push(w);
        }
    }
    let mut out = Vec::new();
    for w in wallets {
        let inst = reg.get_instance_by_wallet(&w).await?;
        if inst.id == 0 {
            continue;
        }
        let vstatus = reg
            .get_version(inst.app_id, inst.version_id)
            .await
            .ok()
            .map(|v| v.status);
        let row = MemberRow {
            instance_id: inst.id,
            wallet: inst.tee_wallet.clone(),
            url: inst.instance_url.clone(),
            version_id: inst.version_id,
            version_status: version_status_name(vstatus),
            instance_status: instance_status_name(inst.status),
            zk_verified: inst.zk_verified,
            tee_pubkey: hex::encode(&inst.tee_pubkey),
        };
        out.push((inst, row));
    }
    out.sort_by_key(|(i, _)| i.id);
    Ok(out)
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
            let rows = members(&reg, s.kms_app_id).await?;
            match cli.output {
                Output::Json => print_json(&json!({
                    "kms_app_id": s.kms_app_id,
                    "members": rows.iter().map(|(_, r)| r).collect::<Vec<_>>(),
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
                    for (_, r) in &rows {
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
                    println!("{t}");
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
                    println!(
                        "masterSecretHash:  {}",
                        hash_str.as_deref().unwrap_or("unset")
                    );
                    println!("KMS app id:        {kms_app_id}");
                    println!("KMSRegistry:       {}", reg.kms_registry());
                    println!("NovaAppRegistry:   {}", reg.nova_app_registry());
                }
            }
        }
        RegistryCmd::Check(_) => {
            let status =
                crate::client::node::status(&s.addr, Duration::from_secs(s.client_timeout_seconds))
                    .await?;
            let findings = check(&reg, s.kms_app_id, &s.addr, &status).await?;
            let ok = findings.iter().all(|(_, ok, _)| *ok);
            match cli.output {
                Output::Json => print_json(&json!({
                    "addr": s.addr,
                    "consistent": ok,
                    "checks": findings.iter().map(|(name, ok, detail)| json!({"check": name, "ok": ok, "detail": detail})).collect::<Vec<_>>(),
                })),
                Output::Text => {
                    for (name, ok, detail) in &findings {
                        println!("{} {name}: {detail}", if *ok { "ok  " } else { "FAIL" });
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

/// Compare a node's `/status` with the chain: wallet registered as an ACTIVE
/// KMS instance, registered URL, teePubkey, and (when the node has a secret)
/// readiness. Returns (check, ok, detail) triples. Errors: Remote (RPC).
pub async fn check(
    reg: &RegistryClient,
    kms_app_id: u64,
    addr: &str,
    status: &Value,
) -> Result<Vec<(&'static str, bool, String)>> {
    let mut out = Vec::new();
    let wallet = status["node"]["tee_wallet"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let tee = status["node"]["tee_pubkey"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let inst = reg.get_instance_by_wallet(&wallet).await;
    let inst = match inst {
        Ok(i) if i.id != 0 => i,
        Ok(_) | Err(_) => {
            out.push((
                "membership",
                false,
                format!("wallet {wallet} is not registered"),
            ));
            return Ok(out);
        }
    };
    out.push((
        "membership",
        inst.app_id == kms_app_id && inst.status == INSTANCE_ACTIVE && inst.zk_verified,
        format!(
            "instance {} of app {} is {}{}",
            inst.id,
            inst.app_id,
            instance_status_name(inst.status),
            if inst.zk_verified {
                ", zkVerified"
            } else {
                ", NOT zkVerified"
            }
        ),
    ));
    out.push((
        "url",
        inst.instance_url.trim_end_matches('/') == addr.trim_end_matches('/'),
        format!("registered {}", inst.instance_url),
    ));
    out.push((
        "tee_pubkey",
        hex::encode(&inst.tee_pubkey) == tee.to_ascii_lowercase(),
        if hex::encode(&inst.tee_pubkey) == tee.to_ascii_lowercase() {
            "matches the registry".to_string()
        } else {
            "node key differs from the registered teePubkey".to_string()
        },
    ));
    let hash = reg.master_secret_hash().await?;
    let ready = status["node"]["service_available"]
        .as_bool()
        .unwrap_or(false);
    out.push((
        "master_secret",
        hash != [0u8; 32] && ready,
        if hash == [0u8; 32] {
            "masterSecretHash is unset".to_string()
        } else if ready {
            "node is ready: its secret matches masterSecretHash".to_string()
        } else {
            format!(
                "node not ready: {}",
                status["node"]["unavailable_reason"].as_str().unwrap_or("")
            )
        },
    ));
    Ok(out)
}
