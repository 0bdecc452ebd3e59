//! `novakms sync --from` against a real 2-node devnet (anvil + contracts + two `serve`
//! processes): replication between the processes, the admin socket, the command's output and
//! exit codes.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{exe, ok_stdout, Devnet};
use serde_json::Value;

fn sync_cmd(d: &Devnet, node: usize, args: &[&str]) -> std::process::Output {
    Command::new(exe())
        .arg("sync")
        .arg("--data-dir")
        .arg(&d.node(node).data_dir)
        .args(args)
        .env_remove("NOVAKMS_CONFIG")
        .env("NO_COLOR", "1")
        .output()
        .expect("run novakms sync")
}

#[test]
fn sync_from_a_peer_and_replication_between_processes() {
    let d = Devnet::up(2);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // The admin socket exists, private to the node's user.
    let sock = d.node(1).data_dir.join("admin.sock");
    let mode = std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // Writes on node 0 reach node 1 through the replicator.
    rt.block_on(async {
        let c0 = d.app_client(0);
        for i in 0..20 {
            c0.put(&format!("cli-sync-{i}"), format!("v{i}").as_bytes(), 0)
                .await
                .unwrap();
        }
        let c1 = d.app_client(1);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut all = true;
            for i in 0..20 {
                if c1.get(&format!("cli-sync-{i}")).await.unwrap().is_none() {
                    all = false;
                    break;
                }
            }
            if all {
                break;
            }
            assert!(Instant::now() < deadline, "records not replicated in time");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(
            c1.get("cli-sync-7").await.unwrap().unwrap().0,
            b"v7".to_vec()
        );
    });

    // sync --from node 0 (by URL) into node 1: everything is already there.
    let out = sync_cmd(&d, 1, &["--from", &d.node(0).url, "-o", "json"]);
    let v: Value = serde_json::from_str(&ok_stdout(&out)).unwrap();
    let total = v["total"].as_u64().unwrap();
    assert!(total >= 20, "{v}");
    assert_eq!(v["merged"].as_u64().unwrap(), 0, "{v}");
    assert_eq!(v["skipped"].as_u64().unwrap(), total, "{v}");
    assert_eq!(v["rejected"].as_u64().unwrap(), 0, "{v}");
    assert_eq!(v["peer"], d.node(0).url.trim_end_matches('/'));
    assert_eq!(v["peer_wallet"], d.node(0).wallet);

    // By wallet, text output.
    let out = sync_cmd(&d, 1, &["--from", &d.node(0).wallet]);
    let text = ok_stdout(&out);
    assert!(
        text.starts_with(&format!("pulled {total} records from ")),
        "{text}"
    );
    assert!(text.contains("0 merged"), "{text}");

    // Unknown peer: exit 1; node itself: exit 1.
    let out = sync_cmd(&d, 1, &["--from", "http://127.0.0.1:1"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a KMS member"));
    let out = sync_cmd(&d, 1, &["--from", &d.node(1).url]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");

    // A stopped node: its socket is gone and the command says so with exit 4.
    d.signal_node(1, libc::SIGTERM);
    assert!(!sock.exists(), "admin socket removed at shutdown");
    let out = sync_cmd(&d, 1, &["--from", &d.node(0).url]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no running node with data dir"));

    // Restarted, it catches up on what was written meanwhile (push on reconnect or pull).
    rt.block_on(async {
        d.app_client(0).put("while-down", b"w", 0).await.unwrap();
    });
    d.restart_node(1, &[]);
    rt.block_on(async {
        let c1 = d.app_client(1);
        let deadline = Instant::now() + Duration::from_secs(30);
        while c1.get("while-down").await.unwrap().is_none() {
            assert!(
                Instant::now() < deadline,
                "record written while down not replicated"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
}
