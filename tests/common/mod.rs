//! Shared harness of the integration tests (one place for what several test files need):
//!
//! * [`devnet`]: a real devnet (anvil + deployed contracts + `novakms serve` processes over
//!   HTTP) started through the `novakms` binary itself, torn down on drop; chain setup
//!   (registering instances, refused apps, new nodes).
//! * [`process`]: child processes: pid liveness, waiting for exit, `Proc` (killed on drop),
//!   starting `novakms serve` / running the CLI with a config.
//! * [`wait`]: the tokio runtime of the tests, polling until a condition holds, readiness,
//!   env knobs and wall-clock helpers.
//! * [`http`]: plain JSON reads of a node's public endpoints (`/status`, `/nodes`, `/nonce`).
//! * [`pop`]: hand-made (valid or forged) PoP headers, envelopes and raw requests.
//! * [`inproc`]: in-process nodes without a chain (real `NodeState`, real router on
//!   127.0.0.1, hand-filled PeerCache).
//! * [`keyed`]: a keystore-backed node identity for config-less CLI tests, and `expect_code`.
//! * [`prop`]: proptest configuration.
//! * [`tls`]: a private CA made by the test (rcgen), leaf certificates, clients trusting it.

// Every test binary compiles this module on its own and uses only part of it; what one binary
// leaves unused is not dead code.
#![allow(dead_code)]

pub mod devnet;
pub mod http;
pub mod inproc;
pub mod keyed;
pub mod pop;
pub mod process;
pub mod prop;
pub mod tls;
pub mod wait;

use std::path::PathBuf;
use std::process::Output;

// Short paths for the most used items; unused ones are not flagged by `dead_code` but as
// unused imports, in the binaries that do not need them.
#[allow(unused_imports)]
pub use devnet::Devnet;
#[allow(unused_imports)]
pub use process::{alive, wait_gone};
#[allow(unused_imports)]
pub use wait::{wait_ready, wait_ready_async};

/// Path of the binary under test.
pub fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_novakms"))
}

/// stdout of a successful command (panics with stderr otherwise).
pub fn ok_stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "command failed ({:?}): {}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
