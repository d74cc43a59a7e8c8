//! Face-aware crops over many generated layouts: no crop cuts a face when a cut-free
//! crop exists, and faces keep their margin whenever that is possible.
//!
//! The existence check is an independent brute force: every crop size the cropper may
//! use, at positions on a fine grid (about 150 steps per free axis, plus the edges).
#![allow(clippy::print_stdout)]

use keepsake_core::collage::crop::{relation, Relation, MARGIN, SCALES};
use keepsake_core::collage::{layout, LayoutOptions, LayoutPhoto, Rect, Shape, Template};
use keepsake_harness::rng::Rng;

fn random_photo(rng: &mut Rng, id: i64) -> LayoutPhoto {
    let sizes = [
        (4000, 3000),
        (3000, 4000),
        (4032, 3024),
        (1080, 1920),
        (2000, 2000),
        (6000, 2000),
    ];
    let (w, h) = sizes[rng.int(0, sizes.len() as i64 - 1) as usize];
    let short = f64::from(w.min(h));
    let n = rng.int(0, 6);
    let faces = (0..n)
        .map(|_| {
            let s = short * rng.range(0.03, 0.45);
            // Faces crowd the edges often: that is where naive crops cut them.
            let x = if rng.chance(0.4) {
                if rng.chance(0.5) {
                    rng.range(0.0, s)
                } else {
                    f64::from(w) - s - rng.range(0.0, s)
                }
            } else {
                rng.range(0.0, f64::from(w) - s)
            };
            let y = rng.range(0.0, f64::from(h) - s);
            Rect::new(x, y, s, s * rng.range(1.0, 1.3)).clamped(w, h)
        })
        .collect();
    LayoutPhoto {
        asset_id: id,
        width: w,
        height: h,
        orientation: 1,
        faces,
    }
}

trait Clamp {
    fn clamped(self, w: u32, h: u32) -> Rect;
}

impl Clamp for Rect {
    fn clamped(self, w: u32, h: u32) -> Rect {
        Rect::new(
            self.x,
            self.y,
            self.w.min(f64::from(w) - self.x),
            self.h.min(f64::from(h) - self.y),
        )
    }
}

fn with_margin(f: &Rect, w: f64, h: f64) -> Rect {
    let m = MARGIN * f.w.max(f.h);
    let x = (f.x - m).max(0.0);
    let y = (f.y - m).max(0.0);
    Rect::new(
        x,
        y,
        (f.right() + m).min(w) - x,
        (f.bottom() + m).min(h) - y,
    )
}

/// (a cut-free crop exists, one keeping every face inside with margin exists, the
/// centred full-size crop cuts a face).
fn brute_force(p: &LayoutPhoto, aspect: f64) -> (bool, bool, bool) {
    let (w, h) = (f64::from(p.width), f64::from(p.height));
    let (cw0, ch0) = if w / h > aspect {
        (h * aspect, h)
    } else {
        (w, w / aspect)
    };
    let margins: Vec<Rect> = p.faces.iter().map(|f| with_margin(f, w, h)).collect();
    let (mut free, mut margin) = (false, false);
    let centred = Rect::new((w - cw0) / 2.0, (h - ch0) / 2.0, cw0, ch0);
    let centre_cuts = p
        .faces
        .iter()
        .any(|f| relation(&centred, f) == Relation::Cut);
    for &s in &SCALES {
        let (cw, ch) = (cw0 * s, ch0 * s);
        let steps = |room: f64| -> Vec<f64> {
            let n = 150;
            (0..=n)
                .map(|i| room * f64::from(i) / f64::from(n))
                .collect()
        };
        for y in steps(h - ch) {
            for x in steps(w - cw) {
                let r = Rect::new(x, y, cw, ch);
                if p.faces.iter().all(|f| relation(&r, f) != Relation::Cut) {
                    free = true;
                    if margins.iter().all(|m| relation(&r, m) == Relation::Inside) {
                        margin = true;
                    }
                }
                if free && margin {
                    return (free, margin, centre_cuts);
                }
            }
        }
    }
    (free, margin, centre_cuts)
}

#[test]
fn no_crop_cuts_a_face_when_a_cut_free_crop_exists() {
    let mut rng = Rng::new(20261122);
    let templates = [
        None,
        Some(Template::Grid),
        Some(Template::Mosaic),
        Some(Template::HeroStrip),
    ];
    let shapes = [
        None,
        Some(Shape::Square),
        Some(Shape::Portrait),
        Some(Shape::Landscape),
    ];
    let (mut cells, mut with_faces, mut cut_free_exists, mut naive_cuts, mut margin_exists) =
        (0, 0, 0, 0, 0);
    for round in 0..160 {
        let n = rng.int(1, 9);
        let photos: Vec<LayoutPhoto> = (0..n).map(|i| random_photo(&mut rng, i)).collect();
        let opts = LayoutOptions {
            size: 1200,
            template: if n == 1 {
                None
            } else {
                templates[round % templates.len()]
            },
            shape: shapes[(round / 4) % shapes.len()],
            ..Default::default()
        };
        let l = layout(&photos, &opts).expect("layout");
        for (cell, p) in l.cells.iter().zip(&photos) {
            cells += 1;
            if p.faces.is_empty() {
                continue;
            }
            with_faces += 1;
            let aspect = f64::from(cell.dest.w) / f64::from(cell.dest.h);
            let (free, margin, centre_cuts) = brute_force(p, aspect);
            // The cell's own claim, checked independently.
            let cut = p
                .faces
                .iter()
                .filter(|f| relation(&cell.crop, f) == Relation::Cut)
                .count();
            assert_eq!(cut as u32, cell.faces_cut, "round {round}: reported cuts");
            if free {
                cut_free_exists += 1;
                assert_eq!(cut, 0, "round {round}: a cut-free crop exists but this one cuts {cut} faces: {cell:?} {p:?}");
                if centre_cuts {
                    naive_cuts += 1;
                }
            }
            if margin {
                margin_exists += 1;
                let (w, h) = (f64::from(p.width), f64::from(p.height));
                for f in &p.faces {
                    assert_eq!(
                        relation(&cell.crop, &with_margin(f, w, h)),
                        Relation::Inside,
                        "round {round}: every face fits with margin, yet one does not: {cell:?} {p:?}"
                    );
                }
            }
        }
    }
    println!(
        "{cells} cells, {with_faces} with faces: a cut-free crop exists for {cut_free_exists} \
         (the centred crop would cut {naive_cuts} of them), every face with margin fits in {margin_exists}"
    );
    // The generated cases must be hard enough to mean something.
    assert!(with_faces > 300, "{with_faces}");
    assert!(
        naive_cuts > 50,
        "only {naive_cuts} cases where a centred crop cuts a face"
    );
    assert!(
        cut_free_exists < with_faces,
        "some cases must have no cut-free crop"
    );
}
