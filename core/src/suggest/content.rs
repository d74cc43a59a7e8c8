//! What the photos show: a suggestion per content theme across the library (the pets,
//! beach days, snow, sunsets, flowers across the year…) and a pets memory for each month
//! full of pet photos (the latest few). Documents are themes for search, not memories.
//! Each says which theme, how many photos, their mean score, the threshold and the
//! classifier's classes behind it.

use chrono::Datelike;

use super::types::{Kind, Reason, Suggestion, TitlePart};
use super::{build, Context, Meta};
use crate::moments::Photo;
use crate::themes::{class_word, Theme};

/// Photos a theme needs across the library.
const THEME_MIN: usize = 8;
const THEME_CAP: usize = 30;
/// Pet photos a month needs for its own pets memory, and how many such months are kept.
const PETS_MONTH_MIN: usize = 6;
const PETS_MONTHS_KEPT: usize = 3;
const PETS_MONTH_CAP: usize = 20;
/// Classes named in a reason.
const CLASSES_NAMED: usize = 5;

/// Per theme (in [`Theme::ALL`] order), the photos showing it (not kept out), in time
/// order, with their scores: one pass over the library.
fn by_theme<'a>(ctx: &Context<'a>) -> Vec<Vec<(&'a Photo, f32)>> {
    let mut out = vec![Vec::new(); Theme::ALL.len()];
    for p in &ctx.photos {
        let Some(s) = ctx.signals().get(&p.id).filter(|s| !s.kept_out()) else {
            continue;
        };
        for theme in Theme::ALL {
            let score = s.themes.get(theme);
            if score >= theme.threshold() {
                out[theme as usize].push((*p, score));
            }
        }
    }
    out
}

/// The reason: theme, photos, mean score, threshold, and the classes most often on top.
fn reason(ctx: &Context<'_>, theme: Theme, photos: &[(&Photo, f32)]) -> Reason {
    let n = photos.len().max(1) as f64;
    let mean = photos.iter().map(|(_, s)| f64::from(*s)).sum::<f64>() / n;
    let mut reason = Reason::new(
        "content_theme",
        &[
            ("photos", photos.len() as f64),
            ("mean_score", mean),
            ("threshold", f64::from(theme.threshold())),
        ],
    );
    let mut counts: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for (p, _) in photos {
        if let Some(word) = ctx
            .signals()
            .get(&p.id)
            .and_then(|s| s.top_class)
            .and_then(class_word)
        {
            *counts.entry(word).or_default() += 1;
        }
    }
    let mut classes: Vec<(&'static str, usize)> = counts.into_iter().collect();
    classes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    reason.classes = classes
        .into_iter()
        .take(CLASSES_NAMED)
        .map(|(w, _)| w)
        .collect();
    reason
}

/// A suggestion per theme across the library, then the pets months.
pub(crate) fn themes(ctx: &Context<'_>) -> Vec<Suggestion> {
    let themed = by_theme(ctx);
    let mut out = Vec::new();
    for theme in Theme::ALL.into_iter().filter(|t| *t != Theme::Document) {
        let photos = &themed[theme as usize];
        if photos.len() < THEME_MIN {
            continue;
        }
        let candidates: Vec<&Photo> = photos.iter().map(|(p, _)| *p).collect();
        let reason = reason(ctx, theme, photos);
        out.extend(build(
            ctx,
            Kind::ThemeContent,
            theme.as_str(),
            &candidates,
            THEME_CAP,
            Meta {
                title: vec![TitlePart::Label {
                    key: theme.as_str(),
                }],
                reasons: vec![reason],
                score: 1.0 + (photos.len() as f64).ln() / 20.0,
            },
        ));
    }
    out.extend(pets_by_month(ctx, &themed[Theme::Pets as usize]));
    out
}

/// A pets memory per month with many pet photos (`pets`: the pet photos), the latest
/// [`PETS_MONTHS_KEPT`].
fn pets_by_month<'a>(ctx: &Context<'a>, pets: &[(&'a Photo, f32)]) -> Vec<Suggestion> {
    let mut months: std::collections::BTreeMap<(i32, u32), Vec<(&Photo, f32)>> = Default::default();
    for &(p, s) in pets {
        months
            .entry((p.local.year(), p.local.month()))
            .or_default()
            .push((p, s));
    }
    let mut out = Vec::new();
    for ((year, month), photos) in months
        .into_iter()
        .rev()
        .filter(|(_, v)| v.len() >= PETS_MONTH_MIN)
        .take(PETS_MONTHS_KEPT)
    {
        let candidates: Vec<&Photo> = photos.iter().map(|(p, _)| *p).collect();
        let mut reason = reason(ctx, Theme::Pets, &photos);
        reason.rule = "pets_month";
        let key = format!("pets-{year}-{month:02}");
        out.extend(build(
            ctx,
            Kind::ThemeContent,
            &key,
            &candidates,
            PETS_MONTH_CAP,
            Meta {
                title: vec![
                    TitlePart::Label { key: "pets" },
                    TitlePart::Month { year, month },
                ],
                reasons: vec![reason],
                score: 1.2 + (photos.len() as f64).ln() / 20.0,
            },
        ));
    }
    out
}
