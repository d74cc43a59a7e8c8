//! Is it a camera memory at all? Screenshot and document likelihoods from metadata cues
//! (a screenshot name or album, PNG with no camera EXIF, a phone-screen resolution) and
//! pixel statistics (flat colour for screen content; bright low-colour paper with ink for
//! documents). Each likelihood is a logistic score over the cues, so one strong cue or
//! several weak ones are needed; the weights are stated here and tested on generated
//! images of each kind.

use serde::Serialize;

use super::Rgb;

/// What the index knows about the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileCues {
    /// The name or album says screenshot.
    pub flagged: bool,
    pub png: bool,
    /// EXIF names a camera make or model.
    pub camera_exif: bool,
    /// Stored pixel size.
    pub size: Option<(u32, u32)>,
}

/// Pixel statistics of the working image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PixelStats {
    /// Share of pixels identical to their right neighbour (solid fills; sensor noise makes
    /// this rare in camera photos).
    pub flat: f32,
    /// Share of bright, nearly colourless pixels (paper).
    pub paper: f32,
    /// Share of dark pixels (ink).
    pub ink: f32,
    /// Mean saturation 0..1.
    pub saturation: f32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ContentScores {
    pub screenshot: f32,
    pub document: f32,
}

/// Phone screens, portrait (width, height): common iPhone and Android panels.
const SCREENS: [(u32, u32); 20] = [
    (640, 1136),
    (750, 1334),
    (828, 1792),
    (1125, 2436),
    (1170, 2532),
    (1179, 2556),
    (1242, 2208),
    (1242, 2688),
    (1284, 2778),
    (1290, 2796),
    (720, 1280),
    (720, 1600),
    (1080, 1920),
    (1080, 2220),
    (1080, 2280),
    (1080, 2340),
    (1080, 2400),
    (1440, 2560),
    (1440, 3040),
    (1440, 3200),
];

pub fn screen_sized(w: u32, h: u32) -> bool {
    let (short, long) = (w.min(h), w.max(h));
    SCREENS.contains(&(short, long))
}

pub fn pixel_stats(img: &Rgb) -> PixelStats {
    let (w, h) = (img.width as usize, img.height as usize);
    let n = (w * h).max(1) as f32;
    let mut flat = 0usize;
    let mut paper = 0usize;
    let mut ink = 0usize;
    let mut sat_sum = 0f32;
    for row in img.data.chunks_exact((w * 3).max(3)) {
        for (x, p) in row.chunks_exact(3).enumerate() {
            if x + 1 < w && p == &row[(x + 1) * 3..(x + 2) * 3] {
                flat += 1;
            }
            let max = p[0].max(p[1]).max(p[2]);
            let min = p[0].min(p[1]).min(p[2]);
            let sat = if max == 0 {
                0.0
            } else {
                f32::from(max - min) / f32::from(max)
            };
            sat_sum += sat;
            if min >= 170 && sat < 0.15 {
                paper += 1;
            }
            if max < 90 {
                ink += 1;
            }
        }
    }
    PixelStats {
        flat: flat as f32 / n,
        paper: paper as f32 / n,
        ink: ink as f32 / n,
        saturation: sat_sum / n,
    }
}

fn logistic(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

pub fn scores(file: &FileCues, px: &PixelStats) -> ContentScores {
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    let screen = file.size.is_some_and(|(w, h)| screen_sized(w, h));
    let screenshot = if file.flagged {
        0.98
    } else {
        logistic(
            -4.0 + 3.0 * flag(file.png && !file.camera_exif)
                + 2.5 * flag(screen)
                + 1.0 * flag(!file.camera_exif)
                + 7.0 * px.flat,
        )
    };
    // Ink is text only when there is some and it does not dominate.
    let inky = px.ink > 0.01 && px.ink < 0.35;
    let document = logistic(
        -5.0 + 7.0 * px.paper + 2.0 * flag(inky) - 8.0 * px.saturation + 1.0 * flag(!screen),
    );
    ContentScores {
        screenshot,
        document: if screenshot > 0.9 {
            document.min(0.5)
        } else {
            document
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64, for deterministic noise.
    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
    }

    /// A camera-like scene: smooth colour gradients plus sensor noise.
    fn photo(w: u32, h: u32) -> Rgb {
        let mut rng = SplitMix(7);
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let n = (rng.next() % 9) as i32 - 4;
                let base = [60 + x * 120 / w, 90 + y * 100 / h, 140 - x * 60 / w];
                data.extend(base.map(|v| (v as i32 + n).clamp(0, 255) as u8));
            }
        }
        Rgb::new(w, h, data).unwrap()
    }

    /// A chat-app screen: solid bars and bubbles.
    fn screen(w: u32, h: u32) -> Rgb {
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let p = if y < h / 10 {
                    [30, 120, 220]
                } else if (y / 40) % 3 == 1 && x > w / 3 {
                    [200, 240, 200]
                } else {
                    [245, 245, 245]
                };
                data.extend(p);
            }
        }
        Rgb::new(w, h, data).unwrap()
    }

    /// A photographed page: off-white paper with noise, rows of dark text strokes.
    fn page(w: u32, h: u32) -> Rgb {
        let mut rng = SplitMix(3);
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let n = (rng.next() % 7) as u8;
                let text = (y % 16) < 4 && (x / 3) % 4 != 0 && x > 20 && x < w - 20;
                let v = if text { 30 + n } else { 215 + n };
                data.extend([v, v, v.saturating_sub(6)]);
            }
        }
        Rgb::new(w, h, data).unwrap()
    }

    #[test]
    fn camera_photo_is_neither() {
        let px = pixel_stats(&photo(320, 240));
        assert!(px.flat < 0.2, "{px:?}");
        let s = scores(
            &FileCues {
                camera_exif: true,
                size: Some((4000, 3000)),
                ..FileCues::default()
            },
            &px,
        );
        assert!(s.screenshot < 0.1 && s.document < 0.1, "{s:?}");
    }

    #[test]
    fn screenshots_from_pixels_and_metadata() {
        let px = pixel_stats(&screen(180, 390));
        assert!(px.flat > 0.9, "{px:?}");
        let png = FileCues {
            png: true,
            size: Some((1170, 2532)),
            ..FileCues::default()
        };
        assert!(scores(&png, &px).screenshot > 0.99);
        // A recompressed screenshot (JPEG, no EXIF, odd size) is still likely one.
        let jpeg = FileCues::default();
        assert!(scores(&jpeg, &px).screenshot > 0.7);
        // The name alone is decisive, whatever the pixels.
        let named = FileCues {
            flagged: true,
            camera_exif: true,
            ..FileCues::default()
        };
        assert!(scores(&named, &pixel_stats(&photo(64, 48))).screenshot > 0.95);
        assert!(screen_sized(2532, 1170) && !screen_sized(4000, 3000));
    }

    #[test]
    fn photographed_page_is_a_document() {
        let px = pixel_stats(&page(320, 240));
        let s = scores(
            &FileCues {
                camera_exif: true,
                size: Some((4000, 3000)),
                ..FileCues::default()
            },
            &px,
        );
        assert!(s.document > 0.8 && s.screenshot < 0.2, "{s:?} {px:?}");
    }
}
