//! Pixels at working size, cheaply. JPEGs are decoded with DCT scaling straight to the
//! smallest of 1/1, 1/2, 1/4, 1/8 that still covers the working size (never full size
//! when a smaller one serves), or from the embedded EXIF thumbnail when it is large
//! enough and has the photo's aspect ratio; PNG and WebP go through `image`; hosts may
//! hand over RGBA pixels (HEIC decoded by the OS, platform thumbnails). The result is
//! resized to the working size and turned upright. Header sizes are checked against the
//! pixel budget before anything is allocated.
//!
//! Two JPEG decoders: `jpeg-decoder` (pure Rust, always there) and, with the `turbojpeg`
//! feature, libjpeg-turbo (≈ 1.5× faster at the same DCT scale; a C build that needs
//! cmake, and nasm on x86). Both pick the same scale, so they give the same working
//! size; JPEGs libjpeg-turbo refuses or only decodes with a warning (CMYK, truncated,
//! 12-bit) go to the Rust decoder, so the feature never loses a photo the default reads.

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
    /// Which JPEG decoder to use.
    pub jpeg: JpegBackend,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            long_side: 640,
            max_pixels: MAX_PIXELS,
            use_thumbnail: true,
            jpeg: JpegBackend::default(),
        }
    }
}

/// The JPEG decoder. The default is the fastest one compiled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JpegBackend {
    /// `jpeg-decoder`, pure Rust.
    Rust,
    /// libjpeg-turbo (the `turbojpeg` feature).
    #[cfg(feature = "turbojpeg")]
    LibjpegTurbo,
}

impl Default for JpegBackend {
    fn default() -> Self {
        #[cfg(feature = "turbojpeg")]
        return JpegBackend::LibjpegTurbo;
        #[cfg(not(feature = "turbojpeg"))]
        return JpegBackend::Rust;
    }
}

impl JpegBackend {
    /// Every backend compiled in, the default first.
    pub fn all() -> Vec<JpegBackend> {
        let mut v = vec![JpegBackend::default()];
        if !v.contains(&JpegBackend::Rust) {
            v.push(JpegBackend::Rust);
        }
        v
    }

    pub fn name(self) -> &'static str {
        match self {
            JpegBackend::Rust => "jpeg-decoder",
            #[cfg(feature = "turbojpeg")]
            JpegBackend::LibjpegTurbo => "libjpeg-turbo",
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
        let (img, denominator) = decode_jpeg(bytes, opts.long_side, opts.jpeg)?;
        return finish(img, (w, h), orientation, opts, Via::Jpeg { denominator });
    }
    decode_with_image(bytes, orientation, opts)
}

/// Pixels the host decoded (RGBA, rows top to bottom, no padding), e.g. HEIC through
/// the OS.
pub fn from_rgba(
    width: u32,
    height: u32,
    rgba: &[u8],
    orientation: Option<u8>,
    opts: &DecodeOptions,
) -> Result<Decoded, DecodeError> {
    let px = RgbaView {
        width,
        height,
        stride: width.saturating_mul(4),
        data: rgba,
    };
    from_rgba_view(&px, orientation, None, opts)
}

/// RGBA rows as a host hands them over: `stride` bytes from one row's start to the
/// next (at least `width * 4`; platform bitmaps pad rows).
#[derive(Debug, Clone, Copy)]
pub struct RgbaView<'a> {
    pub width: u32,
    pub height: u32,
    pub stride: u32,
    pub data: &'a [u8],
}

impl RgbaView<'_> {
    /// Bytes the view needs: every row's pixels, the last row without its padding.
    fn required_len(&self) -> Option<u64> {
        let rows = u64::from(self.height).checked_sub(1)?;
        rows.checked_mul(u64::from(self.stride))?
            .checked_add(u64::from(self.width) * 4)
    }
}

/// Host RGBA pixels to the working size, upright. The size is checked against the pixel
/// budget and the buffer against the size before anything is allocated; an answer
/// larger than the working size is box-averaged by a whole factor while it is copied
/// (so a full-size answer never costs a full-size copy), then resized. `orientation`
/// turns the pixels upright (1 or `None` when the host already did). `original_upright`
/// is the photo's own upright size, when known: face boxes are then reported in its
/// pixels, as for a file — unless the answer's shape is not the original's (a cropped
/// thumbnail), where the answer's own size is used.
pub fn from_rgba_view(
    px: &RgbaView<'_>,
    orientation: Option<u8>,
    original_upright: Option<(u32, u32)>,
    opts: &DecodeOptions,
) -> Result<Decoded, DecodeError> {
    let (w, h) = (px.width, px.height);
    budget(w, h, opts)?;
    if u64::from(px.stride) < u64::from(w) * 4 {
        return Err(DecodeError::Corrupt("rgba_stride"));
    }
    if px.required_len().is_none_or(|n| (px.data.len() as u64) < n) {
        return Err(DecodeError::Corrupt("rgba_size_mismatch"));
    }
    let k = (w.max(h) / opts.long_side.max(1)).max(1);
    let (bw, bh) = ((w / k).max(1), (h / k).max(1));
    let mut data = Vec::with_capacity(bw as usize * bh as usize * 3);
    let stride = px.stride as usize;
    let kk = k as usize;
    let area = (kk as u64) * (kk as u64);
    for by in 0..bh as usize {
        for bx in 0..bw as usize {
            let mut sum = [0u64; 3];
            for dy in 0..kk {
                let row = (by * kk + dy) * stride + bx * kk * 4;
                for p in px.data[row..row + kk * 4].chunks_exact(4) {
                    sum[0] += u64::from(p[0]);
                    sum[1] += u64::from(p[1]);
                    sum[2] += u64::from(p[2]);
                }
            }
            data.extend(sum.map(|v| ((v + area / 2) / area) as u8));
        }
    }
    let img = Rgb {
        width: bw,
        height: bh,
        data,
    };
    let img = if bw.max(bh) > opts.long_side {
        resize(img, opts.long_side)?
    } else {
        img
    };
    let orientation = orientation.unwrap_or(1);
    let image = orient::apply(img, orientation);
    let own = orient::upright_size(w, h, orientation);
    let ratio = |(a, b): (u32, u32)| f64::from(a) / f64::from(b.max(1));
    let same_shape =
        |o: (u32, u32)| o.0 > 0 && o.1 > 0 && (ratio(o) / ratio(own) - 1.0).abs() <= 0.02;
    // A host that turned the pixels upright for a record without an orientation may
    // have swapped the sides.
    let (original_width, original_height) = original_upright
        .into_iter()
        .flat_map(|(a, b)| [(a, b), (b, a)])
        .find(|o| same_shape(*o))
        .unwrap_or(own);
    Ok(Decoded {
        image,
        original_width,
        original_height,
        via: Via::Host,
    })
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

/// The DCT scale denominator (1, 2, 4 or 8) for a `w` × `h` JPEG: the smallest output
/// whose sides still cover the working size (scaled sides round up, as both decoders
/// round them).
pub fn jpeg_denominator(w: u32, h: u32, long_side: u32) -> u32 {
    let long = w.max(h);
    if long <= long_side {
        return 1;
    }
    let f = f64::from(long_side) / f64::from(long);
    let req_w = (f64::from(w) * f).ceil().max(1.0) as u32;
    let req_h = (f64::from(h) * f).ceil().max(1.0) as u32;
    [8, 4, 2]
        .into_iter()
        .find(|d| w.div_ceil(*d) >= req_w && h.div_ceil(*d) >= req_h)
        .unwrap_or(1)
}

/// Decodes at the smallest DCT scale whose output still covers `long_side`.
fn decode_jpeg(
    bytes: &[u8],
    long_side: u32,
    backend: JpegBackend,
) -> Result<(Rgb, u32), DecodeError> {
    match backend {
        JpegBackend::Rust => decode_jpeg_rust(bytes, long_side),
        #[cfg(feature = "turbojpeg")]
        JpegBackend::LibjpegTurbo => match decode_jpeg_turbo(bytes, long_side) {
            Some(decoded) => Ok(decoded),
            None => decode_jpeg_rust(bytes, long_side),
        },
    }
}

/// libjpeg-turbo at the scale [`jpeg_denominator`] picks, to RGB. `None` when it cannot
/// or will not decode cleanly (CMYK/YCCK, lossless, 12-bit, any warning such as a
/// truncated file): the caller hands those to the Rust decoder, which decides.
#[cfg(feature = "turbojpeg")]
fn decode_jpeg_turbo(bytes: &[u8], long_side: u32) -> Option<(Rgb, u32)> {
    use turbojpeg::{Colorspace, Decompressor, Image, PixelFormat, ScalingFactor};
    // A progressive JPEG can carry thousands of tiny scans (a CPU bomb); real ones
    // have about ten.
    const SCAN_LIMIT: u32 = 100;
    let mut dec = Decompressor::new().ok()?;
    let header = dec.read_header(bytes).ok()?;
    if header.is_lossless || matches!(header.colorspace, Colorspace::CMYK | Colorspace::YCCK) {
        return None;
    }
    let (w, h) = (
        u32::try_from(header.width).ok()?,
        u32::try_from(header.height).ok()?,
    );
    let denominator = jpeg_denominator(w, h, long_side);
    let scaling = ScalingFactor::new(1, denominator as usize);
    dec.set_scaling_factor(scaling).ok()?;
    dec.set_scan_limit(SCAN_LIMIT).ok()?;
    let scaled = header.scaled(scaling);
    let mut pixels = vec![0u8; scaled.width.checked_mul(scaled.height)?.checked_mul(3)?];
    let image = Image {
        pixels: &mut pixels[..],
        width: scaled.width,
        pitch: scaled.width * 3,
        height: scaled.height,
        format: PixelFormat::RGB,
    };
    dec.decompress(bytes, image).ok()?;
    let img = Rgb::new(
        u32::try_from(scaled.width).ok()?,
        u32::try_from(scaled.height).ok()?,
        pixels,
    )?;
    Some((img, denominator))
}

fn decode_jpeg_rust(bytes: &[u8], long_side: u32) -> Result<(Rgb, u32), DecodeError> {
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
    let denominator = [1, 2, 4, 8]
        .into_iter()
        .find(|d| w.div_ceil(*d) == ow)
        .unwrap_or_else(|| (f64::from(w) / f64::from(ow.max(1))).round().max(1.0) as u32);
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
    let Ok((img, _)) = decode_jpeg(thumb, opts.long_side, opts.jpeg) else {
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
    let mut data = vec![0u8; w as usize * h as usize * 3];
    let opts =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
    resize_rgb(&img.data, img.width, img.height, &mut data, w, h, &opts)?;
    Ok(Rgb {
        width: w,
        height: h,
        data,
    })
}

/// RGB8 `src` (`sw` × `sh`) resized into `dst` (`w` × `h`). Typed to RGB8: the
/// untyped entry point dispatches on the pixel type at run time, which compiles every
/// pixel type's kernels into the library (≈ 1.3 MB of the mobile build) for one we use.
pub(crate) fn resize_rgb(
    src: &[u8],
    sw: u32,
    sh: u32,
    dst: &mut [u8],
    w: u32,
    h: u32,
    opts: &fr::ResizeOptions,
) -> Result<(), DecodeError> {
    use fr::pixels::U8x3;
    let src = fr::images::TypedImageRef::<U8x3>::from_buffer(sw, sh, src)
        .map_err(|_| DecodeError::Corrupt("resize_buffer"))?;
    let mut dst = fr::images::TypedImage::<U8x3>::from_buffer(w, h, dst)
        .map_err(|_| DecodeError::Corrupt("resize_buffer"))?;
    fr::Resizer::new()
        .resize_typed(&src, &mut dst, opts)
        .map_err(|_| DecodeError::Corrupt("resize"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w` × `h` JPEG with detail at every scale (gradients plus a fine checker), so
    /// decoders that disagree on scale or colour show it.
    fn jpeg(w: u16, h: u16, sampling: jpeg_encoder::SamplingFactor) -> Vec<u8> {
        let mut px = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
        for y in 0..u32::from(h) {
            for x in 0..u32::from(w) {
                let check = if (x / 3 + y / 3) % 2 == 0 { 40 } else { 0 };
                px.push(((x * 255) / u32::from(w)) as u8);
                px.push(((y * 255) / u32::from(h)) as u8 / 2 + check);
                px.push((((x + y) * 97) % 256) as u8 / 3);
            }
        }
        let mut out = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut out, 90);
        enc.set_sampling_factor(sampling);
        enc.encode(&px, w, h, jpeg_encoder::ColorType::Rgb)
            .expect("encode");
        out
    }

    #[test]
    fn the_scale_is_the_smallest_that_covers_the_working_size() {
        for (w, h) in [
            (4000, 3000),
            (3000, 4000),
            (8000, 6000),
            (1281, 960),
            (1279, 1),
            (640, 480),
            (641, 9),
            (5121, 2000),
        ] {
            let d = jpeg_denominator(w, h, 640);
            let f = 640.0 / f64::from(w.max(h));
            let (rw, rh) = (
                (f64::from(w) * f).ceil() as u32,
                (f64::from(h) * f).ceil() as u32,
            );
            let covers = |d: u32| w.div_ceil(d) >= rw.min(w) && h.div_ceil(d) >= rh.min(h);
            assert!(covers(d), "{w}×{h}: 1/{d}");
            assert!(
                d == 8 || !covers(d * 2),
                "{w}×{h}: 1/{d} but 1/{} covers",
                d * 2
            );
        }
        assert_eq!(jpeg_denominator(4000, 3000, 640), 4);
        assert_eq!(jpeg_denominator(8000, 6000, 640), 8);
        assert_eq!(jpeg_denominator(600, 400, 640), 1);
    }

    #[test]
    fn the_rust_decoder_decodes_at_the_chosen_scale() {
        for (w, h) in [(1400u16, 1000u16), (999, 1333), (700, 100)] {
            let bytes = jpeg(w, h, jpeg_encoder::SamplingFactor::R_4_2_0);
            let (img, d) = decode_jpeg(&bytes, 320, JpegBackend::Rust).expect("decodes");
            let want = jpeg_denominator(u32::from(w), u32::from(h), 320);
            assert_eq!(d, want, "{w}×{h}");
            assert_eq!(
                (img.width, img.height),
                (u32::from(w).div_ceil(want), u32::from(h).div_ceil(want))
            );
        }
    }

    /// The source pixels averaged over `d` × `d` blocks: what a scaled decode should
    /// approximate.
    fn box_average(src: &[u8], w: usize, h: usize, d: usize) -> Vec<f64> {
        let (ow, oh) = (w.div_ceil(d), h.div_ceil(d));
        let mut out = vec![0.0; ow * oh * 3];
        for oy in 0..oh {
            for ox in 0..ow {
                for c in 0..3 {
                    let (mut sum, mut n) = (0.0, 0.0);
                    for y in oy * d..((oy + 1) * d).min(h) {
                        for x in ox * d..((ox + 1) * d).min(w) {
                            sum += f64::from(src[(y * w + x) * 3 + c]);
                            n += 1.0;
                        }
                    }
                    out[(oy * ow + ox) * 3 + c] = sum / n;
                }
            }
        }
        out
    }

    /// Mean absolute difference from the box-averaged source.
    fn error(img: &Rgb, reference: &[f64]) -> f64 {
        let total: f64 = img
            .data
            .iter()
            .zip(reference)
            .map(|(a, b)| (f64::from(*a) - b).abs())
            .sum();
        total / reference.len() as f64
    }

    #[cfg(feature = "turbojpeg")]
    #[test]
    fn both_decoders_give_the_same_scaled_image() {
        use jpeg_encoder::SamplingFactor as S;
        for (w, h, s) in [
            (1400u16, 1000u16, S::R_4_2_0),
            (999, 1333, S::R_4_2_2),
            (700, 100, S::R_4_4_4),
            (320, 240, S::R_4_2_0),
        ] {
            let bytes = jpeg(w, h, s);
            let (a, da) = decode_jpeg(&bytes, 320, JpegBackend::Rust).expect("rust");
            let (b, db) = decode_jpeg_turbo(&bytes, 320).expect("libjpeg-turbo");
            assert_eq!((da, a.width, a.height), (db, b.width, b.height), "{w}×{h}");
            // Both are faithful to the photo at that scale (the encoded source, decoded
            // at full size by the Rust decoder, averaged over blocks), and about equally.
            let (full, _) =
                decode_jpeg(&bytes, u32::from(w.max(h)), JpegBackend::Rust).expect("full size");
            let reference = box_average(&full.data, usize::from(w), usize::from(h), da as usize);
            let (ea, eb) = (error(&a, &reference), error(&b, &reference));
            assert!(ea < 5.0 && eb < 5.0, "{w}×{h}: errors {ea:.2} / {eb:.2}");
            assert!((ea - eb).abs() < 3.0, "{w}×{h}: errors {ea:.2} / {eb:.2}");
        }
    }

    #[cfg(feature = "turbojpeg")]
    #[test]
    fn what_libjpeg_turbo_will_not_decode_cleanly_goes_to_the_rust_decoder() {
        let bytes = jpeg(800, 600, jpeg_encoder::SamplingFactor::R_4_2_0);
        // Truncated: libjpeg-turbo only warns (and would return grey rows); it is
        // handed over, and the Rust decoder's verdict stands for both backends.
        let cut = &bytes[..bytes.len() * 2 / 3];
        assert!(decode_jpeg_turbo(cut, 320).is_none());
        assert_eq!(
            decode_jpeg(cut, 320, JpegBackend::LibjpegTurbo),
            decode_jpeg(cut, 320, JpegBackend::Rust)
        );
        // Not a JPEG at all.
        assert!(decode_jpeg_turbo(b"\xFF\xD8 nothing", 320).is_none());
        assert!(decode_jpeg(b"\xFF\xD8 nothing", 320, JpegBackend::LibjpegTurbo).is_err());
    }
}
