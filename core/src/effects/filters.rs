//! Effects that look at neighbourhoods: vignette, grain, pencil sketch, cartoon. Window
//! sums come from integral images, so every filter costs the same per pixel whatever
//! its radius.

use super::luma;
use crate::vision::Rgb;

/// Darker corners: brightness falls off smoothly from 45 % of the half-diagonal.
pub(super) fn vignette(img: &Rgb) -> Rgb {
    let (w, h) = (img.width as usize, img.height as usize);
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let half_diagonal = (cx * cx + cy * cy).sqrt().max(1.0);
    let mut data = img.data.clone();
    for y in 0..h {
        let dy = (y as f32 + 0.5 - cy) / half_diagonal;
        for x in 0..w {
            let dx = (x as f32 + 0.5 - cx) / half_diagonal;
            let r = (dx * dx + dy * dy).sqrt();
            let t = ((r - 0.45) / 0.55).clamp(0.0, 1.0);
            let k = 1.0 - 0.6 * t * t * (3.0 - 2.0 * t);
            let k = (k * 256.0) as u32;
            for v in &mut data[(y * w + x) * 3..(y * w + x) * 3 + 3] {
                *v = ((u32::from(*v) * k) >> 8) as u8;
            }
        }
    }
    Rgb {
        width: img.width,
        height: img.height,
        data,
    }
}

/// A hash of the pixel position, -1..1: grain that is the same on every run.
fn noise(x: u32, y: u32) -> f32 {
    let mut z = (u64::from(x) << 32 | u64::from(y)).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}

/// Luminance grain, strongest in the mid-tones (as on film).
pub(super) fn grain(img: &Rgb) -> Rgb {
    let w = img.width as usize;
    let mut data = img.data.clone();
    for (i, p) in data.chunks_exact_mut(3).enumerate() {
        let (x, y) = ((i % w) as u32, (i / w) as u32);
        let y_norm = luma(p) as f32 / 255.0;
        let amount = 10.0 + 16.0 * 4.0 * y_norm * (1.0 - y_norm);
        let n = (noise(x, y) * amount).round() as i32;
        for v in p.iter_mut() {
            *v = (i32::from(*v) + n).clamp(0, 255) as u8;
        }
    }
    Rgb {
        width: img.width,
        height: img.height,
        data,
    }
}

/// Summed-area table of `values` (w × h), (w + 1) × (h + 1) entries.
fn integral<T: Copy + Into<u64>>(values: &[T], w: usize, h: usize) -> Vec<u64> {
    let mut s = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += values[y * w + x].into();
            s[(y + 1) * (w + 1) + x + 1] = s[y * (w + 1) + x + 1] + row;
        }
    }
    s
}

/// Sum over the window [x0, x1) × [y0, y1) of an integral image of width `w`.
fn window(s: &[u64], w: usize, x0: usize, y0: usize, x1: usize, y1: usize) -> u64 {
    let stride = w + 1;
    s[y1 * stride + x1] + s[y0 * stride + x0] - s[y0 * stride + x1] - s[y1 * stride + x0]
}

/// Box blur of a single channel with radius `r` (windows clipped at the borders).
fn box_blur(values: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let s = integral(values, w, h);
    let mut out = Vec::with_capacity(values.len());
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let n = ((x1 - x0) * (y1 - y0)) as u64;
            out.push(((window(&s, w, x0, y0, x1, y1) + n / 2) / n) as u8);
        }
    }
    out
}

fn gray(img: &Rgb) -> Vec<u8> {
    img.data.chunks_exact(3).map(|p| luma(p) as u8).collect()
}

/// Pencil sketch: the grey image colour-dodged with its blurred negative (strokes where
/// brightness changes), a touch darker so light paper still shows lines.
pub(super) fn sketch(img: &Rgb) -> Rgb {
    let (w, h) = (img.width as usize, img.height as usize);
    let g = gray(img);
    let negative: Vec<u8> = g.iter().map(|v| 255 - v).collect();
    let r = (w.max(h) / 160).max(2);
    let blurred = box_blur(&negative, w, h, r);
    let data = g
        .iter()
        .zip(&blurred)
        .flat_map(|(&v, &b)| {
            let dodge = (u32::from(v) * 255 / (256 - u32::from(b)).max(1)).min(255);
            // Darken the strokes a little: pencil on paper, not a faint trace.
            let out = (dodge * dodge / 255) as u8;
            [out, out, out]
        })
        .collect();
    Rgb {
        width: img.width,
        height: img.height,
        data,
    }
}

/// Cartoon: Kuwahara smoothing (each pixel takes the mean colour of the least varied of
/// its four corner windows — flat regions, kept edges), colours reduced to a few levels,
/// and dark outlines where the smoothed brightness changes sharply.
pub(super) fn cartoon(img: &Rgb) -> Rgb {
    let (w, h) = (img.width as usize, img.height as usize);
    let r = (w.max(h) / 256).max(2);
    let chan = |c: usize| -> Vec<u8> { img.data.iter().skip(c).step_by(3).copied().collect() };
    let sums = [
        integral(&chan(0), w, h),
        integral(&chan(1), w, h),
        integral(&chan(2), w, h),
    ];
    let g = gray(img);
    let gs = integral(&g, w, h);
    let squares: Vec<u32> = g.iter().map(|&v| u32::from(v) * u32::from(v)).collect();
    let gq = integral(&squares, w, h);
    let mut smooth = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let mut best = (u64::MAX, [0u8; 3]);
            for (qx, qy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let (x0, x1) = if qx == 0 {
                    (x.saturating_sub(r), x + 1)
                } else {
                    (x, (x + r + 1).min(w))
                };
                let (y0, y1) = if qy == 0 {
                    (y.saturating_sub(r), y + 1)
                } else {
                    (y, (y + r + 1).min(h))
                };
                let n = ((x1 - x0) * (y1 - y0)) as u64;
                let s = window(&gs, w, x0, y0, x1, y1);
                let q = window(&gq, w, x0, y0, x1, y1);
                // n² · variance, in integers: compared across windows of equal size.
                let var = (q * n).saturating_sub(s * s) / n.max(1);
                if var < best.0 {
                    let mean = |t: &[u64]| ((window(t, w, x0, y0, x1, y1) + n / 2) / n) as u8;
                    best = (var, [mean(&sums[0]), mean(&sums[1]), mean(&sums[2])]);
                }
            }
            // A few levels per channel: flat poster colour.
            let q = best
                .1
                .map(|v| ((u32::from(v) / 40) * 40 + 20).min(255) as u8);
            smooth[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&q);
        }
    }
    // Outlines: Sobel on the smoothed brightness.
    let sg: Vec<i32> = smooth.chunks_exact(3).map(|p| luma(p) as i32).collect();
    let mut data = smooth.clone();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let at = |dx: isize, dy: isize| {
                sg[((y as isize + dy) as usize) * w + (x as isize + dx) as usize]
            };
            let gx = at(1, -1) + 2 * at(1, 0) + at(1, 1) - at(-1, -1) - 2 * at(-1, 0) - at(-1, 1);
            let gy = at(-1, 1) + 2 * at(0, 1) + at(1, 1) - at(-1, -1) - 2 * at(0, -1) - at(1, -1);
            if gx * gx + gy * gy > 120 * 120 {
                for v in &mut data[(y * w + x) * 3..(y * w + x) * 3 + 3] {
                    *v /= 5;
                }
            }
        }
    }
    Rgb {
        width: img.width,
        height: img.height,
        data,
    }
}
