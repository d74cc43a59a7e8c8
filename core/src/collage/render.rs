//! Renderer: draws a layout into a JPEG or PNG.
//!
//! Each photo is decoded at the DCT scale its cell needs (a 680 px cell of a 12 MP photo
//! is decoded at 1/4, never at full size), cropped and resized straight into its cell.
//! Memory holds the canvas plus one decoded photo at a time. A photo that cannot be
//! decoded leaves a neutral placeholder in its cell and is reported; it never fails the
//! collage.

use std::time::Instant;

use fast_image_resize as fr;
use serde::Serialize;

use super::layout::{Cell, Layout, MAX_SIZE};
use crate::pixels::FetchError;
use crate::progress::CancelToken;
use crate::vision::decode::{self, Decoded, MIN_SIDE};
use crate::vision::Rgb;
use crate::{Error, Result};

/// Where the renderer gets a photo's upright pixels ([`crate::pixels::AssetPixels`]:
/// files, or the host's pixel source).
pub trait CellPixels {
    /// Upright pixels of `asset_id` whose long side is about `long_side` (at least that,
    /// or the whole photo when it is smaller).
    fn pixels(&self, asset_id: i64, long_side: u32) -> std::result::Result<Decoded, FetchError>;
}

/// Output encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Quality 1..=100.
    Jpeg {
        quality: u8,
    },
    Png,
}

impl OutputFormat {
    /// JPEG for `.jpg`/`.jpeg`, PNG for `.png`.
    pub fn from_extension(ext: &str) -> Option<OutputFormat> {
        match ext.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" => Some(OutputFormat::Jpeg { quality: 88 }),
            "png" => Some(OutputFormat::Png),
            _ => None,
        }
    }
}

/// How to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderOptions {
    pub format: OutputFormat,
    /// Gutters and margins.
    pub background: [u8; 3],
    /// Cells whose photo failed to decode.
    pub placeholder: [u8; 3],
    /// Corner radius as a fraction of each cell's short side (0 = square corners, at
    /// most 0.5).
    pub corner_radius: f64,
    /// A classic effect over the whole collage, at a strength 0..=1.
    pub effect: Option<(crate::effects::Effect, f32)>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            format: OutputFormat::Jpeg { quality: 88 },
            background: [255, 255, 255],
            placeholder: [208, 208, 208],
            corner_radius: 0.0,
            effect: None,
        }
    }
}

/// A cell whose photo could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellFailure {
    pub asset_id: i64,
    /// Short kind, e.g. `jpeg_data`, `io_error`, `pixel_budget`.
    pub kind: &'static str,
}

/// The encoded image and what it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub failures: Vec<CellFailure>,
    /// Time spent getting pixels (decoding), drawing, and encoding, ms.
    pub decode_ms: f64,
    pub draw_ms: f64,
    pub encode_ms: f64,
}

/// Face boxes of `photos` where the layout shows them, in canvas pixels (for restyles
/// that keep faces recognisable).
pub fn canvas_faces(
    layout: &Layout,
    photos: &[super::layout::LayoutPhoto],
) -> Vec<super::crop::Rect> {
    let mut out = Vec::new();
    for cell in &layout.cells {
        let Some(p) = photos.iter().find(|p| p.asset_id == cell.asset_id) else {
            continue;
        };
        let (kx, ky) = (
            f64::from(cell.dest.w) / cell.crop.w.max(1e-9),
            f64::from(cell.dest.h) / cell.crop.h.max(1e-9),
        );
        for f in &p.faces {
            let inside = f.x < cell.crop.right()
                && f.right() > cell.crop.x
                && f.y < cell.crop.bottom()
                && f.bottom() > cell.crop.y;
            if inside {
                out.push(super::crop::Rect::new(
                    f64::from(cell.dest.x) + (f.x - cell.crop.x) * kx,
                    f64::from(cell.dest.y) + (f.y - cell.crop.y) * ky,
                    f.w * kx,
                    f.h * ky,
                ));
            }
        }
    }
    out
}

/// The long side to decode a cell's photo at: enough for the crop to fill the cell
/// pixel for pixel, never more than the photo has.
pub fn needed_long_side(cell: &Cell) -> u32 {
    let long = cell.source_width.max(cell.source_height);
    let scale = (f64::from(cell.dest.w) / cell.crop.w.max(1e-9))
        .max(f64::from(cell.dest.h) / cell.crop.h.max(1e-9));
    let want = (f64::from(long) * scale).ceil();
    if want.is_finite() {
        (want as u32).clamp(MIN_SIDE.min(long), long.max(1))
    } else {
        long.max(1)
    }
}

/// A restyle over a whole collage: the network, the blend, the strength, and face boxes
/// on the canvas (see [`canvas_faces`]) to keep recognisable.
#[derive(Debug, Clone, Copy)]
pub struct CollageStyle<'a> {
    pub model: &'a crate::restyle::StyleModel,
    pub blend: &'a crate::restyle::StyleBlend,
    pub strength: f32,
    pub faces: &'a [super::crop::Rect],
}

/// Draws `layout` with pixels from `source`. Cancelling stops between cells.
pub fn render(
    layout: &Layout,
    source: &dyn CellPixels,
    opts: &RenderOptions,
    cancel: &CancelToken,
) -> Result<Rendered> {
    render_styled(layout, source, opts, None, &mut |_, _| {}, cancel)
}

/// [`render`], then a restyle over the canvas when `style` is given (the network paints
/// at ≤ 1024 px; the painting is scaled back to the canvas). `progress` follows the
/// network's layers; a cancel stops between cells or within one layer.
pub fn render_styled(
    layout: &Layout,
    source: &dyn CellPixels,
    opts: &RenderOptions,
    style: Option<&CollageStyle<'_>>,
    progress: &mut dyn FnMut(u64, u64),
    cancel: &CancelToken,
) -> Result<Rendered> {
    if layout.width == 0 || layout.height == 0 || layout.width.max(layout.height) > MAX_SIZE {
        return Err(Error::InvalidArgument(format!(
            "canvas must be 1..={MAX_SIZE} pixels a side"
        )));
    }
    if !(0.0..=0.5).contains(&opts.corner_radius) {
        return Err(Error::InvalidArgument(
            "corner radius must be 0..=0.5".into(),
        ));
    }
    // Refused before any photo is decoded.
    if let Some((_, strength)) = opts.effect {
        crate::effects::check_strength(strength)?;
    }
    let mut canvas = Canvas::new(layout.width, layout.height, opts.background);
    let mut failures = Vec::new();
    let (mut decode_ms, mut draw_ms) = (0.0, 0.0);
    for cell in &layout.cells {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let t = Instant::now();
        let pixels = source.pixels(cell.asset_id, needed_long_side(cell));
        decode_ms += ms(t);
        let t = Instant::now();
        let drawn = pixels.and_then(|d| fit(&d, cell).map_err(FetchError::Decode));
        match drawn {
            Ok(img) => canvas.blit(&img, cell, opts),
            Err(e) => {
                failures.push(CellFailure {
                    asset_id: cell.asset_id,
                    kind: e.kind(),
                });
                let fill = Rgb {
                    width: cell.dest.w,
                    height: cell.dest.h,
                    data: opts
                        .placeholder
                        .repeat(cell.dest.w as usize * cell.dest.h as usize),
                };
                canvas.blit(&fill, cell, opts);
            }
        }
        draw_ms += ms(t);
    }
    let t = Instant::now();
    let mut image = canvas.into_rgb();
    if let Some(st) = style {
        let (w, h) = (image.width, image.height);
        let painted =
            st.model
                .restyle(&image, st.blend, st.strength, st.faces, progress, cancel)?;
        image = if (painted.width, painted.height) == (w, h) {
            painted
        } else {
            decode::resize_to(painted, w, h)
                .map_err(|_| Error::InvalidArgument("collage cannot be resized".into()))?
        };
    }
    if let Some((effect, strength)) = opts.effect {
        image = crate::effects::apply(&image, effect, strength)?;
    }
    let bytes = encode(&image, opts.format)?;
    Ok(Rendered {
        bytes,
        width: layout.width,
        height: layout.height,
        failures,
        decode_ms,
        draw_ms,
        encode_ms: ms(t),
    })
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// The cell's crop of the decoded photo, resized to the cell.
fn fit(decoded: &Decoded, cell: &Cell) -> std::result::Result<Rgb, decode::DecodeError> {
    crop_resize(
        &decoded.image,
        &cell.crop,
        cell.source_width,
        cell.dest.w,
        cell.dest.h,
    )
}

/// `crop` (in the photo's upright pixels, `source_width` wide) of `img` (those pixels
/// at any scale), resized to `w` × `h` (bilinear).
pub(crate) fn crop_resize(
    img: &Rgb,
    crop: &super::crop::Rect,
    source_width: u32,
    w: u32,
    h: u32,
) -> std::result::Result<Rgb, decode::DecodeError> {
    let k = f64::from(img.width) / f64::from(source_width.max(1));
    let left = (crop.x * k).clamp(0.0, f64::from(img.width) - 1.0);
    let top = (crop.y * k).clamp(0.0, f64::from(img.height) - 1.0);
    let cw = (crop.w * k).clamp(1.0, f64::from(img.width) - left);
    let ch = (crop.h * k).clamp(1.0, f64::from(img.height) - top);
    let mut data = vec![0u8; w as usize * h as usize * 3];
    let opts = fr::ResizeOptions::new()
        .crop(left, top, cw, ch)
        .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
    decode::resize_rgb(&img.data, img.width, img.height, &mut data, w, h, &opts)?;
    Ok(Rgb {
        width: w,
        height: h,
        data,
    })
}

struct Canvas {
    width: u32,
    data: Vec<u8>,
    background: [u8; 3],
}

impl Canvas {
    fn new(width: u32, height: u32, background: [u8; 3]) -> Canvas {
        Canvas {
            width,
            data: background.repeat(width as usize * height as usize),
            background,
        }
    }

    /// Copies `img` (the cell's size) into the cell, rounding its corners into the
    /// background.
    fn blit(&mut self, img: &Rgb, cell: &Cell, opts: &RenderOptions) {
        let d = cell.dest;
        let stride = self.width as usize * 3;
        let row_len = d.w as usize * 3;
        for y in 0..d.h as usize {
            let at = (d.y as usize + y) * stride + d.x as usize * 3;
            let from = y * row_len;
            self.data[at..at + row_len].copy_from_slice(&img.data[from..from + row_len]);
        }
        let r = opts.corner_radius * f64::from(d.w.min(d.h));
        if r < 0.5 {
            return;
        }
        let span = r.ceil() as u32;
        for cy in 0..span.min(d.h) {
            for cx in 0..span.min(d.w) {
                // Distance from the corner circle's centre, for the top-left corner; the
                // other three mirror it.
                let dx = r - (f64::from(cx) + 0.5);
                let dy = r - (f64::from(cy) + 0.5);
                if dx <= 0.0 || dy <= 0.0 {
                    continue;
                }
                let cover = (r - dx.hypot(dy) + 0.5).clamp(0.0, 1.0);
                if cover >= 1.0 {
                    continue;
                }
                for (x, y) in [
                    (cx, cy),
                    (d.w - 1 - cx, cy),
                    (cx, d.h - 1 - cy),
                    (d.w - 1 - cx, d.h - 1 - cy),
                ] {
                    let at = (d.y + y) as usize * stride + (d.x + x) as usize * 3;
                    for c in 0..3 {
                        let px = f64::from(self.data[at + c]);
                        let bg = f64::from(self.background[c]);
                        self.data[at + c] = (bg + (px - bg) * cover).round() as u8;
                    }
                }
            }
        }
    }

    fn into_rgb(self) -> Rgb {
        let height = (self.data.len() / (self.width as usize * 3)) as u32;
        Rgb {
            width: self.width,
            height,
            data: self.data,
        }
    }
}

/// Encodes an image as JPEG or PNG.
pub fn encode(img: &Rgb, format: OutputFormat) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    match format {
        OutputFormat::Jpeg { quality } => {
            let (w, h) = (
                u16::try_from(img.width).map_err(|_| too_big())?,
                u16::try_from(img.height).map_err(|_| too_big())?,
            );
            jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100))
                .encode(&img.data, w, h, jpeg_encoder::ColorType::Rgb)
                .map_err(|_| Error::InvalidArgument("image cannot be encoded as JPEG".into()))?;
        }
        OutputFormat::Png => {
            use image::ImageEncoder;
            image::codecs::png::PngEncoder::new(&mut out)
                .write_image(
                    &img.data,
                    img.width,
                    img.height,
                    image::ExtendedColorType::Rgb8,
                )
                .map_err(|_| Error::InvalidArgument("image cannot be encoded as PNG".into()))?;
        }
    }
    Ok(out)
}

fn too_big() -> Error {
    Error::InvalidArgument("image too large to encode".into())
}

#[cfg(test)]
mod tests {
    use super::super::crop::Rect;
    use super::super::layout::tests::photo;
    use super::super::layout::{layout, LayoutOptions, PixelRect, Shape, Template};
    use super::*;
    use crate::vision::decode::{DecodeError, DecodeOptions, Hint, Via};
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// Solid-colour photos; records the sizes asked for.
    struct Solid {
        sizes: HashMap<i64, (u32, u32, [u8; 3])>,
        asked: RefCell<Vec<(i64, u32)>>,
    }

    impl CellPixels for Solid {
        fn pixels(&self, id: i64, long_side: u32) -> std::result::Result<Decoded, FetchError> {
            self.asked.borrow_mut().push((id, long_side));
            let &(w, h, colour) = self
                .sizes
                .get(&id)
                .ok_or(DecodeError::Corrupt("jpeg_data"))?;
            let f = f64::from(long_side) / f64::from(w.max(h));
            let (sw, sh) = (
                ((f64::from(w) * f).round() as u32).max(1),
                ((f64::from(h) * f).round() as u32).max(1),
            );
            Ok(Decoded {
                image: Rgb {
                    width: sw,
                    height: sh,
                    data: colour.repeat((sw * sh) as usize),
                },
                original_width: w,
                original_height: h,
                via: Via::Host,
            })
        }
    }

    fn decode_png(bytes: &[u8]) -> image::RgbImage {
        image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
            .expect("png")
            .to_rgb8()
    }

    #[test]
    fn draws_cells_gutters_and_placeholders() {
        let source = Solid {
            sizes: [
                (1, (4000, 3000, [200, 0, 0])),
                (2, (3000, 4000, [0, 0, 200])),
            ]
            .into(),
            asked: RefCell::new(vec![]),
        };
        // Asset 3 has no pixels: a placeholder, reported.
        let photos = [
            photo(1, 4000, 3000),
            photo(2, 3000, 4000),
            photo(3, 4000, 3000),
        ];
        let l = layout(
            &photos,
            &LayoutOptions {
                size: 600,
                template: Some(Template::Grid),
                shape: Some(Shape::Landscape),
                gutter: 0.02,
            },
        )
        .expect("layout");
        let opts = RenderOptions {
            format: OutputFormat::Png,
            background: [255, 255, 255],
            placeholder: [100, 100, 100],
            corner_radius: 0.1,
            effect: None,
        };
        let out = render(&l, &source, &opts, &CancelToken::new()).expect("render");
        assert_eq!(
            out.failures,
            vec![CellFailure {
                asset_id: 3,
                kind: "jpeg_data"
            }]
        );
        let img = decode_png(&out.bytes);
        assert_eq!((img.width(), img.height()), (l.width, l.height));
        let centre = |d: PixelRect| img.get_pixel(d.x + d.w / 2, d.y + d.h / 2).0;
        assert_eq!(centre(l.cells[0].dest), [200, 0, 0]);
        assert_eq!(centre(l.cells[1].dest), [0, 0, 200]);
        assert_eq!(centre(l.cells[2].dest), [100, 100, 100]);
        // Gutter and a rounded corner show the background.
        assert_eq!(img.get_pixel(1, 1).0, [255, 255, 255]);
        let d = l.cells[0].dest;
        assert_eq!(img.get_pixel(d.x, d.y).0, [255, 255, 255]);
        // Decoded at the cell's scale, not full size.
        for (_, long) in source.asked.borrow().iter() {
            assert!(*long < 1000, "asked {long}");
        }
    }

    #[test]
    fn an_effect_covers_the_whole_collage_and_a_bad_strength_is_refused_first() {
        let source = Solid {
            sizes: [(1, (4000, 3000, [200, 40, 0]))].into(),
            asked: RefCell::new(vec![]),
        };
        let l = layout(
            &[photo(1, 4000, 3000)],
            &LayoutOptions {
                size: 300,
                ..Default::default()
            },
        )
        .expect("layout");
        let mono = RenderOptions {
            format: OutputFormat::Png,
            effect: Some((crate::effects::Effect::Mono, 1.0)),
            ..RenderOptions::default()
        };
        let out = render(&l, &source, &mono, &CancelToken::new()).expect("render");
        let img = decode_png(&out.bytes);
        assert!(img.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
        let c = l.cells[0].dest;
        assert_ne!(img.get_pixel(c.x + c.w / 2, c.y + c.h / 2).0, [200, 40, 0]);
        let bad = RenderOptions {
            effect: Some((crate::effects::Effect::Mono, 1.5)),
            ..mono
        };
        source.asked.borrow_mut().clear();
        assert!(matches!(
            render(&l, &source, &bad, &CancelToken::new()),
            Err(Error::InvalidArgument(_))
        ));
        assert!(
            source.asked.borrow().is_empty(),
            "refused before any decode"
        );
    }

    #[test]
    fn needed_scale_follows_the_crop() {
        let l = layout(
            &[photo(1, 4000, 3000)],
            &LayoutOptions {
                size: 500,
                ..Default::default()
            },
        )
        .expect("layout");
        let long = needed_long_side(&l.cells[0]);
        assert!((490..=520).contains(&long), "{long}");
        // A zoomed crop needs more pixels.
        let mut cell = l.cells[0].clone();
        cell.crop = Rect::new(0.0, 0.0, cell.crop.w / 4.0, cell.crop.h / 4.0);
        assert!(needed_long_side(&cell) > 3 * long);
    }

    #[test]
    fn cancel_stops_rendering() {
        let source = Solid {
            sizes: HashMap::new(),
            asked: RefCell::new(vec![]),
        };
        let l = layout(
            &[photo(1, 100, 100)],
            &LayoutOptions {
                size: 100,
                ..Default::default()
            },
        )
        .expect("layout");
        let cancel = CancelToken::new();
        cancel.cancel();
        assert!(matches!(
            render(&l, &source, &RenderOptions::default(), &cancel),
            Err(Error::Cancelled)
        ));
    }

    #[test]
    fn jpeg_output_decodes() {
        let img = Rgb {
            width: 64,
            height: 48,
            data: [10u8, 120, 240].repeat(64 * 48),
        };
        let bytes = encode(&img, OutputFormat::Jpeg { quality: 90 }).expect("jpeg");
        let back = decode::decode_bytes(&bytes, Hint::default(), &DecodeOptions::default())
            .expect("decode");
        assert_eq!((back.image.width, back.image.height), (64, 48));
        let p = back.image.pixel(32, 24);
        assert!((i32::from(p[2]) - 240).abs() < 6, "{p:?}");
    }
}
