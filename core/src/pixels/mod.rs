//! Pixels of any indexed photo, wherever they are: a readable file (folder scans, hosts
//! that hand over paths) or the host app itself through its [`PixelSource`] — the one
//! interface an app implements for analysis, the people pass, collages and stories.
//!
//! The host answers a [`PixelRequest`] with the original's encoded bytes (the core
//! decodes them with DCT scaling and reads their EXIF/XMP) or with RGBA pixels it
//! decoded at about the asked size (Android `loadThumbnail`, PhotoKit `requestImage`,
//! HEIC), or says why it cannot ([`Unavailable`]). Whatever it answers is checked
//! before the core allocates for it: sizes against the pixel budget, buffers against
//! the sizes.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use crate::index::location::{self, LocationRow};
use crate::metadata::Probe;
use crate::progress::CancelToken;
use crate::vision::decode::{self, DecodeError, DecodeOptions, Decoded, Hint, RgbaView, MIN_SIDE};
use crate::vision::orient;

/// Implemented by the app: pixels of its photos. Called from the core's worker threads
/// (one call per worker at a time); it may block, but a call over the per-photo time
/// budget is abandoned and the photo recorded as `time_budget`.
pub trait PixelSource: Send + Sync {
    fn pixels(&self, request: &PixelRequest) -> Result<PixelAnswer, Unavailable>;
}

/// What the core asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PixelRequest {
    /// The host's id of the asset (the record's `id`).
    pub asset_id: String,
    /// The record's URI (`content://…`, `ph://…`).
    pub uri: String,
    /// The long side the core will work at: answer with about this much or more
    /// (larger answers are scaled down) — or with the encoded original.
    pub long_side: u32,
    /// The record lacks a capture time, place or orientation that the original's
    /// bytes may hold: answer with the encoded original when possible (Android:
    /// `setRequireOriginal` for the location), so the core can read them.
    pub wants_original: bool,
}

/// The host's answer.
#[derive(Clone, PartialEq, Eq)]
pub enum PixelAnswer {
    /// The original file's bytes (JPEG, PNG, WebP…).
    Encoded(Vec<u8>),
    /// Pixels the host decoded.
    Rgba(RgbaPixels),
}

impl std::fmt::Debug for PixelAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PixelAnswer::Encoded(b) => write!(f, "Encoded({} bytes)", b.len()),
            PixelAnswer::Rgba(p) => p.fmt(f),
        }
    }
}

/// RGBA pixels, rows top to bottom, `stride` bytes apart (≥ `width * 4`).
#[derive(Clone, PartialEq, Eq)]
pub struct RgbaPixels {
    pub width: u32,
    pub height: u32,
    pub stride: u32,
    pub data: Vec<u8>,
    /// The host already turned the pixels upright (PhotoKit, `loadThumbnail`); when
    /// false the record's orientation is applied.
    pub upright: bool,
}

impl std::fmt::Debug for RgbaPixels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Rgba({}x{}, stride {}, {} bytes, upright {})",
            self.width,
            self.height,
            self.stride,
            self.data.len(),
            self.upright
        )
    }
}

impl From<RgbaPixels> for PixelAnswer {
    fn from(p: RgbaPixels) -> Self {
        PixelAnswer::Rgba(p)
    }
}

/// Why the host cannot hand over a photo. Transient reasons are retried by a later
/// analysis run; permanent ones are not (until the record changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unavailable {
    /// Deleted since it was listed.
    Gone,
    /// In the cloud only (iCloud, a cloud-only album); never downloaded by the core.
    NotDownloaded,
    /// The app lost access to it (revoked or limited permission).
    PermissionDenied,
    /// The host is busy; ask again later.
    Busy,
    /// Anything else the host could not do (it threw).
    Failed,
}

impl Unavailable {
    /// Every reason, for tests and parsers.
    pub const ALL: [Unavailable; 5] = [
        Unavailable::Gone,
        Unavailable::NotDownloaded,
        Unavailable::PermissionDenied,
        Unavailable::Busy,
        Unavailable::Failed,
    ];

    /// The reason as stored with the photo.
    pub fn kind(self) -> &'static str {
        match self {
            Unavailable::Gone => "gone",
            Unavailable::NotDownloaded => "not_downloaded",
            Unavailable::PermissionDenied => "permission_denied",
            Unavailable::Busy => "busy",
            Unavailable::Failed => "host_error",
        }
    }

    /// Worth asking again in a later run.
    pub fn transient(self) -> bool {
        matches!(self, Unavailable::NotDownloaded | Unavailable::Busy)
    }
}

/// Stored failure kinds a later run retries (see [`Unavailable::transient`]).
pub(crate) const TRANSIENT_KINDS: &str = "('not_downloaded', 'busy')";

/// Where a photo's pixels are.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// A readable file.
    File { path: PathBuf, hint: Hint },
    /// Only the host has them.
    Host(HostAsset),
}

impl Location {
    /// Where the asset of an index row is: its file when it has a readable one,
    /// otherwise the host.
    pub(crate) fn of(row: LocationRow, root: Option<&Path>) -> Location {
        let hint = Hint {
            orientation: row.orientation,
            thumbnail: row.thumbnail,
        };
        match location::file_path(&row.origin, &row.uri, root) {
            Some(path) => Location::File { path, hint },
            None if row.origin == "folder" => Location::File {
                // A folder asset without a known root fails to read and is marked.
                path: PathBuf::from(&row.uri),
                hint,
            },
            None => Location::Host(HostAsset {
                source_id: row.source_id,
                uri: row.uri,
                orientation: row.orientation,
                size: row.size,
                wants_original: row.incomplete,
            }),
        }
    }
}

/// A host asset as the pixel source is asked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct HostAsset {
    pub source_id: String,
    pub uri: String,
    /// EXIF orientation the record gave.
    pub orientation: Option<u8>,
    /// Stored (pre-orientation) size the record gave.
    pub size: Option<(u32, u32)>,
    /// The record lacks what the original's bytes may hold.
    pub wants_original: bool,
}

/// A photo's pixels at working size, and the metadata its encoded bytes held (host
/// answers with bytes only).
#[derive(Debug, Clone)]
pub struct Fetched {
    pub decoded: Decoded,
    pub metadata: Option<Probe>,
}

/// Why pixels could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    Decode(DecodeError),
    Host(Unavailable),
    /// A host asset and no pixel source.
    NoSource,
    /// The source did not answer within the per-photo time budget.
    TimedOut,
    /// The work was cancelled while the source was asked.
    Cancelled,
}

impl FetchError {
    /// Short kind, stored with the photo and reported per collage cell.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Decode(e) => e.kind(),
            FetchError::Host(u) => u.kind(),
            FetchError::NoSource => "need_host_pixels",
            FetchError::TimedOut => "time_budget",
            FetchError::Cancelled => "cancelled",
        }
    }

    pub fn transient(&self) -> bool {
        matches!(self, FetchError::Host(u) if u.transient())
    }
}

impl From<DecodeError> for FetchError {
    fn from(e: DecodeError) -> Self {
        FetchError::Decode(e)
    }
}

/// Pixels of one photo at `opts.long_side`, upright.
pub fn fetch(
    location: &Location,
    source: Option<&dyn PixelSource>,
    opts: &DecodeOptions,
) -> Result<Fetched, FetchError> {
    match location {
        Location::File { path, hint } => Ok(Fetched {
            decoded: decode::decode_file(path, *hint, opts)?,
            metadata: None,
        }),
        Location::Host(asset) => {
            let source = source.ok_or(FetchError::NoSource)?;
            let request = PixelRequest {
                asset_id: asset.source_id.clone(),
                uri: asset.uri.clone(),
                long_side: opts.long_side,
                wants_original: asset.wants_original,
            };
            let answer = source.pixels(&request).map_err(FetchError::Host)?;
            from_answer(answer, asset.orientation, asset.size, opts)
        }
    }
}

/// [`fetch`], bounded: a host asking longer than `budget` gives
/// [`FetchError::TimedOut`] and cancelling gives [`FetchError::Cancelled`] within a
/// tick, while the host call, which cannot be interrupted, finishes (or hangs) on its
/// own thread and its answer is dropped. Files are read on the caller's thread.
pub fn fetch_bounded(
    location: &Location,
    source: Option<&Arc<dyn PixelSource>>,
    opts: &DecodeOptions,
    budget: Duration,
    cancel: &CancelToken,
) -> Result<Fetched, FetchError> {
    let (Location::Host(_), Some(source)) = (location, source) else {
        return fetch(location, source.map(|s| &**s), opts);
    };
    let (tx, rx) = mpsc::sync_channel(1);
    let (location, source, opts) = (location.clone(), Arc::clone(source), *opts);
    let spawned = std::thread::Builder::new()
        .name("keepsake-pixels".into())
        .spawn(move || {
            let _ = tx.send(fetch(&location, Some(&*source), &opts));
        });
    if spawned.is_err() {
        return Err(FetchError::Host(Unavailable::Busy));
    }
    let started = Instant::now();
    loop {
        if cancel.is_cancelled() {
            return Err(FetchError::Cancelled);
        }
        let left = budget.saturating_sub(started.elapsed());
        if left.is_zero() {
            log::warn!("pixels: the host did not answer within the time budget");
            return Err(FetchError::TimedOut);
        }
        match rx.recv_timeout(left.min(TICK)) {
            Ok(answer) => return answer,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // The call panicked on its thread.
                return Err(FetchError::Host(Unavailable::Failed));
            }
        }
    }
}

/// How often a bounded fetch looks at the cancel token.
const TICK: Duration = Duration::from_millis(50);

/// Turns a host answer into working pixels. `orientation` and `size` are the record's.
pub fn from_answer(
    answer: PixelAnswer,
    orientation: Option<u8>,
    size: Option<(u32, u32)>,
    opts: &DecodeOptions,
) -> Result<Fetched, FetchError> {
    match answer {
        PixelAnswer::Encoded(bytes) => {
            let probe =
                crate::metadata::probe_reader(Cursor::new(&bytes), bytes.len() as u64, None);
            // The record's orientation wins; the file's fills in.
            let hint = Hint {
                orientation: orientation.or(probe.exif.orientation),
                thumbnail: probe.thumbnail,
            };
            let decoded = decode::decode_bytes(&bytes, hint, opts)?;
            Ok(Fetched {
                decoded,
                metadata: Some(probe),
            })
        }
        PixelAnswer::Rgba(px) => {
            let view = RgbaView {
                width: px.width,
                height: px.height,
                stride: px.stride,
                data: &px.data,
            };
            // The original's upright size, from the record (stored size + orientation).
            let original = size.map(|(w, h)| orient::upright_size(w, h, orientation.unwrap_or(1)));
            let orientation = if px.upright { None } else { orientation };
            Ok(Fetched {
                decoded: decode::from_rgba_view(&view, orientation, original, opts)?,
                metadata: None,
            })
        }
    }
}

/// Photos by store id, each at its location, with the host's source for those only it
/// has: what collages and stories draw from.
#[derive(Clone)]
pub struct AssetPixels {
    locations: HashMap<i64, Location>,
    source: Option<Arc<dyn PixelSource>>,
    budget: Duration,
}

impl Default for AssetPixels {
    fn default() -> Self {
        AssetPixels {
            locations: HashMap::new(),
            source: None,
            budget: HOST_BUDGET,
        }
    }
}

/// How long a collage or story waits for the host to hand over one photo.
pub const HOST_BUDGET: Duration = Duration::from_secs(10);

impl std::fmt::Debug for AssetPixels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssetPixels")
            .field("photos", &self.locations.len())
            .field("source", &self.source.is_some())
            .finish()
    }
}

impl AssetPixels {
    pub fn new() -> AssetPixels {
        AssetPixels::default()
    }

    pub fn insert(&mut self, asset_id: i64, location: Location) {
        self.locations.insert(asset_id, location);
    }

    /// A readable file.
    pub fn insert_file(&mut self, asset_id: i64, path: PathBuf, hint: Hint) {
        self.insert(asset_id, Location::File { path, hint });
    }

    /// The host's source for photos only it has.
    pub fn with_source(mut self, source: Option<Arc<dyn PixelSource>>) -> AssetPixels {
        self.source = source;
        self
    }

    /// Upright pixels of `asset_id` whose long side is about `long_side` (at least
    /// that, or the whole photo when it is smaller).
    pub fn pixels(&self, asset_id: i64, long_side: u32) -> Result<Decoded, FetchError> {
        let location = self
            .locations
            .get(&asset_id)
            .ok_or(FetchError::Decode(DecodeError::Io(
                std::io::ErrorKind::NotFound,
            )))?;
        let opts = DecodeOptions {
            long_side: long_side.max(MIN_SIDE),
            ..DecodeOptions::default()
        };
        let cancel = CancelToken::new();
        fetch_bounded(location, self.source.as_ref(), &opts, self.budget, &cancel)
            .map(|f| f.decoded)
    }
}

impl crate::collage::CellPixels for AssetPixels {
    fn pixels(&self, asset_id: i64, long_side: u32) -> Result<Decoded, FetchError> {
        AssetPixels::pixels(self, asset_id, long_side)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w` × `h` RGBA answer, rows padded by `pad` bytes; left half red, right half
    /// blue; padding bytes are 7 (never a pixel value here).
    fn answer(w: u32, h: u32, pad: u32, upright: bool) -> RgbaPixels {
        let stride = w * 4 + pad;
        let mut data = vec![7u8; (stride * h) as usize];
        for y in 0..h {
            for x in 0..w {
                let o = (y * stride + x * 4) as usize;
                let px = if x < w / 2 {
                    [200, 0, 0, 255]
                } else {
                    [0, 0, 200, 255]
                };
                data[o..o + 4].copy_from_slice(&px);
            }
        }
        RgbaPixels {
            width: w,
            height: h,
            stride,
            data,
            upright,
        }
    }

    fn opts(long_side: u32) -> DecodeOptions {
        DecodeOptions {
            long_side,
            ..DecodeOptions::default()
        }
    }

    fn decoded(
        a: RgbaPixels,
        orientation: Option<u8>,
        size: Option<(u32, u32)>,
        long: u32,
    ) -> Decoded {
        from_answer(PixelAnswer::Rgba(a), orientation, size, &opts(long))
            .expect("decodes")
            .decoded
    }

    #[test]
    fn padded_rows_are_read_without_their_padding() {
        let d = decoded(answer(40, 30, 12, true), None, None, 640);
        assert_eq!((d.image.width, d.image.height), (40, 30));
        assert_eq!(d.image.pixel(0, 29), [200, 0, 0]);
        assert_eq!(d.image.pixel(39, 0), [0, 0, 200]);
        assert!(
            d.image.data.iter().all(|&v| v != 7),
            "no padding byte leaked in"
        );
    }

    #[test]
    fn larger_answers_are_scaled_down_and_faces_map_to_the_original() {
        // 4× the asked size: box-averaged while copied, then resized.
        let d = decoded(answer(2560, 1920, 0, true), None, Some((4000, 3000)), 640);
        assert_eq!((d.image.width, d.image.height), (640, 480));
        assert_eq!(d.image.pixel(10, 10), [200, 0, 0]);
        assert_eq!(d.image.pixel(630, 470), [0, 0, 200]);
        // Boxes come out in the original's pixels (4000 wide), as for a file.
        assert!((d.scale() - 6.25).abs() < 1e-9);
    }

    #[test]
    fn orientation_is_applied_unless_the_host_did_it() {
        // Stored landscape, orientation 6 (turn 90° clockwise): upright portrait.
        let turned = decoded(answer(64, 32, 0, false), Some(6), Some((640, 320)), 640);
        assert_eq!((turned.image.width, turned.image.height), (32, 64));
        assert_eq!((turned.original_width, turned.original_height), (320, 640));
        // The host already turned it: taken as it is, the record's size still maps.
        let upright = decoded(answer(32, 64, 0, true), Some(6), Some((640, 320)), 640);
        assert_eq!((upright.image.width, upright.image.height), (32, 64));
        assert_eq!(
            (upright.original_width, upright.original_height),
            (320, 640)
        );
        // A record size of another shape (a cropped thumbnail) is not used.
        let cropped = decoded(answer(64, 64, 0, true), None, Some((640, 320)), 640);
        assert_eq!((cropped.original_width, cropped.original_height), (64, 64));
    }

    #[test]
    fn bad_answers_are_refused_before_any_copy() {
        let err = |a: RgbaPixels| {
            from_answer(PixelAnswer::Rgba(a), None, None, &opts(640))
                .expect_err("refused")
                .kind()
        };
        let mut short = answer(16, 16, 4, true);
        short.data.truncate(short.data.len() - 5);
        assert_eq!(err(short), "rgba_size_mismatch");
        let mut narrow = answer(16, 16, 0, true);
        narrow.stride = 60;
        assert_eq!(err(narrow), "rgba_stride");
        // Claims 400 MP with a 64-byte buffer: the budget says no, nothing is allocated.
        let bomb = RgbaPixels {
            width: 20_000,
            height: 20_000,
            stride: 80_000,
            data: vec![0; 64],
            upright: true,
        };
        assert_eq!(err(bomb), "pixel_budget");
        assert_eq!(err(answer(4, 4, 0, true)), "too_small");
        let garbage = from_answer(
            PixelAnswer::Encoded(b"not an image".to_vec()),
            None,
            None,
            &opts(640),
        );
        assert!(garbage.is_err());
    }

    #[test]
    fn the_last_row_needs_no_padding() {
        let mut a = answer(16, 16, 8, true);
        a.data.truncate(a.data.len() - 8);
        assert_eq!(decoded(a, None, None, 640).image.height, 16);
    }
}
