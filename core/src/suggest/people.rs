//! People-centred kinds (needs people grouping): one person over time, two people often
//! together, and a person's birthday from the birthday set on them. Hidden people are
//! not featured; excluded people are not in the input at all, and their photos are kept
//! out by the signals like every kind's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Datelike;

use super::dates::on;
use super::types::{Chapter, Kind, Reason, Suggestion, TitlePart};
use super::{build, recency, Context, Meta, PersonPhotos};
use crate::moments::Photo;

const HIGHLIGHT_MIN_PHOTOS: usize = 8;
const HIGHLIGHT_MIN_DAYS: usize = 3;
const HIGHLIGHT_CAP: usize = 24;
/// At most this many people get highlights at a time (named people first, then the
/// most photographed).
const HIGHLIGHT_PEOPLE: usize = 3;
const TOGETHER_MIN_PHOTOS: usize = 5;
const TOGETHER_MIN_DAYS: usize = 2;
const TOGETHER_CAP: usize = 20;
const TOGETHER_PAIRS: usize = 2;
const BIRTHDAY_LEAD_DAYS: i64 = 7;
const BIRTHDAY_MIN_PHOTOS: usize = 3;
const BIRTHDAY_CAP: usize = 24;

/// A featured person's usable photos (time order).
fn photos_of<'a>(ctx: &Context<'a>, person: &PersonPhotos) -> Vec<&'a Photo> {
    ctx.photos
        .iter()
        .copied()
        .filter(|p| person.photos.contains(&p.id))
        .collect()
}

fn days(photos: &[&Photo]) -> usize {
    photos
        .iter()
        .map(|p| p.local.date())
        .collect::<BTreeSet<_>>()
        .len()
}

/// One chapter per year, newest last.
fn year_chapters(ctx: &Context<'_>, photos: &[&Photo], cap: usize) -> Vec<Chapter> {
    let mut years: BTreeMap<i32, Vec<&Photo>> = BTreeMap::new();
    for p in photos {
        years.entry(p.local.year()).or_default().push(p);
    }
    if years.len() < 2 {
        return Vec::new();
    }
    let per = (cap / years.len()).max(2);
    years
        .values()
        .filter_map(|ps| {
            let sel = ctx.select(ps, per)?;
            let (Some(first), Some(last)) = (ps.first(), ps.last()) else {
                return None;
            };
            Some(Chapter {
                title: vec![TitlePart::DateRange {
                    start: first.local.date(),
                    end: last.local.date(),
                }],
                assets: sel.assets,
            })
        })
        .collect()
}

pub(crate) fn highlights(ctx: &Context<'_>) -> Vec<Suggestion> {
    let mut candidates: Vec<(&PersonPhotos, Vec<&Photo>)> = ctx
        .input
        .prefs
        .people
        .iter()
        .filter(|p| !p.hidden)
        .map(|p| (p, photos_of(ctx, p)))
        .filter(|(_, ps)| ps.len() >= HIGHLIGHT_MIN_PHOTOS && days(ps) >= HIGHLIGHT_MIN_DAYS)
        .collect();
    candidates.sort_by(|a, b| {
        (b.0.named, b.1.len(), a.0.id)
            .partial_cmp(&(a.0.named, a.1.len(), b.0.id))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    candidates
        .into_iter()
        .take(HIGHLIGHT_PEOPLE)
        .filter_map(|(person, photos)| {
            let (first, last) = (photos.first()?, photos.last()?);
            let n_days = days(&photos);
            let years = photos
                .iter()
                .map(|p| p.local.year())
                .collect::<BTreeSet<_>>()
                .len();
            let reason = Reason::new(
                "person_highlights",
                &[
                    ("person", person.id as f64),
                    ("photos", photos.len() as f64),
                    ("days", n_days as f64),
                    ("years", years as f64),
                    ("named", f64::from(u8::from(person.named))),
                ],
            );
            let score = 2.0
                + if person.named { 0.4 } else { 0.0 }
                + (photos.len() as f64).ln() / 10.0
                + 0.3 * recency(ctx.input.now, last.utc);
            let title = vec![
                TitlePart::Person { id: person.id },
                TitlePart::Label { key: "highlights" },
                TitlePart::DateRange {
                    start: first.local.date(),
                    end: last.local.date(),
                },
            ];
            let mut s = build(
                ctx,
                Kind::PersonHighlights,
                &person.id.to_string(),
                &photos,
                HIGHLIGHT_CAP,
                Meta {
                    title,
                    reasons: vec![reason],
                    score,
                },
            )?;
            s.chapters = year_chapters(ctx, &photos, HIGHLIGHT_CAP);
            Some(s)
        })
        .collect()
}

pub(crate) fn together(ctx: &Context<'_>) -> Vec<Suggestion> {
    let featured: Vec<&PersonPhotos> = ctx
        .input
        .prefs
        .people
        .iter()
        .filter(|p| !p.hidden)
        .collect();
    // Photo → featured people in it, then pairs.
    let mut pairs: HashMap<(usize, usize), Vec<&Photo>> = HashMap::new();
    for p in ctx.photos.iter().copied() {
        let present: Vec<usize> = featured
            .iter()
            .enumerate()
            .filter(|(_, person)| person.photos.contains(&p.id))
            .map(|(i, _)| i)
            .collect();
        for (k, a) in present.iter().enumerate() {
            for b in &present[k + 1..] {
                pairs.entry((*a, *b)).or_default().push(p);
            }
        }
    }
    let mut pairs: Vec<((usize, usize), Vec<&Photo>)> = pairs
        .into_iter()
        .filter(|(_, ps)| ps.len() >= TOGETHER_MIN_PHOTOS && days(ps) >= TOGETHER_MIN_DAYS)
        .collect();
    pairs.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    pairs
        .into_iter()
        .take(TOGETHER_PAIRS)
        .filter_map(|((a, b), photos)| {
            let (pa, pb) = (featured[a], featured[b]);
            let (first, last) = (photos.first()?, photos.last()?);
            let smaller = pa.photos.len().min(pb.photos.len()).max(1);
            let reason = Reason::new(
                "together",
                &[
                    ("person_a", pa.id as f64),
                    ("person_b", pb.id as f64),
                    ("photos", photos.len() as f64),
                    ("days", days(&photos) as f64),
                    ("share", photos.len() as f64 / smaller as f64),
                ],
            );
            let named = u8::from(pa.named) + u8::from(pb.named);
            let score = 1.9
                + 0.15 * f64::from(named)
                + (photos.len() as f64).ln() / 10.0
                + 0.3 * recency(ctx.input.now, last.utc);
            let title = vec![
                TitlePart::Person { id: pa.id },
                TitlePart::Person { id: pb.id },
                TitlePart::Label { key: "together" },
                TitlePart::DateRange {
                    start: first.local.date(),
                    end: last.local.date(),
                },
            ];
            build(
                ctx,
                Kind::Together,
                &format!("{}+{}", pa.id, pb.id),
                &photos,
                TOGETHER_CAP,
                Meta {
                    title,
                    reasons: vec![reason],
                    score,
                },
            )
        })
        .collect()
}

/// A person's birthday coming up (within a week): their photos across the years.
pub(crate) fn birthdays(ctx: &Context<'_>) -> Vec<Suggestion> {
    let today = ctx.input.now.with_timezone(&ctx.input.zone.0).date_naive();
    ctx.input
        .prefs
        .people
        .iter()
        .filter(|p| !p.hidden)
        .filter_map(|person| {
            let (month, day, year) = person.birthday?;
            let next = [today.year(), today.year() + 1]
                .iter()
                .filter_map(|&y| on(y, month, day))
                .find(|d| *d >= today)?;
            let until = (next - today).num_days();
            if until > BIRTHDAY_LEAD_DAYS {
                return None;
            }
            let photos: Vec<&Photo> = photos_of(ctx, person)
                .into_iter()
                .filter(|p| p.local.date() <= today)
                .collect();
            if photos.len() < BIRTHDAY_MIN_PHOTOS {
                return None;
            }
            let reason = Reason::new(
                "person_birthday",
                &[
                    ("person", person.id as f64),
                    ("days_until", until as f64),
                    ("photos", photos.len() as f64),
                    ("month", f64::from(month)),
                    ("day", f64::from(day)),
                ],
            );
            let mut title = vec![
                TitlePart::Person { id: person.id },
                TitlePart::Label { key: "birthday" },
            ];
            if let Some(y) = year {
                title.push(TitlePart::Count {
                    what: "years",
                    n: u64::try_from(next.year() - y).unwrap_or(0),
                });
            }
            let mut s = build(
                ctx,
                Kind::SpecialDate,
                &format!("person:{}:{}", person.id, next),
                &photos,
                BIRTHDAY_CAP,
                Meta {
                    title,
                    reasons: vec![reason],
                    score: 3.5 - until as f64 / 10.0,
                },
            )?;
            s.chapters = year_chapters(ctx, &photos, BIRTHDAY_CAP);
            Some(s)
        })
        .collect()
}
