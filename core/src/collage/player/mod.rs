//! Story frames drawn by the core: any instant of a recap story as pixels, for apps that
//! feed their platform's video encoder (MediaCodec, AVAssetWriter) and for the harness's
//! video writer. Photos pan and zoom from their start to their end rect (toward the faces;
//! the rects never cut a face the start shows), consecutive frames cross-fade, and the
//! title and chapter cards are drawn with Keepsake's own font over a darkened cover.
//!
//! Each photo is decoded once, at the size its closest zoom needs, and kept while it is
//! on screen (and for the next frame); cards are drawn once. A photo whose pixels cannot
//! be had shows a neutral card and is reported in [`StoryPlayer::failures`].

use std::collections::HashMap;
use std::sync::Mutex;

use super::crop::Rect;
use super::font;
use super::layout::LayoutPhoto;
use super::render::{crop_resize, CellFailure, CellPixels};
use super::story::{Frame, Story};
use crate::effects::Effect;
use crate::progress::CancelToken;
use crate::restyle::{StyleBlend, StyleModel};
use crate::vision::Rgb;
use crate::{Error, Result};

/// Length of the cross-fade between consecutive frames.
pub const CROSSFADE_MS: u64 = 600;
/// Largest output frame side.
pub const MAX_FRAME_SIDE: u32 = 3840;
/// Photos kept decoded (the one on screen, the next, and one spare).
const PHOTOS_KEPT: usize = 3;

/// A look over every photo of the story: a classic effect or an AI restyle, at a
/// strength. Applied once per photo (a restyle takes about a second); the title card's
/// cover shows it too, its text and the chapter cards do not.
#[derive(Debug, Clone)]
pub enum Look {
    Effect(Effect, f32),
    Style(StyleModel, StyleBlend, f32),
}

/// Draws a story's frames at one size.
pub struct StoryPlayer {
    story: Story,
    width: u32,
    height: u32,
    /// Start time of each frame (ms), and the total.
    starts: Vec<u64>,
    faces: HashMap<i64, Vec<Rect>>,
    pixels: Box<dyn CellPixels + Send + Sync>,
    look: Option<Look>,
    cache: Mutex<Cache>,
}

impl std::fmt::Debug for StoryPlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoryPlayer")
            .field("suggestion_id", &self.story.suggestion_id)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Cache {
    /// Decoded (and looked) photos by id and long side asked, oldest first.
    photos: Vec<((i64, u32), Option<Rgb>)>,
    cards: HashMap<usize, Rgb>,
    failures: Vec<CellFailure>,
}

impl StoryPlayer {
    /// A player for `story` at `width` × `height` (the story's aspect ratio is kept by
    /// its rects; other sizes stretch nothing, they crop the same rects). `photos` gives
    /// the faces of the story's photos, `pixels` their pixels.
    pub fn new(
        story: Story,
        photos: &[LayoutPhoto],
        pixels: Box<dyn CellPixels + Send + Sync>,
        width: u32,
        height: u32,
        look: Option<Look>,
    ) -> Result<StoryPlayer> {
        if width < 16 || height < 16 || width.max(height) > MAX_FRAME_SIDE {
            return Err(Error::InvalidArgument(format!(
                "frame size must be 16..={MAX_FRAME_SIDE} pixels a side"
            )));
        }
        match &look {
            Some(Look::Effect(_, s)) | Some(Look::Style(_, _, s)) => {
                crate::effects::check_strength(*s)?
            }
            None => {}
        }
        let mut starts = Vec::with_capacity(story.frames.len() + 1);
        let mut t = 0;
        for f in &story.frames {
            starts.push(t);
            t += u64::from(duration(f));
        }
        starts.push(t);
        Ok(StoryPlayer {
            faces: photos
                .iter()
                .map(|p| (p.asset_id, p.faces.clone()))
                .collect(),
            story,
            width,
            height,
            starts,
            pixels,
            look,
            cache: Mutex::default(),
        })
    }

    pub fn story(&self) -> &Story {
        &self.story
    }

    pub fn look(&self) -> Option<&Look> {
        self.look.as_ref()
    }

    /// The story's length, ms.
    pub fn duration_ms(&self) -> u64 {
        self.starts.last().copied().unwrap_or(0)
    }

    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Photos that could not be drawn so far.
    pub fn failures(&self) -> Vec<CellFailure> {
        self.lock().failures.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The picture at `t_ms` (clamped to the story's length).
    pub fn frame(&self, t_ms: u64, cancel: &CancelToken) -> Result<Rgb> {
        let n = self.story.frames.len();
        if n == 0 {
            return Err(Error::NotFound("the story's frames"));
        }
        let t = t_ms.min(self.duration_ms().saturating_sub(1));
        let i = self.starts[1..].partition_point(|end| *end <= t).min(n - 1);
        let local = t - self.starts[i];
        let len = self.starts[i + 1] - self.starts[i];
        let current = self.draw(i, local, len, cancel)?;
        let fade = CROSSFADE_MS.min(len / 2);
        if i + 1 < n && local + fade > len {
            // The next frame fades in over the end of this one (from its own start, so
            // the picture does not jump when the fade ends).
            let next_len = self.starts[i + 2] - self.starts[i + 1];
            let next = self.draw(i + 1, 0, next_len, cancel)?;
            let a = (local + fade - len) as f32 / fade.max(1) as f32;
            return Ok(crate::effects::blend(&current, next, a.clamp(0.0, 1.0)));
        }
        Ok(current)
    }

    fn draw(&self, i: usize, local: u64, len: u64, cancel: &CancelToken) -> Result<Rgb> {
        cancel.check()?;
        match &self.story.frames[i] {
            Frame::Photo {
                asset_id,
                from,
                to,
                source_width,
                source_height,
                ..
            } => {
                let p = smoothstep(local as f64 / len.max(1) as f64);
                let rect = Rect::new(
                    from.x + (to.x - from.x) * p,
                    from.y + (to.y - from.y) * p,
                    from.w + (to.w - from.w) * p,
                    from.h + (to.h - from.h) * p,
                );
                // Enough pixels for the closest zoom to fill the frame.
                let scale = (f64::from(self.width) / to.w.min(from.w).max(1.0))
                    .max(f64::from(self.height) / to.h.min(from.h).max(1.0));
                let long = f64::from((*source_width).max(*source_height));
                let want = (long * scale).ceil().clamp(64.0, long.max(64.0)) as u32;
                match self.photo(*asset_id, want, cancel)? {
                    Some(img) => crop_resize(&img, &rect, *source_width, self.width, self.height)
                        .map_err(|_| Error::InvalidArgument("photo cannot be resized".into())),
                    None => Ok(solid(self.width, self.height, [40, 40, 44])),
                }
            }
            Frame::Title { .. } | Frame::Chapter { .. } => self.card(i, cancel),
        }
    }

    /// The photo's pixels with the look, decoded once while it is in use.
    fn photo(&self, id: i64, long_side: u32, cancel: &CancelToken) -> Result<Option<Rgb>> {
        if let Some((_, img)) = self
            .lock()
            .photos
            .iter()
            .find(|(key, _)| *key == (id, long_side))
        {
            return Ok(img.clone());
        }
        let img = match self.pixels.pixels(id, long_side) {
            Ok(d) => Some(self.with_look(id, d.image, cancel)?),
            Err(e) => {
                log::debug!("story: photo {id} not drawn: {}", e.kind());
                let mut cache = self.lock();
                if !cache.failures.iter().any(|f| f.asset_id == id) {
                    cache.failures.push(CellFailure {
                        asset_id: id,
                        kind: e.kind(),
                    });
                }
                None
            }
        };
        let mut cache = self.lock();
        if cache.photos.len() >= PHOTOS_KEPT {
            cache.photos.remove(0);
        }
        cache.photos.push(((id, long_side), img.clone()));
        Ok(img)
    }

    fn with_look(&self, id: i64, img: Rgb, cancel: &CancelToken) -> Result<Rgb> {
        match &self.look {
            None => Ok(img),
            Some(Look::Effect(e, s)) => crate::effects::apply(&img, *e, *s),
            Some(Look::Style(model, blend, s)) => {
                let source_w = self
                    .story
                    .frames
                    .iter()
                    .find_map(|f| match f {
                        Frame::Photo {
                            asset_id,
                            source_width,
                            ..
                        } if *asset_id == id => Some(*source_width),
                        _ => None,
                    })
                    .unwrap_or(img.width);
                let k = f64::from(img.width) / f64::from(source_w.max(1));
                let faces: Vec<Rect> = self
                    .faces
                    .get(&id)
                    .map(|f| {
                        f.iter()
                            .map(|r| Rect::new(r.x * k, r.y * k, r.w * k, r.h * k))
                            .collect()
                    })
                    .unwrap_or_default();
                let painted = model.restyle(&img, blend, *s, &faces, &mut |_, _| {}, cancel)?;
                if painted.width == img.width {
                    return Ok(painted);
                }
                crate::vision::decode::resize_to(painted, img.width, img.height)
                    .map_err(|_| Error::InvalidArgument("photo cannot be resized".into()))
            }
        }
    }

    /// A title or chapter card, drawn once.
    fn card(&self, i: usize, cancel: &CancelToken) -> Result<Rgb> {
        if let Some(img) = self.lock().cards.get(&i) {
            return Ok(img.clone());
        }
        let (w, h) = (self.width, self.height);
        let lines: Vec<(String, f64)>;
        let mut img = match &self.story.frames[i] {
            Frame::Title {
                title,
                start,
                end,
                photos,
                cover,
                ..
            } => {
                let words: Vec<_> = title
                    .iter()
                    .filter(|p| {
                        !matches!(
                            p,
                            crate::suggest::TitlePart::DateRange { .. }
                                | crate::suggest::TitlePart::Month { .. }
                        )
                    })
                    .cloned()
                    .collect();
                let dates = if start == end {
                    start.format("%-d %b %Y").to_string()
                } else if start.format("%Y").to_string() == end.format("%Y").to_string() {
                    format!("{} – {}", start.format("%-d %b"), end.format("%-d %b %Y"))
                } else {
                    format!(
                        "{} – {}",
                        start.format("%-d %b %Y"),
                        end.format("%-d %b %Y")
                    )
                };
                let mut l = Vec::new();
                if !words.is_empty() {
                    l.push((crate::suggest::title_text(&words), 1.0));
                }
                l.push((dates, 0.6));
                l.push((photo_count(*photos), 0.45));
                lines = l;
                self.cover_background(*cover, cancel)?
            }
            Frame::Chapter { title, photos, .. } => {
                lines = vec![
                    (crate::suggest::title_text(title), 0.8),
                    (photo_count(*photos), 0.45),
                ];
                solid(w, h, [24, 24, 30])
            }
            Frame::Photo { .. } => return Err(Error::InvalidArgument("not a card".into())),
        };
        // Lines centred, sized to fit 84 % of the width, the first one largest.
        let max_px = f64::from(w.min(h)) / 28.0;
        let mut sizes: Vec<f64> = lines
            .iter()
            .map(|(text, rel)| font::fit(text, f64::from(w) * 0.84, max_px * rel))
            .collect();
        // A long first line shrinks to fit: the lines under it stay smaller still.
        for i in 1..sizes.len() {
            sizes[i] = sizes[i].min(sizes[i - 1] * 0.8);
        }
        let block: f64 = sizes.iter().map(|px| px * 10.0).sum();
        let mut top = (f64::from(h) - block) / 2.0;
        for ((text, _), px) in lines.iter().zip(&sizes) {
            font::draw_centred(
                &mut img,
                text,
                f64::from(w) / 2.0,
                top,
                *px,
                [255, 255, 255],
            );
            top += px * 10.0;
        }
        self.lock().cards.insert(i, img.clone());
        Ok(img)
    }

    /// The cover photo filling the frame, darkened so white text reads on it.
    fn cover_background(&self, cover: i64, cancel: &CancelToken) -> Result<Rgb> {
        let (w, h) = (self.width, self.height);
        let rect = self.story.frames.iter().find_map(|f| match f {
            Frame::Photo {
                asset_id,
                from,
                source_width,
                source_height,
                ..
            } if *asset_id == cover => Some((*from, *source_width, *source_height)),
            _ => None,
        });
        let Some((from, sw, sh)) = rect else {
            return Ok(solid(w, h, [24, 24, 30]));
        };
        let want = (f64::from(sw.max(sh)) * f64::from(w) / from.w.max(1.0)).ceil() as u32;
        let Some(img) = self.photo(cover, want.clamp(64, sw.max(sh).max(64)), cancel)? else {
            return Ok(solid(w, h, [24, 24, 30]));
        };
        let mut bg = crop_resize(&img, &from, sw, w, h)
            .map_err(|_| Error::InvalidArgument("photo cannot be resized".into()))?;
        for v in &mut bg.data {
            *v = (u16::from(*v) * 2 / 5) as u8;
        }
        Ok(bg)
    }
}

fn duration(f: &Frame) -> u32 {
    match f {
        Frame::Title { duration_ms, .. }
        | Frame::Chapter { duration_ms, .. }
        | Frame::Photo { duration_ms, .. } => *duration_ms,
    }
}

fn photo_count(n: usize) -> String {
    format!("{n} photo{}", if n == 1 { "" } else { "s" })
}

/// Eases motion in and out.
fn smoothstep(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

fn solid(w: u32, h: u32, c: [u8; 3]) -> Rgb {
    Rgb {
        width: w,
        height: h,
        data: c.repeat(w as usize * h as usize),
    }
}

#[cfg(test)]
mod tests;
