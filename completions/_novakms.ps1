
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'novakms' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'novakms'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'novakms' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a KMS node: app API, node tick, durable storage')
            [CompletionResult]::new('identity', 'identity', [CompletionResultType]::ParameterValue, 'Create or show a node/app identity (wallet + teePubkey)')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Act as a Nova app against a node: put/get/delete/list values')
            [CompletionResult]::new('derive', 'derive', [CompletionResultType]::ParameterValue, 'Act as a Nova app: derive a key (POST /kms/derive)')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check a node''s liveness and readiness (exit 0 ready, 4 not ready, 3 unreachable)')
            [CompletionResult]::new('registry', 'registry', [CompletionResultType]::ParameterValue, 'Inspect the cluster on chain: members, masterSecretHash, node consistency')
            [CompletionResult]::new('cluster', 'cluster', [CompletionResultType]::ParameterValue, 'The cluster at a glance: every node''s readiness and lag (status), data agreement (check)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (or write all of them with --out-dir)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (one per subcommand)')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Make a running node pull a snapshot from a named peer now (admin socket)')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Snapshots of a node''s database: create (online or offline), inspect, verify')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Restore a verified snapshot into a stopped node''s data dir (atomic swap)')
            [CompletionResult]::new('devnet', 'devnet', [CompletionResultType]::ParameterValue, 'Run a local cluster: anvil, deployed contracts, registered nodes')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load-test nodes as registered apps: throughput and latency of put/get/mixed/derive')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;serve' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Listen address (config key bind_addr)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory holding novakms.redb (config key data_dir)')
            [CompletionResult]::new('--storage', '--storage', [CompletionResultType]::ParameterName, 'Storage backend (config key storage)')
            [CompletionResult]::new('--node-url', '--node-url', [CompletionResultType]::ParameterName, 'This node''s public URL (config key node_url; default: from the registry)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;identity' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Create a new identity: an encrypted V3 keystore (mode 0600)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the wallet address and teePubkey (hex DER SPKI) to register')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;identity;new' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Keystore file to write (refuses to overwrite)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('--app', '--app', [CompletionResultType]::ParameterName, 'Write an app keystore (scrypt N = 8,192) instead of a node keystore (N = 262,144)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;identity;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;identity;help' {
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Create a new identity: an encrypted V3 keystore (mode 0600)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the wallet address and teePubkey (hex DER SPKI) to register')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;identity;help;new' {
            break
        }
        'novakms;identity;help;show' {
            break
        }
        'novakms;identity;help;help' {
            break
        }
        'novakms;store' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Store a value (from the argument, --file, or stdin)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print a value (raw bytes to stdout; base64 inside JSON with -o json)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a key (writes a tombstone)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the live keys of this app''s namespace')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;store;put' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the value from this file (`-` = stdin)')
            [CompletionResult]::new('--ttl-ms', '--ttl-ms', [CompletionResultType]::ParameterName, 'Time to live in milliseconds (0 = never expires)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;store;get' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;store;delete' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;store;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;store;help' {
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Store a value (from the argument, --file, or stdin)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print a value (raw bytes to stdout; base64 inside JSON with -o json)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a key (writes a tombstone)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the live keys of this app''s namespace')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;store;help;put' {
            break
        }
        'novakms;store;help;get' {
            break
        }
        'novakms;store;help;delete' {
            break
        }
        'novakms;store;help;list' {
            break
        }
        'novakms;store;help;help' {
            break
        }
        'novakms;derive' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Optional context string')
            [CompletionResult]::new('--length', '--length', [CompletionResultType]::ParameterName, 'Output length in bytes (1..=1024)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;health' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'Only check liveness')
            [CompletionResult]::new('--ready', '--ready', [CompletionResultType]::ParameterName, 'Only check readiness (default: both)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;registry' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'KMS membership from NovaAppRegistry (every instance KMSRegistry lists, plus every ACTIVE one)')
            [CompletionResult]::new('hash', 'hash', [CompletionResultType]::ParameterValue, 'masterSecretHash (or "unset"), KMS app id and contract addresses')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare what a node reports (/status) with the chain; exit 0 consistent, 4 not')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;registry;members' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;registry;hash' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;registry;check' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;registry;help' {
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'KMS membership from NovaAppRegistry (every instance KMSRegistry lists, plus every ACTIVE one)')
            [CompletionResult]::new('hash', 'hash', [CompletionResultType]::ParameterValue, 'masterSecretHash (or "unset"), KMS app id and contract addresses')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare what a node reports (/status) with the chain; exit 0 consistent, 4 not')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;registry;help;members' {
            break
        }
        'novakms;registry;help;hash' {
            break
        }
        'novakms;registry;help;check' {
            break
        }
        'novakms;registry;help;help' {
            break
        }
        'novakms;cluster' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Every registered instance with its node''s readiness, data counts and replication lag')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Prove convergence: compare per-app digests of all nodes (via the local admin socket)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;cluster;status' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-node timeout of /status and /nodes (e.g. 5s, 500ms)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;cluster;check' {
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Poll until the nodes agree or this time has passed (e.g. 60s, 2m)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the local running node (config key data_dir)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'List the differing keys of disagreeing apps (names and versions, never values)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;cluster;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Every registered instance with its node''s readiness, data counts and replication lag')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Prove convergence: compare per-app digests of all nodes (via the local admin socket)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;cluster;help;status' {
            break
        }
        'novakms;cluster;help;check' {
            break
        }
        'novakms;cluster;help;help' {
            break
        }
        'novakms;completions' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write completions for every shell into this directory instead')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory to write the pages into (novakms.1, novakms-<sub>.1, …)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;sync' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Peer to pull from: its registered URL or its wallet (see `GET /nodes`)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the running node (config key data_dir)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;backup' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Write a snapshot: online from the running node, or offline from --data-dir')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Print a snapshot''s manifest without reading its data (not verified)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a snapshot completely: digest, signature, structure, counts (exit 5 on failure)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;backup;create' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Offline backup of this data dir (no node may be running on it)')
            [CompletionResult]::new('--admin-socket', '--admin-socket', [CompletionResultType]::ParameterName, 'Online backup: admin socket of the running node [default: <data_dir>/admin.sock]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace FILE if it exists')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;backup;inspect' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;backup;verify' {
            [CompletionResult]::new('--signer', '--signer', [CompletionResultType]::ParameterName, 'Also require this signer wallet (the node that made the snapshot)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;backup;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Write a snapshot: online from the running node, or offline from --data-dir')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Print a snapshot''s manifest without reading its data (not verified)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a snapshot completely: digest, signature, structure, counts (exit 5 on failure)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;backup;help;create' {
            break
        }
        'novakms;backup;help;inspect' {
            break
        }
        'novakms;backup;help;verify' {
            break
        }
        'novakms;backup;help;help' {
            break
        }
        'novakms;restore' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the stopped node to restore into (created if missing)')
            [CompletionResult]::new('--signer', '--signer', [CompletionResultType]::ParameterName, 'Trust this signer wallet: the snapshot must be signed by it (the on-chain check of the signer is skipped)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Override every refusal but a newer schema: non-empty database, another cluster, an untrusted signer, a stale snapshot (each is logged as a warning; the old database is kept aside)')
            [CompletionResult]::new('--no-chain-check', '--no-chain-check', [CompletionResultType]::ParameterName, 'Do not compare the snapshot with the chain even when the registries are configured (then --signer is required)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;devnet' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start anvil, deploy the contracts, register and start N nodes')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop the nodes and anvil of a devnet')
            [CompletionResult]::new('rpc-proxy', 'rpc-proxy', [CompletionResultType]::ParameterValue, 'TLS terminator in front of anvil, started by `devnet up --tls` (internal)')
            [CompletionResult]::new('odyn', 'odyn', [CompletionResultType]::ParameterValue, 'A test Odyn (protocol.md §3.2), started by `devnet up --odyn-nodes` (internal)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;devnet;up' {
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Number of KMS nodes')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Directory for keystores, configs, data and logs')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the nodes to become ready')
            [CompletionResult]::new('--apps', '--apps', [CompletionResultType]::ParameterName, 'Number of registered app identities (own wallet and teePubkey each), spread over up to 3 app ids: identity i is an instance of app 1000 + (i mod 3)')
            [CompletionResult]::new('--odyn-nodes', '--odyn-nodes', [CompletionResultType]::ParameterName, 'The last K nodes hold their identity in a test Odyn process each (identity = "odyn", odyn_url in their configs; wallet and teePubkey registered as Odyn reports them)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'HTTPS only: a private CA in DIR/tls, nodes on https URLs, chain RPC behind a TLS terminator, ca_file in every generated config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;devnet;down' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Directory of the devnet')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;devnet;rpc-proxy' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (ignored when a listening socket is handed over, as `devnet up` does: `LISTEN_PID` / `LISTEN_FDS`)')
            [CompletionResult]::new('--upstream', '--upstream', [CompletionResultType]::ParameterName, 'Plain-TCP upstream (anvil), host:port')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Certificate chain (PEM)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;devnet;odyn' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (ignored when a listening socket is handed over, as `devnet up` does: `LISTEN_PID` / `LISTEN_FDS`). With port 0 the bound URL is the first line printed on stdout')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Key file (wallet + P-384 key, JSON, created 0600 when missing): the same file keeps the enclave identity across restarts [default: fresh keys, lost on exit]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;devnet;help' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start anvil, deploy the contracts, register and start N nodes')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop the nodes and anvil of a devnet')
            [CompletionResult]::new('rpc-proxy', 'rpc-proxy', [CompletionResultType]::ParameterValue, 'TLS terminator in front of anvil, started by `devnet up --tls` (internal)')
            [CompletionResult]::new('odyn', 'odyn', [CompletionResultType]::ParameterValue, 'A test Odyn (protocol.md §3.2), started by `devnet up --odyn-nodes` (internal)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;devnet;help;up' {
            break
        }
        'novakms;devnet;help;down' {
            break
        }
        'novakms;devnet;help;rpc-proxy' {
            break
        }
        'novakms;devnet;help;odyn' {
            break
        }
        'novakms;devnet;help;help' {
            break
        }
        'novakms;bench' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Concurrent clients (one request in flight each)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Concurrent clients (one request in flight each)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Run time, e.g. 10s, 500ms, 2m (default 10s; conflicts with --ops)')
            [CompletionResult]::new('--ops', '--ops', [CompletionResultType]::ParameterName, 'Stop after this many operations (successes + failures)')
            [CompletionResult]::new('--value-size', '--value-size', [CompletionResultType]::ParameterName, 'Plaintext value size of PUTs in bytes')
            [CompletionResult]::new('--keys', '--keys', [CompletionResultType]::ParameterName, 'Key-space size: keys are <key-prefix><i> with i uniform in 0..KEYS')
            [CompletionResult]::new('--read-ratio', '--read-ratio', [CompletionResultType]::ParameterName, 'Fraction of GETs in the mixed workload (0..=1)')
            [CompletionResult]::new('--node', '--node', [CompletionResultType]::ParameterName, 'Target node URL (repeatable; clients round-robin over them) [default: addr from the config]')
            [CompletionResult]::new('--devnet', '--devnet', [CompletionResultType]::ParameterName, 'Take apps, nodes and chain settings from this devnet directory (its devnet.json)')
            [CompletionResult]::new('--app-config', '--app-config', [CompletionResultType]::ParameterName, 'App config file (keystore, password_file; repeatable) [default: the global --config]')
            [CompletionResult]::new('--apps', '--apps', [CompletionResultType]::ParameterName, 'Use only the first K app identities available')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the key choice, op mix and values')
            [CompletionResult]::new('--key-prefix', '--key-prefix', [CompletionResultType]::ParameterName, 'Key and derive-path prefix')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout in seconds')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Which of the nodes (the devnet''s, or the --node URLs) take the load: `all`, or the first K; the others still serve the visibility probe')
            [CompletionResult]::new('--visibility-every', '--visibility-every', [CompletionResultType]::ParameterName, 'Pause between write-to-visible samples (PUT on one node, GET on every other node until the value shows) when the run knows two or more nodes')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format for results on stdout')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr (filter with NOVAKMS_LOG)')
            [CompletionResult]::new('--rpc-url', '--rpc-url', [CompletionResultType]::ParameterName, 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]')
            [CompletionResult]::new('--nova-app-registry', '--nova-app-registry', [CompletionResultType]::ParameterName, 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]')
            [CompletionResult]::new('--kms-registry', '--kms-registry', [CompletionResultType]::ParameterName, 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]')
            [CompletionResult]::new('--kms-app-id', '--kms-app-id', [CompletionResultType]::ParameterName, 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]')
            [CompletionResult]::new('--odyn-url', '--odyn-url', [CompletionResultType]::ParameterName, 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]')
            [CompletionResult]::new('--keystore', '--keystore', [CompletionResultType]::ParameterName, 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Before get/mixed: write every key of each app namespace once (not measured)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress line on stderr (it is also hidden when stderr is not a terminal)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress line on stderr (it is also hidden when stderr is not a terminal)')
            [CompletionResult]::new('--fresh-apps', '--fresh-apps', [CompletionResultType]::ParameterName, 'Each operation acts as a new app identity, registered on the devnet chain before the run (the cold envelope path); needs --devnet and --ops (at most 5000)')
            [CompletionResult]::new('--no-visibility', '--no-visibility', [CompletionResultType]::ParameterName, 'No write-to-visible probe')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'novakms;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a KMS node: app API, node tick, durable storage')
            [CompletionResult]::new('identity', 'identity', [CompletionResultType]::ParameterValue, 'Create or show a node/app identity (wallet + teePubkey)')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Act as a Nova app against a node: put/get/delete/list values')
            [CompletionResult]::new('derive', 'derive', [CompletionResultType]::ParameterValue, 'Act as a Nova app: derive a key (POST /kms/derive)')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check a node''s liveness and readiness (exit 0 ready, 4 not ready, 3 unreachable)')
            [CompletionResult]::new('registry', 'registry', [CompletionResultType]::ParameterValue, 'Inspect the cluster on chain: members, masterSecretHash, node consistency')
            [CompletionResult]::new('cluster', 'cluster', [CompletionResultType]::ParameterValue, 'The cluster at a glance: every node''s readiness and lag (status), data agreement (check)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (or write all of them with --out-dir)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (one per subcommand)')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Make a running node pull a snapshot from a named peer now (admin socket)')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Snapshots of a node''s database: create (online or offline), inspect, verify')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Restore a verified snapshot into a stopped node''s data dir (atomic swap)')
            [CompletionResult]::new('devnet', 'devnet', [CompletionResultType]::ParameterValue, 'Run a local cluster: anvil, deployed contracts, registered nodes')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load-test nodes as registered apps: throughput and latency of put/get/mixed/derive')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'novakms;help;serve' {
            break
        }
        'novakms;help;identity' {
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Create a new identity: an encrypted V3 keystore (mode 0600)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the wallet address and teePubkey (hex DER SPKI) to register')
            break
        }
        'novakms;help;identity;new' {
            break
        }
        'novakms;help;identity;show' {
            break
        }
        'novakms;help;store' {
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Store a value (from the argument, --file, or stdin)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print a value (raw bytes to stdout; base64 inside JSON with -o json)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a key (writes a tombstone)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the live keys of this app''s namespace')
            break
        }
        'novakms;help;store;put' {
            break
        }
        'novakms;help;store;get' {
            break
        }
        'novakms;help;store;delete' {
            break
        }
        'novakms;help;store;list' {
            break
        }
        'novakms;help;derive' {
            break
        }
        'novakms;help;health' {
            break
        }
        'novakms;help;registry' {
            [CompletionResult]::new('members', 'members', [CompletionResultType]::ParameterValue, 'KMS membership from NovaAppRegistry (every instance KMSRegistry lists, plus every ACTIVE one)')
            [CompletionResult]::new('hash', 'hash', [CompletionResultType]::ParameterValue, 'masterSecretHash (or "unset"), KMS app id and contract addresses')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare what a node reports (/status) with the chain; exit 0 consistent, 4 not')
            break
        }
        'novakms;help;registry;members' {
            break
        }
        'novakms;help;registry;hash' {
            break
        }
        'novakms;help;registry;check' {
            break
        }
        'novakms;help;cluster' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Every registered instance with its node''s readiness, data counts and replication lag')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Prove convergence: compare per-app digests of all nodes (via the local admin socket)')
            break
        }
        'novakms;help;cluster;status' {
            break
        }
        'novakms;help;cluster;check' {
            break
        }
        'novakms;help;completions' {
            break
        }
        'novakms;help;man' {
            break
        }
        'novakms;help;sync' {
            break
        }
        'novakms;help;backup' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Write a snapshot: online from the running node, or offline from --data-dir')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Print a snapshot''s manifest without reading its data (not verified)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a snapshot completely: digest, signature, structure, counts (exit 5 on failure)')
            break
        }
        'novakms;help;backup;create' {
            break
        }
        'novakms;help;backup;inspect' {
            break
        }
        'novakms;help;backup;verify' {
            break
        }
        'novakms;help;restore' {
            break
        }
        'novakms;help;devnet' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start anvil, deploy the contracts, register and start N nodes')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop the nodes and anvil of a devnet')
            [CompletionResult]::new('rpc-proxy', 'rpc-proxy', [CompletionResultType]::ParameterValue, 'TLS terminator in front of anvil, started by `devnet up --tls` (internal)')
            [CompletionResult]::new('odyn', 'odyn', [CompletionResultType]::ParameterValue, 'A test Odyn (protocol.md §3.2), started by `devnet up --odyn-nodes` (internal)')
            break
        }
        'novakms;help;devnet;up' {
            break
        }
        'novakms;help;devnet;down' {
            break
        }
        'novakms;help;devnet;rpc-proxy' {
            break
        }
        'novakms;help;devnet;odyn' {
            break
        }
        'novakms;help;bench' {
            break
        }
        'novakms;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
