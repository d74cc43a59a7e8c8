//! Collage layouts, rendering and recap stories for apps.

use std::collections::HashMap;

use keepsake_core::collage as col;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CollageTemplate {
    Single,
    Grid,
    Mosaic,
    HeroStrip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CanvasShape {
    Square,
    /// 4:5.
    Portrait,
    /// 3:2.
    Landscape,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct CollageOptions {
    /// Long side of the canvas, 64..=8192 pixels.
    pub size: u32,
    /// Chosen from the photos when `null`.
    pub template: Option<CollageTemplate>,
    pub shape: Option<CanvasShape>,
    /// Space between and around cells, fraction of the long side (0..=0.1).
    pub gutter: f64,
    /// A classic effect over the rendered collage (`null`: none).
    pub effect: Option<PhotoEffect>,
    /// Its strength, 0 (none) ..= 1 (full).
    pub effect_strength: f32,
}

/// Classic photo effects (no model): colour looks, duotone, vignette, grain, pencil
/// sketch, cartoon. Deterministic: the same photo gives the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PhotoEffect {
    Warm,
    Cool,
    Vivid,
    Mono,
    Fade,
    Film,
    Duotone,
    Vignette,
    Grain,
    Sketch,
    Cartoon,
}

impl From<PhotoEffect> for keepsake_core::effects::Effect {
    fn from(e: PhotoEffect) -> Self {
        use keepsake_core::effects::Effect as E;
        match e {
            PhotoEffect::Warm => E::Warm,
            PhotoEffect::Cool => E::Cool,
            PhotoEffect::Vivid => E::Vivid,
            PhotoEffect::Mono => E::Mono,
            PhotoEffect::Fade => E::Fade,
            PhotoEffect::Film => E::Film,
            PhotoEffect::Duotone => E::Duotone,
            PhotoEffect::Vignette => E::Vignette,
            PhotoEffect::Grain => E::Grain,
            PhotoEffect::Sketch => E::Sketch,
            PhotoEffect::Cartoon => E::Cartoon,
        }
    }
}

/// One photo on the canvas: draw the `crop_*` part of the upright photo into the
/// `dest_*` rectangle. Stored pixels turn upright by mirroring (if `mirrored`) and then
/// rotating `rotation` degrees clockwise.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CollageCell {
    pub asset_id: String,
    pub dest_x: u32,
    pub dest_y: u32,
    pub dest_width: u32,
    pub dest_height: u32,
    pub crop_x: f64,
    pub crop_y: f64,
    pub crop_width: f64,
    pub crop_height: f64,
    pub source_width: u32,
    pub source_height: u32,
    pub rotation: u16,
    pub mirrored: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CollageLayout {
    pub width: u32,
    pub height: u32,
    pub template: CollageTemplate,
    pub shape: CanvasShape,
    pub gutter: u32,
    pub cells: Vec<CollageCell>,
    /// Photos beyond the 20 a collage holds.
    pub left_out: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ImageFormat {
    /// Quality 1..=100.
    Jpeg {
        quality: u8,
    },
    Png,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CollageImage {
    /// The encoded image (empty when it was written to a file).
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Photos drawn as a placeholder because their pixels could not be had.
    pub failed_assets: Vec<String>,
}

pub(crate) fn options(o: &CollageOptions) -> col::LayoutOptions {
    col::LayoutOptions {
        size: o.size,
        template: o.template.map(|t| match t {
            CollageTemplate::Single => col::Template::Single,
            CollageTemplate::Grid => col::Template::Grid,
            CollageTemplate::Mosaic => col::Template::Mosaic,
            CollageTemplate::HeroStrip => col::Template::HeroStrip,
        }),
        shape: o.shape.map(|s| match s {
            CanvasShape::Square => col::Shape::Square,
            CanvasShape::Portrait => col::Shape::Portrait,
            CanvasShape::Landscape => col::Shape::Landscape,
        }),
        gutter: o.gutter,
    }
}

pub(crate) fn format(f: ImageFormat) -> col::OutputFormat {
    match f {
        ImageFormat::Jpeg { quality } => col::OutputFormat::Jpeg { quality },
        ImageFormat::Png => col::OutputFormat::Png,
    }
}

fn name(id: i64, names: &HashMap<i64, String>) -> String {
    names.get(&id).cloned().unwrap_or_else(|| id.to_string())
}

pub(crate) fn layout(l: &col::Layout, names: &HashMap<i64, String>) -> CollageLayout {
    CollageLayout {
        width: l.width,
        height: l.height,
        template: match l.template {
            col::Template::Single => CollageTemplate::Single,
            col::Template::Grid => CollageTemplate::Grid,
            col::Template::Mosaic => CollageTemplate::Mosaic,
            col::Template::HeroStrip => CollageTemplate::HeroStrip,
        },
        shape: match l.shape {
            col::Shape::Square => CanvasShape::Square,
            col::Shape::Portrait => CanvasShape::Portrait,
            col::Shape::Landscape => CanvasShape::Landscape,
        },
        gutter: l.gutter,
        cells: l
            .cells
            .iter()
            .map(|c| CollageCell {
                asset_id: name(c.asset_id, names),
                dest_x: c.dest.x,
                dest_y: c.dest.y,
                dest_width: c.dest.w,
                dest_height: c.dest.h,
                crop_x: c.crop.x,
                crop_y: c.crop.y,
                crop_width: c.crop.w,
                crop_height: c.crop.h,
                source_width: c.source_width,
                source_height: c.source_height,
                rotation: c.rotation,
                mirrored: c.mirrored,
            })
            .collect(),
        left_out: l.left_out,
    }
}

/// An encoded single image (no cell could fail).
pub(crate) fn encoded((bytes, width, height): (Vec<u8>, u32, u32)) -> CollageImage {
    CollageImage {
        bytes,
        width,
        height,
        failed_assets: Vec::new(),
    }
}

pub(crate) fn image(r: col::Rendered, names: &HashMap<i64, String>) -> CollageImage {
    CollageImage {
        bytes: r.bytes,
        width: r.width,
        height: r.height,
        failed_assets: r.failures.iter().map(|f| name(f.asset_id, names)).collect(),
    }
}
