//! Issue 11 item 1, TLS for every outbound call, against a real devnet (anvil, registries,
//! `novakms serve` processes on 127.0.0.1), with a private CA made by the test (rcgen) given
//! through `ca_file`:
//!
//! * [`https_peers_replicate_and_the_cli_trusts_ca_file`]: two nodes registered with `https`
//!   URLs and serving TLS join a plain-HTTP node, obtain the master secret and replicate a
//!   write between themselves (peer `/status`, `/nonce`, `/sync` over TLS); `store put/get` and
//!   `health` reach them with `ca_file`; with another CA's file, `health` fails with a message
//!   about the certificate and exit code 3 (Remote);
//! * [`chain_rpc_over_https_through_a_tls_terminator`]: a TLS terminator (tokio-rustls) in front
//!   of anvil; `registry hash` over `https://` gives the same answer as over `http://`, a wrong
//!   CA gives exit 3 naming the certificate, and a node whose only RPC URL is the terminator
//!   gets ready and serves an app.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use common::process::spawn_serve;
use common::tls::{wait_ready_with, Terminator, TestCa};
use common::wait::{eventually_blocking, rt, wait_ready_async};
use common::{exe, Devnet};

/// `novakms --config <config> <args>` with `NOVAKMS_CA_FILE=<ca_file>`.
fn cli_with_ca(config: &Path, ca_file: &Path, args: &[&str]) -> Output {
    std::process::Command::new(exe())
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("NOVAKMS_CONFIG")
        .env("NOVAKMS_CA_FILE", ca_file)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "command failed ({:?}): {}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn https_peers_replicate_and_the_cli_trusts_ca_file() {
    let d = Devnet::up(1);
    let rt = rt();
    let ca = TestCa::new("novakms test CA");
    let ca_file = ca.write(d.path(), "ca.pem");
    // The plain node trusts the CA too (it pushes to the TLS nodes).
    d.signal_node(0, libc::SIGTERM);
    d.restart_node(0, &[("NOVAKMS_CA_FILE", ca_file.to_str().unwrap())]);

    let mut procs = Vec::new();
    let mut urls = Vec::new();
    for name in ["tls-a", "tls-b"] {
        let n = d.add_node_at(&rt, name, "https");
        let leaf = ca.leaf(d.path(), name);
        let mut cfg = std::fs::read_to_string(&n.config).unwrap();
        cfg.push_str(&format!(
            "tls_cert_file = {:?}\ntls_key_file = {:?}\nca_file = {:?}\n",
            leaf.cert_file.display().to_string(),
            leaf.key_file.display().to_string(),
            ca_file.display().to_string(),
        ));
        std::fs::write(&n.config, cfg).unwrap();
        procs.push(spawn_serve(
            &n.config,
            &d.path().join(format!("{name}.log")),
        ));
        urls.push(n.url.clone());
    }
    assert!(urls.iter().all(|u| u.starts_with("https://")));
    let https = ca.client();
    rt.block_on(async {
        for u in &urls {
            wait_ready_with(&https, u).await;
        }
    });

    // Write through A, read through B: replicated over TLS between the two.
    let app = d.app_config();
    stdout(&cli_with_ca(
        &app,
        &ca_file,
        &["--addr", &urls[0], "store", "put", "over-tls", "hello"],
    ));
    eventually_blocking("B has the write made on A", Duration::from_secs(30), || {
        let o = cli_with_ca(
            &app,
            &ca_file,
            &["--addr", &urls[1], "store", "get", "over-tls"],
        );
        o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "hello"
    });
    stdout(&cli_with_ca(
        &app,
        &ca_file,
        &["--addr", &urls[1], "health"],
    ));

    // Another CA's certificate file: a clear certificate error, exit 3 (Remote).
    let other = TestCa::new("some other CA").write(d.path(), "other-ca.pem");
    let o = cli_with_ca(&app, &other, &["--addr", &urls[1], "health"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("certificate"), "{err}");
    assert!(err.contains("ca_file"), "{err}");
    println!("wrong CA, health: {}", err.trim());
    drop(procs);
}

#[test]
fn chain_rpc_over_https_through_a_tls_terminator() {
    let d = Devnet::up(1);
    let rt = rt();
    let ca = TestCa::new("novakms test CA");
    let ca_file = ca.write(d.path(), "ca.pem");
    let leaf = ca.leaf(d.path(), "rpc");
    let anvil = url::Url::parse(&d.info.rpc_url).unwrap().port().unwrap();
    let app = d.app_config();
    let plain = stdout(&cli_with_ca(&app, &ca_file, &["registry", "hash"]));
    rt.block_on(async {
        let term = Terminator::start(&leaf, anvil).await;
        let rpc = format!("https://127.0.0.1:{}", term.port);
        let run = |ca: std::path::PathBuf, args: Vec<String>| {
            let app = app.clone();
            tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                cli_with_ca(&app, &ca, &args)
            })
        };
        let args = vec![
            "--rpc-url".to_string(),
            rpc.clone(),
            "registry".into(),
            "hash".into(),
        ];
        let over_tls = run(ca_file.clone(), args.clone()).await.unwrap();
        assert_eq!(stdout(&over_tls), plain, "registry hash over https");
        assert!(term.sessions() >= 1);

        // A wrong CA: certificate error, exit 3.
        let other = TestCa::new("some other CA").write(d.path(), "other-ca.pem");
        let o = run(other, args).await.unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "{err}");
        assert!(err.contains("certificate"), "{err}");
        println!("wrong CA, registry hash: {}", err.trim());

        // A node whose only chain RPC is the terminator.
        let before = term.sessions();
        let node0 = d.node(0).url.clone();
        let pid = d.node_pid(0);
        tokio::task::spawn_blocking(move || {
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
            common::process::wait_gone(pid, Duration::from_secs(20));
        })
        .await
        .unwrap();
        d.spawn_node(
            0,
            &[
                ("NOVAKMS_RPC_URL", rpc.as_str()),
                ("NOVAKMS_CA_FILE", ca_file.to_str().unwrap()),
            ],
        );
        wait_ready_async(&node0, Duration::from_secs(60))
            .await
            .unwrap();
        assert!(
            term.sessions() > before,
            "the node reached the chain through TLS"
        );
        let c = d.app_client(0);
        c.put("via-https-rpc", b"v", 0).await.unwrap();
        assert_eq!(c.get("via-https-rpc").await.unwrap().unwrap().0, b"v");
    });
}
