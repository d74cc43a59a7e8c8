//! Perceptual hashes of a grayscale image: dHash (gradient signs on 9×8) and pHash (signs
//! of the 8×8 lowest frequencies of a 32×32 DCT against their median).

/// Box-filter downscale of a `w` × `h` gray image to `ow` × `oh`.
pub fn shrink(gray: &[u8], w: u32, h: u32, ow: u32, oh: u32) -> Vec<f32> {
    let (w, h, ow, oh) = (w as usize, h as usize, ow as usize, oh as usize);
    let mut out = vec![0f32; ow * oh];
    for oy in 0..oh {
        let y0 = oy * h / oh;
        let y1 = ((oy + 1) * h / oh).max(y0 + 1).min(h);
        for ox in 0..ow {
            let x0 = ox * w / ow;
            let x1 = ((ox + 1) * w / ow).max(x0 + 1).min(w);
            let mut sum = 0u32;
            for y in y0..y1 {
                for &v in &gray[y * w + x0..y * w + x1] {
                    sum += u32::from(v);
                }
            }
            out[oy * ow + ox] = sum as f32 / ((y1 - y0) * (x1 - x0)) as f32;
        }
    }
    out
}

/// dHash: for each of 8 rows, whether each of 8 neighbouring pairs gets brighter.
pub fn dhash(gray: &[u8], w: u32, h: u32) -> u64 {
    let s = shrink(gray, w, h, 9, 8);
    let mut bits = 0u64;
    for y in 0..8 {
        for x in 0..8 {
            bits = bits << 1 | u64::from(s[y * 9 + x] < s[y * 9 + x + 1]);
        }
    }
    bits
}

/// pHash: DCT-II of the 32×32 shrink, 8×8 lowest frequencies (DC left out of the
/// median), each bit whether the coefficient is above the median.
pub fn phash(gray: &[u8], w: u32, h: u32) -> u64 {
    const N: usize = 32;
    let s = shrink(gray, w, h, N as u32, N as u32);
    // Separable DCT: rows then columns, only the 8 lowest frequencies are needed.
    let cos: Vec<f32> = (0..8 * N)
        .map(|i| {
            let (k, n) = (i / N, i % N);
            (std::f32::consts::PI / N as f32 * (n as f32 + 0.5) * k as f32).cos()
        })
        .collect();
    let mut rows = vec![0f32; N * 8];
    for y in 0..N {
        for k in 0..8 {
            rows[y * 8 + k] = (0..N).map(|x| s[y * N + x] * cos[k * N + x]).sum();
        }
    }
    let mut coef = [0f32; 64];
    for ky in 0..8 {
        for kx in 0..8 {
            coef[ky * 8 + kx] = (0..N).map(|y| rows[y * 8 + kx] * cos[ky * N + y]).sum();
        }
    }
    let mut sorted: Vec<f32> = coef[1..].to_vec();
    sorted.sort_by(f32::total_cmp);
    let median = (sorted[31] + sorted[32]) / 2.0;
    coef.iter()
        .fold(0u64, |bits, &c| bits << 1 | u64::from(c > median))
}

pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smooth test pattern with structure at several scales.
    fn pattern(w: u32, h: u32, shift: f32, gain: f32) -> Vec<u8> {
        let mut g = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            for x in 0..w {
                let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
                let v = 128.0
                    + 60.0 * (fx * 7.0 + shift).sin()
                    + 50.0 * (fy * 5.0).cos()
                    + 30.0 * ((fx + fy) * 13.0).sin();
                g.push((v * gain).clamp(0.0, 255.0) as u8);
            }
        }
        g
    }

    #[test]
    fn near_copies_are_close_and_different_images_are_far() {
        let a = pattern(320, 240, 0.0, 1.0);
        let resized = pattern(160, 120, 0.0, 1.0); // the same scene at half size
        let brighter = pattern(320, 240, 0.0, 1.1); // an exposure shift
                                                    // A different scene: diagonal stripes and a bright blob, nothing shared.
        let other: Vec<u8> = (0..240u32)
            .flat_map(|y| {
                (0..320u32).map(move |x| {
                    let stripes = if ((x + 2 * y) / 23) % 2 == 0 {
                        40.0
                    } else {
                        200.0
                    };
                    let (dx, dy) = (x as f32 - 250.0, y as f32 - 60.0);
                    (stripes * 0.6 + 100.0 * (-(dx * dx + dy * dy) / 2000.0).exp()) as u8
                })
            })
            .collect();
        for f in [dhash, phash] {
            let (ha, hr, hb, ho) = (
                f(&a, 320, 240),
                f(&resized, 160, 120),
                f(&brighter, 320, 240),
                f(&other, 320, 240),
            );
            assert!(hamming(ha, hr) <= 6, "resize: {}", hamming(ha, hr));
            assert!(hamming(ha, hb) <= 8, "exposure: {}", hamming(ha, hb));
            assert!(
                hamming(ha, ho) >= 20,
                "different scene: {}",
                hamming(ha, ho)
            );
        }
    }

    #[test]
    fn flat_images_and_tiny_images_do_not_panic() {
        assert_eq!(dhash(&[7; 4], 2, 2), 0);
        let _ = phash(&[200; 1], 1, 1);
        assert_eq!(shrink(&[10, 20, 30, 40], 2, 2, 1, 1), [25.0]);
    }
}
