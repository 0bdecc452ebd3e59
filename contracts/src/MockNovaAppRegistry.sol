// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {INovaAppRegistry, IKMSRegistryCallbacks, App, AppVersion, RuntimeInstance, NovaStatus} from "./interfaces/INovaAppRegistry.sol";

/// @title MockNovaAppRegistry
/// @notice Test/dev stand-in for the NovaAppRegistry. It serves the same view
///         ABI (protocol.md §9.1) and lets its owner (the deployer) create
///         apps, versions and instances directly. Like the real registry it
///         calls `addOperator` / `removeOperator` on an app's `dappContract`
///         (e.g. KMSRegistry) when instances are registered / removed.
///         No attestation / ZK verification happens: `zkVerified` is simply
///         whatever the owner sets. Status setters accept any uint8 so tests
///         can exercise unknown values.
contract MockNovaAppRegistry is INovaAppRegistry {
    // ------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------

    event AppCreated(uint256 indexed appId, address dappContract, string metadataUri);
    event AppStatusSet(uint256 indexed appId, uint8 status);
    event VersionAdded(uint256 indexed appId, uint256 indexed versionId, string versionName, bytes32 codeMeasurement);
    event VersionStatusSet(uint256 indexed appId, uint256 indexed versionId, uint8 status);
    event InstanceRegistered(
        uint256 indexed instanceId, uint256 indexed appId, uint256 versionId, address indexed teeWalletAddress
    );
    event InstanceRemoved(uint256 indexed instanceId, uint256 indexed appId, address indexed teeWalletAddress);
    event InstanceStatusSet(uint256 indexed instanceId, uint8 status);
    event InstanceZkVerifiedSet(uint256 indexed instanceId, bool zkVerified);
    event InstanceUrlSet(uint256 indexed instanceId, string url);
    event InstanceTeePubkeySet(uint256 indexed instanceId, bytes teePubkey);

    // ------------------------------------------------------------------
    // State
    // ------------------------------------------------------------------

    address public owner;

    /// appId => app (id 0 = absent).
    mapping(uint256 => App) private _apps;
    /// appId => versionId => version (id 0 = absent). Version ids are per app, from 1.
    mapping(uint256 => mapping(uint256 => AppVersion)) private _versions;
    /// instanceId => instance (id 0 = absent). Instance ids are global, from 1.
    mapping(uint256 => RuntimeInstance) private _instances;
    /// TEE wallet => instanceId (0 = none).
    mapping(address => uint256) private _instanceByWallet;
    /// appId => instance ids in registration order (removed ones are dropped).
    mapping(uint256 => uint256[]) private _appInstances;
    /// appId => versionId => instance ids in registration order.
    mapping(uint256 => mapping(uint256 => uint256[])) private _versionInstances;

    uint256 public nextInstanceId = 1;

    modifier onlyOwner() {
        require(msg.sender == owner, "not owner");
        _;
    }

    constructor() {
        owner = msg.sender;
    }

    // ------------------------------------------------------------------
    // Views (NovaAppRegistry ABI)
    // ------------------------------------------------------------------

    /// TEE wallets of `appId`'s instances with status ACTIVE, in registration
    /// order. Empty for an unknown app.
    function getActiveInstances(uint256 appId) external view override returns (address[] memory) {
        uint256[] storage ids = _appInstances[appId];
        uint256 n;
        for (uint256 i = 0; i < ids.length; i++) {
            if (_instances[ids[i]].status == NovaStatus.INSTANCE_ACTIVE) n++;
        }
        address[] memory out = new address[](n);
        uint256 j;
        for (uint256 i = 0; i < ids.length; i++) {
            RuntimeInstance storage inst = _instances[ids[i]];
            if (inst.status == NovaStatus.INSTANCE_ACTIVE) out[j++] = inst.teeWalletAddress;
        }
        return out;
    }

    /// Zeroed struct (id 0) when `wallet` has no instance; never reverts.
    function getInstanceByWallet(address wallet) external view override returns (RuntimeInstance memory) {
        return _instances[_instanceByWallet[wallet]];
    }

    /// Zeroed struct (id 0) for an unknown id; never reverts.
    function getInstance(uint256 instanceId) external view override returns (RuntimeInstance memory) {
        return _instances[instanceId];
    }

    function getApp(uint256 appId) external view override returns (App memory) {
        App storage app = _apps[appId];
        require(app.id != 0, "App not found");
        return app;
    }

    function getVersion(uint256 appId, uint256 versionId) external view override returns (AppVersion memory) {
        AppVersion storage ver = _versions[appId][versionId];
        require(ver.id != 0, "Version not found");
        return ver;
    }

    function getInstancesForVersion(uint256 appId, uint256 versionId)
        external
        view
        override
        returns (uint256[] memory)
    {
        return _versionInstances[appId][versionId];
    }

    // ------------------------------------------------------------------
    // Apps (owner only)
    // ------------------------------------------------------------------

    /// Creates app `appId` (explicit, non-zero, unused) with status ACTIVE.
    function createApp(uint256 appId, address dappContract, string calldata metadataUri) external onlyOwner {
        require(appId != 0, "bad app id");
        require(_apps[appId].id == 0, "app exists");
        App storage app = _apps[appId];
        app.id = appId;
        app.owner = msg.sender;
        app.dappContract = dappContract;
        app.metadataUri = metadataUri;
        app.createdAt = block.timestamp;
        app.status = NovaStatus.APP_ACTIVE;
        emit AppCreated(appId, dappContract, metadataUri);
    }

    function setAppStatus(uint256 appId, uint8 status) external onlyOwner {
        App storage app = _existingApp(appId);
        app.status = status;
        emit AppStatusSet(appId, status);
    }

    // ------------------------------------------------------------------
    // Versions (owner only)
    // ------------------------------------------------------------------

    /// Adds the next version of `appId` (ids 1, 2, ... per app), status
    /// ENROLLED, and makes it the app's latest version.
    function addVersion(uint256 appId, string calldata versionName, bytes32 codeMeasurement)
        external
        onlyOwner
        returns (uint256 versionId)
    {
        App storage app = _existingApp(appId);
        versionId = app.latestVersionId + 1;
        AppVersion storage ver = _versions[appId][versionId];
        ver.id = versionId;
        ver.versionName = versionName;
        ver.codeMeasurement = codeMeasurement;
        ver.status = NovaStatus.VERSION_ENROLLED;
        ver.enrolledAt = block.timestamp;
        ver.enrolledBy = msg.sender;
        app.latestVersionId = versionId;
        emit VersionAdded(appId, versionId, versionName, codeMeasurement);
    }

    function setVersionStatus(uint256 appId, uint256 versionId, uint8 status) external onlyOwner {
        AppVersion storage ver = _versions[appId][versionId];
        require(ver.id != 0, "Version not found");
        ver.status = status;
        emit VersionStatusSet(appId, versionId, status);
    }

    // ------------------------------------------------------------------
    // Instances (owner only)
    // ------------------------------------------------------------------

    /// Registers an ACTIVE instance. The app and version must exist and the
    /// wallet must not have an instance yet. If the app has a dappContract,
    /// its `addOperator` callback is invoked (a revert there reverts this).
    function registerInstance(
        uint256 appId,
        uint256 versionId,
        address operator,
        string calldata instanceUrl,
        bytes calldata teePubkey,
        address teeWalletAddress,
        bool zkVerified
    ) external onlyOwner returns (uint256 instanceId) {
        App storage app = _existingApp(appId);
        require(_versions[appId][versionId].id != 0, "Version not found");
        require(teeWalletAddress != address(0), "bad wallet");
        require(_instanceByWallet[teeWalletAddress] == 0, "wallet has instance");

        instanceId = nextInstanceId++;
        RuntimeInstance storage inst = _instances[instanceId];
        inst.id = instanceId;
        inst.appId = appId;
        inst.versionId = versionId;
        inst.operator = operator;
        inst.instanceUrl = instanceUrl;
        inst.teePubkey = teePubkey;
        inst.teeWalletAddress = teeWalletAddress;
        inst.zkVerified = zkVerified;
        inst.status = NovaStatus.INSTANCE_ACTIVE;
        inst.registeredAt = block.timestamp;

        _instanceByWallet[teeWalletAddress] = instanceId;
        _appInstances[appId].push(instanceId);
        _versionInstances[appId][versionId].push(instanceId);
        emit InstanceRegistered(instanceId, appId, versionId, teeWalletAddress);

        address dapp = app.dappContract;
        if (dapp != address(0)) {
            IKMSRegistryCallbacks(dapp).addOperator(teeWalletAddress, appId, versionId, instanceId);
        }
    }

    /// Deletes an instance (its wallet then has no instance) and invokes the
    /// app's dappContract `removeOperator` callback if set.
    function removeInstance(uint256 instanceId) external onlyOwner {
        RuntimeInstance storage inst = _existingInstance(instanceId);
        uint256 appId = inst.appId;
        uint256 versionId = inst.versionId;
        address wallet = inst.teeWalletAddress;

        _removeId(_appInstances[appId], instanceId);
        _removeId(_versionInstances[appId][versionId], instanceId);
        delete _instanceByWallet[wallet];
        delete _instances[instanceId];
        emit InstanceRemoved(instanceId, appId, wallet);

        address dapp = _apps[appId].dappContract;
        if (dapp != address(0)) {
            IKMSRegistryCallbacks(dapp).removeOperator(wallet, appId, versionId, instanceId);
        }
    }

    function setInstanceStatus(uint256 instanceId, uint8 status) external onlyOwner {
        _existingInstance(instanceId).status = status;
        emit InstanceStatusSet(instanceId, status);
    }

    function setInstanceZkVerified(uint256 instanceId, bool zkVerified) external onlyOwner {
        _existingInstance(instanceId).zkVerified = zkVerified;
        emit InstanceZkVerifiedSet(instanceId, zkVerified);
    }

    function setInstanceUrl(uint256 instanceId, string calldata url) external onlyOwner {
        _existingInstance(instanceId).instanceUrl = url;
        emit InstanceUrlSet(instanceId, url);
    }

    function setInstanceTeePubkey(uint256 instanceId, bytes calldata teePubkey) external onlyOwner {
        _existingInstance(instanceId).teePubkey = teePubkey;
        emit InstanceTeePubkeySet(instanceId, teePubkey);
    }

    // ------------------------------------------------------------------
    // Internal helpers
    // ------------------------------------------------------------------

    function _existingApp(uint256 appId) private view returns (App storage app) {
        app = _apps[appId];
        require(app.id != 0, "App not found");
    }

    function _existingInstance(uint256 instanceId) private view returns (RuntimeInstance storage inst) {
        inst = _instances[instanceId];
        require(inst.id != 0, "Instance not found");
    }

    /// Removes `id` from `ids`, preserving the order of the remaining ids.
    function _removeId(uint256[] storage ids, uint256 id) private {
        uint256 len = ids.length;
        for (uint256 i = 0; i < len; i++) {
            if (ids[i] == id) {
                for (uint256 k = i + 1; k < len; k++) {
                    ids[k - 1] = ids[k];
                }
                ids.pop();
                return;
            }
        }
    }
}
