//! Small geographic helpers (pure).

/// Mean Earth radius, km.
const EARTH_KM: f64 = 6371.0088;

/// Great-circle distance in km between two (lat, lon) points in degrees.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().min(1.0).asin()
}

/// Centroid of points (mean on the unit sphere, so it works across the antimeridian).
pub fn centroid(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    if points.is_empty() {
        return None;
    }
    let (mut x, mut y, mut z) = (0.0, 0.0, 0.0);
    for &(lat, lon) in points {
        let (la, lo) = (lat.to_radians(), lon.to_radians());
        x += la.cos() * lo.cos();
        y += la.cos() * lo.sin();
        z += la.sin();
    }
    let n = points.len() as f64;
    let (x, y, z) = (x / n, y / n, z / n);
    let lon = y.atan2(x);
    let lat = z.atan2((x * x + y * y).sqrt());
    Some((lat.to_degrees(), lon.to_degrees()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        let paris = (48.8566, 2.3522);
        let london = (51.5074, -0.1278);
        let d = haversine_km(paris, london);
        assert!((d - 343.5).abs() < 1.0, "{d}");
        assert_eq!(haversine_km(paris, paris), 0.0);
        let c = centroid(&[(0.0, 179.0), (0.0, -179.0)]).unwrap();
        assert!(c.1.abs() > 179.9, "antimeridian centroid {c:?}");
    }
}
