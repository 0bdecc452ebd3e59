
use builtin;
use str;

set edit:completion:arg-completer[novakms] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'novakms'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'novakms'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Run a KMS node: app API, node tick, durable storage'
            cand identity 'Create or show a node/app identity (wallet + teePubkey)'
            cand store 'Act as a Nova app against a node: put/get/delete/list values'
            cand derive 'Act as a Nova app: derive a key (POST /kms/derive)'
            cand health 'Check a node''s liveness and readiness (exit 0 ready, 4 not ready, 3 unreachable)'
            cand registry 'Inspect the cluster on chain: members, masterSecretHash, node consistency'
            cand cluster 'The cluster at a glance: every node''s readiness and lag (status), data agreement (check)'
            cand completions 'Print shell completions (or write all of them with --out-dir)'
            cand man 'Write man pages (one per subcommand)'
            cand sync 'Make a running node pull a snapshot from a named peer now (admin socket)'
            cand backup 'Snapshots of a node''s database: create (online or offline), inspect, verify'
            cand restore 'Restore a verified snapshot into a stopped node''s data dir (atomic swap)'
            cand devnet 'Run a local cluster: anvil, deployed contracts, registered nodes'
            cand bench 'Load-test nodes as registered apps: throughput and latency of put/get/mixed/derive'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;serve'= {
            cand --bind 'Listen address (config key bind_addr)'
            cand --data-dir 'Data directory holding novakms.redb (config key data_dir)'
            cand --storage 'Storage backend (config key storage)'
            cand --node-url 'This node''s public URL (config key node_url; default: from the registry)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;identity'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand new 'Create a new identity: an encrypted V3 keystore (mode 0600)'
            cand show 'Print the wallet address and teePubkey (hex DER SPKI) to register'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;identity;new'= {
            cand --out 'Keystore file to write (refuses to overwrite)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand --app 'Write an app keystore (scrypt N = 8,192) instead of a node keystore (N = 262,144)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;identity;show'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;identity;help'= {
            cand new 'Create a new identity: an encrypted V3 keystore (mode 0600)'
            cand show 'Print the wallet address and teePubkey (hex DER SPKI) to register'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;identity;help;new'= {
        }
        &'novakms;identity;help;show'= {
        }
        &'novakms;identity;help;help'= {
        }
        &'novakms;store'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand put 'Store a value (from the argument, --file, or stdin)'
            cand get 'Print a value (raw bytes to stdout; base64 inside JSON with -o json)'
            cand delete 'Delete a key (writes a tombstone)'
            cand list 'List the live keys of this app''s namespace'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;store;put'= {
            cand --file 'Read the value from this file (`-` = stdin)'
            cand --ttl-ms 'Time to live in milliseconds (0 = never expires)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;store;get'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;store;delete'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;store;list'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;store;help'= {
            cand put 'Store a value (from the argument, --file, or stdin)'
            cand get 'Print a value (raw bytes to stdout; base64 inside JSON with -o json)'
            cand delete 'Delete a key (writes a tombstone)'
            cand list 'List the live keys of this app''s namespace'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;store;help;put'= {
        }
        &'novakms;store;help;get'= {
        }
        &'novakms;store;help;delete'= {
        }
        &'novakms;store;help;list'= {
        }
        &'novakms;store;help;help'= {
        }
        &'novakms;derive'= {
            cand --context 'Optional context string'
            cand --length 'Output length in bytes (1..=1024)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;health'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand --live 'Only check liveness'
            cand --ready 'Only check readiness (default: both)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;registry'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand members 'KMS membership from NovaAppRegistry (every instance KMSRegistry lists, plus every ACTIVE one)'
            cand hash 'masterSecretHash (or "unset"), KMS app id and contract addresses'
            cand check 'Compare what a node reports (/status) with the chain; exit 0 consistent, 4 not'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;registry;members'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;registry;hash'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;registry;check'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;registry;help'= {
            cand members 'KMS membership from NovaAppRegistry (every instance KMSRegistry lists, plus every ACTIVE one)'
            cand hash 'masterSecretHash (or "unset"), KMS app id and contract addresses'
            cand check 'Compare what a node reports (/status) with the chain; exit 0 consistent, 4 not'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;registry;help;members'= {
        }
        &'novakms;registry;help;hash'= {
        }
        &'novakms;registry;help;check'= {
        }
        &'novakms;registry;help;help'= {
        }
        &'novakms;cluster'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand status 'Every registered instance with its node''s readiness, data counts and replication lag'
            cand check 'Prove convergence: compare per-app digests of all nodes (via the local admin socket)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;cluster;status'= {
            cand --timeout 'Per-node timeout of /status and /nodes (e.g. 5s, 500ms)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;cluster;check'= {
            cand --wait 'Poll until the nodes agree or this time has passed (e.g. 60s, 2m)'
            cand --data-dir 'Data dir of the local running node (config key data_dir)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand --diff 'List the differing keys of disagreeing apps (names and versions, never values)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;cluster;help'= {
            cand status 'Every registered instance with its node''s readiness, data counts and replication lag'
            cand check 'Prove convergence: compare per-app digests of all nodes (via the local admin socket)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;cluster;help;status'= {
        }
        &'novakms;cluster;help;check'= {
        }
        &'novakms;cluster;help;help'= {
        }
        &'novakms;completions'= {
            cand --out-dir 'Write completions for every shell into this directory instead'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;man'= {
            cand --out-dir 'Directory to write the pages into (novakms.1, novakms-<sub>.1, …)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;sync'= {
            cand --from 'Peer to pull from: its registered URL or its wallet (see `GET /nodes`)'
            cand --data-dir 'Data dir of the running node (config key data_dir)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;backup'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand create 'Write a snapshot: online from the running node, or offline from --data-dir'
            cand inspect 'Print a snapshot''s manifest without reading its data (not verified)'
            cand verify 'Check a snapshot completely: digest, signature, structure, counts (exit 5 on failure)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;backup;create'= {
            cand --data-dir 'Offline backup of this data dir (no node may be running on it)'
            cand --admin-socket 'Online backup: admin socket of the running node [default: <data_dir>/admin.sock]'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand --force 'Replace FILE if it exists'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;backup;inspect'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;backup;verify'= {
            cand --signer 'Also require this signer wallet (the node that made the snapshot)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;backup;help'= {
            cand create 'Write a snapshot: online from the running node, or offline from --data-dir'
            cand inspect 'Print a snapshot''s manifest without reading its data (not verified)'
            cand verify 'Check a snapshot completely: digest, signature, structure, counts (exit 5 on failure)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;backup;help;create'= {
        }
        &'novakms;backup;help;inspect'= {
        }
        &'novakms;backup;help;verify'= {
        }
        &'novakms;backup;help;help'= {
        }
        &'novakms;restore'= {
            cand --data-dir 'Data dir of the stopped node to restore into (created if missing)'
            cand --signer 'Trust this signer wallet: the snapshot must be signed by it (the on-chain check of the signer is skipped)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand --force 'Override every refusal but a newer schema: non-empty database, another cluster, an untrusted signer, a stale snapshot (each is logged as a warning; the old database is kept aside)'
            cand --no-chain-check 'Do not compare the snapshot with the chain even when the registries are configured (then --signer is required)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;devnet'= {
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand up 'Start anvil, deploy the contracts, register and start N nodes'
            cand down 'Stop the nodes and anvil of a devnet'
            cand rpc-proxy 'TLS terminator in front of anvil, started by `devnet up --tls` (internal)'
            cand odyn 'A test Odyn (protocol.md §3.2), started by `devnet up --odyn-nodes` (internal)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;devnet;up'= {
            cand --nodes 'Number of KMS nodes'
            cand --dir 'Directory for keystores, configs, data and logs'
            cand --timeout 'Seconds to wait for the nodes to become ready'
            cand --apps 'Number of registered app identities (own wallet and teePubkey each), spread over up to 3 app ids: identity i is an instance of app 1000 + (i mod 3)'
            cand --odyn-nodes 'The last K nodes hold their identity in a test Odyn process each (identity = "odyn", odyn_url in their configs; wallet and teePubkey registered as Odyn reports them)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand --tls 'HTTPS only: a private CA in DIR/tls, nodes on https URLs, chain RPC behind a TLS terminator, ca_file in every generated config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;devnet;down'= {
            cand --dir 'Directory of the devnet'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;devnet;rpc-proxy'= {
            cand --listen 'Address to listen on (ignored when a listening socket is handed over, as `devnet up` does: `LISTEN_PID` / `LISTEN_FDS`)'
            cand --upstream 'Plain-TCP upstream (anvil), host:port'
            cand --cert 'Certificate chain (PEM)'
            cand --key 'Private key (PEM)'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;devnet;odyn'= {
            cand --listen 'Address to listen on (ignored when a listening socket is handed over, as `devnet up` does: `LISTEN_PID` / `LISTEN_FDS`). With port 0 the bound URL is the first line printed on stdout'
            cand --key-file 'Key file (wallet + P-384 key, JSON, created 0600 when missing): the same file keeps the enclave identity across restarts [default: fresh keys, lost on exit]'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;devnet;help'= {
            cand up 'Start anvil, deploy the contracts, register and start N nodes'
            cand down 'Stop the nodes and anvil of a devnet'
            cand rpc-proxy 'TLS terminator in front of anvil, started by `devnet up --tls` (internal)'
            cand odyn 'A test Odyn (protocol.md §3.2), started by `devnet up --odyn-nodes` (internal)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;devnet;help;up'= {
        }
        &'novakms;devnet;help;down'= {
        }
        &'novakms;devnet;help;rpc-proxy'= {
        }
        &'novakms;devnet;help;odyn'= {
        }
        &'novakms;devnet;help;help'= {
        }
        &'novakms;bench'= {
            cand -c 'Concurrent clients (one request in flight each)'
            cand --concurrency 'Concurrent clients (one request in flight each)'
            cand --duration 'Run time, e.g. 10s, 500ms, 2m (default 10s; conflicts with --ops)'
            cand --ops 'Stop after this many operations (successes + failures)'
            cand --value-size 'Plaintext value size of PUTs in bytes'
            cand --keys 'Key-space size: keys are <key-prefix><i> with i uniform in 0..KEYS'
            cand --read-ratio 'Fraction of GETs in the mixed workload (0..=1)'
            cand --node 'Target node URL (repeatable; clients round-robin over them) [default: addr from the config]'
            cand --devnet 'Take apps, nodes and chain settings from this devnet directory (its devnet.json)'
            cand --app-config 'App config file (keystore, password_file; repeatable) [default: the global --config]'
            cand --apps 'Use only the first K app identities available'
            cand --seed 'Seed of the key choice, op mix and values'
            cand --key-prefix 'Key and derive-path prefix'
            cand --timeout 'Per-request timeout in seconds'
            cand --nodes 'Which of the nodes (the devnet''s, or the --node URLs) take the load: `all`, or the first K; the others still serve the visibility probe'
            cand --visibility-every 'Pause between write-to-visible samples (PUT on one node, GET on every other node until the value shows) when the run knows two or more nodes'
            cand --config 'TOML configuration file'
            cand -o 'Output format for results on stdout'
            cand --output 'Output format for results on stdout'
            cand --log-format 'Log format on stderr (filter with NOVAKMS_LOG)'
            cand --rpc-url 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]'
            cand --nova-app-registry 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]'
            cand --kms-registry 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]'
            cand --kms-app-id 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]'
            cand --identity 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]'
            cand --odyn-url 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]'
            cand --keystore 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]'
            cand --password-file 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]'
            cand --addr 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]'
            cand --warmup 'Before get/mixed: write every key of each app namespace once (not measured)'
            cand -q 'No progress line on stderr (it is also hidden when stderr is not a terminal)'
            cand --quiet 'No progress line on stderr (it is also hidden when stderr is not a terminal)'
            cand --fresh-apps 'Each operation acts as a new app identity, registered on the devnet chain before the run (the cold envelope path); needs --devnet and --ops (at most 5000)'
            cand --no-visibility 'No write-to-visible probe'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'novakms;help'= {
            cand serve 'Run a KMS node: app API, node tick, durable storage'
            cand identity 'Create or show a node/app identity (wallet + teePubkey)'
            cand store 'Act as a Nova app against a node: put/get/delete/list values'
            cand derive 'Act as a Nova app: derive a key (POST /kms/derive)'
            cand health 'Check a node''s liveness and readiness (exit 0 ready, 4 not ready, 3 unreachable)'
            cand registry 'Inspect the cluster on chain: members, masterSecretHash, node consistency'
            cand cluster 'The cluster at a glance: every node''s readiness and lag (status), data agreement (check)'
            cand completions 'Print shell completions (or write all of them with --out-dir)'
            cand man 'Write man pages (one per subcommand)'
            cand sync 'Make a running node pull a snapshot from a named peer now (admin socket)'
            cand backup 'Snapshots of a node''s database: create (online or offline), inspect, verify'
            cand restore 'Restore a verified snapshot into a stopped node''s data dir (atomic swap)'
            cand devnet 'Run a local cluster: anvil, deployed contracts, registered nodes'
            cand bench 'Load-test nodes as registered apps: throughput and latency of put/get/mixed/derive'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'novakms;help;serve'= {
        }
        &'novakms;help;identity'= {
            cand new 'Create a new identity: an encrypted V3 keystore (mode 0600)'
            cand show 'Print the wallet address and teePubkey (hex DER SPKI) to register'
        }
        &'novakms;help;identity;new'= {
        }
        &'novakms;help;identity;show'= {
        }
        &'novakms;help;store'= {
            cand put 'Store a value (from the argument, --file, or stdin)'
            cand get 'Print a value (raw bytes to stdout; base64 inside JSON with -o json)'
            cand delete 'Delete a key (writes a tombstone)'
            cand list 'List the live keys of this app''s namespace'
        }
        &'novakms;help;store;put'= {
        }
        &'novakms;help;store;get'= {
        }
        &'novakms;help;store;delete'= {
        }
        &'novakms;help;store;list'= {
        }
        &'novakms;help;derive'= {
        }
        &'novakms;help;health'= {
        }
        &'novakms;help;registry'= {
            cand members 'KMS membership from NovaAppRegistry (every instance KMSRegistry lists, plus every ACTIVE one)'
            cand hash 'masterSecretHash (or "unset"), KMS app id and contract addresses'
            cand check 'Compare what a node reports (/status) with the chain; exit 0 consistent, 4 not'
        }
        &'novakms;help;registry;members'= {
        }
        &'novakms;help;registry;hash'= {
        }
        &'novakms;help;registry;check'= {
        }
        &'novakms;help;cluster'= {
            cand status 'Every registered instance with its node''s readiness, data counts and replication lag'
            cand check 'Prove convergence: compare per-app digests of all nodes (via the local admin socket)'
        }
        &'novakms;help;cluster;status'= {
        }
        &'novakms;help;cluster;check'= {
        }
        &'novakms;help;completions'= {
        }
        &'novakms;help;man'= {
        }
        &'novakms;help;sync'= {
        }
        &'novakms;help;backup'= {
            cand create 'Write a snapshot: online from the running node, or offline from --data-dir'
            cand inspect 'Print a snapshot''s manifest without reading its data (not verified)'
            cand verify 'Check a snapshot completely: digest, signature, structure, counts (exit 5 on failure)'
        }
        &'novakms;help;backup;create'= {
        }
        &'novakms;help;backup;inspect'= {
        }
        &'novakms;help;backup;verify'= {
        }
        &'novakms;help;restore'= {
        }
        &'novakms;help;devnet'= {
            cand up 'Start anvil, deploy the contracts, register and start N nodes'
            cand down 'Stop the nodes and anvil of a devnet'
            cand rpc-proxy 'TLS terminator in front of anvil, started by `devnet up --tls` (internal)'
            cand odyn 'A test Odyn (protocol.md §3.2), started by `devnet up --odyn-nodes` (internal)'
        }
        &'novakms;help;devnet;up'= {
        }
        &'novakms;help;devnet;down'= {
        }
        &'novakms;help;devnet;rpc-proxy'= {
        }
        &'novakms;help;devnet;odyn'= {
        }
        &'novakms;help;bench'= {
        }
        &'novakms;help;help'= {
        }
    ]
    $completions[$command]
}
