//! Colour looks: per-channel tone curves (256-entry tables built once per call) and a
//! saturation change, plus duotone.

use super::{luma, Effect};
use crate::vision::Rgb;

/// A smooth S-curve of strength `k` (0: identity) around mid-grey.
fn s_curve(v: f32, k: f32) -> f32 {
    let x = v / 255.0;
    let s = x * x * (3.0 - 2.0 * x);
    255.0 * (x + k * (s - x))
}

fn table(f: impl Fn(f32) -> f32) -> [u8; 256] {
    let mut t = [0u8; 256];
    for (i, v) in t.iter_mut().enumerate() {
        *v = f(i as f32).round().clamp(0.0, 255.0) as u8;
    }
    t
}

/// Curves per channel and a saturation factor (1: unchanged, 0: grey).
struct Look {
    r: [u8; 256],
    g: [u8; 256],
    b: [u8; 256],
    saturation: f32,
}

fn look(effect: Effect) -> Look {
    let id = |v: f32| v;
    match effect {
        Effect::Warm => Look {
            r: table(|v| v + 22.0 * (1.0 - v / 255.0) * (v / 255.0).sqrt() + 6.0 * v / 255.0),
            g: table(|v| v + 6.0 * (v / 255.0) * (1.0 - v / 255.0) * 4.0),
            b: table(|v| v * 0.86),
            saturation: 1.08,
        },
        Effect::Cool => Look {
            r: table(|v| v * 0.88),
            g: table(|v| v + 4.0 * (v / 255.0) * (1.0 - v / 255.0) * 4.0),
            b: table(|v| v + 24.0 * (1.0 - v / 255.0) * (v / 255.0).sqrt() + 8.0 * v / 255.0),
            saturation: 0.95,
        },
        Effect::Vivid => Look {
            r: table(|v| s_curve(v, 0.45)),
            g: table(|v| s_curve(v, 0.45)),
            b: table(|v| s_curve(v, 0.45)),
            saturation: 1.4,
        },
        Effect::Mono => Look {
            r: table(|v| s_curve(v, 0.3)),
            g: table(|v| s_curve(v, 0.3)),
            b: table(|v| s_curve(v, 0.3)),
            saturation: 0.0,
        },
        Effect::Fade => Look {
            r: table(|v| 34.0 + v * 0.82),
            g: table(|v| 30.0 + v * 0.84),
            b: table(|v| 36.0 + v * 0.80),
            saturation: 0.75,
        },
        Effect::Film => Look {
            // Warm highlights, cool shadows, lifted blacks, an S-curve.
            r: table(|v| 14.0 + s_curve(v, 0.5) * 0.92 + 8.0 * (v / 255.0).powi(2)),
            g: table(|v| 12.0 + s_curve(v, 0.5) * 0.92),
            b: table(|v| 22.0 + s_curve(v, 0.5) * 0.86 - 6.0 * (v / 255.0).powi(2)),
            saturation: 0.88,
        },
        _ => Look {
            r: table(id),
            g: table(id),
            b: table(id),
            saturation: 1.0,
        },
    }
}

pub(super) fn apply(img: &Rgb, effect: Effect) -> Rgb {
    if effect == Effect::Duotone {
        return duotone(img, [22, 28, 74], [255, 196, 150]);
    }
    let l = look(effect);
    let sat = (l.saturation * 256.0).round() as i32;
    let mut data = Vec::with_capacity(img.data.len());
    for p in img.data.chunks_exact(3) {
        let c = [
            i32::from(l.r[usize::from(p[0])]),
            i32::from(l.g[usize::from(p[1])]),
            i32::from(l.b[usize::from(p[2])]),
        ];
        let y = (c[0] * 299 + c[1] * 587 + c[2] * 114 + 500) / 1000;
        for v in c {
            data.push((y + (((v - y) * sat) >> 8)).clamp(0, 255) as u8);
        }
    }
    Rgb {
        width: img.width,
        height: img.height,
        data,
    }
}

/// Luma mapped from `dark` to `light`.
fn duotone(img: &Rgb, dark: [u8; 3], light: [u8; 3]) -> Rgb {
    let mut lut = [[0u8; 3]; 256];
    for (y, out) in lut.iter_mut().enumerate() {
        let t = s_curve(y as f32, 0.3) / 255.0;
        for c in 0..3 {
            out[c] = (f32::from(dark[c]) + t * (f32::from(light[c]) - f32::from(dark[c])))
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }
    let data = img
        .data
        .chunks_exact(3)
        .flat_map(|p| lut[luma(p) as usize])
        .collect();
    Rgb {
        width: img.width,
        height: img.height,
        data,
    }
}
