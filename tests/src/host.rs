//! The harness playing host: a [`PixelSource`] that answers from files, as an app
//! answers from MediaStore or PhotoKit — with the original's bytes (`encoded`) or with
//! RGBA pixels it decoded at about the asked size (`rgba`, rows padded as platform
//! bitmaps are, already upright). Its map comes from JSON Lines:
//! `{"id": "<record id>", "path": "<file>"}`.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use keepsake_core::pixels::{PixelAnswer, PixelRequest, PixelSource, RgbaPixels, Unavailable};
use keepsake_core::vision::decode::{decode_file, DecodeError, DecodeOptions, Hint};

/// How the host answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Encoded,
    Rgba,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "encoded" => Some(Mode::Encoded),
            "rgba" => Some(Mode::Rgba),
            _ => None,
        }
    }
}

/// Bytes of padding after each RGBA row (platform bitmaps align rows).
const ROW_PADDING: u32 = 12;

/// Record id → file.
#[derive(Debug, Clone)]
pub struct FileHost {
    files: HashMap<String, PathBuf>,
    mode: Mode,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    id: String,
    path: PathBuf,
}

impl FileHost {
    pub fn new(files: HashMap<String, PathBuf>, mode: Mode) -> FileHost {
        FileHost { files, mode }
    }

    /// Reads a map file; relative paths are relative to the map's folder. Errors name
    /// the line.
    pub fn from_map(path: &Path, mode: Mode) -> Result<FileHost, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("host pixels map: {e}"))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut files = HashMap::new();
        for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("host pixels map: {e}"))?;
            if line.trim().is_empty() {
                continue;
            }
            let l: Line = serde_json::from_str(&line)
                .map_err(|e| format!("host pixels map, line {}: {e}", i + 1))?;
            files.insert(l.id, base.join(l.path));
        }
        Ok(FileHost::new(files, mode))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl PixelSource for FileHost {
    fn pixels(&self, request: &PixelRequest) -> Result<PixelAnswer, Unavailable> {
        let path = self.files.get(&request.asset_id).ok_or(Unavailable::Gone)?;
        match self.mode {
            Mode::Encoded => std::fs::read(path)
                .map(PixelAnswer::Encoded)
                .map_err(|e| unavailable(e.kind())),
            Mode::Rgba => {
                let opts = DecodeOptions {
                    long_side: request.long_side,
                    ..DecodeOptions::default()
                };
                let decoded = decode_file(path, Hint::default(), &opts).map_err(|e| match e {
                    DecodeError::Io(kind) => unavailable(kind),
                    _ => Unavailable::Failed,
                })?;
                Ok(PixelAnswer::Rgba(to_rgba(&decoded.image)))
            }
        }
    }
}

fn unavailable(kind: std::io::ErrorKind) -> Unavailable {
    match kind {
        std::io::ErrorKind::NotFound => Unavailable::Gone,
        std::io::ErrorKind::PermissionDenied => Unavailable::PermissionDenied,
        _ => Unavailable::Failed,
    }
}

/// Upright RGB as a platform bitmap: RGBA, opaque, rows padded.
pub fn to_rgba(img: &keepsake_core::vision::Rgb) -> RgbaPixels {
    let stride = img.width * 4 + ROW_PADDING;
    let mut data = vec![0u8; stride as usize * img.height as usize];
    for (y, row) in img.data.chunks_exact(img.width as usize * 3).enumerate() {
        let out = &mut data[y * stride as usize..];
        for (x, p) in row.chunks_exact(3).enumerate() {
            out[x * 4..x * 4 + 4].copy_from_slice(&[p[0], p[1], p[2], 255]);
        }
    }
    RgbaPixels {
        width: img.width,
        height: img.height,
        stride,
        data,
        upright: true,
    }
}
