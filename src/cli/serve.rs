//! `novakms serve`: run a full node.

use std::path::PathBuf;

use clap::Args;

use crate::cli::Cli;
use crate::config::StorageKind;
use crate::error::Result;

/// Arguments of `serve` (each also settable in the config file / env).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen address (config key bind_addr)
    #[arg(long)]
    pub bind: Option<String>,
    /// Data directory holding novakms.redb (config key data_dir)
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Storage backend (config key storage)
    #[arg(long, value_enum)]
    pub storage: Option<StorageKind>,
    /// This node's public URL (config key node_url; default: from the registry)
    #[arg(long)]
    pub node_url: Option<String>,
}

/// Run the node until SIGTERM/SIGINT (exit 0 after a clean shutdown).
pub async fn run(cli: &Cli, a: &ServeArgs) -> Result<()> {
    let mut s = cli.settings()?;
    if let Some(v) = &a.bind {
        s.bind_addr = v.clone();
    }
    if let Some(v) = &a.data_dir {
        s.data_dir = v.clone();
    }
    if let Some(v) = a.storage {
        s.storage = v;
    }
    if let Some(v) = &a.node_url {
        s.node_url = Some(v.clone());
    }
    // Not awaited here: the node opens its database and reads the chain id while the identity
    // is unlocked (`node::build_state`).
    let for_identity = s.clone();
    let identity = async move {
        crate::identity::IdentityHandle::from_settings(
            &for_identity,
            for_identity.registry_cache_capacity,
        )
        .await
    };
    crate::daemon::serve(s, identity).await
}
