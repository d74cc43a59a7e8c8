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
