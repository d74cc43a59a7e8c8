//! Entry points for the fuzz targets (`fuzz/`, run with cargo-fuzz) and for the test that
//! replays their corpus on every `cargo test`. Each takes arbitrary bytes and must
//! return — whatever the result — without panicking, hanging or allocating without
//! bound. Not part of the API.

use std::io::Cursor;

use crate::clock::DeviceZone;
use crate::vision::decode::{decode_bytes, DecodeOptions, Hint};
use crate::vision::detect::{nms, retinaface, yunet};

/// Metadata parsing: container walkers, EXIF, XMP, IPTC.
pub fn metadata(data: &[u8]) {
    let _ = crate::metadata::probe_reader(Cursor::new(data), data.len() as u64, None);
}

/// Image decoding with the hints the index would give (orientation, EXIF thumbnail),
/// under a small pixel budget so a fuzzer's bombs are refused quickly.
pub fn decode(data: &[u8]) {
    let probe = crate::metadata::probe_reader(Cursor::new(data), data.len() as u64, None);
    let hint = Hint {
        orientation: probe.exif.orientation,
        thumbnail: probe.thumbnail,
    };
    let opts = DecodeOptions {
        long_side: 64,
        max_pixels: 4_000_000,
        use_thumbnail: true,
        jpeg: crate::vision::decode::JpegBackend::default(),
    };
    let _ = decode_bytes(data, hint, &opts);
}

/// Model output decoding: RetinaFace and YuNet decoders and NMS on arbitrary floats
/// (NaN and infinities included) for input sizes from 32 to 256 pixels.
pub fn model_output(data: &[u8]) {
    let [a, b, rest @ ..] = data else { return };
    let (w, h) = (32 * (1 + usize::from(a % 8)), 32 * (1 + usize::from(b % 8)));
    let floats: Vec<f32> = rest
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let part = |k: usize, of: usize| &floats[floats.len() * k / of..floats.len() * (k + 1) / of];
    let priors = retinaface::priors(w, h);
    for logits in [false, true] {
        let faces = retinaface::decode(
            part(0, 3),
            part(1, 3),
            part(2, 3),
            &priors,
            w,
            h,
            0.3,
            logits,
        );
        let _ = nms::nms(faces, 0.4);
    }
    let out = yunet::Outputs {
        cls: [part(0, 12), part(1, 12), part(2, 12)],
        obj: [part(3, 12), part(4, 12), part(5, 12)],
        bbox: [part(6, 12), part(7, 12), part(8, 12)],
        kps: [part(9, 12), part(10, 12), part(11, 12)],
    };
    let _ = nms::nms(yunet::decode(&out, w, h, 0.3), 0.3);
}

/// Host records ingestion: JSON Lines parsing, validation, conversion to assets.
pub fn records(data: &[u8]) {
    if let Ok((records, _errors)) = crate::library::records::parse_json_lines(data) {
        for (_, r) in records {
            if r.validate().is_ok() {
                let _ = r.to_asset(DeviceZone::UTC);
            }
        }
    }
}

/// Pixel-source answers: arbitrary RGBA (odd sizes and strides, truncated or oversized
/// buffers, any orientation, record sizes that match or not) and arbitrary encoded
/// bytes, under a small pixel budget. Layout: byte 0 picks the answer kind and the
/// upright flag, then width, height and stride padding (u16 LE each), the record's
/// orientation byte and size (u16 LE each); the rest is the buffer or the bytes.
pub fn host_pixels(data: &[u8]) {
    use crate::pixels::{from_answer, PixelAnswer, RgbaPixels};
    let [kind, w0, w1, h0, h1, p0, p1, o, rw0, rw1, rh0, rh1, rest @ ..] = data else {
        return;
    };
    let u16_of = |a: &u8, b: &u8| u16::from_le_bytes([*a, *b]);
    let opts = DecodeOptions {
        long_side: 64,
        max_pixels: 4_000_000,
        use_thumbnail: true,
        jpeg: crate::vision::decode::JpegBackend::default(),
    };
    let orientation = (1..=8).contains(o).then_some(*o);
    let size = Some((u32::from(u16_of(rw0, rw1)), u32::from(u16_of(rh0, rh1))));
    let answer = if kind & 1 == 0 {
        PixelAnswer::Encoded(rest.to_vec())
    } else {
        let width = u32::from(u16_of(w0, w1));
        RgbaPixels {
            width,
            height: u32::from(u16_of(h0, h1)),
            // Strides below a row are refused, above pad each row.
            stride: (width * 4)
                .saturating_add(u32::from(u16_of(p0, p1)))
                .saturating_sub(u32::from(kind & 4)),
            data: rest.to_vec(),
            upright: kind & 2 != 0,
        }
        .into()
    };
    let _ = from_answer(answer, orientation, size, &opts);
}

/// What restyles and recap videos take from outside: style specs typed by a user
/// (`name:weight,…`), the style network's output planes (NaN, infinities, out of range)
/// and face boxes of any value blended over a small image. The first byte splits the
/// rest between the spec and the floats.
pub fn restyle(data: &[u8]) {
    let [split, dims, rest @ ..] = data else {
        return;
    };
    let at = usize::from(*split).min(rest.len());
    let (spec, floats) = rest.split_at(at);
    if let Ok(blend) = crate::restyle::StyleBlend::parse(&String::from_utf8_lossy(spec)) {
        let sum: f32 = blend.weights().iter().sum();
        assert!((sum - 1.0).abs() < 1e-3, "blend weights sum to {sum}");
        let _ = blend.describe();
    }
    let floats: Vec<f32> = floats
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let (w, h) = (1 + usize::from(dims % 16), 1 + usize::from(dims / 16));
    let planes =
        |c: usize, y: usize, x: usize| floats.get((c * h + y) * w + x).copied().unwrap_or(0.5);
    let painted = crate::restyle::rgb_from_planes(w, h, planes);
    let photo = crate::vision::Rgb {
        width: w as u32,
        height: h as u32,
        data: vec![128; w * h * 3],
    };
    let faces: Vec<crate::collage::Rect> = floats
        .chunks_exact(4)
        .take(8)
        .map(|f| crate::collage::Rect::new(f[0].into(), f[1].into(), f[2].into(), f[3].into()))
        .collect();
    let strength = floats.first().map_or(0.5, |s| s.abs().fract());
    let out = crate::restyle::blend_around_faces(&photo, painted, strength, &faces);
    assert_eq!(out.data.len(), w * h * 3);
}

/// Classifier output to themes: arbitrary logits (NaN and infinities included; too few
/// or too many) through the softmax and the theme scoring, with cues measured on an
/// arbitrary small image and an arbitrary sun height. Scores must stay within 0..1.
pub fn themes(data: &[u8]) {
    let [dims, sun, rest @ ..] = data else { return };
    let floats: Vec<f32> = rest
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let (w, h) = (1 + u32::from(dims % 16), 1 + u32::from(dims / 16));
    let px: Vec<u8> = (0..(w * h * 3) as usize)
        .map(|i| rest.get(i).copied().unwrap_or(0))
        .collect();
    let Some(img) = crate::vision::Rgb::new(w, h, px) else {
        return;
    };
    let cues = crate::themes::scene_cues(&img);
    let logits: Vec<f32> = (0..1000)
        .map(|i| floats.get(i).copied().unwrap_or(0.0))
        .collect();
    let probs = crate::themes::softmax(&logits).unwrap_or_else(|| floats.clone());
    let ctx = crate::themes::Context {
        content: crate::vision::content::ContentScores {
            screenshot: floats.first().copied().unwrap_or(0.0),
            document: floats.get(1).copied().unwrap_or(0.0),
        },
        sun_elevation_deg: (*sun != 0).then(|| f64::from(*sun) - 128.0),
    };
    let a = crate::themes::assess(&probs, &cues, &ctx);
    for s in a.scores.0 {
        assert!((0.0..=1.0).contains(&s), "theme score {s}");
    }
    assert!(a.classes.len() <= crate::themes::TOP_CLASSES);
}

/// The place table (a file set-up writes; an app may ship its own): arbitrary bytes
/// through the parser, and lookups and journeys on whatever parsed.
pub fn places(data: &[u8]) {
    let Ok(g) = crate::places::Gazetteer::parse(data) else {
        return;
    };
    let points: Vec<(f64, f64)> = g
        .places()
        .iter()
        .take(64)
        .map(|p| (p.lat + 0.01, p.lon - 0.01))
        .chain([(0.0, 0.0), (90.0, 180.0), (-90.0, -180.0), (f64::NAN, 1.0)])
        .collect();
    for &(lat, lon) in &points {
        if let Some((_, km)) = g.best(lat, lon) {
            assert!(km <= crate::places::NEAR_KM + 1e-9, "named from {km} km");
        }
    }
    assert!(g.stops(&points).len() <= 2);
}
