//! The refusal rules of [`super`], one table of cases (rules 2–6) and the cases outside it.

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
    signer_pinned: bool,
    no_chain_check: bool,
    /// Age of the snapshot at the restore, ms.
    age_ms: u64,
    retention_ms: u64,
    force: bool,
    expect: std::result::Result<(bool, Vec<Note>), Vec<&'static str>>,
}

const DAY_MS: u64 = 86_400_000;

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
        signer_pinned: false,
        no_chain_check: false,
        age_ms: 1000,
        retention_ms: DAY_MS,
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
            signer_pinned: true,
            ..case("unbound empty database, nothing configured, --signer")
        },
        Case {
            configured: None,
            chain: None,
            expect: Err(vec![
                "nothing vouches for the snapshot's signer 0x1111111111111111111111111111111111111111: no registries are configured",
                "(pass --signer 0x1111111111111111111111111111111111111111 if you know it is one of your KMS nodes)",
            ]),
            ..case("nothing configured and no --signer: the signer is not trusted")
        },
        Case {
            chain: None,
            no_chain_check: true,
            expect: Err(vec!["nothing vouches for the snapshot's signer", "--no-chain-check skips the chain lookup"]),
            ..case("--no-chain-check without --signer")
        },
        Case {
            chain: None,
            no_chain_check: true,
            signer_pinned: true,
            ..case("--no-chain-check with --signer")
        },
        Case {
            age_ms: DAY_MS + 1,
            expect: Err(vec![
                "the snapshot was taken at 2024-05-01T12:00:00.123Z (1 d 0 h ago), longer ago than tombstone_retention_ms (1 d 0 h)",
            ]),
            ..case("older than the tombstone retention")
        },
        Case {
            age_ms: DAY_MS,
            ..case("exactly as old as the tombstone retention")
        },
        Case {
            age_ms: 400 * DAY_MS,
            retention_ms: 0,
            ..case("tombstones kept forever: no age limit")
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
            signer_pinned: true,
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
            signer_pinned: c.signer_pinned,
            no_chain_check: c.no_chain_check,
            now_ms: m.created_at_ms + c.age_ms,
            tombstone_retention_ms: c.retention_ms,
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
fn force_turns_trust_and_freshness_into_warnings() {
    let m = manifest();
    let got = plan_restore(&PlanInputs {
        file: Path::new("/b.nksnap"),
        data_dir: Path::new("/d"),
        manifest: &m,
        target: &TargetState::Absent,
        foreign: &[],
        configured: None,
        chain: None,
        secret_storage: SecretStorage::Sealed,
        keystore_wallet: Some(N1),
        signer_pinned: false,
        no_chain_check: false,
        now_ms: m.created_at_ms + 2 * DAY_MS,
        tombstone_retention_ms: DAY_MS,
        force: true,
    })
    .unwrap();
    let forced: Vec<&str> = got
        .notes
        .iter()
        .map(|n| match n {
            Note::Forced(r) => r.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(forced.len(), 2, "{forced:?}");
    assert!(forced[0].starts_with("nothing vouches"), "{forced:?}");
    assert!(forced[1].contains("tombstone_retention_ms"), "{forced:?}");
    assert_eq!(human_ms(59_999), "59 s");
    assert_eq!(human_ms(306_000), "5 min 6 s");
    assert_eq!(human_ms(3_723_000), "1 h 2 min");
    assert_eq!(human_ms(90_061_000), "1 d 1 h");
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
