//! Plain Rust views of the NovaAppRegistry structs (protocol.md §9.1), free of alloy types.
//!
//! Conventions: every address is a canonical wallet string (`0x` + 40 lowercase hex,
//! protocol.md §2.6); every `uint256` is mapped to `u64`, and a value above `u64::MAX` becomes 0
//! (as the upstream node does, §9.1); statuses stay raw `u8` so unknown values survive and can be
//! refused by the caller.

use alloy::primitives::{Address, U256};

use super::bindings;

/// `AppStatus.ACTIVE` (protocol.md §9.1).
pub const APP_ACTIVE: u8 = 0;
/// `AppStatus.INACTIVE`.
pub const APP_INACTIVE: u8 = 1;
/// `AppStatus.REVOKED`.
pub const APP_REVOKED: u8 = 2;

/// `VersionStatus.ENROLLED` (protocol.md §9.1).
pub const VERSION_ENROLLED: u8 = 0;
/// `VersionStatus.DEPRECATED` (still accepted for app auth and as a KMS peer, §2.7 / §6.1).
pub const VERSION_DEPRECATED: u8 = 1;
/// `VersionStatus.REVOKED`.
pub const VERSION_REVOKED: u8 = 2;

/// `InstanceStatus.ACTIVE` (protocol.md §9.1).
pub const INSTANCE_ACTIVE: u8 = 0;
/// `InstanceStatus.STOPPED`.
pub const INSTANCE_STOPPED: u8 = 1;
/// `InstanceStatus.FAILED`.
pub const INSTANCE_FAILED: u8 = 2;

/// A NovaAppRegistry `RuntimeInstance` (protocol.md §9.1).
///
/// `id == 0` means "no instance registered for this wallet" (the registry returns a zeroed
/// struct); all other fields are then zero/empty too.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstanceInfo {
    /// Global instance id (0 = not found).
    pub id: u64,
    /// App the instance belongs to: the caller's namespace for app auth (§2.7).
    pub app_id: u64,
    /// Version of the app the instance runs.
    pub version_id: u64,
    /// Operator address, canonical (`0x` + 40 lowercase hex).
    pub operator: String,
    /// Base URL of the instance as registered (KMS peers: `https://…`, §6.1).
    pub instance_url: String,
    /// Raw on-chain `teePubkey` bytes (P-384 SPKI DER, 120 bytes, for Nova instances; §3.4).
    pub tee_pubkey: Vec<u8>,
    /// TEE wallet address, canonical (`0x` + 40 lowercase hex).
    pub tee_wallet: String,
    /// Whether the registry marks the instance as ZK-verified.
    pub zk_verified: bool,
    /// `InstanceStatus` (see [`INSTANCE_ACTIVE`] …; unknown values kept as is).
    pub status: u8,
    /// Registration time, Unix seconds (block timestamp).
    pub registered_at: u64,
}

impl InstanceInfo {
    /// True when the registry returned the zeroed "no instance" struct (`id == 0`).
    pub fn is_not_found(&self) -> bool {
        self.id == 0
    }
}

/// A NovaAppRegistry `App` (protocol.md §9.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppInfo {
    /// App id.
    pub id: u64,
    /// App owner, canonical address.
    pub owner: String,
    /// `teeArch` (bytes32, opaque).
    pub tee_arch: [u8; 32],
    /// The app's `dappContract`, canonical address (the KMS app: KMSRegistry).
    pub dapp_contract: String,
    /// Metadata URI.
    pub metadata_uri: String,
    /// Latest version id.
    pub latest_version_id: u64,
    /// Creation time, Unix seconds.
    pub created_at: u64,
    /// `AppStatus` (see [`APP_ACTIVE`] …; unknown values kept as is).
    pub status: u8,
    /// App wallet, canonical address.
    pub app_wallet: String,
}

/// A NovaAppRegistry `AppVersion` (protocol.md §9.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VersionInfo {
    /// Version id (per app, from 1).
    pub id: u64,
    /// Human-readable version name.
    pub version_name: String,
    /// Code measurement (bytes32, e.g. the enclave image measurement).
    pub code_measurement: [u8; 32],
    /// Image URI.
    pub image_uri: String,
    /// Audit report URL.
    pub audit_url: String,
    /// Audit hash (opaque string).
    pub audit_hash: String,
    /// GitHub Actions run id of the build (opaque string).
    pub github_run_id: String,
    /// `VersionStatus` (see [`VERSION_ENROLLED`] …; unknown values kept as is).
    pub status: u8,
    /// Enrollment time, Unix seconds.
    pub enrolled_at: u64,
    /// Who enrolled the version, canonical address.
    pub enrolled_by: String,
}

/// Canonical form of an address: `0x` + 40 lowercase hex (protocol.md §2.6).
pub fn canonical_address(a: &Address) -> String {
    format!("{a:#x}")
}

/// Parse an address leniently for configuration and CLI input: surrounding whitespace is
/// trimmed, the `0x`/`0X` prefix is optional, the EIP-55 checksum is not checked.
///
/// Errors: not 40 hex digits → [`crate::ErrorKind::Local`] naming `what`.
pub fn parse_address(what: &str, s: &str) -> crate::Result<Address> {
    let t = s.trim();
    let body = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let mut out = [0u8; 20];
    match hex::decode_to_slice(body, &mut out) {
        Ok(()) => Ok(Address::from(out)),
        Err(_) => Err(crate::Error::local(format!(
            "invalid {what} address {s:?}: expected 20 bytes of hex"
        ))),
    }
}

/// `uint256` → `u64`, values above `u64::MAX` map to 0 (protocol.md §9.1).
pub(crate) fn u256_to_u64(v: U256) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl From<bindings::RuntimeInstance> for InstanceInfo {
    fn from(r: bindings::RuntimeInstance) -> Self {
        InstanceInfo {
            id: u256_to_u64(r.id),
            app_id: u256_to_u64(r.appId),
            version_id: u256_to_u64(r.versionId),
            operator: canonical_address(&r.operator),
            instance_url: r.instanceUrl,
            tee_pubkey: r.teePubkey.to_vec(),
            tee_wallet: canonical_address(&r.teeWalletAddress),
            zk_verified: r.zkVerified,
            status: r.status,
            registered_at: u256_to_u64(r.registeredAt),
        }
    }
}

impl From<bindings::App> for AppInfo {
    fn from(a: bindings::App) -> Self {
        AppInfo {
            id: u256_to_u64(a.id),
            owner: canonical_address(&a.owner),
            tee_arch: a.teeArch.0,
            dapp_contract: canonical_address(&a.dappContract),
            metadata_uri: a.metadataUri,
            latest_version_id: u256_to_u64(a.latestVersionId),
            created_at: u256_to_u64(a.createdAt),
            status: a.status,
            app_wallet: canonical_address(&a.appWallet),
        }
    }
}

impl From<bindings::AppVersion> for VersionInfo {
    fn from(v: bindings::AppVersion) -> Self {
        VersionInfo {
            id: u256_to_u64(v.id),
            version_name: v.versionName,
            code_measurement: v.codeMeasurement.0,
            image_uri: v.imageUri,
            audit_url: v.auditUrl,
            audit_hash: v.auditHash,
            github_run_id: v.githubRunId,
            status: v.status,
            enrolled_at: u256_to_u64(v.enrolledAt),
            enrolled_by: canonical_address(&v.enrolledBy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{Bytes, FixedBytes};

    #[test]
    fn u256_above_u64_maps_to_zero() {
        assert_eq!(u256_to_u64(U256::from(42u64)), 42);
        assert_eq!(u256_to_u64(U256::from(u64::MAX)), u64::MAX);
        assert_eq!(u256_to_u64(U256::from(u64::MAX) + U256::from(1u64)), 0);
        assert_eq!(u256_to_u64(U256::MAX), 0);
    }

    #[test]
    fn parse_and_canonicalize() {
        let a = parse_address("wallet", " 0xAbCdEf0123456789abcdef0123456789ABCDEF01 ").unwrap();
        assert_eq!(
            canonical_address(&a),
            "0xabcdef0123456789abcdef0123456789abcdef01"
        );
        let b = parse_address("wallet", "abcdef0123456789abcdef0123456789abcdef01").unwrap();
        assert_eq!(a, b);
        let e = parse_address("registry", "0x1234").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Local);
        assert!(e.message().contains("registry"), "{e}");
        assert!(parse_address("w", "0xzz").is_err());
    }

    #[test]
    fn instance_conversion() {
        let wallet = Address::repeat_byte(0xAB);
        let r = bindings::RuntimeInstance {
            id: U256::from(7u64),
            appId: U256::MAX,
            versionId: U256::from(2u64),
            operator: Address::repeat_byte(0x01),
            instanceUrl: "https://n1.example".into(),
            teePubkey: Bytes::from(vec![1u8, 2, 3]),
            teeWalletAddress: wallet,
            zkVerified: true,
            status: INSTANCE_STOPPED,
            registeredAt: U256::from(1_700_000_000u64),
        };
        let i = InstanceInfo::from(r);
        assert_eq!(i.id, 7);
        assert_eq!(i.app_id, 0);
        assert_eq!(i.version_id, 2);
        assert_eq!(i.tee_wallet, format!("0x{}", "ab".repeat(20)));
        assert_eq!(i.operator, format!("0x{}", "01".repeat(20)));
        assert_eq!(i.tee_pubkey, vec![1, 2, 3]);
        assert!(i.zk_verified);
        assert_eq!(i.status, INSTANCE_STOPPED);
        assert_eq!(i.registered_at, 1_700_000_000);
        assert!(!i.is_not_found());
        assert!(InstanceInfo::default().is_not_found());

        let v = VersionInfo::from(bindings::AppVersion {
            id: U256::from(1u64),
            versionName: "v1".into(),
            codeMeasurement: FixedBytes::repeat_byte(0x11),
            imageUri: String::new(),
            auditUrl: String::new(),
            auditHash: String::new(),
            githubRunId: String::new(),
            status: VERSION_REVOKED,
            enrolledAt: U256::from(5u64),
            enrolledBy: Address::ZERO,
        });
        assert_eq!(v.code_measurement, [0x11; 32]);
        assert_eq!(v.enrolled_by, format!("0x{}", "00".repeat(20)));
        assert_eq!(v.status, VERSION_REVOKED);
    }
}
