//! A 3-node devnet with one node on `identity = "odyn"` (issue 11 item 2): a test Odyn
//! (`novakms::devnet_odyn`, in this process) holds that node's wallet and P-384 key; two
//! keystore nodes from `devnet up`. Real anvil, real contracts, real `novakms serve` processes.
//!
//! Covered: the Odyn node obtains the master secret from peers; an app stores through the
//! Odyn node and reads through a keystore node and the reverse; per app request the node makes
//! exactly one decrypt (request with a body), one encrypt and one sign Odyn call; a restart
//! inside the same enclave keeps data and secret (sealed through Odyn, re-sealed); a new
//! enclave identity (new Odyn keys, registered anew) discards the sealed copy, re-syncs the
//! secret and keeps the records; with the on-chain hash reset while the keystore nodes are
//! stopped, the Odyn node bootstraps a new secret through `/v1/random` and `/v1/eth/sign-tx`
//! and the chain holds its hash; the app side on Odyn identity (`store put/get`).

mod common;

use std::time::Duration;

use common::devnet::Devnet;
use common::http::status;
use common::process::spawn_serve;
use common::wait::{eventually, rt, wait_ready};
use novakms::client::app::AppClient;
use novakms::devnet_odyn::{OdynKeys, TestOdyn};

const QUIET: &str = "anti_entropy_interval_seconds = 0\n";

fn odyn_on(rt: &tokio::runtime::Runtime) -> TestOdyn {
    rt.block_on(async {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        TestOdyn::start_on(l, OdynKeys::generate(), None)
            .await
            .unwrap()
    })
}

fn counts(o: &TestOdyn) -> [u64; 3] {
    [o.served("decrypt"), o.served("encrypt"), o.served("sign")]
}

fn delta(before: [u64; 3], after: [u64; 3]) -> [u64; 3] {
    [
        after[0] - before[0],
        after[1] - before[1],
        after[2] - before[2],
    ]
}

/// Every count of `got` is at least the one of `want`.
fn covers(got: [u64; 3], want: [u64; 3]) -> bool {
    got.iter().zip(want).all(|(g, w)| *g >= w)
}

#[test]
fn odyn_node_in_a_keystore_cluster() {
    let d = Devnet::up_env(2, &[], &[("NOVAKMS_ANTI_ENTROPY_INTERVAL_SECONDS", "0")]);
    let rt = rt();
    let odyn = odyn_on(&rt);
    let (config, url, _data, iid) = d.add_odyn_node(
        &rt,
        "odyn-1",
        &odyn.url(),
        &odyn.address(),
        &odyn.tee_pubkey_der(),
        None,
    );
    std::fs::write(&config, std::fs::read_to_string(&config).unwrap() + QUIET).unwrap();
    let mut p = spawn_serve(&config, &d.path().join("odyn-1.log"));
    wait_ready(&url, Duration::from_secs(60));
    let app = d.identity(&d.info.apps[0].keystore);
    let via_odyn = |o: &TestOdyn, url: &str| {
        AppClient::new(
            url,
            app.clone(),
            &o.address(),
            o.tee_pubkey_der(),
            novakms::crypto::envelope::DEFAULT_INFO_LABEL,
            Duration::from_secs(30),
        )
        .unwrap()
    };
    rt.block_on(async {
        let s = status(&url).await;
        assert_eq!(s["node"]["master_secret"]["state"], "synced", "{s}");
        assert_eq!(s["node"]["tee_wallet"], odyn.address().as_str(), "{s}");
        let c = via_odyn(&odyn, &url);
        let ks = d.app_client(0);
        // Replication both ways.
        c.put("from-odyn", b"1", 0).await.unwrap();
        ks.put("from-ks", b"2", 0).await.unwrap();
        eventually(
            "keystore node has the Odyn node's write",
            Duration::from_secs(30),
            || {
                let ks = &ks;
                async move { ks.get("from-odyn").await.unwrap().is_some() }
            },
        )
        .await;
        eventually(
            "Odyn node has the keystore node's write",
            Duration::from_secs(30),
            || {
                let c = &c;
                async move { c.get("from-ks").await.unwrap().is_some() }
            },
        )
        .await;
        assert_eq!(c.get("from-ks").await.unwrap().unwrap().0, b"2");
        // Odyn calls per request: a GET (no body) = 1 encrypt + 1 sign; a derive (body) = 1
        // decrypt + 1 encrypt + 1 sign. Nothing else (no address or key fetch).
        let (addr0, pk0) = (odyn.served("address"), odyn.served("public_key"));
        // Background replication (a peer's push, the node's own pulls) also calls Odyn and
        // can land inside a window; it only ever adds calls. So every window must cost at
        // least the expected calls, and one of up to 10 windows exactly that: a request
        // costing any call more would never match.
        let mut exact = 0;
        for _ in 0..10 {
            let before = counts(&odyn);
            for _ in 0..5 {
                assert!(c.get("from-odyn").await.unwrap().is_some());
            }
            let d5 = delta(before, counts(&odyn));
            assert!(covers(d5, [0, 5, 5]), "5 GETs made {d5:?} Odyn calls");
            let before = counts(&odyn);
            let k = c.derive("wallet/root", "", 32).await.unwrap();
            assert_eq!(k.len(), 32);
            let d1 = delta(before, counts(&odyn));
            assert!(covers(d1, [1, 1, 1]), "a derive made {d1:?} Odyn calls");
            if d5 == [0, 5, 5] && d1 == [1, 1, 1] {
                exact += 1;
                break;
            }
        }
        assert_eq!(exact, 1, "no window without background calls in 10 tries");
        let k1 = c.derive("wallet/root", "", 32).await.unwrap();
        assert_eq!(
            (odyn.served("address"), odyn.served("public_key")),
            (addr0, pk0)
        );
        assert_eq!(
            k1,
            ks.derive("wallet/root", "", 32).await.unwrap(),
            "same master secret"
        );
        let m =
            common::http::metric_sum(&url, "novakms_odyn_requests_total", &[("call", "encrypt")])
                .await;
        assert_eq!(m as u64, odyn.served("encrypt"));
    });

    // Restart inside the same enclave: data and secret come back (sealed through Odyn).
    drop(p);
    let before = odyn.served("decrypt");
    p = spawn_serve(&config, &d.path().join("odyn-1b.log"));
    wait_ready(&url, Duration::from_secs(60));
    rt.block_on(async {
        let s = status(&url).await;
        assert_eq!(
            s["node"]["master_secret"]["state"], "generated",
            "reloaded sealed: {s}"
        );
        assert!(
            odyn.served("decrypt") > before,
            "the sealed secret was opened by Odyn"
        );
        assert_eq!(
            via_odyn(&odyn, &url)
                .get("from-ks")
                .await
                .unwrap()
                .unwrap()
                .0,
            b"2"
        );
    });
    // ... and again: the re-sealed copy (fresh nonce) opens once more.
    drop(p);
    p = spawn_serve(&config, &d.path().join("odyn-1c.log"));
    wait_ready(&url, Duration::from_secs(60));
    rt.block_on(async {
        assert_eq!(
            status(&url).await["node"]["master_secret"]["state"],
            "generated"
        );
    });

    // A new enclave: new Odyn keys, registered anew on the same URL; the old blob does not
    // open, the secret is re-synced and the records stay.
    drop(p);
    let odyn2 = odyn_on(&rt);
    rt.block_on(async { d.admin().remove_instance(iid).await.unwrap() });
    let port = url::Url::parse(&url).unwrap().port();
    let (config2, url2, _, _) = d.add_odyn_node(
        &rt,
        "odyn-1",
        &odyn2.url(),
        &odyn2.address(),
        &odyn2.tee_pubkey_der(),
        port,
    );
    assert_eq!(url2, url);
    std::fs::write(&config2, std::fs::read_to_string(&config2).unwrap() + QUIET).unwrap();
    p = spawn_serve(&config2, &d.path().join("odyn-2.log"));
    wait_ready(&url, Duration::from_secs(60));
    let log = std::fs::read_to_string(d.path().join("odyn-2.log")).unwrap();
    assert!(log.contains("does not open with this Odyn"), "{log}");
    rt.block_on(async {
        let s = status(&url).await;
        assert_eq!(s["node"]["master_secret"]["state"], "synced", "{s}");
        let c = via_odyn(&odyn2, &url);
        assert_eq!(c.get("from-odyn").await.unwrap().unwrap().0, b"1");
    });

    // Bootstrap through Odyn: keystore nodes stopped, hash reset by the registry owner.
    for i in 0..2 {
        d.signal_node_nowait(i, libc::SIGSTOP);
    }
    let old_hash = rt.block_on(async { d.registry().master_secret_hash().await.unwrap() });
    rt.block_on(async {
        d.admin()
            .reset_master_secret_hash(&d.info.kms_registry)
            .await
            .unwrap();
        eventually(
            "the Odyn node set a new hash",
            Duration::from_secs(60),
            || async {
                let h = d.registry().master_secret_hash().await.unwrap();
                h != [0u8; 32] && status(&url).await["node"]["service_available"] == true
            },
        )
        .await;
        // Ready again with a generated secret = its hash is the one on chain (the node is
        // ready only with a secret verified against masterSecretHash); the keystore nodes
        // are stopped, so the transaction came from the Odyn node, signed by its Odyn.
        let s = status(&url).await;
        assert_eq!(s["node"]["master_secret"]["state"], "generated", "{s}");
        assert!(
            odyn2.served("sign_tx") > 0,
            "setMasterSecretHash went through Odyn sign-tx"
        );
        assert!(
            odyn2.served("random") > 0,
            "the secret came from Odyn's /v1/random"
        );
        assert_ne!(d.registry().master_secret_hash().await.unwrap(), old_hash);
    });
    for i in 0..2 {
        d.signal_node_nowait(i, libc::SIGCONT);
    }

    // The app side on Odyn identity: `store put/get` through a second test Odyn registered
    // as an instance of the demo app.
    let app_odyn = odyn_on(&rt);
    rt.block_on(async {
        let a = &d.info.apps[0];
        let inst = d
            .registry()
            .get_instance_by_wallet(&a.wallet)
            .await
            .unwrap();
        d.admin()
            .register_instance(
                a.app_id,
                inst.version_id,
                &app_odyn.address(),
                "http://127.0.0.1:9",
                &app_odyn.tee_pubkey_der(),
                &app_odyn.address(),
                true,
            )
            .await
            .unwrap();
    });
    let cfg = d.info.apps[0].config.clone();
    let run = |args: &[&str]| {
        std::process::Command::new(common::exe())
            .args(["--config"])
            .arg(&cfg)
            .args([
                "--identity",
                "odyn",
                "--odyn-url",
                &app_odyn.url(),
                "--addr",
                &url,
            ])
            .args(args)
            .env_remove("NOVAKMS_CONFIG")
            .output()
            .unwrap()
    };
    let out = run(&["store", "put", "odyn-app", "hello"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["store", "get", "odyn-app"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("hello"));
    assert!(app_odyn.served("sign") >= 2 && app_odyn.served("decrypt") >= 2);
    drop(p);
}

/// Issue 11 "Done means", second bullet, the way an operator starts it: `devnet up --nodes 3
/// --odyn-nodes 1` through the binary. Node 3 runs on `identity = "odyn"` against its own
/// test Odyn process (registered with the wallet and teePubkey that Odyn reports, no keystore
/// in its config) and is ready; an app `store put` through node 1 is read back through node 3,
/// which answers through Odyn; `devnet down` stops the Odyn process and the key file keeps the
/// enclave identity for a restarted `devnet odyn`, which prints its bound URL first.
#[test]
fn devnet_up_with_an_odyn_node_through_the_binary() {
    use novakms::identity::odyn::OdynClient;
    let d = Devnet::up_with(3, &["--odyn-nodes", "1"]);
    assert!(d.node(0).odyn.is_none() && d.node(1).odyn.is_none());
    let n3 = d.node(2).clone();
    let odyn = n3
        .odyn
        .clone()
        .expect("devnet.json names node 3's test Odyn");
    let s = novakms::config::Settings::load(Some(&n3.config), &[]).unwrap();
    assert_eq!(s.identity, novakms::config::IdentityKind::Odyn);
    assert_eq!(s.odyn_url, odyn.url);
    assert_eq!((s.keystore, s.password_file), (None, None));

    let rt = rt();
    let oc = OdynClient::new(&odyn.url, Duration::from_secs(5)).unwrap();
    rt.block_on(async {
        let inst = d
            .registry()
            .get_instance_by_wallet(&n3.wallet)
            .await
            .unwrap();
        assert_eq!(oc.address().await.unwrap(), n3.wallet);
        assert_eq!(inst.tee_pubkey, oc.public_key_der().await.unwrap());
        let st = status(&n3.url).await;
        assert_eq!(st["node"]["tee_wallet"], n3.wallet.as_str(), "{st}");
        assert_eq!(st["node"]["service_available"], true, "{st}");
    });

    common::ok_stdout(&d.app_cli(&["store", "put", "odyn-devnet", "hello"]));
    let signs = || {
        rt.block_on(common::http::metric_sum(
            &n3.url,
            "novakms_odyn_requests_total",
            &[("call", "sign")],
        ))
    };
    let before = signs();
    common::wait::eventually_blocking(
        "node 3 (Odyn identity) serves the write made on node 1",
        Duration::from_secs(30),
        || {
            let o = d.app_cli(&["--addr", &n3.url, "store", "get", "odyn-devnet"]);
            o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "hello"
        },
    );
    assert!(signs() > before, "node 3 signed its answers through Odyn");

    common::ok_stdout(
        &std::process::Command::new(common::exe())
            .args(["devnet", "down", "--dir"])
            .arg(d.path())
            .env_remove("NOVAKMS_CONFIG")
            .output()
            .unwrap(),
    );
    common::process::wait_gone(odyn.pid, Duration::from_secs(20));

    // The key file is the enclave identity: a restarted test Odyn has the same wallet.
    let mut p = std::process::Command::new(common::exe())
        .args(["devnet", "odyn", "--listen", "127.0.0.1:0", "--key-file"])
        .arg(&odyn.key_file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .env_remove("NOVAKMS_CONFIG")
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(p.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line:?}");
    let again = OdynClient::new(&url, Duration::from_secs(5)).unwrap();
    assert_eq!(rt.block_on(again.address()).unwrap(), n3.wallet);
    unsafe {
        libc::kill(p.id() as i32, libc::SIGTERM);
    }
    assert!(
        p.wait().unwrap().success(),
        "devnet odyn exits 0 on SIGTERM"
    );
}
