//! `novakms restore FILE --data-dir D [--force]`: verified restore of a `.nksnap` snapshot into
//! a stopped node's data dir (design.md §5), swapped in atomically. Arguments, output and
//! progress bars only: the checks, refusal rules and the swap are `storage::backup::restore`
//! and `storage::backup::plan`.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use crate::cli::backup::{bar_progress, blocking, progress_bar};
use crate::cli::{print_json, Cli, Output};
use crate::error::Result;
use crate::storage::backup::restore::{self, RestoreRequest};
use crate::storage::backup::{self, canonical_signer};

/// Help text after the options of `restore`.
pub const RESTORE_HELP: &str = "\
Order of work: (1) verify the whole snapshot (digest, signature, structure, counts; --signer);
(2) refuse a data dir in use by a running node; (3) compare the snapshot's cluster with the
existing database, with the configuration (nova_app_registry, kms_registry, kms_app_id) and, when
the registries are configured, with the chain (chain id, masterSecretHash, signer registered for
the KMS app unless --signer is given); the signer must be vouched for, by the chain or by
--signer: without the chain comparison (no registries configured, or --no-chain-check) --signer
is required; a snapshot older than tombstone_retention_ms is refused; (4) build the new database as a temporary file inside the
data dir, verify it and fsync it; (5) swap it in with one rename (with --force the old database
is first linked aside as novakms.redb.old-<UTC time>). Nothing in the data dir changes before
step 5, and a kill at any moment leaves novakms.redb either the old or the new database; rerun
the same command to finish.

Not restored: the change log and peer cursors and, unless this node is the identity it was
sealed for (keystore address), the sealed master secret: a node with another identity obtains
the secret from its peers. Start the node with `novakms serve` afterwards: before it offers
anything to its peers it pulls from every live peer and drops the snapshot's records that none of
them holds any more (deleted and purged since the snapshot); with no live peer within
restore_rejoin_timeout_seconds it serves the snapshot as is (full-cluster recovery). See
docs/disaster-recovery.md.

Output: text summary, or -o json: {\"file\",\"data_dir\",\"sha256\",\"signer\",\"apps\",\"records\",
\"tombstones\",\"master_secret\" (\"restored\", \"dropped\" or \"absent\"),\"old_database\" (path or
null),\"seconds\"}.

Exit codes:
  0  restored
  1  local error (I/O, invalid arguments)
  3  the chain could not be read (--no-chain-check skips the comparison and then requires
     --signer)
  5  the snapshot failed verification (digest, signature, structure, counts, --signer)
  6  the data dir is in use by a running node (or another restore)
  7  refused without --force: non-empty data dir, unreadable database, snapshot from another
     cluster (chain id, registries, KMS app id, masterSecretHash, signer not registered),
     signer not vouched for (no chain comparison and no --signer), snapshot older than
     tombstone_retention_ms, or a snapshot from a newer schema (not overridable)";

/// Arguments of `restore`.
#[derive(Debug, Args)]
#[command(after_help = RESTORE_HELP)]
pub struct RestoreArgs {
    /// Snapshot file (*.nksnap)
    pub file: PathBuf,
    /// Data dir of the stopped node to restore into (created if missing)
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Override every refusal but a newer schema: non-empty database, another cluster, an
    /// untrusted signer, a stale snapshot (each is logged as a warning; the old database is kept
    /// aside)
    #[arg(long)]
    pub force: bool,
    /// Trust this signer wallet: the snapshot must be signed by it (the on-chain check of the
    /// signer is skipped)
    #[arg(long)]
    pub signer: Option<String>,
    /// Do not compare the snapshot with the chain even when the registries are configured
    /// (then --signer is required)
    #[arg(long)]
    pub no_chain_check: bool,
}

/// Run `restore` (exit codes in [`RESTORE_HELP`]).
pub async fn run(cli: &Cli, a: &RestoreArgs) -> Result<()> {
    let s = cli.settings()?;
    let t0 = Instant::now();
    let req = RestoreRequest {
        file: a.file.clone(),
        data_dir: a.data_dir.clone(),
        force: a.force,
        signer: a.signer.as_deref().map(canonical_signer).transpose()?,
        no_chain_check: a.no_chain_check,
    };

    // 1. Verify everything before touching the data dir.
    let file = a.file.clone();
    let bar = progress_bar("verify");
    let b = bar.clone();
    let verified = blocking(move || backup::verify_file(&file, Some(bar_progress(&b)))).await;
    bar.finish_and_clear();
    let verified = verified?;
    verified.require_signer(req.signer.as_deref())?;

    // 2.-3. Schema, target (in use first), configuration and chain: the plan or the refusal.
    let plan = restore::prepare(&s, &verified, &req).await?;

    // 4.-5. Build beside the old database and swap.
    let (file, dir, digest, force) = (a.file.clone(), a.data_dir.clone(), verified.digest, a.force);
    let manifest = verified.manifest.clone();
    let bar = progress_bar("restore");
    let p = bar_progress(&bar);
    let restored = blocking(move || {
        restore::build_and_swap(&file, &dir, digest, &manifest, &plan, force, Some(p))
    })
    .await;
    bar.finish_and_clear();
    let restored = restored?;
    let secs = t0.elapsed().as_secs_f64();
    let m = &verified.manifest;
    let secret = restored.master_secret.as_str();
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
            "old_database": restored.old_moved_to,
            "seconds": (secs * 1000.0).round() / 1000.0,
        })),
        Output::Text => {
            crate::outln!(
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
            crate::outln!("master secret: {secret}");
            if let Some(p) = &restored.old_moved_to {
                crate::outln!("old database kept as {}", p.display());
            }
            crate::outln!(
                "start the node with `novakms serve`: it rejoins the cluster and catches up \
                 from its peers"
            );
        }
    }
    Ok(())
}
