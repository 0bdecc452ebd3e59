# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_novakms_global_optspecs
    string join \n config= o/output= log-format= rpc-url= nova-app-registry= kms-registry= kms-app-id= identity= odyn-url= keystore= password-file= addr= h/help V/version
end

function __fish_novakms_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_novakms_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_novakms_using_subcommand
    set -l cmd (__fish_novakms_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c novakms -n "__fish_novakms_needs_command" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_needs_command" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_needs_command" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_needs_command" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_needs_command" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_needs_command" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_needs_command" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_needs_command" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_needs_command" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_needs_command" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_needs_command" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_needs_command" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_needs_command" -s V -l version -d 'Print version'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "serve" -d 'Run a KMS node: app API, node tick, durable storage'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "identity" -d 'Create or show a node/app identity (wallet + teePubkey)'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "store" -d 'Act as a Nova app against a node: put/get/delete/list values'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "derive" -d 'Act as a Nova app: derive a key (POST /kms/derive)'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "health" -d 'Check a node\'s liveness and readiness (exit 0 ready, 4 not ready, 3 unreachable)'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "registry" -d 'Inspect the cluster on chain: members, masterSecretHash, node consistency'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "cluster" -d 'The cluster at a glance: every node\'s readiness and lag (status), data agreement (check)'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "completions" -d 'Print shell completions (or write all of them with --out-dir)'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "man" -d 'Write man pages (one per subcommand)'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "sync" -d 'Make a running node pull a snapshot from a named peer now (admin socket)'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "backup" -d 'Snapshots of a node\'s database: create (online or offline), inspect, verify'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "restore" -d 'Restore a verified snapshot into a stopped node\'s data dir (atomic swap)'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "devnet" -d 'Run a local cluster: anvil, deployed contracts, registered nodes'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "bench" -d 'Load-test nodes as registered apps: throughput and latency of put/get/mixed/derive'
complete -c novakms -n "__fish_novakms_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l bind -d 'Listen address (config key bind_addr)' -r
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l data-dir -d 'Data directory holding novakms.redb (config key data_dir)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l storage -d 'Storage backend (config key storage)' -r -f -a "redb\t'Durable redb file `novakms.redb` in the data dir'
memory\t'In-memory only: nothing survives a restart (warned loudly at start)'"
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l node-url -d 'This node\'s public URL (config key node_url; default: from the registry)' -r
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand serve" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand serve" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -f -a "new" -d 'Create a new identity: an encrypted V3 keystore (mode 0600)'
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -f -a "show" -d 'Print the wallet address and teePubkey (hex DER SPKI) to register'
complete -c novakms -n "__fish_novakms_using_subcommand identity; and not __fish_seen_subcommand_from new show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l out -d 'Keystore file to write (refuses to overwrite)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -l app -d 'Write an app keystore (scrypt N = 8,192) instead of a node keystore (N = 262,144)'
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from help" -f -a "new" -d 'Create a new identity: an encrypted V3 keystore (mode 0600)'
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the wallet address and teePubkey (hex DER SPKI) to register'
complete -c novakms -n "__fish_novakms_using_subcommand identity; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -f -a "put" -d 'Store a value (from the argument, --file, or stdin)'
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -f -a "get" -d 'Print a value (raw bytes to stdout; base64 inside JSON with -o json)'
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -f -a "delete" -d 'Delete a key (writes a tombstone)'
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -f -a "list" -d 'List the live keys of this app\'s namespace'
complete -c novakms -n "__fish_novakms_using_subcommand store; and not __fish_seen_subcommand_from put get delete list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l file -d 'Read the value from this file (`-` = stdin)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l ttl-ms -d 'Time to live in milliseconds (0 = never expires)' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from put" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "put" -d 'Store a value (from the argument, --file, or stdin)'
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print a value (raw bytes to stdout; base64 inside JSON with -o json)'
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a key (writes a tombstone)'
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the live keys of this app\'s namespace'
complete -c novakms -n "__fish_novakms_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l context -d 'Optional context string' -r
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l length -d 'Output length in bytes (1..=1024)' -r
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand derive" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand derive" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand derive" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand health" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand health" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand health" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand health" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand health" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand health" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand health" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand health" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand health" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand health" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand health" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand health" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand health" -l live -d 'Only check liveness'
complete -c novakms -n "__fish_novakms_using_subcommand health" -l ready -d 'Only check readiness (default: both)'
complete -c novakms -n "__fish_novakms_using_subcommand health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -f -a "members" -d 'KMS membership from NovaAppRegistry (every instance KMSRegistry lists, plus every ACTIVE one)'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -f -a "hash" -d 'masterSecretHash (or "unset"), KMS app id and contract addresses'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -f -a "check" -d 'Compare what a node reports (/status) with the chain; exit 0 consistent, 4 not'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and not __fish_seen_subcommand_from members hash check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from members" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from hash" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "members" -d 'KMS membership from NovaAppRegistry (every instance KMSRegistry lists, plus every ACTIVE one)'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "hash" -d 'masterSecretHash (or "unset"), KMS app id and contract addresses'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "check" -d 'Compare what a node reports (/status) with the chain; exit 0 consistent, 4 not'
complete -c novakms -n "__fish_novakms_using_subcommand registry; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -f -a "status" -d 'Every registered instance with its node\'s readiness, data counts and replication lag'
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -f -a "check" -d 'Prove convergence: compare per-app digests of all nodes (via the local admin socket)'
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and not __fish_seen_subcommand_from status check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l timeout -d 'Per-node timeout of /status and /nodes (e.g. 5s, 500ms)' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l wait -d 'Poll until the nodes agree or this time has passed (e.g. 60s, 2m)' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l data-dir -d 'Data dir of the local running node (config key data_dir)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -l diff -d 'List the differing keys of disagreeing apps (names and versions, never values)'
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "status" -d 'Every registered instance with its node\'s readiness, data counts and replication lag'
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "check" -d 'Prove convergence: compare per-app digests of all nodes (via the local admin socket)'
complete -c novakms -n "__fish_novakms_using_subcommand cluster; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l out-dir -d 'Write completions for every shell into this directory instead' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand completions" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand completions" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand man" -l out-dir -d 'Directory to write the pages into (novakms.1, novakms-<sub>.1, …)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand man" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand man" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand man" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand man" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand man" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand man" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand man" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand man" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand man" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand man" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand man" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand man" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l from -d 'Peer to pull from: its registered URL or its wallet (see `GET /nodes`)' -r
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l data-dir -d 'Data dir of the running node (config key data_dir)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand sync" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand sync" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -f -a "create" -d 'Write a snapshot: online from the running node, or offline from --data-dir'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -f -a "inspect" -d 'Print a snapshot\'s manifest without reading its data (not verified)'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -f -a "verify" -d 'Check a snapshot completely: digest, signature, structure, counts (exit 5 on failure)'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and not __fish_seen_subcommand_from create inspect verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l data-dir -d 'Offline backup of this data dir (no node may be running on it)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l admin-socket -d 'Online backup: admin socket of the running node [default: <data_dir>/admin.sock]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -l force -d 'Replace FILE if it exists'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l signer -d 'Also require this signer wallet (the node that made the snapshot)' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "create" -d 'Write a snapshot: online from the running node, or offline from --data-dir'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Print a snapshot\'s manifest without reading its data (not verified)'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check a snapshot completely: digest, signature, structure, counts (exit 5 on failure)'
complete -c novakms -n "__fish_novakms_using_subcommand backup; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l data-dir -d 'Data dir of the stopped node to restore into (created if missing)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l signer -d 'Trust this signer wallet: the snapshot must be signed by it (the on-chain check of the signer is skipped)' -r
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand restore" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l force -d 'Override every refusal but a newer schema: non-empty database, another cluster, an untrusted signer, a stale snapshot (each is logged as a warning; the old database is kept aside)'
complete -c novakms -n "__fish_novakms_using_subcommand restore" -l no-chain-check -d 'Do not compare the snapshot with the chain even when the registries are configured (then --signer is required)'
complete -c novakms -n "__fish_novakms_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -f -a "up" -d 'Start anvil, deploy the contracts, register and start N nodes'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -f -a "down" -d 'Stop the nodes and anvil of a devnet'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -f -a "rpc-proxy" -d 'TLS terminator in front of anvil, started by `devnet up --tls` (internal)'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -f -a "odyn" -d 'A test Odyn (protocol.md §3.2), started by `devnet up --odyn-nodes` (internal)'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and not __fish_seen_subcommand_from up down rpc-proxy odyn help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l nodes -d 'Number of KMS nodes' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l dir -d 'Directory for keystores, configs, data and logs' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l timeout -d 'Seconds to wait for the nodes to become ready' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l apps -d 'Number of registered app identities (own wallet and teePubkey each), spread over up to 3 app ids: identity i is an instance of app 1000 + (i mod 3)' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l odyn-nodes -d 'The last K nodes hold their identity in a test Odyn process each (identity = "odyn", odyn_url in their configs; wallet and teePubkey registered as Odyn reports them)' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -l tls -d 'HTTPS only: a private CA in DIR/tls, nodes on https URLs, chain RPC behind a TLS terminator, ca_file in every generated config'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l dir -d 'Directory of the devnet' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from down" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l listen -d 'Address to listen on (ignored when a listening socket is handed over, as `devnet up` does: `LISTEN_PID` / `LISTEN_FDS`)' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l upstream -d 'Plain-TCP upstream (anvil), host:port' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l cert -d 'Certificate chain (PEM)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l key -d 'Private key (PEM)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from rpc-proxy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l listen -d 'Address to listen on (ignored when a listening socket is handed over, as `devnet up` does: `LISTEN_PID` / `LISTEN_FDS`). With port 0 the bound URL is the first line printed on stdout' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l key-file -d 'Key file (wallet + P-384 key, JSON, created 0600 when missing): the same file keeps the enclave identity across restarts [default: fresh keys, lost on exit]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from odyn" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from help" -f -a "up" -d 'Start anvil, deploy the contracts, register and start N nodes'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from help" -f -a "down" -d 'Stop the nodes and anvil of a devnet'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from help" -f -a "rpc-proxy" -d 'TLS terminator in front of anvil, started by `devnet up --tls` (internal)'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from help" -f -a "odyn" -d 'A test Odyn (protocol.md §3.2), started by `devnet up --odyn-nodes` (internal)'
complete -c novakms -n "__fish_novakms_using_subcommand devnet; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand bench" -s c -l concurrency -d 'Concurrent clients (one request in flight each)' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l duration -d 'Run time, e.g. 10s, 500ms, 2m (default 10s; conflicts with --ops)' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l ops -d 'Stop after this many operations (successes + failures)' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l value-size -d 'Plaintext value size of PUTs in bytes' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l keys -d 'Key-space size: keys are <key-prefix><i> with i uniform in 0..KEYS' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l read-ratio -d 'Fraction of GETs in the mixed workload (0..=1)' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l node -d 'Target node URL (repeatable; clients round-robin over them) [default: addr from the config]' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l devnet -d 'Take apps, nodes and chain settings from this devnet directory (its devnet.json)' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l app-config -d 'App config file (keystore, password_file; repeatable) [default: the global --config]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l apps -d 'Use only the first K app identities available' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l seed -d 'Seed of the key choice, op mix and values' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l key-prefix -d 'Key and derive-path prefix' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l timeout -d 'Per-request timeout in seconds' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l nodes -d 'Which of the nodes (the devnet\'s, or the --node URLs) take the load: `all`, or the first K; the others still serve the visibility probe' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l visibility-every -d 'Pause between write-to-visible samples (PUT on one node, GET on every other node until the value shows) when the run knows two or more nodes' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l config -d 'TOML configuration file' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand bench" -s o -l output -d 'Output format for results on stdout' -r -f -a "text\t'Human-readable text'
json\t'One JSON document on stdout'"
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l log-format -d 'Log format on stderr (filter with NOVAKMS_LOG)' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l rpc-url -d 'Chain JSON-RPC URL (config key rpc_url) [env: NOVAKMS_RPC_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l nova-app-registry -d 'NovaAppRegistry address (config key nova_app_registry) [env: NOVAKMS_NOVA_APP_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l kms-registry -d 'KMSRegistry address (config key kms_registry) [env: NOVAKMS_KMS_REGISTRY]' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l kms-app-id -d 'KMS app id in NovaAppRegistry (config key kms_app_id) [env: NOVAKMS_KMS_APP_ID]' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l identity -d 'Identity backend: keystore or odyn (config key identity) [env: NOVAKMS_IDENTITY]' -r -f -a "keystore\t'An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally'
odyn\t'The enclave\'s Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it'"
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l odyn-url -d 'Odyn API URL for identity = odyn (config key odyn_url) [env: NOVAKMS_ODYN_URL]' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l keystore -d 'V3 keystore file of this node or app (config key keystore) [env: NOVAKMS_KEYSTORE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l password-file -d 'File holding the keystore password (config key password_file) [env: NOVAKMS_PASSWORD_FILE]' -r -F
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l addr -d 'Node URL for client commands (config key addr) [env: NOVAKMS_ADDR]' -r
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l warmup -d 'Before get/mixed: write every key of each app namespace once (not measured)'
complete -c novakms -n "__fish_novakms_using_subcommand bench" -s q -l quiet -d 'No progress line on stderr (it is also hidden when stderr is not a terminal)'
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l fresh-apps -d 'Each operation acts as a new app identity, registered on the devnet chain before the run (the cold envelope path); needs --devnet and --ops (at most 5000)'
complete -c novakms -n "__fish_novakms_using_subcommand bench" -l no-visibility -d 'No write-to-visible probe'
complete -c novakms -n "__fish_novakms_using_subcommand bench" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "serve" -d 'Run a KMS node: app API, node tick, durable storage'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "identity" -d 'Create or show a node/app identity (wallet + teePubkey)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "store" -d 'Act as a Nova app against a node: put/get/delete/list values'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "derive" -d 'Act as a Nova app: derive a key (POST /kms/derive)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "health" -d 'Check a node\'s liveness and readiness (exit 0 ready, 4 not ready, 3 unreachable)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "registry" -d 'Inspect the cluster on chain: members, masterSecretHash, node consistency'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "cluster" -d 'The cluster at a glance: every node\'s readiness and lag (status), data agreement (check)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "completions" -d 'Print shell completions (or write all of them with --out-dir)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "man" -d 'Write man pages (one per subcommand)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "sync" -d 'Make a running node pull a snapshot from a named peer now (admin socket)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "backup" -d 'Snapshots of a node\'s database: create (online or offline), inspect, verify'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "restore" -d 'Restore a verified snapshot into a stopped node\'s data dir (atomic swap)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "devnet" -d 'Run a local cluster: anvil, deployed contracts, registered nodes'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "bench" -d 'Load-test nodes as registered apps: throughput and latency of put/get/mixed/derive'
complete -c novakms -n "__fish_novakms_using_subcommand help; and not __fish_seen_subcommand_from serve identity store derive health registry cluster completions man sync backup restore devnet bench help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from identity" -f -a "new" -d 'Create a new identity: an encrypted V3 keystore (mode 0600)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from identity" -f -a "show" -d 'Print the wallet address and teePubkey (hex DER SPKI) to register'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "put" -d 'Store a value (from the argument, --file, or stdin)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "get" -d 'Print a value (raw bytes to stdout; base64 inside JSON with -o json)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "delete" -d 'Delete a key (writes a tombstone)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "list" -d 'List the live keys of this app\'s namespace'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "members" -d 'KMS membership from NovaAppRegistry (every instance KMSRegistry lists, plus every ACTIVE one)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "hash" -d 'masterSecretHash (or "unset"), KMS app id and contract addresses'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from registry" -f -a "check" -d 'Compare what a node reports (/status) with the chain; exit 0 consistent, 4 not'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "status" -d 'Every registered instance with its node\'s readiness, data counts and replication lag'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from cluster" -f -a "check" -d 'Prove convergence: compare per-app digests of all nodes (via the local admin socket)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "create" -d 'Write a snapshot: online from the running node, or offline from --data-dir'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "inspect" -d 'Print a snapshot\'s manifest without reading its data (not verified)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from backup" -f -a "verify" -d 'Check a snapshot completely: digest, signature, structure, counts (exit 5 on failure)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from devnet" -f -a "up" -d 'Start anvil, deploy the contracts, register and start N nodes'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from devnet" -f -a "down" -d 'Stop the nodes and anvil of a devnet'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from devnet" -f -a "rpc-proxy" -d 'TLS terminator in front of anvil, started by `devnet up --tls` (internal)'
complete -c novakms -n "__fish_novakms_using_subcommand help; and __fish_seen_subcommand_from devnet" -f -a "odyn" -d 'A test Odyn (protocol.md §3.2), started by `devnet up --odyn-nodes` (internal)'
