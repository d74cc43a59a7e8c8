//! Dates from an XMP packet (RDF/XML). Editors and some phones write capture dates only
//! there. A full XML parser is not needed for three well-known properties, which appear
//! either as attributes (`exif:DateTimeOriginal="…"`) or elements (`<exif:…>…</…>`).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

use super::exif::{plausible_date, valid_offset};

type Stamp = (NaiveDateTime, Option<FixedOffset>);

#[derive(Debug, Default, PartialEq)]
pub(crate) struct XmpDates {
    pub original: Option<Stamp>,
    pub date_created: Option<Stamp>,
    pub create_date: Option<Stamp>,
    /// `tiff:Orientation`, 1..=8.
    pub orientation: Option<u8>,
}

pub(crate) fn dates(packet: &[u8]) -> XmpDates {
    let text = String::from_utf8_lossy(packet);
    let get = |name: &str| property(&text, name).and_then(parse);
    XmpDates {
        original: get("exif:DateTimeOriginal"),
        date_created: get("photoshop:DateCreated"),
        // `xap:` is the namespace prefix early XMP writers used.
        create_date: get("xmp:CreateDate").or_else(|| get("xap:CreateDate")),
        orientation: property(&text, "tiff:Orientation")
            .and_then(|v| v.parse::<u8>().ok())
            .filter(|o| (1..=8).contains(o)),
    }
}

fn property<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(found) = text[from..].find(name) {
        let at = from + found;
        let after = &text[at + name.len()..];
        let before = text[..at].chars().last();
        from = at + name.len();
        if before == Some('<') {
            // Element: <name>value</name>
            let body = after.strip_prefix('>')?;
            return body.split('<').next().map(str::trim);
        }
        if let Some(rest) = after.trim_start().strip_prefix('=') {
            let rest = rest.trim_start();
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            return rest[1..].split(quote).next().map(str::trim);
        }
    }
    None
}

/// ISO 8601 as XMP writes it: `YYYY-MM-DD[THH:MM[:SS[.f]]][Z|±HH:MM]`.
fn parse(v: &str) -> Option<Stamp> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some((t.naive_local(), Some(*t.offset()))).filter(ok);
    }
    let (body, offset) = split_offset(v);
    let local = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(body, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(body, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN))
        })?;
    Some((local, offset)).filter(ok)
}

fn ok(s: &Stamp) -> bool {
    plausible_date(&s.0.date()) && s.1.as_ref().is_none_or(valid_offset)
}

fn split_offset(v: &str) -> (&str, Option<FixedOffset>) {
    if let Some(body) = v.strip_suffix('Z') {
        return (body, FixedOffset::east_opt(0));
    }
    // A multi-byte character where the offset would start is no offset (found by fuzzing).
    if v.len() > 16 && v.is_char_boundary(v.len() - 6) {
        let (body, tail) = v.split_at(v.len() - 6);
        let sign = match tail.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return (v, None),
        };
        let h: i32 = tail.get(1..3).and_then(|s| s.parse().ok()).unwrap_or(99);
        let m: i32 = tail.get(4..6).and_then(|s| s.parse().ok()).unwrap_or(99);
        if tail.as_bytes().get(3) == Some(&b':') && h < 15 && m < 60 {
            return (body, FixedOffset::east_opt(sign * (h * 3600 + m * 60)));
        }
    }
    (v, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multibyte_character_where_an_offset_would_be_is_no_panic() {
        assert_eq!(
            split_offset("2024-06-01T10:15:00\u{fffd}99"),
            ("2024-06-01T10:15:00\u{fffd}99", None)
        );
        let packet = "<x:xmpmeta><exif:DateTimeOriginal>2024-06-01T10:15:00\u{fffd}:0</exif:DateTimeOriginal>";
        assert_eq!(dates(packet.as_bytes()).original, None);
    }

    #[test]
    fn attribute_and_element_forms() {
        let xmp = br#"<x:xmpmeta><rdf:Description xmp:CreateDate="2010-04-13T09:37:22+02:00"
            photoshop:DateCreated='2010-04-13'><exif:DateTimeOriginal>2005-09-07T15:07:40Z</exif:DateTimeOriginal>
            </rdf:Description></x:xmpmeta>"#;
        let d = dates(xmp);
        let (t, o) = d.original.unwrap();
        assert_eq!(t.to_string(), "2005-09-07 15:07:40");
        assert_eq!(o, FixedOffset::east_opt(0));
        let (t, o) = d.create_date.unwrap();
        assert_eq!(t.to_string(), "2010-04-13 09:37:22");
        assert_eq!(o, FixedOffset::east_opt(7200));
        assert_eq!(d.date_created.unwrap().0.to_string(), "2010-04-13 00:00:00");
    }

    #[test]
    fn junk_is_ignored() {
        assert_eq!(
            dates(b"exif:DateTimeOriginal=\"0000-00-00T00:00:00\""),
            XmpDates::default()
        );
        assert_eq!(
            dates(b"<exif:DateTimeOriginal>garbage"),
            XmpDates::default()
        );
        assert_eq!(dates(b"exif:DateTimeOriginal"), XmpDates::default());
        assert_eq!(dates(&[0xFF; 64]), XmpDates::default());
    }
}
