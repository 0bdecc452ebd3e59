//! Chain access: alloy bindings, the registry client, the app-auth cache, and the devnet
//! helpers (contract deployment, registry administration, a spawned anvil).
//!
//! * [`bindings`]: `sol!` ABI of NovaAppRegistry / MockNovaAppRegistry / KMSRegistry (protocol.md §9).
//! * [`types`]: plain structs ([`InstanceInfo`], [`AppInfo`], [`VersionInfo`]) and status constants.
//! * [`registry`]: [`RegistryClient`], every call bounded by a timeout (§9.4).
//! * [`rawtx`]: `setMasterSecretHash` signed by an external signer (Odyn, §9.5).
//! * [`auth`]: [`AppAuthCache`], the app authorization read-through cache (§2.7).
//! * [`devchain`]: contract deployment, [`RegistryAdmin`] (mock registry owner), [`fund`].
//! * [`anvil`]: [`Anvil`], a spawned local chain for tests and `novakms devnet`.
//! * [`devnet`]: a local cluster (`novakms devnet up|down`): provisioning, configs, processes.

pub mod anvil;
pub mod auth;
pub mod bindings;
pub mod devchain;
pub mod devnet;
pub mod membership;
pub mod rawtx;
pub mod registry;
pub mod types;

pub use anvil::Anvil;
pub use auth::{AppAuthCache, AuthError, AuthorizedApp};
pub use devchain::{
    anvil_dev_signer, deploy_contracts, dev_signer, fund, Deployed, RegistryAdmin, ANVIL_DEV_KEY_0,
};
pub use registry::RegistryClient;
pub use types::{
    canonical_address, parse_address, AppInfo, InstanceInfo, VersionInfo, APP_ACTIVE, APP_INACTIVE,
    APP_REVOKED, INSTANCE_ACTIVE, INSTANCE_FAILED, INSTANCE_STOPPED, VERSION_DEPRECATED,
    VERSION_ENROLLED, VERSION_REVOKED,
};
