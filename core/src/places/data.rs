//! The place table's text format (UTF-8, tab-separated, one record per line):
//! `#` comment; `C code name` a country; `R country region-code name` a region;
//! `P lat lon country region-code population name` a place. Countries come before
//! the regions and places that name them.

use super::Place;
use crate::{Error, Result};

pub(super) struct Table {
    pub places: Vec<Place>,
    pub countries: Vec<(String, String)>,
    pub regions: Vec<(u16, String, String)>,
}

fn bad(line: usize, what: &str) -> Error {
    Error::InvalidArgument(format!("place data line {line}: {what}"))
}

pub(super) fn parse(bytes: &[u8]) -> Result<Table> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::InvalidArgument(format!("place data: not UTF-8 ({e})")))?;
    let mut t = Table {
        places: Vec::new(),
        countries: Vec::new(),
        regions: Vec::new(),
    };
    let mut country_ix: std::collections::HashMap<String, u16> = Default::default();
    let mut region_ix: std::collections::HashMap<(u16, String), u16> = Default::default();
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        match cols.as_slice() {
            ["C", code, name] => {
                let ix =
                    u16::try_from(t.countries.len()).map_err(|_| bad(n, "too many countries"))?;
                country_ix.insert((*code).to_string(), ix);
                t.countries.push(((*code).to_string(), (*name).to_string()));
            }
            ["R", country, code, name] => {
                let c = *country_ix
                    .get(*country)
                    .ok_or_else(|| bad(n, "unknown country"))?;
                let ix = u16::try_from(t.regions.len()).map_err(|_| bad(n, "too many regions"))?;
                region_ix.insert((c, (*code).to_string()), ix);
                t.regions
                    .push((c, (*code).to_string(), (*name).to_string()));
            }
            ["P", lat, lon, country, region, population, name] => {
                let lat: f64 = lat.parse().map_err(|_| bad(n, "latitude"))?;
                let lon: f64 = lon.parse().map_err(|_| bad(n, "longitude"))?;
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    return Err(bad(n, "coordinates out of range"));
                }
                let country = *country_ix
                    .get(*country)
                    .ok_or_else(|| bad(n, "unknown country"))?;
                let population: u32 = population.parse().map_err(|_| bad(n, "population"))?;
                if name.is_empty() {
                    return Err(bad(n, "empty name"));
                }
                t.places.push(Place {
                    lat,
                    lon,
                    name: (*name).to_string(),
                    country,
                    region: region_ix.get(&(country, (*region).to_string())).copied(),
                    population,
                    ambiguous: false,
                });
            }
            _ => return Err(bad(n, "not a C, R or P record")),
        }
    }
    if t.places.is_empty() {
        return Err(Error::InvalidArgument("place data: no places".into()));
    }
    Ok(t)
}
