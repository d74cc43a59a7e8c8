use super::*;

#[test]
fn styles_by_name_and_index() {
    assert_eq!(Style::all().count(), STYLE_COUNT);
    let names: std::collections::HashSet<&str> = Style::all().map(Style::name).collect();
    assert_eq!(names.len(), STYLE_COUNT, "names are unique");
    assert!(Style::all().all(|s| !s.describe().is_empty()));
    assert_eq!(Style::parse("starry").map(Style::index), Some(19));
    assert_eq!(Style::parse("7"), Style::from_index(7));
    assert_eq!(Style::parse("26"), None);
    assert_eq!(Style::parse("van-gogh"), None);
}

#[test]
fn blends_are_parsed_and_normalised() {
    let one = StyleBlend::parse("ink").unwrap();
    assert_eq!(one.weights().iter().sum::<f32>(), 1.0);
    assert_eq!(one.describe(), "ink");
    let mix = StyleBlend::parse("pastel:3, starry:1").unwrap();
    assert!((mix.weights()[0] - 0.75).abs() < 1e-6 && (mix.weights()[19] - 0.25).abs() < 1e-6);
    assert_eq!(mix.describe(), "pastel:0.75,starry:0.25");
    // Named twice adds up; by index works too.
    let twice = StyleBlend::parse("ink:1,8:1").unwrap();
    assert_eq!(twice, one);
    for bad in [
        "",
        "nope",
        "ink:-1",
        "ink:x",
        "ink:0",
        "ink:NaN",
        "ink:inf",
        "ink:1,,starry",
    ] {
        assert!(StyleBlend::parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn network_output_is_clamped_and_nan_is_black() {
    let values = [f32::NAN, -3.0, 0.5, 7.0, f32::INFINITY, f32::NEG_INFINITY];
    let img = rgb_from_planes(2, 1, |c, _, x| values[c * 2 + x]);
    assert_eq!(img.data, vec![0, 128, 255, 0, 255, 0]);
}

#[test]
fn faces_keep_closer_to_the_photo() {
    let photo = Rgb::new(100, 60, vec![100; 100 * 60 * 3]).unwrap();
    let painted = Rgb::new(100, 60, vec![200; 100 * 60 * 3]).unwrap();
    let out = blend_around_faces(
        &photo,
        painted.clone(),
        1.0,
        &[Rect::new(10.0, 10.0, 10.0, 10.0)],
    );
    let at = |x: u32, y: u32| out.pixel(x, y)[0];
    assert_eq!(
        at(15, 15),
        130,
        "inside a face: {FACE_SHARE} of the strength"
    );
    assert_eq!(at(90, 50), 200, "far from faces: the full strength");
    let edge = at(29, 15);
    assert!(edge > 130 && edge < 200, "feathered edge: {edge}");
    // Without faces, the plain blend; a face box off the image changes nothing.
    let off = blend_around_faces(
        &photo,
        painted.clone(),
        0.5,
        &[Rect::new(500.0, 500.0, 5.0, 5.0)],
    );
    assert!(off.data.iter().all(|v| *v == 150));
}
