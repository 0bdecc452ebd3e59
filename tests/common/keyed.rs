//! A node identity on disk (keystore + password file) for CLI tests that run without a config
//! file (`backup`, `restore`), and the exit-code assertion they share.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use novakms::identity::Identity;

use super::exe;

/// A node identity with its keystore and password file in a test directory.
pub struct KeyedNode {
    /// The identity (wallet, teePubkey).
    pub id: Identity,
    /// Its keystore file.
    pub keystore: PathBuf,
    /// A file holding `password` and a newline.
    pub password_file: PathBuf,
}

impl KeyedNode {
    /// A fresh identity written to `<dir>/<name>.keystore.json` under `password`.
    pub fn new(dir: &Path, name: &str, password: &str) -> KeyedNode {
        let id = Identity::generate();
        let keystore = dir.join(format!("{name}.keystore.json"));
        novakms::identity::write_keystore(&keystore, password, &id).unwrap();
        let password_file = dir.join(format!("{name}.password"));
        std::fs::write(&password_file, format!("{password}\n")).unwrap();
        KeyedNode {
            id,
            keystore,
            password_file,
        }
    }

    /// `novakms --keystore K --password-file P <args>` with extra environment (no config file).
    pub fn cli_env(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut c = Command::new(exe());
        c.arg("--keystore")
            .arg(&self.keystore)
            .arg("--password-file")
            .arg(&self.password_file)
            .args(args)
            .env_remove("NOVAKMS_CONFIG")
            .env("NO_COLOR", "1");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("run novakms")
    }

    /// [`KeyedNode::cli_env`] without extra environment.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.cli_env(&[], args)
    }
}

/// The process's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Assert the exit code is `want`, showing stdout and stderr otherwise.
pub fn expect_code(out: &Output, want: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(want),
        "{what}: stdout {} stderr {}",
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
}
