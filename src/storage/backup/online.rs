//! Receiving an online backup (`backup create` without `--data-dir`): the bytes the node streams
//! are written to the destination and verified as they arrive, and the destination is committed
//! only when the whole file verified.
//!
//! Guarantees: FILE exists afterwards only if every check of [`BackupReader::finish`] passed on
//! exactly the bytes written; any failure removes `FILE.part`. When the sender broke the stream
//! off, its error ([`BackupSource::broken_off`], Remote) is reported instead of the resulting
//! truncation error.

use std::io::{self, BufReader, Read, Write};

use super::dest::BackupDest;
use super::format::IO_BUFFER;
use super::read::{BackupReader, Verified};
use crate::error::{Error, Result};

/// A stream of backup bytes whose sender can fail (`client::admin::BackupDownload`).
pub trait BackupSource: Read {
    /// Why the sender broke the stream off, if it did (checked after a failed verification).
    fn broken_off(&self) -> Option<Error>;
}

/// A reader that copies everything it reads into `w` and reports the bytes to `on_bytes`.
struct Tee<'a, R, W> {
    r: R,
    w: W,
    on_bytes: &'a mut dyn FnMut(u64),
    failed: Option<io::Error>,
}

impl<R: Read, W: Write> Read for Tee<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.r.read(buf)?;
        if let Err(e) = self.w.write_all(&buf[..n]) {
            let msg = e.to_string();
            self.failed = Some(e);
            return Err(io::Error::other(format!(
                "cannot write the snapshot: {msg}"
            )));
        }
        (self.on_bytes)(n as u64);
        Ok(n)
    }
}

/// Write `src` to `dest` while verifying it; commit `dest` when it verified, else remove it.
/// `on_bytes` sees the size of every piece received. Blocking: run it off the async runtime.
///
/// Errors: the sender's error when it broke the stream off (Remote); Local (cannot write or
/// commit the destination); the verification error (Integrity) otherwise; Refused (FILE
/// appeared meanwhile, without `--force`).
pub fn receive<S: BackupSource>(
    src: S,
    dest: BackupDest,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<Verified> {
    let mut tee = Tee {
        r: src,
        w: dest,
        on_bytes,
        failed: None,
    };
    let verified = BackupReader::open(BufReader::with_capacity(IO_BUFFER, &mut tee))
        .and_then(BackupReader::finish);
    let Tee { r, w, failed, .. } = tee;
    match (verified, failed) {
        (Ok(v), None) => {
            w.commit()?;
            Ok(v)
        }
        (_, Some(e)) => {
            w.abort();
            Err(r
                .broken_off()
                .unwrap_or_else(|| Error::local(format!("cannot write the snapshot: {e}"))))
        }
        (Err(e), None) => {
            w.abort();
            Err(r.broken_off().unwrap_or(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::identity::Identity;
    use crate::storage::backup::fixtures::*;
    use crate::storage::MemoryStorage;

    /// A source that yields `bytes`, then optionally fails as a broken-off sender.
    struct Src {
        bytes: io::Cursor<Vec<u8>>,
        broken: bool,
    }

    impl Read for Src {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.bytes.read(buf)?;
            if n == 0 && self.broken {
                return Err(io::Error::other("gone"));
            }
            Ok(n)
        }
    }

    impl BackupSource for Src {
        fn broken_off(&self) -> Option<Error> {
            self.broken.then(|| Error::remote("the node broke off"))
        }
    }

    #[test]
    fn complete_streams_are_committed_and_broken_ones_leave_nothing() {
        let id = Identity::generate();
        let mem = MemoryStorage::new();
        populate(&mem);
        let good = snap(&mem, &id);
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("a.nksnap");

        let mut seen = 0u64;
        let src = Src {
            bytes: io::Cursor::new(good.clone()),
            broken: false,
        };
        let v = receive(src, BackupDest::open(&f, false).unwrap(), &mut |n| {
            seen += n
        })
        .unwrap();
        assert_eq!(v.bytes, good.len() as u64);
        assert_eq!(seen, good.len() as u64);
        assert_eq!(std::fs::read(&f).unwrap(), good);

        // Truncated by the sender: its error, no file.
        let g = t.path().join("b.nksnap");
        let src = Src {
            bytes: io::Cursor::new(good[..good.len() / 2].to_vec()),
            broken: true,
        };
        let e = receive(src, BackupDest::open(&g, false).unwrap(), &mut |_| {}).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Remote, "{e}");
        // Corrupt but complete: the verification error, no file.
        let mut bad = good.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let src = Src {
            bytes: io::Cursor::new(bad),
            broken: false,
        };
        let e = receive(src, BackupDest::open(&g, false).unwrap(), &mut |_| {}).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Integrity, "{e}");
        let names: Vec<_> = std::fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.nksnap")]);
    }
}
