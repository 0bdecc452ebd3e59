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
//!
//! Reasons of rules 2–4 are refusals without `--force` and are only warned about with it.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::backup::fixtures::{binding, N1};
    use crate::storage::backup::{BackupMode, HashSource, SealedInfo, Totals};

    const N2: &str = "0x2222222222222222222222222222222222222222";
    const HASH: [u8; 32] = [0xab; 32];

    fn manifest() -> Manifest {
        Manifest {
            created_at: "2024-05-01T12:00:00.123Z".into(),
            created_at_ms: 1_714_564_800_123,
            novakms_version: "0.1.0".into(),
            schema_version: 1,
            mode: BackupMode::Offline,
            node_wallet: N1.into(),
            cluster: binding(31337),
            master_secret_hash: Some(format!("0x{}", hex::encode(HASH))),
            master_secret_hash_source: HashSource::Chain,
            sealed_master_secret: Some(SealedInfo {
                sealed_for: N1.into(),
                bytes: 61,
            }),
            last_seq: 0,
            apps: vec![],
            totals: Totals::default(),
            data_length: 0,
        }
    }

    fn configured() -> ConfiguredCluster {
        let b = binding(31337);
        ConfiguredCluster {
            nova_app_registry: b.nova_app_registry.to_uppercase().replace("0X", "0x"),
            kms_registry: b.kms_registry,
            kms_app_id: 49,
        }
    }

    fn chain() -> ChainFacts {
        ChainFacts {
            chain_id: 31337,
            master_secret_hash: HASH,
            signer: Some(SignerRegistration {
                instance_id: 3,
                app_id: 49,
            }),
        }
    }

    /// One case: edits of the default inputs (an absent target, matching configuration and
    /// chain, the keystore that sealed the secret, no --force) and the expected outcome: the
    /// plan, or substrings of the refusal.
    struct Case {
        name: &'static str,
        target: TargetState,
        foreign: Vec<String>,
        manifest: fn(&mut Manifest),
        configured: Option<ConfiguredCluster>,
        chain: Option<ChainFacts>,
        storage: SecretStorage,
        keystore: Option<&'static str>,
        force: bool,
        expect: std::result::Result<(bool, Vec<Note>), Vec<&'static str>>,
    }

    fn case(name: &'static str) -> Case {
        Case {
            name,
            target: TargetState::Absent,
            foreign: vec![],
            manifest: |_| {},
            configured: Some(configured()),
            chain: Some(chain()),
            storage: SecretStorage::Sealed,
            keystore: Some(N1),
            force: false,
            expect: Ok((true, vec![])),
        }
    }

    fn non_empty(chain_id: u64) -> TargetState {
        TargetState::NonEmpty {
            binding: Some(binding(chain_id)),
            apps: 2,
            keys: 5,
            sealed: true,
        }
    }

    #[test]
    fn refusal_rules() {
        let forced = |s: &str| Note::Forced(s.to_string());
        let cases = vec![
            case("absent target, everything matches"),
            Case {
                target: TargetState::Empty(Some(binding(31337))),
                ..case("empty database of the same cluster")
            },
            Case {
                target: TargetState::Empty(None),
                configured: None,
                chain: None,
                ..case("unbound empty database, nothing configured")
            },
            Case {
                target: TargetState::Empty(Some(binding(1))),
                expect: Err(vec!["belongs to another cluster than the snapshot (chain id 1 != 31337)"]),
                ..case("empty database of another cluster")
            },
            Case {
                target: non_empty(31337),
                expect: Err(vec![
                    "is not empty: its database holds 2 apps (5 live keys) and a sealed master secret",
                    "pass --force to restore anyway (the old database is kept as novakms.redb.old-<time>)",
                ]),
                ..case("non-empty database")
            },
            Case {
                target: non_empty(1),
                expect: Err(vec!["belongs to another cluster", "is not empty"]),
                ..case("non-empty database of another cluster: both reasons")
            },
            Case {
                target: TargetState::Unreadable("bad magic".into()),
                expect: Err(vec!["cannot be opened (bad magic)"]),
                ..case("unreadable database")
            },
            Case {
                foreign: vec!["notes.txt".into(), "x".into()],
                expect: Err(vec!["contains files that are not novakms's: notes.txt, x"]),
                ..case("foreign files")
            },
            Case {
                configured: Some(ConfiguredCluster {
                    kms_app_id: 50,
                    ..configured()
                }),
                expect: Err(vec!["another cluster than the configured one (configured vs snapshot: KMS app id 50 != 49)"]),
                ..case("configured KMS app id differs")
            },
            Case {
                chain: Some(ChainFacts {
                    chain_id: 1,
                    ..chain()
                }),
                expect: Err(vec!["the snapshot is from chain id 31337, the configured chain is 1"]),
                ..case("chain id differs")
            },
            Case {
                chain: Some(ChainFacts {
                    master_secret_hash: [1; 32],
                    ..chain()
                }),
                expect: Err(vec!["differs from the chain's 0x0101"]),
                ..case("masterSecretHash differs")
            },
            Case {
                chain: Some(ChainFacts {
                    master_secret_hash: [0; 32],
                    ..chain()
                }),
                expect: Err(vec!["masterSecretHash is unset on chain"]),
                ..case("masterSecretHash unset on chain")
            },
            Case {
                manifest: |m| m.master_secret_hash = None,
                chain: Some(ChainFacts {
                    master_secret_hash: [0; 32],
                    ..chain()
                }),
                expect: Ok((true, vec![Note::NoHashToCompare])),
                ..case("snapshot without masterSecretHash: noted, not refused")
            },
            Case {
                chain: Some(ChainFacts {
                    signer: Some(SignerRegistration {
                        instance_id: 0,
                        app_id: 0,
                    }),
                    ..chain()
                }),
                expect: Err(vec!["is not registered on chain (pass --signer 0x1111"]),
                ..case("signer not registered")
            },
            Case {
                chain: Some(ChainFacts {
                    signer: Some(SignerRegistration {
                        instance_id: 4,
                        app_id: 1000,
                    }),
                    ..chain()
                }),
                expect: Err(vec!["is an instance of app 1000, not of the KMS app 49"]),
                ..case("signer of another app")
            },
            Case {
                chain: Some(ChainFacts {
                    signer: None,
                    ..chain()
                }),
                ..case("signer pinned: not looked up")
            },
            Case {
                target: non_empty(1),
                chain: Some(ChainFacts {
                    chain_id: 1,
                    ..chain()
                }),
                force: true,
                expect: Ok((
                    true,
                    vec![
                        forced("the database in /d belongs to another cluster than the snapshot (chain id 1 != 31337)"),
                        forced("data dir /d is not empty: its database holds 2 apps (5 live keys) and a sealed master secret"),
                        forced("the snapshot is from chain id 31337, the configured chain is 1"),
                    ],
                )),
                ..case("--force overrides every reason, in rule order")
            },
            Case {
                storage: SecretStorage::None,
                expect: Ok((false, vec![Note::SecretStorageNone])),
                ..case("master_secret_storage = none")
            },
            Case {
                keystore: Some(N2),
                expect: Ok((
                    false,
                    vec![Note::SealedForOther {
                        sealed_for: N1.into(),
                        node: N2.into(),
                    }],
                )),
                ..case("sealed for another identity")
            },
            Case {
                keystore: None,
                expect: Ok((
                    false,
                    vec![Note::NoKeystore {
                        sealed_for: N1.into(),
                    }],
                )),
                ..case("no keystore")
            },
            Case {
                manifest: |m| m.sealed_master_secret = None,
                keystore: None,
                expect: Ok((false, vec![])),
                ..case("no sealed secret in the snapshot")
            },
        ];
        for c in cases {
            let mut m = manifest();
            (c.manifest)(&mut m);
            let got = plan_restore(&PlanInputs {
                file: Path::new("/b.nksnap"),
                data_dir: Path::new("/d"),
                manifest: &m,
                target: &c.target,
                foreign: &c.foreign,
                configured: c.configured.as_ref(),
                chain: c.chain.as_ref(),
                secret_storage: c.storage,
                keystore_wallet: c.keystore,
                force: c.force,
            });
            match (got, c.expect) {
                (Ok(p), Ok((keep, notes))) => {
                    assert_eq!((p.keep_sealed, p.notes), (keep, notes), "{}", c.name)
                }
                (Err(e), Err(parts)) => {
                    assert_eq!(e.kind(), ErrorKind::Refused, "{}", c.name);
                    assert!(
                        e.message()
                            .starts_with("refusing to restore /b.nksnap into /d: "),
                        "{}: {e}",
                        c.name
                    );
                    for part in parts {
                        assert!(e.message().contains(part), "{}: {e}", c.name);
                    }
                }
                (got, want) => panic!("{}: got {got:?}, want {want:?}", c.name),
            }
        }
    }

    #[test]
    fn newer_schema_is_refused_even_with_force() {
        let mut m = manifest();
        check_schema(&m, 1).unwrap();
        m.schema_version = 2;
        let e = check_schema(&m, 1).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Refused);
        assert!(
            e.message().contains("newer novakms (database schema 2"),
            "{e}"
        );
    }
}
