//! EXIF orientation (1..=8) applied to pixels: the stored image turned upright.

use super::Rgb;

/// Size of the upright image for a stored `w` × `h` and `orientation`.
pub fn upright_size(w: u32, h: u32, orientation: u8) -> (u32, u32) {
    if (5..=8).contains(&orientation) {
        (h, w)
    } else {
        (w, h)
    }
}

/// The stored pixel shown at upright position (x, y).
fn source(x: u32, y: u32, w: u32, h: u32, orientation: u8) -> (u32, u32) {
    match orientation {
        2 => (w - 1 - x, y),
        3 => (w - 1 - x, h - 1 - y),
        4 => (x, h - 1 - y),
        5 => (y, x),
        6 => (y, h - 1 - x),
        7 => (w - 1 - y, h - 1 - x),
        8 => (w - 1 - y, x),
        _ => (x, y),
    }
}

/// Turns a stored image upright. Orientation 1 (or unknown) returns it unchanged.
pub fn apply(img: Rgb, orientation: u8) -> Rgb {
    if !(2..=8).contains(&orientation) {
        return img;
    }
    let (w, h) = (img.width, img.height);
    let (uw, uh) = upright_size(w, h, orientation);
    let mut out = vec![0u8; img.data.len()];
    for y in 0..uh {
        for x in 0..uw {
            let (sx, sy) = source(x, y, w, h, orientation);
            let s = (sy as usize * w as usize + sx as usize) * 3;
            let d = (y as usize * uw as usize + x as usize) * 3;
            out[d..d + 3].copy_from_slice(&img.data[s..s + 3]);
        }
    }
    Rgb {
        width: uw,
        height: uh,
        data: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3 × 2 image whose pixels are their own stored coordinates.
    fn coords() -> Rgb {
        let mut data = Vec::new();
        for y in 0..2u8 {
            for x in 0..3u8 {
                data.extend([x, y, 0]);
            }
        }
        Rgb::new(3, 2, data).unwrap()
    }

    #[test]
    fn every_orientation_maps_the_top_left_corner_correctly() {
        // Which stored pixel ends up at the upright top-left, per EXIF's definitions
        // (the 0th row/column named by the tag).
        let expect = [
            (1, (0, 0)),
            (2, (2, 0)),
            (3, (2, 1)),
            (4, (0, 1)),
            (5, (0, 0)),
            (6, (0, 1)),
            (7, (2, 1)),
            (8, (2, 0)),
        ];
        for (o, (x, y)) in expect {
            let up = apply(coords(), o);
            assert_eq!(
                (up.width, up.height),
                upright_size(3, 2, o),
                "size, orientation {o}"
            );
            assert_eq!(up.pixel(0, 0), [x, y, 0], "orientation {o}");
        }
    }

    #[test]
    fn inverse_pairs_restore_the_image() {
        // 6 then 8 (rotate right, then left) and 3 twice are identities.
        assert_eq!(apply(apply(coords(), 6), 8), coords());
        assert_eq!(apply(apply(coords(), 3), 3), coords());
        assert_eq!(apply(apply(coords(), 5), 5), coords());
    }
}
