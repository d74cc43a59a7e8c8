//! The sun's elevation for a place and instant (NOAA's simplified formulas, about ±1°):
//! enough to tell golden hour from night without any network lookup.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Solar elevation in degrees above the horizon.
pub fn elevation_deg(lat: f64, lon: f64, t: DateTime<Utc>) -> f64 {
    let doy = f64::from(t.ordinal());
    let hours = f64::from(t.hour()) + f64::from(t.minute()) / 60.0 + f64::from(t.second()) / 3600.0;
    let gamma = 2.0 * std::f64::consts::PI / 365.0 * (doy - 1.0 + (hours - 12.0) / 24.0);
    let eqtime = 229.18
        * (0.000075 + 0.001868 * gamma.cos()
            - 0.032077 * gamma.sin()
            - 0.014615 * (2.0 * gamma).cos()
            - 0.040849 * (2.0 * gamma).sin());
    let decl = 0.006918 - 0.399912 * gamma.cos() + 0.070257 * gamma.sin()
        - 0.006758 * (2.0 * gamma).cos()
        + 0.000907 * (2.0 * gamma).sin()
        - 0.002697 * (3.0 * gamma).cos()
        + 0.00148 * (3.0 * gamma).sin();
    let minutes = hours * 60.0 + eqtime + 4.0 * lon;
    let hour_angle = (minutes / 4.0 - 180.0).to_radians();
    let lat = lat.to_radians();
    let cos_zenith = lat.sin() * decl.sin() + lat.cos() * decl.cos() * hour_angle.cos();
    90.0 - cos_zenith.clamp(-1.0, 1.0).acos().to_degrees()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn noon_midnight_and_sunset() {
        // Equator at the March equinox, solar noon: the sun is nearly overhead.
        let noon = Utc.with_ymd_and_hms(2024, 3, 20, 12, 7, 0).unwrap();
        assert!(elevation_deg(0.0, 0.0, noon) > 85.0);
        // Paris, midnight in June: well below the horizon.
        let night = Utc.with_ymd_and_hms(2024, 6, 21, 22, 0, 0).unwrap();
        assert!(elevation_deg(48.85, 2.35, night) < -10.0);
        // Paris sunset on 2024-06-21 is 21:58 CEST (19:58 UTC): around 0°.
        let sunset = Utc.with_ymd_and_hms(2024, 6, 21, 19, 58, 0).unwrap();
        assert!(elevation_deg(48.85, 2.35, sunset).abs() < 1.5);
    }
}
