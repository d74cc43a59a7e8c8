//! TIFF and the TIFF-based raw formats (DNG, CR2, NEF, ARW, RW2, ORF): the file *is* the
//! EXIF block. The image size is the full-resolution image's: IFD0 unless IFD0 is marked
//! as a reduced-resolution preview, then the first full-resolution SubIFD.

use std::io::{Read, Seek};

use super::source::{Bytes, Source, MAX_READ};
use super::{Container, MetaError};

const TAG_NEW_SUBFILE_TYPE: u16 = 0xFE;
const TAG_IMAGE_WIDTH: u16 = 0x100;
const TAG_IMAGE_LENGTH: u16 = 0x101;
const TAG_SUB_IFDS: u16 = 0x14A;
/// Panasonic RW2 keeps the sensor borders in its own IFD0 tags; the image is the area
/// inside them.
/// Tags 0x04..=0x07: top, left, bottom, right.
const TAG_PANASONIC_TOP: u16 = 0x04;
const TAG_PANASONIC_RIGHT: u16 = 0x07;
const MAX_ENTRIES: u16 = 1000;
const MAX_SUB_IFDS: u32 = 16;

/// True for the byte order marks + magic numbers of TIFF, BigTIFF-less raws included.
pub(crate) fn is_tiff(head: &[u8]) -> bool {
    matches!(
        head.get(0..4),
        Some(b"II*\0" | b"MM\0*" | b"IIU\0" | b"IIRO" | b"IIRS" | b"MMOR")
    )
}

pub(crate) fn read<R: Read + Seek>(src: &mut Source<R>) -> Result<Container, MetaError> {
    // IFDs and EXIF live near the start in every raw seen in practice; image strips follow.
    let mut data = src.read_up_to(0, MAX_READ)?;
    let panasonic = &data[2..4] == b"U\0";
    // kamadak-exif only accepts the standard magic number; the raw variants differ only there.
    let le = data[0] == b'I';
    let magic: [u8; 2] = if le { [42, 0] } else { [0, 42] };
    data[2..4].copy_from_slice(&magic);

    let b = Bytes {
        data: &data,
        little_endian: le,
    };
    let ifd0 = b.u32(4).ok_or(MetaError::Truncated)? as usize;
    let first = read_ifd(&b, ifd0).ok_or(MetaError::Corrupt("tiff_bad_ifd"))?;
    let mut size = if panasonic {
        first.panasonic_size.or(first.size)
    } else {
        first.size
    };
    if !panasonic && first.reduced_resolution {
        if let Some(full) = first
            .sub_ifds
            .iter()
            .filter_map(|&off| read_ifd(&b, off as usize))
            .find(|ifd| !ifd.reduced_resolution && ifd.size.is_some())
        {
            size = full.size;
        }
    }
    let (width, height) = size.ok_or(MetaError::Corrupt("tiff_no_size"))?;
    Ok(Container {
        width: Some(width),
        height: Some(height),
        exif: Some(data),
        exif_offset: Some(0),
        exif_error: None,
        xmp: None,
        iptc: None,
        picture_info_time: None,
    })
}

#[derive(Debug, Default)]
struct Ifd {
    size: Option<(u32, u32)>,
    panasonic_size: Option<(u32, u32)>,
    reduced_resolution: bool,
    sub_ifds: Vec<u32>,
}

fn read_ifd(b: &Bytes<'_>, at: usize) -> Option<Ifd> {
    let n = b.u16(at)?.min(MAX_ENTRIES);
    let mut ifd = Ifd::default();
    let (mut w, mut h) = (None, None);
    let mut borders = [None; 4];
    for i in 0..usize::from(n) {
        let e = at + 2 + i * 12;
        let tag = b.u16(e)?;
        let typ = b.u16(e + 2)?;
        let count = b.u32(e + 4)?;
        // SHORT values sit left-aligned in the 4-byte value field.
        let value = match typ {
            3 => b.u16(e + 8).map(u32::from),
            4 | 13 => b.u32(e + 8),
            _ => None,
        };
        match tag {
            TAG_NEW_SUBFILE_TYPE => ifd.reduced_resolution = value.is_some_and(|v| v & 1 == 1),
            TAG_IMAGE_WIDTH => w = value,
            TAG_IMAGE_LENGTH => h = value,
            TAG_PANASONIC_TOP..=TAG_PANASONIC_RIGHT => {
                borders[usize::from(tag - TAG_PANASONIC_TOP)] = value
            }
            TAG_SUB_IFDS if matches!(typ, 4 | 13) => {
                let count = count.min(MAX_SUB_IFDS);
                if count == 1 {
                    ifd.sub_ifds.extend(value);
                } else if let Some(list) = b.u32(e + 8) {
                    for k in 0..count as usize {
                        ifd.sub_ifds.extend(b.u32(list as usize + k * 4));
                    }
                }
            }
            _ => {}
        }
    }
    ifd.size = w.zip(h);
    if let [Some(top), Some(left), Some(bottom), Some(right)] = borders {
        ifd.panasonic_size = right.checked_sub(left).zip(bottom.checked_sub(top));
    }
    Some(ifd)
}
