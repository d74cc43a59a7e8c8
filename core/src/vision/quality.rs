//! Quality signals from pixels: sharpness (variance of the Laplacian), exposure (mean
//! brightness, clipped highlights and shadows), and a 0..1 summary.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quality {
    /// Variance of the 4-neighbour Laplacian of the gray image (higher is sharper).
    pub sharpness: f32,
    /// Mean brightness 0..1.
    pub brightness: f32,
    /// Share of pixels at or above 250 (blown highlights).
    pub clipped_high: f32,
    /// Share of pixels at or below 5 (crushed shadows).
    pub clipped_low: f32,
    /// Overall 0..1: sharp and well exposed is 1.
    pub score: f32,
}

/// Laplacian variance at which a working-size photo counts as fully sharp.
const SHARP_SCALE: f32 = 400.0;

pub fn measure(gray: &[u8], w: u32, h: u32) -> Quality {
    let (w, h) = (w as usize, h as usize);
    let n = (w * h).max(1) as f32;
    let mean = gray.iter().map(|&v| f32::from(v)).sum::<f32>() / n;
    let high = gray.iter().filter(|&&v| v >= 250).count() as f32 / n;
    let low = gray.iter().filter(|&&v| v <= 5).count() as f32 / n;
    let sharpness = laplacian_variance(gray, w, [0, 0, w, h]);
    let sharp_score = 1.0 - (-sharpness / SHARP_SCALE).exp();
    // Exposure: best around mid-grey; clipping costs directly.
    let brightness = mean / 255.0;
    let exposure = (1.0 - ((brightness - 0.5).abs() * 2.0).powi(2)) * (1.0 - (high + low).min(1.0));
    Quality {
        sharpness,
        brightness,
        clipped_high: high,
        clipped_low: low,
        score: (sharp_score * exposure.max(0.0)).clamp(0.0, 1.0),
    }
}

/// Variance of the 4-neighbour Laplacian over `rect` = [x0, y0, x1, y1) (clipped to the
/// image) of a gray image `w` pixels wide; 0 when the region has no interior pixel.
pub fn laplacian_variance(gray: &[u8], w: usize, rect: [usize; 4]) -> f32 {
    let h = gray.len().checked_div(w).unwrap_or(0);
    let (x0, y0) = (rect[0].max(1), rect[1].max(1));
    let (x1, y1) = (
        rect[2].min(w.saturating_sub(1)),
        rect[3].min(h.saturating_sub(1)),
    );
    let mut sum = 0f64;
    let mut sum2 = 0f64;
    let mut count = 0usize;
    for y in y0..y1 {
        for x in x0..x1 {
            let c = i32::from(gray[y * w + x]);
            let lap = i32::from(gray[y * w + x - 1])
                + i32::from(gray[y * w + x + 1])
                + i32::from(gray[(y - 1) * w + x])
                + i32::from(gray[(y + 1) * w + x])
                - 4 * c;
            sum += f64::from(lap);
            sum2 += f64::from(lap) * f64::from(lap);
            count += 1;
        }
    }
    if count == 0 {
        return 0.0;
    }
    let m = sum / count as f64;
    (sum2 / count as f64 - m * m) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker(w: u32, h: u32, cell: u32) -> Vec<u8> {
        (0..h)
            .flat_map(|y| {
                (0..w).map(move |x| {
                    if (x / cell + y / cell).is_multiple_of(2) {
                        60
                    } else {
                        190
                    }
                })
            })
            .collect()
    }

    /// 3×3 box blur.
    fn blur(g: &[u8], w: u32, h: u32) -> Vec<u8> {
        let (w, h) = (w as i64, h as i64);
        (0..h)
            .flat_map(|y| {
                (0..w).map(move |x| {
                    let mut s = 0u32;
                    for dy in -1..=1 {
                        for dx in -1..=1 {
                            let (xx, yy) = ((x + dx).clamp(0, w - 1), (y + dy).clamp(0, h - 1));
                            s += u32::from(g[(yy * w + xx) as usize]);
                        }
                    }
                    (s / 9) as u8
                })
            })
            .collect()
    }

    #[test]
    fn sharp_beats_blurred_and_clipping_is_counted() {
        let sharp = checker(64, 64, 4);
        let soft = blur(&blur(&sharp, 64, 64), 64, 64);
        let (qs, qb) = (measure(&sharp, 64, 64), measure(&soft, 64, 64));
        assert!(
            qs.sharpness > 4.0 * qb.sharpness,
            "{} vs {}",
            qs.sharpness,
            qb.sharpness
        );
        assert!(qs.score > qb.score);
        let white = vec![255u8; 64 * 64];
        let q = measure(&white, 64, 64);
        assert_eq!((q.clipped_high, q.sharpness), (1.0, 0.0));
        assert_eq!(q.score, 0.0);
        assert_eq!(measure(&[], 0, 0).sharpness, 0.0);
    }
}
