//! `novakms backup create|inspect|verify`: consistent snapshots of a node's database in the
//! `.nksnap` format (design.md §5, `storage::snapshot`).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::cli::{print_json, Cli, Output};
use crate::client::admin::AdminClient;
use crate::config::Settings;
use crate::crypto::master::MasterSecret;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::Identity;
use crate::storage::redb::{RedbStorage, DB_FILE_NAME};
use crate::storage::snapshot::{
    self, BackupMode, HashSource, Manifest, ManifestContext, SnapshotReader, Verified,
};
use crate::storage::Storage;

/// Help text after the options of `backup create`.
pub const CREATE_HELP: &str = "\
Online (default): asks the node running on this machine for a snapshot through its admin socket
<DATA_DIR>/admin.sock (data_dir from the configuration, or --admin-socket). The node takes it from
one read transaction: a point-in-time copy while writes continue. The stream is verified as it
arrives. Run as the node's user.

Offline (--data-dir D): reads D/novakms.redb while no node holds it (never copy a live redb file)
and signs with this node's keystore (--keystore, --password-file). masterSecretHash comes from
the chain when nova_app_registry/kms_registry are configured and reachable, else from the sealed
master secret in the database (opened with the keystore), else it is recorded as unknown.

The file is written as FILE.part (mode 0600), fsynced, renamed to FILE, and the directory
fsynced. FILE '-' writes the snapshot to stdout (for piping; never to a terminal). A progress bar
is drawn on stderr when it is a terminal.

Output: text summary, or -o json: {\"file\",\"mode\",\"bytes\",\"sha256\",\"signer\",\"apps\",
\"records\",\"tombstones\",\"seconds\",\"mb_per_s\"} (nothing on stdout when FILE is '-').

Exit codes:
  0  snapshot written
  1  local error (I/O, no keystore, no database in --data-dir)
  3  the node failed or broke off the stream
  4  online: no running node (no admin socket)
  5  the database or the received stream is corrupt
  6  offline: a running node holds the data dir (back up online instead)
  7  FILE exists (pass --force to replace it)
  8  wrong keystore password, or permission denied on the admin socket";

/// Help text after the options of `backup inspect`.
pub const INSPECT_HELP: &str = "\
Reads only the header and the manifest; nothing is verified (use `backup verify`).

Output: a table, or -o json: {\"file\",\"format_version\",\"file_bytes\",\"expected_bytes\",
\"manifest\":{...}} with the manifest exactly as stored (created_at, created_at_ms,
novakms_version, schema_version, mode, node_wallet, cluster {chain_id, nova_app_registry,
kms_registry, kms_app_id, node_wallet}, master_secret_hash, master_secret_hash_source,
sealed_master_secret {sealed_for, bytes} or null, last_seq, apps [{app_id, records, tombstones,
bytes}], totals {apps, records, tombstones, bytes}, data_length).

Exit codes:
  0  manifest printed
  1  cannot read FILE
  5  not a snapshot, unsupported format version, or an invalid manifest";

/// Help text after the options of `backup verify`.
pub const VERIFY_HELP: &str = "\
Reads the whole file once: magic and format version, manifest, every entry (order, record
CRC-32), per-app counts against the manifest, SHA-256 digest, EIP-191 signature (must recover to
the manifest's node_wallet, or to --signer when given), and no byte after the trailer.

Output: text, or -o json: {\"file\",\"ok\",\"sha256\",\"signer\",\"bytes\",\"apps\",\"records\",
\"tombstones\",\"seconds\",\"mb_per_s\"}.

Exit codes:
  0  the snapshot is intact and signed by its node_wallet (and by --signer)
  1  cannot read FILE
  5  any check failed";

/// `backup` subcommands.
#[derive(Debug, Subcommand)]
pub enum BackupCmd {
    /// Write a snapshot: online from the running node, or offline from --data-dir.
    Create(CreateArgs),
    /// Print a snapshot's manifest without reading its data (not verified).
    Inspect(InspectArgs),
    /// Check a snapshot completely: digest, signature, structure, counts (exit 5 on failure).
    Verify(VerifyArgs),
}

/// Arguments of `backup create`.
#[derive(Debug, Args)]
#[command(after_help = CREATE_HELP)]
pub struct CreateArgs {
    /// Snapshot file to write (conventionally *.nksnap); '-' for stdout
    pub file: PathBuf,
    /// Offline backup of this data dir (no node may be running on it)
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Online backup: admin socket of the running node [default: <data_dir>/admin.sock]
    #[arg(long, conflicts_with = "data_dir")]
    pub admin_socket: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `backup inspect`.
#[derive(Debug, Args)]
#[command(after_help = INSPECT_HELP)]
pub struct InspectArgs {
    /// Snapshot file
    pub file: PathBuf,
}

/// Arguments of `backup verify`.
#[derive(Debug, Args)]
#[command(after_help = VERIFY_HELP)]
pub struct VerifyArgs {
    /// Snapshot file
    pub file: PathBuf,
    /// Also require this signer wallet (the node that made the snapshot)
    #[arg(long)]
    pub signer: Option<String>,
}

/// Run a `backup` subcommand.
pub async fn run(cli: &Cli, cmd: &BackupCmd) -> Result<()> {
    match cmd {
        BackupCmd::Create(a) => create(cli, a).await,
        BackupCmd::Inspect(a) => inspect(cli, a),
        BackupCmd::Verify(a) => verify(cli, a).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers (also used by `restore`).

/// A byte progress bar on stderr with `msg`; hidden when stderr is not a terminal; no colors
/// with `NO_COLOR`.
pub(crate) fn progress_bar(msg: &str) -> ProgressBar {
    let target = if io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    let tpl = if std::env::var_os("NO_COLOR").is_some() {
        "{msg:10} [{bar:40}] {bytes}/{total_bytes} {binary_bytes_per_sec} {elapsed}"
    } else {
        "{msg:10} [{bar:40.cyan/blue}] {bytes}/{total_bytes} {binary_bytes_per_sec} {elapsed}"
    };
    if let Ok(style) = ProgressStyle::with_template(tpl) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(msg.to_string());
    bar
}

/// A [`snapshot::Progress`] callback driving `bar`.
pub(crate) fn bar_progress(bar: &ProgressBar) -> snapshot::Progress<'static> {
    let bar = bar.clone();
    Box::new(move |done, total| {
        if bar.length() != Some(total) {
            bar.set_length(total);
        }
        bar.set_position(done);
    })
}

/// Run blocking work off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::local(format!("background task failed: {e}")))?
}

/// Megabytes (10^6) per second.
pub(crate) fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    if secs <= 0.0 {
        return 0.0;
    }
    ((bytes as f64 / 1e6 / secs) * 10.0).round() / 10.0
}

/// fsync a directory (after a rename or link in it).
pub(crate) fn fsync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::local(format!("cannot sync directory {}: {e}", dir.display())))
}

/// The directory holding `path` (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Canonical form of a `--signer` wallet (Local error when invalid).
pub(crate) fn canonical_signer(w: &str) -> Result<String> {
    crate::crypto::pop::canonical_wallet(w)
        .map_err(|_| Error::local(format!("--signer {w:?} is not a wallet address")))
}

/// Check that `v` was signed by `expected` (Integrity otherwise).
pub(crate) fn require_signer(v: &Verified, expected: Option<&str>) -> Result<()> {
    if let Some(w) = expected {
        let w = canonical_signer(w)?;
        if v.signer != w {
            return Err(Error::integrity(format!(
                "snapshot is signed by {}, not by the expected signer {w}",
                v.signer
            )));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Destination of `create`.

/// Where `create` writes: `FILE.part` (renamed to FILE at commit) or stdout.
enum Dest {
    File {
        part: PathBuf,
        dest: PathBuf,
        w: BufWriter<File>,
    },
    Stdout(BufWriter<io::Stdout>),
}

impl Dest {
    fn open(file: &Path, force: bool) -> Result<Dest> {
        if file == Path::new("-") {
            if io::stdout().is_terminal() {
                return Err(Error::new(
                    ErrorKind::Usage,
                    "refusing to write a binary snapshot to a terminal: redirect stdout or give \
                     a file name",
                ));
            }
            return Ok(Dest::Stdout(BufWriter::with_capacity(
                1 << 20,
                io::stdout(),
            )));
        }
        if !force && file.symlink_metadata().is_ok() {
            return Err(Error::new(
                ErrorKind::Refused,
                format!("{} exists (pass --force to replace it)", file.display()),
            ));
        }
        let mut part = file.as_os_str().to_owned();
        part.push(".part");
        let part = PathBuf::from(part);
        let f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&part)
            .map_err(|e| Error::local(format!("cannot create {}: {e}", part.display())))?;
        // An existing .part keeps its old mode through O_CREAT: tighten it.
        fs::set_permissions(&part, fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::local(format!("cannot set mode of {}: {e}", part.display())))?;
        Ok(Dest::File {
            part,
            dest: file.to_path_buf(),
            w: BufWriter::with_capacity(1 << 20, f),
        })
    }

    /// Flush; for a file: fsync, rename `FILE.part` to FILE, fsync the directory.
    fn commit(self) -> Result<()> {
        match self {
            Dest::Stdout(mut w) => w
                .flush()
                .map_err(|e| Error::local(format!("cannot write to stdout: {e}"))),
            Dest::File { part, dest, w } => {
                let done = (|| {
                    let f = w.into_inner().map_err(|e| {
                        Error::local(format!("cannot write {}: {}", part.display(), e.error()))
                    })?;
                    f.sync_all().map_err(|e| {
                        Error::local(format!("cannot sync {}: {e}", part.display()))
                    })?;
                    drop(f);
                    fs::rename(&part, &dest).map_err(|e| {
                        Error::local(format!(
                            "cannot rename {} to {}: {e}",
                            part.display(),
                            dest.display()
                        ))
                    })?;
                    fsync_dir(&parent_dir(&dest))
                })();
                if done.is_err() {
                    let _ = fs::remove_file(&part);
                }
                done
            }
        }
    }

    /// Remove `FILE.part` after a failure.
    fn abort(self) {
        if let Dest::File { part, w, .. } = self {
            drop(w);
            let _ = fs::remove_file(&part);
        }
    }

    fn is_stdout(&self) -> bool {
        matches!(self, Dest::Stdout(_))
    }
}

impl Write for Dest {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Dest::File { w, .. } => w.write(buf),
            Dest::Stdout(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Dest::File { w, .. } => w.write_all(buf),
            Dest::Stdout(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Dest::File { w, .. } => w.flush(),
            Dest::Stdout(w) => w.flush(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// create

/// What `create` reports.
struct Created {
    mode: BackupMode,
    manifest: Manifest,
    digest: [u8; 32],
    bytes: u64,
    signer: String,
}

async fn create(cli: &Cli, a: &CreateArgs) -> Result<()> {
    let s = cli.settings()?;
    let t0 = Instant::now();
    let dest = Dest::open(&a.file, a.force)?;
    let to_stdout = dest.is_stdout();
    let result = match &a.data_dir {
        Some(dir) => offline(&s, dir, dest).await,
        None => {
            let socket = a
                .admin_socket
                .clone()
                .unwrap_or_else(|| crate::admin_wire::socket_path(&s.data_dir));
            online(&socket, dest).await
        }
    };
    let c = result?;
    let secs = t0.elapsed().as_secs_f64();
    if to_stdout {
        tracing::info!(
            bytes = c.bytes,
            seconds = secs,
            "snapshot written to stdout"
        );
        return Ok(());
    }
    let t = &c.manifest.totals;
    let sha = hex::encode(c.digest);
    match cli.output {
        Output::Json => print_json(&json!({
            "file": a.file,
            "mode": c.mode,
            "bytes": c.bytes,
            "sha256": sha,
            "signer": c.signer,
            "apps": t.apps,
            "records": t.records,
            "tombstones": t.tombstones,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "mb_per_s": mb_per_s(c.bytes, secs),
        })),
        Output::Text => println!(
            "wrote {} ({} backup): {} bytes, {} apps, {} records, {} tombstones, sha256 {}, \
             signed by {}, {:.2} s ({} MB/s)",
            a.file.display(),
            if c.mode == BackupMode::Online {
                "online"
            } else {
                "offline"
            },
            c.bytes,
            t.apps,
            t.records,
            t.tombstones,
            sha,
            c.signer,
            secs,
            mb_per_s(c.bytes, secs)
        ),
    }
    Ok(())
}

/// `masterSecretHash` from the chain, when the registries are configured and it answers.
async fn chain_hash(s: &Settings) -> Option<String> {
    if s.nova_app_registry.is_empty() || s.kms_registry.is_empty() {
        return None;
    }
    let reg = match crate::chain::registry::RegistryClient::new(
        &s.rpc_url,
        &s.nova_app_registry,
        &s.kms_registry,
        s.rpc_timeout(),
    ) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read masterSecretHash from the chain");
            return None;
        }
    };
    match reg.master_secret_hash().await {
        Ok(h) if h != [0u8; 32] => Some(format!("0x{}", hex::encode(h))),
        Ok(_) => {
            tracing::warn!("masterSecretHash is unset on chain");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot read masterSecretHash from the chain; using the sealed secret if any");
            None
        }
    }
}

async fn offline(s: &Settings, dir: &Path, dest: Dest) -> Result<Created> {
    let db = dir.join(DB_FILE_NAME);
    match db.symlink_metadata() {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            dest.abort();
            return Err(Error::local(format!(
                "no database in {} ({} does not exist)",
                dir.display(),
                db.display()
            )));
        }
        Err(e) => {
            dest.abort();
            return Err(Error::local(format!("cannot access {}: {e}", db.display())));
        }
    }
    // The password prompt (if any) comes before the database is locked.
    let identity = match crate::cli::load_identity(s) {
        Ok(i) => i,
        Err(e) => {
            dest.abort();
            return Err(e);
        }
    };
    let chain = chain_hash(s).await;
    let dir = dir.to_path_buf();
    blocking(move || {
        let storage = match RedbStorage::open(&dir) {
            Ok(st) => st,
            Err(e) if e.kind() == ErrorKind::InUse => {
                dest.abort();
                return Err(Error::new(
                    ErrorKind::InUse,
                    format!(
                        "data dir {} is held by a running node: use `novakms backup create FILE` \
                         without --data-dir to back it up online",
                        dir.display()
                    ),
                ));
            }
            Err(e) => {
                dest.abort();
                return Err(e);
            }
        };
        write_offline(&storage, &identity, chain, dest)
    })
    .await
}

/// Offline export of an open storage to `dest` (see `CREATE_HELP` for the hash rules).
fn write_offline(
    storage: &dyn Storage,
    identity: &Identity,
    chain: Option<String>,
    dest: Dest,
) -> Result<Created> {
    let sealed = match storage.load_sealed_master_secret() {
        Ok(s) => s,
        Err(e) => {
            dest.abort();
            return Err(e);
        }
    };
    let opened = sealed
        .as_ref()
        .and_then(|b| MasterSecret::unseal_at_rest(&identity.seal_key(), b).ok());
    let sealed_hash = opened.as_ref().map(MasterSecret::hash_hex);
    let (hash, source) = match (chain, sealed_hash) {
        (Some(c), Some(l)) => {
            if c != l {
                tracing::warn!(
                    chain = %c,
                    sealed = %l,
                    "the database's sealed master secret does not match masterSecretHash on chain"
                );
            }
            (Some(c), HashSource::Chain)
        }
        (Some(c), None) => (Some(c), HashSource::Chain),
        (None, Some(l)) => (Some(l), HashSource::Sealed),
        (None, None) => (None, HashSource::Unknown),
    };
    if sealed.is_some() && opened.is_none() {
        tracing::warn!(
            "the sealed master secret in the database does not open with this keystore; it is \
             kept in the snapshot for the node wallet the database belongs to"
        );
    }
    let ctx = ManifestContext {
        mode: BackupMode::Offline,
        created_at_ms: crate::clock::Clock::system().now_ms(),
        master_secret_hash: hash,
        master_secret_hash_source: source,
        include_sealed_master_secret: true,
        sealed_for: opened.map(|_| identity.address()),
    };
    let bar = progress_bar("backup");
    let mut dest = dest;
    let r = snapshot::write_snapshot(storage, &mut dest, identity, ctx, Some(bar_progress(&bar)));
    bar.finish_and_clear();
    let summary = match r {
        Ok((summary, _)) => summary,
        Err(e) => {
            dest.abort();
            return Err(e);
        }
    };
    dest.commit()?;
    Ok(Created {
        mode: BackupMode::Offline,
        signer: summary.manifest.node_wallet.clone(),
        manifest: summary.manifest,
        digest: summary.digest,
        bytes: summary.bytes,
    })
}

// ---------------------------------------------------------------------------------------------
// Online: GET /admin/backup on the admin socket.

/// A reader that copies everything it reads into `w` and advances `bar`.
struct Tee<R, W> {
    r: R,
    w: W,
    bar: ProgressBar,
    failed: Option<io::Error>,
}

impl<R: Read, W: Write> Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.r.read(buf)?;
        if let Err(e) = self.w.write_all(&buf[..n]) {
            let msg = e.to_string();
            self.failed = Some(e);
            return Err(io::Error::other(format!(
                "cannot write the snapshot: {msg}"
            )));
        }
        self.bar.inc(n as u64);
        Ok(n)
    }
}

async fn online(socket: &Path, dest: Dest) -> Result<Created> {
    let download = match AdminClient::at_socket(socket).backup().await {
        Ok(d) => d,
        Err(e) => {
            dest.abort();
            return Err(e);
        }
    };
    let bar = progress_bar("backup");
    if let Some(n) = download.length {
        bar.set_length(n);
    }
    let consumer_bar = bar.clone();
    let verified = blocking(move || {
        let mut tee = Tee {
            r: download,
            w: dest,
            bar: consumer_bar,
            failed: None,
        };
        let verified = (|| {
            let rd = SnapshotReader::open(io::BufReader::with_capacity(1 << 20, &mut tee))?;
            rd.finish()
        })();
        let Tee { r, w, failed, .. } = tee;
        match (verified, failed) {
            (Ok(v), None) => {
                w.commit()?;
                Ok(v)
            }
            (_, Some(e)) => {
                w.abort();
                Err(Error::local(format!("cannot write the snapshot: {e}")))
            }
            (Err(e), None) => {
                w.abort();
                Err(r.broken_off().unwrap_or(e))
            }
        }
    })
    .await;
    bar.finish_and_clear();
    let verified = verified?;
    Ok(Created {
        mode: BackupMode::Online,
        signer: verified.signer.clone(),
        bytes: verified.bytes,
        digest: verified.digest,
        manifest: verified.manifest,
    })
}

// ---------------------------------------------------------------------------------------------
// inspect / verify

fn inspect(cli: &Cli, a: &InspectArgs) -> Result<()> {
    let (m, file_bytes, expected) = snapshot::read_manifest(&a.file)?;
    match cli.output {
        Output::Json => print_json(&json!({
            "file": a.file,
            "format_version": snapshot::FORMAT_VERSION,
            "file_bytes": file_bytes,
            "expected_bytes": expected,
            "manifest": m,
        })),
        Output::Text => print_manifest(&a.file, &m, file_bytes, expected),
    }
    Ok(())
}

fn print_manifest(file: &Path, m: &Manifest, file_bytes: u64, expected: u64) {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    let size = if file_bytes == expected {
        format!("{file_bytes} bytes")
    } else {
        format!("{file_bytes} bytes (the manifest announces {expected}: damaged?)")
    };
    let sealed = match &m.sealed_master_secret {
        Some(s) => format!("included, sealed for {}", s.sealed_for),
        None => "not included".into(),
    };
    let hash_source = match m.master_secret_hash_source {
        HashSource::Node => "node",
        HashSource::Chain => "chain",
        HashSource::Sealed => "sealed secret",
        HashSource::Unknown => "unknown",
    };
    let rows: Vec<(&str, String)> = vec![
        ("file", format!("{} ({size})", file.display())),
        (
            "format",
            format!("nksnap v{} (not verified)", snapshot::FORMAT_VERSION),
        ),
        ("created at", m.created_at.clone()),
        ("novakms version", m.novakms_version.clone()),
        ("schema version", m.schema_version.to_string()),
        (
            "mode",
            match m.mode {
                BackupMode::Online => "online".into(),
                BackupMode::Offline => "offline".into(),
            },
        ),
        ("signer (node wallet)", m.node_wallet.clone()),
        ("chain id", m.cluster.chain_id.to_string()),
        ("NovaAppRegistry", m.cluster.nova_app_registry.clone()),
        ("KMSRegistry", m.cluster.kms_registry.clone()),
        ("KMS app id", m.cluster.kms_app_id.to_string()),
        ("database node wallet", m.cluster.node_wallet.clone()),
        (
            "masterSecretHash",
            format!(
                "{} (from {hash_source})",
                m.master_secret_hash.as_deref().unwrap_or("unknown")
            ),
        ),
        ("sealed master secret", sealed),
        ("last change seq", m.last_seq.to_string()),
        (
            "totals",
            format!(
                "{} apps, {} records, {} tombstones, {} bytes",
                m.totals.apps, m.totals.records, m.totals.tombstones, m.totals.bytes
            ),
        ),
        ("data length", format!("{} bytes", m.data_length)),
    ];
    t.set_header(vec!["field", "value"]);
    for (k, v) in rows {
        t.add_row(vec![k.to_string(), v]);
    }
    println!("{t}");
    if !m.apps.is_empty() {
        let mut a = Table::new();
        a.load_style(UTF8_FULL_CONDENSED);
        a.set_header(vec!["app id", "records", "tombstones", "bytes"]);
        for app in &m.apps {
            a.add_row(vec![
                app.app_id.to_string(),
                app.records.to_string(),
                app.tombstones.to_string(),
                app.bytes.to_string(),
            ]);
        }
        println!("{a}");
    }
}

async fn verify(cli: &Cli, a: &VerifyArgs) -> Result<()> {
    if let Some(w) = &a.signer {
        canonical_signer(w)?;
    }
    let t0 = Instant::now();
    let file = a.file.clone();
    let bar = progress_bar("verify");
    let b = bar.clone();
    let v = blocking(move || snapshot::verify_file(&file, Some(bar_progress(&b)))).await;
    bar.finish_and_clear();
    let v = v?;
    require_signer(&v, a.signer.as_deref())?;
    let secs = t0.elapsed().as_secs_f64();
    let t = &v.manifest.totals;
    let sha = hex::encode(v.digest);
    match cli.output {
        Output::Json => print_json(&json!({
            "file": a.file,
            "ok": true,
            "sha256": sha,
            "signer": v.signer,
            "bytes": v.bytes,
            "apps": t.apps,
            "records": t.records,
            "tombstones": t.tombstones,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "mb_per_s": mb_per_s(v.bytes, secs),
        })),
        Output::Text => println!(
            "{}: ok: {} bytes, {} apps, {} records, {} tombstones, sha256 {}, signed by {}, \
             {:.2} s ({} MB/s)",
            a.file.display(),
            v.bytes,
            t.apps,
            t.records,
            t.tombstones,
            sha,
            v.signer,
            secs,
            mb_per_s(v.bytes, secs)
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_rounding() {
        assert_eq!(mb_per_s(10_000_000, 2.0), 5.0);
        assert_eq!(mb_per_s(1, 0.0), 0.0);
    }

    #[test]
    fn dest_part_is_private_and_renamed() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("x.nksnap");
        let mut d = Dest::open(&f, false).unwrap();
        d.write_all(b"abc").unwrap();
        let part = t.path().join("x.nksnap.part");
        let mode = fs::metadata(&part).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        d.commit().unwrap();
        assert!(!part.exists());
        assert_eq!(fs::read(&f).unwrap(), b"abc");
        let e = Dest::open(&f, false).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Refused);
        let d = Dest::open(&f, true).unwrap();
        d.abort();
        assert!(!part.exists());
        assert_eq!(fs::read(&f).unwrap(), b"abc");
    }
}
