//! WebP (RIFF): size from VP8X (extended), VP8 (lossy) or VP8L (lossless); EXIF from the
//! `EXIF` chunk.

use std::io::{Read, Seek};

use super::source::{Bytes, Source};
use super::{strip_exif_prefix, Container, MetaError};

const MAX_CHUNKS: usize = 10_000;

pub(crate) fn read<R: Read + Seek>(src: &mut Source<R>) -> Result<Container, MetaError> {
    let mut out = Container::default();
    let riff_end = (8 + u64::from(le_u32(&src.read_at(4, 4)?))).min(src.len());
    let mut pos = 12u64;
    let mut canvas = None;
    for _ in 0..MAX_CHUNKS {
        if pos + 8 > riff_end {
            break;
        }
        let hdr = src.read_at(pos, 8)?;
        let len = u64::from(le_u32(&hdr[4..8]));
        let data_at = pos + 8;
        match &hdr[0..4] {
            b"VP8X" => {
                let d = src.read_at(data_at, 10)?;
                let w = 1 + (u32::from(d[4]) | u32::from(d[5]) << 8 | u32::from(d[6]) << 16);
                let h = 1 + (u32::from(d[7]) | u32::from(d[8]) << 8 | u32::from(d[9]) << 16);
                canvas = Some((w, h));
            }
            b"VP8 " if out.width.is_none() => {
                let d = src.read_at(data_at, 10)?;
                if d[3..6] != [0x9D, 0x01, 0x2A] {
                    return Err(MetaError::Corrupt("webp_bad_vp8"));
                }
                let b = Bytes {
                    data: &d,
                    little_endian: true,
                };
                out.width = b.u16(6).map(|v| u32::from(v & 0x3FFF));
                out.height = b.u16(8).map(|v| u32::from(v & 0x3FFF));
            }
            b"VP8L" if out.width.is_none() => {
                let d = src.read_at(data_at, 5)?;
                if d[0] != 0x2F {
                    return Err(MetaError::Corrupt("webp_bad_vp8l"));
                }
                let bits = le_u32(&d[1..5]);
                out.width = Some((bits & 0x3FFF) + 1);
                out.height = Some(((bits >> 14) & 0x3FFF) + 1);
            }
            b"EXIF" if out.exif.is_none() => {
                let data = src.read_at(data_at, len as usize)?;
                let (skip, tiff) = strip_exif_prefix(data);
                out.exif_offset = Some(data_at + skip as u64);
                out.exif = Some(tiff);
            }
            b"XMP " if out.xmp.is_none() => {
                out.xmp = Some(src.read_at(data_at, len as usize)?);
            }
            _ => {}
        }
        // Chunks are padded to an even size.
        pos = data_at + len + (len & 1);
    }
    if let Some((w, h)) = canvas {
        out.width = Some(w);
        out.height = Some(h);
    }
    if out.width.is_none() {
        return Err(MetaError::Partial {
            kind: "webp_no_frame",
            partial: Box::new(out),
        });
    }
    Ok(out)
}

fn le_u32(b: &[u8]) -> u32 {
    let mut a = [0; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}
