//! Layout engine: where each photo goes on the canvas and which part of it shows.
//!
//! The output is a description apps can draw themselves (canvas size; per cell the
//! asset, destination rectangle, source crop in upright pixels, and the rotation and
//! mirroring that turn the stored pixels upright). The same input always gives the same
//! layout.

use serde::Serialize;

use super::crop::{face_aware_crop, Rect};
use crate::{Error, Result};

/// Smallest and largest canvas long side accepted, pixels.
pub const MIN_SIZE: u32 = 64;
pub const MAX_SIZE: u32 = 8192;
/// Most photos one collage holds; later ones are left out (and counted).
pub const MAX_CELLS: usize = 20;

/// A collage template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// One photo.
    Single,
    /// Equal cells in rows and columns (a shorter last row is stretched across).
    Grid,
    /// Justified rows: each row's cells keep the photos' aspect ratios.
    Mosaic,
    /// The first photo large, the others in a strip beside or below it.
    HeroStrip,
}

impl Template {
    pub const ALL: [Template; 4] = [
        Template::Single,
        Template::Grid,
        Template::Mosaic,
        Template::HeroStrip,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Template::Single => "single",
            Template::Grid => "grid",
            Template::Mosaic => "mosaic",
            Template::HeroStrip => "hero_strip",
        }
    }

    pub fn parse(s: &str) -> Option<Template> {
        Template::ALL
            .into_iter()
            .find(|t| t.as_str() == s || t.as_str().replace('_', "-") == s)
    }
}

/// The canvas' shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    Square,
    /// 4:5.
    Portrait,
    /// 3:2.
    Landscape,
}

impl Shape {
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Square => "square",
            Shape::Portrait => "portrait",
            Shape::Landscape => "landscape",
        }
    }

    pub fn parse(s: &str) -> Option<Shape> {
        [Shape::Square, Shape::Portrait, Shape::Landscape]
            .into_iter()
            .find(|t| t.as_str() == s)
    }

    /// Canvas size for a long side of `size` pixels.
    pub fn canvas(self, size: u32) -> (u32, u32) {
        let part =
            |num: u32, den: u32| ((u64::from(size) * u64::from(num)) / u64::from(den)) as u32;
        match self {
            Shape::Square => (size, size),
            Shape::Portrait => (part(4, 5), size),
            Shape::Landscape => (size, part(2, 3)),
        }
    }
}

/// A photo to lay out: its upright size and faces.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutPhoto {
    pub asset_id: i64,
    /// Upright (orientation applied) size, pixels.
    pub width: u32,
    pub height: u32,
    /// EXIF orientation 1..=8 of the stored pixels.
    pub orientation: u8,
    /// Face boxes in upright pixels.
    pub faces: Vec<Rect>,
}

impl LayoutPhoto {
    fn aspect(&self) -> f64 {
        f64::from(self.width.max(1)) / f64::from(self.height.max(1))
    }
}

/// What the caller wants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayoutOptions {
    /// Long side of the canvas, pixels.
    pub size: u32,
    /// Chosen from the photos when `None`.
    pub template: Option<Template>,
    /// Chosen from the photos when `None`.
    pub shape: Option<Shape>,
    /// Space between cells and around them, as a fraction of the long side.
    pub gutter: f64,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            size: 2048,
            template: None,
            shape: None,
            gutter: 0.01,
        }
    }
}

/// A rectangle on the canvas, whole pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PixelRect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// One photo on the canvas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub asset_id: i64,
    /// Where it goes on the canvas.
    pub dest: PixelRect,
    /// Which part of the upright photo shows (upright pixels).
    pub crop: Rect,
    /// Upright size of the photo.
    pub source_width: u32,
    pub source_height: u32,
    /// Clockwise degrees (0, 90, 180, 270) that turn the stored pixels upright, applied
    /// after `mirrored` (EXIF orientation).
    pub rotation: u16,
    /// Mirror the stored pixels horizontally first.
    pub mirrored: bool,
    pub faces_inside: u32,
    pub faces_cut: u32,
}

/// A layout description.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    pub template: Template,
    pub shape: Shape,
    pub gutter: u32,
    pub cells: Vec<Cell>,
    /// Photos left out (beyond [`MAX_CELLS`]).
    pub left_out: u32,
}

/// Rotation and mirroring of an EXIF orientation.
pub fn rotation_of(orientation: u8) -> (u16, bool) {
    match orientation {
        2 => (0, true),
        3 => (180, false),
        4 => (180, true),
        5 => (90, true),
        6 => (90, false),
        7 => (270, true),
        8 => (270, false),
        _ => (0, false),
    }
}

/// Lays out `photos` (the first is the hero where a template has one).
pub fn layout(photos: &[LayoutPhoto], opts: &LayoutOptions) -> Result<Layout> {
    if !(MIN_SIZE..=MAX_SIZE).contains(&opts.size) {
        return Err(Error::InvalidArgument(format!(
            "size must be {MIN_SIZE}..={MAX_SIZE} pixels"
        )));
    }
    if !(0.0..=0.1).contains(&opts.gutter) {
        return Err(Error::InvalidArgument("gutter must be 0..=0.1".into()));
    }
    if photos.is_empty() {
        return Err(Error::InvalidArgument(
            "a collage needs at least one photo".into(),
        ));
    }
    if photos.iter().any(|p| p.width == 0 || p.height == 0) {
        return Err(Error::InvalidArgument("photo size must be positive".into()));
    }
    let left_out = photos.len().saturating_sub(MAX_CELLS) as u32;
    let photos = &photos[..photos.len().min(MAX_CELLS)];
    let template = match opts.template {
        Some(Template::Single) if photos.len() > 1 => {
            return Err(Error::InvalidArgument(
                "the single template takes one photo".into(),
            ))
        }
        Some(t) if photos.len() == 1 && t != Template::Single => Template::Single,
        Some(t) => t,
        None => pick_template(photos),
    };
    let shape = opts.shape.unwrap_or_else(|| pick_shape(template, photos));
    let (width, height) = shape.canvas(opts.size);
    let gutter = (f64::from(opts.size) * opts.gutter).round() as u32;
    let g = f64::from(gutter);
    let inner = Rect::new(
        g,
        g,
        f64::from(width) - 2.0 * g,
        f64::from(height) - 2.0 * g,
    );
    if inner.w < photos.len() as f64 || inner.h < 1.0 {
        return Err(Error::InvalidArgument(
            "size too small for this many photos".into(),
        ));
    }
    let aspects: Vec<f64> = photos.iter().map(LayoutPhoto::aspect).collect();
    let rects = match template {
        Template::Single => vec![inner],
        Template::Grid => grid(inner, g, &aspects),
        Template::Mosaic => mosaic(inner, g, &aspects),
        Template::HeroStrip => hero_strip(inner, g, photos.len(), shape),
    };
    let cells = photos
        .iter()
        .zip(rects)
        .map(|(p, r)| {
            let dest = snap(r);
            let aspect = f64::from(dest.w.max(1)) / f64::from(dest.h.max(1));
            let crop = face_aware_crop(f64::from(p.width), f64::from(p.height), aspect, &p.faces);
            let (rotation, mirrored) = rotation_of(p.orientation);
            Cell {
                asset_id: p.asset_id,
                dest,
                crop: crop.rect,
                source_width: p.width,
                source_height: p.height,
                rotation,
                mirrored,
                faces_inside: crop.faces_inside,
                faces_cut: crop.faces_cut,
            }
        })
        .collect();
    Ok(Layout {
        width,
        height,
        template,
        shape,
        gutter,
        cells,
        left_out,
    })
}

/// Rounds edges (not sizes), so neighbours keep exact gutters.
fn snap(r: Rect) -> PixelRect {
    let x0 = r.x.round().max(0.0) as u32;
    let y0 = r.y.round().max(0.0) as u32;
    let x1 = (r.right().round() as u32).max(x0 + 1);
    let y1 = (r.bottom().round() as u32).max(y0 + 1);
    PixelRect {
        x: x0,
        y: y0,
        w: x1 - x0,
        h: y1 - y0,
    }
}

fn pick_template(photos: &[LayoutPhoto]) -> Template {
    let n = photos.len();
    if n == 1 {
        return Template::Single;
    }
    let aspects = photos.iter().map(LayoutPhoto::aspect);
    let lo = aspects.clone().fold(f64::INFINITY, f64::min);
    let hi = aspects.fold(0.0, f64::max);
    let similar = hi / lo <= 1.4;
    match n {
        2 | 3 | 4 | 6 | 9 if similar => Template::Grid,
        4 | 5 => Template::HeroStrip,
        _ => Template::Mosaic,
    }
}

fn pick_shape(template: Template, photos: &[LayoutPhoto]) -> Shape {
    let class = |a: f64| {
        if a >= 1.2 {
            Shape::Landscape
        } else if a <= 0.85 {
            Shape::Portrait
        } else {
            Shape::Square
        }
    };
    match template {
        Template::Single => class(photos[0].aspect()),
        Template::Grid if photos.len() <= 3 => {
            let classes: Vec<Shape> = photos.iter().map(|p| class(p.aspect())).collect();
            if classes.iter().all(|c| *c == Shape::Portrait) {
                Shape::Landscape
            } else if classes.iter().all(|c| *c == Shape::Landscape) {
                Shape::Portrait
            } else {
                Shape::Square
            }
        }
        _ => Shape::Square,
    }
}

/// Splits `len` into `n` parts with `g` between them.
fn split(start: f64, len: f64, g: f64, weights: &[f64]) -> Vec<(f64, f64)> {
    let total: f64 = weights.iter().sum();
    let usable = len - g * (weights.len() as f64 - 1.0);
    let mut at = start;
    weights
        .iter()
        .map(|w| {
            let size = usable * w / total;
            let part = (at, size);
            at += size + g;
            part
        })
        .collect()
}

/// Rows and columns chosen so cells come closest to the photos' median shape.
fn grid(inner: Rect, g: f64, aspects: &[f64]) -> Vec<Rect> {
    let n = aspects.len();
    let mut sorted = aspects.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[n / 2];
    let mut best: Option<(f64, usize)> = None;
    for cols in 1..=n {
        let rows = n.div_ceil(cols);
        if rows * cols - n >= cols {
            continue;
        }
        let cell_w = (inner.w - g * (cols as f64 - 1.0)) / cols as f64;
        let cell_h = (inner.h - g * (rows as f64 - 1.0)) / rows as f64;
        let misfit = ((cell_w / cell_h) / median).ln().abs();
        if best.is_none_or(|(m, _)| misfit < m - 1e-9) {
            best = Some((misfit, cols));
        }
    }
    let cols = best.map_or(1, |(_, c)| c);
    let rows = n.div_ceil(cols);
    let row_spans = split(inner.y, inner.h, g, &vec![1.0; rows]);
    let mut out = Vec::with_capacity(n);
    for (r, (y, h)) in row_spans.into_iter().enumerate() {
        let in_row = cols.min(n - r * cols);
        for (x, w) in split(inner.x, inner.w, g, &vec![1.0; in_row]) {
            out.push(Rect::new(x, y, w, h));
        }
    }
    out
}

/// Justified rows: the photos, in order, split into the number of rows whose natural
/// height (each row as tall as its photos need to fill the width) is closest to the
/// canvas; rows are then scaled to fill it exactly.
fn mosaic(inner: Rect, g: f64, aspects: &[f64]) -> Vec<Rect> {
    let n = aspects.len();
    let mut best: Option<(f64, Vec<usize>)> = None;
    for rows in 1..=n {
        let cuts = partition(aspects, rows);
        let heights = row_heights(inner.w, g, aspects, &cuts);
        let natural: f64 = heights.iter().sum::<f64>() + g * (rows as f64 - 1.0);
        let misfit = (natural / inner.h).ln().abs();
        if best.as_ref().is_none_or(|(m, _)| misfit < m - 1e-9) {
            best = Some((misfit, cuts));
        }
    }
    let cuts = best.map(|(_, c)| c).unwrap_or_else(|| vec![n]);
    let heights = row_heights(inner.w, g, aspects, &cuts);
    let mut out = Vec::with_capacity(n);
    let mut first = 0;
    for ((y, h), end) in split(inner.y, inner.h, g, &heights).into_iter().zip(&cuts) {
        for (x, w) in split(inner.x, inner.w, g, &aspects[first..*end]) {
            out.push(Rect::new(x, y, w, h));
        }
        first = *end;
    }
    out
}

fn row_heights(width: f64, g: f64, aspects: &[f64], cuts: &[usize]) -> Vec<f64> {
    let mut first = 0;
    cuts.iter()
        .map(|&end| {
            let row = &aspects[first..end];
            first = end;
            (width - g * (row.len() as f64 - 1.0)) / row.iter().sum::<f64>()
        })
        .collect()
}

/// Splits `aspects` (in order) into `rows` non-empty runs whose aspect sums are as even
/// as possible (least squares); returns each run's end index.
fn partition(aspects: &[f64], rows: usize) -> Vec<usize> {
    let n = aspects.len();
    let total: f64 = aspects.iter().sum();
    let ideal = total / rows as f64;
    let mut prefix = vec![0.0; n + 1];
    for (i, a) in aspects.iter().enumerate() {
        prefix[i + 1] = prefix[i] + a;
    }
    // cost[k][i]: best cost of the first i photos in k rows; from[k][i]: where row k starts.
    let inf = f64::INFINITY;
    let mut cost = vec![vec![inf; n + 1]; rows + 1];
    let mut from = vec![vec![0usize; n + 1]; rows + 1];
    cost[0][0] = 0.0;
    for k in 1..=rows {
        for i in k..=n {
            for j in (k - 1)..i {
                if cost[k - 1][j] == inf {
                    continue;
                }
                let d = prefix[i] - prefix[j] - ideal;
                let c = cost[k - 1][j] + d * d;
                if c < cost[k][i] - 1e-12 {
                    cost[k][i] = c;
                    from[k][i] = j;
                }
            }
        }
    }
    let mut ends = Vec::with_capacity(rows);
    let mut i = n;
    for k in (1..=rows).rev() {
        ends.push(i);
        i = from[k][i];
    }
    ends.reverse();
    ends
}

/// The hero takes 62 % of the canvas; the others share strips of up to four cells
/// (below it on square and portrait canvases, beside it on landscape ones).
fn hero_strip(inner: Rect, g: f64, n: usize, shape: Shape) -> Vec<Rect> {
    let rest = n - 1;
    let strips = rest.div_ceil(4).max(1);
    let beside = shape == Shape::Landscape;
    let main = if beside { inner.w } else { inner.h };
    let hero_len = (main - g) * 0.62;
    let strip_total = main - g - hero_len;
    let mut out = Vec::with_capacity(n);
    if beside {
        out.push(Rect::new(inner.x, inner.y, hero_len, inner.h));
    } else {
        out.push(Rect::new(inner.x, inner.y, inner.w, hero_len));
    }
    let strip_spans = split(0.0, strip_total, g, &vec![1.0; strips]);
    for (s, (offset, thick)) in strip_spans.into_iter().enumerate() {
        let in_strip = (rest - s * 4).min(4);
        if beside {
            let x = inner.x + hero_len + g + offset;
            for (y, h) in split(inner.y, inner.h, g, &vec![1.0; in_strip]) {
                out.push(Rect::new(x, y, thick, h));
            }
        } else {
            let y = inner.y + hero_len + g + offset;
            for (x, w) in split(inner.x, inner.w, g, &vec![1.0; in_strip]) {
                out.push(Rect::new(x, y, w, thick));
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A photo without faces, upright.
    pub(crate) fn photo(id: i64, w: u32, h: u32) -> LayoutPhoto {
        LayoutPhoto {
            asset_id: id,
            width: w,
            height: h,
            orientation: 1,
            faces: vec![],
        }
    }

    fn overlaps(a: &PixelRect, b: &PixelRect) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    /// Every template, every count 1..=12: cells inside the canvas, no overlaps, every
    /// photo once, and crops inside their photos with the cell's aspect ratio.
    #[test]
    fn cells_tile_the_canvas() {
        let shapes = [
            (4000, 3000),
            (3000, 4000),
            (2000, 2000),
            (6000, 2000),
            (1080, 2400),
        ];
        for n in 1..=12 {
            let photos: Vec<LayoutPhoto> = (0..n)
                .map(|i| {
                    let (w, h) = shapes[i % shapes.len()];
                    photo(i as i64, w, h)
                })
                .collect();
            for template in [
                None,
                Some(Template::Grid),
                Some(Template::Mosaic),
                Some(Template::HeroStrip),
            ] {
                for shape in [
                    None,
                    Some(Shape::Square),
                    Some(Shape::Portrait),
                    Some(Shape::Landscape),
                ] {
                    let opts = LayoutOptions {
                        size: 1000,
                        template,
                        shape,
                        ..Default::default()
                    };
                    let l = layout(&photos, &opts).expect("layout");
                    assert_eq!(l.cells.len(), n);
                    let ids: Vec<i64> = l.cells.iter().map(|c| c.asset_id).collect();
                    assert_eq!(ids, (0..n as i64).collect::<Vec<_>>());
                    let area: u64 = l
                        .cells
                        .iter()
                        .map(|c| u64::from(c.dest.w) * u64::from(c.dest.h))
                        .sum();
                    let inner =
                        u64::from(l.width - 2 * l.gutter) * u64::from(l.height - 2 * l.gutter);
                    assert!(
                        area as f64 > 0.85 * inner as f64,
                        "{n} {template:?} {shape:?}: {area} of {inner}"
                    );
                    for (i, c) in l.cells.iter().enumerate() {
                        assert!(c.dest.x + c.dest.w <= l.width && c.dest.y + c.dest.h <= l.height);
                        for d in &l.cells[i + 1..] {
                            assert!(!overlaps(&c.dest, &d.dest), "{n} {template:?} {shape:?}");
                        }
                        assert!(c.crop.x >= -1e-6 && c.crop.y >= -1e-6);
                        assert!(c.crop.right() <= f64::from(c.source_width) + 1e-6);
                        assert!(c.crop.bottom() <= f64::from(c.source_height) + 1e-6);
                        let want = f64::from(c.dest.w) / f64::from(c.dest.h);
                        assert!(((c.crop.w / c.crop.h) / want - 1.0).abs() < 1e-6);
                    }
                }
            }
        }
    }

    #[test]
    fn mosaic_cells_keep_aspect_ratios_roughly() {
        let photos: Vec<LayoutPhoto> = [
            (4000, 3000),
            (3000, 4000),
            (4000, 3000),
            (3000, 4000),
            (4000, 3000),
            (3000, 4000),
            (4000, 3000),
        ]
        .iter()
        .enumerate()
        .map(|(i, (w, h))| photo(i as i64, *w, *h))
        .collect();
        let opts = LayoutOptions {
            template: Some(Template::Mosaic),
            ..Default::default()
        };
        let l = layout(&photos, &opts).expect("layout");
        for (c, p) in l.cells.iter().zip(&photos) {
            let cell = f64::from(c.dest.w) / f64::from(c.dest.h);
            let r = (cell / p.aspect()).ln().abs();
            assert!(r < 0.35, "cell {cell} photo {}", p.aspect());
        }
    }

    #[test]
    fn picks_templates_and_shapes_from_the_photos() {
        let one = layout(&[photo(1, 3000, 4000)], &LayoutOptions::default()).expect("layout");
        assert_eq!(
            (one.template, one.shape),
            (Template::Single, Shape::Portrait)
        );
        let two: Vec<_> = (0..2).map(|i| photo(i, 3000, 4000)).collect();
        let l = layout(&two, &LayoutOptions::default()).expect("layout");
        assert_eq!((l.template, l.shape), (Template::Grid, Shape::Landscape));
        let nine: Vec<_> = (0..9).map(|i| photo(i, 4000, 3000)).collect();
        assert_eq!(
            layout(&nine, &LayoutOptions::default())
                .expect("layout")
                .template,
            Template::Grid
        );
        let mixed: Vec<_> = (0..7)
            .map(|i| {
                if i % 2 == 0 {
                    photo(i, 4000, 3000)
                } else {
                    photo(i, 1000, 3000)
                }
            })
            .collect();
        assert_eq!(
            layout(&mixed, &LayoutOptions::default())
                .expect("layout")
                .template,
            Template::Mosaic
        );
    }

    #[test]
    fn same_input_same_layout() {
        let photos: Vec<_> = (0..8)
            .map(|i| photo(i, 3000 + i as u32 * 100, 4000))
            .collect();
        let a = layout(&photos, &LayoutOptions::default()).expect("layout");
        let b = layout(&photos, &LayoutOptions::default()).expect("layout");
        assert_eq!(a, b);
    }

    #[test]
    fn absurd_requests_are_refused() {
        let p = [photo(1, 100, 100)];
        for size in [0, 10, 100_000] {
            let opts = LayoutOptions {
                size,
                ..Default::default()
            };
            assert!(matches!(layout(&p, &opts), Err(Error::InvalidArgument(_))));
        }
        assert!(layout(&[], &LayoutOptions::default()).is_err());
        assert!(layout(&[photo(1, 0, 100)], &LayoutOptions::default()).is_err());
        let many: Vec<_> = (0..30).map(|i| photo(i, 100, 100)).collect();
        let l = layout(&many, &LayoutOptions::default()).expect("layout");
        assert_eq!((l.cells.len(), l.left_out), (MAX_CELLS, 10));
    }

    #[test]
    fn orientation_maps_to_rotation() {
        assert_eq!(rotation_of(6), (90, false));
        assert_eq!(rotation_of(8), (270, false));
        assert_eq!(rotation_of(2), (0, true));
        assert_eq!(rotation_of(1), (0, false));
    }
}
