use super::*;

/// A photo-like test image: gradients, a bright disc, a dark bar, texture.
fn picture(w: u32, h: u32) -> Rgb {
    let mut data = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let disc = ((fx - 0.3).powi(2) + (fy - 0.4).powi(2)).sqrt() < 0.15;
            let bar = (0.6..0.7).contains(&fx);
            let texture = ((x * 7 + y * 13) % 11) as f32;
            let (r, g, b) = if disc {
                (240.0, 220.0, 120.0)
            } else if bar {
                (40.0, 30.0, 60.0)
            } else {
                (60.0 + 150.0 * fx, 90.0 + 100.0 * fy, 180.0 - 120.0 * fx)
            };
            data.extend([r + texture, g + texture, b + texture].map(|v: f32| v.min(255.0) as u8));
        }
    }
    Rgb {
        width: w,
        height: h,
        data,
    }
}

fn mean_abs_diff(a: &Rgb, b: &Rgb) -> f64 {
    let sum: u64 = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.data.len() as f64
}

#[test]
fn every_effect_changes_the_photo_visibly_and_keeps_its_size() {
    let img = picture(160, 120);
    for e in Effect::ALL {
        let out = apply(&img, e, 1.0).unwrap();
        assert_eq!(
            (out.width, out.height, out.data.len()),
            (160, 120, img.data.len())
        );
        let d = mean_abs_diff(&img, &out);
        assert!(d > 3.0, "{}: mean change {d:.2} levels", e.name());
        assert_eq!(Effect::parse(e.name()), Some(e));
    }
}

#[test]
fn the_same_input_gives_the_same_bytes_and_strength_blends() {
    let img = picture(97, 61);
    for e in Effect::ALL {
        let a = apply(&img, e, 0.7).unwrap();
        assert_eq!(a, apply(&img, e, 0.7).unwrap(), "{}", e.name());
        assert_eq!(apply(&img, e, 0.0).unwrap(), img, "{} at 0", e.name());
        let full = mean_abs_diff(&img, &apply(&img, e, 1.0).unwrap());
        let half = mean_abs_diff(&img, &apply(&img, e, 0.5).unwrap());
        assert!(
            half < full && half > full * 0.3,
            "{}: {half:.2} vs {full:.2}",
            e.name()
        );
    }
    for bad in [-0.1, 1.01, f32::NAN] {
        assert!(matches!(
            apply(&img, Effect::Warm, bad),
            Err(Error::InvalidArgument(_))
        ));
    }
}

#[test]
fn looks_do_what_their_names_say() {
    let img = picture(120, 90);
    let mean = |i: &Rgb, c: usize| -> f64 {
        i.data
            .iter()
            .skip(c)
            .step_by(3)
            .map(|&v| f64::from(v))
            .sum::<f64>()
            / (i.data.len() / 3) as f64
    };
    let warm = apply(&img, Effect::Warm, 1.0).unwrap();
    assert!(mean(&warm, 0) > mean(&img, 0) && mean(&warm, 2) < mean(&img, 2));
    let cool = apply(&img, Effect::Cool, 1.0).unwrap();
    assert!(mean(&cool, 0) < mean(&img, 0) && mean(&cool, 2) > mean(&img, 2));
    for grey in [Effect::Mono, Effect::Sketch] {
        let out = apply(&img, grey, 1.0).unwrap();
        assert!(
            out.data
                .chunks_exact(3)
                .all(|p| p[0] == p[1] && p[1] == p[2]),
            "{}",
            grey.name()
        );
    }
    let fade = apply(&img, Effect::Fade, 1.0).unwrap();
    assert!(fade.data.iter().all(|&v| v >= 28), "fade lifts the blacks");
    // The vignette darkens corners, not the centre.
    let v = apply(&img, Effect::Vignette, 1.0).unwrap();
    let at = |i: &Rgb, x: u32, y: u32| i.pixel(x, y).iter().map(|&c| u32::from(c)).sum::<u32>();
    assert!(at(&v, 0, 0) * 10 < at(&img, 0, 0) * 7);
    assert_eq!(at(&v, 60, 45), at(&img, 60, 45));
    // The cartoon draws dark outlines along the disc and bar edges and flattens colour.
    let c = apply(&img, Effect::Cartoon, 1.0).unwrap();
    let dark = c.data.chunks_exact(3).filter(|p| luma(p) < 30).count();
    assert!(dark > 100, "outlines: {dark} dark pixels");
    let colours: std::collections::HashSet<&[u8]> = c.data.chunks_exact(3).collect();
    let before: std::collections::HashSet<&[u8]> = img.data.chunks_exact(3).collect();
    assert!(
        colours.len() * 4 < before.len(),
        "{} vs {} colours",
        colours.len(),
        before.len()
    );
}

#[test]
fn tiny_images_do_not_panic() {
    for (w, h) in [(1, 1), (2, 3), (3, 1), (9, 2)] {
        let img = picture(w, h);
        for e in Effect::ALL {
            let out = apply(&img, e, 1.0).unwrap();
            assert_eq!(out.data.len(), img.data.len());
        }
    }
}
