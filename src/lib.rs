//! novakms: the core library shared by every `novakms` subcommand.
//!
//! Module map (design.md §2): `crypto` (derivations, envelopes, PoP), `identity`
//! (wallet keystore and P-384 key), `chain` (registry bindings and caches),
//! `store` (records, vector clocks, merge rules: pure logic), `storage` (redb and
//! memory backends; `storage::backup`, the `.nksnap` backup file and restore), `node`
//! (the running node), `api` (HTTP routers), `client` (HTTP clients), `admin_wire`
//! (the admin socket's wire format, shared by `api::admin` and `client::admin`), `cli`
//! (subcommand argument structs and `run()`).

pub mod admin_wire;
pub mod api;
pub mod bench;
pub mod chain;
pub mod cli;
pub mod client;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod error;
pub mod identity;
pub mod metrics;
pub mod node;
pub mod storage;
pub mod store;

pub use error::{Error, ErrorKind, Result};
