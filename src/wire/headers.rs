//! HTTP header names of the protocol (protocol.md §2.3–§2.5, §6.3), lower case as HTTP/1.1
//! and HTTP/2 compare them.

/// App PoP signature (§2.3): EIP-191 over `NovaKMS:AppAuth:<nonce>:<node wallet>:<ts>`.
pub const APP_SIGNATURE: &str = "x-app-signature";
/// App PoP nonce (§2.1), base64 as issued by `GET /nonce`.
pub const APP_NONCE: &str = "x-app-nonce";
/// App PoP timestamp, Unix seconds (§2.3).
pub const APP_TIMESTAMP: &str = "x-app-timestamp";
/// Optional claimed app wallet; must equal the PoP signer when present (§2.3).
pub const APP_WALLET: &str = "x-app-wallet";
/// Development shortcut naming the app wallet without PoP (§2.6); honoured only with
/// `allow_dev_wallet_header = true`.
pub const TEE_WALLET: &str = "x-tee-wallet";
/// Node's signature over the app's PoP signature in a response (§2.5).
pub const KMS_RESPONSE_SIGNATURE: &str = "x-kms-response-signature";

/// KMS-peer PoP signature (§2.4): EIP-191 over `NovaKMS:Auth:<nonce>:<receiver wallet>:<ts>`.
pub const KMS_SIGNATURE: &str = "x-kms-signature";
/// KMS-peer PoP nonce (§2.4).
pub const KMS_NONCE: &str = "x-kms-nonce";
/// KMS-peer PoP timestamp, Unix seconds (§2.4).
pub const KMS_TIMESTAMP: &str = "x-kms-timestamp";
/// Optional claimed peer wallet; must equal the PoP signer when present (§2.4).
pub const KMS_WALLET: &str = "x-kms-wallet";
/// Receiving peer's signature over the caller's PoP signature in a `/sync` response (§2.5).
pub const KMS_PEER_SIGNATURE: &str = "x-kms-peer-signature";
/// HMAC-SHA256 of the canonical outer `/sync` body under the cluster sync key (§6.3).
pub const SYNC_SIGNATURE: &str = "x-sync-signature";

/// The PoP headers of one request, as received (§2.3 for apps, §2.4 for peers). Absent or
/// non-UTF-8 headers are `None`; the authenticator decides what is missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PopHeaders {
    /// `x-app-signature` / `x-kms-signature`.
    pub signature: Option<String>,
    /// `x-app-nonce` / `x-kms-nonce`.
    pub nonce: Option<String>,
    /// `x-app-timestamp` / `x-kms-timestamp` (decimal Unix seconds, unparsed).
    pub timestamp: Option<String>,
    /// `x-app-wallet` / `x-kms-wallet`.
    pub wallet: Option<String>,
    /// `x-tee-wallet` (app routes only; the dev shortcut of §2.6).
    pub dev_wallet: Option<String>,
}

/// Which PoP flavour a request carries: the header names of §2.3 (app) or §2.4 (peer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PopFlavour {
    /// App routes `/kms/*` (§2.3).
    App,
    /// Peer route `/sync` (§2.4).
    Peer,
}

impl PopFlavour {
    /// `(signature, nonce, timestamp, wallet)` header names of this flavour.
    pub fn names(self) -> [&'static str; 4] {
        match self {
            PopFlavour::App => [APP_SIGNATURE, APP_NONCE, APP_TIMESTAMP, APP_WALLET],
            PopFlavour::Peer => [KMS_SIGNATURE, KMS_NONCE, KMS_TIMESTAMP, KMS_WALLET],
        }
    }
}

impl PopHeaders {
    /// Collect the PoP headers of `flavour` through `get` (a header lookup by lower-case
    /// name returning the value when it is valid UTF-8). The dev wallet header is read for
    /// [`PopFlavour::App`] only.
    pub fn collect<'a>(flavour: PopFlavour, get: impl Fn(&str) -> Option<&'a str>) -> Self {
        let [sig, nonce, ts, wallet] = flavour.names();
        let own = |n: &str| get(n).map(str::to_string);
        PopHeaders {
            signature: own(sig),
            nonce: own(nonce),
            timestamp: own(ts),
            wallet: own(wallet),
            dev_wallet: match flavour {
                PopFlavour::App => own(TEE_WALLET),
                PopFlavour::Peer => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collect_reads_the_flavours_own_names() {
        let h = [
            (APP_SIGNATURE, "s"),
            (APP_NONCE, "n"),
            (KMS_TIMESTAMP, "9"),
            (TEE_WALLET, "0xab"),
        ];
        let get = |n: &str| h.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
        let app = PopHeaders::collect(PopFlavour::App, get);
        assert_eq!(app.signature.as_deref(), Some("s"));
        assert_eq!(app.nonce.as_deref(), Some("n"));
        assert_eq!(app.timestamp, None);
        assert_eq!(app.dev_wallet.as_deref(), Some("0xab"));
        let peer = PopHeaders::collect(PopFlavour::Peer, get);
        assert_eq!(peer.signature, None);
        assert_eq!(peer.timestamp.as_deref(), Some("9"));
        assert_eq!(peer.dev_wallet, None);
    }
}
