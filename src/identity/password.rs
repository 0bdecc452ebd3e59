//! Keystore password input (design.md §6: secrets never in argv).
//!
//! Sources, in order: an explicit password file (`--password-file`), the file named by
//! `NOVAKMS_PASSWORD_FILE`, an interactive prompt on the controlling terminal. There is no way
//! to pass a password itself on the command line or in an environment variable.

use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Environment variable naming a password file (design.md §6).
pub const PASSWORD_FILE_ENV: &str = "NOVAKMS_PASSWORD_FILE";

/// Read a keystore password.
///
/// * `password_file = Some(p)`: the file's contents with **one** trailing `\n` or `\r\n`
///   removed (other whitespace is part of the password); must be UTF-8.
/// * else, if `NOVAKMS_PASSWORD_FILE` is set and non-empty: that file, same rules.
/// * else, if a terminal is available (`/dev/tty`): prompt with `prompt` (no echo); with
///   `confirm`, ask again ("Repeat password: ") and require a match and a non-empty password.
/// * else: [`crate::ErrorKind::Local`] "no password: pass --password-file or set
///   NOVAKMS_PASSWORD_FILE".
///
/// Errors are [`crate::ErrorKind::Local`] (missing/unreadable/non-UTF-8 file, mismatch); they
/// name the file but never contain the password.
pub fn read_password(
    password_file: Option<&Path>,
    prompt: &str,
    confirm: bool,
) -> Result<Zeroizing<String>> {
    if let Some(p) = password_file {
        return read_password_file(p);
    }
    if let Some(p) = std::env::var_os(PASSWORD_FILE_ENV).filter(|v| !v.is_empty()) {
        return read_password_file(Path::new(&p));
    }
    if !tty_available() {
        return Err(Error::local(
            "no password: pass --password-file or set NOVAKMS_PASSWORD_FILE",
        ));
    }
    let pw = Zeroizing::new(
        rpassword::prompt_password(prompt)
            .map_err(|e| Error::local(format!("cannot read password from terminal: {e}")))?,
    );
    if confirm {
        if pw.is_empty() {
            return Err(Error::local("empty password refused"));
        }
        let again = Zeroizing::new(
            rpassword::prompt_password("Repeat password: ")
                .map_err(|e| Error::local(format!("cannot read password from terminal: {e}")))?,
        );
        if !crate::crypto::ct_eq(pw.as_bytes(), again.as_bytes()) {
            return Err(Error::local("passwords do not match"));
        }
    }
    Ok(pw)
}

/// Read a password file: contents minus one trailing `\n` / `\r\n`, UTF-8 required.
/// Errors: [`crate::ErrorKind::Local`] naming the file.
pub fn read_password_file(path: &Path) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::local(format!("password file not found: {}", path.display()))
        } else {
            Error::local(format!("cannot read password file {}: {e}", path.display()))
        }
    })?);
    let mut end = bytes.len();
    if bytes[..end].ends_with(b"\r\n") {
        end -= 2;
    } else if bytes[..end].ends_with(b"\n") {
        end -= 1;
    }
    let text = std::str::from_utf8(&bytes[..end])
        .map_err(|_| Error::local(format!("password file {} is not UTF-8", path.display())))?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// Whether an interactive terminal can be opened for prompting (rpassword uses `/dev/tty`).
fn tty_available() -> bool {
    #[cfg(unix)]
    {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok()
    }
    #[cfg(not(unix))]
    {
        use std::io::IsTerminal;
        std::io::stdin().is_terminal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn password_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pw");
        let cases: [(&[u8], &str); 6] = [
            (b"secret\n", "secret"),
            (b"secret\r\n", "secret"),
            (b"secret", "secret"),
            (b"secret\n\n", "secret\n"),
            (b" sp ace \n", " sp ace "),
            (b"", ""),
        ];
        for (content, want) in cases {
            std::fs::write(&p, content).unwrap();
            assert_eq!(read_password(Some(&p), "x", true).unwrap().as_str(), want);
        }
        std::fs::write(&p, [0xffu8, 0xfe]).unwrap();
        assert_eq!(
            read_password(Some(&p), "x", false).unwrap_err().kind(),
            ErrorKind::Local
        );
        let e = read_password(Some(&dir.path().join("none")), "x", false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Local);
        assert!(e.message().contains("not found"));
    }
}
