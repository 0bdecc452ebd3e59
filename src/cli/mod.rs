//! Command-line interface: one file per subcommand (args struct + `run()`),
//! no business logic here (design.md §2).

/// `println!` for the CLI: formats like `println!` and writes through [`out::emit`], which
/// ends the process quietly (exit 0) when stdout's reader has gone instead of panicking.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::cli::out::emit(b"\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::out::emit(format!("{}\n", format_args!($($arg)*)).as_bytes())
    };
}

pub mod backup;
pub mod bench;
pub mod cluster;
pub mod devnet;
pub mod docs;
pub mod health;
pub mod identity;
pub mod out;
pub mod registry;
pub mod restore;
pub mod serve;
pub mod store;
pub mod sync;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Settings;
use crate::error::Result;

/// Exit codes, shown in `--help` (design.md §6).
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success (health: live and ready)
  1  local error (I/O, config, validation)
  2  usage error
  3  remote error: node or chain RPC unreachable, timed out, or failed
  4  reachable but not ready, or not in the expected state
  5  integrity failure (snapshot digest, corrupt database)
  6  in use (database locked by a running node)
  7  refused without --force
  8  authentication failed (wrong password, rejected signature)

Configuration: flags > NOVAKMS_* environment > --config TOML file > defaults.
Every config key KEY can be set as NOVAKMS_KEY (upper case).";

/// Output format of commands that print data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Output {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON document on stdout.
    Json,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// novakms: run and operate a Nova KMS cluster.
#[derive(Debug, Parser)]
#[command(name = "novakms", version, about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// TOML configuration file
    #[arg(long, global = true, env = "NOVAKMS_CONFIG", hide_env_values = true)]
    pub config: Option<PathBuf>,
    /// Output format for results on stdout
    #[arg(short = 'o', long, global = true, value_enum, env = "NOVAKMS_OUTPUT", hide_env_values = true, default_value_t = Output::Text)]
    pub output: Output,
    /// Log format on stderr (filter with NOVAKMS_LOG)
    #[arg(long, global = true, value_enum, env = "NOVAKMS_LOG_FORMAT", hide_env_values = true, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]
    #[arg(long, global = true)]
    pub rpc_url: Option<String>,
    /// NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]
    #[arg(long, global = true)]
    pub nova_app_registry: Option<String>,
    /// KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]
    #[arg(long, global = true)]
    pub kms_registry: Option<String>,
    /// KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]
    #[arg(long, global = true)]
    pub kms_app_id: Option<u64>,
    /// Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]
    #[arg(long, global = true, value_enum)]
    pub identity: Option<crate::config::IdentityKind>,
    /// Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]
    #[arg(long, global = true)]
    pub odyn_url: Option<String>,
    /// V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]
    #[arg(long, global = true)]
    pub keystore: Option<PathBuf>,
    /// File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]
    #[arg(long, global = true)]
    pub password_file: Option<PathBuf>,
    /// Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]
    #[arg(long, global = true)]
    pub addr: Option<String>,
    /// Subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a KMS node: app API, node tick, durable storage.
    Serve(serve::ServeArgs),
    /// Create or show a node/app identity (wallet + teePubkey).
    #[command(subcommand)]
    Identity(identity::IdentityCmd),
    /// Act as a Nova app against a node: put/get/delete/list values.
    #[command(subcommand)]
    Store(store::StoreCmd),
    /// Act as a Nova app: derive a key (POST /kms/derive).
    Derive(store::DeriveArgs),
    /// Check a node's liveness and readiness (exit 0 ready, 4 not ready, 3 unreachable).
    Health(health::HealthArgs),
    /// Inspect the cluster on chain: members, masterSecretHash, node consistency.
    #[command(subcommand)]
    Registry(registry::RegistryCmd),
    /// The cluster at a glance: every node's readiness and lag (status), data agreement (check).
    #[command(subcommand)]
    Cluster(cluster::ClusterCmd),
    /// Print shell completions (or write all of them with --out-dir).
    Completions(docs::CompletionsArgs),
    /// Write man pages (one per subcommand).
    Man(docs::ManArgs),
    /// Make a running node pull a snapshot from a named peer now (admin socket).
    Sync(sync::SyncArgs),
    /// Snapshots of a node's database: create (online or offline), inspect, verify.
    #[command(subcommand)]
    Backup(backup::BackupCmd),
    /// Restore a verified snapshot into a stopped node's data dir (atomic swap).
    Restore(restore::RestoreArgs),
    /// Run a local cluster: anvil, deployed contracts, registered nodes.
    #[command(subcommand)]
    Devnet(devnet::DevnetCmd),
    /// Load-test nodes as registered apps: throughput and latency of put/get/mixed/derive.
    #[command(after_help = bench::AFTER_HELP)]
    Bench(bench::BenchArgs),
}

impl Cli {
    /// Effective settings: defaults < config file < NOVAKMS_* env < global flags.
    pub fn settings(&self) -> Result<Settings> {
        let mut s = Settings::load_from_process(self.config.as_deref())?;
        if let Some(v) = &self.rpc_url {
            s.rpc_url = v.clone();
        }
        if let Some(v) = &self.nova_app_registry {
            s.nova_app_registry = v.clone();
        }
        if let Some(v) = &self.kms_registry {
            s.kms_registry = v.clone();
        }
        if let Some(v) = self.kms_app_id {
            s.kms_app_id = v;
        }
        if let Some(v) = self.identity {
            s.identity = v;
        }
        if let Some(v) = &self.odyn_url {
            s.odyn_url = v.clone();
        }
        if let Some(v) = &self.keystore {
            s.keystore = Some(v.clone());
        }
        if let Some(v) = &self.password_file {
            s.password_file = Some(v.clone());
        }
        if let Some(v) = &self.addr {
            s.addr = v.clone();
        }
        // Every HTTP client built from here on trusts `ca_file` too (issue 11 item 1).
        crate::tls::client::configure(&s)?;
        Ok(s)
    }
}

/// Print `value` as pretty JSON on stdout.
pub fn print_json(value: &serde_json::Value) {
    crate::outln!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

/// Dispatch a parsed command.
pub async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Serve(a) => serve::run(&cli, a).await,
        Command::Identity(c) => identity::run(&cli, c),
        Command::Store(c) => store::run(&cli, c).await,
        Command::Derive(a) => store::run_derive(&cli, a).await,
        Command::Health(a) => health::run(&cli, a).await,
        Command::Devnet(c) => devnet::run(&cli, c).await,
        Command::Registry(c) => registry::run(&cli, c).await,
        Command::Cluster(c) => cluster::run(&cli, c).await,
        Command::Completions(a) => docs::run_completions(a),
        Command::Man(a) => docs::run_man(a),
        Command::Sync(a) => sync::run(&cli, a).await,
        Command::Backup(c) => backup::run(&cli, c).await,
        Command::Restore(a) => restore::run(&cli, a).await,
        Command::Bench(a) => bench::run(&cli, a).await,
    }
}
