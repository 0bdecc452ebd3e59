//! Creating a backup file (`backup create`): the offline backup of a data dir no node holds
//! (open the database, choose the manifest's `masterSecretHash`, write), and [`Created`], what
//! either kind of backup reports. The online kind is [`super::online::receive`].
//!
//! `masterSecretHash` of an offline backup ([`choose_master_secret_hash`]): the chain's value
//! when the registries are configured and answer (a sealed secret that disagrees is only
//! warned about), else keccak256 of the sealed master secret in the database when it opens with
//! the keystore, else unknown.

use std::io;
use std::path::Path;

use super::dest::BackupDest;
use super::format::{BackupMode, HashSource, Manifest, DIGEST_LEN};
use super::read::Verified;
use super::write::{write_backup, ManifestContext, Progress, WriteSummary};
use crate::config::Settings;
use crate::crypto::master::MasterSecret;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::Identity;
use crate::storage::redb::{RedbStorage, DB_FILE_NAME};
use crate::storage::Storage;

/// What `backup create` reports, online or offline.
#[derive(Clone, Debug)]
pub struct Created {
    /// How the backup was taken.
    pub mode: BackupMode,
    /// The manifest written (offline) or received and verified (online).
    pub manifest: Manifest,
    /// SHA-256 over everything before the trailer (the signed digest).
    pub digest: [u8; DIGEST_LEN],
    /// File length in bytes.
    pub bytes: u64,
    /// The signing wallet (= `manifest.node_wallet`).
    pub signer: String,
}

impl Created {
    /// The report of an offline backup.
    pub fn offline(s: WriteSummary) -> Self {
        Created {
            mode: BackupMode::Offline,
            signer: s.manifest.node_wallet.clone(),
            manifest: s.manifest,
            digest: s.digest,
            bytes: s.bytes,
        }
    }

    /// The report of an online backup (received and verified).
    pub fn online(v: Verified) -> Self {
        Created {
            mode: BackupMode::Online,
            signer: v.signer,
            manifest: v.manifest,
            digest: v.digest,
            bytes: v.bytes,
        }
    }
}

/// Check that `dir` holds a database (`dir/novakms.redb`) before anything else happens (the
/// keystore password prompt comes after this check). Errors: Local naming what is missing.
pub fn check_data_dir(dir: &Path) -> Result<()> {
    let db = dir.join(DB_FILE_NAME);
    match db.symlink_metadata() {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::local(format!(
            "no database in {} ({} does not exist)",
            dir.display(),
            db.display()
        ))),
        Err(e) => Err(Error::local(format!("cannot access {}: {e}", db.display()))),
    }
}

/// `masterSecretHash` (`0x` + 64 hex) from the chain, when the registries are configured and
/// the chain answers with a non-zero value; `None` otherwise (logged as a warning, never an
/// error: an offline backup does not need the chain).
pub async fn chain_master_secret_hash(s: &Settings) -> Option<String> {
    if s.nova_app_registry.is_empty() || s.kms_registry.is_empty() {
        return None;
    }
    let reg = match crate::chain::registry::RegistryClient::new(
        &s.rpc_url,
        &s.nova_app_registry,
        &s.kms_registry,
        s.rpc_timeout(),
    ) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read masterSecretHash from the chain");
            return None;
        }
    };
    match reg.master_secret_hash().await {
        Ok(h) if h != [0u8; 32] => Some(format!("0x{}", hex::encode(h))),
        Ok(_) => {
            tracing::warn!("masterSecretHash is unset on chain");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot read masterSecretHash from the chain; using the sealed secret if any");
            None
        }
    }
}

/// The manifest's `masterSecretHash` and its source from the chain's value and the hash of the
/// sealed secret that opened (module docs). Pure; a disagreement is the caller's to log.
pub fn choose_master_secret_hash(
    chain: Option<String>,
    sealed: Option<String>,
) -> (Option<String>, HashSource) {
    match (chain, sealed) {
        (Some(c), _) => (Some(c), HashSource::Chain),
        (None, Some(l)) => (Some(l), HashSource::Sealed),
        (None, None) => (None, HashSource::Unknown),
    }
}

/// Offline backup of the database in `dir` to `dest`, signed by `identity`, with the chain's
/// `masterSecretHash` if known (`chain`, see [`chain_master_secret_hash`]). Blocking. The
/// database is opened read-only ([`RedbStorage::open_read_only`]): never written; one that needs
/// a repair is read through an in-memory view, one written by novakms 0.1.0 from a private copy
/// in `dir`.
///
/// Errors: InUse (a running node holds the data dir: back it up online), Local (I/O, no
/// database in `dir`, no cluster binding), Integrity (corrupt database), Refused (FILE appeared meanwhile); on any
/// error `dest` is removed.
pub fn offline(
    dir: &Path,
    identity: &Identity,
    chain: Option<String>,
    dest: BackupDest,
    progress: Option<Progress<'_>>,
) -> Result<Created> {
    // Read-only: a backup never writes the database it copies (not even redb's header).
    let storage = match RedbStorage::open_read_only(dir) {
        Ok(st) => st,
        Err(e) if e.kind() == ErrorKind::InUse => {
            return Err(Error::new(
                ErrorKind::InUse,
                format!(
                    "data dir {} is held by a running node: use `novakms backup create FILE` \
                     without --data-dir to back it up online",
                    dir.display()
                ),
            ));
        }
        Err(e) => return Err(e),
    };
    write_offline(&*storage, identity, chain, dest, progress)
}

/// Offline export of an open storage to `dest` (module docs for the hash rules).
fn write_offline(
    storage: &dyn Storage,
    identity: &Identity,
    chain: Option<String>,
    mut dest: BackupDest,
    progress: Option<Progress<'_>>,
) -> Result<Created> {
    let sealed = storage.load_sealed_master_secret()?;
    let opened = sealed
        .as_ref()
        .and_then(|b| MasterSecret::unseal_at_rest(&identity.seal_key(), b).ok());
    let sealed_hash = opened.as_ref().map(MasterSecret::hash_hex);
    if let (Some(c), Some(l)) = (&chain, &sealed_hash) {
        if c != l {
            tracing::warn!(
                chain = %c,
                sealed = %l,
                "the database's sealed master secret does not match masterSecretHash on chain"
            );
        }
    }
    let (hash, source) = choose_master_secret_hash(chain, sealed_hash);
    if sealed.is_some() && opened.is_none() {
        tracing::warn!(
            "the sealed master secret in the database does not open with this keystore; it is \
             kept in the snapshot for the node wallet the database belongs to"
        );
    }
    let ctx = ManifestContext {
        mode: BackupMode::Offline,
        created_at_ms: crate::clock::Clock::system().now_ms(),
        master_secret_hash: hash,
        master_secret_hash_source: source,
        include_sealed_master_secret: true,
        sealed_for: opened.map(|_| identity.address()),
    };
    let (summary, _) = write_backup(storage, &mut dest, identity, ctx, progress)?;
    dest.commit()?;
    Ok(Created::offline(summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::backup::fixtures::*;
    use crate::storage::backup::verify_file;

    #[test]
    fn hash_source_rules() {
        let (c, s) = (Some("0xc".to_string()), Some("0xs".to_string()));
        let cases = [
            (c.clone(), s.clone(), Some("0xc"), HashSource::Chain),
            (c.clone(), None, Some("0xc"), HashSource::Chain),
            (None, s.clone(), Some("0xs"), HashSource::Sealed),
            (None, None, None, HashSource::Unknown),
        ];
        for (chain, sealed, hash, source) in cases {
            let got = choose_master_secret_hash(chain.clone(), sealed.clone());
            assert_eq!(
                (got.0.as_deref(), got.1),
                (hash, source),
                "{chain:?} {sealed:?}"
            );
        }
    }

    #[test]
    fn offline_backup_of_a_data_dir() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("data");
        let e = check_data_dir(&dir).unwrap_err();
        assert!(e.message().contains("no database in"), "{e}");
        let st = RedbStorage::open(&dir).unwrap();
        populate(&st);
        let id = Identity::generate();
        // Held by a "running node" (the open storage): InUse, no file left.
        let f = t.path().join("b.nksnap");
        let e = offline(&dir, &id, None, BackupDest::open(&f, false).unwrap(), None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InUse, "{e}");
        assert!(!f.exists() && !t.path().join("b.nksnap.part").exists());
        drop(st);
        check_data_dir(&dir).unwrap();
        let c = offline(&dir, &id, None, BackupDest::open(&f, false).unwrap(), None).unwrap();
        assert_eq!(
            (c.mode, c.signer.as_str()),
            (BackupMode::Offline, id.address().as_str())
        );
        // The sealed blob of the fixture does not open with `id`: unknown hash, kept sealed for
        // the database's node wallet.
        assert_eq!(c.manifest.master_secret_hash_source, HashSource::Unknown);
        assert_eq!(
            c.manifest.sealed_master_secret.as_ref().unwrap().sealed_for,
            N1
        );
        let v = verify_file(&f, None).unwrap();
        assert_eq!((v.digest, v.bytes), (c.digest, c.bytes));
    }
}
