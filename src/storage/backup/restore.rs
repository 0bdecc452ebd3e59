//! Restoring a verified backup file into a stopped node's data dir (design.md §5): inspect the
//! target ([`inspect_target`]), gather what the refusal rules need and decide ([`prepare`],
//! rules in [`super::plan`]), then build the new database beside the old one and swap it in
//! ([`build_and_swap`]).
//!
//! Guarantees: nothing in the data dir changes before the swap; a node started meanwhile finds
//! the database locked (the restore holds redb's lock on the old file) and fails "in use"; at
//! every moment `novakms.redb` is the complete old or the complete new database (a kill leaves
//! one of them and a build directory the next run removes); with `--force` the old database is
//! kept as `novakms.redb.old-<UTC time>`; one restore at a time per data dir (a lock on the
//! directory). The new database is opened (full verification), compared with the manifest and
//! fsynced before the swap, and the file must end on the digest verified before.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::dest::fsync_dir;
use super::format::{Manifest, DIGEST_LEN};
use super::import::{import, ImportReport};
use super::plan::{
    check_schema, plan_restore, ChainFacts, ConfiguredCluster, Note, PlanInputs, RestorePlan,
    SecretStorage, SignerRegistration, TargetState, OLD_PREFIX,
};
use super::read::{buffered, open_file, BackupReader, Verified};
use super::write::Progress;
use crate::config::{MasterSecretStorage, Settings};
use crate::error::{Error, ErrorKind, Result};
use crate::storage::redb::{RedbStorage, DB_FILE_NAME, SCHEMA_VERSION, VIEW_PREFIX};
use crate::storage::{RestoreMarker, Storage};

/// Name prefix of the temporary build directories inside the data dir.
const TMP_PREFIX: &str = ".novakms-restore-";

/// What `restore` was asked to do.
#[derive(Clone, Debug)]
pub struct RestoreRequest {
    /// The backup file.
    pub file: PathBuf,
    /// The data dir of the stopped node.
    pub data_dir: PathBuf,
    /// `--force`: override the refusals of rules 2–4 ([`super::plan`]).
    pub force: bool,
    /// `--signer` (canonical): the operator trusts this signer; the chain lookup is skipped.
    pub signer: Option<String>,
    /// `--no-chain-check`: do not compare with the chain even when the registries are set.
    pub no_chain_check: bool,
}

/// Take `flock(LOCK_EX | LOCK_NB)` on `f` (the lock redb takes as its single-instance guard):
/// `Ok(false)` if another open file holds it. (fs4's trait is named explicitly: std's
/// `File::try_lock`, stable since Rust 1.89, is newer than this crate's MSRV.)
fn try_lock(f: &File) -> io::Result<bool> {
    match fs4::FileExt::try_lock(f) {
        Ok(()) => Ok(true),
        Err(fs4::TryLockError::WouldBlock) => Ok(false),
        Err(fs4::TryLockError::Error(e)) => Err(e),
    }
}

fn in_use(dir: &Path) -> Error {
    Error::new(
        ErrorKind::InUse,
        format!(
            "data dir {} is in use by a running node: stop it before restoring",
            dir.display()
        ),
    )
}

/// Lock the database file the way redb does (the node's single-instance guard); the lock lives
/// as long as the returned file. Errors: InUse when a node holds it.
fn lock_db(dir: &Path, db: &Path) -> Result<File> {
    let f =
        File::open(db).map_err(|e| Error::local(format!("cannot open {}: {e}", db.display())))?;
    match try_lock(&f) {
        Ok(true) => Ok(f),
        Ok(false) => Err(in_use(dir)),
        Err(e) => Err(Error::local(format!("cannot lock {}: {e}", db.display()))),
    }
}

/// Whether novakms put an entry of this name into a data dir.
fn is_ours(name: &str) -> bool {
    name == DB_FILE_NAME
        || name == crate::admin_wire::SOCKET_FILE
        || name == "lost+found"
        || name.starts_with(OLD_PREFIX)
        || name.starts_with(&format!("{DB_FILE_NAME}.init-"))
        || name.starts_with(&format!("{DB_FILE_NAME}.upgrade-"))
        || name.starts_with(&format!("{DB_FILE_NAME}.probe-"))
        || name.starts_with(VIEW_PREFIX)
        || name.starts_with(TMP_PREFIX)
}

/// Entries of `dir` that novakms did not put there, sorted.
fn foreign_entries(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => {
            return Err(Error::local(format!(
                "cannot read data dir {}: {e}",
                dir.display()
            )))
        }
    };
    for entry in rd {
        let entry = entry.map_err(|e| Error::local(format!("cannot read data dir: {e}")))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_ours(&name) {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// Look at the target without changing it: its database's state and the foreign entries. The
/// database is opened read-only ([`RedbStorage::open_read_only`]: never written, not even its
/// header; one that needs a repair is read through an in-memory view, one written by novakms 0.1.0
/// from a private copy).
/// Errors: InUse (a node holds the database), Local.
pub fn inspect_target(dir: &Path) -> Result<(TargetState, Vec<String>)> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Error::local(format!(
                "data dir {} exists and is not a directory",
                dir.display()
            )))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((TargetState::Absent, vec![])),
        Err(e) => {
            return Err(Error::local(format!(
                "cannot access data dir {}: {e}",
                dir.display()
            )))
        }
    }
    let foreign = foreign_entries(dir)?;
    let db = dir.join(DB_FILE_NAME);
    if db.symlink_metadata().is_err() {
        return Ok((TargetState::Absent, foreign));
    }
    // Cheap check first (no repair, no verification of a file a node is using).
    drop(lock_db(dir, &db)?);
    let state = match RedbStorage::open_read_only(dir) {
        Ok(st) => {
            let binding = st.binding()?;
            let stats = st.stats(0)?;
            let sealed = st.load_sealed_master_secret()?.is_some();
            if stats.namespaces == 0 && !sealed {
                TargetState::Empty(binding)
            } else {
                TargetState::NonEmpty {
                    binding,
                    apps: stats.namespaces,
                    keys: stats.total_keys,
                    sealed,
                }
            }
        }
        Err(e) if e.kind() == ErrorKind::InUse => return Err(in_use(dir)),
        Err(e) => TargetState::Unreadable(e.message().to_string()),
    };
    Ok((state, foreign))
}

/// The wallet of the configured keystore, read from its `address` field (no password needed).
fn keystore_wallet(s: &Settings) -> Option<String> {
    let path = s.keystore.as_ref()?;
    let text = fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    crate::crypto::pop::canonical_wallet(v.get("address")?.as_str()?).ok()
}

/// Read what the chain says about the snapshot: chain id, masterSecretHash and (unless the
/// signer is pinned) the signer's registration. Errors: Remote, with a `--no-chain-check` hint.
async fn chain_facts(s: &Settings, m: &Manifest, signer_pinned: bool) -> Result<ChainFacts> {
    let reg = crate::chain::registry::RegistryClient::new(
        &s.rpc_url,
        &s.nova_app_registry,
        &s.kms_registry,
        s.rpc_timeout(),
    )?;
    let hint = |e: Error| {
        Error::new(
            e.kind(),
            format!(
                "cannot compare the snapshot with the chain: {} (check rpc_url; without the \
                 chain nothing vouches for the snapshot's signer {}, so restoring with \
                 --no-chain-check also requires --signer {} if you know it is one of your KMS \
                 nodes)",
                e.message(),
                m.node_wallet,
                m.node_wallet
            ),
        )
    };
    let chain_id = reg.chain_id().await.map_err(hint)?;
    let master_secret_hash = reg.master_secret_hash().await.map_err(hint)?;
    let signer = if signer_pinned {
        None
    } else {
        let inst = reg
            .get_instance_by_wallet(&m.node_wallet)
            .await
            .map_err(hint)?;
        Some(SignerRegistration {
            instance_id: inst.id,
            app_id: inst.app_id,
        })
    };
    Ok(ChainFacts {
        chain_id,
        master_secret_hash,
        signer,
    })
}

/// Decide whether and how to restore the verified snapshot `v` (module docs of
/// [`super::plan`]): schema first, then the target (InUse before anything else), the
/// configuration and, when the registries are configured and `!no_chain_check`, the chain.
/// Every [`Note`] of the plan is logged as a warning.
///
/// Errors: Refused (newer schema; or refusals without `--force`), InUse, Remote (chain not
/// readable), Local.
pub async fn prepare(s: &Settings, v: &Verified, req: &RestoreRequest) -> Result<RestorePlan> {
    let m = &v.manifest;
    check_schema(m, SCHEMA_VERSION)?;
    let dir = req.data_dir.clone();
    let (target, foreign) = tokio::task::spawn_blocking(move || inspect_target(&dir))
        .await
        .map_err(|e| Error::local(format!("background task failed: {e}")))??;
    let configured = (!s.nova_app_registry.is_empty() && !s.kms_registry.is_empty()).then(|| {
        ConfiguredCluster {
            nova_app_registry: s.nova_app_registry.clone(),
            kms_registry: s.kms_registry.clone(),
            kms_app_id: s.kms_app_id,
        }
    });
    let chain = match &configured {
        Some(_) if !req.no_chain_check => Some(chain_facts(s, m, req.signer.is_some()).await?),
        _ => None,
    };
    let keystore = keystore_wallet(s);
    let plan = plan_restore(&PlanInputs {
        file: &req.file,
        data_dir: &req.data_dir,
        manifest: m,
        target: &target,
        foreign: &foreign,
        configured: configured.as_ref(),
        chain: chain.as_ref(),
        secret_storage: match s.master_secret_storage {
            MasterSecretStorage::None => SecretStorage::None,
            _ => SecretStorage::Sealed,
        },
        keystore_wallet: keystore.as_deref(),
        signer_pinned: req.signer.is_some(),
        no_chain_check: req.no_chain_check,
        now_ms: crate::clock::Clock::system().now_ms(),
        tombstone_retention_ms: s.tombstone_retention_ms,
        force: req.force,
    })?;
    for n in &plan.notes {
        log_note(n);
    }
    Ok(plan)
}

/// Log a [`Note`] as a warning.
fn log_note(n: &Note) {
    match n {
        Note::Forced(r) => tracing::warn!("--force: {r}"),
        Note::NoHashToCompare => tracing::warn!(
            "the snapshot does not record masterSecretHash; cannot compare it with the chain"
        ),
        Note::SecretStorageNone => tracing::warn!(
            "master_secret_storage = none: not restoring the sealed master secret; the node \
             obtains it from its peers"
        ),
        Note::SealedForOther { sealed_for, node } => tracing::warn!(
            sealed_for = %sealed_for,
            node = %node,
            "the snapshot's master secret is sealed for another node identity: not \
             restoring it; this node obtains the secret from its peers"
        ),
        Note::NoKeystore { sealed_for } => tracing::warn!(
            sealed_for = %sealed_for,
            "no keystore configured (--keystore): cannot tell whether this node is the \
             identity the master secret was sealed for; not restoring it"
        ),
    }
}

/// What happened to the snapshot's sealed master secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretOutcome {
    /// Stored in the new database.
    Restored,
    /// In the snapshot but not restored (another identity, no keystore, or storage `none`).
    Dropped,
    /// Not in the snapshot.
    Absent,
}

impl SecretOutcome {
    /// `restored`, `dropped` or `absent` (the `master_secret` field of `restore -o json`).
    pub fn as_str(self) -> &'static str {
        match self {
            SecretOutcome::Restored => "restored",
            SecretOutcome::Dropped => "dropped",
            SecretOutcome::Absent => "absent",
        }
    }
}

/// Result of [`build_and_swap`].
#[derive(Clone, Debug)]
pub struct Restored {
    /// The import, verified by its own pass over the file.
    pub report: ImportReport,
    /// Where `--force` kept the old database, if there was one.
    pub old_moved_to: Option<PathBuf>,
    /// What happened to the sealed master secret.
    pub master_secret: SecretOutcome,
}

/// Remove build directories left by killed restores (the caller holds the dir lock).
fn clean_stale(dir: &Path) {
    if let Ok(rd) = fs::read_dir(dir) {
        for entry in rd.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                tracing::info!(path = %entry.path().display(), "removing the leftover of an interrupted restore");
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::local(format!("cannot create {}: {e}", dir.display())))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| Error::local(format!("cannot set mode of {}: {e}", dir.display())))
}

/// Open the database just built in `tmp` (full verification at open) and compare it with the
/// manifest. Errors: Integrity naming the difference.
fn check_restored(tmp: &Path, m: &Manifest) -> Result<()> {
    let st = RedbStorage::open(tmp)?;
    let mismatch = |what: String| Error::integrity(format!("restored database differs: {what}"));
    for a in &m.apps {
        let u = st.app_usage(a.app_id)?;
        if (u.live_keys, u.tombstones, u.bytes) != (a.records, a.tombstones, a.bytes) {
            return Err(mismatch(format!("app {} counts", a.app_id)));
        }
    }
    if st.stats(0)?.namespaces != m.totals.apps {
        return Err(mismatch("number of apps".into()));
    }
    if st.binding()?.as_ref() != Some(&m.cluster) {
        return Err(mismatch("cluster binding".into()));
    }
    Ok(())
}

/// Build the new database from `file` beside the old one in `dir` and swap it in (module
/// docs). `digest` is the digest verified before; `plan` says whether to keep the sealed
/// secret. Blocking.
///
/// Errors: InUse (another restore, or a node started meanwhile), Integrity (the file changed
/// since it was verified, or the built database differs from the manifest), Local (I/O).
pub fn build_and_swap(
    file: &Path,
    dir: &Path,
    digest: [u8; DIGEST_LEN],
    manifest: &Manifest,
    plan: &RestorePlan,
    force: bool,
    progress: Option<Progress<'_>>,
) -> Result<Restored> {
    create_private_dir(dir)?;
    // One restore at a time per data dir (flock on the directory itself).
    let dir_lock = File::open(dir)
        .map_err(|e| Error::local(format!("cannot open data dir {}: {e}", dir.display())))?;
    match try_lock(&dir_lock) {
        Ok(true) => {}
        Ok(false) => {
            return Err(Error::new(
                ErrorKind::InUse,
                format!("another restore into {} is running", dir.display()),
            ))
        }
        Err(e) => return Err(Error::local(format!("cannot lock {}: {e}", dir.display()))),
    }
    clean_stale(dir);
    let db = dir.join(DB_FILE_NAME);
    // Hold the node's lock on the old database until the swap: a node started meanwhile fails
    // with "in use" instead of running on a file that is about to be replaced.
    let old_lock = match db.symlink_metadata() {
        Ok(_) => Some(lock_db(dir, &db)?),
        Err(_) => None,
    };
    let tmp = dir.join(format!("{TMP_PREFIX}{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    create_private_dir(&tmp)?;
    tracing::info!(path = %tmp.display(), "building the new database");
    let built = (|| {
        let storage = RedbStorage::open(&tmp)?;
        let rd = BackupReader::open(buffered(open_file(file)?))?;
        let report = import(rd, &storage, plan.keep_sealed, progress)?;
        if report.verified.digest != digest {
            return Err(Error::integrity(format!(
                "{} changed since it was verified",
                file.display()
            )));
        }
        // Until it has reconciled with its live peers, the node offers none of these records
        // (issue 10, `node::rejoin`).
        storage.set_restore_marker(Some(&RestoreMarker {
            snapshot_created_at_ms: manifest.created_at_ms,
            high_water_seq: storage.last_seq()?,
            restored_at_ms: crate::clock::Clock::system().now_ms(),
        }))?;
        drop(storage);
        check_restored(&tmp, manifest)?;
        let new_db = tmp.join(DB_FILE_NAME);
        File::open(&new_db)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::local(format!("cannot sync {}: {e}", new_db.display())))?;
        fsync_dir(&tmp)?;
        Ok(report)
    })();
    let report = match built {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    tracing::info!("new database built, verified and synced; swapping it in");
    let new_db = tmp.join(DB_FILE_NAME);
    let mut old_moved_to = None;
    if old_lock.is_some() {
        if force {
            // Keep the old database under a new name first (a second link to the same file):
            // at every moment novakms.redb is the complete old or the complete new database.
            let ts = crate::clock::compact_timestamp(crate::clock::Clock::system().now_ms());
            let mut n = 0u32;
            let aside = loop {
                let name = if n == 0 {
                    format!("{OLD_PREFIX}{ts}")
                } else {
                    format!("{OLD_PREFIX}{ts}-{n}")
                };
                let p = dir.join(name);
                match fs::hard_link(&db, &p) {
                    Ok(()) => break p,
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                    Err(e) => {
                        let _ = fs::remove_dir_all(&tmp);
                        return Err(Error::local(format!(
                            "cannot keep the old database as {}: {e}",
                            p.display()
                        )));
                    }
                }
            };
            fsync_dir(dir)?;
            tracing::info!(path = %aside.display(), "old database kept aside");
            old_moved_to = Some(aside);
        }
        fs::rename(&new_db, &db).map_err(|e| {
            Error::local(format!("cannot move the restored database into place: {e}"))
        })?;
    } else {
        // No old database: publish without ever replacing one a node may have created since.
        match fs::hard_link(&new_db, &db) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let _ = fs::remove_dir_all(&tmp);
                return Err(Error::new(
                    ErrorKind::InUse,
                    format!(
                        "a database appeared in {} during the restore (a node started?); \
                         nothing was replaced",
                        dir.display()
                    ),
                ));
            }
            Err(e) => {
                let _ = fs::remove_dir_all(&tmp);
                return Err(Error::local(format!(
                    "cannot move the restored database into place: {e}"
                )));
            }
        }
    }
    fsync_dir(dir)?;
    tracing::info!(path = %db.display(), "restored database in place");
    drop(old_lock);
    let _ = fs::remove_dir_all(&tmp);
    fsync_dir(dir)?;
    drop(dir_lock);
    let master_secret = if report.sealed_master_secret_restored {
        SecretOutcome::Restored
    } else if manifest.sealed_master_secret.is_some() {
        SecretOutcome::Dropped
    } else {
        SecretOutcome::Absent
    };
    Ok(Restored {
        report,
        old_moved_to,
        master_secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;
    use crate::storage::backup::fixtures::*;
    use crate::storage::backup::write_backup;
    use crate::storage::MemoryStorage;

    #[test]
    fn names_novakms_owns() {
        for n in [
            "novakms.redb",
            "admin.sock",
            "lost+found",
            "novakms.redb.old-20240501T120000Z",
            "novakms.redb.init-1",
            ".novakms-restore-42",
            "novakms.redb.view-42-0",
        ] {
            assert!(is_ours(n), "{n}");
        }
        for n in ["notes.txt", "novakms.redb2", "admin.sock.bak"] {
            assert!(!is_ours(n), "{n}");
        }
    }

    #[test]
    fn target_states_and_locks() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("d");
        assert_eq!(inspect_target(&dir).unwrap(), (TargetState::Absent, vec![]));
        let st = RedbStorage::open(&dir).unwrap();
        // A running node holds the lock: InUse.
        let e = inspect_target(&dir).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InUse, "{e}");
        st.set_binding(&binding(1)).unwrap();
        drop(st);
        fs::write(dir.join("notes.txt"), b"x").unwrap();
        assert_eq!(
            inspect_target(&dir).unwrap(),
            (
                TargetState::Empty(Some(binding(1))),
                vec!["notes.txt".to_string()]
            )
        );
        fs::remove_file(dir.join("notes.txt")).unwrap();
        let st = RedbStorage::open(&dir).unwrap();
        populate(&st);
        drop(st);
        match inspect_target(&dir).unwrap().0 {
            TargetState::NonEmpty { apps, sealed, .. } => assert_eq!((apps, sealed), (3, true)),
            s => panic!("{s:?}"),
        }
    }

    #[test]
    fn build_and_swap_keeps_the_old_database_aside_with_force() {
        let t = tempfile::tempdir().unwrap();
        let id = Identity::generate();
        let mem = MemoryStorage::new();
        populate(&mem);
        let file = t.path().join("s.nksnap");
        let (sum, _) = write_backup(&mem, File::create(&file).unwrap(), &id, ctx(), None).unwrap();
        let dir = t.path().join("d");
        let plan = RestorePlan {
            keep_sealed: false,
            notes: vec![],
        };
        let r = build_and_swap(&file, &dir, sum.digest, &sum.manifest, &plan, false, None).unwrap();
        assert_eq!(r.master_secret, SecretOutcome::Dropped);
        assert!(r.old_moved_to.is_none());
        let st = RedbStorage::open(&dir).unwrap();
        assert_eq!(contents(&st), contents(&mem));
        assert_eq!(st.load_sealed_master_secret().unwrap(), None);
        let first_log = st.log_id().unwrap().unwrap();
        assert_ne!(Some(first_log.clone()), mem.log_id().unwrap());
        drop(st);
        // Again with --force and the secret: the old database is kept aside.
        let plan = RestorePlan {
            keep_sealed: true,
            notes: vec![],
        };
        let r = build_and_swap(&file, &dir, sum.digest, &sum.manifest, &plan, true, None).unwrap();
        assert_eq!(r.master_secret, SecretOutcome::Restored);
        let old = r.old_moved_to.unwrap();
        assert!(old
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(OLD_PREFIX));
        // Each restore is a new change log: peers must not resume their pull cursors in it
        // (`node::replicator::paged`, "Pull cursors").
        let second_log = RedbStorage::open(&dir).unwrap().log_id().unwrap().unwrap();
        assert_ne!(second_log, first_log, "a restore starts a new change log");
        // A digest that is not the verified one: nothing changes, no build dir is left.
        let e = build_and_swap(&file, &dir, [0; 32], &sum.manifest, &plan, true, None).unwrap_err();
        assert!(e.message().contains("changed since it was verified"), "{e}");
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(TMP_PREFIX)),
            "{names:?}"
        );
        assert_eq!(
            RedbStorage::open(&dir)
                .unwrap()
                .load_sealed_master_secret()
                .unwrap(),
            Some(vec![7; 61])
        );
    }
}
