//! The TOML files `devnet up` writes: `node-<i>.toml` ([`NodeConfig`], `serve --config` it)
//! and `app.toml` / `app-<i>.toml` ([`AppConfig`], `--config` it for `store` / `derive`).
//! Keys are the `config` module's names (docs/operator-guide.md, "Configuration").

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// `node-<i>.toml`: the configuration of a devnet node (`serve --config` it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeConfig {
    /// Chain JSON-RPC URL.
    pub rpc_url: String,
    /// NovaAppRegistry (mock) address.
    pub nova_app_registry: String,
    /// KMSRegistry address.
    pub kms_registry: String,
    /// KMS app id.
    pub kms_app_id: u64,
    /// Keystore password file (`None` on an Odyn node: no keystore).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_file: Option<String>,
    /// The node's keystore (`None` on an Odyn node).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keystore: Option<String>,
    /// `"odyn"` on a node whose identity lives in a (test) Odyn (`devnet up --odyn-nodes`);
    /// `None`: the keystore (the default of `identity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The node's Odyn API (`http://127.0.0.1:<port>`, plain HTTP on loopback as inside a Nova
    /// enclave) when `identity = "odyn"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub odyn_url: Option<String>,
    /// Listen address (`127.0.0.1:<port>`).
    pub bind_addr: String,
    /// The URL the node is registered with.
    pub node_url: String,
    /// Data dir.
    pub data_dir: String,
    /// Node tick period, seconds (1 on a devnet).
    pub node_tick_seconds: u64,
    /// `/nonce` rate limit per minute (0: none, so load tests from 127.0.0.1 work).
    pub nonce_rate_limit_per_minute: u64,
    /// Node used by client commands run with this config.
    pub addr: String,
    /// `--tls`: the node's certificate chain (PEM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_cert_file: Option<String>,
    /// `--tls`: the node's private key (PEM, 0600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_key_file: Option<String>,
    /// `--tls`: the devnet CA, trusted for chain RPC, peers and clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
}

impl NodeConfig {
    /// This node's identity moved to the Odyn at `odyn_url` (issue 11 item 2):
    /// `identity = "odyn"`, `odyn_url`, and no keystore or password file (the keys never leave
    /// Odyn). The one place a devnet node config is switched to Odyn.
    pub fn on_odyn(mut self, odyn_url: &str) -> NodeConfig {
        self.identity = Some("odyn".into());
        self.odyn_url = Some(odyn_url.into());
        self.keystore = None;
        self.password_file = None;
        self
    }
}

/// `app.toml`, `app-<i>.toml`: the configuration of a devnet app identity (`--config` it for
/// `store` / `derive`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppConfig {
    /// Chain JSON-RPC URL.
    pub rpc_url: String,
    /// NovaAppRegistry (mock) address.
    pub nova_app_registry: String,
    /// KMSRegistry address.
    pub kms_registry: String,
    /// KMS app id.
    pub kms_app_id: u64,
    /// Keystore password file.
    pub password_file: String,
    /// The app's keystore.
    pub keystore: String,
    /// The node the app talks to (node 1).
    pub addr: String,
    /// `--tls`: the devnet CA, trusted for chain RPC and the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
}

/// Write `config` as TOML after the comment lines `header`.
pub(super) fn write_config(path: &Path, header: &str, config: &impl Serialize) -> Result<()> {
    let body = toml::to_string(config)
        .map_err(|e| Error::local(format!("cannot encode {}: {e}", path.display())))?;
    std::fs::write(path, format!("{header}{body}"))
        .map_err(|e| Error::local(format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::devnet::DEVNET_KMS_APP_ID;

    fn toml_str(s: &str) -> String {
        toml::Value::String(s.to_string()).to_string()
    }

    /// The configs equal (as TOML values) what the hand-written templates produced before.
    #[test]
    fn configs_match_the_former_templates() {
        let t = tempfile::tempdir().unwrap();
        let (rpc, nova, kms) = ("http://127.0.0.1:8545", "0xaa\"quoted\"", "0xbb");
        let pw = "/tmp/dir with space/password";
        let common = format!(
            "rpc_url = {}\nnova_app_registry = {}\nkms_registry = {}\nkms_app_id = {}\npassword_file = {}\n",
            toml_str(rpc),
            toml_str(nova),
            toml_str(kms),
            DEVNET_KMS_APP_ID,
            toml_str(pw),
        );
        let node_old = format!(
            "{common}keystore = {}\nbind_addr = {}\nnode_url = {}\ndata_dir = {}\nnode_tick_seconds = 1\nnonce_rate_limit_per_minute = 0\naddr = {}\n",
            toml_str("/d/node-1.keystore.json"),
            toml_str("127.0.0.1:9000"),
            toml_str("http://127.0.0.1:9000"),
            toml_str("/d/node-1"),
            toml_str("http://127.0.0.1:9000"),
        );
        let node = NodeConfig {
            rpc_url: rpc.into(),
            nova_app_registry: nova.into(),
            kms_registry: kms.into(),
            kms_app_id: DEVNET_KMS_APP_ID,
            password_file: Some(pw.into()),
            keystore: Some("/d/node-1.keystore.json".into()),
            identity: None,
            odyn_url: None,
            bind_addr: "127.0.0.1:9000".into(),
            node_url: "http://127.0.0.1:9000".into(),
            data_dir: "/d/node-1".into(),
            node_tick_seconds: 1,
            nonce_rate_limit_per_minute: 0,
            addr: "http://127.0.0.1:9000".into(),
            tls_cert_file: None,
            tls_key_file: None,
            ca_file: None,
        };
        let path = t.path().join("node-1.toml");
        write_config(&path, "# header\n", &node).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# header\n"), "{text}");
        let parsed: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(parsed, toml::from_str::<toml::Value>(&node_old).unwrap());
        assert_eq!(toml::from_str::<NodeConfig>(&text).unwrap(), node);

        let app_old = format!(
            "{common}keystore = {}\naddr = {}\n",
            toml_str("/d/app.keystore.json"),
            toml_str("http://127.0.0.1:9000"),
        );
        let app = AppConfig {
            rpc_url: rpc.into(),
            nova_app_registry: nova.into(),
            kms_registry: kms.into(),
            kms_app_id: DEVNET_KMS_APP_ID,
            password_file: pw.into(),
            keystore: "/d/app.keystore.json".into(),
            addr: "http://127.0.0.1:9000".into(),
            ca_file: None,
        };
        let path = t.path().join("app.toml");
        write_config(&path, "", &app).unwrap();
        let parsed: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(parsed, toml::from_str::<toml::Value>(&app_old).unwrap());
    }
    /// An Odyn node's config is read by `serve` as `identity = "odyn"` at its `odyn_url`, with
    /// no keystore or password file left over from the keystore template.
    #[test]
    fn an_odyn_node_config_loads_as_odyn_identity() {
        let t = tempfile::tempdir().unwrap();
        let node = NodeConfig {
            rpc_url: "http://127.0.0.1:8545".into(),
            nova_app_registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3".into(),
            kms_registry: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512".into(),
            kms_app_id: DEVNET_KMS_APP_ID,
            password_file: Some("/d/password".into()),
            keystore: Some("/d/node-3.keystore.json".into()),
            identity: None,
            odyn_url: None,
            bind_addr: "127.0.0.1:9003".into(),
            node_url: "http://127.0.0.1:9003".into(),
            data_dir: "/d/node-3".into(),
            node_tick_seconds: 1,
            nonce_rate_limit_per_minute: 0,
            addr: "http://127.0.0.1:9003".into(),
            tls_cert_file: None,
            tls_key_file: None,
            ca_file: None,
        }
        .on_odyn("http://127.0.0.1:18123");
        let path = t.path().join("node-3.toml");
        write_config(&path, "", &node).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("keystore") && !text.contains("password_file"),
            "{text}"
        );
        let s = crate::config::Settings::load(Some(&path), &[]).unwrap();
        assert_eq!(s.identity, crate::config::IdentityKind::Odyn);
        assert_eq!(s.odyn_url, "http://127.0.0.1:18123");
        assert_eq!((s.keystore, s.password_file), (None, None));
    }
}
