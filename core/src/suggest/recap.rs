//! Recaps: the last 30 days (chaptered by week) and calendar months.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};

use super::types::{Chapter, Kind, Reason, Suggestion, TitlePart};
use super::Meta;
use super::{build, recency, Context};
use crate::library::window::{recent_window, DEFAULT_DAYS};
use crate::moments::Photo;

const RECENT_MIN: usize = 8;
const RECENT_CAP: usize = 40;
const CHAPTER_CAP: usize = 12;
const MONTH_MIN: usize = 10;
const MONTH_CAP: usize = 30;

fn moments_touching(ctx: &Context<'_>, photos: &[&Photo]) -> usize {
    let ids: std::collections::HashSet<i64> = photos.iter().map(|p| p.id).collect();
    ctx.moments
        .iter()
        .filter(|m| m.assets.iter().any(|a| ids.contains(a)))
        .count()
}

/// Weeks (Monday to Sunday, capture dates) as chapters.
fn weekly_chapters(
    ctx: &Context<'_>,
    photos: &[&Photo],
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<Chapter> {
    let mut weeks: BTreeMap<NaiveDate, Vec<&Photo>> = BTreeMap::new();
    for p in photos {
        let d = p.local.date();
        let monday = d - Days::new(u64::from(d.weekday().num_days_from_monday()));
        weeks.entry(monday).or_default().push(p);
    }
    weeks
        .into_iter()
        .filter_map(|(monday, ps)| {
            let sel = ctx.select(&ps, CHAPTER_CAP)?;
            let end = (monday + Days::new(6)).min(last);
            Some(Chapter {
                title: vec![TitlePart::DateRange {
                    start: monday.max(first),
                    end,
                }],
                assets: sel.assets,
            })
        })
        .collect()
}

pub(crate) fn recent(ctx: &Context<'_>) -> Option<Suggestion> {
    let input = ctx.input;
    let window = recent_window(input.now, input.zone, DEFAULT_DAYS).ok()?;
    let photos: Vec<&Photo> = ctx
        .photos
        .iter()
        .copied()
        .filter(|p| window.contains(p.utc))
        .collect();
    if photos.len() < RECENT_MIN {
        return None;
    }
    let chapters = weekly_chapters(ctx, &photos, window.first_day, window.last_day);
    let reason = Reason::new(
        "recent_days",
        &[
            ("days", f64::from(DEFAULT_DAYS)),
            ("photos", photos.len() as f64),
            ("weeks", chapters.len() as f64),
            ("moments", moments_touching(ctx, &photos) as f64),
        ],
    );
    let title = vec![
        TitlePart::Label { key: "last_days" },
        TitlePart::Count {
            what: "days",
            n: u64::from(DEFAULT_DAYS),
        },
    ];
    // "The last N days" is one suggestion whatever the day: its id survives midnight.
    let key = format!("{DEFAULT_DAYS}d");
    let mut s = build(
        ctx,
        Kind::RecentDays,
        &key,
        &photos,
        RECENT_CAP,
        Meta {
            title,
            reasons: vec![reason],
            score: 3.0,
        },
    )?;
    s.chapters = chapters;
    Some(s)
}

/// The previous calendar month (of the device's today) and any months asked for.
pub(crate) fn monthly(ctx: &Context<'_>) -> Vec<Suggestion> {
    let input = ctx.input;
    let today = input.now.with_timezone(&input.zone.0).date_naive();
    let first_of_this = today.with_day(1).unwrap_or(today);
    let prev = first_of_this.pred_opt().unwrap_or(first_of_this);
    let mut months: Vec<(i32, u32)> = vec![(prev.year(), prev.month())];
    for m in input.months {
        if !months.contains(m) {
            months.push(*m);
        }
    }
    months
        .iter()
        .filter_map(|&(y, m)| month(ctx, y, m))
        .collect()
}

fn month(ctx: &Context<'_>, year: i32, month: u32) -> Option<Suggestion> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let last = first
        .checked_add_months(chrono::Months::new(1))?
        .pred_opt()?;
    let photos: Vec<&Photo> = ctx
        .photos
        .iter()
        .copied()
        .filter(|p| (first..=last).contains(&p.local.date()))
        .collect();
    if photos.len() < MONTH_MIN {
        return None;
    }
    let trips = ctx.trips.iter().filter(|t| {
        let (s, e) = (t.start.date_naive(), t.end.date_naive());
        s <= last && e >= first
    });
    let reason = Reason::new(
        "monthly",
        &[
            ("year", f64::from(year)),
            ("month", f64::from(month)),
            ("photos", photos.len() as f64),
            ("moments", moments_touching(ctx, &photos) as f64),
            ("trips", trips.count() as f64),
        ],
    );
    let title = vec![TitlePart::Month { year, month }];
    let end = photos.last()?.utc;
    let score = 2.0 + recency(ctx.input.now, end);
    let mut s = build(
        ctx,
        Kind::MonthlyRecap,
        &format!("{year}-{month:02}"),
        &photos,
        MONTH_CAP,
        Meta {
            title,
            reasons: vec![reason],
            score,
        },
    )?;
    s.chapters = weekly_chapters(ctx, &photos, first, last);
    Some(s)
}
