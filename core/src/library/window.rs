//! "The last N days" of the camera roll.
//!
//! Semantics: the window is the N most recent **calendar days in the device's time
//! zone**, today included. It starts at the first instant of day `today − (N − 1)`
//! (local midnight, or the end of the DST gap where midnight does not exist) and ends,
//! exclusive, at the first instant of tomorrow, so photos from later today on a
//! slightly fast camera clock still count. Membership is decided by the capture
//! **instant**: a photo taken at 23:30 −04:00 in New York is at 05:30 the next day for
//! a phone in Paris, and belongs to that next day. Photos without an offset were
//! already read as device-zone wall time when indexed.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::dates::start_of_day;
use crate::clock::DeviceZone;
use crate::{Error, Result};

/// Default length of the recent window.
pub const DEFAULT_DAYS: u32 = 30;
/// Longest window accepted (100 years).
pub const MAX_DAYS: u32 = 36_525;

/// A resolved window: half-open instant range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentWindow {
    pub days: u32,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl RecentWindow {
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}

/// The window of `days` calendar days ending today (in `zone`) at `now`.
pub fn recent_window(now: DateTime<Utc>, zone: DeviceZone, days: u32) -> Result<RecentWindow> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(Error::InvalidArgument(format!(
            "days must be 1..={MAX_DAYS}"
        )));
    }
    let today = now.with_timezone(&zone.0).date_naive();
    let first_day = today
        .checked_sub_days(Days::new(u64::from(days - 1)))
        .ok_or_else(|| Error::InvalidArgument("days reaches before the calendar".into()))?;
    let tomorrow = today
        .checked_add_days(Days::new(1))
        .ok_or_else(|| Error::InvalidArgument("now is at the end of the calendar".into()))?;
    Ok(RecentWindow {
        days,
        first_day,
        last_day: today,
        start: start_of_day(first_day, zone),
        end: start_of_day(tomorrow, zone),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
    }

    #[test]
    fn midnight_boundaries() {
        let zone = DeviceZone::parse("Europe/Paris").unwrap();
        // 2025-07-20 10:00 in Paris (UTC+2).
        let w = recent_window(utc(2025, 7, 20, 8, 0), zone, 30).unwrap();
        assert_eq!(w.first_day, NaiveDate::from_ymd_opt(2025, 6, 21).unwrap());
        assert_eq!(w.start, utc(2025, 6, 20, 22, 0)); // 2025-06-21 00:00 CEST
        assert_eq!(w.end, utc(2025, 7, 20, 22, 0)); // 2025-07-21 00:00 CEST
        assert!(
            w.contains(utc(2025, 6, 20, 22, 0)),
            "first instant is inside"
        );
        assert!(
            !w.contains(utc(2025, 6, 20, 21, 59)),
            "one minute before midnight is out"
        );
        assert!(
            w.contains(utc(2025, 7, 20, 21, 59)),
            "later today is inside"
        );
        assert!(!w.contains(utc(2025, 7, 20, 22, 0)), "tomorrow is out");
        // Just after local midnight, a new day has begun and the oldest day dropped.
        let w2 = recent_window(utc(2025, 7, 20, 22, 0), zone, 30).unwrap();
        assert_eq!(w2.first_day, NaiveDate::from_ymd_opt(2025, 6, 22).unwrap());
        // One minute before local midnight, it has not.
        let w3 = recent_window(utc(2025, 7, 20, 21, 59), zone, 30).unwrap();
        assert_eq!(w3.first_day, NaiveDate::from_ymd_opt(2025, 6, 21).unwrap());
    }

    #[test]
    fn across_dst_the_window_is_calendar_days_not_hours() {
        let zone = DeviceZone::parse("Europe/Paris").unwrap();
        // The window 2025-03-15 .. 2025-04-13 contains the spring-forward day (23 h).
        let w = recent_window(utc(2025, 4, 13, 12, 0), zone, 30).unwrap();
        assert_eq!(w.start, utc(2025, 3, 14, 23, 0)); // 00:00 CET
        assert_eq!(w.end, utc(2025, 4, 13, 22, 0)); // 00:00 CEST
        assert_eq!((w.end - w.start).num_hours(), 30 * 24 - 1);
        // And the autumn one has 25 hours.
        let w = recent_window(utc(2025, 11, 10, 12, 0), zone, 30).unwrap();
        assert_eq!((w.end - w.start).num_hours(), 30 * 24 + 1);
    }

    #[test]
    fn one_day_window_and_bad_lengths() {
        let zone = DeviceZone::UTC;
        let w = recent_window(utc(2025, 1, 1, 0, 0), zone, 1).unwrap();
        assert_eq!(w.start, utc(2025, 1, 1, 0, 0));
        assert_eq!(w.end, utc(2025, 1, 2, 0, 0));
        assert!(recent_window(utc(2025, 1, 1, 0, 0), zone, 0).is_err());
        assert!(recent_window(utc(2025, 1, 1, 0, 0), zone, MAX_DAYS + 1).is_err());
    }

    #[test]
    fn instant_semantics_for_photos_with_another_offset() {
        use crate::library::dates::from_local;
        use crate::library::DateTrust;
        use chrono::{FixedOffset, NaiveDateTime};
        let paris = DeviceZone::parse("Europe/Paris").unwrap();
        let w = recent_window(utc(2025, 7, 20, 8, 0), paris, 30).unwrap();
        let ny_local = NaiveDateTime::parse_from_str("2025-06-20 23:30", "%Y-%m-%d %H:%M").unwrap();
        // 23:30 −04:00 on June 20 is 05:30 on June 21 in Paris: inside.
        let ny = from_local(
            ny_local,
            FixedOffset::west_opt(4 * 3600),
            DateTrust::ExifOffset,
            DateTrust::ExifLocal,
            paris,
        );
        assert!(w.contains(ny.utc));
        // 17:30 −04:00 on June 20 is 23:30 in Paris, still June 20: outside.
        let early = NaiveDateTime::parse_from_str("2025-06-20 17:30", "%Y-%m-%d %H:%M").unwrap();
        let ny2 = from_local(
            early,
            FixedOffset::west_opt(4 * 3600),
            DateTrust::ExifOffset,
            DateTrust::ExifLocal,
            paris,
        );
        assert!(!w.contains(ny2.utc));
        // Without an offset, the same wall time is read in Paris: June 20 23:30 is out.
        let local = from_local(
            ny_local,
            None,
            DateTrust::ExifOffset,
            DateTrust::ExifLocal,
            paris,
        );
        assert!(!w.contains(local.utc));
    }
}
