//! novakms: the core library shared by every `novakms` subcommand.
//!
//! Module map (design.md §2; the current map with the dependency direction is
//! `docs/architecture.md`): `wire` (protocol header names and typed bodies), `crypto`
//! (derivations, envelopes, PoP), `identity` (wallet keystore and P-384 key), `chain`
//! (registry bindings and caches, membership, devnet provisioning), `store` (records, vector
//! clocks, merge rules: pure logic), `storage` (redb and memory backends; `storage::backup`,
//! the `.nksnap` backup file and restore), `node` (the running node and its operations core:
//! `node::auth`, `node::kv`, `node::peer_ops`, `node::commit`), `api` (HTTP routers: decode,
//! call the core, encode), `daemon` (`serve` composition), `client` (HTTP clients),
//! `admin_wire` (the admin socket's wire format, shared by `api::admin` and `client::admin`),
//! `cli` (subcommand argument parsing, output and exit codes), `tls` (rustls provider, PEM
//! loading, the listener's reloadable certificate, the one outbound HTTP client builder).

#![warn(missing_docs)]

pub mod activation;
pub mod admin_wire;
pub mod api;
pub mod bench;
pub mod chain;
pub mod cli;
pub mod client;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod daemon;
pub mod devnet_odyn;
pub mod error;
pub mod identity;
pub mod metrics;
pub mod node;
pub mod server;
pub mod storage;
pub mod store;
pub mod tls;
pub mod wire;

pub use error::{Error, ErrorKind, Result};
