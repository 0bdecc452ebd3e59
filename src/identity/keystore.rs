//! Encrypted Ethereum V3 keystore files holding an [`Identity`] (design.md §2, §6).
//!
//! Format: the Web3 Secret Storage definition (version 3) as written by alloy's `signer-keystore`
//! support (scrypt n = 8192, r = 8, p = 1, dklen 32; AES-128-CTR; keccak256 MAC), plus the
//! geth-style `"address"` field (40 lowercase hex, no `0x`) so that `geth account list` and
//! foundry (`cast wallet`) read it. The P-384 key is not stored: it is derived from the wallet
//! key (see the [`super`] module docs), so the keystore is the whole identity.
//!
//! Files are created with mode 0600 via a temporary file in the same directory, fsync, and an
//! atomic no-overwrite link into place.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use alloy::signers::local::{LocalSignerError, PrivateKeySigner};
use serde_json::Value;

use super::Identity;
use crate::error::{Error, ErrorKind, Result};

/// Upper bound on scrypt memory (`128 · r · n` bytes) accepted when loading: 1 GiB.
const MAX_SCRYPT_MEMORY: u64 = 1 << 30;
/// Upper bound on PBKDF2 iterations accepted when loading.
const MAX_PBKDF2_ITERATIONS: u64 = 10_000_000;

/// Create a new random identity and write it as an encrypted V3 keystore to exactly `path`.
///
/// The file is written to a temporary file in the same directory with mode 0600, fsynced,
/// linked to `path` (never replacing an existing file), and the directory is fsynced.
///
/// Errors: `path` already exists → [`ErrorKind::Refused`]; missing directory, I/O failure →
/// [`ErrorKind::Local`] (messages name the path, never the password or key).
pub fn create_keystore(path: &Path, password: &str) -> Result<Identity> {
    let id = Identity::generate();
    write_keystore(path, password, &id)?;
    Ok(id)
}

/// Write an existing identity as an encrypted V3 keystore to exactly `path` (same rules and
/// errors as [`create_keystore`]); used to import a key.
pub fn write_keystore(path: &Path, password: &str, id: &Identity) -> Result<()> {
    if path.symlink_metadata().is_ok() {
        return Err(refused(path));
    }
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::local(format!("invalid keystore path {}", path.display())))?;
    let dir: PathBuf = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::local(format!(
            "cannot create keystore {}: directory {} does not exist",
            path.display(),
            dir.display()
        )));
    }

    let mut rnd = [0u8; 8];
    crate::crypto::os_random(&mut rnd);
    let tmp_name = format!(".{file_name}.tmp-{}", hex::encode(rnd));
    let tmp = TempFile(dir.join(&tmp_name));
    let io_err = |what: &str, e: std::io::Error| {
        Error::local(format!(
            "cannot write keystore {}: {what}: {e}",
            path.display()
        ))
    };

    // Create the temporary file 0600 first; the keystore writer then truncates it in place
    // (keeping the mode), so the data never sits in a more permissive file.
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    drop(
        opts.open(&tmp.0)
            .map_err(|e| io_err("create temporary file", e))?,
    );

    let secret = id.private_key_bytes();
    PrivateKeySigner::encrypt_keystore(
        &dir,
        &mut rand::rngs::OsRng,
        &secret[..],
        password,
        Some(&tmp_name),
    )
    .map_err(|e| Error::local(format!("cannot encrypt keystore {}: {e}", path.display())))?;

    // Add the geth-style address field and write the final JSON.
    let text = fs::read_to_string(&tmp.0).map_err(|e| io_err("read back", e))?;
    let mut json: Value = serde_json::from_str(&text)
        .map_err(|e| Error::local(format!("keystore encoder produced bad JSON: {e}")))?;
    if let Some(obj) = json.as_object_mut() {
        let addr = id.address();
        obj.insert(
            "address".into(),
            Value::String(addr.trim_start_matches("0x").to_owned()),
        );
    }
    let out = serde_json::to_vec(&json)
        .map_err(|e| Error::local(format!("cannot serialize keystore: {e}")))?;
    let mut f = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&tmp.0)
        .map_err(|e| io_err("reopen temporary file", e))?;
    f.write_all(&out).map_err(|e| io_err("write", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| io_err("chmod 0600", e))?;
    }
    f.sync_all().map_err(|e| io_err("fsync", e))?;
    drop(f);

    // Move into place without ever replacing an existing file.
    match fs::hard_link(&tmp.0, path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(refused(path)),
        Err(_) => {
            // Filesystem without hard links: check-then-rename (small race window).
            if path.symlink_metadata().is_ok() {
                return Err(refused(path));
            }
            fs::rename(&tmp.0, path).map_err(|e| io_err("rename into place", e))?;
        }
    }
    drop(tmp); // removes the temporary name if it still exists
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Load and decrypt a V3 keystore (scrypt or pbkdf2, as written by alloy, geth or foundry).
///
/// Errors: missing file → [`ErrorKind::Local`] `keystore file not found: <path>`; wrong
/// password (MAC mismatch) → [`ErrorKind::Auth`] `wrong keystore password for <path>`;
/// unreadable or malformed file, unsupported cipher/KDF parameters, or a key that is not a
/// valid secp256k1 scalar → [`ErrorKind::Local`].
pub fn load_keystore(path: &Path, password: &str) -> Result<Identity> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::local(format!(
                "keystore file not found: {}",
                path.display()
            )))
        }
        Err(e) => {
            return Err(Error::local(format!(
                "cannot read keystore {}: {e}",
                path.display()
            )))
        }
    };
    validate_keystore(&text)
        .map_err(|why| Error::local(format!("malformed keystore {}: {why}", path.display())))?;
    match PrivateKeySigner::decrypt_keystore(path, password) {
        Ok(signer) => Ok(Identity::from_signer(signer)),
        Err(LocalSignerError::EthKeystoreError(eth_keystore::KeystoreError::MacMismatch)) => Err(
            Error::auth(format!("wrong keystore password for {}", path.display())),
        ),
        Err(LocalSignerError::EcdsaError(_)) => Err(Error::local(format!(
            "keystore {} does not hold a valid secp256k1 private key",
            path.display()
        ))),
        Err(e) => Err(Error::local(format!(
            "malformed keystore {}: {e}",
            path.display()
        ))),
    }
}

fn refused(path: &Path) -> Error {
    Error::new(
        ErrorKind::Refused,
        format!(
            "keystore file {} already exists; refusing to overwrite it (move it away or choose another path)",
            path.display()
        ),
    )
}

/// Removes the file at the path on drop (if it still exists).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Structural checks before handing the file to the decoder, which would panic on short IVs or
/// dklen < 32 and could be made to allocate without bound by hostile scrypt parameters.
fn validate_keystore(text: &str) -> std::result::Result<(), String> {
    let v: Value = serde_json::from_str(text).map_err(|_| "not JSON".to_owned())?;
    let crypto = v
        .get("crypto")
        .and_then(Value::as_object)
        .ok_or("no \"crypto\" object")?;
    let hex_field =
        |obj: &serde_json::Map<String, Value>, k: &str| -> std::result::Result<Vec<u8>, String> {
            obj.get(k)
                .and_then(Value::as_str)
                .and_then(|s| hex::decode(s).ok())
                .ok_or_else(|| format!("\"{k}\" is not a hex string"))
        };
    if crypto.get("cipher").and_then(Value::as_str) != Some("aes-128-ctr") {
        return Err("unsupported cipher (expected aes-128-ctr)".into());
    }
    let iv = crypto
        .get("cipherparams")
        .and_then(Value::as_object)
        .ok_or("no \"cipherparams\" object")
        .and_then(|cp| hex_field(cp, "iv").map_err(|_| "\"iv\" is not a hex string"))?;
    if iv.len() != 16 {
        return Err("iv must be 16 bytes".into());
    }
    if hex_field(crypto, "ciphertext")?.len() != 32 {
        return Err("ciphertext must be 32 bytes".into());
    }
    if hex_field(crypto, "mac")?.len() != 32 {
        return Err("mac must be 32 bytes".into());
    }
    let params = crypto
        .get("kdfparams")
        .and_then(Value::as_object)
        .ok_or("no \"kdfparams\" object")?;
    hex_field(params, "salt")?;
    let num = |k: &str| params.get(k).and_then(Value::as_u64);
    if num("dklen") != Some(32) {
        return Err("kdfparams.dklen must be 32".into());
    }
    match crypto.get("kdf").and_then(Value::as_str) {
        Some("scrypt") => {
            let (n, r, p) = match (num("n"), num("r"), num("p")) {
                (Some(n), Some(r), Some(p)) => (n, r, p),
                _ => return Err("scrypt parameters n, r, p missing".into()),
            };
            if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 || p > 16 {
                return Err("unsupported scrypt parameters".into());
            }
            if 128u64.saturating_mul(r).saturating_mul(n) > MAX_SCRYPT_MEMORY {
                return Err("scrypt parameters need more than 1 GiB of memory".into());
            }
        }
        Some("pbkdf2") => {
            match num("c") {
                Some(c) if (1..=MAX_PBKDF2_ITERATIONS).contains(&c) => {}
                _ => return Err("unsupported pbkdf2 iteration count".into()),
            }
            if params.get("prf").and_then(Value::as_str) != Some("hmac-sha256") {
                return Err("unsupported pbkdf2 prf (expected hmac-sha256)".into());
            }
        }
        _ => return Err("unsupported kdf (expected scrypt or pbkdf2)".into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.keystore.json");
        let id = create_keystore(&path, "pa55 word").unwrap();

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Only the keystore remains in the directory (temporary file cleaned up).
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("node.keystore.json")]);

        // Standard V3 layout with the geth address field.
        let json: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(json["version"], 3);
        assert_eq!(json["crypto"]["kdf"], "scrypt");
        assert_eq!(json["address"], id.address().trim_start_matches("0x"));
        let text = fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&hex::encode(*id.private_key_bytes())));

        let loaded = load_keystore(&path, "pa55 word").unwrap();
        assert_eq!(loaded.address(), id.address());
        assert_eq!(loaded.tee_pubkey_hex(), id.tee_pubkey_hex());
        assert_eq!(loaded.seal_key(), id.seal_key());

        // Readable by alloy's own decoder.
        let s = PrivateKeySigner::decrypt_keystore(&path, "pa55 word").unwrap();
        assert_eq!(
            crate::crypto::pop::address_string(&s.address()),
            id.address()
        );

        // Wrong password → Auth naming the path.
        let e = load_keystore(&path, "wrong").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(e.message().contains("wrong keystore password"));
        assert!(e.message().contains("node.keystore.json"));

        // Refuses to overwrite, leaves the file intact.
        let e = create_keystore(&path, "other").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Refused);
        assert!(e.message().contains("already exists"));
        assert_eq!(
            load_keystore(&path, "pa55 word").unwrap().address(),
            id.address()
        );
    }

    #[test]
    fn write_existing_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        let id = Identity::from_private_key(&[0x11; 32]).unwrap();
        write_keystore(&path, "", &id).unwrap();
        assert_eq!(
            load_keystore(&path, "").unwrap().tee_pubkey_hex(),
            id.tee_pubkey_hex()
        );
    }

    #[test]
    fn load_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.json");
        let e = load_keystore(&missing, "x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Local);
        assert!(e.message().contains("not found"));
        assert!(e.message().contains("missing.json"));

        let bad = dir.path().join("bad.json");
        for content in [
            "not json",
            "{}",
            r#"{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"00"},"ciphertext":"00","kdf":"scrypt","kdfparams":{"dklen":32,"n":8192,"r":8,"p":1,"salt":"00"},"mac":"00"},"id":"6c4485f3-3cc0-4081-848e-8bf489f2c262","version":3}"#,
        ] {
            fs::write(&bad, content).unwrap();
            let e = load_keystore(&bad, "x").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Local, "{content}");
            assert!(
                e.message().contains("malformed keystore"),
                "{}",
                e.message()
            );
        }

        // Hostile scrypt parameters are refused before any work.
        let dir2 = tempfile::tempdir().unwrap();
        let good = dir2.path().join("g.json");
        create_keystore(&good, "pw").unwrap();
        let mut json: Value = serde_json::from_str(&fs::read_to_string(&good).unwrap()).unwrap();
        json["crypto"]["kdfparams"]["n"] = Value::from(1u64 << 30);
        fs::write(&bad, json.to_string()).unwrap();
        assert_eq!(
            load_keystore(&bad, "pw").unwrap_err().kind(),
            ErrorKind::Local
        );
        json["crypto"]["kdfparams"]["n"] = Value::from(8192);
        json["crypto"]["kdfparams"]["dklen"] = Value::from(16);
        fs::write(&bad, json.to_string()).unwrap();
        assert_eq!(
            load_keystore(&bad, "pw").unwrap_err().kind(),
            ErrorKind::Local
        );
    }

    #[test]
    fn missing_directory_is_local() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("k.json");
        let e = create_keystore(&path, "pw").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Local);
    }
}
