//! PNG: size from IHDR, EXIF from the `eXIf` chunk (wherever it is; PNG 1.5 writers
//! sometimes put it after the image data).

use std::io::{Read, Seek};

use super::source::{Bytes, Source};
use super::{strip_exif_prefix, Container, MetaError};

const MAX_CHUNKS: usize = 100_000;

pub(crate) fn read<R: Read + Seek>(src: &mut Source<R>) -> Result<Container, MetaError> {
    let mut out = Container::default();
    let mut pos = 8u64;
    for _ in 0..MAX_CHUNKS {
        if pos + 8 > src.len() {
            break;
        }
        let hdr = src.read_at(pos, 8)?;
        let b = Bytes::be(&hdr);
        let len = u64::from(b.u32(0).ok_or(MetaError::Truncated)?);
        let kind = &hdr[4..8];
        let data_at = pos + 8;
        match kind {
            b"IHDR" => {
                if len < 8 {
                    return Err(MetaError::Corrupt("png_bad_ihdr"));
                }
                let d = src.read_at(data_at, 8)?;
                let d = Bytes::be(&d);
                out.width = d.u32(0);
                out.height = d.u32(4);
            }
            b"eXIf" if out.exif.is_none() => {
                let data = src.read_at(data_at, len as usize)?;
                let (skip, tiff) = strip_exif_prefix(data);
                out.exif_offset = Some(data_at + skip as u64);
                out.exif = Some(tiff);
            }
            b"iTXt" if out.xmp.is_none() && len > 17 => {
                let key = src.read_up_to(data_at, 18)?;
                if key == *b"XML:com.adobe.xmp\0" {
                    // keyword, NUL, compression flag, method, language NUL, translated NUL, text
                    let data = src.read_at(data_at, len as usize)?;
                    if data.get(18) == Some(&0) {
                        out.xmp = Some(data[18..].to_vec());
                    }
                }
            }
            b"IEND" => break,
            _ => {}
        }
        if pos == 8 && kind != b"IHDR" {
            return Err(MetaError::Corrupt("png_no_ihdr"));
        }
        // length + type + data + crc
        pos = data_at + len + 4;
    }
    if out.width.is_none() {
        return Err(MetaError::Corrupt("png_no_ihdr"));
    }
    Ok(out)
}
