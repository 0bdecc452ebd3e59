//! Solidity ABI bindings (`alloy::sol!`) for the two contracts the node talks to.
//!
//! * [`INovaAppRegistry`]: the NovaAppRegistry views of protocol.md §9.1 (struct layouts
//!   [`App`], [`AppVersion`], [`RuntimeInstance`]; statuses are plain `uint8`).
//! * [`MockNovaAppRegistry`]: the same views plus the owner-only setters of the devnet/test
//!   mock (`contracts/src/MockNovaAppRegistry.sol`) and its events.
//! * [`KMSRegistry`]: the full KMSRegistry ABI of protocol.md §9.2 (views, mutators, events,
//!   custom errors), used to read/seed `masterSecretHash` and to decode revert reasons.
//!
//! The ABI is positional: only field order and types matter for encoding, names follow the
//! node's `sol!` block (`id`, not `appId`/`versionId`/`instanceId`, protocol.md §9.3).
//! These types are alloy types; the rest of the crate should use the plain structs of
//! [`super::types`] instead.

#![allow(missing_docs, clippy::too_many_arguments)]
// The macro output is not documented item by item; the Solidity comments below are.

alloy::sol! {
    /// NovaAppRegistry `App` (protocol.md §9.1). `status`: AppStatus (0 ACTIVE, 1 INACTIVE, 2 REVOKED).
    #[derive(Debug, PartialEq, Eq)]
    struct App {
        uint256 id;
        address owner;
        bytes32 teeArch;
        address dappContract;
        string metadataUri;
        uint256 latestVersionId;
        uint256 createdAt;
        uint8 status;
        address appWallet;
    }

    /// NovaAppRegistry `AppVersion` (protocol.md §9.1). `status`: VersionStatus
    /// (0 ENROLLED, 1 DEPRECATED, 2 REVOKED).
    #[derive(Debug, PartialEq, Eq)]
    struct AppVersion {
        uint256 id;
        string versionName;
        bytes32 codeMeasurement;
        string imageUri;
        string auditUrl;
        string auditHash;
        string githubRunId;
        uint8 status;
        uint256 enrolledAt;
        address enrolledBy;
    }

    /// NovaAppRegistry `RuntimeInstance` (protocol.md §9.1). `status`: InstanceStatus
    /// (0 ACTIVE, 1 STOPPED, 2 FAILED). A zeroed struct (id 0) means "no instance".
    #[derive(Debug, PartialEq, Eq)]
    struct RuntimeInstance {
        uint256 id;
        uint256 appId;
        uint256 versionId;
        address operator;
        string instanceUrl;
        bytes teePubkey;
        address teeWalletAddress;
        bool zkVerified;
        uint8 status;
        uint256 registeredAt;
    }

    /// The NovaAppRegistry views used by the node and the operator CLI (protocol.md §9.1).
    #[sol(rpc)]
    interface INovaAppRegistry {
        function getActiveInstances(uint256 appId) external view returns (address[] memory);
        function getInstanceByWallet(address wallet) external view returns (RuntimeInstance memory);
        function getInstance(uint256 instanceId) external view returns (RuntimeInstance memory);
        function getApp(uint256 appId) external view returns (App memory);
        function getVersion(uint256 appId, uint256 versionId) external view returns (AppVersion memory);
        function getInstancesForVersion(uint256 appId, uint256 versionId) external view returns (uint256[] memory);
    }

    /// The devnet/test mock of the NovaAppRegistry (`contracts/src/MockNovaAppRegistry.sol`):
    /// the views of protocol.md §9.1 plus owner-only setters. `constructor()`: owner = deployer.
    #[sol(rpc)]
    contract MockNovaAppRegistry {
        event AppCreated(uint256 indexed appId, address dappContract, string metadataUri);
        event AppStatusSet(uint256 indexed appId, uint8 status);
        event VersionAdded(uint256 indexed appId, uint256 indexed versionId, string versionName, bytes32 codeMeasurement);
        event VersionStatusSet(uint256 indexed appId, uint256 indexed versionId, uint8 status);
        event InstanceRegistered(uint256 indexed instanceId, uint256 indexed appId, uint256 versionId, address indexed teeWalletAddress);
        event InstanceRemoved(uint256 indexed instanceId, uint256 indexed appId, address indexed teeWalletAddress);
        event InstanceStatusSet(uint256 indexed instanceId, uint8 status);
        event InstanceZkVerifiedSet(uint256 indexed instanceId, bool zkVerified);
        event InstanceUrlSet(uint256 indexed instanceId, string url);
        event InstanceTeePubkeySet(uint256 indexed instanceId, bytes teePubkey);

        constructor();

        function owner() external view returns (address);
        function nextInstanceId() external view returns (uint256);

        function getActiveInstances(uint256 appId) external view returns (address[] memory);
        function getInstanceByWallet(address wallet) external view returns (RuntimeInstance memory);
        function getInstance(uint256 instanceId) external view returns (RuntimeInstance memory);
        function getApp(uint256 appId) external view returns (App memory);
        function getVersion(uint256 appId, uint256 versionId) external view returns (AppVersion memory);
        function getInstancesForVersion(uint256 appId, uint256 versionId) external view returns (uint256[] memory);

        function createApp(uint256 appId, address dappContract, string metadataUri) external;
        function setAppStatus(uint256 appId, uint8 status) external;
        function addVersion(uint256 appId, string versionName, bytes32 codeMeasurement) external returns (uint256 versionId);
        function setVersionStatus(uint256 appId, uint256 versionId, uint8 status) external;
        function registerInstance(
            uint256 appId,
            uint256 versionId,
            address operator,
            string instanceUrl,
            bytes teePubkey,
            address teeWalletAddress,
            bool zkVerified
        ) external returns (uint256 instanceId);
        function removeInstance(uint256 instanceId) external;
        function setInstanceStatus(uint256 instanceId, uint8 status) external;
        function setInstanceZkVerified(uint256 instanceId, bool zkVerified) external;
        function setInstanceUrl(uint256 instanceId, string url) external;
        function setInstanceTeePubkey(uint256 instanceId, bytes teePubkey) external;
    }

    /// KMSRegistry (protocol.md §9.2): the KMS app's dappContract; anchors `masterSecretHash`.
    #[sol(rpc)]
    contract KMSRegistry {
        error NotOwner();
        error OnlyNovaAppRegistry();
        error InvalidRegistryAddress();
        error AppIdMismatch();
        error MasterSecretHashAlreadySet();
        error NotAuthorizedToSetHash();
        error AppIdAlreadySet();

        event MasterSecretHashSet(bytes32 indexed hash, address indexed setter);
        event MasterSecretHashReset(address indexed resetter);
        event OperatorAdded(address indexed operator, uint256 indexed appId, uint256 versionId, uint256 instanceId);
        event OperatorRemoved(address indexed operator, uint256 indexed appId, uint256 versionId, uint256 instanceId);
        event NovaAppRegistrySet(address indexed registry);
        event KmsAppIdSet(uint256 indexed appId);

        constructor(address initialOwner, address appRegistry_);

        function OWNER() external view returns (address);
        function kmsAppId() external view returns (uint256);
        function masterSecretHash() external view returns (bytes32);
        function novaAppRegistry() external view returns (address);
        function isOperator(address account) external view returns (bool);
        function operatorCount() external view returns (uint256);
        function operatorAt(uint256 index) external view returns (address);
        function getOperators() external view returns (address[] memory);

        function setMasterSecretHash(bytes32 newHash) external;
        function resetMasterSecretHash() external;
        function setKmsAppId(uint256 appId) external;
        function setNovaAppRegistry(address registry) external;
        function addOperator(address teeWallet, uint256 appId, uint256 versionId, uint256 instanceId) external;
        function removeOperator(address teeWallet, uint256 appId, uint256 versionId, uint256 instanceId) external;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::{SolCall, SolError, SolEvent};

    /// Selectors and topics pinned by protocol.md §9.1 / §9.2.
    #[test]
    fn selectors_match_protocol() {
        assert_eq!(
            INovaAppRegistry::getActiveInstancesCall::SELECTOR,
            [0x8c, 0x22, 0x8c, 0xbf]
        );
        assert_eq!(
            INovaAppRegistry::getInstanceByWalletCall::SELECTOR,
            [0x98, 0x63, 0xf8, 0xa2]
        );
        assert_eq!(
            INovaAppRegistry::getAppCall::SELECTOR,
            [0x24, 0xf3, 0xa5, 0x1b]
        );
        assert_eq!(
            INovaAppRegistry::getVersionCall::SELECTOR,
            [0x69, 0x87, 0xb0, 0x75]
        );
        assert_eq!(
            INovaAppRegistry::getInstanceCall::SELECTOR,
            [0xeb, 0xd3, 0x48, 0xde]
        );
        assert_eq!(
            INovaAppRegistry::getInstancesForVersionCall::SELECTOR,
            [0xba, 0x4f, 0x74, 0xfc]
        );
        assert_eq!(
            KMSRegistry::masterSecretHashCall::SELECTOR,
            [0x1e, 0xf9, 0x9d, 0x10]
        );
        assert_eq!(
            KMSRegistry::setMasterSecretHashCall::SELECTOR,
            [0x4d, 0xf7, 0xe3, 0x90]
        );
        assert_eq!(
            KMSRegistry::kmsAppIdCall::SELECTOR,
            [0xab, 0xd8, 0x51, 0xf1]
        );
        assert_eq!(KMSRegistry::OWNERCall::SELECTOR, [0x11, 0x78, 0x03, 0xe3]);
        assert_eq!(
            KMSRegistry::addOperatorCall::SELECTOR,
            [0x70, 0x70, 0x6e, 0xa7]
        );
        assert_eq!(
            KMSRegistry::MasterSecretHashAlreadySet::SELECTOR,
            [0xd7, 0xd8, 0x8f, 0xdf]
        );
        assert_eq!(
            KMSRegistry::NotAuthorizedToSetHash::SELECTOR,
            [0xa7, 0x6d, 0x08, 0xc2]
        );
        assert_eq!(
            format!("{:x}", KMSRegistry::MasterSecretHashSet::SIGNATURE_HASH),
            "7ede93e3a84f34d5f94e72bcca3a2f2aa81e4b3906ceb5a4710cee13839b4172"
        );
    }
}
