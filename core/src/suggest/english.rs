//! Titles in English, for what the core draws itself (story title cards) and for the
//! harness's report. Apps translate the title parts into their own languages.

use super::TitlePart;

/// A suggestion title in English (apps translate the parts themselves).
pub fn title_text(parts: &[TitlePart]) -> String {
    let words: Vec<String> = parts
        .iter()
        .map(|p| match p {
            TitlePart::Place { lat, lon } => format!("near {lat:.2}°, {lon:.2}°"),
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
