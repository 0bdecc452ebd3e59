//! Key derivation from the cluster master secret (protocol.md §5, §4.2, §6.3).
//!
//! ```text
//! okm = HKDF-SHA256(IKM  = master_secret (32 bytes),
//!                   salt = UTF-8("nova-kms:app:" + decimal(app_id)),
//!                   info = UTF-8(path)                 if context == ""
//!                          UTF-8(path + ":" + context) otherwise,
//!                   L    = length)                     # 1..=1024
//! ```
//!
//! Plain RFC 5869, so outputs of different lengths with the same inputs are prefixes of each
//! other, and `context` is joined with `:` without escaping (protocol.md §5, §11.12).

use super::{hkdf_sha256, CryptoError};

/// Largest output length accepted by [`derive()`] / [`try_derive()`] (protocol.md §5: `1..=1024`).
pub const MAX_DERIVE_LEN: usize = 1024;

/// Derivation path of the per-app storage key (protocol.md §4.2).
pub const DATA_KEY_PATH: &str = "data_key";

/// Derivation path of the cluster sync HMAC key (protocol.md §6.3).
pub const SYNC_KEY_PATH: &str = "sync_hmac_key";

/// App id whose derivation domain holds the sync key (protocol.md §6.3); never a valid caller.
pub const SYNC_KEY_APP_ID: u64 = 0;

/// HKDF salt for `app_id`: UTF-8 of `"nova-kms:app:" + decimal(app_id)` (protocol.md §5).
pub fn app_salt(app_id: u64) -> String {
    format!("nova-kms:app:{app_id}")
}

/// HKDF info for `(path, context)`: `path` if `context` is empty, else `path + ":" + context`
/// (protocol.md §5; no escaping, so `("a","b:c")` and `("a:b","c")` collide by design).
pub fn info_string(path: &str, context: &str) -> String {
    if context.is_empty() {
        path.to_owned()
    } else {
        format!("{path}:{context}")
    }
}

/// `/kms/derive` key material (protocol.md §5), checked variant.
///
/// * `master`: the 32-byte cluster master secret (IKM).
/// * `app_id`: caller's registry app id (salt `nova-kms:app:<app_id>`).
/// * `path`, `context`: joined into the HKDF info by [`info_string`].
/// * `len`: output length in bytes, `1..=1024`.
///
/// Returns `len` bytes, or `Err(CryptoError::InvalidLength)` if `len` is 0 or > 1024.
pub fn try_derive(
    master: &[u8; 32],
    app_id: u64,
    path: &str,
    context: &str,
    len: usize,
) -> Result<Vec<u8>, CryptoError> {
    if len == 0 || len > MAX_DERIVE_LEN {
        return Err(CryptoError::InvalidLength);
    }
    let mut out = vec![0u8; len];
    hkdf_sha256(
        Some(app_salt(app_id).as_bytes()),
        master,
        info_string(path, context).as_bytes(),
        &mut out,
    )?;
    Ok(out)
}

/// `/kms/derive` key material (protocol.md §5); see [`try_derive`] for the inputs.
///
/// Never panics: for an invalid `len` (0 or > [`MAX_DERIVE_LEN`]) it returns an **empty**
/// vector, which callers must treat as "invalid length" (validate `len` before calling, or use
/// [`try_derive`]). Otherwise returns exactly `len` bytes.
pub fn derive(master: &[u8; 32], app_id: u64, path: &str, context: &str, len: usize) -> Vec<u8> {
    try_derive(master, app_id, path, context, len).unwrap_or_default()
}

/// Per-app AES-256-GCM storage key: `derive(app_id, "data_key", "", 32)` (protocol.md §4.2).
pub fn data_key(master: &[u8; 32], app_id: u64) -> [u8; 32] {
    fixed32(master, app_id, DATA_KEY_PATH)
}

/// Cluster `/sync` HMAC key: `derive(0, "sync_hmac_key", "", 32)` (protocol.md §6.3).
pub fn sync_key(master: &[u8; 32]) -> [u8; 32] {
    fixed32(master, SYNC_KEY_APP_ID, SYNC_KEY_PATH)
}

fn fixed32(master: &[u8; 32], app_id: u64, path: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    // 32 <= 255 * HashLen, so expansion cannot fail.
    let _ = hkdf_sha256(
        Some(app_salt(app_id).as_bytes()),
        master,
        path.as_bytes(),
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    const MS: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn ms() -> [u8; 32] {
        hex::decode(MS).unwrap().try_into().unwrap()
    }

    fn b64(b: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(b)
    }

    #[test]
    fn vector_data_keys() {
        // protocol.md §10
        assert_eq!(
            hex::encode(data_key(&ms(), 49)),
            "c7d80c3fc62fa064b49b23ce196df63aa4c8f553a01defa8d15d8c62cf67e0ae"
        );
        assert_eq!(
            hex::encode(data_key(&ms(), 1)),
            "899cae314e4c389feb59c9981ea8314dd6f5e2ee73b080e59064cc00b3f66927"
        );
        assert_eq!(
            data_key(&ms(), 49).to_vec(),
            derive(&ms(), 49, "data_key", "", 32)
        );
    }

    #[test]
    fn vector_sync_key() {
        assert_eq!(
            hex::encode(sync_key(&ms())),
            "1de4b98a3626d8551945cf0064bb73a3a63164f034f8f5c1aa3aca6208085a95"
        );
        assert_eq!(
            sync_key(&ms()).to_vec(),
            derive(&ms(), 0, "sync_hmac_key", "", 32)
        );
    }

    #[test]
    fn vector_derive_app49() {
        let k = derive(&ms(), 49, "wallet/root", "", 32);
        assert_eq!(
            hex::encode(&k),
            "d6ae9235328dd39e31e96085b1f32195653c3247004ca65b65073022a0d4fe6a"
        );
        assert_eq!(b64(&k), "1q6SNTKN054x6WCFsfMhlWU8MkcATKZbZQcwIqDU/mo=");

        let k = derive(&ms(), 49, "wallet/root", "session-a", 32);
        assert_eq!(
            hex::encode(&k),
            "1a45b49bedbc28e01672de4079fab9d0ac21c165c26613089008699262c9afac"
        );
        assert_eq!(b64(&k), "GkW0m+28KOAWct5Aefq50KwhwWXCZhMIkAhpkmLJr6w=");

        let k64 = derive(&ms(), 49, "wallet/root", "session-a", 64);
        assert_eq!(k64.len(), 64);
        assert_eq!(&k64[..32], &k[..]);
        assert_eq!(
            hex::encode(&k64[32..]),
            "564b255c5a57711c39a56900e29407e77fb2b4254a62e69660d6f10009ffddf5"
        );
    }

    #[test]
    fn vector_derive_app7_and_prefix() {
        let k = derive(&ms(), 7, "wallet/root", "", 32);
        assert_eq!(b64(&k), "gYfODIsKNhOPd35MYW+vdgGxp95alSlcjQgC95LerPY=");
        let k16 = derive(&ms(), 7, "wallet/root", "", 16);
        assert_eq!(b64(&k16), "gYfODIsKNhOPd35MYW+vdg==");
        assert_eq!(&k[..16], &k16[..]);
        assert_eq!(
            b64(&derive(&ms(), 7, "wallet/root", "session-a", 32)),
            "YI50NaL+wOdpAv+T70mM4QSg5IfNMHIW1fbvlm9BonY="
        );
    }

    #[test]
    fn context_join_collides_by_design() {
        let a = derive(&ms(), 5, "a", "b:c", 32);
        assert_eq!(a, derive(&ms(), 5, "a:b", "c", 32));
        assert_eq!(a, derive(&ms(), 5, "a:b:c", "", 32));
    }

    #[test]
    fn lengths() {
        assert!(derive(&ms(), 1, "p", "", 0).is_empty());
        assert!(derive(&ms(), 1, "p", "", 1025).is_empty());
        assert_eq!(derive(&ms(), 1, "p", "", 1).len(), 1);
        assert_eq!(derive(&ms(), 1, "p", "", 1024).len(), 1024);
        assert_eq!(
            try_derive(&ms(), 1, "p", "", 0),
            Err(CryptoError::InvalidLength)
        );
        assert_eq!(
            try_derive(&ms(), 1, "p", "", 2000),
            Err(CryptoError::InvalidLength)
        );
    }
}
