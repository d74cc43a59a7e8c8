//! Pixel cues for themes ImageNet has no class for, measured on a grid over the
//! working image (every 4th pixel: the cues are shares of the frame, not details).
//! - warm sky: the share of the upper two thirds that is saturated red, orange or pink
//!   (sunset and sunrise skies, a low sun);
//! - dark ground: the share of the lower half that is dark (silhouettes against such a
//!   sky);
//! - snowy ground: the share of the lower two thirds that is bright and nearly
//!   colourless or cool (snow in sun or shade; paper is told apart by the classifier's
//!   outdoor evidence, see `score.rs`).

use crate::vision::Rgb;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SceneCues {
    pub warm_sky: f32,
    pub dark_ground: f32,
    pub snow_ground: f32,
}

const STEP: usize = 4;

pub fn scene_cues(img: &Rgb) -> SceneCues {
    let (w, h) = (img.width as usize, img.height as usize);
    let (mut warm, mut upper) = (0u32, 0u32);
    let (mut dark, mut lower_half) = (0u32, 0u32);
    let (mut snow, mut lower) = (0u32, 0u32);
    for y in (0..h).step_by(STEP) {
        let row = &img.data[y * w * 3..(y + 1) * w * 3];
        for p in row.chunks_exact(3).step_by(STEP) {
            let [r, g, b] = [p[0], p[1], p[2]].map(|v| f32::from(v) / 255.0);
            let max = r.max(g).max(b);
            let min = r.min(g).min(b);
            let sat = if max > 0.0 { (max - min) / max } else { 0.0 };
            if y < h * 2 / 3 {
                upper += 1;
                warm += u32::from(r - b > 0.15 && r >= g && sat > 0.3 && max > 0.25);
            }
            if y >= h / 2 {
                lower_half += 1;
                dark += u32::from(0.299 * r + 0.587 * g + 0.114 * b < 0.25);
            }
            if y >= h / 3 {
                lower += 1;
                snow += u32::from(max > 0.6 && sat < 0.2 && b >= r - 0.03);
            }
        }
    }
    let share = |n: u32, of: u32| if of == 0 { 0.0 } else { n as f32 / of as f32 };
    SceneCues {
        warm_sky: share(warm, upper),
        dark_ground: share(dark, lower_half),
        snow_ground: share(snow, lower),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Top part one colour, bottom part another, split at `split` of the height.
    fn two_tone(top: [u8; 3], bottom: [u8; 3], split: f32) -> Rgb {
        let (w, h) = (64u32, 48u32);
        let mut data = Vec::new();
        for y in 0..h {
            let c = if (y as f32) < split * h as f32 {
                top
            } else {
                bottom
            };
            for _ in 0..w {
                data.extend_from_slice(&c);
            }
        }
        Rgb::new(w, h, data).unwrap()
    }

    #[test]
    fn a_sunset_sky_over_dark_land_is_warm_and_dark() {
        let c = scene_cues(&two_tone([230, 110, 40], [20, 15, 10], 0.5));
        // The upper two thirds are three quarters sky.
        assert!(c.warm_sky > 0.7, "{c:?}");
        assert!(c.dark_ground > 0.9, "{c:?}");
        assert!(c.snow_ground < 0.01);
    }

    #[test]
    fn a_blue_sky_over_snow_is_snowy_and_not_warm() {
        let c = scene_cues(&two_tone([90, 140, 220], [225, 232, 245], 0.4));
        assert!(c.warm_sky < 0.01, "{c:?}");
        assert!(c.snow_ground > 0.8, "{c:?}");
        assert!(c.dark_ground < 0.01);
    }

    #[test]
    fn green_fields_have_none_of_the_cues() {
        let c = scene_cues(&two_tone([120, 170, 230], [60, 140, 50], 0.5));
        assert_eq!((c.warm_sky, c.snow_ground, c.dark_ground), (0.0, 0.0, 0.0));
    }
}
