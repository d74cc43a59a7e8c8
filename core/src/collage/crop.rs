//! Face-aware cropping: the crop of a given aspect ratio that keeps faces whole.
//!
//! Preference, in order: cut no face; keep every face inside with a margin; keep the
//! largest faces whole (a face is either fully inside or fully outside); zoom in as
//! little as possible; centre on the kept faces (or, without faces, on the image's
//! centre, a little above it for tall photos, where heads usually are).
//!
//! The search is exact for "is there a crop that cuts no face": the cut-free positions
//! of one crop size form a union of closed rectangles whose edges lie on face edges, so
//! trying every face edge (and the image edges) along each axis finds one when it exists.

use serde::Serialize;

/// An axis-aligned rectangle in pixels (floating point: crops are sub-pixel).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }

    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn area(&self) -> f64 {
        self.w.max(0.0) * self.h.max(0.0)
    }

    fn centre(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    fn is_valid(&self) -> bool {
        [self.x, self.y, self.w, self.h]
            .iter()
            .all(|v| v.is_finite())
            && self.w > 0.0
            && self.h > 0.0
    }
}

/// How a face relates to a crop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Inside,
    Outside,
    /// Partly inside: the face is cut.
    Cut,
}

const EPS: f64 = 1e-6;

/// Whether `face` is inside, outside or cut by `crop`.
pub fn relation(crop: &Rect, face: &Rect) -> Relation {
    let inside = face.x >= crop.x - EPS
        && face.y >= crop.y - EPS
        && face.right() <= crop.right() + EPS
        && face.bottom() <= crop.bottom() + EPS;
    if inside {
        return Relation::Inside;
    }
    let apart = face.right() <= crop.x + EPS
        || face.x >= crop.right() - EPS
        || face.bottom() <= crop.y + EPS
        || face.y >= crop.bottom() - EPS;
    if apart {
        Relation::Outside
    } else {
        Relation::Cut
    }
}

/// Crop sizes tried, as fractions of the largest crop of the aspect ratio that fits.
pub const SCALES: [f64; 4] = [1.0, 0.85, 0.7, 0.55];
/// Space kept around a face, as a fraction of its long side.
pub const MARGIN: f64 = 0.25;
/// Faces that place candidate positions (the largest ones); every face is still checked.
const PLACING_FACES: usize = 16;

/// A chosen crop and how it treats the faces.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Crop {
    pub rect: Rect,
    pub faces_inside: u32,
    pub faces_cut: u32,
    /// Every face is inside with its margin.
    pub with_margin: bool,
    /// Fraction of the largest crop that fits (1 = no zoom).
    pub scale: f64,
}

/// The crop of `aspect` (width / height) out of an upright `width` × `height` image with
/// `faces` (upright pixels), trying the crop sizes in [`SCALES`].
pub fn face_aware_crop(width: f64, height: f64, aspect: f64, faces: &[Rect]) -> Crop {
    crop_with(width, height, aspect, faces, &SCALES)
}

/// [`face_aware_crop`] with the crop sizes to try (fractions of the largest; larger are
/// preferred when everything else is equal).
pub fn crop_with(width: f64, height: f64, aspect: f64, faces: &[Rect], scales: &[f64]) -> Crop {
    let whole = Rect::new(0.0, 0.0, width.max(1.0), height.max(1.0));
    let (width, height) = (whole.w, whole.h);
    let aspect = if aspect.is_finite() && aspect > 0.0 {
        aspect
    } else {
        width / height
    };
    // Faces clipped to the image, largest first (ties keep their order).
    let mut faces: Vec<Rect> = faces
        .iter()
        .filter(|f| f.is_valid())
        .map(|f| {
            let x = f.x.clamp(0.0, width);
            let y = f.y.clamp(0.0, height);
            Rect::new(x, y, f.right().min(width) - x, f.bottom().min(height) - y)
        })
        .filter(|f| f.w > 0.0 && f.h > 0.0)
        .collect();
    faces.sort_by(|a, b| b.area().total_cmp(&a.area()));
    let margins: Vec<Rect> = faces
        .iter()
        .map(|f| {
            let m = MARGIN * f.w.max(f.h);
            let x = (f.x - m).max(0.0);
            let y = (f.y - m).max(0.0);
            Rect::new(
                x,
                y,
                (f.right() + m).min(width) - x,
                (f.bottom() + m).min(height) - y,
            )
        })
        .collect();
    let (cw0, ch0) = if width / height > aspect {
        (height * aspect, height)
    } else {
        (width, width / aspect)
    };
    let default_focus = if height > width * 1.05 {
        (width / 2.0, height * 0.4)
    } else {
        (width / 2.0, height / 2.0)
    };
    let placing = &faces[..faces.len().min(PLACING_FACES)];
    let placing_margins = &margins[..placing.len()];

    let mut best: Option<(Key, Crop)> = None;
    let scales: Vec<f64> = if scales.is_empty() {
        vec![1.0]
    } else {
        scales.iter().map(|s| s.clamp(0.05, 1.0)).collect()
    };
    for &scale in &scales {
        let (cw, ch) = (cw0 * scale, ch0 * scale);
        let xs = candidates(
            width,
            cw,
            placing,
            placing_margins,
            default_focus.0,
            Axis::X,
        );
        let ys = candidates(
            height,
            ch,
            placing,
            placing_margins,
            default_focus.1,
            Axis::Y,
        );
        for &y in &ys {
            for &x in &xs {
                let rect = Rect::new(x, y, cw, ch);
                let (key, crop) = judge(rect, scale, &faces, &margins, default_focus);
                if best.as_ref().is_none_or(|(k, _)| key.better_than(k)) {
                    best = Some((key, crop));
                }
            }
        }
    }
    best.map(|(_, c)| c).unwrap_or(Crop {
        rect: whole,
        faces_inside: 0,
        faces_cut: 0,
        with_margin: true,
        scale: 1.0,
    })
}

#[derive(Clone, Copy)]
enum Axis {
    X,
    Y,
}

/// Crop origins worth trying along one axis: the image edges, every face edge (plain and
/// with margin, on both sides), centred on each face and on the default focus.
fn candidates(
    len: f64,
    crop: f64,
    faces: &[Rect],
    margins: &[Rect],
    focus: f64,
    axis: Axis,
) -> Vec<f64> {
    let max = (len - crop).max(0.0);
    let span = |r: &Rect| match axis {
        Axis::X => (r.x, r.right()),
        Axis::Y => (r.y, r.bottom()),
    };
    let mut out = vec![0.0, max, focus - crop / 2.0];
    if !faces.is_empty() {
        let lo = faces
            .iter()
            .map(|f| span(f).0)
            .fold(f64::INFINITY, f64::min);
        let hi = faces
            .iter()
            .map(|f| span(f).1)
            .fold(f64::NEG_INFINITY, f64::max);
        out.push((lo + hi - crop) / 2.0);
    }
    for r in faces.iter().chain(margins) {
        let (a, b) = span(r);
        out.extend([a, b - crop, a - crop, b, (a + b - crop) / 2.0]);
    }
    let mut out: Vec<f64> = out
        .into_iter()
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(0.0, max))
        .collect();
    out.sort_by(f64::total_cmp);
    out.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    out
}

/// What makes one crop better than another, compared in order.
struct Key {
    cut: u32,
    with_margin: bool,
    /// Inside-flags of the faces, largest first.
    kept: Vec<bool>,
    scale: f64,
    distance: f64,
}

impl Key {
    fn better_than(&self, other: &Key) -> bool {
        use std::cmp::Ordering::*;
        let order = other
            .cut
            .cmp(&self.cut)
            .then(self.with_margin.cmp(&other.with_margin))
            .then(self.kept.cmp(&other.kept))
            .then(self.scale.total_cmp(&other.scale))
            .then(other.distance.total_cmp(&self.distance));
        order == Greater
    }
}

fn judge(
    rect: Rect,
    scale: f64,
    faces: &[Rect],
    margins: &[Rect],
    focus: (f64, f64),
) -> (Key, Crop) {
    let mut kept = Vec::with_capacity(faces.len());
    let mut cut = 0;
    let mut with_margin = true;
    let (mut fx, mut fy, mut n) = (0.0, 0.0, 0.0);
    for (f, m) in faces.iter().zip(margins) {
        let rel = relation(&rect, f);
        if rel == Relation::Cut {
            cut += 1;
        }
        kept.push(rel == Relation::Inside);
        if rel == Relation::Inside {
            let (cx, cy) = f.centre();
            fx += cx;
            fy += cy;
            n += 1.0;
        }
        if relation(&rect, m) != Relation::Inside {
            with_margin = false;
        }
    }
    let target = if n > 0.0 { (fx / n, fy / n) } else { focus };
    let (cx, cy) = rect.centre();
    let distance = (cx - target.0).hypot(cy - target.1);
    let inside = kept.iter().filter(|k| **k).count() as u32;
    (
        Key {
            cut,
            with_margin,
            kept,
            scale,
            distance,
        },
        Crop {
            rect,
            faces_inside: inside,
            faces_cut: cut,
            with_margin,
            scale,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_faces_takes_the_largest_centred_crop() {
        let c = face_aware_crop(400.0, 300.0, 1.0, &[]);
        assert_eq!(c.rect, Rect::new(50.0, 0.0, 300.0, 300.0));
        assert_eq!(c.scale, 1.0);
    }

    #[test]
    fn tall_photos_without_faces_lean_up() {
        let c = face_aware_crop(300.0, 600.0, 1.0, &[]);
        assert_eq!(c.rect.w, 300.0);
        assert!(c.rect.y < 150.0, "{:?}", c.rect);
    }

    #[test]
    fn a_face_at_the_edge_is_kept_with_its_margin() {
        let face = Rect::new(360.0, 100.0, 30.0, 30.0);
        let c = face_aware_crop(400.0, 300.0, 1.0, &[face]);
        assert_eq!(relation(&c.rect, &face), Relation::Inside);
        assert!(c.with_margin);
        assert_eq!(c.scale, 1.0);
    }

    #[test]
    fn when_not_all_fit_the_largest_stays_whole_and_none_is_cut() {
        // Two faces farther apart than the crop is wide.
        let big = Rect::new(10.0, 50.0, 80.0, 80.0);
        let small = Rect::new(900.0, 50.0, 20.0, 20.0);
        let c = face_aware_crop(1000.0, 200.0, 1.0, &[small, big]);
        assert_eq!(relation(&c.rect, &big), Relation::Inside);
        assert_eq!(relation(&c.rect, &small), Relation::Outside);
        assert_eq!(c.faces_cut, 0);
    }

    #[test]
    fn zooms_in_to_avoid_a_cut() {
        // A face too wide for any full-height position to avoid: a smaller crop that
        // leaves it out beats cutting it.
        let face = Rect::new(50.0, 0.0, 310.0, 60.0);
        let c = face_aware_crop(400.0, 300.0, 1.0, &[face]);
        assert_eq!(c.faces_cut, 0, "{c:?}");
    }

    #[test]
    fn degenerate_input_gives_the_whole_image() {
        let c = face_aware_crop(0.0, 0.0, f64::NAN, &[Rect::new(f64::NAN, 0.0, 1.0, 1.0)]);
        assert!(c.rect.w > 0.0 && c.rect.h > 0.0);
    }
}
