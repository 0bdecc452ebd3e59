// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title NovaAppRegistry types and view interface (the subset the KMS uses)
/// @notice The ABI is positional: field order and types below MUST match the
///         real NovaAppRegistry (protocol.md §9.1). Statuses are plain `uint8`
///         so that unknown values decode instead of reverting.
///
///   AppStatus      { ACTIVE = 0, INACTIVE = 1, REVOKED = 2 }
///   VersionStatus  { ENROLLED = 0, DEPRECATED = 1, REVOKED = 2 }
///   InstanceStatus { ACTIVE = 0, STOPPED = 1, FAILED = 2 }

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

/// @dev Status constants shared by the contracts in this directory.
library NovaStatus {
    uint8 internal constant APP_ACTIVE = 0;
    uint8 internal constant APP_INACTIVE = 1;
    uint8 internal constant APP_REVOKED = 2;

    uint8 internal constant VERSION_ENROLLED = 0;
    uint8 internal constant VERSION_DEPRECATED = 1;
    uint8 internal constant VERSION_REVOKED = 2;

    uint8 internal constant INSTANCE_ACTIVE = 0;
    uint8 internal constant INSTANCE_STOPPED = 1;
    uint8 internal constant INSTANCE_FAILED = 2;
}

/// @notice Read-only view of the NovaAppRegistry.
interface INovaAppRegistry {
    /// TEE wallets of the app's instances whose status is ACTIVE.
    function getActiveInstances(uint256 appId) external view returns (address[] memory);

    /// Instance registered for `wallet`; a zeroed struct (id 0) when there is none.
    function getInstanceByWallet(address wallet) external view returns (RuntimeInstance memory);

    function getInstance(uint256 instanceId) external view returns (RuntimeInstance memory);

    function getApp(uint256 appId) external view returns (App memory);

    function getVersion(uint256 appId, uint256 versionId) external view returns (AppVersion memory);

    function getInstancesForVersion(uint256 appId, uint256 versionId) external view returns (uint256[] memory);
}

/// @notice Callbacks the NovaAppRegistry makes on an app's `dappContract`
///         when one of the app's instances is registered / removed.
interface IKMSRegistryCallbacks {
    function addOperator(address teeWallet, uint256 appId, uint256 versionId, uint256 instanceId) external;

    function removeOperator(address teeWallet, uint256 appId, uint256 versionId, uint256 instanceId) external;
}
