// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {INovaAppRegistry, IKMSRegistryCallbacks, AppVersion, RuntimeInstance, NovaStatus} from "./interfaces/INovaAppRegistry.sol";

/// @title KMSRegistry
/// @notice The Nova KMS app's `dappContract` (protocol.md §9.2). It
///   * mirrors the set of KMS operator TEE wallets, maintained by the
///     NovaAppRegistry through the `addOperator` / `removeOperator` callbacks;
///   * anchors the cluster master secret: the first eligible KMS node stores
///     `masterSecretHash` once, and every node checks its secret against it.
contract KMSRegistry is IKMSRegistryCallbacks {
    // ------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------

    error NotOwner();
    error OnlyNovaAppRegistry();
    error InvalidRegistryAddress();
    error AppIdMismatch();
    error MasterSecretHashAlreadySet();
    error NotAuthorizedToSetHash();
    error AppIdAlreadySet();

    // ------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------

    event MasterSecretHashSet(bytes32 indexed hash, address indexed setter);
    event MasterSecretHashReset(address indexed resetter);
    event OperatorAdded(address indexed operator, uint256 indexed appId, uint256 versionId, uint256 instanceId);
    event OperatorRemoved(address indexed operator, uint256 indexed appId, uint256 versionId, uint256 instanceId);
    event NovaAppRegistrySet(address indexed registry);
    event KmsAppIdSet(uint256 indexed appId);

    // ------------------------------------------------------------------
    // State
    // ------------------------------------------------------------------

    /// Administrator (fixed at deployment).
    address public immutable OWNER;

    /// Nova app id of the KMS app; 0 = not set yet. Can be set once.
    uint256 public kmsAppId;

    /// keccak256 of the cluster master secret; 0 = not set yet.
    bytes32 public masterSecretHash;

    /// The NovaAppRegistry: the only caller of the operator callbacks and the
    /// source of truth for `setMasterSecretHash` eligibility.
    address public novaAppRegistry;

    /// Operator set: dense array plus 1-based positions (0 = absent).
    address[] private _operators;
    mapping(address => uint256) private _operatorPos;

    // ------------------------------------------------------------------
    // Modifiers
    // ------------------------------------------------------------------

    modifier onlyOwner() {
        if (msg.sender != OWNER) revert NotOwner();
        _;
    }

    modifier onlyNovaAppRegistry() {
        if (msg.sender != novaAppRegistry) revert OnlyNovaAppRegistry();
        _;
    }

    /// @param initialOwner  The administrator (stored as the immutable OWNER).
    /// @param appRegistry_  The NovaAppRegistry; may be 0 and set later with
    ///                      `setNovaAppRegistry`.
    constructor(address initialOwner, address appRegistry_) {
        OWNER = initialOwner;
        if (appRegistry_ != address(0)) {
            novaAppRegistry = appRegistry_;
            emit NovaAppRegistrySet(appRegistry_);
        }
    }

    // ------------------------------------------------------------------
    // Owner administration
    // ------------------------------------------------------------------

    /// Sets the KMS app id. Only once (reverts `AppIdAlreadySet` afterwards).
    function setKmsAppId(uint256 appId) external onlyOwner {
        if (kmsAppId != 0) revert AppIdAlreadySet();
        kmsAppId = appId;
        emit KmsAppIdSet(appId);
    }

    /// Points the contract at a (new) NovaAppRegistry. Must be non-zero.
    function setNovaAppRegistry(address registry) external onlyOwner {
        if (registry == address(0)) revert InvalidRegistryAddress();
        novaAppRegistry = registry;
        emit NovaAppRegistrySet(registry);
    }

    /// Clears the master secret hash so that it can be seeded again.
    function resetMasterSecretHash() external onlyOwner {
        masterSecretHash = bytes32(0);
        emit MasterSecretHashReset(msg.sender);
    }

    // ------------------------------------------------------------------
    // Master secret hash
    // ------------------------------------------------------------------

    /// Stores the master secret hash. Only while it is unset, and only by an
    /// eligible KMS instance (see `_isEligibleSetter`). Any value is accepted.
    function setMasterSecretHash(bytes32 newHash) external {
        if (masterSecretHash != bytes32(0)) revert MasterSecretHashAlreadySet();
        if (!_isEligibleSetter(msg.sender)) revert NotAuthorizedToSetHash();
        masterSecretHash = newHash;
        emit MasterSecretHashSet(newHash, msg.sender);
    }

    /// `setter` is eligible when:
    ///   * the registry is set (and has code) and `kmsAppId != 0`;
    ///   * `getInstanceByWallet(setter)` succeeds with
    ///     `teeWalletAddress == setter`, `appId == kmsAppId`,
    ///     `status == ACTIVE` and `zkVerified == true`;
    ///   * `getVersion(appId, versionId)` succeeds with `status == ENROLLED`.
    /// A reverting registry view makes the sender ineligible. App status is
    /// not checked.
    function _isEligibleSetter(address setter) internal view returns (bool) {
        address registry = novaAppRegistry;
        uint256 appId = kmsAppId;
        if (registry == address(0) || appId == 0 || registry.code.length == 0) return false;

        INovaAppRegistry reg = INovaAppRegistry(registry);

        uint256 versionId;
        try reg.getInstanceByWallet(setter) returns (RuntimeInstance memory inst) {
            if (
                inst.teeWalletAddress != setter || inst.appId != appId
                    || inst.status != NovaStatus.INSTANCE_ACTIVE || !inst.zkVerified
            ) {
                return false;
            }
            versionId = inst.versionId;
        } catch {
            return false;
        }

        try reg.getVersion(appId, versionId) returns (AppVersion memory ver) {
            return ver.status == NovaStatus.VERSION_ENROLLED;
        } catch {
            return false;
        }
    }

    // ------------------------------------------------------------------
    // Operator callbacks (NovaAppRegistry only)
    // ------------------------------------------------------------------

    /// Adds `teeWallet` to the operator set (no-op if already present).
    function addOperator(address teeWallet, uint256 appId, uint256 versionId, uint256 instanceId)
        external
        override
        onlyNovaAppRegistry
    {
        if (appId != kmsAppId) revert AppIdMismatch();
        if (_operatorPos[teeWallet] != 0) return;
        _operators.push(teeWallet);
        _operatorPos[teeWallet] = _operators.length;
        emit OperatorAdded(teeWallet, appId, versionId, instanceId);
    }

    /// Removes `teeWallet` from the operator set (no-op if absent).
    function removeOperator(address teeWallet, uint256 appId, uint256 versionId, uint256 instanceId)
        external
        override
        onlyNovaAppRegistry
    {
        if (appId != kmsAppId) revert AppIdMismatch();
        uint256 pos = _operatorPos[teeWallet];
        if (pos == 0) return;
        // Swap-and-pop: move the last operator into the freed slot.
        uint256 lastPos = _operators.length;
        if (pos != lastPos) {
            address last = _operators[lastPos - 1];
            _operators[pos - 1] = last;
            _operatorPos[last] = pos;
        }
        _operators.pop();
        delete _operatorPos[teeWallet];
        emit OperatorRemoved(teeWallet, appId, versionId, instanceId);
    }

    // ------------------------------------------------------------------
    // Operator views
    // ------------------------------------------------------------------

    function isOperator(address account) external view returns (bool) {
        return _operatorPos[account] != 0;
    }

    function operatorCount() external view returns (uint256) {
        return _operators.length;
    }

    function operatorAt(uint256 index) external view returns (address) {
        require(index < _operators.length, "Index out of bounds");
        return _operators[index];
    }

    /// All operators (order is not stable across removals).
    function getOperators() external view returns (address[] memory) {
        return _operators;
    }
}
