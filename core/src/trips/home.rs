//! Home regions: where photos cluster over long periods. Each photo's place is binned
//! into ~11 km cells; a cell scores its distinct days with photos, and nights (20:00 to
//! 07:00 local) count twice, since people sleep at home. Neighbouring cells pool their
//! scores so a home on a cell border is not split. The best region is home; another
//! region is a second home (parents, a holiday house) only when it recurs over a long
//! span — a two-week holiday never qualifies.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, Timelike};
use serde::Serialize;

use crate::geo::{haversine_km, CentroidSum};
use crate::moments::Photo;

const CELL_DEG: f64 = 0.1;
/// A second home needs at least this share of the first home's score …
const SECOND_HOME_SHARE: f64 = 0.25;
/// … photos on at least this many days …
const SECOND_HOME_MIN_DAYS: usize = 8;
/// … spread over at least this many days.
const SECOND_HOME_MIN_SPAN_DAYS: i64 = 90;
const MAX_HOMES: usize = 3;

/// An inferred (or user-set) home region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Home {
    pub center: (f64, f64),
    /// Distinct days with photos there.
    pub days: usize,
    pub score: f64,
    /// True when the user set it.
    pub user_set: bool,
}

type Cell = (i32, i32);

/// A cell pooled with its neighbours: score, days with photos, points.
struct Region {
    score: f64,
    days: BTreeSet<NaiveDate>,
    points: CentroidSum,
}

fn cell(p: (f64, f64)) -> Cell {
    (
        (p.0 / CELL_DEG).floor() as i32,
        (p.1 / CELL_DEG).floor() as i32,
    )
}

#[derive(Debug, Clone, Default, PartialEq)]
struct CellStats {
    days: BTreeSet<NaiveDate>,
    nights: BTreeSet<NaiveDate>,
    points: CentroidSum,
}

/// Per-cell statistics, built one photo at a time (so a new day of photos only adds).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HomeStats {
    cells: HashMap<Cell, CellStats>,
}

impl HomeStats {
    /// Counts a photo if it is placeable, trusted and has GPS.
    pub fn add(&mut self, p: &Photo) {
        if !p.trusted() {
            return;
        }
        let Some(g) = p.gps else { return };
        let s = self.cells.entry(cell(g)).or_default();
        let date = p.local.date();
        s.days.insert(date);
        let h = p.local.hour();
        if !(7..20).contains(&h) {
            // A night belongs to the evening's date.
            let night = if h < 7 {
                date.pred_opt().unwrap_or(date)
            } else {
                date
            };
            s.nights.insert(night);
        }
        s.points.add(g);
    }

    /// Home regions; `away_km` keeps homes apart.
    pub fn homes(&self, away_km: f64) -> Vec<Home> {
        // Pool each cell with its 8 neighbours.
        let mut regions: BTreeMap<Cell, Region> = BTreeMap::new();
        for &c in self.cells.keys() {
            let mut days = BTreeSet::new();
            let mut nights: BTreeSet<NaiveDate> = BTreeSet::new();
            let mut points = CentroidSum::default();
            for dy in -1..=1 {
                for dx in -1..=1 {
                    if let Some(s) = self.cells.get(&(c.0 + dy, c.1 + dx)) {
                        days.extend(&s.days);
                        nights.extend(&s.nights);
                        points.merge(&s.points);
                    }
                }
            }
            let score = days.len() as f64 + nights.len() as f64;
            regions.insert(
                c,
                Region {
                    score,
                    days,
                    points,
                },
            );
        }
        rank(regions, away_km)
    }
}

/// Infers home regions from trusted, placeable photos with GPS.
pub fn infer(photos: &[Photo], away_km: f64) -> Vec<Home> {
    let mut stats = HomeStats::default();
    for p in photos {
        stats.add(p);
    }
    stats.homes(away_km)
}

fn rank(regions: BTreeMap<Cell, Region>, away_km: f64) -> Vec<Home> {
    let mut ranked: Vec<(&Cell, &Region)> = regions.iter().collect();
    // Highest score first; ties broken by cell for determinism.
    ranked.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(b.0)));
    let mut homes: Vec<Home> = Vec::new();
    for (_, region) in ranked {
        let Some(center) = region.points.centroid() else {
            continue;
        };
        if homes
            .iter()
            .any(|h| haversine_km(h.center, center) <= away_km)
        {
            continue;
        }
        if let Some(first) = homes.first() {
            let span = match (region.days.first(), region.days.last()) {
                (Some(a), Some(b)) => (*b - *a).num_days(),
                _ => 0,
            };
            let recurring = region.score >= SECOND_HOME_SHARE * first.score
                && region.days.len() >= SECOND_HOME_MIN_DAYS
                && span >= SECOND_HOME_MIN_SPAN_DAYS;
            if !recurring {
                continue;
            }
        }
        homes.push(Home {
            center,
            days: region.days.len(),
            score: region.score,
            user_set: false,
        });
        if homes.len() == MAX_HOMES {
            break;
        }
    }
    homes
}

const HOME_KEY: &str = "user_home";

/// The home the user set, if any.
pub(crate) fn user_home(conn: &rusqlite::Connection) -> crate::Result<Option<(f64, f64)>> {
    let value = crate::index::meta::get(conn, HOME_KEY)?;
    Ok(value.and_then(|v| {
        let (a, b) = v.split_once(',')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    }))
}

/// Sets (or, with `None`, clears) the user's home.
pub(crate) fn set_user_home(
    tx: &rusqlite::Transaction<'_>,
    home: Option<(f64, f64)>,
) -> crate::Result<()> {
    match home {
        Some((lat, lon)) => crate::index::meta::set(tx, HOME_KEY, &format!("{lat},{lon}")),
        None => crate::index::meta::delete(tx, HOME_KEY),
    }
}
