//! Fault injection for the redb storage (testing only; docs/reliability.md "Storage faults").
//!
//! [`FaultyBackend`] wraps redb's own file backend ([`::redb::backends::FileBackend`]; its
//! lock methods are delegated unchanged, so redb still takes the exclusive file lock through it)
//! and makes `write`, `set_len` and/or `sync_data` fail on
//! demand with a chosen OS error ([`FaultKind::DiskFull`] = `ENOSPC`, [`FaultKind::Io`] =
//! `EIO`), controlled through a shared [`FaultSwitch`] that the test keeps. Reads never fail,
//! like a disk that is full or whose write-back failed. Open a store on it with
//! [`super::RedbStorage::open_with_backend`], e.g.
//!
//! ```no_run
//! # use novakms::storage::{fault::{FaultKind, FaultSwitch, FaultyBackend}, RedbStorage};
//! let switch = FaultSwitch::new();
//! let s = switch.clone();
//! let store = RedbStorage::open_with_backend(std::path::Path::new("/tmp/d"), move |p| {
//!     FaultyBackend::open(p, s.clone())
//! })?;
//! switch.fail_sync(FaultKind::Io); // every later fsync fails with EIO
//! switch.heal();
//! # Ok::<(), novakms::error::Error>(())
//! ```
//!
//! The node never uses this module; it exists so unit and integration tests can check that
//! failed commits are reported as errors (never panics), that nothing acknowledged is lost and
//! that the store recovers when the faults stop (design.md §3 "Acknowledge only after commit
//! returns", security-checklist.md storage items).

use std::fs::OpenOptions;
use std::io;
use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;

use ::redb::backends::FileBackend;
use ::redb::{BackendError, StorageBackend};

use crate::error::{Error, Result};

/// The OS error an injected fault returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// `ENOSPC` ("No space left on device").
    DiskFull,
    /// `EIO` ("Input/output error"), e.g. a failed fsync.
    Io,
}

impl FaultKind {
    fn errno(self) -> i32 {
        match self {
            FaultKind::DiskFull => libc::ENOSPC,
            FaultKind::Io => libc::EIO,
        }
    }
}

#[derive(Debug, Default)]
struct FaultState {
    write: AtomicBool,
    set_len: AtomicBool,
    sync: AtomicBool,
    errno: AtomicI32,
    /// Faultable calls still allowed to succeed before the armed faults fire (0 = fire now).
    delay: AtomicU64,
    injected: AtomicU64,
    writes: AtomicU64,
    syncs: AtomicU64,
}

/// Shared switch controlling every [`FaultyBackend`] made with it (clone it freely; all clones
/// control the same faults). Starts healthy.
#[derive(Clone, Debug, Default)]
pub struct FaultSwitch(Arc<FaultState>);

impl FaultSwitch {
    /// A healthy switch (no faults armed).
    pub fn new() -> FaultSwitch {
        FaultSwitch::default()
    }

    fn arm(&self, write: bool, set_len: bool, sync: bool, kind: FaultKind) {
        let s = &self.0;
        s.errno.store(kind.errno(), Ordering::SeqCst);
        s.write.store(write, Ordering::SeqCst);
        s.set_len.store(set_len, Ordering::SeqCst);
        s.sync.store(sync, Ordering::SeqCst);
    }

    /// Make every `sync_data` (fsync) fail with `kind` until [`FaultSwitch::heal`].
    pub fn fail_sync(&self, kind: FaultKind) {
        self.arm(false, false, true, kind);
    }

    /// Make every `write` and `set_len` (growing the file) fail with `kind`: a full disk.
    pub fn fail_writes(&self, kind: FaultKind) {
        self.arm(true, true, false, kind);
    }

    /// Make `write`, `set_len` and `sync_data` all fail with `kind`.
    pub fn fail_all(&self, kind: FaultKind) {
        self.arm(true, true, true, kind);
    }

    /// Let the next `n` faultable calls (`write`/`set_len`/`sync_data`, whichever are armed)
    /// succeed before the armed faults fire, to hit the middle of a commit. Set it before
    /// arming the faults.
    pub fn delay(&self, n: u64) {
        self.0.delay.store(n, Ordering::SeqCst);
    }

    /// Disarm every fault (and any pending delay).
    pub fn heal(&self) {
        self.arm(false, false, false, FaultKind::Io);
        self.0.delay.store(0, Ordering::SeqCst);
    }

    /// Whether any fault is armed.
    pub fn is_armed(&self) -> bool {
        let s = &self.0;
        s.write.load(Ordering::SeqCst)
            || s.set_len.load(Ordering::SeqCst)
            || s.sync.load(Ordering::SeqCst)
    }

    /// Number of calls that failed because of an injected fault so far.
    pub fn injected(&self) -> u64 {
        self.0.injected.load(Ordering::SeqCst)
    }

    /// Number of `write` calls that reached the file so far (all backends of this switch).
    pub fn writes(&self) -> u64 {
        self.0.writes.load(Ordering::SeqCst)
    }

    /// Number of `sync_data` calls that reached the file so far.
    pub fn syncs(&self) -> u64 {
        self.0.syncs.load(Ordering::SeqCst)
    }

    /// `Err` if the fault selected by `which` is armed and its delay has run out.
    fn check(&self, which: &AtomicBool) -> io::Result<()> {
        let s = &self.0;
        if !which.load(Ordering::SeqCst) {
            return Ok(());
        }
        let delayed = s
            .delay
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |d| d.checked_sub(1))
            .is_ok();
        if delayed {
            return Ok(());
        }
        s.injected.fetch_add(1, Ordering::SeqCst);
        Err(io::Error::from_raw_os_error(s.errno.load(Ordering::SeqCst)))
    }
}

/// redb storage backend on a file whose writes / fsyncs fail while its [`FaultSwitch`] says so.
#[derive(Debug)]
pub struct FaultyBackend {
    inner: FileBackend,
    switch: FaultSwitch,
}

impl FaultyBackend {
    /// Open the existing database file `path` read-write. redb takes its exclusive lock through
    /// the delegated lock methods when the database is opened on this backend (redb 4.3+), so a
    /// second handle fails there with `InUse` (see [`super::RedbStorage::open_with_backend`]).
    ///
    /// Errors: `Local` for I/O errors opening the file.
    pub fn open(path: &Path, switch: FaultSwitch) -> Result<FaultyBackend> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| Error::local(format!("cannot open {}: {e}", path.display())))?;
        let inner = FileBackend::new(file)
            .map_err(|e| Error::local(format!("cannot open {}: {e}", path.display())))?;
        Ok(FaultyBackend { inner, switch })
    }
}

impl StorageBackend for FaultyBackend {
    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.switch.check(&self.switch.0.set_len)?;
        self.inner.set_len(len)
    }

    fn sync_data(&self) -> io::Result<()> {
        self.switch.check(&self.switch.0.sync)?;
        self.switch.0.syncs.fetch_add(1, Ordering::SeqCst);
        self.inner.sync_data()
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.switch.check(&self.switch.0.write)?;
        self.switch.0.writes.fetch_add(1, Ordering::SeqCst);
        self.inner.write(offset, data)
    }

    fn close(&self) -> io::Result<()> {
        self.inner.close()
    }

    // The lock methods never fail by injection: they decide who owns the file, not whether a
    // write reaches it.
    fn try_lock_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> std::result::Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> std::result::Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }

    fn lock_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> std::result::Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }

    fn lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> std::result::Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }

    fn unlock_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> std::result::Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }

    fn query_lock_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> std::result::Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}
