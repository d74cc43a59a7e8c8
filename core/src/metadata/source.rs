//! Bounded random access to a file's bytes. Every container walker reads through this,
//! so a hostile length field can never make us allocate or read more than the caps.

use std::io::{Read, Seek, SeekFrom};

use super::MetaError;

/// Largest single read a parser may ask for (an EXIF block, a HEIF `meta` box).
pub(crate) const MAX_READ: usize = 16 << 20;
/// How much of the file is read up front; most headers live here, which saves syscalls.
const HEAD: usize = 64 << 10;

pub(crate) struct Source<R> {
    inner: R,
    len: u64,
    head: Vec<u8>,
}

impl<R: Read + Seek> Source<R> {
    pub(crate) fn new(mut inner: R, len: u64) -> Result<Self, MetaError> {
        let want = len.min(HEAD as u64) as usize;
        let mut head = vec![0; want];
        inner.seek(SeekFrom::Start(0)).map_err(MetaError::io)?;
        read_fully(&mut inner, &mut head)?;
        Ok(Source { inner, len, head })
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// `n` bytes at `offset`, or `Truncated` when the file is shorter.
    pub(crate) fn read_at(&mut self, offset: u64, n: usize) -> Result<Vec<u8>, MetaError> {
        if n > MAX_READ {
            return Err(MetaError::Corrupt("oversized_block"));
        }
        let end = offset.checked_add(n as u64).ok_or(MetaError::Truncated)?;
        if end > self.len {
            return Err(MetaError::Truncated);
        }
        if end <= self.head.len() as u64 {
            return Ok(self.head[offset as usize..end as usize].to_vec());
        }
        let mut buf = vec![0; n];
        self.inner
            .seek(SeekFrom::Start(offset))
            .map_err(MetaError::io)?;
        read_fully(&mut self.inner, &mut buf)?;
        Ok(buf)
    }

    /// Up to `n` bytes at `offset` (fewer at the end of the file).
    pub(crate) fn read_up_to(&mut self, offset: u64, n: usize) -> Result<Vec<u8>, MetaError> {
        let avail = self.len.saturating_sub(offset).min(n as u64) as usize;
        self.read_at(offset, avail)
    }

    pub(crate) fn u8_at(&mut self, offset: u64) -> Result<u8, MetaError> {
        Ok(self.read_at(offset, 1)?[0])
    }

    pub(crate) fn be_u16_at(&mut self, offset: u64) -> Result<u16, MetaError> {
        let b = self.read_at(offset, 2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn be_u32_at(&mut self, offset: u64) -> Result<u32, MetaError> {
        let b = self.read_at(offset, 4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn be_u64_at(&mut self, offset: u64) -> Result<u64, MetaError> {
        let b = self.read_at(offset, 8)?;
        let mut a = [0; 8];
        a.copy_from_slice(&b);
        Ok(u64::from_be_bytes(a))
    }
}

fn read_fully<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<(), MetaError> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            // The file shrank between stat and read.
            MetaError::Truncated
        } else {
            MetaError::io(e)
        }
    })
}

/// Big-endian / little-endian integer reads from a byte slice, `None` past the end.
pub(crate) struct Bytes<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) little_endian: bool,
}

impl<'a> Bytes<'a> {
    pub(crate) fn be(data: &'a [u8]) -> Self {
        Bytes {
            data,
            little_endian: false,
        }
    }

    pub(crate) fn u8(&self, at: usize) -> Option<u8> {
        self.data.get(at).copied()
    }

    pub(crate) fn u16(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.data.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.little_endian {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    pub(crate) fn u32(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.data.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.little_endian {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    /// An unsigned integer of `size` bytes (0, 4 or 8, as ISOBMFF uses), big-endian.
    pub(crate) fn uint(&self, at: usize, size: usize) -> Option<u64> {
        match size {
            0 => Some(0),
            2 => self.u16(at).map(u64::from),
            4 => self.u32(at).map(u64::from),
            8 => {
                let b: [u8; 8] = self.data.get(at..at.checked_add(8)?)?.try_into().ok()?;
                Some(u64::from_be_bytes(b))
            }
            _ => None,
        }
    }
}
