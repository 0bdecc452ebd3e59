//! Issue 10 "Restore trust and freshness" and issue 14 "online-backup exits 3 and 8", through
//! the real binary on real redb files and real devnets:
//!
//! * a snapshot re-signed by a key nothing vouches for is refused without `--signer` (no
//!   registries configured, or `--no-chain-check`); `--signer` of that key is the operator's
//!   explicit trust; edited records under the original signature fail the SHA-256 digest;
//! * a snapshot older than `tombstone_retention_ms` is refused without `--force`;
//! * a 3-node devnet: a key deleted after the backup, whose tombstones every node purged, stays
//!   deleted on every node after node 1 is restored from that backup and rejoins;
//! * a 1-node devnet: with no live peer the restored node serves its backup as is after
//!   `restore_rejoin_timeout_seconds` (full-cluster recovery), and says so in `/status`;
//!   online backup exits 3 when the node breaks the stream off and 8 when the admin socket
//!   refuses the caller.

mod common;

use common::keyed::{expect_code, stderr, KeyedNode};

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::exe;
use common::wait::{eventually_blocking as eventually, rt as runtime};
use novakms::identity::Identity;
use novakms::storage::backup::testing::rewrite_records;
use novakms::storage::{ClusterBinding, RedbStorage, Storage};
use novakms::store::{Limits, Record, VectorClock};

const PASSWORD: &str = "restore trust test password";
const REGISTRY_A: &str = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const REGISTRY_B: &str = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn record(key: &str, value: Vec<u8>, counter: u64) -> Record {
    Record {
        key: key.into(),
        value,
        version: VectorClock::from([("0x00000000000000000000000000000000000000a1", counter)]),
        updated_at_ms: 1_700_000_000_000 + counter,
        tombstone: false,
        ttl_ms: 0,
    }
}

/// A database in `dir` with app 1000 holding `key/a` and `key/b` (distinct 40-byte values)
/// and app 1001 holding `other`, bound to the test cluster.
fn populate(dir: &Path, node: &Identity) {
    let st = RedbStorage::open(dir).unwrap();
    st.set_binding(&ClusterBinding {
        chain_id: 31337,
        nova_app_registry: REGISTRY_A.into(),
        kms_registry: REGISTRY_B.into(),
        kms_app_id: 49,
        node_wallet: node.address(),
    })
    .unwrap();
    let l = Limits::default();
    st.merge_remote(
        1000,
        vec![
            record("key/a", vec![0xaa; 40], 1),
            record("key/b", vec![0xbb; 40], 1),
        ],
        &l,
    )
    .unwrap();
    st.merge_remote(1001, vec![record("other", vec![0xcc; 40], 1)], &l)
        .unwrap();
}

fn value_of(dir: &Path, app: u64, key: &str) -> Option<Record> {
    RedbStorage::open(dir).unwrap().get(app, key).unwrap()
}

#[test]
fn restore_requires_a_vouched_signer_and_detects_edited_records() {
    let t = tempfile::tempdir().unwrap();
    let node = KeyedNode::new(t.path(), "node", PASSWORD);
    let data = t.path().join("data");
    populate(&data, &node.id);
    let snap = t.path().join("good.nksnap");
    common::ok_stdout(&node.cli(&["backup", "create", s(&snap), "--data-dir", s(&data)]));
    let good = std::fs::read(&snap).unwrap();
    let node_addr = node.id.address();

    // The genuine snapshot, no registries configured: --signer names the node that made it.
    let target = t.path().join("t-genuine");
    let out = node.cli(&["restore", s(&snap), "--data-dir", s(&target)]);
    expect_code(&out, 7, "no chain, no --signer");
    assert!(
        stderr(&out).contains(&format!(
            "nothing vouches for the snapshot's signer {node_addr}: no registries are configured"
        )),
        "{}",
        stderr(&out)
    );
    assert!(!target.exists(), "a refused restore creates nothing");
    common::ok_stdout(&node.cli(&[
        "restore",
        s(&snap),
        "--data-dir",
        s(&target),
        "--signer",
        &node_addr,
    ]));
    assert_eq!(
        value_of(&target, 1000, "key/a").unwrap().value,
        vec![0xaa; 40]
    );

    // A forger swaps the ciphertexts of two keys and bumps a counter. Under the node's
    // signature (original trailer) the SHA-256 digest no longer matches: 5, whatever the flags.
    let swap = |recs: &mut Vec<(u64, Record)>| {
        let a = recs.iter().position(|(_, r)| r.key == "key/a").unwrap();
        let b = recs.iter().position(|(_, r)| r.key == "key/b").unwrap();
        let va = recs[a].1.value.clone();
        recs[a].1.value = recs[b].1.value.clone();
        recs[b].1.value = va;
        recs[a].1.version = VectorClock::from([("0x00000000000000000000000000000000000000a1", 99)]);
    };
    let edited = t.path().join("edited.nksnap");
    std::fs::write(&edited, rewrite_records(&good, None, swap, |_| {})).unwrap();
    let out = node.cli(&["backup", "verify", s(&edited)]);
    expect_code(&out, 5, "edited records under the original signature");
    assert!(
        stderr(&out).contains("SHA-256 digest mismatch"),
        "{}",
        stderr(&out)
    );
    let out = node.cli(&[
        "restore",
        s(&edited),
        "--data-dir",
        s(&t.path().join("t-edited")),
        "--signer",
        &node_addr,
        "--force",
    ]);
    expect_code(&out, 5, "restore of edited records");

    // Re-signed by the forger's own key (naming it as the signer): a valid file...
    let mallory = Identity::generate();
    let m_addr = mallory.address();
    let forged = t.path().join("forged.nksnap");
    std::fs::write(
        &forged,
        rewrite_records(&good, Some(&mallory), swap, |m| {
            m.node_wallet = m_addr.clone()
        }),
    )
    .unwrap();
    common::ok_stdout(&node.cli(&["backup", "verify", s(&forged)]));
    // ... refused without --signer, with no registries configured (before: restored, exit 0),
    let tf = t.path().join("t-forged");
    let out = node.cli(&["restore", s(&forged), "--data-dir", s(&tf)]);
    expect_code(&out, 7, "forged, no chain, no --signer");
    assert!(
        stderr(&out).contains(&format!("pass --signer {m_addr}")),
        "{}",
        stderr(&out)
    );
    // ... and with --no-chain-check (the registries configured),
    let out = node.cli(&[
        "--nova-app-registry",
        REGISTRY_A,
        "--kms-registry",
        REGISTRY_B,
        "restore",
        s(&forged),
        "--data-dir",
        s(&tf),
        "--no-chain-check",
    ]);
    expect_code(&out, 7, "forged, --no-chain-check, no --signer");
    assert!(
        stderr(&out).contains("--no-chain-check skips the chain lookup"),
        "{}",
        stderr(&out)
    );
    // ... and when --signer names the node the operator expects.
    let out = node.cli(&[
        "restore",
        s(&forged),
        "--data-dir",
        s(&tf),
        "--signer",
        &node_addr,
    ]);
    expect_code(&out, 5, "forged, --signer of the real node");
    assert!(!tf.exists(), "refused restores create nothing");
    // --signer naming the forger's key is the operator vouching for it: restored as signed.
    common::ok_stdout(&node.cli(&[
        "restore",
        s(&forged),
        "--data-dir",
        s(&tf),
        "--signer",
        &m_addr,
    ]));
    assert_eq!(value_of(&tf, 1000, "key/a").unwrap().value, vec![0xbb; 40]);
    // --force without --signer: restored, with the reason as a loud warning.
    let tforce = t.path().join("t-force");
    let out = node.cli(&["restore", s(&forged), "--data-dir", s(&tforce), "--force"]);
    common::ok_stdout(&out);
    assert!(
        stderr(&out).contains("--force: nothing vouches for the snapshot's signer"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn stale_snapshot_is_refused_without_force() {
    let t = tempfile::tempdir().unwrap();
    let node = KeyedNode::new(t.path(), "node", PASSWORD);
    let data = t.path().join("data");
    populate(&data, &node.id);
    let snap = t.path().join("s.nksnap");
    common::ok_stdout(&node.cli(&["backup", "create", s(&snap), "--data-dir", s(&data)]));
    let addr = node.id.address();
    // Retention of 1 ms: the snapshot (taken before this line) is older than that.
    let short = [("NOVAKMS_TOMBSTONE_RETENTION_MS", "1")];
    let target = t.path().join("t");
    let args = [
        "restore",
        s(&snap),
        "--data-dir",
        s(&target),
        "--signer",
        &addr,
    ];
    let out = node.cli_env(&short, &args);
    expect_code(&out, 7, "stale snapshot");
    assert!(
        stderr(&out).contains("longer ago than tombstone_retention_ms"),
        "{}",
        stderr(&out)
    );
    assert!(!target.exists());
    // Tombstones kept forever (retention 0): no age limit.
    common::ok_stdout(&node.cli_env(&[("NOVAKMS_TOMBSTONE_RETENTION_MS", "0")], &args));
    std::fs::remove_dir_all(&target).unwrap();
    // --force: restored, warned.
    let mut forced = args.to_vec();
    forced.push("--force");
    let out = node.cli_env(&short, &forced);
    common::ok_stdout(&out);
    assert!(
        stderr(&out).contains("--force: the snapshot was taken at"),
        "{}",
        stderr(&out)
    );
    assert!(value_of(&target, 1001, "other").is_some());
}

// ---------------------------------------------------------------------------------------------
// Devnets.

/// The value of the Prometheus sample `name{label="value"}` in `text`, 0 when absent.
fn sample(text: &str, name: &str, label: &str, value: &str) -> u64 {
    let prefix = format!("{name}{{{label}=\"{value}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().parse::<f64>().unwrap() as u64)
        // Missing (per-app metrics off, or no such app): never reads as "0 left".
        .unwrap_or(u64::MAX)
}

fn metrics(url: &str) -> String {
    let http = novakms::tls::client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    runtime().block_on(common::http::metrics_text(&http, url))
}

fn restore_state(url: &str) -> serde_json::Value {
    runtime().block_on(common::http::status(url))["restore"].clone()
}

/// `novakms --config CFG <args>` with extra environment.
fn with_config_env(config: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(exe());
    c.arg("--config")
        .arg(config)
        .args(args)
        .env_remove("NOVAKMS_CONFIG")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn restored_older_backup_does_not_resurrect_a_purged_delete() {
    let d = common::Devnet::up(3);
    let rt = runtime();
    let app_id = d.info.apps[0].app_id.to_string();
    // Short tombstone retention and purge period on every node.
    // Anti-entropy every 2 s: pulls must not bring a purged tombstone back either
    // (`node::ingest` skips a tombstone past retention for a key the node does not hold).
    let env = [
        ("NOVAKMS_TOMBSTONE_RETENTION_MS", "2000"),
        ("NOVAKMS_PURGE_INTERVAL_SECONDS", "1"),
        ("NOVAKMS_ANTI_ENTROPY_INTERVAL_SECONDS", "2"),
        // The tombstone counts below are per-app series (opt-in since issue 10).
        ("NOVAKMS_PER_APP_METRICS", "true"),
    ];
    for i in 0..3 {
        d.signal_node(i, libc::SIGTERM);
        d.restart_node(i, &env);
    }
    let urls: Vec<String> = (0..3).map(|i| d.node(i).url.clone()).collect();
    let c1 = d.app_client(0);
    rt.block_on(async {
        c1.put("k1", b"one", 0).await.unwrap();
        c1.put("k2", b"two", 0).await.unwrap();
    });
    let clients: Vec<_> = (0..3).map(|i| d.app_client(i)).collect();
    // A failed call (node restarting) counts as "absent"; callers wait on presence.
    let has = |i: usize, k: &str| rt.block_on(clients[i].get(k)).ok().flatten().is_some();
    eventually("k1, k2 on every node", Duration::from_secs(60), || {
        (0..3).all(|i| has(i, "k1") && has(i, "k2"))
    });

    // Backup of node 1, then k2 is deleted through node 2 and its tombstones purged everywhere.
    let snap = d.path().join("node-1.nksnap");
    let cfg1 = d.node(0).config.clone();
    common::ok_stdout(&with_config_env(
        &cfg1,
        &env,
        &["backup", "create", s(&snap)],
    ));
    assert!(rt.block_on(clients[1].delete("k2")).unwrap());
    eventually("k2 deleted on every node", Duration::from_secs(60), || {
        (0..3).all(|i| !has(i, "k2"))
    });
    eventually(
        "tombstones purged on every node",
        Duration::from_secs(60),
        || {
            let left: Vec<u64> = urls
                .iter()
                .map(|u| sample(&metrics(u), "novakms_app_tombstones", "app_id", &app_id))
                .collect();
            println!("tombstones left per node: {left:?}");
            left.iter().all(|&n| n == 0)
        },
    );

    // Node 1 is lost: its data dir wiped, the older backup restored into it.
    d.signal_node(0, libc::SIGTERM);
    let data1 = d.node(0).data_dir.clone();
    std::fs::remove_dir_all(&data1).unwrap();
    let out = with_config_env(&cfg1, &env, &["restore", s(&snap), "--data-dir", s(&data1)]);
    expect_code(&out, 7, "backup older than the tombstone retention");
    assert!(
        stderr(&out).contains("tombstone_retention_ms"),
        "{}",
        stderr(&out)
    );
    common::ok_stdout(&with_config_env(
        &cfg1,
        &env,
        &["restore", s(&snap), "--data-dir", s(&data1), "--force"],
    ));
    assert!(
        value_of(&data1, d.info.apps[0].app_id, "k2").is_some(),
        "the backup holds k2"
    );

    d.restart_node(0, &env);
    eventually(
        "node 1 reconciled with its peers",
        Duration::from_secs(120),
        || restore_state(&urls[0])["state"] == "reconciled",
    );
    let st = restore_state(&urls[0]);
    assert_eq!(st["peers"], 2, "{st}");
    assert_eq!(st["dropped"], 1, "{st}");
    // Replication settled: node 1 has nothing left to offer either peer.
    let peers: Vec<String> = (1..3).map(|i| d.node(i).wallet.clone()).collect();
    eventually("node 1 pushed everything", Duration::from_secs(60), || {
        let m = metrics(&urls[0]);
        peers.iter().all(|p| {
            m.contains(&format!(
                "novakms_replication_lag_records{{peer=\"{p}\"}} 0"
            ))
        })
    });
    for (i, c) in clients.iter().enumerate() {
        let k2 = rt.block_on(c.get("k2")).unwrap();
        assert!(k2.is_none(), "k2 came back on node {}", i + 1);
        let k1 = rt.block_on(c.get("k1")).unwrap().expect("k1");
        assert_eq!(k1.0, b"one", "k1 on node {}", i + 1);
    }
    // And the restored node's log says what it did.
    let log = std::fs::read_to_string(&d.node(0).log).unwrap();
    assert!(
        log.contains("rejoined after the restore"),
        "node log lacks the rejoin line"
    );
}

#[test]
fn full_cluster_recovery_and_online_backup_exit_codes() {
    let d = common::Devnet::up(1);
    let rt = runtime();
    let c = d.app_client(0);
    rt.block_on(c.put("kept", b"v", 0)).unwrap();
    let url = d.node(0).url.clone();
    let cfg = d.node(0).config.clone();
    let data = d.node(0).data_dir.clone();
    let socket = data.join("admin.sock");

    // Exit 8: the admin socket refuses the caller (another user).
    let out = online_backup_as_other_user(&socket);
    expect_code(&out, 8, "admin socket permission denied");
    assert!(
        stderr(&out).to_lowercase().contains("permission denied"),
        "{}",
        stderr(&out)
    );

    // Full-cluster recovery: the only node restored, no peer to reconcile with.
    let snap = d.path().join("one.nksnap");
    common::ok_stdout(&with_config_env(&cfg, &[], &["backup", "create", s(&snap)]));
    d.signal_node(0, libc::SIGTERM);
    std::fs::remove_dir_all(&data).unwrap();
    common::ok_stdout(&with_config_env(
        &cfg,
        &[],
        &["restore", s(&snap), "--data-dir", s(&data)],
    ));
    d.restart_node(0, &[("NOVAKMS_RESTORE_REJOIN_TIMEOUT_SECONDS", "2")]);
    eventually(
        "served as is after the bounded wait",
        Duration::from_secs(60),
        || restore_state(&url)["state"] == "served_as_is",
    );
    assert_eq!(rt.block_on(c.get("kept")).unwrap().unwrap().0, b"v");
    let log = std::fs::read_to_string(&d.node(0).log).unwrap();
    assert!(
        log.contains("full-cluster recovery"),
        "node log lacks the warning"
    );

    // Exit 3: the node breaks the stream off. A database large enough that the stream cannot
    // sit in buffers (~96 MB over 12 apps), written while the node is stopped; the CLI writes
    // to a pipe this test stops reading, so the node is still sending when it is killed.
    d.signal_node(0, libc::SIGTERM);
    {
        let st = RedbStorage::open(&data).unwrap();
        let limits = Limits {
            max_app_storage_bytes: u64::MAX,
            ..Limits::default()
        };
        for app in 3000..3012u64 {
            let batch: Vec<Record> = (0..8000)
                .map(|i| record(&format!("bulk-{i:05}"), vec![7u8; 1000], 1))
                .collect();
            st.merge_remote(app, batch, &limits).unwrap();
        }
    }
    d.restart_node(0, &[]);
    let mut child = Command::new(exe())
        .args(["--config", s(&cfg), "backup", "create", "-"])
        .env_remove("NOVAKMS_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = vec![0u8; 64 * 1024];
    stdout.read_exact(&mut first).unwrap(); // the stream is flowing
    d.signal_node(0, libc::SIGKILL);
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    expect_code(&out, 3, "node killed during an online backup");
    assert!(stderr(&out).contains("broke off"), "{}", stderr(&out));
    assert!(
        ((first.len() + rest.len()) as u64) < 90_000_000,
        "the stream was cut short"
    );
}

/// `backup create - --admin-socket SOCKET` as a user the socket refuses: as root, the CLI runs
/// as `nobody` (the data dir is 0700); otherwise the socket is made mode 000 for the call.
fn online_backup_as_other_user(socket: &Path) -> Output {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let mut c = Command::new(exe());
    c.args(["backup", "create", "-", "--admin-socket", s(socket)])
        .env_remove("NOVAKMS_CONFIG")
        .current_dir("/");
    if unsafe { libc::geteuid() } == 0 {
        c.uid(65534).gid(65534);
        return c.output().unwrap();
    }
    let before = std::fs::metadata(socket).unwrap().permissions();
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = c.output().unwrap();
    std::fs::set_permissions(socket, before).unwrap();
    out
}
