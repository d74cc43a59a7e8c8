//! Synthetic photo files: JPEG headers with EXIF (no pixel data needed for metadata
//! work), built byte by byte so tests control every field.

/// EXIF fields to write.
#[derive(Debug, Clone, Default)]
pub struct ExifSpec {
    /// `YYYY:MM:DD HH:MM:SS`.
    pub datetime_original: Option<String>,
    pub subsec: Option<String>,
    /// `+HH:MM`.
    pub offset: Option<String>,
    pub orientation: Option<u16>,
    /// (lat, lon) in degrees.
    pub gps: Option<(f64, f64)>,
    pub make: Option<String>,
}

struct Entry {
    tag: u16,
    typ: u16,
    count: u32,
    data: Vec<u8>,
}

fn ascii(tag: u16, s: &str) -> Entry {
    let mut data = s.as_bytes().to_vec();
    data.push(0);
    Entry {
        tag,
        typ: 2,
        count: data.len() as u32,
        data,
    }
}

fn short(tag: u16, v: u16) -> Entry {
    Entry {
        tag,
        typ: 3,
        count: 1,
        data: v.to_le_bytes().to_vec(),
    }
}

fn long(tag: u16, v: u32) -> Entry {
    Entry {
        tag,
        typ: 4,
        count: 1,
        data: v.to_le_bytes().to_vec(),
    }
}

fn rationals(tag: u16, vals: &[(u32, u32)]) -> Entry {
    let mut data = Vec::new();
    for (n, d) in vals {
        data.extend(n.to_le_bytes());
        data.extend(d.to_le_bytes());
    }
    Entry {
        tag,
        typ: 5,
        count: vals.len() as u32,
        data,
    }
}

/// Writes one IFD at `at` (absolute offset within the TIFF block); returns its bytes.
/// Pointer entries (`ptr_tags`) are patched later by the caller via `long` values.
fn ifd(at: u32, mut entries: Vec<Entry>, next: u32) -> Vec<u8> {
    entries.sort_by_key(|e| e.tag);
    let n = entries.len() as u32;
    let mut out = Vec::new();
    let mut extra = Vec::new();
    let extra_at = at + 2 + n * 12 + 4;
    out.extend((n as u16).to_le_bytes());
    for e in &entries {
        out.extend(e.tag.to_le_bytes());
        out.extend(e.typ.to_le_bytes());
        out.extend(e.count.to_le_bytes());
        if e.data.len() <= 4 {
            let mut v = e.data.clone();
            v.resize(4, 0);
            out.extend(v);
        } else {
            out.extend((extra_at + extra.len() as u32).to_le_bytes());
            extra.extend(&e.data);
            if extra.len() % 2 == 1 {
                extra.push(0);
            }
        }
    }
    out.extend(next.to_le_bytes());
    out.extend(extra);
    out
}

fn ifd_len(entries: &[Entry]) -> u32 {
    let extra: u32 = entries
        .iter()
        .filter(|e| e.data.len() > 4)
        .map(|e| (e.data.len() as u32 + 1) & !1)
        .sum();
    2 + entries.len() as u32 * 12 + 4 + extra
}

fn dms(deg: f64) -> Vec<(u32, u32)> {
    let deg = deg.abs();
    let d = deg.floor();
    let m = ((deg - d) * 60.0).floor();
    let s = (deg - d - m / 60.0) * 3600.0;
    vec![
        (d as u32, 1),
        (m as u32, 1),
        ((s * 10000.0).round() as u32, 10000),
    ]
}

/// A little-endian TIFF block holding IFD0 (+ Exif and GPS IFDs when needed).
pub fn tiff_block(spec: &ExifSpec) -> Vec<u8> {
    let mut exif_entries = Vec::new();
    if let Some(dt) = &spec.datetime_original {
        exif_entries.push(ascii(0x9003, dt));
    }
    if let Some(s) = &spec.subsec {
        exif_entries.push(ascii(0x9291, s));
    }
    if let Some(o) = &spec.offset {
        exif_entries.push(ascii(0x9011, o));
    }
    let mut gps_entries = Vec::new();
    if let Some((lat, lon)) = spec.gps {
        gps_entries.push(ascii(0x1, if lat < 0.0 { "S" } else { "N" }));
        gps_entries.push(rationals(0x2, &dms(lat)));
        gps_entries.push(ascii(0x3, if lon < 0.0 { "W" } else { "E" }));
        gps_entries.push(rationals(0x4, &dms(lon)));
    }
    let mut ifd0 = Vec::new();
    if let Some(m) = &spec.make {
        ifd0.push(ascii(0x10F, m));
    }
    if let Some(o) = spec.orientation {
        ifd0.push(short(0x112, o));
    }
    // Placeholders for pointers, so the IFD0 size is known.
    let has_exif = !exif_entries.is_empty();
    let has_gps = !gps_entries.is_empty();
    if has_exif {
        ifd0.push(long(0x8769, 0));
    }
    if has_gps {
        ifd0.push(long(0x8825, 0));
    }
    let ifd0_at = 8;
    let exif_at = ifd0_at + ifd_len(&ifd0);
    let gps_at = exif_at + if has_exif { ifd_len(&exif_entries) } else { 0 };
    for e in &mut ifd0 {
        if e.tag == 0x8769 {
            e.data = exif_at.to_le_bytes().to_vec();
        }
        if e.tag == 0x8825 {
            e.data = gps_at.to_le_bytes().to_vec();
        }
    }
    let mut out = b"II*\0".to_vec();
    out.extend(ifd0_at.to_le_bytes());
    out.extend(ifd(ifd0_at, ifd0, 0));
    if has_exif {
        out.extend(ifd(exif_at, exif_entries, 0));
    }
    if has_gps {
        out.extend(ifd(gps_at, gps_entries, 0));
    }
    out
}

/// A JPEG header: SOI, APP1 EXIF (when any field is set), SOF0 with the given size,
/// and EOI. Enough for every metadata reader; not decodable pixels.
pub fn jpeg_header(width: u16, height: u16, spec: &ExifSpec) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    let tiff = tiff_block(spec);
    let app1_len = (2 + 6 + tiff.len()) as u16;
    out.extend([0xFF, 0xE1]);
    out.extend(app1_len.to_be_bytes());
    out.extend(b"Exif\0\0");
    out.extend(tiff);
    out.extend([0xFF, 0xC0, 0x00, 0x11, 0x08]);
    out.extend(height.to_be_bytes());
    out.extend(width.to_be_bytes());
    out.extend([0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    out.extend([0xFF, 0xD9]);
    out
}

/// A real JPEG (`jpeg`, e.g. a test photo) with its EXIF replaced by `spec`: the APP1
/// EXIF segment is inserted after SOI and any existing one dropped; the image data is
/// untouched. `None` when `jpeg` is not a JPEG with a readable segment list.
pub fn with_exif(jpeg: &[u8], spec: &ExifSpec) -> Option<Vec<u8>> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let tiff = tiff_block(spec);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(u16::try_from(2 + 6 + tiff.len()).ok()?.to_be_bytes());
    out.extend(b"Exif\0\0");
    out.extend(tiff);
    // Copy the segments before the scan, leaving out old EXIF.
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        let end = i + 2 + len;
        if marker == 0xDA {
            out.extend_from_slice(&jpeg[i..]);
            return Some(out);
        }
        let seg = jpeg.get(i..end)?;
        let is_exif = marker == 0xE1 && seg.get(4..10) == Some(b"Exif\0\0".as_slice());
        if !is_exif {
            out.extend_from_slice(seg);
        }
        i = end;
    }
    None
}

/// A PNG header (signature + IHDR + IEND, valid CRCs, no image data) announcing
/// `width` × `height`: a decompression-bomb stand-in when the size is huge.
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    out.extend((ihdr.len() as u32).to_be_bytes());
    let mut chunk = b"IHDR".to_vec();
    chunk.extend(&ihdr);
    out.extend(&chunk);
    out.extend(crc32(&chunk).to_be_bytes());
    out.extend([0, 0, 0, 0]);
    out.extend(b"IEND");
    out.extend(crc32(b"IEND").to_be_bytes());
    out
}

/// CRC-32 (IEEE), as PNG chunks carry it; decoders check it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
