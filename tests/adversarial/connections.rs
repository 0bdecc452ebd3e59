//! Connection-level attacks on a real node (issue 10 items 1 and 6) and the shutdown drain
//! (issue 14), loopback only, flooders bound to other 127.0.0.x addresses than the
//! legitimate client:
//!
//! * [`idle_and_slow_header_floods_are_capped_and_timed_out`]: 800 connections from 8
//!   addresses, half silent and half trickling header lines; the per-address share refuses
//!   the excess at once, the idle and header-read timeouts close the rest, the open-connection
//!   gauge stays under the share, and a legitimate client is served throughout;
//! * [`unfinished_heads_keep_memory_bounded`]: 256 connections each sending 384 KiB of one
//!   unfinished header: RSS growth bounded by `http_max_header_bytes` per connection;
//! * [`sync_refuses_unauthenticated_bodies_before_reading_them`]: 64 concurrent `/sync`
//!   requests declaring 8 MiB bodies get their 403 before sending a byte of the body;
//! * [`a_stalled_body_is_cut_at_the_body_read_timeout`]: a body that stops arriving gets 400
//!   at `http_body_read_timeout_ms` and the connection is closed;
//! * [`sigterm_drains_a_request_in_flight`]: a `/sync` delta whose body is still trickling
//!   when SIGTERM arrives completes with 200 and is stored; new connections are refused and
//!   the process exits 0.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use novakms::crypto::mac::sync_hmac_hex;
use novakms::crypto::master::MasterSecret;
use novakms::crypto::value::encrypt_value;
use novakms::identity::Identity;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::common::http::{nonce_with as nonce, wait_member};
use crate::common::pop::{body_bytes, peer_headers, seal_to};
use crate::common::wait::{eventually, now_ms, now_s, rt};
use crate::common::Devnet;
use crate::harness::{client_from, rss_kib};
use crate::sync_table::wire_rec;

/// Restart node 0 of `d` with `env` as a child of this process (so its exit status can be
/// read); returns its pid.
fn restart_with(d: &Devnet, env: &[(&str, &str)]) -> u32 {
    d.signal_node(0, libc::SIGTERM);
    d.restart_node(0, env)
}

fn addr_of(d: &Devnet) -> SocketAddr {
    d.node(0).url.trim_start_matches("http://").parse().unwrap()
}

async fn connect_from(src: [u8; 4], to: SocketAddr) -> std::io::Result<TcpStream> {
    let s = TcpSocket::new_v4()?;
    s.bind(SocketAddr::new(IpAddr::from(src), 0))?;
    s.connect(to).await
}

/// `novakms_http_connections_closed_total` by reason at `base`.
async fn closed_by_reason(http: &reqwest::Client, base: &str) -> Vec<(String, f64)> {
    crate::common::http::metrics_text(http, base)
        .await
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("novakms_http_connections_closed_total{reason=\"")?;
            let (reason, v) = rest.split_once("\"} ")?;
            Some((reason.to_string(), v.trim().parse().ok()?))
        })
        .collect()
}

/// Value of the unlabelled metric `name` at `base` (NaN when the node has no such metric, so
/// that the behavioural checks of the code before it still run and fail on their own).
async fn metric(http: &reqwest::Client, base: &str, name: &str) -> f64 {
    crate::common::http::metrics_text(http, base)
        .await
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or(f64::NAN)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flood {
    /// Connect and send nothing.
    Idle,
    /// Send a request line, then one header line every 200 ms, never the end of the head.
    SlowHeader,
}

/// Hold one flood connection `s` (opened at `started`): how long until the server closed it,
/// or `None` if still open after `hold`.
async fn flood_hold(
    kind: Flood,
    mut s: TcpStream,
    started: Instant,
    hold: Duration,
) -> Option<Duration> {
    if kind == Flood::SlowHeader
        && s.write_all(b"GET /status HTTP/1.1\r\nHost: x\r\n")
            .await
            .is_err()
    {
        return Some(started.elapsed());
    }
    let mut buf = [0u8; 512];
    loop {
        let left = hold.checked_sub(started.elapsed())?;
        tokio::select! {
            r = s.read(&mut buf) => match r {
                Ok(0) | Err(_) => return Some(started.elapsed()),
                Ok(_) => {} // an answer (431) before the close
            },
            _ = tokio::time::sleep(left.min(Duration::from_millis(200))) => {
                if kind == Flood::SlowHeader && s.write_all(b"X-Slow: 1\r\n").await.is_err() {
                    return Some(started.elapsed());
                }
            }
        }
    }
}

/// `n` flood connections from `src`, opened one after the other (so the listener's accept
/// queue never overflows), each then held on its own task.
async fn flood_from(
    kind: Flood,
    src: [u8; 4],
    to: SocketAddr,
    n: usize,
    hold: Duration,
) -> Vec<tokio::task::JoinHandle<Option<Duration>>> {
    let mut held = Vec::new();
    for _ in 0..n {
        let started = Instant::now();
        let s = connect_from(src, to).await.expect("flood connect");
        held.push(tokio::spawn(flood_hold(kind, s, started, hold)));
    }
    held
}

#[test]
fn idle_and_slow_header_floods_are_capped_and_timed_out() {
    let d = Devnet::up(1);
    restart_with(
        &d,
        &[
            ("NOVAKMS_HTTP_IDLE_TIMEOUT_MS", "2000"),
            ("NOVAKMS_HTTP_HEADER_READ_TIMEOUT_MS", "2000"),
            ("NOVAKMS_HTTP_MAX_CONNECTIONS_PER_IP", "64"),
            ("NOVAKMS_HTTP_MAX_CONNECTIONS", "1024"),
        ],
    );
    let base = d.node(0).url.clone();
    let to = addr_of(&d);
    let pid = d.node_pid(0);
    let rss0 = rss_kib(pid);
    let rt = rt();
    rt.block_on(async {
        // A fresh connection per legitimate request: it must get a slot during the flood.
        let legit = novakms::tls::client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let hold = Duration::from_secs(6);
        let per_ip = 100usize;
        let mut openers = Vec::new();
        for ip in 2u8..10 {
            let kind = if ip % 2 == 0 {
                Flood::Idle
            } else {
                Flood::SlowHeader
            };
            openers.push(tokio::spawn(flood_from(kind, [127, 0, 0, ip], to, per_ip, hold)));
        }
        // The legitimate client during the flood: /status latency and the gauge.
        let started = Instant::now();
        let (mut worst, mut served, mut peak_open) = (Duration::ZERO, 0usize, 0f64);
        while started.elapsed() < Duration::from_secs(3) {
            let t = Instant::now();
            let r = legit.get(format!("{base}/status")).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200);
            worst = worst.max(t.elapsed());
            served += 1;
            let open = metric(&legit, &base, "novakms_http_connections_open").await;
            peak_open = if open.is_nan() { open } else { peak_open.max(open) };
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut closed = Vec::new();
        for o in openers {
            for t in o.await.unwrap() {
                closed.push(t.await.unwrap());
            }
        }
        let total = closed.len();
        let still_open = closed.iter().filter(|c| c.is_none()).count();
        let fast = closed
            .iter()
            .filter(|c| c.is_some_and(|d| d < Duration::from_millis(500)))
            .count();
        let slowest = closed.iter().flatten().max().copied().unwrap_or_default();
        let t = Instant::now();
        let mut after = None;
        while t.elapsed() < Duration::from_secs(5) {
            if metric(&legit, &base, "novakms_http_connections_open").await <= 1.0 {
                after = Some(t.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let rss1 = rss_kib(pid);
        let reasons = closed_by_reason(&legit, &base).await;
        let reason = |r: &str| reasons.iter().find(|(k, _)| k == r).map_or(0.0, |(_, v)| *v);
        println!("closed by the listener: {reasons:?}");
        println!(
            "connection flood: {total} connections from 8 addresses (share 64): {fast} refused within 0.5 s, \
             all {} closed by the server (slowest after {slowest:?}), {still_open} still open after {hold:?}; \
             open-connection gauge peak {peak_open} (back to idle {after:?} after the flood); legitimate client \
             {served} /status requests, worst {worst:?}; RSS {rss0} -> {rss1} KiB",
            total - still_open
        );
        assert_eq!(still_open, 0, "flood connections held past the timeouts");
        // Each flood connection was closed by the listener for a reason it counted: over the
        // share at once, or by the idle / header-read timeout.
        let share = reason("over_ip_share");
        assert!(share >= 1.0, "the per-address share never engaged: {reasons:?}");
        assert!(
            share + reason("idle_timeout") + reason("header_timeout") >= total as f64,
            "{reasons:?}"
        );
        assert!(reason("header_timeout") >= 1.0, "{reasons:?}");
        assert!(slowest < Duration::from_millis(4500), "closed too late: {slowest:?}");
        assert!(slowest >= Duration::from_secs(2), "closed before the timeouts: {slowest:?}");
        assert!(peak_open <= (8 * 64 + 4) as f64, "gauge peak {peak_open}");
        assert!(after.is_some(), "gauge not back to idle");
        assert!(worst < Duration::from_secs(2), "legitimate client waited {worst:?}");
    });
}

#[test]
fn unfinished_heads_keep_memory_bounded() {
    let d = Devnet::up(1);
    restart_with(&d, &[("NOVAKMS_HTTP_MAX_CONNECTIONS_PER_IP", "64")]);
    let to = addr_of(&d);
    let pid = d.node_pid(0);
    let rt = rt();
    let rss0 = rss_kib(pid);
    let (peak, answered_431) = rt.block_on(async {
        let mut tasks = Vec::new();
        for ip in 2u8..6 {
            for _ in 0..64 {
                tasks.push(tokio::spawn(async move {
                    let mut s = connect_from([127, 0, 0, ip], to).await.unwrap();
                    let mut sent = 0usize;
                    if s.write_all(b"GET /status HTTP/1.1\r\nX-Big: ")
                        .await
                        .is_ok()
                    {
                        let chunk = vec![b'a'; 32 * 1024];
                        while sent < 384 * 1024 {
                            if s.write_all(&chunk).await.is_err() {
                                break;
                            }
                            sent += chunk.len();
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                    // Hold the connection (unfinished head) while RSS is sampled.
                    let mut buf = vec![0u8; 64];
                    let r = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf)).await;
                    matches!(r, Ok(Ok(n)) if n > 12 && &buf[9..12] == b"431")
                }));
            }
        }
        let mut peak = rss_kib(pid);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(3) {
            peak = peak.max(rss_kib(pid));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut answered = 0;
        for t in tasks {
            answered += usize::from(t.await.unwrap());
        }
        (peak, answered)
    });
    let growth_mb = peak.saturating_sub(rss0) as f64 / 1024.0;
    println!(
        "unfinished heads: 256 connections x 384 KiB of header: RSS {rss0} -> peak {peak} KiB \
         (+{growth_mb:.1} MB), {answered_431} answered 431"
    );
    assert!(growth_mb < 40.0, "RSS grew {growth_mb:.1} MB");
    assert!(answered_431 > 0, "no head refused with 431");
}

#[test]
fn sync_refuses_unauthenticated_bodies_before_reading_them() {
    let d = Devnet::up(1);
    let base = d.node(0).url.clone();
    let to = addr_of(&d);
    let node_wallet = d.node(0).wallet.clone();
    let pid = d.node_pid(0);
    let rt = rt();
    let rss0 = rss_kib(pid);
    let declared = 8 * 1024 * 1024usize;
    let (results, peak) = rt.block_on(async {
        let http = client_from([127, 0, 0, 1]);
        let mut tasks = Vec::new();
        for i in 0..64usize {
            // Half without PoP, half signed (fresh nonce) by a wallet that is no member.
            let headers = if i % 2 == 0 {
                Vec::new()
            } else {
                let n = nonce(&http, &base).await;
                peer_headers(&Identity::generate(), &node_wallet, &n, now_s())
            };
            tasks.push(tokio::spawn(async move {
                let mut s = TcpStream::connect(to).await.unwrap();
                let mut head = format!(
                    "POST /sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n"
                );
                for (k, v) in &headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                s.write_all(head.as_bytes()).await.unwrap();
                // The answer must come before any byte of the body.
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                let answered = tokio::time::timeout(Duration::from_secs(10), async {
                    loop {
                        match s.read(&mut tmp).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => buf.extend_from_slice(&tmp[..n]),
                        }
                        if buf.ends_with(b"}") {
                            break;
                        }
                    }
                })
                .await
                .is_ok();
                let text = String::from_utf8_lossy(&buf).to_string();
                // Then try to send the body anyway.
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0usize;
                while sent < declared {
                    match tokio::time::timeout(Duration::from_secs(5), s.write_all(&chunk)).await {
                        Ok(Ok(())) => sent += chunk.len(),
                        _ => break,
                    }
                }
                (i, answered, text, sent)
            }));
        }
        let mut peak = rss_kib(pid);
        let mut results = Vec::new();
        for t in tasks {
            peak = peak.max(rss_kib(pid));
            results.push(t.await.unwrap());
        }
        (results, peak.max(rss_kib(pid)))
    });
    let max_sent = results.iter().map(|r| r.3).max().unwrap_or(0);
    for (i, answered, text, _) in &results {
        assert!(answered, "request {i}: no answer before the body: {text:?}");
        assert!(text.starts_with("HTTP/1.1 403"), "request {i}: {text}");
        let want = if i % 2 == 0 {
            "Missing x-kms-signature"
        } else {
            "not found in PeerCache"
        };
        assert!(text.contains(want), "request {i}: {text}");
    }
    let growth_mb = peak.saturating_sub(rss0) as f64 / 1024.0;
    println!(
        "/sync unauthenticated: 64 concurrent requests declaring 8 MiB each: all 403 before the body; \
         at most {max_sent} body bytes accepted by the socket before the close; RSS {rss0} -> peak {peak} KiB (+{growth_mb:.1} MB)"
    );
    assert!(max_sent < declared, "a whole body was accepted");
    assert!(growth_mb < 32.0, "RSS grew {growth_mb:.1} MB");
}

/// True once the node's end of the connection `node_port` ↔ `client_port` (loopback) has no
/// unread bytes in its receive queue (`/proc/net/tcp`): the node has read what we sent.
fn node_has_read(node_port: u16, client_port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table.lines().skip(1).any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        let port = |a: &str| {
            a.rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok())
        };
        f.len() > 4
            && port(f[1]) == Some(node_port)
            && port(f[2]) == Some(client_port)
            && f[4].rsplit(':').next() == Some("00000000")
    })
}

#[test]
fn sigterm_drains_a_request_in_flight() {
    let d = Devnet::up(1);
    let pid = restart_with(&d, &[]);
    let base = d.node(0).url.clone();
    let to = addr_of(&d);
    let rt = rt();
    rt.block_on(async {
        let http = client_from([127, 0, 0, 1]);
        let (peer, _) = d.register_kms(true).await;
        wait_member(&base, &peer.address(), true).await;
        let node = d.node_peer(0).await;
        let pc = novakms::client::peer::PeerClient::new(
            peer.clone(),
            novakms::crypto::envelope::DEFAULT_INFO_LABEL,
            Duration::from_secs(30),
            novakms::clock::Clock::system(),
        )
        .unwrap();
        let secret = MasterSecret::from_bytes(pc.master_secret(&node, None).await.unwrap());
        let app = 4343u64;
        let v = encrypt_value(&secret.data_key(app), b"drained");
        let payload = json!({"type": "delta", "sender_wallet": peer.address(),
            "data": {app.to_string(): [wire_rec("drain-key", v, &peer.address(), now_ms())]}});
        let envelope: Value = seal_to(&peer, &node.tee_pubkey, &body_bytes(&payload));
        let body = body_bytes(&envelope);
        let mut headers = peer_headers(&peer, &node.wallet, &nonce(&http, &base).await, now_s());
        headers.push((
            "x-sync-signature".into(),
            sync_hmac_hex(&secret.sync_key(), &envelope),
        ));
        let mut head = format!(
            "POST /sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in &headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut s = TcpStream::connect(to).await.unwrap();
        let (first, rest) = body.split_at(body.len() / 4);
        let mut start = head.into_bytes();
        start.extend_from_slice(first);
        if let Err(e) = s.write_all(&start).await {
            let mut answer = Vec::new();
            let _ = s.read_to_end(&mut answer).await;
            panic!("{e}: {}", String::from_utf8_lossy(&answer));
        }
        // The request is in flight (head read by the node, body unfinished): SIGTERM. (A
        // connection whose first bytes the node has not read yet counts as idle and is
        // closed by the drain, as in hyper.)
        let mine = s.local_addr().unwrap().port();
        eventually("the node read the head", Duration::from_secs(5), || async {
            node_has_read(to.port(), mine)
        })
        .await;
        unsafe {
            libc::kill(pid as i32, libc::SIGTERM);
        }
        let refused = eventually("new connections refused", Duration::from_secs(5), || async {
            TcpStream::connect(to).await.is_err()
        })
        .await;
        for piece in rest.chunks(64) {
            s.write_all(piece).await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer))
            .await
            .expect("answer in time")
            .unwrap();
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        // The process exits 0 after answering.
        let mut status = 0;
        let waited = unsafe { libc::waitpid(pid as i32, &mut status, 0) };
        assert_eq!(waited, pid as i32);
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "status {status}");
        println!("drain: new connections refused {refused:?} after SIGTERM; the in-flight delta answered 200; exit 0");
    });
    // The drained delta was committed: it is there after a restart.
    d.restart_node(0, &[]);
    rt.block_on(async {
        let node = d.node_peer(0).await;
        let peer_known = d.register_kms(true).await.0;
        wait_member(&d.node(0).url, &peer_known.address(), true).await;
        let pc = novakms::client::peer::PeerClient::new(
            peer_known,
            novakms::crypto::envelope::DEFAULT_INFO_LABEL,
            Duration::from_secs(30),
            novakms::clock::Clock::system(),
        )
        .unwrap();
        let secret = MasterSecret::from_bytes(pc.master_secret(&node, None).await.unwrap());
        let snap = pc.snapshot(&node, &secret.sync_key()).await.unwrap();
        let recs = snap["4343"].as_array().cloned().unwrap_or_default();
        assert!(
            recs.iter().any(|r| r["key"] == "drain-key"),
            "drained delta not stored: {snap}"
        );
    });
}

#[test]
fn a_stalled_body_is_cut_at_the_body_read_timeout() {
    let d = Devnet::up(1);
    restart_with(&d, &[("NOVAKMS_HTTP_BODY_READ_TIMEOUT_MS", "1000")]);
    let to = addr_of(&d);
    let rt = rt();
    rt.block_on(async {
        let mut s = TcpStream::connect(to).await.unwrap();
        s.write_all(
            b"PUT /kms/data HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"key\":",
        )
        .await
        .unwrap();
        let started = Instant::now();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer))
            .await
            .expect("no answer to a stalled body (no body-read timeout)")
            .unwrap();
        let took = started.elapsed();
        let text = String::from_utf8_lossy(&answer);
        println!("stalled body: answered after {took:?}: {}", text.lines().next().unwrap_or(""));
        assert!(text.starts_with("HTTP/1.1 400"), "{text}");
        assert!(text.contains("request body not received within 1000 ms"), "{text}");
        assert!(took >= Duration::from_millis(900), "{took:?}");
    });
}
