//! Encrypted Ethereum V3 keystore files holding an [`Identity`] (design.md §2, §6).
//!
//! Format: the Web3 Secret Storage definition (version 3): scrypt (r = 8, p = 1, dklen 32),
//! AES-128-CTR, keccak256 MAC, plus the geth-style `"address"` field (40 lowercase hex, no
//! `0x`) so that `geth account list` and foundry (`cast wallet`) read it. The P-384 key is not
//! stored: it is derived from the wallet key (see the [`super`] module docs), so the keystore
//! is the whole identity.
//!
//! Strength ([`KeystoreKind`], issue 10): **node** keystores are written with scrypt
//! N = 2^18 (262,144; geth's "standard" `StandardScryptN`, 256 MiB and about 0.5–1 s per
//! unlock on one core), because a node key signs for the cluster and is unlocked once per
//! start. **App** keystores (devnet demo apps, `bench` clients) stay at N = 2^13 (8,192,
//! alloy's and geth's "light" setting): a leaked app keystore exposes one app instance, and
//! tools unlock many of them. Loading accepts any N up to 1 GiB of scrypt memory, so
//! keystores written before this change (N = 8,192) and by other tools still open.
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

/// Whose key a keystore holds, which sets its scrypt cost (module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeystoreKind {
    /// A KMS node: scrypt N = 2^18 ([`NODE_SCRYPT_LOG_N`]).
    Node,
    /// An app instance or bench client: scrypt N = 2^13 ([`APP_SCRYPT_LOG_N`]).
    App,
}

/// log2 of scrypt N for node keystores: 18 (geth `StandardScryptN` = 262,144).
pub const NODE_SCRYPT_LOG_N: u8 = 18;
/// log2 of scrypt N for app keystores: 13 (8,192, geth `LightScryptN`, alloy's default).
pub const APP_SCRYPT_LOG_N: u8 = 13;

impl KeystoreKind {
    /// log2 of the scrypt N this kind is written with.
    pub fn scrypt_log_n(self) -> u8 {
        match self {
            KeystoreKind::Node => NODE_SCRYPT_LOG_N,
            KeystoreKind::App => APP_SCRYPT_LOG_N,
        }
    }
}

/// Create a new random **node** identity and write it as an encrypted V3 keystore to exactly
/// `path` (scrypt N = 2^18); [`create_keystore_for`] chooses the kind.
///
/// The file is written to a temporary file in the same directory with mode 0600, fsynced,
/// linked to `path` (never replacing an existing file), and the directory is fsynced.
///
/// Errors: `path` already exists → [`ErrorKind::Refused`]; missing directory, I/O failure →
/// [`ErrorKind::Local`] (messages name the path, never the password or key).
pub fn create_keystore(path: &Path, password: &str) -> Result<Identity> {
    create_keystore_for(path, password, KeystoreKind::Node)
}

/// [`create_keystore`] with the scrypt cost of `kind`.
pub fn create_keystore_for(path: &Path, password: &str, kind: KeystoreKind) -> Result<Identity> {
    let id = Identity::generate();
    write_keystore_for(path, password, &id, kind)?;
    Ok(id)
}

/// Write an existing identity as an encrypted **node** V3 keystore to exactly `path` (same
/// rules and errors as [`create_keystore`]); used to import a key.
pub fn write_keystore(path: &Path, password: &str, id: &Identity) -> Result<()> {
    write_keystore_for(path, password, id, KeystoreKind::Node)
}

/// The V3 JSON of `secret` under `password` with scrypt N = 2^`log_n`, r = 8, p = 1:
/// `dk = scrypt(password, salt32)`, `ciphertext = AES-128-CTR(dk[..16], iv16, secret)`,
/// `mac = keccak256(dk[16..32] ‖ ciphertext)` (Web3 Secret Storage v3). Errors: Local for
/// parameters scrypt refuses.
fn encrypt_v3(secret: &[u8; 32], password: &str, log_n: u8, address: &str) -> Result<Value> {
    use aes::cipher::{KeyIvInit, StreamCipher};
    let mut salt = [0u8; 32];
    let mut iv = [0u8; 16];
    let mut uuid = [0u8; 16];
    crate::crypto::os_random(&mut salt);
    crate::crypto::os_random(&mut iv);
    crate::crypto::os_random(&mut uuid);
    let params = scrypt::Params::new(log_n, 8, 1)
        .map_err(|e| Error::local(format!("invalid scrypt parameters: {e}")))?;
    let mut dk = zeroize::Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password.as_bytes(), &salt, &params, &mut dk[..])
        .map_err(|e| Error::local(format!("scrypt failed: {e}")))?;
    let mut ct = *secret;
    ctr::Ctr128BE::<aes::Aes128>::new((&dk[..16]).into(), (&iv[..]).into())
        .apply_keystream(&mut ct);
    let mut mac_in = Vec::with_capacity(48);
    mac_in.extend_from_slice(&dk[16..]);
    mac_in.extend_from_slice(&ct);
    let mac = alloy::primitives::keccak256(&mac_in);
    // Random (version 4) UUID, RFC 4122 §4.4.
    uuid[6] = (uuid[6] & 0x0f) | 0x40;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
    let u = hex::encode(uuid);
    let id = format!(
        "{}-{}-{}-{}-{}",
        &u[..8],
        &u[8..12],
        &u[12..16],
        &u[16..20],
        &u[20..]
    );
    Ok(serde_json::json!({
        "address": address,
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": hex::encode(iv)},
            "ciphertext": hex::encode(ct),
            "kdf": "scrypt",
            "kdfparams": {"dklen": 32, "n": 1u64 << log_n, "p": 1, "r": 8, "salt": hex::encode(salt)},
            "mac": hex::encode(mac),
        },
        "id": id,
        "version": 3,
    }))
}

/// [`write_keystore`] with the scrypt cost of `kind`.
pub fn write_keystore_for(
    path: &Path,
    password: &str,
    id: &Identity,
    kind: KeystoreKind,
) -> Result<()> {
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
    let address = id.address();
    let json = encrypt_v3(
        &secret,
        password,
        kind.scrypt_log_n(),
        address.trim_start_matches("0x"),
    )?;
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
    fn node_keystores_use_scrypt_2_18_apps_2_13_and_old_files_still_open() {
        let dir = tempfile::tempdir().unwrap();
        let n_of = |p: &Path| -> u64 {
            let v: Value = serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap();
            v["crypto"]["kdfparams"]["n"].as_u64().unwrap()
        };
        let node = dir.path().join("node.json");
        let id = create_keystore(&node, "pw").unwrap();
        assert_eq!(n_of(&node), 262_144);
        let started = std::time::Instant::now();
        assert_eq!(load_keystore(&node, "pw").unwrap().address(), id.address());
        println!(
            "scrypt N=2^18 unlock: {} ms (this build)",
            started.elapsed().as_millis()
        );
        let app = dir.path().join("app.json");
        let id = create_keystore_for(&app, "pw", KeystoreKind::App).unwrap();
        assert_eq!(n_of(&app), 8_192);
        assert_eq!(load_keystore(&app, "pw").unwrap().address(), id.address());
        // A keystore as written before (alloy's encoder, N = 8,192) still opens.
        let secret = [0x42u8; 32];
        PrivateKeySigner::encrypt_keystore(
            dir.path(),
            &mut rand::rngs::OsRng,
            secret,
            "pw",
            Some("old.json"),
        )
        .unwrap();
        let old = dir.path().join("old.json");
        assert_eq!(n_of(&old), 8_192);
        assert_eq!(
            load_keystore(&old, "pw").unwrap().address(),
            Identity::from_private_key(&secret).unwrap().address()
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
        create_keystore_for(&good, "pw", KeystoreKind::App).unwrap();
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
