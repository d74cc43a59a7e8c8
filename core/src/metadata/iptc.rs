//! IPTC-IIM dates inside Photoshop image resources (JPEG APP13). Scanned and edited
//! photos often carry their capture date only as IPTC DateCreated + TimeCreated.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

use super::exif::{plausible_date, valid_offset};
use super::source::Bytes;

const RESOURCE_IPTC: u16 = 0x0404;
const MAX_RESOURCES: usize = 1000;

/// DateCreated (2:55, `CCYYMMDD`) with TimeCreated (2:60, `HHMMSS±HHMM`) when present.
pub(crate) fn date_created(resources: &[u8]) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
    let iim = find_resource(resources, RESOURCE_IPTC)?;
    let (mut date, mut time) = (None, None);
    let b = Bytes::be(iim);
    let mut p = 0;
    while p + 5 <= iim.len() && b.u8(p)? == 0x1C {
        let (record, dataset) = (b.u8(p + 1)?, b.u8(p + 2)?);
        let len = usize::from(b.u16(p + 3)?);
        if len & 0x8000 != 0 {
            break; // extended length: not used by date fields
        }
        let value = iim.get(p + 5..p + 5 + len)?;
        match (record, dataset) {
            (2, 55) => date = Some(value),
            (2, 60) => time = Some(value),
            _ => {}
        }
        p += 5 + len;
    }
    let date = std::str::from_utf8(date?).ok()?;
    let date = NaiveDate::parse_from_str(date.trim(), "%Y%m%d")
        .ok()
        .filter(plausible_date)?;
    let (time, offset) = time
        .and_then(|t| std::str::from_utf8(t).ok())
        .and_then(|t| {
            let t = t.trim();
            let hms = NaiveTime::parse_from_str(t.get(..6)?, "%H%M%S").ok()?;
            let offset = t.get(6..11).and_then(|o| {
                let sign = match o.as_bytes()[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                let h: i32 = o.get(1..3)?.parse().ok()?;
                let m: i32 = o.get(3..5)?.parse().ok()?;
                FixedOffset::east_opt(sign * (h * 3600 + m * 60)).filter(valid_offset)
            });
            Some((hms, offset))
        })
        // A date without a time is too vague to be a capture time (exiftool's composite
        // DateTimeCreated makes the same call).
        ?;
    Some((date.and_time(time), offset))
}

/// Walks `8BIM` resource blocks: signature, id, padded Pascal name, size, padded data.
fn find_resource(data: &[u8], id: u16) -> Option<&[u8]> {
    let b = Bytes::be(data);
    let mut p = 0;
    for _ in 0..MAX_RESOURCES {
        if data.get(p..p + 4)? != b"8BIM" {
            return None;
        }
        let rid = b.u16(p + 4)?;
        let name_len = usize::from(b.u8(p + 6)?);
        let name_total = (1 + name_len + 1) & !1;
        let size_at = p + 6 + name_total;
        let size = b.u32(size_at)? as usize;
        let start = size_at + 4;
        let end = start.checked_add(size)?;
        if rid == id {
            return data.get(start..end);
        }
        p = end + (size & 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iim(fields: &[(u8, &[u8])]) -> Vec<u8> {
        let mut iim = Vec::new();
        for (ds, v) in fields {
            iim.extend([0x1C, 2, *ds]);
            iim.extend((v.len() as u16).to_be_bytes());
            iim.extend(*v);
        }
        let mut res = b"8BIM".to_vec();
        res.extend(0x0404u16.to_be_bytes());
        res.extend([0, 0]);
        res.extend((iim.len() as u32).to_be_bytes());
        res.extend(iim);
        res
    }

    #[test]
    fn date_and_time_with_offset() {
        let r = iim(&[(55, b"19980501"), (60, b"213318+0200")]);
        let (t, o) = date_created(&r).unwrap();
        assert_eq!(t.to_string(), "1998-05-01 21:33:18");
        assert_eq!(o, FixedOffset::east_opt(7200));
        assert_eq!(date_created(&iim(&[(55, b"19980501")])), None);
        assert_eq!(date_created(&iim(&[(55, b"00000000")])), None);
        assert_eq!(date_created(b"8BIM\x04\x04\x00\x00\xff\xff\xff\xff"), None);
    }
}
