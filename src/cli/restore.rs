//! `novakms restore FILE --data-dir D [--force]`: verified restore of a `.nksnap` snapshot into
//! a stopped node's data dir (design.md §5), swapped in atomically.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use serde_json::json;

use crate::cli::backup::{bar_progress, blocking, progress_bar};
use crate::cli::{print_json, Cli, Output};
use crate::config::{MasterSecretStorage, Settings};
use crate::error::{Error, ErrorKind, Result};
use crate::storage::backup::dest::fsync_dir;
use crate::storage::backup::{self, canonical_signer, BackupReader, Manifest};
use crate::storage::redb::{RedbStorage, DB_FILE_NAME, SCHEMA_VERSION};
use crate::storage::{ClusterBinding, Storage};

/// Help text after the options of `restore`.
pub const RESTORE_HELP: &str = "\
Order of work: (1) verify the whole snapshot (digest, signature, structure, counts; --signer);
(2) refuse a data dir in use by a running node; (3) compare the snapshot's cluster with the
existing database, with the configuration (nova_app_registry, kms_registry, kms_app_id) and, when
the registries are configured, with the chain (chain id, masterSecretHash, signer registered for
the KMS app unless --signer is given); (4) build the new database as a temporary file inside the
data dir, verify it and fsync it; (5) swap it in with one rename (with --force the old database
is first linked aside as novakms.redb.old-<UTC time>). Nothing in the data dir changes before
step 5, and a kill at any moment leaves novakms.redb either the old or the new database; rerun
the same command to finish.

Not restored: the change log and peer cursors (the node re-offers every record to its peers)
and, unless this node is the identity it was sealed for (keystore address), the sealed master
secret: a node with another identity obtains the secret from its peers. Start the node with
`novakms serve` afterwards: it rejoins the cluster and catches up from its peers.

Output: text summary, or -o json: {\"file\",\"data_dir\",\"sha256\",\"signer\",\"apps\",\"records\",
\"tombstones\",\"master_secret\" (\"restored\", \"dropped\" or \"absent\"),\"old_database\" (path or
null),\"seconds\"}.

Exit codes:
  0  restored
  1  local error (I/O, invalid arguments)
  3  the chain could not be read (pass --no-chain-check to skip the comparison)
  5  the snapshot failed verification (digest, signature, structure, counts, --signer)
  6  the data dir is in use by a running node (or another restore)
  7  refused without --force: non-empty data dir, unreadable database, snapshot from another
     cluster (chain id, registries, KMS app id, masterSecretHash, signer not registered), or a
     snapshot from a newer schema (not overridable)";

/// Arguments of `restore`.
#[derive(Debug, Args)]
#[command(after_help = RESTORE_HELP)]
pub struct RestoreArgs {
    /// Snapshot file (*.nksnap)
    pub file: PathBuf,
    /// Data dir of the stopped node to restore into (created if missing)
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Replace a non-empty database or one from another cluster (the old one is kept aside)
    #[arg(long)]
    pub force: bool,
    /// Require this signer wallet (and skip the on-chain check of the signer)
    #[arg(long)]
    pub signer: Option<String>,
    /// Do not compare the snapshot with the chain even when the registries are configured
    #[arg(long)]
    pub no_chain_check: bool,
}

/// Name prefix of the temporary build directories inside the data dir.
const TMP_PREFIX: &str = ".novakms-restore-";
/// Name prefix of databases moved aside by `--force`.
pub const OLD_PREFIX: &str = "novakms.redb.old-";

/// What the data dir holds before the restore.
#[derive(Debug)]
enum DbState {
    Absent,
    /// A database without records and without a sealed master secret.
    Empty(Option<ClusterBinding>),
    NonEmpty {
        binding: Option<ClusterBinding>,
        apps: u64,
        keys: u64,
        sealed: bool,
    },
    Unreadable(String),
}

/// Take `flock(LOCK_EX | LOCK_NB)` on `f`: `Ok(false)` if another open file holds it.
fn try_flock(f: &File) -> io::Result<bool> {
    // SAFETY: flock on a valid, owned file descriptor; no memory is shared.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
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
    match try_flock(&f) {
        Ok(true) => Ok(f),
        Ok(false) => Err(in_use(dir)),
        Err(e) => Err(Error::local(format!("cannot lock {}: {e}", db.display()))),
    }
}

/// Entries of `dir` that novakms did not put there.
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
        let ours = name == DB_FILE_NAME
            || name == crate::admin_wire::SOCKET_FILE
            || name == "lost+found"
            || name.starts_with(OLD_PREFIX)
            || name.starts_with(&format!("{DB_FILE_NAME}.init-"))
            || name.starts_with(TMP_PREFIX);
        if !ours {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// Look at the target without changing it. Errors: InUse (a node holds the database), Local.
fn inspect_target(dir: &Path) -> Result<(DbState, Vec<String>)> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Error::local(format!(
                "data dir {} exists and is not a directory",
                dir.display()
            )))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((DbState::Absent, vec![])),
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
        return Ok((DbState::Absent, foreign));
    }
    // Cheap check first (no repair, no verification of a file a node is using).
    drop(lock_db(dir, &db)?);
    let state = match RedbStorage::open(dir) {
        Ok(st) => {
            let binding = st.binding()?;
            let stats = st.stats(0)?;
            let sealed = st.load_sealed_master_secret()?.is_some();
            if stats.namespaces == 0 && !sealed {
                DbState::Empty(binding)
            } else {
                let keys = stats.total_keys;
                DbState::NonEmpty {
                    binding,
                    apps: stats.namespaces,
                    keys,
                    sealed,
                }
            }
        }
        Err(e) if e.kind() == ErrorKind::InUse => return Err(in_use(dir)),
        Err(e) => DbState::Unreadable(e.message().to_string()),
    };
    Ok((state, foreign))
}

/// Differences between two cluster bindings (node wallets are not compared: a restore onto a
/// new identity is allowed).
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

/// Why the target refuses this snapshot without `--force`.
fn target_refusals(dir: &Path, state: &DbState, foreign: &[String], m: &Manifest) -> Vec<String> {
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
        DbState::Absent => {}
        DbState::Empty(b) => binding_check(b),
        DbState::NonEmpty {
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
        DbState::Unreadable(msg) => out.push(format!(
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

fn registries_configured(s: &Settings) -> bool {
    !s.nova_app_registry.is_empty() && !s.kms_registry.is_empty()
}

/// Differences between the configured cluster and the snapshot's (no chain access).
fn config_refusals(s: &Settings, m: &Manifest) -> Vec<String> {
    if !registries_configured(s) {
        return Vec::new();
    }
    let configured = ClusterBinding {
        chain_id: m.cluster.chain_id,
        nova_app_registry: s.nova_app_registry.clone(),
        kms_registry: s.kms_registry.clone(),
        kms_app_id: s.kms_app_id,
        node_wallet: String::new(),
    };
    let d = cluster_diff(&configured, &m.cluster);
    if d.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "the snapshot is from another cluster than the configured one (configured vs \
             snapshot: {})",
            d.join(", ")
        )]
    }
}

/// Compare the snapshot with the chain: chain id, masterSecretHash, and (unless the caller
/// pinned the signer) the signer's registration. Errors: Remote (with a hint).
async fn chain_refusals(s: &Settings, m: &Manifest, signer_pinned: bool) -> Result<Vec<String>> {
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
                "cannot compare the snapshot with the chain: {} (pass --no-chain-check to \
                 restore without it)",
                e.message()
            ),
        )
    };
    let mut out = Vec::new();
    let chain_id = reg.chain_id().await.map_err(hint)?;
    if chain_id != m.cluster.chain_id {
        out.push(format!(
            "the snapshot is from chain id {}, the configured chain is {chain_id}",
            m.cluster.chain_id
        ));
    }
    let hash = reg.master_secret_hash().await.map_err(hint)?;
    let on_chain = (hash != [0u8; 32]).then(|| format!("0x{}", hex::encode(hash)));
    match (&m.master_secret_hash, &on_chain) {
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b) => out.push(format!(
            "the snapshot's masterSecretHash {a} differs from the chain's {b}: its records are \
             encrypted under another master secret"
        )),
        (Some(a), None) => out.push(format!(
            "masterSecretHash is unset on chain but the snapshot's records are encrypted under \
             {a}"
        )),
        (None, _) => tracing::warn!(
            "the snapshot does not record masterSecretHash; cannot compare it with the chain"
        ),
        _ => {}
    }
    if !signer_pinned {
        let inst = reg
            .get_instance_by_wallet(&m.node_wallet)
            .await
            .map_err(hint)?;
        if inst.id == 0 {
            out.push(format!(
                "the snapshot's signer {} is not registered on chain (pass --signer {} to \
                 trust it)",
                m.node_wallet, m.node_wallet
            ));
        } else if inst.app_id != m.cluster.kms_app_id {
            out.push(format!(
                "the snapshot's signer {} is an instance of app {}, not of the KMS app {}",
                m.node_wallet, inst.app_id, m.cluster.kms_app_id
            ));
        }
    }
    Ok(out)
}

/// The wallet of the configured keystore, read from its `address` field (no password needed).
fn keystore_wallet(s: &Settings) -> Option<String> {
    let path = s.keystore.as_ref()?;
    let text = fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    crate::crypto::pop::canonical_wallet(v.get("address")?.as_str()?).ok()
}

/// Result of the build-and-swap step.
struct Swapped {
    report: backup::ImportReport,
    old_moved_to: Option<PathBuf>,
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
/// manifest.
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

/// Build the new database beside the old one and swap it in (module docs, `RESTORE_HELP`).
fn build_and_swap(
    file: &Path,
    dir: &Path,
    digest: [u8; 32],
    manifest: &Manifest,
    keep_sealed: bool,
    force: bool,
) -> Result<Swapped> {
    create_private_dir(dir)?;
    // One restore at a time per data dir (flock on the directory itself).
    let dir_lock = File::open(dir)
        .map_err(|e| Error::local(format!("cannot open data dir {}: {e}", dir.display())))?;
    match try_flock(&dir_lock) {
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
        let rd = BackupReader::open(backup::buffered(backup::open_file(file)?))?;
        let bar = progress_bar("restore");
        let report = backup::import(rd, &storage, keep_sealed, Some(bar_progress(&bar)));
        bar.finish_and_clear();
        let report = report?;
        if report.verified.digest != digest {
            return Err(Error::integrity(format!(
                "{} changed since it was verified",
                file.display()
            )));
        }
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
    Ok(Swapped {
        report,
        old_moved_to,
    })
}

/// Run `restore` (exit codes in [`RESTORE_HELP`]).
pub async fn run(cli: &Cli, a: &RestoreArgs) -> Result<()> {
    let s = cli.settings()?;
    let t0 = Instant::now();
    let signer = a.signer.as_deref().map(canonical_signer).transpose()?;

    // 1. Verify everything before touching the data dir.
    let file = a.file.clone();
    let bar = progress_bar("verify");
    let b = bar.clone();
    let verified = blocking(move || backup::verify_file(&file, Some(bar_progress(&b)))).await;
    bar.finish_and_clear();
    let verified = verified?;
    verified.require_signer(signer.as_deref())?;
    let m = verified.manifest.clone();
    if m.schema_version > SCHEMA_VERSION {
        return Err(Error::new(
            ErrorKind::Refused,
            format!(
                "the snapshot comes from a newer novakms (database schema {}, this build knows \
                 up to {SCHEMA_VERSION}); restore it with that version",
                m.schema_version
            ),
        ));
    }

    // 2. The target: in use (6) before anything else.
    let dir = a.data_dir.clone();
    let (state, foreign) = blocking(move || inspect_target(&dir)).await?;

    // 3. Cluster checks: refusals are collected, then overridden only by --force.
    let mut refusals = target_refusals(&a.data_dir, &state, &foreign, &m);
    refusals.extend(config_refusals(&s, &m));
    if registries_configured(&s) && !a.no_chain_check {
        refusals.extend(chain_refusals(&s, &m, signer.is_some()).await?);
    }
    if !refusals.is_empty() {
        if !a.force {
            return Err(Error::new(
                ErrorKind::Refused,
                format!(
                    "refusing to restore {} into {}: {}; pass --force to restore anyway (the old \
                     database is kept as {OLD_PREFIX}<time>)",
                    a.file.display(),
                    a.data_dir.display(),
                    refusals.join("; ")
                ),
            ));
        }
        for r in &refusals {
            tracing::warn!("--force: {r}");
        }
    }

    // 4. The sealed master secret only for the identity it was sealed for.
    let keystore = keystore_wallet(&s);
    let keep_sealed = match (&m.sealed_master_secret, &keystore) {
        (None, _) => false,
        (Some(_), _) if s.master_secret_storage == MasterSecretStorage::None => {
            tracing::warn!(
                "master_secret_storage = none: not restoring the sealed master secret; the node \
                 obtains it from its peers"
            );
            false
        }
        (Some(info), Some(w)) if *w == info.sealed_for => true,
        (Some(info), Some(w)) => {
            tracing::warn!(
                sealed_for = %info.sealed_for,
                node = %w,
                "the snapshot's master secret is sealed for another node identity: not \
                 restoring it; this node obtains the secret from its peers"
            );
            false
        }
        (Some(info), None) => {
            tracing::warn!(
                sealed_for = %info.sealed_for,
                "no keystore configured (--keystore): cannot tell whether this node is the \
                 identity the master secret was sealed for; not restoring it"
            );
            false
        }
    };

    // 5. Build beside the old database and swap.
    let (file, dir, digest, force) = (a.file.clone(), a.data_dir.clone(), verified.digest, a.force);
    let manifest = m.clone();
    let swapped =
        blocking(move || build_and_swap(&file, &dir, digest, &manifest, keep_sealed, force))
            .await?;
    let secs = t0.elapsed().as_secs_f64();
    let secret = if swapped.report.sealed_master_secret_restored {
        "restored"
    } else if m.sealed_master_secret.is_some() {
        "dropped"
    } else {
        "absent"
    };
    let sha = hex::encode(verified.digest);
    match cli.output {
        Output::Json => print_json(&json!({
            "file": a.file,
            "data_dir": a.data_dir,
            "sha256": sha,
            "signer": verified.signer,
            "apps": m.totals.apps,
            "records": m.totals.records,
            "tombstones": m.totals.tombstones,
            "master_secret": secret,
            "old_database": swapped.old_moved_to,
            "seconds": (secs * 1000.0).round() / 1000.0,
        })),
        Output::Text => {
            println!(
                "restored {} into {}: {} apps, {} records, {} tombstones (sha256 {}, signed by \
                 {}), {:.2} s",
                a.file.display(),
                a.data_dir.display(),
                m.totals.apps,
                m.totals.records,
                m.totals.tombstones,
                sha,
                verified.signer,
                secs
            );
            println!("master secret: {secret}");
            if let Some(p) = &swapped.old_moved_to {
                println!("old database kept as {}", p.display());
            }
            println!(
                "start the node with `novakms serve`: it rejoins the cluster and catches up \
                 from its peers"
            );
        }
    }
    Ok(())
}
