//! On-device vision: pixels at working size, cheaply (DCT-scaled JPEG decoding, EXIF
//! thumbnails, host-provided pixels), orientation, and the pure image math the analysis
//! builds on.

pub mod content;
pub mod decode;
pub mod dedupe;
pub mod detect;
pub mod edits;
pub mod face_quality;
pub mod hash;
pub mod orient;
pub mod quality;

/// An 8-bit RGB image, rows top to bottom, no padding.
#[derive(Clone, PartialEq, Eq)]
pub struct Rgb {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rgb({}x{})", self.width, self.height)
    }
}

impl Rgb {
    /// Checks that `data` holds exactly `width * height * 3` bytes.
    pub fn new(width: u32, height: u32, data: Vec<u8>) -> Option<Rgb> {
        (data.len() as u64 == u64::from(width) * u64::from(height) * 3 && width > 0 && height > 0)
            .then_some(Rgb {
                width,
                height,
                data,
            })
    }

    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.data[i], self.data[i + 1], self.data[i + 2]]
    }

    /// Luma (BT.601), one byte per pixel.
    pub fn gray(&self) -> Vec<u8> {
        self.data
            .chunks_exact(3)
            .map(|p| {
                ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114 + 500)
                    / 1000) as u8
            })
            .collect()
    }
}
