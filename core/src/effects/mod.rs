//! Classic photo effects, no model: colour looks from Keepsake's own curves (warm, cool,
//! vivid, mono, fade, film), duotone, vignette, grain, pencil sketch and cartoon. Pure
//! functions on pixels: the same photo, effect and strength always give the same bytes
//! (grain is a hash of the pixel position, not a random generator), the size is kept, and
//! the strength (0..=1) blends the effect with the original.

mod filters;
mod looks;

use crate::vision::Rgb;
use crate::{Error, Result};

/// An effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Warm,
    Cool,
    Vivid,
    Mono,
    Fade,
    Film,
    Duotone,
    Vignette,
    Grain,
    Sketch,
    Cartoon,
}

impl Effect {
    pub const ALL: [Effect; 11] = [
        Effect::Warm,
        Effect::Cool,
        Effect::Vivid,
        Effect::Mono,
        Effect::Fade,
        Effect::Film,
        Effect::Duotone,
        Effect::Vignette,
        Effect::Grain,
        Effect::Sketch,
        Effect::Cartoon,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Effect::Warm => "warm",
            Effect::Cool => "cool",
            Effect::Vivid => "vivid",
            Effect::Mono => "mono",
            Effect::Fade => "fade",
            Effect::Film => "film",
            Effect::Duotone => "duotone",
            Effect::Vignette => "vignette",
            Effect::Grain => "grain",
            Effect::Sketch => "sketch",
            Effect::Cartoon => "cartoon",
        }
    }

    pub fn parse(name: &str) -> Option<Effect> {
        Effect::ALL.into_iter().find(|e| e.name() == name)
    }

    /// One line for lists.
    pub fn describe(self) -> &'static str {
        match self {
            Effect::Warm => "golden light: reds up, blues down",
            Effect::Cool => "morning light: blues up, reds down",
            Effect::Vivid => "richer colour and contrast",
            Effect::Mono => "black and white with a gentle contrast curve",
            Effect::Fade => "lifted blacks, softer colour",
            Effect::Film => "film stock: S-curve, warm highlights, cool shadows, lifted blacks",
            Effect::Duotone => "two inks: deep blue shadows, peach highlights",
            Effect::Vignette => "darker corners",
            Effect::Grain => "fine film grain",
            Effect::Sketch => "pencil sketch",
            Effect::Cartoon => "flat colour regions with ink outlines",
        }
    }
}

/// `Err(InvalidArgument)` unless `strength` is 0..=1 (callers that decode a photo first
/// check before they do).
pub fn check_strength(strength: f32) -> Result<()> {
    if !(0.0..=1.0).contains(&strength) {
        return Err(Error::InvalidArgument("strength must be 0..=1".into()));
    }
    Ok(())
}

/// `img` with `effect` at `strength` (0: the original, 1: the full effect).
pub fn apply(img: &Rgb, effect: Effect, strength: f32) -> Result<Rgb> {
    check_strength(strength)?;
    let full = match effect {
        Effect::Warm
        | Effect::Cool
        | Effect::Vivid
        | Effect::Mono
        | Effect::Fade
        | Effect::Film
        | Effect::Duotone => looks::apply(img, effect),
        Effect::Vignette => filters::vignette(img),
        Effect::Grain => filters::grain(img),
        Effect::Sketch => filters::sketch(img),
        Effect::Cartoon => filters::cartoon(img),
    };
    Ok(blend(img, full, strength))
}

/// `original` + (`effect` − `original`) × `strength`, rounded.
pub(crate) fn blend(original: &Rgb, mut effect: Rgb, strength: f32) -> Rgb {
    if strength >= 1.0 {
        return effect;
    }
    let k = (strength * 256.0).round() as i32;
    for (e, o) in effect.data.iter_mut().zip(&original.data) {
        let (ev, ov) = (i32::from(*e), i32::from(*o));
        *e = (ov + (((ev - ov) * k + 128) >> 8)).clamp(0, 255) as u8;
    }
    effect
}

/// BT.601 luma, 0..=255.
fn luma(p: &[u8]) -> u32 {
    (u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114 + 500) / 1000
}

#[cfg(test)]
mod tests;
