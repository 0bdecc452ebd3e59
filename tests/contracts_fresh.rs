//! The committed contract artifacts must be what the pinned solc-js produces
//! from `contracts/src` (rebuild with `make contracts`).

#[test]
fn committed_artifacts_match_sources() {
    let root = env!("CARGO_MANIFEST_DIR");
    let solc = std::path::Path::new(root).join("tools/devchain/node_modules/solc");
    assert!(
        solc.exists(),
        "solc-js not installed: run `make devchain` (npm ci in tools/devchain)"
    );
    let out = std::process::Command::new("node")
        .arg(format!("{root}/tools/devchain/build-contracts.js"))
        .arg("--check")
        .output()
        .expect("node must be installed to check the contract artifacts");
    assert!(
        out.status.success(),
        "contract artifacts are stale; run `make contracts`:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
