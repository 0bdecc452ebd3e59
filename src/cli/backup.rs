//! `novakms backup create|inspect|verify`: consistent snapshots of a node's database in the
//! `.nksnap` format (design.md §5). Arguments, output and progress bars only: every decision is
//! made in `storage::backup` (the file, offline backup, receiving an online backup) and
//! `client::admin` (the admin socket).

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::cli::{print_json, Cli, Output};
use crate::client::admin::AdminClient;
use crate::error::{Error, Result};
use crate::storage::backup::create::{self, Created};
use crate::storage::backup::{
    self, canonical_signer, BackupDest, BackupMode, HashSource, Manifest,
};

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

/// A [`backup::Progress`] callback driving `bar`.
pub(crate) fn bar_progress(bar: &ProgressBar) -> backup::Progress<'static> {
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

/// Megabytes (10^6) per second, one decimal.
pub(crate) fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    if secs <= 0.0 {
        return 0.0;
    }
    ((bytes as f64 / 1e6 / secs) * 10.0).round() / 10.0
}

// ---------------------------------------------------------------------------------------------
// create

async fn create(cli: &Cli, a: &CreateArgs) -> Result<()> {
    let s = cli.settings()?;
    let t0 = Instant::now();
    let dest = BackupDest::open(&a.file, a.force)?;
    let to_stdout = dest.is_stdout();
    let c = match &a.data_dir {
        Some(dir) => {
            create::check_data_dir(dir)?;
            // The password prompt (if any) comes before the database is locked.
            let identity = crate::identity::load_configured(&s)?;
            let chain = create::chain_master_secret_hash(&s).await;
            let dir = dir.clone();
            let bar = progress_bar("backup");
            let p = bar_progress(&bar);
            let c = blocking(move || create::offline(&dir, &identity, chain, dest, Some(p))).await;
            bar.finish_and_clear();
            c?
        }
        None => {
            let socket = a
                .admin_socket
                .clone()
                .unwrap_or_else(|| crate::admin_wire::socket_path(&s.data_dir));
            let download = AdminClient::at_socket(&socket).backup().await?;
            let bar = progress_bar("backup");
            if let Some(n) = download.length {
                bar.set_length(n);
            }
            let b = bar.clone();
            let v =
                blocking(move || backup::online::receive(download, dest, &mut |n| b.inc(n))).await;
            bar.finish_and_clear();
            Created::online(v?)
        }
    };
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
        Output::Text => crate::outln!(
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

// ---------------------------------------------------------------------------------------------
// inspect / verify

fn inspect(cli: &Cli, a: &InspectArgs) -> Result<()> {
    let (m, file_bytes, expected) = backup::read_manifest(&a.file)?;
    match cli.output {
        Output::Json => print_json(&json!({
            "file": a.file,
            "format_version": backup::FORMAT_VERSION,
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
            format!("nksnap v{} (not verified)", backup::FORMAT_VERSION),
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
    crate::outln!("{t}");
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
        crate::outln!("{a}");
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
    let v = blocking(move || backup::verify_file(&file, Some(bar_progress(&b)))).await;
    bar.finish_and_clear();
    let v = v?;
    v.require_signer(a.signer.as_deref())?;
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
        Output::Text => crate::outln!(
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
}
