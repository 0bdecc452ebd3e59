//! KMS membership as the chain records it, and the comparison of a node's self-report
//! (`/status`, protocol.md §8.1) with it: the logic behind `novakms registry members|check`.

use serde_json::Value;

use crate::chain::registry::RegistryClient;
use crate::chain::types::{InstanceInfo, INSTANCE_ACTIVE};
use crate::error::Result;

/// One KMS member: the registry's instance and its display row.
#[derive(Debug, Clone)]
pub struct Member {
    /// The instance as read from NovaAppRegistry.
    pub instance: InstanceInfo,
    /// The row `registry members` prints.
    pub row: MemberRow,
}

/// One finding of [`check`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// What was compared: `membership`, `url`, `tee_pubkey`, `master_secret`.
    pub check: &'static str,
    /// The node and the chain agree on it.
    pub ok: bool,
    /// One line for the operator.
    pub detail: String,
}

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

/// Display name of a version status (`None`: version not found).
pub fn version_status_name(s: Option<u8>) -> String {
    match s {
        Some(0) => "ENROLLED".into(),
        Some(1) => "DEPRECATED".into(),
        Some(2) => "REVOKED".into(),
        Some(n) => format!("UNKNOWN({n})"),
        None => "NOT FOUND".into(),
    }
}

/// Display name of an instance status (protocol.md §9.1).
pub fn instance_status_name(s: u8) -> String {
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
pub async fn members(reg: &RegistryClient, kms_app_id: u64) -> Result<Vec<Member>> {
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
        out.push(Member {
            instance: inst,
            row,
        });
    }
    out.sort_by_key(|m| m.instance.id);
    Ok(out)
}

/// Compare a node's `/status` with the chain: wallet registered as an ACTIVE
/// KMS instance, registered URL, teePubkey, and (when the node has a secret)
/// readiness. Errors: Remote (RPC).
pub async fn check(
    reg: &RegistryClient,
    kms_app_id: u64,
    addr: &str,
    status: &Value,
) -> Result<Vec<Finding>> {
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
            out.push(Finding {
                check: "membership",
                ok: false,
                detail: format!("wallet {wallet} is not registered"),
            });
            return Ok(out);
        }
    };
    out.push(Finding {
        check: "membership",
        ok: inst.app_id == kms_app_id && inst.status == INSTANCE_ACTIVE && inst.zk_verified,
        detail: format!(
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
    });
    out.push(Finding {
        check: "url",
        ok: inst.instance_url.trim_end_matches('/') == addr.trim_end_matches('/'),
        detail: format!("registered {}", inst.instance_url),
    });
    out.push(Finding {
        check: "tee_pubkey",
        ok: hex::encode(&inst.tee_pubkey) == tee.to_ascii_lowercase(),
        detail: if hex::encode(&inst.tee_pubkey) == tee.to_ascii_lowercase() {
            "matches the registry".to_string()
        } else {
            "node key differs from the registered teePubkey".to_string()
        },
    });
    let hash = reg.master_secret_hash().await?;
    let ready = status["node"]["service_available"]
        .as_bool()
        .unwrap_or(false);
    out.push(Finding {
        check: "master_secret",
        ok: hash != [0u8; 32] && ready,
        detail: if hash == [0u8; 32] {
            "masterSecretHash is unset".to_string()
        } else if ready {
            "node is ready: its secret matches masterSecretHash".to_string()
        } else {
            format!(
                "node not ready: {}",
                status["node"]["unavailable_reason"].as_str().unwrap_or("")
            )
        },
    });
    Ok(out)
}
