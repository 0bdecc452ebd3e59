//! Who `novakms bench` acts as and against which nodes: app identities from a devnet directory
//! or from app config files, nodes from the command line or the config, each node's wallet and
//! teePubkey resolved on chain, and one [`AppClient`] per (node, app).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::bench::ClientGrid;
use crate::chain::devnet::DevnetInfo;
use crate::chain::registry::RegistryClient;
use crate::client::app::{resolve_node, AppClient};
use crate::config::Settings;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::IdentityHandle;

/// Where the bench's apps and nodes come from (the `bench` flags that choose them).
#[derive(Debug, Clone)]
pub struct Targets {
    /// A devnet directory (its `devnet.json`): chain, apps and nodes from there.
    pub devnet: Option<PathBuf>,
    /// Use only the first K app identities.
    pub apps: Option<u32>,
    /// Node URLs; empty: the devnet's nodes, or `addr` from the settings.
    pub nodes: Vec<String>,
    /// App config files (keystore, password file); empty: the global settings' identity.
    pub app_configs: Vec<PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Concurrent clients (sizes each node's HTTP connection pool).
    pub concurrency: u32,
}

/// The resolved setup: `grid[node][app]` clients, the apps, the node URLs (no trailing `/`).
pub struct Setup {
    /// One client per (node, app).
    pub grid: ClientGrid,
    /// The app identities, in grid column order.
    pub apps: Vec<App>,
    /// Node URLs, in grid row order.
    pub urls: Vec<String>,
    /// The resolved nodes, in grid row order.
    pub nodes: Vec<NodeTarget>,
    /// The devnet (`--devnet DIR`), for what needs its chain owner (`--fresh-apps`).
    pub devnet: Option<DevnetInfo>,
}

/// One target node: its HTTP pool and on-chain identity.
pub struct NodeTarget {
    /// Base URL, no trailing `/`.
    pub url: String,
    http: reqwest::Client,
    tee_wallet: String,
    tee_pubkey: Vec<u8>,
}

impl NodeTarget {
    /// A client acting as `identity` against this node (sharing its connection pool).
    /// Errors: Local (invalid node wallet).
    pub fn client(&self, identity: IdentityHandle) -> Result<Arc<AppClient>> {
        Ok(Arc::new(AppClient::with_handle(
            self.http.clone(),
            &self.url,
            identity,
            &self.tee_wallet,
            self.tee_pubkey.clone(),
        )?))
    }
}

/// One app identity to act as.
pub struct App {
    /// The identity (wallet + teePubkey; keystore or Odyn).
    pub identity: IdentityHandle,
    /// App id from the registry, if the identity is registered.
    pub app_id: Option<u64>,
}

/// Where the chain and the identities come from.
struct Sources {
    registry: RegistryClient,
    kms_app_id: u64,
    node_wallet: Option<String>,
    nodes: Vec<String>,
    identities: Vec<IdentityHandle>,
    devnet: Option<DevnetInfo>,
}

fn load_devnet(dir: &Path, s: &Settings, a: &Targets) -> Result<Sources> {
    let path = dir.join("devnet.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::local(format!("cannot read {}: {e}", path.display())))?;
    let info: DevnetInfo = serde_json::from_str(&text)
        .map_err(|e| Error::local(format!("invalid {}: {e}", path.display())))?;
    // A `devnet up --tls` devnet: trust its CA unless ca_file is set explicitly.
    if let (None, Some(ca)) = (&s.ca_file, &info.ca_file) {
        crate::tls::client::set_ca_file(Some(ca))?;
    }
    let password = std::fs::read_to_string(&info.password_file)
        .map_err(|e| Error::local(format!("cannot read {}: {e}", info.password_file.display())))?;
    let password = password.trim_end_matches(['\r', '\n']);
    let take = a.apps.map(|k| k as usize).unwrap_or(info.apps.len());
    if take > info.apps.len() {
        return Err(Error::new(
            ErrorKind::Usage,
            format!(
                "--apps {take}: the devnet has only {} app identities (devnet up --apps N)",
                info.apps.len()
            ),
        ));
    }
    let mut identities = Vec::new();
    for app in &info.apps[..take] {
        identities.push(IdentityHandle::keystore(
            crate::identity::load_keystore(&app.keystore, password)?,
            &s.envelope_info_label,
            4,
        ));
    }
    let nodes = if a.nodes.is_empty() {
        info.nodes.iter().map(|n| n.url.clone()).collect()
    } else {
        a.nodes.clone()
    };
    Ok(Sources {
        registry: RegistryClient::new(
            &info.rpc_url,
            &info.nova_app_registry,
            &info.kms_registry,
            s.rpc_timeout(),
        )?,
        kms_app_id: info.kms_app_id,
        node_wallet: None,
        nodes,
        identities,
        devnet: Some(info),
    })
}

async fn load_configured(s: &Settings, a: &Targets) -> Result<Sources> {
    s.require_registries()?;
    let mut identities = Vec::new();
    if a.app_configs.is_empty() {
        identities.push(IdentityHandle::from_settings(s, 4).await?);
    } else {
        let take = a.apps.map(|k| k as usize).unwrap_or(a.app_configs.len());
        if take > a.app_configs.len() {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "--apps {take}: only {} --app-config given",
                    a.app_configs.len()
                ),
            ));
        }
        for file in &a.app_configs[..take] {
            let app_settings = Settings::load_from_process(Some(file))?;
            identities.push(
                IdentityHandle::from_settings(&app_settings, 4)
                    .await
                    .map_err(|e| e.context(file.display()))?,
            );
        }
    }
    let nodes = if a.nodes.is_empty() {
        vec![s.addr.clone()]
    } else {
        a.nodes.clone()
    };
    Ok(Sources {
        registry: RegistryClient::new(
            &s.rpc_url,
            &s.nova_app_registry,
            &s.kms_registry,
            s.rpc_timeout(),
        )?,
        kms_app_id: s.kms_app_id,
        node_wallet: if a.nodes.is_empty() {
            s.node_wallet.clone()
        } else {
            None
        },
        nodes,
        identities,
        devnet: None,
    })
}

/// Resolve the nodes on chain and build one HTTP pool per node and one
/// [`AppClient`] per (node, app).
async fn build_grid(src: Sources, a: &Targets) -> Result<Setup> {
    let mut apps = Vec::new();
    for identity in src.identities {
        let app_id = match src
            .registry
            .get_instance_by_wallet(identity.address())
            .await
        {
            Ok(i) if i.id != 0 => Some(i.app_id),
            _ => None,
        };
        apps.push(App { identity, app_id });
    }
    let mut grid = Vec::new();
    let mut urls = Vec::new();
    let mut targets = Vec::new();
    for url in &src.nodes {
        let url = url.trim_end_matches('/').to_string();
        let node = resolve_node(
            &src.registry,
            src.kms_app_id,
            &url,
            src.node_wallet.as_deref(),
        )
        .await?;
        let http = crate::tls::client::builder()
            .timeout(a.timeout)
            .pool_max_idle_per_host(a.concurrency as usize)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::local(format!("cannot build HTTP client: {e}")))?;
        let target = NodeTarget {
            url: url.clone(),
            http,
            tee_wallet: node.tee_wallet,
            tee_pubkey: node.tee_pubkey,
        };
        let mut row = Vec::new();
        for app in &apps {
            row.push(target.client(app.identity.clone())?);
        }
        grid.push(row);
        urls.push(url);
        targets.push(target);
    }
    Ok(Setup {
        grid,
        apps,
        urls,
        nodes: targets,
        devnet: src.devnet,
    })
}

/// Resolve `targets` into clients (see the module docs).
///
/// Errors: Local (unreadable devnet or config, identity), Usage (`--apps` larger than the
/// identities available), Remote (chain RPC), NotReady (a node not registered or not active).
pub async fn setup(s: &Settings, targets: &Targets) -> Result<Setup> {
    let src = match &targets.devnet {
        Some(dir) => load_devnet(dir, s, targets)?,
        None => load_configured(s, targets).await?,
    };
    build_grid(src, targets).await
}

/// The warm-up writers: one client per distinct namespace (app id), on the first node.
pub fn warmup_writers(grid: &ClientGrid, apps: &[App]) -> Vec<Arc<AppClient>> {
    let mut seen = BTreeSet::new();
    let mut writers = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        if seen.insert(app.app_id.unwrap_or(u64::MAX - i as u64)) {
            writers.push(grid[0][i].clone());
        }
    }
    writers
}
