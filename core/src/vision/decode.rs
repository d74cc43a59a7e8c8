//! Pixels at working size, cheaply. JPEGs are decoded with DCT scaling straight to the
//! smallest of 1/1, 1/2, 1/4, 1/8 that still covers the working size (never full size
//! when a smaller one serves), or from the embedded EXIF thumbnail when it is large
//! enough and has the photo's aspect ratio; PNG and WebP go through `image`; hosts may
//! hand over RGBA pixels (HEIC decoded by the OS, platform thumbnails). The result is
//! resized to the working size and turned upright. Header sizes are checked against the
//! pixel budget before anything is allocated.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use fast_image_resize as fr;

use super::orient;
use super::Rgb;
use crate::metadata::MAX_PIXELS;

/// Smallest side worth analysing.
pub const MIN_SIDE: u32 = 8;

/// How to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Long side of the working image, pixels.
    pub long_side: u32,
    /// Images with more pixels than this are refused before decoding.
    pub max_pixels: u64,
    /// Use an embedded EXIF thumbnail when it is large enough.
    pub use_thumbnail: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            long_side: 640,
            max_pixels: MAX_PIXELS,
            use_thumbnail: true,
        }
    }
}

/// What the index knows about the file, so decoding can skip work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hint {
    /// EXIF orientation 1..=8.
    pub orientation: Option<u8>,
    /// File offset and length of the EXIF thumbnail.
    pub thumbnail: Option<(u64, u32)>,
}

/// Which path produced the pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// JPEG at 1/`denominator` scale.
    Jpeg {
        denominator: u32,
    },
    Thumbnail,
    /// PNG or WebP, full decode.
    Image,
    Host,
}

/// An upright image at working size, and the upright size of the original.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub image: Rgb,
    pub original_width: u32,
    pub original_height: u32,
    pub via: Via,
}

impl Decoded {
    /// Original (upright) pixels per working pixel.
    pub fn scale(&self) -> f64 {
        f64::from(self.original_width) / f64::from(self.image.width)
    }
}

/// Why pixels could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("image exceeds the pixel budget")]
    TooLarge,
    /// Under 8 pixels on a side: nothing can be measured (hashes need 9×8 samples).
    #[error("image too small to analyse")]
    TooSmall,
    #[error("format not decodable here")]
    Unsupported,
    #[error("corrupt image: {0}")]
    Corrupt(&'static str),
    #[error("i/o error")]
    Io(std::io::ErrorKind),
}

impl DecodeError {
    pub fn kind(&self) -> &'static str {
        match self {
            DecodeError::TooLarge => "pixel_budget",
            DecodeError::TooSmall => "too_small",
            DecodeError::Unsupported => "unsupported",
            DecodeError::Corrupt(k) => k,
            DecodeError::Io(_) => "io_error",
        }
    }
}

fn io(e: std::io::Error) -> DecodeError {
    DecodeError::Io(e.kind())
}

/// Decodes a file. Reads only the thumbnail when that serves.
pub fn decode_file(path: &Path, hint: Hint, opts: &DecodeOptions) -> Result<Decoded, DecodeError> {
    let mut f = File::open(path).map_err(io)?;
    if opts.use_thumbnail {
        if let Some(d) = thumbnail_from_file(&mut f, hint, opts)? {
            return Ok(d);
        }
    }
    let mut bytes = Vec::new();
    f.seek(SeekFrom::Start(0)).map_err(io)?;
    f.read_to_end(&mut bytes).map_err(io)?;
    decode_bytes(
        &bytes,
        Hint {
            thumbnail: None,
            ..hint
        },
        opts,
    )
}

/// Decodes an encoded image held in memory (`hint.thumbnail` offsets are into `bytes`).
pub fn decode_bytes(
    bytes: &[u8],
    hint: Hint,
    opts: &DecodeOptions,
) -> Result<Decoded, DecodeError> {
    let orientation = hint.orientation.unwrap_or(1);
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let (w, h) = jpeg_size(bytes)?;
        budget(w, h, opts)?;
        if opts.use_thumbnail {
            if let Some((off, len)) = hint.thumbnail {
                let range = usize::try_from(off)
                    .ok()
                    .and_then(|o| bytes.get(o..o + len as usize));
                if let Some(thumb) = range {
                    if let Some(d) = try_thumbnail(thumb, (w, h), orientation, opts)? {
                        return Ok(d);
                    }
                }
            }
        }
        let (img, denominator) = decode_jpeg(bytes, opts.long_side)?;
        return finish(img, (w, h), orientation, opts, Via::Jpeg { denominator });
    }
    decode_with_image(bytes, orientation, opts)
}

/// Pixels the host decoded (RGBA, rows top to bottom), e.g. HEIC through the OS.
pub fn from_rgba(
    width: u32,
    height: u32,
    rgba: &[u8],
    orientation: Option<u8>,
    opts: &DecodeOptions,
) -> Result<Decoded, DecodeError> {
    budget(width, height, opts)?;
    if width == 0 || height == 0 || rgba.len() as u64 != u64::from(width) * u64::from(height) * 4 {
        return Err(DecodeError::Corrupt("rgba_size_mismatch"));
    }
    let rgb: Vec<u8> = rgba
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let img = Rgb {
        width,
        height,
        data: rgb,
    };
    finish(
        img,
        (width, height),
        orientation.unwrap_or(1),
        opts,
        Via::Host,
    )
}

fn budget(w: u32, h: u32, opts: &DecodeOptions) -> Result<(), DecodeError> {
    if w == 0 || h == 0 {
        return Err(DecodeError::Corrupt("zero_size"));
    }
    if w < MIN_SIDE || h < MIN_SIDE {
        return Err(DecodeError::TooSmall);
    }
    if u64::from(w) * u64::from(h) > opts.max_pixels {
        return Err(DecodeError::TooLarge);
    }
    Ok(())
}

fn jpeg_size(bytes: &[u8]) -> Result<(u32, u32), DecodeError> {
    let mut dec = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    dec.read_info()
        .map_err(|_| DecodeError::Corrupt("jpeg_header"))?;
    let info = dec.info().ok_or(DecodeError::Corrupt("jpeg_header"))?;
    Ok((u32::from(info.width), u32::from(info.height)))
}

/// Decodes at the smallest DCT scale whose output still covers `long_side`.
fn decode_jpeg(bytes: &[u8], long_side: u32) -> Result<(Rgb, u32), DecodeError> {
    let mut dec = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    dec.read_info()
        .map_err(|_| DecodeError::Corrupt("jpeg_header"))?;
    let info = dec.info().ok_or(DecodeError::Corrupt("jpeg_header"))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let long = w.max(h);
    if long > long_side {
        let f = f64::from(long_side) / f64::from(long);
        let req_w = (f64::from(w) * f).ceil().clamp(1.0, 65535.0) as u16;
        let req_h = (f64::from(h) * f).ceil().clamp(1.0, 65535.0) as u16;
        dec.scale(req_w, req_h)
            .map_err(|_| DecodeError::Corrupt("jpeg_scale"))?;
    }
    let pixels = dec
        .decode()
        .map_err(|_| DecodeError::Corrupt("jpeg_data"))?;
    let info = dec.info().ok_or(DecodeError::Corrupt("jpeg_header"))?;
    let (ow, oh) = (u32::from(info.width), u32::from(info.height));
    let data = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&v| [v, v, v]).collect(),
        jpeg_decoder::PixelFormat::L16 => pixels
            .chunks_exact(2)
            .flat_map(|v| [v[0], v[0], v[0]])
            .collect(),
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|p| {
                // Adobe CMYK JPEGs are stored inverted.
                let k = u32::from(p[3]);
                [p[0], p[1], p[2]].map(|c| (u32::from(c) * k / 255) as u8)
            })
            .collect(),
    };
    let img = Rgb::new(ow, oh, data).ok_or(DecodeError::Corrupt("jpeg_data"))?;
    let denominator = (w / ow.max(1)).max(1);
    Ok((img, denominator))
}

fn decode_with_image(
    bytes: &[u8],
    orientation: u8,
    opts: &DecodeOptions,
) -> Result<Decoded, DecodeError> {
    // The size comes from our own bounded header reader, before `image` allocates.
    let probe = crate::metadata::probe_reader(Cursor::new(bytes), bytes.len() as u64, None);
    match probe.format {
        crate::metadata::Format::Png
        | crate::metadata::Format::Webp
        | crate::metadata::Format::Gif => {}
        _ => return Err(DecodeError::Unsupported),
    }
    let (Some(w), Some(h)) = (probe.width, probe.height) else {
        return Err(DecodeError::Corrupt(probe.error.unwrap_or("image_header")));
    };
    budget(w, h, opts)?;
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(io)?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(opts.max_pixels.saturating_mul(8));
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => DecodeError::TooLarge,
        image::ImageError::Unsupported(_) => DecodeError::Unsupported,
        _ => DecodeError::Corrupt("image_data"),
    })?;
    let rgb = img.into_rgb8();
    let img = Rgb {
        width: rgb.width(),
        height: rgb.height(),
        data: rgb.into_raw(),
    };
    finish(img, (w, h), orientation, opts, Via::Image)
}

/// Reads just the EXIF thumbnail and uses it when it serves.
fn thumbnail_from_file(
    f: &mut File,
    hint: Hint,
    opts: &DecodeOptions,
) -> Result<Option<Decoded>, DecodeError> {
    let Some((off, len)) = hint.thumbnail else {
        return Ok(None);
    };
    // The main image's size: its SOF is in the first segments.
    let mut head = vec![0u8; 256 << 10];
    let n = f.read(&mut head).map_err(io)?;
    head.truncate(n);
    let Ok(main) = jpeg_size_from_head(&head) else {
        return Ok(None);
    };
    budget(main.0, main.1, opts)?;
    let mut thumb = vec![0u8; len as usize];
    f.seek(SeekFrom::Start(off)).map_err(io)?;
    if f.read_exact(&mut thumb).is_err() {
        return Ok(None);
    }
    try_thumbnail(&thumb, main, hint.orientation.unwrap_or(1), opts)
}

/// The frame size from the start of a JPEG (header segments only).
fn jpeg_size_from_head(head: &[u8]) -> Result<(u32, u32), DecodeError> {
    let len = head.len() as u64;
    let mut src = crate::metadata::probe_reader(Cursor::new(head), len, Some("jpg"));
    match (src.width.take(), src.height.take()) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(DecodeError::Corrupt("jpeg_header")),
    }
}

/// Decodes `thumb` if its long side covers the working size and its aspect ratio is the
/// main image's (within 2 %: thumbnails of some cameras are letterboxed).
fn try_thumbnail(
    thumb: &[u8],
    main: (u32, u32),
    orientation: u8,
    opts: &DecodeOptions,
) -> Result<Option<Decoded>, DecodeError> {
    let Ok((tw, th)) = jpeg_size(thumb) else {
        return Ok(None);
    };
    let ratio = |w: u32, h: u32| f64::from(w) / f64::from(h);
    let same_shape = (ratio(tw, th) / ratio(main.0, main.1) - 1.0).abs() <= 0.02;
    if tw.max(th) < opts.long_side.min(main.0.max(main.1)) || !same_shape {
        return Ok(None);
    }
    let Ok((img, _)) = decode_jpeg(thumb, opts.long_side) else {
        return Ok(None);
    };
    finish(img, main, orientation, opts, Via::Thumbnail).map(Some)
}

/// Resizes to the working size (never up) and turns upright.
fn finish(
    img: Rgb,
    original: (u32, u32),
    orientation: u8,
    opts: &DecodeOptions,
    via: Via,
) -> Result<Decoded, DecodeError> {
    let long = img.width.max(img.height);
    let img = if long > opts.long_side {
        resize(img, opts.long_side)?
    } else {
        img
    };
    let image = orient::apply(img, orientation);
    let (ow, oh) = orient::upright_size(original.0, original.1, orientation);
    Ok(Decoded {
        image,
        original_width: ow,
        original_height: oh,
        via,
    })
}

/// Bilinear resize so the long side is `long_side` (fast_image_resize; SIMD where the
/// CPU has it).
pub fn resize(img: Rgb, long_side: u32) -> Result<Rgb, DecodeError> {
    let f = f64::from(long_side) / f64::from(img.width.max(img.height));
    let w = ((f64::from(img.width) * f).round() as u32).max(1);
    let h = ((f64::from(img.height) * f).round() as u32).max(1);
    resize_to(img, w, h)
}

/// Bilinear resize to exactly `w` × `h`.
pub fn resize_to(img: Rgb, w: u32, h: u32) -> Result<Rgb, DecodeError> {
    let (sw, sh) = (img.width, img.height);
    let src = fr::images::Image::from_vec_u8(sw, sh, img.data, fr::PixelType::U8x3)
        .map_err(|_| DecodeError::Corrupt("resize_buffer"))?;
    let mut dst = fr::images::Image::new(w, h, fr::PixelType::U8x3);
    let opts =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
    fr::Resizer::new()
        .resize(&src, &mut dst, &opts)
        .map_err(|_| DecodeError::Corrupt("resize"))?;
    Ok(Rgb {
        width: w,
        height: h,
        data: dst.into_vec(),
    })
}
