//! Moments: the timeline cut where the gap between photos is unusually long for the
//! local photo rate (in the spirit of PhotoTOC, Platt et al. 2003), or where the place
//! jumps. Pure functions over [`Photo`]s; the store feeds them.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

use crate::geo::{centroid, haversine_km};
use crate::library::DateTrust;

/// What the timeline logic needs to know about one photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    /// Store row id.
    pub id: i64,
    pub utc: DateTime<Utc>,
    /// Wall-clock time where it was taken (for "night", "golden hour", calendar dates).
    pub local: NaiveDateTime,
    pub trust: DateTrust,
    pub gps: Option<(f64, f64)>,
    pub favorite: bool,
    /// Screenshots and other non-camera images never shape moments or trips.
    pub junk: bool,
}

impl Photo {
    /// A camera photo with an exact capture instant (EXIF with offset), its local time
    /// taken as UTC wall time; not a favourite, not junk.
    pub fn exact(id: i64, utc: DateTime<Utc>, gps: Option<(f64, f64)>) -> Photo {
        Photo {
            id,
            utc,
            local: utc.naive_utc(),
            trust: DateTrust::ExifOffset,
            gps,
            favorite: false,
            junk: false,
        }
    }

    /// Placeable, with a date from the photo itself (EXIF, or an instant from the host):
    /// the only photos that may start or extend trips, count for homes, or say which day
    /// a memory belongs to.
    pub fn trusted(&self) -> bool {
        self.placeable() && self.trust >= DateTrust::ExifLocal
    }

    /// Photos whose time can place them in the timeline: camera photos with a date from
    /// the photo itself or its name. File times are copy/download times.
    pub fn placeable(&self) -> bool {
        !self.junk && self.trust >= DateTrust::Filename
    }
}

/// Albums whose images are not camera memories (screenshots, messenger and download
/// folders): a setting the app reads and changes (`Keepsake::set_junk_albums`), since
/// album names depend on the device's language. Names are compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JunkAlbums {
    /// An album whose name contains one of these is junk ("WhatsApp Images").
    pub contains: Vec<String>,
    /// An album named exactly one of these is junk (short, common words: "Signal" is
    /// junk, "Signal Hill" is a place).
    pub exact: Vec<String>,
}

impl Default for JunkAlbums {
    /// The names Android buckets and iOS albums have in English.
    fn default() -> Self {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        JunkAlbums {
            contains: own(&[
                "screenshot",
                "screen recording",
                "whatsapp",
                "telegram",
                "download",
            ]),
            exact: own(&["messenger", "signal", "signal images"]),
        }
    }
}

impl JunkAlbums {
    pub fn matches(&self, name: &str) -> bool {
        let n = name.trim().to_lowercase();
        self.contains
            .iter()
            .any(|j| !j.trim().is_empty() && n.contains(&j.trim().to_lowercase()))
            || self.exact.iter().any(|j| j.trim().to_lowercase() == n)
    }

    /// Refuses empty or overlong names and more than 200 of them.
    pub fn validate(&self) -> crate::Result<()> {
        let all = self.contains.iter().chain(&self.exact);
        if self.contains.len() + self.exact.len() > 200
            || all
                .clone()
                .any(|n| n.trim().is_empty() || n.chars().count() > 200)
        {
            return Err(crate::Error::InvalidArgument(
                "junk album names are 1..200 characters, at most 200 of them".into(),
            ));
        }
        Ok(())
    }
}

/// [`JunkAlbums::default`]'s verdict.
pub fn is_junk_album(name: &str) -> bool {
    JunkAlbums::default().matches(name)
}

/// Segmentation parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MomentParams {
    /// Photos on each side whose gaps form the local average (PhotoTOC's d).
    pub window: usize,
    /// A gap is a boundary when ln(gap) ≥ ln(ratio) + mean ln(gap) of its neighbourhood
    /// (PhotoTOC's K = ln 17).
    pub ratio: f64,
    /// Gaps at least this long always split (seconds).
    pub max_gap_s: i64,
    /// Gaps shorter than this never split on time alone (seconds).
    pub min_gap_s: i64,
    /// A move of at least this many km between consecutive photos …
    pub jump_km: f64,
    /// … splits when the gap is at least this long (seconds).
    pub jump_min_gap_s: i64,
}

impl Default for MomentParams {
    fn default() -> Self {
        MomentParams {
            window: 10,
            ratio: 17.0,
            max_gap_s: 8 * 3600,
            min_gap_s: 20 * 60,
            jump_km: 3.0,
            jump_min_gap_s: 15 * 60,
        }
    }
}

/// One moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moment {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Store ids, in time order.
    pub assets: Vec<i64>,
    pub centroid: Option<(f64, f64)>,
    /// Largest distance from the centroid, km (0 without GPS).
    pub radius_km: f64,
    pub cover: i64,
}

/// Why a boundary was placed after photo `index` (in the sorted placeable photos).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cut {
    LongGap,
    RelativeGap,
    PlaceJump,
}

/// Indices `i` such that a new moment starts at photo `i + 1`, with the reason.
/// `photos` must be sorted by time.
pub fn boundaries(photos: &[Photo], p: &MomentParams) -> Vec<(usize, Cut)> {
    if photos.len() < 2 {
        return Vec::new();
    }
    let gaps: Vec<i64> = photos
        .windows(2)
        .map(|w| (w[1].utc - w[0].utc).num_seconds().max(1))
        .collect();
    let logs: Vec<f64> = gaps.iter().map(|&g| (g as f64).ln()).collect();
    // Prefix sums make each neighbourhood mean O(1): 100 000 photos stay cheap.
    let mut prefix = Vec::with_capacity(logs.len() + 1);
    prefix.push(0.0);
    for l in &logs {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + l);
    }
    let k = p.ratio.ln();
    let mut cuts = Vec::new();
    for (i, &gap) in gaps.iter().enumerate() {
        let lo = i.saturating_sub(p.window);
        let hi = (i + p.window + 1).min(logs.len());
        let mean = (prefix[hi] - prefix[lo]) / (hi - lo) as f64;
        let cut = if gap >= p.max_gap_s {
            Some(Cut::LongGap)
        } else if gap >= p.jump_min_gap_s && jumped(&photos[i], &photos[i + 1], p.jump_km) {
            Some(Cut::PlaceJump)
        } else if gap >= p.min_gap_s && logs[i] >= k + mean {
            Some(Cut::RelativeGap)
        } else {
            None
        };
        if let Some(c) = cut {
            cuts.push((i, c));
        }
    }
    cuts
}

fn jumped(a: &Photo, b: &Photo, km: f64) -> bool {
    matches!((a.gps, b.gps), (Some(x), Some(y)) if haversine_km(x, y) >= km)
}

/// Segments placeable photos into moments. Non-placeable photos are left out.
pub fn segment(photos: &[Photo], p: &MomentParams) -> Vec<Moment> {
    let mut placed: Vec<&Photo> = photos.iter().filter(|ph| ph.placeable()).collect();
    placed.sort_by_key(|ph| (ph.utc, ph.id));
    let owned: Vec<Photo> = placed.into_iter().cloned().collect();
    let cuts = boundaries(&owned, p);
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for end in cuts
        .iter()
        .map(|(i, _)| i + 1)
        .chain(std::iter::once(owned.len()))
    {
        if end > start {
            out.push(moment(&owned[start..end]));
        }
        start = end;
    }
    out
}

/// Builds a moment from its photos (time-sorted, non-empty).
pub fn moment(photos: &[Photo]) -> Moment {
    let points: Vec<(f64, f64)> = photos.iter().filter_map(|p| p.gps).collect();
    let c = centroid(&points);
    let radius_km = c.map_or(0.0, |c| {
        points
            .iter()
            .map(|&q| haversine_km(c, q))
            .fold(0.0, f64::max)
    });
    // Without quality signals, a favourite is the best cover, else the middle photo.
    let cover = photos
        .iter()
        .find(|p| p.favorite)
        .unwrap_or(&photos[photos.len() / 2])
        .id;
    Moment {
        start: photos[0].utc,
        end: photos[photos.len() - 1].utc,
        assets: photos.iter().map(|p| p.id).collect(),
        centroid: c,
        radius_km,
        cover,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn photo(id: i64, secs: i64, gps: Option<(f64, f64)>) -> Photo {
        Photo::exact(id, Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap(), gps)
    }

    #[test]
    fn bursts_split_on_relative_gaps_not_within() {
        // Three bursts of 10 photos 30 s apart, separated by 2 h.
        let mut photos = Vec::new();
        for b in 0..3 {
            for k in 0..10 {
                photos.push(photo(b * 10 + k, b * 7200 + k * 30, None));
            }
        }
        let m = segment(&photos, &MomentParams::default());
        assert_eq!(
            m.iter().map(|m| m.assets.len()).collect::<Vec<_>>(),
            [10, 10, 10]
        );
    }

    #[test]
    fn long_gaps_and_place_jumps_split() {
        let a = (48.85, 2.35);
        let b = (48.95, 2.35); // ~11 km north
        let photos = vec![
            photo(1, 0, Some(a)),
            photo(2, 60, Some(a)),
            photo(3, 60 + 16 * 60, Some(b)), // moved 11 km in 16 min
            photo(4, 60 + 17 * 60, Some(b)),
            photo(5, 60 + 17 * 60 + 9 * 3600, Some(b)), // 9 h later
        ];
        let cuts = boundaries(&photos, &MomentParams::default());
        assert_eq!(cuts, [(1, Cut::PlaceJump), (3, Cut::LongGap)]);
    }

    #[test]
    fn junk_albums() {
        for junk in [
            "Screenshots",
            "WhatsApp Images",
            "Telegram",
            "Download",
            "Signal",
            "Screen recordings",
        ] {
            assert!(is_junk_album(junk), "{junk}");
        }
        for keep in ["Camera", "DCIM", "Signal Hill", "Holidays 2024"] {
            assert!(!is_junk_album(keep), "{keep}");
        }
        // Another language's names are the app's to add.
        let mut es = JunkAlbums::default();
        assert!(!es.matches("Capturas de pantalla"));
        es.contains.push("Capturas de pantalla".into());
        assert!(es.matches("capturas de pantalla 2024") && es.matches("WhatsApp"));
        assert!(JunkAlbums {
            contains: vec![" ".into()],
            exact: vec![]
        }
        .validate()
        .is_err());
    }

    #[test]
    fn junk_and_untrusted_are_left_out_and_tiny_inputs_work() {
        let mut s = photo(1, 0, None);
        s.junk = true;
        let mut f = photo(2, 10, None);
        f.trust = DateTrust::FileTime;
        assert!(segment(&[s, f], &MomentParams::default()).is_empty());
        let one = segment(&[photo(3, 0, None)], &MomentParams::default());
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].cover, 3);
        assert!(segment(&[], &MomentParams::default()).is_empty());
        // All photos at the same instant: one moment.
        let same: Vec<Photo> = (0..50).map(|i| photo(i, 0, None)).collect();
        assert_eq!(segment(&same, &MomentParams::default()).len(), 1);
    }
}
