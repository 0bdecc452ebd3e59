//! Compact, versioned binary encoding of a [`Record`] as stored in the redb `records` table
//! (design.md §4). Written by hand so the on-disk format is ours, stable and checked.
//!
//! Layout of format 1 (all integers little-endian); the key and app id are not stored (they are
//! the table key) but are covered by the checksum, so a value moved under another key is caught:
//!
//! ```text
//! off  size  field
//!   0     1  format = 1
//!   1     1  flags: bit 0 = tombstone; other bits must be 0
//!   2     8  updated_at_ms (u64)
//!  10     8  ttl_ms (u64)
//!  18     2  n = vector-clock entries (u16)
//!  20     …  n × { id_len (u16), id (UTF-8, id_len bytes), counter (u64) }, ids strictly ascending
//!   …     4  value_len (u32); must be 0 for a tombstone
//!   …     …  value (ciphertext bytes)
//!   …     4  CRC-32/IEEE of: app_id (u64) ‖ key_len (u32) ‖ key bytes ‖ every byte above
//! ```
//!
//! [`decode_record`] rejects anything that is not exactly such an encoding (unknown format,
//! unknown flags, truncation, trailing bytes, invalid UTF-8, unsorted or duplicate clock ids,
//! tombstone with a value, checksum mismatch) with a message; it never panics.

use std::collections::BTreeMap;

use crate::store::{Record, VectorClock};

/// The record format version written by this build.
pub const RECORD_FORMAT_V1: u8 = 1;

const FLAG_TOMBSTONE: u8 = 0x01;

/// CRC-32/IEEE (reflected polynomial 0xEDB88320, `crc32fast`) of the checksummed fields.
fn checksum(app_id: u64, key: &str, body: &[u8]) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    crc.update(&app_id.to_le_bytes());
    crc.update(&(key.len() as u32).to_le_bytes());
    crc.update(key.as_bytes());
    crc.update(body);
    crc.finalize()
}

/// Encode `rec` (stored under `(app_id, rec.key)`) in format 1.
///
/// Errors (a message; the caller maps it to `ErrorKind::Local`): a node id longer than 65,535
/// bytes, more than 65,535 clock entries, a value of 4 GiB or more, a key of 4 GiB or more, or a
/// tombstone carrying a value. None of these can come from the API or the sync parser.
pub fn encode_record(app_id: u64, rec: &Record) -> Result<Vec<u8>, String> {
    if rec.tombstone && !rec.value.is_empty() {
        return Err("tombstone with a non-empty value".into());
    }
    let n: u16 = rec
        .version
        .0
        .len()
        .try_into()
        .map_err(|_| "too many vector-clock entries".to_string())?;
    let value_len: u32 = rec
        .value
        .len()
        .try_into()
        .map_err(|_| "value too large to store".to_string())?;
    if u32::try_from(rec.key.len()).is_err() {
        return Err("key too large to store".into());
    }
    let clock_bytes: usize = rec.version.0.keys().map(|k| 2 + k.len() + 8).sum();
    let mut out = Vec::with_capacity(20 + clock_bytes + 4 + rec.value.len() + 4);
    out.push(RECORD_FORMAT_V1);
    out.push(if rec.tombstone { FLAG_TOMBSTONE } else { 0 });
    out.extend_from_slice(&rec.updated_at_ms.to_le_bytes());
    out.extend_from_slice(&rec.ttl_ms.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    for (id, counter) in &rec.version.0 {
        let id_len: u16 = id
            .len()
            .try_into()
            .map_err(|_| "vector-clock node id too long".to_string())?;
        out.extend_from_slice(&id_len.to_le_bytes());
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&counter.to_le_bytes());
    }
    out.extend_from_slice(&value_len.to_le_bytes());
    out.extend_from_slice(&rec.value);
    let crc = checksum(app_id, &rec.key, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// Bounds-checked reader over a byte slice.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| format!("truncated record (reading {what})"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self, what: &str) -> Result<u8, String> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16, String> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &str) -> Result<u32, String> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, what: &str) -> Result<u64, String> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

/// Decode the stored bytes of `(app_id, key)` into a [`Record`] (with `key` filled in).
///
/// Errors: a message naming the first problem found (unknown format version, unknown flag bits,
/// truncation, trailing bytes, invalid UTF-8 node id, clock ids not strictly ascending, tombstone
/// with a value, checksum mismatch). The caller maps it to `ErrorKind::Integrity`. Never panics.
pub fn decode_record(app_id: u64, key: &str, bytes: &[u8]) -> Result<Record, String> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let format = r.u8("format")?;
    if format != RECORD_FORMAT_V1 {
        return Err(format!("unknown record format {format}"));
    }
    let flags = r.u8("flags")?;
    if flags & !FLAG_TOMBSTONE != 0 {
        return Err(format!("unknown record flags {flags:#04x}"));
    }
    let tombstone = flags & FLAG_TOMBSTONE != 0;
    let updated_at_ms = r.u64("updated_at_ms")?;
    let ttl_ms = r.u64("ttl_ms")?;
    let n = r.u16("clock length")?;
    let mut clock = BTreeMap::new();
    let mut prev: Option<&str> = None;
    for _ in 0..n {
        let id_len = r.u16("clock id length")? as usize;
        let id = std::str::from_utf8(r.take(id_len, "clock id")?)
            .map_err(|_| "clock id is not UTF-8".to_string())?;
        let counter = r.u64("clock counter")?;
        if prev.is_some_and(|p| p >= id) {
            return Err("clock ids not strictly ascending".into());
        }
        prev = Some(id);
        clock.insert(id.to_string(), counter);
    }
    let value_len = r.u32("value length")? as usize;
    if tombstone && value_len != 0 {
        return Err("tombstone with a non-empty value".into());
    }
    let value = r.take(value_len, "value")?.to_vec();
    let body_end = r.pos;
    let stored_crc = r.u32("checksum")?;
    if r.pos != bytes.len() {
        return Err(format!(
            "{} trailing bytes after record",
            bytes.len() - r.pos
        ));
    }
    if checksum(app_id, key, &bytes[..body_end]) != stored_crc {
        return Err("record checksum mismatch".into());
    }
    Ok(Record {
        key: key.to_string(),
        value,
        version: VectorClock(clock),
        updated_at_ms,
        tombstone,
        ttl_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        Record {
            key: "path/to/κey".into(),
            value: (0u8..=255).collect(),
            version: VectorClock::from([("0xaa", 3), ("0xbb", 0), ("0xcc", u64::MAX)]),
            updated_at_ms: 1_730_000_000_000,
            tombstone: false,
            ttl_ms: 5000,
        }
    }

    #[test]
    fn crc32_known_vector() {
        let mut c = crc32fast::Hasher::new();
        c.update(b"123456789");
        assert_eq!(c.finalize(), 0xCBF4_3926);
        // The checksum of a fixed record is part of the on-disk format: it never changes.
        assert_eq!(checksum(49, "k", b"body"), 0x74CE_17C8);
    }

    #[test]
    fn round_trip_value_and_tombstone() {
        let r = sample();
        let enc = encode_record(49, &r).unwrap();
        assert_eq!(decode_record(49, &r.key, &enc).unwrap(), r);
        let t = Record {
            key: String::new(),
            value: vec![],
            version: VectorClock::new(),
            updated_at_ms: 0,
            tombstone: true,
            ttl_ms: 0,
        };
        let enc = encode_record(0, &t).unwrap();
        assert_eq!(decode_record(0, "", &enc).unwrap(), t);
    }

    #[test]
    fn rejects_every_truncation_and_trailing_bytes() {
        let r = sample();
        let enc = encode_record(7, &r).unwrap();
        for len in 0..enc.len() {
            assert!(decode_record(7, &r.key, &enc[..len]).is_err(), "len {len}");
        }
        let mut longer = enc.clone();
        longer.push(0);
        assert!(decode_record(7, &r.key, &longer).is_err());
    }

    #[test]
    fn rejects_every_single_bit_flip_and_wrong_key() {
        let r = sample();
        let enc = encode_record(7, &r).unwrap();
        for i in 0..enc.len() {
            for bit in 0..8 {
                let mut bad = enc.clone();
                bad[i] ^= 1 << bit;
                assert!(
                    decode_record(7, &r.key, &bad).is_err(),
                    "byte {i} bit {bit}"
                );
            }
        }
        assert!(decode_record(8, &r.key, &enc).is_err());
        assert!(decode_record(7, "other", &enc).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for len in 0..300usize {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let _ = decode_record(1, "k", &bytes);
        }
        // huge declared lengths
        let mut b = vec![1u8, 0];
        b.extend_from_slice(&[0; 16]);
        b.extend_from_slice(&u16::MAX.to_le_bytes());
        b.extend_from_slice(&u16::MAX.to_le_bytes());
        assert!(decode_record(1, "k", &b).is_err());
    }

    #[test]
    fn encode_refuses_inconsistent_tombstone() {
        let mut r = sample();
        r.tombstone = true;
        assert!(encode_record(1, &r).is_err());
    }
}
