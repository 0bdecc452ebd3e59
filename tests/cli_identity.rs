//! `novakms identity new|show` through the binary: V3 keystore, mode 0600,
//! refuses to overwrite, wrong password exits 8, JSON output.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

fn novakms() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_novakms"));
    c.env_remove("NOVAKMS_CONFIG")
        .env_remove("NOVAKMS_PASSWORD_FILE");
    c
}

#[test]
fn identity_new_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "correct horse\n").unwrap();
    let ks = dir.path().join("node.json");
    let out = novakms()
        .args(["identity", "new", "-o", "json", "--out"])
        .arg(&ks)
        .arg("--password-file")
        .arg(&pw)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mode = std::fs::metadata(&ks).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // A V3 keystore: version 3, crypto section, address.
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&ks).unwrap()).unwrap();
    assert_eq!(file["version"], 3);
    assert!(file["crypto"]["ciphertext"].is_string());

    // show (password via the environment variable) prints the same identity.
    let out = novakms()
        .args(["identity", "show", "-o", "json"])
        .arg(&ks)
        .env("NOVAKMS_PASSWORD_FILE", &pw)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["wallet"], created["wallet"]);
    assert_eq!(shown["tee_pubkey"], created["tee_pubkey"]);
    let w = shown["wallet"].as_str().unwrap();
    assert!(w.starts_with("0x") && w.len() == 42 && w == w.to_lowercase());
    let tee = shown["tee_pubkey"].as_str().unwrap();
    assert_eq!(tee.len(), 240);
    assert!(tee.starts_with("3076301006072a8648ce3d020106052b8104002203620004"));

    // Text output names both values.
    let out = novakms()
        .args(["identity", "show"])
        .arg(&ks)
        .arg("--password-file")
        .arg(&pw)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(w) && text.contains(tee), "{text}");

    // Refuses to overwrite (exit 7), file unchanged.
    let before = std::fs::read(&ks).unwrap();
    let out = novakms()
        .args(["identity", "new", "--out"])
        .arg(&ks)
        .arg("--password-file")
        .arg(&pw)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(std::fs::read(&ks).unwrap(), before);

    // Wrong password: exit 8.
    let bad = dir.path().join("bad");
    std::fs::write(&bad, "wrong").unwrap();
    let out = novakms()
        .args(["identity", "show"])
        .arg(&ks)
        .arg("--password-file")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(8),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
