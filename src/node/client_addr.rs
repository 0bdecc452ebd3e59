//! The client address the `/nonce` rate limiter keys on (protocol.md §1.8, issue 10 item 4).
//!
//! Guarantees:
//! * the socket peer address is used unless that peer is inside `trusted_proxies`;
//! * only then is `X-Forwarded-For` read, walking its hops **from the right** (the hop the
//!   trusted proxy itself appended) and skipping hops that are trusted proxies too; the first
//!   untrusted hop is the client. A client cannot choose its bucket by sending its own
//!   `X-Forwarded-For`: whatever it sends stays to the left of the hop the proxy appended;
//! * a header that is missing, empty or unparsable at the deciding hop falls back to the
//!   socket peer (the proxy), so a broken proxy shares one bucket rather than none;
//! * every `X-Forwarded-For` header line is read, in order (RFC 7230 §3.2.2 list semantics).
//!
//! Upstream trusts the *leftmost* hop unconditionally (§1.8), which any client can forge.

use std::net::IpAddr;

use ipnet::IpNet;

/// Parse `trusted_proxies` entries: CIDRs (`10.0.0.0/8`, `::1/128`) or bare addresses (a
/// host route). Errors: the first entry that is neither, named in the message.
pub fn parse_trusted(entries: &[String]) -> Result<Vec<IpNet>, String> {
    entries
        .iter()
        .map(|e| {
            let e = e.trim();
            e.parse::<IpNet>()
                .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("trusted_proxies: {e:?} is not a CIDR or an IP address"))
        })
        .collect()
}

fn trusted(nets: &[IpNet], ip: &IpAddr) -> bool {
    let ip = canonical(*ip);
    nets.iter().any(|n| n.contains(&ip))
}

/// IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as IPv4, so one rule covers both socket forms.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// One `X-Forwarded-For` hop: an address, optionally `[v6]`, `v4:port` or `[v6]:port`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sa) = hop.parse::<std::net::SocketAddr>() {
        return Some(canonical(sa.ip()));
    }
    hop.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<IpAddr>().ok())
        .map(canonical)
}

/// The client address of a request from socket peer `peer` carrying the `X-Forwarded-For`
/// header lines `xff` (in received order), given the `trusted` proxy networks.
pub fn client_ip<'a>(
    peer: IpAddr,
    xff: impl IntoIterator<Item = &'a str>,
    trusted_nets: &[IpNet],
) -> IpAddr {
    let peer = canonical(peer);
    if !trusted(trusted_nets, &peer) {
        return peer;
    }
    let hops: Vec<&str> = xff.into_iter().flat_map(|l| l.split(',')).collect();
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) if trusted(trusted_nets, &ip) => continue,
            Some(ip) => return ip,
            None => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(v: &[&str]) -> Vec<IpNet> {
        parse_trusted(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_it_claims() {
        let t = nets(&["10.0.0.0/8"]);
        assert_eq!(client_ip(ip("192.0.2.9"), ["1.2.3.4"], &t), ip("192.0.2.9"));
        assert_eq!(client_ip(ip("192.0.2.9"), [], &[]), ip("192.0.2.9"));
    }

    #[test]
    fn trusted_proxy_gives_the_rightmost_untrusted_hop() {
        let t = nets(&["10.0.0.0/8", "127.0.0.1"]);
        // The client forged a leftmost hop; the proxy appended the real one.
        assert_eq!(
            client_ip(ip("127.0.0.1"), ["6.6.6.6, 198.51.100.7"], &t),
            ip("198.51.100.7")
        );
        // Chained proxies are skipped; several header lines are one list.
        assert_eq!(
            client_ip(ip("10.1.1.1"), ["6.6.6.6", "198.51.100.7, 10.2.2.2"], &t),
            ip("198.51.100.7")
        );
        // Ports and brackets, mapped v6.
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), ["[2001:db8::1]:443"], &t),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), ["203.0.113.5:8080"], &t),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn broken_or_missing_header_falls_back_to_the_proxy() {
        let t = nets(&["10.0.0.0/8"]);
        assert_eq!(client_ip(ip("10.0.0.1"), [], &t), ip("10.0.0.1"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), ["1.2.3.4, junk"], &t),
            ip("10.0.0.1")
        );
        assert_eq!(client_ip(ip("10.0.0.1"), ["10.0.0.2"], &t), ip("10.0.0.1"));
    }

    #[test]
    fn parse_errors_name_the_entry() {
        let e = parse_trusted(&["10.0.0.0/8".into(), "nope/33".into()]).unwrap_err();
        assert!(e.contains("nope/33"), "{e}");
        assert_eq!(nets(&["192.0.2.1"])[0].prefix_len(), 32);
    }
}
