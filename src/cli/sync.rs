//! `novakms sync --from <peer>`: make a running node pull a snapshot from a named peer now,
//! through its admin socket (design.md §1; `api::admin`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::admin_wire::{SyncEvent, SyncResult};
use crate::cli::{print_json, Cli, Output};
use crate::client::admin::AdminClient;
use crate::error::Result;

/// Help text after the options of `sync`.
pub const SYNC_HELP: &str = "\
Talks to the node through its admin socket <DATA_DIR>/admin.sock (mode 0600): run it as the
user that runs the node, on the same machine. Pulled records are validated and merged exactly
like replicated ones (probe decryption, clock-skew bound, vector-clock merge); merging is
idempotent, so running it twice is harmless.

Output: text: counts of merged, skipped (already present or older) and rejected (failed
validation) records; -o json: {\"peer\",\"peer_wallet\",\"total\",\"merged\",\"skipped\",
\"rejected\",\"skip_reasons\":{reason: count}}. A progress bar is drawn on stderr when it is a
terminal.

Exit codes:
  0  snapshot pulled and merged
  1  local error: unknown peer, invalid arguments, unreadable config
  3  the peer or the node failed (unreachable, refused, timed out)
  4  no running node with this data dir (no admin socket), the node has no master secret yet,
     or the peer is blacklisted
  8  permission denied on the admin socket (not the node's user)";

/// Arguments of `sync`.
#[derive(Debug, Args)]
#[command(after_help = SYNC_HELP)]
pub struct SyncArgs {
    /// Peer to pull from: its registered URL or its wallet (see `GET /nodes`)
    #[arg(long)]
    pub from: String,
    /// Data dir of the running node (config key data_dir)
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// Progress display on stderr: a spinner while fetching, then a bar while merging; hidden when
/// stderr is not a terminal; plain (no colors) with `NO_COLOR`.
struct Progress {
    bar: ProgressBar,
    plain: bool,
}

impl Progress {
    fn new() -> Self {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        let plain = std::env::var_os("NO_COLOR").is_some();
        Progress { bar, plain }
    }

    fn event(&self, ev: &SyncEvent) {
        match ev {
            SyncEvent::Fetching { peer } => {
                self.bar
                    .set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap());
                self.bar
                    .set_message(format!("fetching snapshot from {peer}"));
                self.bar.enable_steady_tick(Duration::from_millis(120));
            }
            SyncEvent::Merging { done, total } => {
                if self.bar.length() != Some(*total) {
                    let tpl = if self.plain {
                        "merging [{bar:40}] {pos}/{len} records {elapsed}"
                    } else {
                        "merging [{bar:40.cyan/blue}] {pos}/{len} records {elapsed}"
                    };
                    self.bar.set_style(
                        ProgressStyle::with_template(tpl)
                            .unwrap()
                            .progress_chars("=> "),
                    );
                    self.bar.set_length(*total);
                }
                self.bar.set_position(*done);
            }
            SyncEvent::Done(_) | SyncEvent::Failed(_) => self.bar.finish_and_clear(),
        }
    }
}

fn print_text(r: &SyncResult) {
    crate::outln!(
        "pulled {} records from {}: {} merged, {} skipped, {} rejected",
        r.total,
        r.peer,
        r.merged,
        r.skipped,
        r.rejected
    );
    for (reason, n) in &r.skip_reasons {
        crate::outln!("  skipped {n}: {reason}");
    }
}

/// Run `sync` (exit codes in [`SYNC_HELP`]).
pub async fn run(cli: &Cli, a: &SyncArgs) -> Result<()> {
    let s = cli.settings()?;
    let data_dir = a.data_dir.clone().unwrap_or(s.data_dir);
    let client = AdminClient::new(&data_dir);
    let progress = Progress::new();
    let result = client.sync(&a.from, |ev| progress.event(ev)).await;
    progress.bar.finish_and_clear();
    let r = result?;
    match cli.output {
        Output::Json => print_json(&serde_json::to_value(&r).unwrap_or_default()),
        Output::Text => print_text(&r),
    }
    Ok(())
}
