//! The restore refusal rules (design.md §5 "refuses … a non-empty target, or a snapshot from
//! another cluster unless `--force`"), as a pure function of what the caller found:
//! [`plan_restore`] turns the target's state, the configured cluster, the chain's answers and
//! the flags into a [`RestorePlan`] or the Refused error listing every reason.
//!
//! Rules, in the order their reasons are listed:
//! 1. A snapshot from a newer database schema is refused, `--force` or not ([`check_schema`]).
//! 2. Target: an existing database bound to another cluster (chain id, registries, KMS app id;
//!    node wallets are not compared: restoring onto a new identity is allowed); a database
//!    holding records or a sealed master secret; a database that cannot be opened; entries in
//!    the data dir that are not novakms's.
//! 3. Configuration (when both registries are configured): registries or KMS app id differ.
//! 4. Chain (when compared): chain id differs; `masterSecretHash` differs or is unset on chain
//!    while the snapshot names one; the signer is not registered, or is an instance of another
//!    app (skipped when the operator pinned the signer with `--signer`).
//! 5. Signer trust (issue 10): a valid signature only proves who made the file, and anyone can
//!    re-sign an edited file with their own key. The signer must therefore be either a
//!    registered KMS node of the same cluster (rule 4's lookup) or named by the operator with
//!    `--signer`. When the chain is not compared (no registries configured, or
//!    `--no-chain-check`), a restore without `--signer` is refused.
//! 6. Freshness (issue 10): a snapshot whose signed `created_at_ms` is older than
//!    `tombstone_retention_ms` (when > 0) is refused: keys deleted since it was taken may have
//!    no tombstone left on any node, so nothing but the rejoin rule (`node::rejoin`) stands
//!    between its records and a resurrection.
//!
//! Reasons of rules 2–6 are refusals without `--force` and are only warned about with it.
//! The sealed master secret is restored only for the identity it was sealed for (the
//! configured keystore's wallet), and never with `master_secret_storage = "none"`.

use std::path::Path;

use super::format::Manifest;
use crate::error::{Error, ErrorKind, Result};
use crate::storage::ClusterBinding;

/// Name prefix of databases moved aside by `restore --force`.
pub const OLD_PREFIX: &str = "novakms.redb.old-";

/// What the data dir holds before the restore.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetState {
    /// No database (or no data dir).
    Absent,
    /// A database without records and without a sealed master secret, with its binding.
    Empty(Option<ClusterBinding>),
    /// A database with records or a sealed master secret.
    NonEmpty {
        /// Its cluster binding.
        binding: Option<ClusterBinding>,
        /// Namespaces.
        apps: u64,
        /// Live keys over all namespaces.
        keys: u64,
        /// Whether it holds a sealed master secret.
        sealed: bool,
    },
    /// A database that cannot be opened, with the reason.
    Unreadable(String),
}

/// The cluster named by the configuration (both registries configured).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfiguredCluster {
    /// NovaAppRegistry address as configured.
    pub nova_app_registry: String,
    /// KMSRegistry address as configured.
    pub kms_registry: String,
    /// KMS app id.
    pub kms_app_id: u64,
}

/// The chain's registration of the snapshot's signer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignerRegistration {
    /// Instance id (0: not registered).
    pub instance_id: u64,
    /// The app the instance belongs to.
    pub app_id: u64,
}

/// What the chain said (read by the caller).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainFacts {
    /// The configured RPC's chain id.
    pub chain_id: u64,
    /// `KMSRegistry.masterSecretHash()` (all zero: unset).
    pub master_secret_hash: [u8; 32],
    /// The signer's registration; `None` when not looked up (`--signer` pinned it).
    pub signer: Option<SignerRegistration>,
}

/// Whether this node keeps its master secret sealed on disk (`master_secret_storage`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretStorage {
    /// `sealed`: the sealed master secret may be restored.
    Sealed,
    /// `none`: never restored (the node obtains the secret from its peers).
    None,
}

/// Everything [`plan_restore`] decides on.
#[derive(Clone, Debug)]
pub struct PlanInputs<'a> {
    /// The snapshot file (named in the refusal).
    pub file: &'a Path,
    /// The target data dir (named in reasons).
    pub data_dir: &'a Path,
    /// The verified manifest.
    pub manifest: &'a Manifest,
    /// What the data dir holds.
    pub target: &'a TargetState,
    /// Entries of the data dir that novakms did not put there (sorted).
    pub foreign: &'a [String],
    /// The configured cluster, when both registries are configured.
    pub configured: Option<&'a ConfiguredCluster>,
    /// The chain's answers, when compared.
    pub chain: Option<&'a ChainFacts>,
    /// `master_secret_storage`.
    pub secret_storage: SecretStorage,
    /// The configured keystore's wallet (canonical), if readable.
    pub keystore_wallet: Option<&'a str>,
    /// `--signer` was given (and matched the verified signer): the operator trusts it.
    pub signer_pinned: bool,
    /// `--no-chain-check` (named in the rule-5 refusal).
    pub no_chain_check: bool,
    /// Now, Unix ms (rule 6).
    pub now_ms: u64,
    /// `tombstone_retention_ms` of the configuration (rule 6; 0 = tombstones kept forever: no
    /// age limit).
    pub tombstone_retention_ms: u64,
    /// `--force`.
    pub force: bool,
}

/// Something the restore proceeds despite, to be logged as a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// A refusal overridden by `--force`.
    Forced(String),
    /// The snapshot does not record `masterSecretHash`: not compared with the chain.
    NoHashToCompare,
    /// `master_secret_storage = "none"`: the sealed secret is not restored.
    SecretStorageNone,
    /// The secret is sealed for another identity than the keystore's: not restored.
    SealedForOther {
        /// The wallet the secret is sealed for.
        sealed_for: String,
        /// This node's wallet.
        node: String,
    },
    /// No keystore configured: the secret is not restored.
    NoKeystore {
        /// The wallet the secret is sealed for.
        sealed_for: String,
    },
}

/// The decision: go ahead, keeping the sealed master secret or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestorePlan {
    /// Store the snapshot's sealed master secret in the new database.
    pub keep_sealed: bool,
    /// Warnings, in the order they arose (chain notes, overridden refusals, the sealed secret).
    pub notes: Vec<Note>,
}

/// Rule 1: Refused when the snapshot comes from a newer schema than `supported`.
pub fn check_schema(m: &Manifest, supported: u32) -> Result<()> {
    if m.schema_version > supported {
        return Err(Error::new(
            ErrorKind::Refused,
            format!(
                "the snapshot comes from a newer novakms (database schema {}, this build knows \
                 up to {supported}); restore it with that version",
                m.schema_version
            ),
        ));
    }
    Ok(())
}

/// Rules 2–4 and the sealed-secret decision (module docs). Errors: Refused listing every
/// reason, unless `force` (then each reason becomes a [`Note::Forced`]).
pub fn plan_restore(i: &PlanInputs<'_>) -> Result<RestorePlan> {
    let m = i.manifest;
    let mut notes = Vec::new();
    let mut refusals = target_refusals(i.data_dir, i.target, i.foreign, m);
    if let Some(c) = i.configured {
        refusals.extend(config_refusal(c, m));
    }
    if let Some(f) = i.chain {
        refusals.extend(chain_refusals(f, m, &mut notes));
    }
    refusals.extend(trust_refusal(i));
    refusals.extend(freshness_refusal(i));
    if !refusals.is_empty() {
        if !i.force {
            return Err(Error::new(
                ErrorKind::Refused,
                format!(
                    "refusing to restore {} into {}: {}; pass --force to restore anyway (the old \
                     database is kept as {OLD_PREFIX}<time>)",
                    i.file.display(),
                    i.data_dir.display(),
                    refusals.join("; ")
                ),
            ));
        }
        notes.extend(refusals.into_iter().map(Note::Forced));
    }
    let keep_sealed = match (&m.sealed_master_secret, i.keystore_wallet) {
        (None, _) => false,
        (Some(_), _) if i.secret_storage == SecretStorage::None => {
            notes.push(Note::SecretStorageNone);
            false
        }
        (Some(info), Some(w)) if w == info.sealed_for => true,
        (Some(info), Some(w)) => {
            notes.push(Note::SealedForOther {
                sealed_for: info.sealed_for.clone(),
                node: w.to_string(),
            });
            false
        }
        (Some(info), None) => {
            notes.push(Note::NoKeystore {
                sealed_for: info.sealed_for.clone(),
            });
            false
        }
    };
    Ok(RestorePlan { keep_sealed, notes })
}

/// Differences between two clusters (node wallets are not compared).
fn cluster_diff(have: &ClusterBinding, want: &ClusterBinding) -> Vec<String> {
    let mut d = Vec::new();
    if have.chain_id != want.chain_id {
        d.push(format!("chain id {} != {}", have.chain_id, want.chain_id));
    }
    if !have
        .nova_app_registry
        .eq_ignore_ascii_case(&want.nova_app_registry)
    {
        d.push(format!(
            "NovaAppRegistry {} != {}",
            have.nova_app_registry, want.nova_app_registry
        ));
    }
    if !have.kms_registry.eq_ignore_ascii_case(&want.kms_registry) {
        d.push(format!(
            "KMSRegistry {} != {}",
            have.kms_registry, want.kms_registry
        ));
    }
    if have.kms_app_id != want.kms_app_id {
        d.push(format!(
            "KMS app id {} != {}",
            have.kms_app_id, want.kms_app_id
        ));
    }
    d
}

/// Rule 2.
fn target_refusals(
    dir: &Path,
    state: &TargetState,
    foreign: &[String],
    m: &Manifest,
) -> Vec<String> {
    let mut out = Vec::new();
    let dirs = dir.display();
    let mut binding_check = |b: &Option<ClusterBinding>| {
        if let Some(b) = b {
            let d = cluster_diff(b, &m.cluster);
            if !d.is_empty() {
                out.push(format!(
                    "the database in {dirs} belongs to another cluster than the snapshot ({})",
                    d.join(", ")
                ));
            }
        }
    };
    match state {
        TargetState::Absent => {}
        TargetState::Empty(b) => binding_check(b),
        TargetState::NonEmpty {
            binding,
            apps,
            keys,
            sealed,
        } => {
            binding_check(binding);
            out.push(format!(
                "data dir {dirs} is not empty: its database holds {apps} apps ({keys} live keys){}",
                if *sealed {
                    " and a sealed master secret"
                } else {
                    ""
                }
            ));
        }
        TargetState::Unreadable(msg) => out.push(format!(
            "the existing database in {dirs} cannot be opened ({msg})"
        )),
    }
    if !foreign.is_empty() {
        out.push(format!(
            "data dir {dirs} contains files that are not novakms's: {}",
            foreign.join(", ")
        ));
    }
    out
}

/// Rule 3.
fn config_refusal(c: &ConfiguredCluster, m: &Manifest) -> Option<String> {
    let configured = ClusterBinding {
        chain_id: m.cluster.chain_id,
        nova_app_registry: c.nova_app_registry.clone(),
        kms_registry: c.kms_registry.clone(),
        kms_app_id: c.kms_app_id,
        node_wallet: String::new(),
    };
    let d = cluster_diff(&configured, &m.cluster);
    (!d.is_empty()).then(|| {
        format!(
            "the snapshot is from another cluster than the configured one (configured vs \
             snapshot: {})",
            d.join(", ")
        )
    })
}

/// Rule 4.
fn chain_refusals(f: &ChainFacts, m: &Manifest, notes: &mut Vec<Note>) -> Vec<String> {
    let mut out = Vec::new();
    if f.chain_id != m.cluster.chain_id {
        out.push(format!(
            "the snapshot is from chain id {}, the configured chain is {}",
            m.cluster.chain_id, f.chain_id
        ));
    }
    let on_chain = (f.master_secret_hash != [0u8; 32])
        .then(|| format!("0x{}", hex::encode(f.master_secret_hash)));
    match (&m.master_secret_hash, &on_chain) {
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b) => out.push(format!(
            "the snapshot's masterSecretHash {a} differs from the chain's {b}: its records are \
             encrypted under another master secret"
        )),
        (Some(a), None) => out.push(format!(
            "masterSecretHash is unset on chain but the snapshot's records are encrypted under \
             {a}"
        )),
        (None, _) => notes.push(Note::NoHashToCompare),
        _ => {}
    }
    match f.signer {
        Some(r) if r.instance_id == 0 => out.push(format!(
            "the snapshot's signer {} is not registered on chain (pass --signer {} to trust it)",
            m.node_wallet, m.node_wallet
        )),
        Some(r) if r.app_id != m.cluster.kms_app_id => out.push(format!(
            "the snapshot's signer {} is an instance of app {}, not of the KMS app {}",
            m.node_wallet, r.app_id, m.cluster.kms_app_id
        )),
        _ => {}
    }
    out
}

/// Rule 5: the signer is trusted through the chain (rule 4 looked it up) or `--signer`.
fn trust_refusal(i: &PlanInputs<'_>) -> Option<String> {
    let looked_up = i.chain.is_some_and(|c| c.signer.is_some());
    if i.signer_pinned || looked_up {
        return None;
    }
    let why = if i.configured.is_none() {
        "no registries are configured (nova_app_registry, kms_registry)"
    } else if i.no_chain_check {
        "--no-chain-check skips the chain lookup"
    } else {
        "the chain did not say who it is"
    };
    let w = &i.manifest.node_wallet;
    Some(format!(
        "nothing vouches for the snapshot's signer {w}: {why}, and a valid signature only proves \
         that whoever holds that key made the file (pass --signer {w} if you know it is one of \
         your KMS nodes)"
    ))
}

/// Rule 6: refuse a snapshot older than the tombstone retention.
fn freshness_refusal(i: &PlanInputs<'_>) -> Option<String> {
    let retention = i.tombstone_retention_ms;
    let age = i.now_ms.saturating_sub(i.manifest.created_at_ms);
    (retention > 0 && age > retention).then(|| {
        format!(
            "the snapshot was taken at {} ({} ago), longer ago than tombstone_retention_ms \
             ({}): keys deleted since then may have no tombstone left on any node",
            i.manifest.created_at,
            human_ms(age),
            human_ms(retention)
        )
    })
}

/// `1 d 2 h`, `3 h 4 min`, `5 min 6 s` or `7 s` (whole units, rounded down).
fn human_ms(ms: u64) -> String {
    let s = ms / 1000;
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec} s"),
        (0, 0, _) => format!("{m} min {sec} s"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests;
