//! Reading what a photo file says about itself without decoding pixels: format, stored
//! size, and the EXIF fields the index keeps. Every file gets an answer — a status and a
//! short error kind — and no input can panic, hang or allocate beyond fixed caps.

mod exif;
mod gif;
mod heif;
mod iptc;
mod jpeg;
mod png;
mod source;
mod tiff;
mod webp;
mod xmp;

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

pub use self::exif::ExifFields;
use self::source::Source;

/// Images with more pixels than this are refused for analysis (decompression bombs);
/// the largest phone sensors today are 200 MP.
pub const MAX_PIXELS: u64 = 250_000_000;

/// Container format, detected from the bytes (never from the file name).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Heif,
    Gif,
    Tiff,
    Dng,
    Cr2,
    Nef,
    Arw,
    Rw2,
    Orf,
    Raf,
    /// A video container (MP4/QuickTime): indexed through host records, not read here.
    Video,
    Other,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Heif => "heif",
            Format::Gif => "gif",
            Format::Tiff => "tiff",
            Format::Dng => "dng",
            Format::Cr2 => "cr2",
            Format::Nef => "nef",
            Format::Arw => "arw",
            Format::Rw2 => "rw2",
            Format::Orf => "orf",
            Format::Raf => "raf",
            Format::Video => "video",
            Format::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        ALL_FORMATS.iter().copied().find(|f| f.as_str() == s)
    }

    /// MIME type for formats that have a common one.
    pub fn mime(self) -> Option<&'static str> {
        Some(match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Heif => "image/heif",
            Format::Gif => "image/gif",
            Format::Tiff => "image/tiff",
            Format::Dng => "image/x-adobe-dng",
            _ => return None,
        })
    }
}

const ALL_FORMATS: [Format; 15] = [
    Format::Jpeg,
    Format::Png,
    Format::Webp,
    Format::Heif,
    Format::Gif,
    Format::Tiff,
    Format::Dng,
    Format::Cr2,
    Format::Nef,
    Format::Arw,
    Format::Rw2,
    Format::Orf,
    Format::Raf,
    Format::Video,
    Format::Other,
];

/// What became of one file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Metadata read (the file may still lack EXIF).
    Ok,
    /// Not a format the core reads (text, video, JPEG XL, …).
    Unsupported,
    /// A known format whose structure is broken or truncated.
    Corrupt,
    /// A zero-byte file.
    Empty,
    /// The file could not be opened or read (permissions, I/O error).
    Unreadable,
    /// The header announces more pixels than [`MAX_PIXELS`]; never decoded.
    TooLarge,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Unsupported => "unsupported",
            FileStatus::Corrupt => "corrupt",
            FileStatus::Empty => "empty",
            FileStatus::Unreadable => "unreadable",
            FileStatus::TooLarge => "too_large",
        }
    }

    pub fn parse(s: &str) -> Option<FileStatus> {
        [
            FileStatus::Ok,
            FileStatus::Unsupported,
            FileStatus::Corrupt,
            FileStatus::Empty,
            FileStatus::Unreadable,
            FileStatus::TooLarge,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// Whether the file is a photo the library shows (and later features use).
    pub fn is_media(self) -> bool {
        matches!(self, FileStatus::Ok | FileStatus::TooLarge)
    }
}

/// Everything read from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub status: FileStatus,
    /// Short machine-readable reason when something went wrong (also set on `Ok` when,
    /// e.g., the EXIF block was damaged but the rest was read).
    pub error: Option<&'static str>,
    pub format: Format,
    /// Stored pixel size, before orientation is applied.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub exif: ExifFields,
    /// File offset and length of the embedded EXIF JPEG thumbnail.
    pub thumbnail: Option<(u64, u32)>,
}

impl Probe {
    fn failed(status: FileStatus, error: &'static str, format: Format) -> Probe {
        Probe {
            status,
            error: Some(error),
            format,
            width: None,
            height: None,
            exif: ExifFields::default(),
            thumbnail: None,
        }
    }
}

/// Errors of the container walkers.
#[derive(Debug)]
pub(crate) enum MetaError {
    Truncated,
    Corrupt(&'static str),
    Unsupported(&'static str),
    Io(std::io::ErrorKind),
    /// The structure broke after some fields were read.
    Partial {
        kind: &'static str,
        partial: Box<Container>,
    },
}

impl MetaError {
    fn io(e: std::io::Error) -> Self {
        MetaError::Io(e.kind())
    }
}

/// What a container walker finds.
#[derive(Debug, Default)]
pub(crate) struct Container {
    width: Option<u32>,
    height: Option<u32>,
    /// TIFF-structured EXIF block.
    exif: Option<Vec<u8>>,
    /// File offset of the EXIF block (for locating the thumbnail).
    exif_offset: Option<u64>,
    exif_error: Option<&'static str>,
    /// XMP packet (RDF/XML), for dates when EXIF has none.
    xmp: Option<Vec<u8>>,
    /// Photoshop image resources (JPEG APP13), which may hold IPTC dates.
    iptc: Option<Vec<u8>>,
    /// Capture time from an APP12 `[picture info]` block (old digital cameras).
    picture_info_time: Option<chrono::NaiveDateTime>,
}

/// EXIF blocks in PNG and WebP should be bare TIFF, but some writers keep the JPEG
/// APP1 `Exif\0\0` prefix. Returns how many bytes were skipped and the TIFF block.
pub(crate) fn strip_exif_prefix(mut data: Vec<u8>) -> (usize, Vec<u8>) {
    if data.starts_with(b"Exif\0\0") {
        data.drain(..6);
        (6, data)
    } else {
        (0, data)
    }
}

/// Reads a file's metadata. Opening and reading errors become an `Unreadable` probe.
pub fn probe_path(path: &Path) -> Probe {
    let opened = File::open(path).and_then(|f| {
        let len = f.metadata()?.len();
        Ok((f, len))
    });
    match opened {
        Ok((file, len)) => probe_reader(file, len, extension(path).as_deref()),
        Err(e) => Probe::failed(FileStatus::Unreadable, io_kind(e.kind()), Format::Other),
    }
}

/// Reads metadata from any seekable reader of `len` bytes. `extension` (lower case, no
/// dot) only names TIFF-based raws; it never decides whether a file is parsed.
pub fn probe_reader<R: Read + Seek>(reader: R, len: u64, extension: Option<&str>) -> Probe {
    if len == 0 {
        return Probe::failed(FileStatus::Empty, "empty_file", Format::Other);
    }
    let mut src = match Source::new(reader, len) {
        Ok(src) => src,
        Err(e) => return from_error(e, Format::Other),
    };
    let head = src.read_up_to(0, 32).unwrap_or_default();
    let format = sniff(&head, extension);
    let parsed = match format {
        Format::Jpeg => jpeg::read(&mut src, 0),
        Format::Png => png::read(&mut src),
        Format::Webp => webp::read(&mut src),
        Format::Heif => heif::read(&mut src),
        Format::Gif => gif::read(&mut src),
        Format::Raf => raf(&mut src),
        Format::Tiff
        | Format::Dng
        | Format::Cr2
        | Format::Nef
        | Format::Arw
        | Format::Rw2
        | Format::Orf => tiff::read(&mut src),
        Format::Video => Err(MetaError::Unsupported("video_container")),
        Format::Other => Err(MetaError::Unsupported(unsupported_kind(&head))),
    };
    let (container, status, error) = match parsed {
        Ok(c) => (c, FileStatus::Ok, None),
        Err(MetaError::Partial { kind, partial }) => (*partial, FileStatus::Corrupt, Some(kind)),
        Err(e) => return from_error(e, format),
    };
    finish(format, container, status, error)
}

fn finish(
    format: Format,
    c: Container,
    mut status: FileStatus,
    mut error: Option<&'static str>,
) -> Probe {
    let mut exif = ExifFields::default();
    let mut thumbnail = None;
    if let Some(block) = c.exif {
        match exif::parse(block) {
            Ok(fields) => {
                thumbnail = fields
                    .thumbnail
                    .zip(c.exif_offset)
                    .map(|((off, len), base)| (base + u64::from(off), len));
                if fields.damaged {
                    error = error.or(Some("exif_damaged"));
                }
                exif = fields;
            }
            Err(kind) => error = error.or(Some(kind)),
        }
    } else if let Some(kind) = c.exif_error {
        error = error.or(Some(kind));
    }
    // Capture time, most specific first: EXIF DateTimeOriginal, XMP DateTimeOriginal,
    // IPTC DateCreated + TimeCreated, EXIF DateTimeDigitized, XMP xmp:CreateDate, and
    // XMP photoshop:DateCreated (often a date without time), APP12 picture info.
    let xmp = c.xmp.as_deref().map(xmp::dates).unwrap_or_default();
    exif.orientation = exif.orientation.or(xmp.orientation);
    if exif.captured_local.is_none() {
        let iptc = c.iptc.as_deref().and_then(iptc::date_created);
        let best = xmp
            .original
            .or(iptc)
            .or(exif.digitized)
            .or(xmp.create_date)
            .or(xmp.date_created)
            .or(c.picture_info_time.map(|t| (t, None)));
        if let Some((local, offset)) = best {
            exif.captured_local = Some(local);
            exif.captured_offset = offset;
        }
    }
    if status == FileStatus::Ok {
        match (c.width, c.height) {
            (Some(0), _) | (_, Some(0)) => {
                status = FileStatus::Corrupt;
                error = Some("zero_size");
            }
            (Some(w), Some(h)) if u64::from(w) * u64::from(h) > MAX_PIXELS => {
                status = FileStatus::TooLarge;
                error = Some("pixel_budget");
            }
            _ => {}
        }
    }
    Probe {
        status,
        error,
        format,
        width: c.width,
        height: c.height,
        exif,
        thumbnail,
    }
}

fn from_error(e: MetaError, format: Format) -> Probe {
    match e {
        MetaError::Truncated => Probe::failed(FileStatus::Corrupt, "truncated", format),
        MetaError::Corrupt(kind) => Probe::failed(FileStatus::Corrupt, kind, format),
        MetaError::Unsupported(kind) => Probe::failed(FileStatus::Unsupported, kind, format),
        MetaError::Io(kind) => Probe::failed(FileStatus::Unreadable, io_kind(kind), format),
        MetaError::Partial { kind, partial } => {
            finish(format, *partial, FileStatus::Corrupt, Some(kind))
        }
    }
}

/// Fujifilm RAF: a proprietary header pointing at an embedded JPEG that carries the EXIF.
fn raf<R: Read + Seek>(src: &mut Source<R>) -> Result<Container, MetaError> {
    let jpeg_at = u64::from(src.be_u32_at(84)?);
    jpeg::read(src, jpeg_at)
}

pub(crate) fn io_kind(kind: std::io::ErrorKind) -> &'static str {
    match kind {
        std::io::ErrorKind::PermissionDenied => "permission_denied",
        std::io::ErrorKind::NotFound => "not_found",
        _ => "io_error",
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Identifies the container from its first bytes.
pub fn sniff(head: &[u8], extension: Option<&str>) -> Format {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Format::Jpeg
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Format::Png
    } else if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        Format::Webp
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Format::Gif
    } else if head.starts_with(b"FUJIFILMCCD-RAW") {
        Format::Raf
    } else if head.get(4..8) == Some(b"ftyp") {
        if heif::is_image_ftyp(head.get(8..).unwrap_or(&[])) {
            Format::Heif
        } else {
            Format::Video
        }
    } else if tiff::is_tiff(head) {
        match (head.get(2..4), head.get(8..10), extension) {
            (Some(b"U\0"), _, _) => Format::Rw2,
            (Some(b"RO" | b"RS"), _, _) | (Some(b"OR"), _, _) => Format::Orf,
            (_, Some(b"CR"), _) => Format::Cr2,
            (_, _, Some("dng")) => Format::Dng,
            (_, _, Some("nef" | "nrw")) => Format::Nef,
            (_, _, Some("arw" | "srf" | "sr2")) => Format::Arw,
            _ => Format::Tiff,
        }
    } else {
        Format::Other
    }
}

fn unsupported_kind(head: &[u8]) -> &'static str {
    if head.starts_with(&[0xFF, 0x0A]) || head.get(4..8) == Some(b"JXL ") {
        "jpeg_xl"
    } else if head.starts_with(b"BM") {
        "bmp"
    } else {
        "unknown_format"
    }
}
