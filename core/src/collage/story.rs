//! Recap stories: an ordered list of frames for the app to animate — a title card, a
//! card per chapter, and photos with Ken Burns start and end rectangles that zoom in
//! toward the faces.

use chrono::NaiveDate;
use serde::Serialize;

use super::crop::{crop_with, relation, Rect, Relation};
use super::layout::LayoutPhoto;
use crate::suggest::{Kind, Suggestion, TitlePart};
use crate::{DeviceZone, Error, Result};

/// Frame sizes and timing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoryOptions {
    /// The story's frame size (pixels; only the aspect ratio matters for the rects).
    pub width: u32,
    pub height: u32,
    pub title_ms: u32,
    pub chapter_ms: u32,
    pub photo_ms: u32,
    /// The cover photo stays this much longer (factor).
    pub cover_factor: f64,
    /// How far the end rect zooms in (fraction of the start rect's size).
    pub zoom: f64,
}

impl Default for StoryOptions {
    fn default() -> Self {
        StoryOptions {
            width: 1080,
            height: 1920,
            title_ms: 2500,
            chapter_ms: 1500,
            photo_ms: 3000,
            cover_factor: 1.5,
            zoom: 0.8,
        }
    }
}

/// One frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Frame {
    /// The opening card: what the story is about.
    Title {
        title: Vec<TitlePart>,
        kind: Kind,
        /// Local dates of the first and last photo.
        start: NaiveDate,
        end: NaiveDate,
        photos: usize,
        cover: i64,
        duration_ms: u32,
    },
    /// A card opening a chapter (a week or a moment of a recap).
    Chapter {
        title: Vec<TitlePart>,
        photos: usize,
        duration_ms: u32,
    },
    /// A photo, panned and zoomed from `from` to `to` (upright source pixels; both have
    /// the story's aspect ratio).
    Photo {
        asset_id: i64,
        duration_ms: u32,
        from: Rect,
        to: Rect,
        source_width: u32,
        source_height: u32,
    },
}

/// A recap story.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Story {
    pub suggestion_id: String,
    pub width: u32,
    pub height: u32,
    pub duration_ms: u64,
    pub frames: Vec<Frame>,
}

/// The story of `suggestion`, with `photos` giving sizes and faces of its assets (assets
/// without an entry — deleted since — are skipped).
pub fn story(
    suggestion: &Suggestion,
    photos: &[LayoutPhoto],
    zone: DeviceZone,
    opts: &StoryOptions,
) -> Result<Story> {
    if opts.width == 0 || opts.height == 0 || !(0.3..=1.0).contains(&opts.zoom) {
        return Err(Error::InvalidArgument("story frame size or zoom".into()));
    }
    let aspect = f64::from(opts.width) / f64::from(opts.height);
    let find = |id: i64| photos.iter().find(|p| p.asset_id == id);
    let photo_frame = |p: &LayoutPhoto| {
        let (w, h) = (f64::from(p.width), f64::from(p.height));
        let from = crop_with(w, h, aspect, &p.faces, &[1.0]);
        // The end rect: zoomed in, toward the faces the start rect shows, without
        // cutting one it keeps; zooming less when that is the only way.
        let kept: Vec<Rect> = p
            .faces
            .iter()
            .copied()
            .filter(|f| relation(&from.rect, f) == Relation::Inside)
            .collect();
        let to = [opts.zoom, (opts.zoom + 1.0) / 2.0, 1.0]
            .iter()
            .map(|&s| crop_with(w, h, aspect, &kept, &[s]))
            .find(|c| c.faces_inside as usize == kept.len() && c.faces_cut == 0)
            .unwrap_or(from);
        let duration = if p.asset_id == suggestion.cover {
            (f64::from(opts.photo_ms) * opts.cover_factor).round() as u32
        } else {
            opts.photo_ms
        };
        Frame::Photo {
            asset_id: p.asset_id,
            duration_ms: duration,
            from: from.rect,
            to: clamp_inside(to.rect, &from.rect),
            source_width: p.width,
            source_height: p.height,
        }
    };
    let present: Vec<&LayoutPhoto> = suggestion
        .assets
        .iter()
        .filter_map(|id| find(*id))
        .collect();
    if present.is_empty() {
        return Err(Error::NotFound("the suggestion's photos"));
    }
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&zone.0).date_naive();
    let mut frames = vec![Frame::Title {
        title: suggestion.title.clone(),
        kind: suggestion.kind,
        start: local(suggestion.start),
        end: local(suggestion.end),
        photos: present.len(),
        cover: if find(suggestion.cover).is_some() {
            suggestion.cover
        } else {
            present[0].asset_id
        },
        duration_ms: opts.title_ms,
    }];
    if suggestion.chapters.len() > 1 {
        for chapter in &suggestion.chapters {
            let in_chapter: Vec<&LayoutPhoto> =
                chapter.assets.iter().filter_map(|id| find(*id)).collect();
            if in_chapter.is_empty() {
                continue;
            }
            frames.push(Frame::Chapter {
                title: chapter.title.clone(),
                photos: in_chapter.len(),
                duration_ms: opts.chapter_ms,
            });
            frames.extend(in_chapter.into_iter().map(photo_frame));
        }
    } else {
        frames.extend(present.into_iter().map(photo_frame));
    }
    let duration_ms = frames
        .iter()
        .map(|f| match f {
            Frame::Title { duration_ms, .. }
            | Frame::Chapter { duration_ms, .. }
            | Frame::Photo { duration_ms, .. } => u64::from(*duration_ms),
        })
        .sum();
    Ok(Story {
        suggestion_id: suggestion.id.clone(),
        width: opts.width,
        height: opts.height,
        duration_ms,
        frames,
    })
}

/// Keeps the end rect inside the start rect where it fits, so the motion is a zoom in.
fn clamp_inside(r: Rect, outer: &Rect) -> Rect {
    if r.w > outer.w || r.h > outer.h {
        return r;
    }
    Rect::new(
        r.x.clamp(outer.x, outer.right() - r.w),
        r.y.clamp(outer.y, outer.bottom() - r.h),
        r.w,
        r.h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::Chapter;
    use chrono::{TimeZone, Utc};

    fn suggestion(assets: Vec<i64>, chapters: Vec<Chapter>) -> Suggestion {
        Suggestion {
            id: "s1".into(),
            kind: Kind::RecentDays,
            title: vec![TitlePart::Label { key: "last_days" }],
            start: Utc
                .with_ymd_and_hms(2026, 11, 1, 10, 0, 0)
                .single()
                .expect("time"),
            end: Utc
                .with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
                .single()
                .expect("time"),
            cover: assets[0],
            assets,
            score: 1.0,
            reasons: vec![],
            chapters,
            look: None,
        }
    }

    fn photo(id: i64, faces: Vec<Rect>) -> LayoutPhoto {
        LayoutPhoto {
            asset_id: id,
            width: 4000,
            height: 3000,
            orientation: 1,
            faces,
        }
    }

    #[test]
    fn photos_zoom_toward_their_faces() {
        let face = Rect::new(2600.0, 600.0, 300.0, 300.0);
        let s = suggestion(vec![1, 2], vec![]);
        let st = story(
            &s,
            &[photo(1, vec![face]), photo(2, vec![])],
            DeviceZone::UTC,
            &StoryOptions::default(),
        )
        .expect("story");
        assert_eq!(st.frames.len(), 3);
        assert!(matches!(st.frames[0], Frame::Title { photos: 2, .. }));
        let Frame::Photo {
            from,
            to,
            duration_ms,
            ..
        } = st.frames[1]
        else {
            panic!("photo frame expected")
        };
        assert_eq!(duration_ms, 4500, "the cover stays longer");
        assert!(to.w < from.w && to.h < from.h);
        assert_eq!(relation(&to, &face), Relation::Inside);
        assert_eq!(relation(&from, &face), Relation::Inside);
        let dist = |r: &Rect| ((r.x + r.w / 2.0) - 2750.0).abs();
        assert!(dist(&to) <= dist(&from), "moves toward the face");
        assert!(((from.w / from.h) - 1080.0 / 1920.0).abs() < 1e-9);
        assert_eq!(st.duration_ms, 2500 + 4500 + 3000);
    }

    #[test]
    fn chapters_get_cards_and_deleted_photos_are_skipped() {
        let chapters = vec![
            Chapter {
                title: vec![],
                assets: vec![1, 2],
            },
            Chapter {
                title: vec![],
                assets: vec![3],
            },
        ];
        let s = suggestion(vec![1, 2, 3], chapters);
        // Photo 2 was deleted since.
        let st = story(
            &s,
            &[photo(1, vec![]), photo(3, vec![])],
            DeviceZone::UTC,
            &StoryOptions::default(),
        )
        .expect("story");
        let kinds: Vec<&str> = st
            .frames
            .iter()
            .map(|f| match f {
                Frame::Title { .. } => "title",
                Frame::Chapter { .. } => "chapter",
                Frame::Photo { .. } => "photo",
            })
            .collect();
        assert_eq!(kinds, ["title", "chapter", "photo", "chapter", "photo"]);
        assert!(matches!(
            story(&s, &[], DeviceZone::UTC, &StoryOptions::default()),
            Err(Error::NotFound(_))
        ));
    }
}
