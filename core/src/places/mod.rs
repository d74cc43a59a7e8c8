//! Place names on the device: offline reverse geocoding for trip, place and gathering
//! titles. The data is a table of populated places (GeoNames, CC BY 4.0; set-up writes
//! it with `scripts/places.py`: 69 472 places of 5 000 people or more, ≈ 3 MB), parsed
//! once into a grid of half-degree cells, so a lookup reads only the cells within
//! [`NEAR_KM`] of the point. Nothing here touches the network.
//!
//! A point is named after the most telling place near it, not just the nearest: a
//! photo in a suburb is "Kyoto", not the suburb, unless the suburb is much closer. Each
//! candidate within [`NEAR_KM`] scores ln(population) − distance / [`KM_PER_LN`]; points
//! with no place that near get no name (the title keeps its coordinates).

mod data;

use std::collections::HashMap;

use serde::Serialize;

use crate::geo::haversine_km;
use crate::Result;

/// How far a place may be from the point it names, km.
pub const NEAR_KM: f64 = 30.0;
/// Kilometres of distance that cost as much as a factor e of population.
pub const KM_PER_LN: f64 = 4.0;
/// Grid cell size, degrees.
const CELL_DEG: f64 = 0.5;
/// The notice the data's licence asks for; the export carries it.
pub const ATTRIBUTION: &str =
    "Place names: GeoNames (https://www.geonames.org), licensed under CC BY 4.0";

/// A populated place.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub lat: f64,
    pub lon: f64,
    pub name: String,
    pub country: u16,
    pub region: Option<u16>,
    pub population: u32,
    /// Another place of the country has the same name (its title then names the region).
    pub ambiguous: bool,
}

/// A place's name as a title shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PlaceName {
    pub city: String,
    /// The region (a US state), when another place of the country has the same name.
    pub region: Option<String>,
    pub country: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
}

/// The place table with its grid.
pub struct Gazetteer {
    places: Vec<Place>,
    /// (code, name)
    countries: Vec<(String, String)>,
    /// (country index, code, name)
    regions: Vec<(u16, String, String)>,
    grid: HashMap<(i32, i32), Vec<u32>>,
    sha256: String,
}

impl std::fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gazetteer")
            .field("places", &self.places.len())
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

fn cell(lat: f64, lon: f64) -> (i32, i32) {
    (
        (lat / CELL_DEG).floor() as i32,
        (lon / CELL_DEG).floor() as i32,
    )
}

impl Gazetteer {
    pub fn load_path(path: &std::path::Path) -> Result<Gazetteer> {
        Gazetteer::parse(&std::fs::read(path)?)
    }

    /// Parses the table (see `data.rs` for its lines); a malformed line is an error
    /// naming its number, never a panic.
    pub fn parse(bytes: &[u8]) -> Result<Gazetteer> {
        let mut table = data::parse(bytes)?;
        let mut grid: HashMap<(i32, i32), Vec<u32>> = HashMap::new();
        let mut seen: HashMap<(u16, &str), u32> = HashMap::new();
        for (i, p) in table.places.iter().enumerate() {
            grid.entry(cell(p.lat, p.lon)).or_default().push(i as u32);
            *seen.entry((p.country, p.name.as_str())).or_default() += 1;
        }
        let ambiguous: Vec<bool> = table
            .places
            .iter()
            .map(|p| {
                seen.get(&(p.country, p.name.as_str()))
                    .is_some_and(|n| *n > 1)
            })
            .collect();
        for (p, a) in table.places.iter_mut().zip(ambiguous) {
            p.ambiguous = a;
        }
        Ok(Gazetteer {
            places: table.places,
            countries: table.countries,
            regions: table.regions,
            grid,
            sha256: crate::digest::sha256_hex(&[bytes]),
        })
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The place a point is named after (see the module docs), with its distance.
    pub fn best(&self, lat: f64, lon: f64) -> Option<(&Place, f64)> {
        if !(lat.is_finite() && lon.is_finite()) || lat.abs() > 90.0 || lon.abs() > 180.0 {
            return None;
        }
        let dlat = NEAR_KM / 111.0;
        let dlon = (NEAR_KM / (111.32 * lat.to_radians().cos().max(0.01))).min(180.0);
        let (lo, hi) = (cell(lat - dlat, lon - dlon), cell(lat + dlat, lon + dlon));
        let mut best: Option<(&Place, f64, f64)> = None;
        for cy in lo.0..=hi.0 {
            for cx in lo.1..=hi.1 {
                // Longitudes wrap at the antimeridian.
                let key = (cy, (cx + 360).rem_euclid(720) - 360);
                let Some(ids) = self.grid.get(&key) else {
                    continue;
                };
                for &i in ids {
                    let p = &self.places[i as usize];
                    let d = haversine_km((lat, lon), (p.lat, p.lon));
                    if d > NEAR_KM {
                        continue;
                    }
                    let score = f64::from(p.population.max(1)).ln() - d / KM_PER_LN;
                    if best.is_none_or(|(_, s, _)| score > s) {
                        best = Some((p, score, d));
                    }
                }
            }
        }
        best.map(|(p, _, d)| (p, d))
    }

    /// The name of the place a point is named after.
    pub fn name(&self, lat: f64, lon: f64) -> Option<PlaceName> {
        self.best(lat, lon).map(|(p, _)| self.name_of(p))
    }

    pub fn name_of(&self, p: &Place) -> PlaceName {
        let (code, country) = self
            .countries
            .get(usize::from(p.country))
            .cloned()
            .unwrap_or_default();
        let region = p
            .region
            .filter(|_| p.ambiguous)
            .and_then(|r| self.regions.get(usize::from(r)))
            .map(|(_, _, name)| name.clone());
        PlaceName {
            city: p.name.clone(),
            region,
            country,
            country_code: code,
        }
    }

    /// The stops of a journey through `points` (in time order): the places that name
    /// at least [`STOP_SHARE`] of the points, the two most photographed, in the order
    /// they were first reached.
    pub fn stops(&self, points: &[(f64, f64)]) -> Vec<PlaceName> {
        let mut counts: Vec<(PlaceName, usize, usize)> = Vec::new();
        let mut named = 0usize;
        for (i, &(lat, lon)) in points.iter().enumerate() {
            let Some(name) = self.name(lat, lon) else {
                continue;
            };
            named += 1;
            match counts.iter_mut().find(|(n, _, _)| *n == name) {
                Some(entry) => entry.1 += 1,
                None => counts.push((name, 1, i)),
            }
        }
        let min = ((named as f64) * STOP_SHARE).ceil().max(1.0) as usize;
        counts.retain(|(_, n, _)| *n >= min);
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        counts.truncate(2);
        counts.sort_by_key(|(_, _, first)| *first);
        counts.into_iter().map(|(n, _, _)| n).collect()
    }
}

/// Share of a journey's named points a place needs to count as a stop.
pub const STOP_SHARE: f64 = 0.2;

#[cfg(test)]
mod tests;
