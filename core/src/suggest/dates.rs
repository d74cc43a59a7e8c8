//! Dates: "on this day" in earlier years, and the dates the user registered. Both use
//! trusted capture dates only (EXIF or an instant from the host): a file time or a date
//! guessed from a name never surfaces a memory on the wrong day.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::types::{Chapter, Kind, Reason, Suggestion, TitlePart};
use super::Meta;
use super::{build, Context};
use crate::moments::Photo;

/// "On this day" accepts photos this many days either side of the date.
const ON_THIS_DAY_SLACK: i64 = 3;
const ON_THIS_DAY_MIN: usize = 3;
const ON_THIS_DAY_CAP: usize = 20;
/// A registered date surfaces from this many days before it until the day itself.
const SPECIAL_LEAD_DAYS: i64 = 7;
const SPECIAL_SLACK: i64 = 1;
const SPECIAL_MIN: usize = 3;
const SPECIAL_CAP: usize = 24;

/// `month`/`day` in `year`; 29 February falls back to the 28th in other years.
pub(super) fn on(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
        .or_else(|| NaiveDate::from_ymd_opt(year, month, day.saturating_sub(1)))
}

/// Days between `d` and the same month/day in `d`'s year (or the neighbouring years).
fn days_off(d: NaiveDate, month: u32, day: u32) -> Option<i64> {
    [d.year() - 1, d.year(), d.year() + 1]
        .iter()
        .filter_map(|&y| on(y, month, day))
        .map(|a| (d - a).num_days().abs())
        .min()
}

pub(crate) fn on_this_day(ctx: &Context<'_>) -> Option<Suggestion> {
    let today = ctx.input.now.with_timezone(&ctx.input.zone.0).date_naive();
    let mut years: BTreeMap<i32, (Vec<&Photo>, i64)> = BTreeMap::new();
    for p in ctx.photos.iter().copied().filter(|p| p.trusted()) {
        let d = p.local.date();
        if d.year() >= today.year() {
            continue;
        }
        let Some(off) = on(d.year(), today.month(), today.day()).map(|a| (d - a).num_days().abs())
        else {
            continue;
        };
        if off <= ON_THIS_DAY_SLACK {
            let e = years
                .entry(today.year() - d.year())
                .or_insert((Vec::new(), off));
            e.0.push(p);
            e.1 = e.1.min(off);
        }
    }
    let all: Vec<&Photo> = years
        .values()
        .flat_map(|(ps, _)| ps.iter().copied())
        .collect();
    if all.len() < ON_THIS_DAY_MIN {
        return None;
    }
    let reasons = years
        .iter()
        .map(|(ago, (ps, off))| {
            Reason::new(
                "on_this_day",
                &[
                    ("years_ago", f64::from(*ago)),
                    ("photos", ps.len() as f64),
                    ("days_off", *off as f64),
                ],
            )
        })
        .collect();
    let chapters = years
        .iter()
        .rev()
        .filter_map(|(ago, (ps, _))| {
            let sel = ctx.select(ps, ON_THIS_DAY_CAP / 2)?;
            Some(Chapter {
                title: vec![TitlePart::YearsAgo { years: *ago as u32 }],
                assets: sel.assets,
            })
        })
        .collect();
    let title = vec![
        TitlePart::Label { key: "on_this_day" },
        TitlePart::DateRange {
            start: today,
            end: today,
        },
    ];
    let key = format!("{:02}-{:02}", today.month(), today.day());
    let mut s = build(
        ctx,
        Kind::OnThisDay,
        &key,
        &all,
        ON_THIS_DAY_CAP,
        Meta {
            title,
            reasons,
            score: 2.8,
        },
    )?;
    s.chapters = chapters;
    Some(s)
}

pub(crate) fn special_dates(ctx: &Context<'_>) -> Vec<Suggestion> {
    let today = ctx.input.now.with_timezone(&ctx.input.zone.0).date_naive();
    ctx.input
        .prefs
        .special_dates
        .iter()
        .filter_map(|sd| {
            // The next occurrence, today included.
            let next = [today.year(), today.year() + 1]
                .iter()
                .filter_map(|&y| on(y, sd.month, sd.day))
                .find(|d| *d >= today)?;
            let until = (next - today).num_days();
            if until > SPECIAL_LEAD_DAYS {
                return None;
            }
            let photos: Vec<&Photo> = ctx
                .photos
                .iter()
                .copied()
                .filter(|p| p.trusted() && p.local.date() <= today)
                .filter(|p| {
                    days_off(p.local.date(), sd.month, sd.day).is_some_and(|o| o <= SPECIAL_SLACK)
                })
                .collect();
            if photos.len() < SPECIAL_MIN {
                return None;
            }
            let years: std::collections::BTreeSet<i32> =
                photos.iter().map(|p| p.local.date().year()).collect();
            let reason = Reason::new(
                "registered_date",
                &[
                    ("days_until", until as f64),
                    ("years", years.len() as f64),
                    ("photos", photos.len() as f64),
                    ("month", f64::from(sd.month)),
                    ("day", f64::from(sd.day)),
                ],
            );
            let mut title = vec![
                TitlePart::UserText {
                    text: sd.label.clone(),
                },
                TitlePart::Label {
                    key: sd.kind.as_str(),
                },
            ];
            if let (Some(y), SpecialKind::Birthday | SpecialKind::Anniversary) = (sd.year, sd.kind)
            {
                title.push(TitlePart::Count {
                    what: "years",
                    n: u64::try_from(next.year() - y).unwrap_or(0),
                });
            }
            let score = 3.5 - until as f64 / 10.0;
            build(
                ctx,
                Kind::SpecialDate,
                &format!("{}:{}", sd.id, next),
                &photos,
                SPECIAL_CAP,
                Meta {
                    title,
                    reasons: vec![reason],
                    score,
                },
            )
        })
        .collect()
}

use super::SpecialKind;
