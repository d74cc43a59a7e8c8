//! Keepsake's own 5×7 capitals font for title cards: no font file to ship or license,
//! drawn anti-aliased at any size by sampling the glyph grid. Lower case is drawn in
//! capitals, accented Latin letters without their accents, anything else as a space.

use crate::vision::Rgb;

/// Glyph rows, top first; bit 4 is the leftmost column.
fn glyph(c: char) -> [u8; 7] {
    match c {
        'A' => [14, 17, 17, 31, 17, 17, 17],
        'B' => [30, 17, 17, 30, 17, 17, 30],
        'C' => [14, 17, 16, 16, 16, 17, 14],
        'D' => [30, 17, 17, 17, 17, 17, 30],
        'E' => [31, 16, 16, 30, 16, 16, 31],
        'F' => [31, 16, 16, 30, 16, 16, 16],
        'G' => [14, 17, 16, 23, 17, 17, 15],
        'H' => [17, 17, 17, 31, 17, 17, 17],
        'I' => [14, 4, 4, 4, 4, 4, 14],
        'J' => [7, 2, 2, 2, 2, 18, 12],
        'K' => [17, 18, 20, 24, 20, 18, 17],
        'L' => [16, 16, 16, 16, 16, 16, 31],
        'M' => [17, 27, 21, 21, 17, 17, 17],
        'N' => [17, 17, 25, 21, 19, 17, 17],
        'O' => [14, 17, 17, 17, 17, 17, 14],
        'P' => [30, 17, 17, 30, 16, 16, 16],
        'Q' => [14, 17, 17, 17, 21, 18, 13],
        'R' => [30, 17, 17, 30, 20, 18, 17],
        'S' => [15, 16, 16, 14, 1, 1, 30],
        'T' => [31, 4, 4, 4, 4, 4, 4],
        'U' => [17, 17, 17, 17, 17, 17, 14],
        'V' => [17, 17, 17, 17, 17, 10, 4],
        'W' => [17, 17, 17, 21, 21, 21, 10],
        'X' => [17, 17, 10, 4, 10, 17, 17],
        'Y' => [17, 17, 17, 10, 4, 4, 4],
        'Z' => [31, 1, 2, 4, 8, 16, 31],
        '0' => [14, 17, 19, 21, 25, 17, 14],
        '1' => [4, 12, 4, 4, 4, 4, 14],
        '2' => [14, 17, 1, 2, 4, 8, 31],
        '3' => [31, 2, 4, 2, 1, 17, 14],
        '4' => [2, 6, 10, 18, 31, 2, 2],
        '5' => [31, 16, 30, 1, 1, 17, 14],
        '6' => [6, 8, 16, 30, 17, 17, 14],
        '7' => [31, 1, 2, 4, 8, 8, 8],
        '8' => [14, 17, 17, 14, 17, 17, 14],
        '9' => [14, 17, 17, 15, 1, 2, 12],
        '-' | '–' | '—' => [0, 0, 0, 31, 0, 0, 0],
        '.' => [0, 0, 0, 0, 0, 12, 12],
        ',' => [0, 0, 0, 0, 12, 4, 8],
        ':' => [0, 12, 12, 0, 12, 12, 0],
        '/' => [1, 1, 2, 4, 8, 16, 16],
        '\'' | '’' => [12, 4, 8, 0, 0, 0, 0],
        '(' => [2, 4, 8, 8, 8, 4, 2],
        ')' => [8, 4, 2, 2, 2, 4, 8],
        '&' => [12, 18, 20, 8, 21, 18, 13],
        '°' => [12, 18, 18, 12, 0, 0, 0],
        '·' => [0, 0, 0, 12, 12, 0, 0],
        '?' => [14, 17, 1, 2, 4, 0, 4],
        '!' => [4, 4, 4, 4, 4, 0, 4],
        '#' => [10, 10, 31, 10, 31, 10, 10],
        '+' => [0, 4, 4, 31, 4, 4, 0],
        _ => [0; 7],
    }
}

/// The capital `c` is drawn as (accents dropped from common Latin letters).
fn normalise(c: char) -> char {
    let upper = c.to_uppercase().next().unwrap_or(c);
    match upper {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'Ç' => 'C',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'Ñ' => 'N',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'O',
        'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'Ý' | 'Ÿ' => 'Y',
        other => other,
    }
}

/// Glyph cell: 5 columns and 1 of spacing; 7 rows.
const CELL_W: f64 = 6.0;
const CELL_H: f64 = 7.0;

/// Width in pixels of `text` drawn with glyph pixels of size `px`.
pub fn text_width(text: &str, px: f64) -> f64 {
    (text.chars().count() as f64 * CELL_W - 1.0).max(0.0) * px
}

/// The glyph pixel size that fits `text` in `max_w` pixels, at most `max_px`.
pub fn fit(text: &str, max_w: f64, max_px: f64) -> f64 {
    let cells = (text.chars().count() as f64 * CELL_W - 1.0).max(1.0);
    (max_w / cells).min(max_px).max(1.0)
}

/// Draws `text` centred on `cx`, its top at `top`, glyph pixels of size `px`, in
/// `color`: each pixel's coverage is sampled on a 4×4 grid, so edges are smooth.
pub fn draw_centred(img: &mut Rgb, text: &str, cx: f64, top: f64, px: f64, color: [u8; 3]) {
    let glyphs: Vec<[u8; 7]> = text.chars().map(|c| glyph(normalise(c))).collect();
    let left = cx - text_width(text, px) / 2.0;
    let (w, h) = (img.width as i64, img.height as i64);
    let x0 = left.floor().max(0.0) as i64;
    let x1 = ((left + text_width(text, px)).ceil() as i64).min(w);
    let y0 = top.floor().max(0.0) as i64;
    let y1 = ((top + CELL_H * px).ceil() as i64).min(h);
    let on = |gx: f64, gy: f64| -> bool {
        if gx < 0.0 || !(0.0..CELL_H).contains(&gy) {
            return false;
        }
        let cell = (gx / CELL_W) as usize;
        let col = (gx - cell as f64 * CELL_W) as u32;
        let Some(g) = glyphs.get(cell) else {
            return false;
        };
        col < 5 && g[gy as usize] & (16 >> col) != 0
    };
    for y in y0..y1 {
        for x in x0..x1 {
            let mut hits = 0u32;
            for sy in 0..4 {
                for sx in 0..4 {
                    let fx = (x as f64 + (f64::from(sx) + 0.5) / 4.0 - left) / px;
                    let fy = (y as f64 + (f64::from(sy) + 0.5) / 4.0 - top) / px;
                    hits += u32::from(on(fx, fy));
                }
            }
            if hits == 0 {
                continue;
            }
            let a = f64::from(hits) / 16.0;
            let at = (y as usize * img.width as usize + x as usize) * 3;
            for (v, c) in img.data[at..at + 3].iter_mut().zip(color) {
                let old = f64::from(*v);
                *v = (old + (f64::from(c) - old) * a).round() as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_drawn_and_spaces_are_not() {
        let mut img = Rgb::new(200, 40, vec![0; 200 * 40 * 3]).unwrap();
        draw_centred(&mut img, "Café 12", 100.0, 5.0, 3.0, [255, 255, 255]);
        let lit = img.data.iter().filter(|v| **v > 0).count();
        assert!(lit > 300, "{lit} lit values");
        // Lower case and accents are drawn as capitals.
        let mut caps = Rgb::new(200, 40, vec![0; 200 * 40 * 3]).unwrap();
        draw_centred(&mut caps, "CAFE 12", 100.0, 5.0, 3.0, [255, 255, 255]);
        assert_eq!(img.data, caps.data);
        let mut blank = Rgb::new(50, 20, vec![0; 50 * 20 * 3]).unwrap();
        draw_centred(&mut blank, "   ", 25.0, 2.0, 2.0, [255, 255, 255]);
        assert!(blank.data.iter().all(|v| *v == 0));
        // Off the image: clipped, no panic.
        draw_centred(
            &mut blank,
            "WIDE TEXT OFF THE EDGE",
            -40.0,
            15.0,
            4.0,
            [255, 0, 0],
        );
        assert!(fit("ABC", 170.0, 100.0) - 10.0 < 1e-9);
    }
}
