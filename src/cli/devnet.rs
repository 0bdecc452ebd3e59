//! `novakms devnet up|down`: a local cluster in one command (anvil, deployed
//! contracts, registered node and app identities, background `serve`
//! processes, ready-to-use TOML configs). Arguments and output only; the
//! provisioning is `chain::devnet`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::chain::devnet::{self, UpOptions};
use crate::cli::{print_json, Cli, Output};
use crate::error::Result;

/// `devnet` subcommands.
#[derive(Debug, Subcommand)]
pub enum DevnetCmd {
    /// Start anvil, deploy the contracts, register and start N nodes.
    Up(UpArgs),
    /// Stop the nodes and anvil of a devnet.
    Down(DownArgs),
    /// TLS terminator in front of anvil, started by `devnet up --tls` (internal).
    #[command(hide = true)]
    RpcProxy(RpcProxyArgs),
    /// A test Odyn (protocol.md §3.2), started by `devnet up --odyn-nodes` (internal).
    #[command(hide = true)]
    Odyn(OdynArgs),
}

/// Arguments of `devnet up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// Number of KMS nodes
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub nodes: u16,
    /// Directory for keystores, configs, data and logs
    #[arg(long, default_value = ".devnet")]
    pub dir: PathBuf,
    /// Seconds to wait for the nodes to become ready
    #[arg(long, default_value_t = 90)]
    pub timeout: u64,
    /// Number of registered app identities (own wallet and teePubkey each), spread over
    /// up to 3 app ids: identity i is an instance of app 1000 + (i mod 3)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub apps: u16,
    /// HTTPS only: a private CA in DIR/tls, nodes on https URLs, chain RPC behind a TLS
    /// terminator, ca_file in every generated config
    #[arg(long)]
    pub tls: bool,
    /// The last K nodes hold their identity in a test Odyn process each (identity = "odyn",
    /// odyn_url in their configs; wallet and teePubkey registered as Odyn reports them)
    #[arg(long, value_name = "K", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=16))]
    pub odyn_nodes: u16,
}

/// Arguments of the hidden `devnet odyn`.
#[derive(Debug, Args)]
pub struct OdynArgs {
    /// Address to listen on (ignored when a listening socket is handed over, as `devnet up`
    /// does: `LISTEN_PID` / `LISTEN_FDS`). With port 0 the bound URL is the first line printed
    /// on stdout
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Key file (wallet + P-384 key, JSON, created 0600 when missing): the same file keeps the
    /// enclave identity across restarts [default: fresh keys, lost on exit]
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

/// Arguments of the hidden `devnet rpc-proxy`.
#[derive(Debug, Args)]
pub struct RpcProxyArgs {
    /// Address to listen on (ignored when a listening socket is handed over, as `devnet up`
    /// does: `LISTEN_PID` / `LISTEN_FDS`)
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Plain-TCP upstream (anvil), host:port
    #[arg(long)]
    pub upstream: std::net::SocketAddr,
    /// Certificate chain (PEM)
    #[arg(long)]
    pub cert: PathBuf,
    /// Private key (PEM)
    #[arg(long)]
    pub key: PathBuf,
}

/// Arguments of `devnet down`.
#[derive(Debug, Args)]
pub struct DownArgs {
    /// Directory of the devnet
    #[arg(long, default_value = ".devnet")]
    pub dir: PathBuf,
}

/// Run a `devnet` subcommand.
pub async fn run(cli: &Cli, cmd: &DevnetCmd) -> Result<()> {
    match cmd {
        DevnetCmd::Up(a) => {
            let info = devnet::up(&UpOptions {
                nodes: a.nodes,
                dir: a.dir.clone(),
                timeout: Duration::from_secs(a.timeout),
                apps: a.apps,
                tls: a.tls,
                odyn_nodes: a.odyn_nodes,
            })
            .await?;
            match cli.output {
                Output::Json => print_json(&serde_json::to_value(&info).unwrap_or_default()),
                Output::Text => {
                    crate::outln!("devnet ready in {}", a.dir.display());
                    crate::outln!("  rpc:      {}", info.rpc_url);
                    if let Some(ca) = &info.ca_file {
                        crate::outln!("  ca_file:  {} (https only)", ca.display());
                    }
                    crate::outln!(
                        "  registry: {} (KMS: {})",
                        info.nova_app_registry,
                        info.kms_registry
                    );
                    for (i, n) in info.nodes.iter().enumerate() {
                        crate::outln!("  node-{}:   {} {} (pid {})", i + 1, n.url, n.wallet, n.pid);
                        if let Some(o) = &n.odyn {
                            crate::outln!("            identity in Odyn {} (pid {})", o.url, o.pid);
                        }
                    }
                    for app in &info.apps {
                        crate::outln!(
                            "  app {}: novakms --config {} store put greeting hello",
                            app.app_id,
                            app.config.display()
                        );
                    }
                }
            }
            Ok(())
        }
        DevnetCmd::RpcProxy(a) => {
            let listener = match crate::activation::inherited_listener()? {
                Some(l) => l,
                None => std::net::TcpListener::bind(a.listen)?,
            };
            let listener = crate::tls::proxy::tokio_listener(listener)?;
            eprintln!(
                "rpc-proxy: https on {} -> http {}",
                listener.local_addr()?,
                a.upstream
            );
            crate::tls::proxy::run(listener, a.upstream, &a.cert, &a.key).await
        }
        DevnetCmd::Odyn(a) => {
            let listener = match crate::activation::inherited_listener()? {
                Some(l) => l,
                None => std::net::TcpListener::bind(a.listen).map_err(|e| {
                    crate::error::Error::local(format!("cannot listen on {}: {e}", a.listen))
                })?,
            };
            let keys = match &a.key_file {
                Some(f) => crate::devnet_odyn::OdynKeys::load_or_create(f)?,
                None => crate::devnet_odyn::OdynKeys::generate(),
            };
            let mut odyn = crate::devnet_odyn::TestOdyn::start_on(listener, keys, None).await?;
            // Registered before the URL is printed: a parent may signal as soon as it reads it.
            let signalled = crate::daemon::shutdown_signal();
            match cli.output {
                // One line, so a parent can read it while the process keeps serving.
                Output::Json => crate::outln!(
                    "{}",
                    serde_json::json!({"url": odyn.url(), "wallet": odyn.address()})
                ),
                Output::Text => crate::outln!("{}", odyn.url()),
            }
            eprintln!(
                "test Odyn: {} (wallet {}); stops on SIGTERM / SIGINT",
                odyn.url(),
                odyn.address()
            );
            signalled.await;
            odyn.stop();
            Ok(())
        }
        DevnetCmd::Down(a) => {
            let stopped = devnet::down(&a.dir).await?;
            match cli.output {
                Output::Json => print_json(&serde_json::json!({"stopped": stopped})),
                Output::Text => crate::outln!(
                    "devnet in {} stopped ({stopped} processes)",
                    a.dir.display()
                ),
            }
            Ok(())
        }
    }
}
