//! Themes across the library: time of day (golden hour, night), people (group shots,
//! selfies — when faces were analysed) and favourites.

use super::engine::{SunClass, GOLDEN, NIGHT_BELOW};
use super::types::{Kind, Reason, Suggestion, TitlePart};
use super::Meta;
use super::{build, Context};
use crate::moments::Photo;

const THEME_MIN: usize = 12;
const THEME_CAP: usize = 30;
const GROUP_FACES: u32 = 4;
const SELFIE_FACE_SHARE: f32 = 0.12;
const PEOPLE_MIN: usize = 8;
const FAVORITES_MIN: usize = 8;

pub(crate) fn time_of_day(ctx: &Context<'_>) -> Vec<Suggestion> {
    let mut golden = Vec::new();
    let mut night = Vec::new();
    for (p, class) in ctx.photos.iter().copied().zip(ctx.sun) {
        match class {
            SunClass::Golden => golden.push(p),
            SunClass::Night => night.push(p),
            SunClass::Other => {}
        }
    }
    let mut out = Vec::new();
    for (key, photos, rule, facts) in [
        (
            "golden_hour",
            golden,
            "golden_hour",
            vec![("sun_min_deg", GOLDEN.0), ("sun_max_deg", GOLDEN.1)],
        ),
        (
            "night",
            night,
            "night",
            vec![("sun_below_deg", NIGHT_BELOW)],
        ),
    ] {
        if photos.len() < THEME_MIN {
            continue;
        }
        let mut facts = facts;
        facts.push(("photos", photos.len() as f64));
        let reason = Reason::new(rule, &facts);
        let title = vec![TitlePart::Label { key }];
        out.extend(build(
            ctx,
            Kind::ThemeTimeOfDay,
            key,
            &photos,
            THEME_CAP,
            Meta {
                title,
                reasons: vec![reason],
                score: 1.0 + (photos.len() as f64).ln() / 20.0,
            },
        ));
    }
    out
}

pub(crate) fn people(ctx: &Context<'_>) -> Vec<Suggestion> {
    let with = |f: &dyn Fn(&super::Signals) -> bool| -> Vec<&Photo> {
        ctx.photos
            .iter()
            .copied()
            .filter(|p| ctx.signals().get(&p.id).is_some_and(f))
            .collect()
    };
    let groups = with(&|s| s.faces >= GROUP_FACES);
    let selfies = with(&|s| s.faces == 1 && s.largest_face.is_some_and(|a| a >= SELFIE_FACE_SHARE));
    let mut out = Vec::new();
    for (key, photos, reason) in [
        ("group", groups, ("min_faces", f64::from(GROUP_FACES))),
        (
            "selfie",
            selfies,
            ("min_face_share", f64::from(SELFIE_FACE_SHARE)),
        ),
    ] {
        if photos.len() < PEOPLE_MIN {
            continue;
        }
        let rule = if key == "group" {
            "group_shots"
        } else {
            "selfies"
        };
        let reason = Reason::new(rule, &[reason, ("photos", photos.len() as f64)]);
        let title = vec![TitlePart::Label { key }];
        out.extend(build(
            ctx,
            Kind::ThemePeople,
            key,
            &photos,
            THEME_CAP,
            Meta {
                title,
                reasons: vec![reason],
                score: 1.1 + (photos.len() as f64).ln() / 20.0,
            },
        ));
    }
    out
}

pub(crate) fn favorites(ctx: &Context<'_>) -> Option<Suggestion> {
    let photos: Vec<&Photo> = ctx.photos.iter().copied().filter(|p| p.favorite).collect();
    if photos.len() < FAVORITES_MIN {
        return None;
    }
    let reason = Reason::new("favorites", &[("photos", photos.len() as f64)]);
    let title = vec![TitlePart::Label { key: "favorites" }];
    build(
        ctx,
        Kind::ThemeFavorites,
        "favorites",
        &photos,
        THEME_CAP,
        Meta {
            title,
            reasons: vec![reason],
            score: 1.3,
        },
    )
}
