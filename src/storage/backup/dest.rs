//! Where a new backup file goes (design.md §5 "Write to FILE.part, fsync, rename, fsync the
//! directory"): [`BackupDest`], the atomic `FILE.part` destination, or stdout.
//!
//! Guarantees: FILE appears only complete and synced (the data is written to `FILE.part`, mode
//! 0600, fsynced, renamed to FILE, then the directory is fsynced); a failed or abandoned backup
//! leaves no `FILE.part` (it is removed on drop); without `force` an existing FILE is never
//! replaced, not even one that appeared while the backup ran.

use std::ffi::OsString;
use std::fs::{self, File, Permissions};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, ErrorKind, Result};

/// Buffer size of the destination writer, bytes.
const WRITE_BUFFER: usize = 1 << 20;

/// The destination of `backup create`: `FILE.part` renamed to FILE at [`BackupDest::commit`],
/// or stdout (FILE `-`).
pub enum BackupDest {
    /// A file written through its `.part` sibling.
    File {
        /// The final path.
        dest: PathBuf,
        /// Replace `dest` if it exists.
        force: bool,
        /// `dest.part`, removed on drop unless committed.
        w: BufWriter<NamedTempFile>,
    },
    /// Standard output (never a terminal).
    Stdout(BufWriter<io::Stdout>),
}

impl BackupDest {
    /// Open the destination for `file` (`-` is stdout).
    ///
    /// Errors: Usage (stdout is a terminal), Refused (FILE exists and not `force`), Local
    /// (cannot create `FILE.part`). A leftover `FILE.part` of an interrupted backup is replaced.
    pub fn open(file: &Path, force: bool) -> Result<BackupDest> {
        if file == Path::new("-") {
            if io::stdout().is_terminal() {
                return Err(Error::new(
                    ErrorKind::Usage,
                    "refusing to write a binary snapshot to a terminal: redirect stdout or give \
                     a file name",
                ));
            }
            return Ok(BackupDest::Stdout(BufWriter::with_capacity(
                WRITE_BUFFER,
                io::stdout(),
            )));
        }
        if !force && file.symlink_metadata().is_ok() {
            return Err(exists(file));
        }
        let part = part_path(file);
        match fs::remove_file(&part) {
            Ok(()) => tracing::info!(path = %part.display(), "replacing a leftover partial file"),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::local(format!(
                    "cannot create {}: {e}",
                    part.display()
                )))
            }
        }
        let name = part
            .file_name()
            .map(OsString::from)
            .ok_or_else(|| Error::local(format!("{} is not a file name", file.display())))?;
        let tmp = tempfile::Builder::new()
            .prefix(&name)
            .rand_bytes(0)
            .permissions(Permissions::from_mode(0o600))
            .tempfile_in(parent_dir(file))
            .map_err(|e| Error::local(format!("cannot create {}: {e}", part.display())))?;
        Ok(BackupDest::File {
            dest: file.to_path_buf(),
            force,
            w: BufWriter::with_capacity(WRITE_BUFFER, tmp),
        })
    }

    /// Flush; for a file: fsync `FILE.part`, rename it to FILE (without `force`: only if FILE
    /// still does not exist), fsync the directory.
    ///
    /// Errors: Refused (FILE appeared meanwhile, without `force`), Local (I/O). `FILE.part` is
    /// removed on any error.
    pub fn commit(self) -> Result<()> {
        match self {
            BackupDest::Stdout(mut w) => w
                .flush()
                .map_err(|e| Error::local(format!("cannot write to stdout: {e}"))),
            BackupDest::File { dest, force, w } => {
                let part = part_path(&dest);
                let tmp = w.into_inner().map_err(|e| {
                    Error::local(format!("cannot write {}: {}", part.display(), e.error()))
                })?;
                tmp.as_file()
                    .sync_all()
                    .map_err(|e| Error::local(format!("cannot sync {}: {e}", part.display())))?;
                let persisted = if force {
                    tmp.persist(&dest)
                } else {
                    tmp.persist_noclobber(&dest)
                };
                match persisted {
                    Ok(_) => {}
                    Err(e) if !force && e.error.kind() == io::ErrorKind::AlreadyExists => {
                        return Err(exists(&dest))
                    }
                    Err(e) => {
                        return Err(Error::local(format!(
                            "cannot rename {} to {}: {}",
                            part.display(),
                            dest.display(),
                            e.error
                        )))
                    }
                }
                fsync_dir(&parent_dir(&dest))
            }
        }
    }

    /// Give up: remove `FILE.part` (the same as dropping the destination).
    pub fn abort(self) {
        drop(self);
    }

    /// Whether this is stdout.
    pub fn is_stdout(&self) -> bool {
        matches!(self, BackupDest::Stdout(_))
    }
}

impl Write for BackupDest {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            BackupDest::File { w, .. } => w.write(buf),
            BackupDest::Stdout(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            BackupDest::File { w, .. } => w.write_all(buf),
            BackupDest::Stdout(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            BackupDest::File { w, .. } => w.flush(),
            BackupDest::Stdout(w) => w.flush(),
        }
    }
}

/// The Refused error for an existing FILE.
fn exists(file: &Path) -> Error {
    Error::new(
        ErrorKind::Refused,
        format!("{} exists (pass --force to replace it)", file.display()),
    )
}

/// `FILE.part`.
fn part_path(file: &Path) -> PathBuf {
    let mut part = file.as_os_str().to_owned();
    part.push(".part");
    PathBuf::from(part)
}

/// fsync a directory (after a rename or link in it). Errors: Local naming it.
pub fn fsync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::local(format!("cannot sync directory {}: {e}", dir.display())))
}

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_is_private_and_renamed() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("x.nksnap");
        let mut d = BackupDest::open(&f, false).unwrap();
        d.write_all(b"abc").unwrap();
        let part = t.path().join("x.nksnap.part");
        let mode = fs::metadata(&part).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        d.commit().unwrap();
        assert!(!part.exists());
        assert_eq!(fs::read(&f).unwrap(), b"abc");
        let e = BackupDest::open(&f, false).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Refused);
        let d = BackupDest::open(&f, true).unwrap();
        d.abort();
        assert!(!part.exists());
        assert_eq!(fs::read(&f).unwrap(), b"abc");
        // --force replaces
        let mut d = BackupDest::open(&f, true).unwrap();
        d.write_all(b"new").unwrap();
        d.commit().unwrap();
        assert_eq!(fs::read(&f).unwrap(), b"new");
    }

    #[test]
    fn leftover_part_is_replaced_and_a_racing_file_is_not() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("y.nksnap");
        let part = t.path().join("y.nksnap.part");
        fs::write(&part, b"old partial").unwrap();
        fs::set_permissions(&part, Permissions::from_mode(0o644)).unwrap();
        let mut d = BackupDest::open(&f, false).unwrap();
        let mode = fs::metadata(&part).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        d.write_all(b"abc").unwrap();
        // FILE appears while the backup runs: without --force it is kept.
        fs::write(&f, b"theirs").unwrap();
        let e = d.commit().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
        assert_eq!(fs::read(&f).unwrap(), b"theirs");
        assert!(!part.exists());
    }

    #[test]
    fn dropped_destination_leaves_nothing() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("z.nksnap");
        let mut d = BackupDest::open(&f, false).unwrap();
        d.write_all(b"abc").unwrap();
        drop(d);
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 0);
    }

    #[test]
    fn parent_of_a_bare_name_is_the_current_dir() {
        assert_eq!(parent_dir(Path::new("x.nksnap")), PathBuf::from("."));
        assert_eq!(parent_dir(Path::new("/a/x")), PathBuf::from("/a"));
    }
}
