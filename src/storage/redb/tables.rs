//! The tables of the on-disk layout (see the table in the module docs of `storage::redb`) and
//! the fixed keys and kind codes stored in them.

use ::redb::TableDefinition;

use crate::store::Record;

pub(super) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
pub(super) const RECORDS: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("records");
pub(super) const CHANGES: TableDefinition<u64, (u64, &str)> = TableDefinition::new("changes");
pub(super) const CHANGE_INDEX: TableDefinition<(u64, &str), u64> =
    TableDefinition::new("change_index");
pub(super) const CHANGE_ORIGIN: TableDefinition<u64, &str> = TableDefinition::new("change_origin");
pub(super) const USAGE: TableDefinition<u64, (u64, u64, u64)> = TableDefinition::new("usage");
pub(super) const BY_AGE: TableDefinition<(u64, u8, u64, &str), (u64, u64)> =
    TableDefinition::new("by_age");
pub(super) const EXPIRY: TableDefinition<(u64, u64, &str), u8> = TableDefinition::new("expiry");
pub(super) const PEERS: TableDefinition<&str, (u64, u64)> = TableDefinition::new("peers");
pub(super) const MASTER_SECRET: TableDefinition<&str, &[u8]> =
    TableDefinition::new("master_secret");

pub(super) const META_SCHEMA: &str = "schema_version";
pub(super) const META_LAST_SEQ: &str = "last_seq";
pub(super) const META_BINDING: &str = "binding";
pub(super) const META_RESTORED: &str = "restored";
/// Prefix of the `meta` keys holding pull cursors: `"pull_cursor/<peer wallet>"` → u64 LE
/// (added within schema 1: older builds ignore the keys).
pub(super) const META_PULL_CURSOR_PREFIX: &str = "pull_cursor/";
/// `meta` key present (value `[1]`) once this database completed a catch-up with every peer
/// (`Storage::caught_up_once`; added within schema 1: older builds ignore it).
pub(super) const META_CAUGHT_UP: &str = "caught_up_once";
/// `meta` key of this database's change-log identity (`Storage::log_id`): 32 lowercase hex
/// ASCII bytes (added within schema 1: older builds ignore it; a read-write open adds it).
pub(super) const META_LOG_ID: &str = "log_id";
/// Prefix of the `meta` keys holding the log id a pull cursor belongs to:
/// `"pull_log/<peer wallet>"` → 32 lowercase hex ASCII bytes, absent for a cursor without one.
pub(super) const META_PULL_LOG_PREFIX: &str = "pull_log/";
pub(super) const SECRET_KEY: &str = "sealed";

pub(super) const KIND_VALUE: u8 = 0;
pub(super) const KIND_TOMBSTONE: u8 = 1;

/// Kind code of `rec` in the `by_age` and `expiry` indexes.
pub(super) fn kind(rec: &Record) -> u8 {
    if rec.tombstone {
        KIND_TOMBSTONE
    } else {
        KIND_VALUE
    }
}

/// The `meta` key of the pull cursor of `peer_wallet`.
pub(super) fn pull_cursor_key(peer_wallet: &str) -> String {
    format!("{META_PULL_CURSOR_PREFIX}{peer_wallet}")
}

/// The `meta` key of the log id of the pull cursor of `peer_wallet`.
pub(super) fn pull_log_key(peer_wallet: &str) -> String {
    format!("{META_PULL_LOG_PREFIX}{peer_wallet}")
}

/// A stored log id (`META_LOG_ID`, `pull_log/…`) if it has the shape `new_log_id` makes;
/// anything else reads as absent (it only makes a peer pull from 0).
pub(super) fn read_log_id(bytes: &[u8]) -> Option<String> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|s| crate::storage::valid_log_id(s))
        .map(str::to_string)
}
