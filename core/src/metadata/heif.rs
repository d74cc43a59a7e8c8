//! HEIF/HEIC/AVIF (ISOBMFF): read the `meta` box only. The primary item's size comes
//! from its `ispe` property; EXIF is the item of type `Exif`, located through `iloc`
//! (which may point anywhere, e.g. the end of the file). No pixel data is decoded.

use std::io::{Read, Seek};

use super::source::{Bytes, Source};
use super::{Container, MetaError};

const MAX_BOXES: usize = 10_000;
const MAX_ITEMS: usize = 100_000;
/// EXIF items larger than this are not EXIF.
const MAX_EXIF: u64 = 4 << 20;

/// Major and compatible brands that mean "still image in HEIF".
pub(crate) const IMAGE_BRANDS: [&[u8; 4]; 10] = [
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis",
];

pub(crate) fn is_image_ftyp(ftyp: &[u8]) -> bool {
    // ftyp payload: major brand, minor version, compatible brands...
    let major = ftyp.get(0..4);
    let compat = ftyp.get(8..).unwrap_or(&[]).chunks_exact(4);
    major
        .into_iter()
        .chain(compat)
        .any(|b| IMAGE_BRANDS.iter().any(|ib| &ib[..] == b))
}

#[derive(Debug, Clone, Copy)]
struct BoxHeader {
    kind: [u8; 4],
    /// Offset of the payload (after size, type and any largesize).
    payload: u64,
    end: u64,
}

/// Reads the box header at `pos`, bounded by `limit`.
fn box_at<R: Read + Seek>(
    src: &mut Source<R>,
    pos: u64,
    limit: u64,
) -> Result<BoxHeader, MetaError> {
    let size32 = u64::from(src.be_u32_at(pos)?);
    let kind: [u8; 4] = src
        .read_at(pos + 4, 4)?
        .try_into()
        .map_err(|_| MetaError::Truncated)?;
    let (size, header) = match size32 {
        0 => (limit - pos, 8),
        1 => (src.be_u64_at(pos + 8)?, 16),
        s => (s, 8),
    };
    if size < header || pos.checked_add(size).is_none_or(|end| end > limit) {
        return Err(MetaError::Corrupt("heif_bad_box"));
    }
    Ok(BoxHeader {
        kind,
        payload: pos + header,
        end: pos + size,
    })
}

/// Children of a box region, as (kind, payload bytes) — used inside `meta`, whose
/// children are small.
fn children(data: &[u8], mut pos: usize) -> Vec<([u8; 4], &[u8])> {
    let b = Bytes::be(data);
    let mut out = Vec::new();
    while out.len() < MAX_BOXES {
        let Some(size) = b.u32(pos) else { break };
        let Some(kind) = data.get(pos + 4..pos + 8) else {
            break;
        };
        let (size, header) = match size {
            0 => (data.len() - pos, 8),
            1 => match b.uint(pos + 8, 8).and_then(|s| usize::try_from(s).ok()) {
                Some(s) => (s, 16),
                None => break,
            },
            s => (s as usize, 8),
        };
        let Some(end) = pos.checked_add(size) else {
            break;
        };
        if size < header || end > data.len() {
            break;
        }
        let mut k = [0; 4];
        k.copy_from_slice(kind);
        out.push((k, &data[pos + header..end]));
        pos = end;
    }
    out
}

#[derive(Debug, Default)]
struct Extent {
    offset: u64,
    length: u64,
}

#[derive(Debug, Default)]
struct Location {
    construction_method: u8,
    base_offset: u64,
    extents: Vec<Extent>,
}

pub(crate) fn read<R: Read + Seek>(src: &mut Source<R>) -> Result<Container, MetaError> {
    let len = src.len();
    let mut pos = 0u64;
    let mut meta = None;
    for _ in 0..MAX_BOXES {
        if pos + 8 > len {
            break;
        }
        let bx = box_at(src, pos, len)?;
        if &bx.kind == b"meta" {
            meta = Some(bx);
            break;
        }
        pos = bx.end;
    }
    let meta = meta.ok_or(MetaError::Corrupt("heif_no_meta"))?;
    let size = usize::try_from(meta.end - meta.payload).map_err(|_| MetaError::Truncated)?;
    let data = src.read_at(meta.payload, size)?;
    // `meta` is a full box: 4 bytes of version and flags before its children.
    let boxes = children(&data, 4);

    let mut primary = None;
    let mut exif_items = Vec::new();
    let mut locations: Vec<(u32, Location)> = Vec::new();
    let mut properties: Vec<([u8; 4], &[u8])> = Vec::new();
    let mut associations: Vec<(u32, Vec<u16>)> = Vec::new();
    let mut idat: &[u8] = &[];
    for (kind, body) in &boxes {
        match kind {
            b"pitm" => primary = parse_pitm(body),
            b"iinf" => exif_items = parse_iinf(body),
            b"iloc" => locations = parse_iloc(body).ok_or(MetaError::Corrupt("heif_bad_iloc"))?,
            b"idat" => idat = body,
            b"iprp" => {
                for (k, b) in children(body, 0) {
                    match &k {
                        b"ipco" => properties = children(b, 0),
                        b"ipma" => associations = parse_ipma(b).unwrap_or_default(),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    let mut out = Container::default();
    if let Some(primary) = primary {
        let assoc = associations
            .iter()
            .find(|(id, _)| *id == primary)
            .map(|(_, a)| a);
        for &index in assoc.into_iter().flatten() {
            // Property indices are 1-based; 0 means "none".
            let Some((kind, body)) = (index as usize)
                .checked_sub(1)
                .and_then(|i| properties.get(i))
            else {
                continue;
            };
            if kind == b"ispe" {
                let b = Bytes::be(body);
                out.width = b.u32(4);
                out.height = b.u32(8);
            }
        }
    }

    if let Some(loc) = exif_items
        .iter()
        .find_map(|id| locations.iter().find(|(lid, _)| lid == id).map(|(_, l)| l))
    {
        match read_item(src, loc, idat) {
            Ok((at, bytes)) => {
                // An Exif item starts with the offset of the TIFF header within it.
                let skip = Bytes::be(&bytes).u32(0).map(|v| v as usize + 4);
                match skip.filter(|&s| s < bytes.len()) {
                    Some(s) => {
                        out.exif_offset = at.map(|a| a + s as u64);
                        out.exif = Some(bytes[s..].to_vec());
                    }
                    None => out.exif_error = Some("heif_bad_exif_item"),
                }
            }
            Err(_) => out.exif_error = Some("heif_bad_exif_item"),
        }
    }

    if out.width.is_none() {
        return Err(MetaError::Partial {
            kind: "heif_no_size",
            partial: Box::new(out),
        });
    }
    Ok(out)
}

fn parse_pitm(body: &[u8]) -> Option<u32> {
    let b = Bytes::be(body);
    match b.u8(0)? {
        0 => b.u16(4).map(u32::from),
        _ => b.u32(4),
    }
}

/// Item ids whose type is `Exif`.
fn parse_iinf(body: &[u8]) -> Vec<u32> {
    let b = Bytes::be(body);
    let start = match b.u8(0) {
        Some(0) => 6,
        Some(_) => 8,
        None => return Vec::new(),
    };
    let mut ids = Vec::new();
    for (kind, infe) in children(body, start).into_iter().take(MAX_ITEMS) {
        if &kind != b"infe" {
            continue;
        }
        let e = Bytes::be(infe);
        let (id, type_at) = match e.u8(0) {
            Some(2) => (e.u16(4).map(u32::from), 8),
            Some(3) => (e.u32(4), 10),
            _ => continue,
        };
        if let (Some(id), Some(t)) = (id, infe.get(type_at..type_at + 4)) {
            if t == b"Exif" {
                ids.push(id);
            }
        }
    }
    ids
}

fn parse_iloc(body: &[u8]) -> Option<Vec<(u32, Location)>> {
    let b = Bytes::be(body);
    let version = b.u8(0)?;
    let sizes = b.u16(4)?;
    let offset_size = usize::from(sizes >> 12);
    let length_size = usize::from((sizes >> 8) & 0xF);
    let base_offset_size = usize::from((sizes >> 4) & 0xF);
    let index_size = if version >= 1 {
        usize::from(sizes & 0xF)
    } else {
        0
    };
    let (count, mut p) = if version < 2 {
        (u32::from(b.u16(6)?), 8)
    } else {
        (b.u32(6)?, 10)
    };
    let mut out = Vec::new();
    for _ in 0..count.min(MAX_ITEMS as u32) {
        let id = if version < 2 {
            p += 2;
            u32::from(b.u16(p - 2)?)
        } else {
            p += 4;
            b.u32(p - 4)?
        };
        let mut loc = Location::default();
        if version >= 1 {
            loc.construction_method = (b.u16(p)? & 0xF) as u8;
            p += 2;
        }
        p += 2; // data_reference_index
        loc.base_offset = b.uint(p, base_offset_size)?;
        p += base_offset_size;
        let extents = b.u16(p)?;
        p += 2;
        for _ in 0..extents {
            p += index_size;
            let offset = b.uint(p, offset_size)?;
            p += offset_size;
            let length = b.uint(p, length_size)?;
            p += length_size;
            loc.extents.push(Extent { offset, length });
        }
        out.push((id, loc));
    }
    Some(out)
}

fn parse_ipma(body: &[u8]) -> Option<Vec<(u32, Vec<u16>)>> {
    let b = Bytes::be(body);
    let version = b.u8(0)?;
    let large_index = b.u8(3)? & 1 == 1;
    let count = b.u32(4)?;
    let mut p = 8;
    let mut out = Vec::new();
    for _ in 0..count.min(MAX_ITEMS as u32) {
        let id = if version < 1 {
            p += 2;
            u32::from(b.u16(p - 2)?)
        } else {
            p += 4;
            b.u32(p - 4)?
        };
        let n = b.u8(p)?;
        p += 1;
        let mut props = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            if large_index {
                props.push(b.u16(p)? & 0x7FFF);
                p += 2;
            } else {
                props.push(u16::from(b.u8(p)? & 0x7F));
                p += 1;
            }
        }
        out.push((id, props));
    }
    Some(out)
}

/// The item's bytes, and their file offset when they are stored contiguously in the file.
fn read_item<R: Read + Seek>(
    src: &mut Source<R>,
    loc: &Location,
    idat: &[u8],
) -> Result<(Option<u64>, Vec<u8>), MetaError> {
    let mut bytes = Vec::new();
    let mut first_at = None;
    for ext in &loc.extents {
        let start = loc
            .base_offset
            .checked_add(ext.offset)
            .ok_or(MetaError::Truncated)?;
        let remaining = MAX_EXIF.saturating_sub(bytes.len() as u64);
        match loc.construction_method {
            0 => {
                // Length 0 means "to the end of the file".
                let len = if ext.length == 0 {
                    src.len().saturating_sub(start)
                } else {
                    ext.length
                };
                if len > remaining {
                    return Err(MetaError::Corrupt("heif_exif_too_large"));
                }
                first_at.get_or_insert(start);
                bytes.extend(src.read_at(start, len as usize)?);
            }
            1 => {
                let s = usize::try_from(start).map_err(|_| MetaError::Truncated)?;
                let len = if ext.length == 0 {
                    idat.len().saturating_sub(s) as u64
                } else {
                    ext.length
                };
                if len > remaining {
                    return Err(MetaError::Corrupt("heif_exif_too_large"));
                }
                let e = s.checked_add(len as usize).ok_or(MetaError::Truncated)?;
                bytes.extend(idat.get(s..e).ok_or(MetaError::Truncated)?);
            }
            _ => return Err(MetaError::Unsupported("heif_construction_method")),
        }
    }
    let contiguous = loc.construction_method == 0 && loc.extents.len() == 1;
    Ok((if contiguous { first_at } else { None }, bytes))
}
