//! A copy-on-write view of a database file: redb reads the file, and everything redb writes
//! (a repair, the clean-shutdown header) stays in this process's memory. It lets
//! `upgrade::probe` open a file that needs a repair with redb 4.x, to look at its format,
//! without writing the file and without copying it first (a 1 GB copy took 17 s in the
//! 1M-record scale run, most of a SIGKILL restart; issue 12 item 5).
//!
//! Guarantees (tests below and in `upgrade_tests`):
//! * **The file is never written**: it is opened read-only; writes land in 4 KiB blocks held in
//!   memory, and reads see them over the file's bytes (a length cut and regrown reads zeros, as
//!   a file would).
//! * **Memory is bounded**: past [`OVERLAY_LIMIT_BYTES`] of written blocks a write fails (an I/O
//!   error to redb), and the probe falls back to its private copy. A repair that can use the
//!   quick-repair state writes a few pages; a full repair writes the allocator state, a few
//!   pages per GB.
//! * **No locks**: every lock method reports `Unsupported`, so redb runs in its exclusive-writer
//!   mode on this view; the caller knows no live writer holds the file (redb's read-only open
//!   would have said so) and opens it for real right after.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;

use ::redb::{Database, StorageBackend};

use crate::error::{Error, Result};

use super::errors::{open_err, unwind_corrupt};
use super::file::builder;

/// Open the database at `path` with redb's normal open (repair included) over a fresh view
/// (module docs), with a page cache of `cache_bytes`: what `upgrade::probe` and the read-only
/// views (`readonly`) read a killed node's file through.
///
/// Errors: `Local` when the file cannot be opened; what redb's open reports (`open_err`), a
/// panic inside redb as `Integrity`; a repair that outgrows [`OVERLAY_LIMIT_BYTES`] as `Local`.
pub(super) fn open_database(path: &Path, cache_bytes: usize) -> Result<Database> {
    let backend = OverlayBackend::open(path)
        .map_err(|e| Error::local(format!("cannot open {}: {e}", path.display())))?;
    unwind_corrupt(path, "repairing a view of", || {
        builder(cache_bytes)
            .create_with_backend(backend)
            .map_err(|e| open_err(path, e))
    })
}

/// Block size of the overlay, bytes.
const BLOCK: u64 = 4096;

/// Most bytes of written blocks an overlay holds (64 MiB).
pub(super) const OVERLAY_LIMIT_BYTES: usize = 64 << 20;

/// The copy-on-write view (module docs).
#[derive(Debug)]
pub(super) struct OverlayBackend {
    base: File,
    state: Mutex<Overlay>,
}

#[derive(Debug)]
struct Overlay {
    /// Length as redb sees it.
    len: u64,
    /// Bytes of the file at or past this offset read as zeros (the length was cut below it).
    base_visible: u64,
    /// Written blocks by index.
    blocks: HashMap<u64, Box<[u8]>>,
}

impl OverlayBackend {
    /// A view of the file at `path`, opened read-only. Errors: I/O errors opening it.
    pub(super) fn open(path: &Path) -> io::Result<OverlayBackend> {
        let base = File::open(path)?;
        let len = base.metadata()?.len();
        Ok(OverlayBackend {
            base,
            state: Mutex::new(Overlay {
                len,
                base_visible: len,
                blocks: HashMap::new(),
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Overlay> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Bytes of written blocks held.
    #[cfg(test)]
    fn held_bytes(&self) -> usize {
        self.lock().blocks.len() * BLOCK as usize
    }

    /// Fill `out` with the bytes of block `idx` from `start` within it, as the view sees them.
    fn read_block(&self, o: &Overlay, idx: u64, start: usize, out: &mut [u8]) -> io::Result<()> {
        if let Some(b) = o.blocks.get(&idx) {
            out.copy_from_slice(&b[start..start + out.len()]);
            return Ok(());
        }
        let from = idx * BLOCK + start as u64;
        let visible = o.base_visible.saturating_sub(from).min(out.len() as u64) as usize;
        self.base.read_exact_at(&mut out[..visible], from)?;
        out[visible..].fill(0);
        Ok(())
    }
}

fn too_large() -> io::Error {
    io::Error::other(format!(
        "probe overlay is full ({OVERLAY_LIMIT_BYTES} bytes of writes)"
    ))
}

impl StorageBackend for OverlayBackend {
    fn len(&self) -> io::Result<u64> {
        Ok(self.lock().len)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let o = self.lock();
        for s in spans(offset, out.len(), o.len, "read")? {
            self.read_block(&o, s.idx, s.start, &mut out[s.at..s.at + s.n])?;
        }
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut o = self.lock();
        if len < o.len {
            // Cut: drop whole blocks past the end, zero the tail of the last one, and hide the
            // file's bytes past the new end (a later growth reads zeros there).
            o.blocks.retain(|idx, _| idx * BLOCK < len);
            let idx = len / BLOCK;
            let start = (len % BLOCK) as usize;
            if start > 0 {
                let mut b = vec![0u8; BLOCK as usize].into_boxed_slice();
                self.read_block(&o, idx, 0, &mut b[..start])?;
                o.blocks.insert(idx, b);
            }
            o.base_visible = o.base_visible.min(len);
        }
        o.len = len;
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut o = self.lock();
        for s in spans(offset, data.len(), o.len, "write")? {
            if !o.blocks.contains_key(&s.idx) {
                if (o.blocks.len() + 1) * BLOCK as usize > OVERLAY_LIMIT_BYTES {
                    return Err(too_large());
                }
                let mut b = vec![0u8; BLOCK as usize].into_boxed_slice();
                self.read_block(&o, s.idx, 0, &mut b)?;
                o.blocks.insert(s.idx, b);
            }
            if let Some(b) = o.blocks.get_mut(&s.idx) {
                b[s.start..s.start + s.n].copy_from_slice(&data[s.at..s.at + s.n]);
            }
        }
        Ok(())
    }
}

/// The part of one block an access covers: block `idx`, bytes `start..start + n` of it, which
/// are bytes `at..at + n` of the caller's buffer.
struct Span {
    idx: u64,
    start: usize,
    n: usize,
    at: usize,
}

/// The blocks an access of `len` bytes at `offset` covers, in order. Errors: `UnexpectedEof`
/// when it ends past `size` (what a file does for a read or write past its end).
fn spans(offset: u64, len: usize, size: u64, what: &str) -> io::Result<Vec<Span>> {
    let end = offset
        .checked_add(len as u64)
        .filter(|e| *e <= size)
        .ok_or_else(|| {
            io::Error::new(io::ErrorKind::UnexpectedEof, format!("{what} past the end"))
        })?;
    let mut out = Vec::new();
    let mut pos = offset;
    while pos < end {
        let (idx, start) = (pos / BLOCK, (pos % BLOCK) as usize);
        let n = (BLOCK as usize - start).min((end - pos) as usize);
        out.push(Span {
            idx,
            start,
            n,
            at: (pos - offset) as usize,
        });
        pos += n as u64;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf, OverlayBackend) {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("f");
        std::fs::write(&p, bytes).unwrap();
        let v = OverlayBackend::open(&p).unwrap();
        (t, p, v)
    }

    fn read(v: &OverlayBackend, offset: u64, n: usize) -> Vec<u8> {
        let mut out = vec![0xee; n];
        v.read(offset, &mut out).unwrap();
        out
    }

    #[test]
    fn writes_are_seen_over_the_file_and_never_reach_it() {
        let file: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let (_t, p, v) = view(&file);
        assert_eq!(v.len().unwrap(), 10_000);
        assert_eq!(read(&v, 0, 10_000), file);
        // A write across a block boundary.
        v.write(4090, &[1; 20]).unwrap();
        let mut want = file.clone();
        want[4090..4110].fill(1);
        assert_eq!(read(&v, 0, 10_000), want);
        assert_eq!(read(&v, 4085, 30), want[4085..4115].to_vec());
        // Growth reads zeros, and can be written.
        v.set_len(12_000).unwrap();
        want.resize(12_000, 0);
        v.write(11_000, &[2; 10]).unwrap();
        want[11_000..11_010].fill(2);
        assert_eq!(read(&v, 0, 12_000), want);
        // Past the end: an error.
        assert!(v.read(11_999, &mut [0; 2]).is_err());
        assert!(v.write(11_999, &[0; 2]).is_err());
        // The file is untouched.
        assert_eq!(std::fs::read(&p).unwrap(), file);
    }

    #[test]
    fn a_cut_length_hides_the_file_bytes_past_it() {
        let file = vec![7u8; 9000];
        let (_t, _p, v) = view(&file);
        v.set_len(5000).unwrap();
        v.set_len(9000).unwrap();
        let got = read(&v, 0, 9000);
        assert!(got[..5000].iter().all(|b| *b == 7));
        assert!(
            got[5000..].iter().all(|b| *b == 0),
            "regrown bytes read as zeros"
        );
        // A cut at a block boundary, then growth.
        v.set_len(4096).unwrap();
        v.set_len(8192).unwrap();
        let got = read(&v, 0, 8192);
        assert!(got[..4096].iter().all(|b| *b == 7));
        assert!(got[4096..].iter().all(|b| *b == 0));
    }

    #[test]
    fn writes_past_the_limit_fail() {
        let (_t, _p, v) = view(&[]);
        let n = OVERLAY_LIMIT_BYTES as u64 + 2 * BLOCK;
        v.set_len(n).unwrap();
        let mut pos = 0;
        let err = loop {
            match v.write(pos, &[1; BLOCK as usize]) {
                Ok(()) => pos += BLOCK,
                Err(e) => break e,
            }
        };
        assert!(err.to_string().contains("overlay is full"), "{err}");
        assert_eq!(v.held_bytes(), OVERLAY_LIMIT_BYTES);
    }
}
