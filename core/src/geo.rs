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
    let mut acc = CentroidSum::default();
    for &p in points {
        acc.add(p);
    }
    acc.centroid()
}

/// A running centroid: add points one at a time, read the centroid at any point.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CentroidSum {
    x: f64,
    y: f64,
    z: f64,
    n: usize,
}

impl CentroidSum {
    pub fn add(&mut self, (lat, lon): (f64, f64)) {
        let (la, lo) = (lat.to_radians(), lon.to_radians());
        self.x += la.cos() * lo.cos();
        self.y += la.cos() * lo.sin();
        self.z += la.sin();
        self.n += 1;
    }

    /// Adds every point of `other`.
    pub fn merge(&mut self, other: &CentroidSum) {
        self.x += other.x;
        self.y += other.y;
        self.z += other.z;
        self.n += other.n;
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn centroid(&self) -> Option<(f64, f64)> {
        if self.n == 0 {
            return None;
        }
        let n = self.n as f64;
        let (x, y, z) = (self.x / n, self.y / n, self.z / n);
        let lon = y.atan2(x);
        let lat = z.atan2((x * x + y * y).sqrt());
        Some((lat.to_degrees(), lon.to_degrees()))
    }
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
