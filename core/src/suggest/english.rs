//! Titles in English, for what the core draws itself (story title cards) and for the
//! harness's report. Apps translate the title parts into their own languages.

use super::TitlePart;

/// A suggestion title in English (apps translate the parts themselves).
pub fn title_text(parts: &[TitlePart]) -> String {
    let words: Vec<String> = parts
        .iter()
        .map(|p| match p {
            TitlePart::Place {
                lat, lon, names, ..
            } if names.is_empty() => format!("near {lat:.2}°, {lon:.2}°"),
            TitlePart::Place { names, route, .. } => place_text(names, *route),
            TitlePart::DateRange { start, end } if start == end => {
                start.format("%-d %B %Y").to_string()
            }
            TitlePart::DateRange { start, end } => {
                format!("{} – {}", start.format("%-d %b"), end.format("%-d %b %Y"))
            }
            TitlePart::Month { year, month } => chrono::NaiveDate::from_ymd_opt(*year, *month, 1)
                .map_or_else(
                    || format!("{year}-{month:02}"),
                    |d| d.format("%B %Y").to_string(),
                ),
            TitlePart::YearsAgo { years } => {
                format!("{years} year{} ago", if *years == 1 { "" } else { "s" })
            }
            TitlePart::Count { what, n } => format!("{n} {what}"),
            TitlePart::Label { key } => match *key {
                "golden_hour" => "Golden hour".into(),
                "night" => "Nights".into(),
                "group" => "Group photos".into(),
                "selfie" => "Selfies".into(),
                "favorites" => "Favourites".into(),
                "last_days" => "Your last 30 days".into(),
                "pets" => "Pets".into(),
                "food" => "Food".into(),
                "beach" => "Beach days".into(),
                "mountains" => "Mountains".into(),
                "nature" => "Nature".into(),
                "city" => "City life".into(),
                "vehicles" => "On the move".into(),
                "flowers" => "Flowers".into(),
                "snow" => "Snow".into(),
                "sunset" => "Sunsets".into(),
                other => other.replace('_', " "),
            },
            TitlePart::UserText { text } => text.clone(),
            TitlePart::Person { id } => format!("Person {id}"),
        })
        .collect();
    if words.is_empty() {
        "Untitled".into()
    } else {
        words.join(" · ")
    }
}

/// "Kyoto, Japan"; "Springfield, Illinois, United States"; "Kyoto & Osaka, Japan";
/// "Munich → Verona".
fn place_text(names: &[crate::places::PlaceName], route: bool) -> String {
    let city = |n: &crate::places::PlaceName| match &n.region {
        Some(r) => format!("{}, {r}", n.city),
        None => n.city.clone(),
    };
    if route {
        return names
            .iter()
            .map(|n| n.city.clone())
            .collect::<Vec<_>>()
            .join(" → ");
    }
    let cities: Vec<String> = names.iter().map(city).collect();
    match names.first() {
        Some(first) => format!("{}, {}", cities.join(" & "), first.country),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::places::PlaceName;

    fn name(city: &str, region: Option<&str>, country: &str, code: &str) -> PlaceName {
        PlaceName {
            city: city.into(),
            region: region.map(Into::into),
            country: country.into(),
            country_code: code.into(),
        }
    }

    #[test]
    fn places_read_as_cities_stops_or_routes() {
        let place = |names: Vec<PlaceName>, route: bool| {
            title_text(&[TitlePart::Place {
                lat: 1.0,
                lon: 2.0,
                names,
                route,
            }])
        };
        let kyoto = name("Kyoto", None, "Japan", "JP");
        let osaka = name("Osaka", None, "Japan", "JP");
        assert_eq!(place(vec![kyoto.clone()], false), "Kyoto, Japan");
        assert_eq!(place(vec![kyoto, osaka], false), "Kyoto & Osaka, Japan");
        let munich = name("Munich", None, "Germany", "DE");
        let verona = name("Verona", None, "Italy", "IT");
        assert_eq!(place(vec![munich, verona], true), "Munich → Verona");
        let springfield = name("Springfield", Some("Illinois"), "United States", "US");
        assert_eq!(
            place(vec![springfield], false),
            "Springfield, Illinois, United States"
        );
        assert_eq!(place(vec![], false), "near 1.00°, 2.00°");
    }
}
