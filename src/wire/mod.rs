//! Typed wire data of the Nova KMS protocol (protocol.md §1–§6): header names, the decrypted
//! request bodies of the app and peer routes, and their replies.
//!
//! One place names every header and field, so the node (`node::auth`, `node::kv`,
//! `node::peer_ops`) and the clients (`client::app`, `client::peer`) agree by construction.
//! Parsing keeps the upstream node's leniency (a field of the wrong JSON type reads as absent,
//! see [`lenient`]); the operations core turns an absent required field into the protocol's
//! error message.

pub mod app;
pub mod cluster;
pub mod headers;
pub mod lenient;
pub mod sync;
