//! Raw HTTP/1.1 over TCP, for bodies no HTTP client would send: lying `Content-Length`,
//! lying chunk sizes, half-closed connections.

use std::time::{Duration, Instant};

/// Outcome of a raw HTTP/1.1 exchange.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Raw {
    /// A response with this status arrived.
    Status(u16),
    /// The server closed the connection without a (complete) response line.
    Closed,
}

/// Send `head` then `body` (written by a separate thread, so an early
/// answer is read even while the server stops reading), read the first
/// response line. `half_close`: shut down our write side after the body.
/// Panics if nothing happens within 30 s (a hang).
pub(crate) fn raw_exchange(addr: &str, head: String, body: Vec<u8>, half_close: bool) -> Raw {
    let what = head.lines().next().unwrap_or("").to_string()
        + " "
        + head
            .lines()
            .find(|l| l.starts_with("Content-Length") || l.starts_with("Transfer"))
            .unwrap_or("");
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(head.as_bytes());
        for chunk in body.chunks(64 * 1024) {
            if w.write_all(chunk).is_err() {
                return;
            }
        }
        let _ = w.flush();
        if half_close {
            let _ = w.shutdown(std::net::Shutdown::Write);
        }
    });
    let started = Instant::now();
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let out = loop {
        match s.read(&mut tmp) {
            Ok(0) => break None,
            Ok(n) => {
                buf.extend_from_slice(&tmp[..n]);
                if buf.windows(2).any(|w| w == b"\r\n") {
                    break Some(());
                }
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                panic!("no answer within {:?} (hang): {what}", started.elapsed())
            }
            Err(_) => break None, // reset
        }
    };
    let _ = s.shutdown(std::net::Shutdown::Both);
    let _ = writer.join();
    match out {
        Some(()) => {
            let line = String::from_utf8_lossy(&buf);
            let code = line.split_whitespace().nth(1).and_then(|c| c.parse().ok());
            code.map(Raw::Status).unwrap_or(Raw::Closed)
        }
        None => Raw::Closed,
    }
}

/// A JSON object of exactly `n` bytes (n ≥ 8).
pub(crate) fn json_of_len(n: usize) -> Vec<u8> {
    let mut v = b"{\"p\":\"".to_vec();
    v.resize(n - 2, b'a');
    v.extend_from_slice(b"\"}");
    v
}

pub(crate) fn head(method: &str, path: &str, host: &str, extra: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nConnection: close\r\n{extra}\r\n"
    )
}

pub(crate) fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 1000 + 16);
    for c in body.chunks(64 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}
