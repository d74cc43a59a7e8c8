//! JPEG: walk the marker segments up to the first scan; take the frame size from the
//! first SOF and the EXIF block from the first `Exif\0\0` APP1. Pixels are never read.

use std::io::{Read, Seek};

use super::source::Source;
use super::{Container, MetaError};

const MAX_SEGMENTS: usize = 4096;

/// Parses the JPEG that starts at `base` (0 for a plain file; an embedded preview in a raw).
pub(crate) fn read<R: Read + Seek>(src: &mut Source<R>, base: u64) -> Result<Container, MetaError> {
    if src.read_at(base, 2)? != [0xFF, 0xD8] {
        return Err(MetaError::Corrupt("jpeg_bad_signature"));
    }
    let mut out = Container::default();
    let mut pos = base + 2;
    for _ in 0..MAX_SEGMENTS {
        if src.u8_at(pos)? != 0xFF {
            return finish(out, "jpeg_bad_marker");
        }
        // Any number of 0xFF fill bytes may precede a marker.
        let mut marker = src.u8_at(pos + 1)?;
        while marker == 0xFF {
            pos += 1;
            marker = src.u8_at(pos + 1)?;
        }
        match marker {
            0xD8 | 0x01 | 0xD0..=0xD7 => {
                pos += 2;
                continue;
            }
            // Metadata segments may follow the frame header: read up to the scan.
            0xD9 | 0xDA => return finish(out, "jpeg_no_frame"),
            _ => {}
        }
        let len = u64::from(src.be_u16_at(pos + 2)?);
        if len < 2 {
            return finish(out, "jpeg_bad_segment");
        }
        let payload = pos + 4;
        let payload_len = len - 2;
        match marker {
            0xE1 if payload_len > 6 => {
                let sig = src.read_up_to(payload, XMP_SIGNATURE.len())?;
                if sig.starts_with(b"Exif\0\0") && out.exif.is_none() {
                    let tiff_at = payload + 6;
                    out.exif = Some(src.read_at(tiff_at, (payload_len - 6) as usize)?);
                    out.exif_offset = Some(tiff_at);
                } else if sig == XMP_SIGNATURE && out.xmp.is_none() {
                    let n = XMP_SIGNATURE.len() as u64;
                    out.xmp =
                        Some(src.read_at(payload + n, payload_len.saturating_sub(n) as usize)?);
                }
            }
            // Early digital cameras (Olympus, Agfa, Epson) wrote a text block in APP12.
            0xEC if out.picture_info_time.is_none() => {
                let text = src.read_at(payload, payload_len as usize)?;
                out.picture_info_time = picture_info_time(&text);
            }
            0xED if out.iptc.is_none()
                && payload_len > 14
                && src.read_up_to(payload, 14)? == *b"Photoshop 3.0\0" =>
            {
                out.iptc = Some(src.read_at(payload + 14, (payload_len - 14) as usize)?);
            }
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF if out.width.is_none() => {
                let h = src.be_u16_at(payload + 1)?;
                let w = src.be_u16_at(payload + 3)?;
                out.width = Some(u32::from(w));
                out.height = Some(u32::from(h));
            }
            _ => {}
        }
        pos = payload + payload_len;
    }
    finish(out, "jpeg_too_many_segments")
}

/// A JPEG without a frame header has no usable size: that is a corrupt file, but any
/// EXIF already found is still reported by the caller through `partial`.
/// `[picture info] … TimeDate=<seconds>`: camera wall-clock time counted as if UTC.
fn picture_info_time(text: &[u8]) -> Option<chrono::NaiveDateTime> {
    let text = String::from_utf8_lossy(text);
    if !text.contains("[picture info]") {
        return None;
    }
    let digits: String = text
        .split("TimeDate=")
        .nth(1)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let secs: i64 = digits.parse().ok()?;
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.naive_utc())
}

const XMP_SIGNATURE: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

fn finish(out: Container, kind: &'static str) -> Result<Container, MetaError> {
    if out.width.is_some() {
        Ok(out)
    } else {
        Err(MetaError::Partial {
            kind,
            partial: Box::new(out),
        })
    }
}
