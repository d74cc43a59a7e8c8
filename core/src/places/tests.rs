use super::*;

const TABLE: &str = "# test table
C\tJP\tJapan
C\tDE\tGermany
C\tIT\tItaly
C\tUS\tUnited States
C\tFJ\tFiji
R\tUS\tIL\tIllinois
R\tUS\tMA\tMassachusetts
P\t35.02107\t135.75385\tJP\t22\t1463723\tKyoto
P\t35.00000\t135.80000\tJP\t22\t9000\tYamashina Suburb
P\t34.69374\t135.50218\tJP\t27\t2592413\tOsaka
P\t48.13743\t11.57549\tDE\t02\t1505005\tMunich
P\t45.43419\t10.99779\tIT\t34\t255368\tVerona
P\t39.80172\t-89.64371\tUS\tIL\t116250\tSpringfield
P\t42.10148\t-72.58981\tUS\tMA\t155929\tSpringfield
P\t-16.80000\t179.95000\tFJ\t\t6000\tEastside
";

fn g() -> Gazetteer {
    Gazetteer::parse(TABLE.as_bytes()).unwrap()
}

#[test]
fn a_point_is_named_after_the_telling_place_near_it() {
    let g = g();
    // 5 km from Kyoto's centre, 1 km from a small suburb: Kyoto.
    let n = g.name(35.01, 135.79).unwrap();
    assert_eq!((n.city.as_str(), n.country.as_str()), ("Kyoto", "Japan"));
    // Right on the suburb: the suburb.
    assert_eq!(g.name(35.0, 135.8).unwrap().city, "Kyoto");
    assert_eq!(g.name(35.0, 135.8001).unwrap().country_code, "JP");
    // Far from everything: no name.
    assert!(g.name(0.0, -140.0).is_none());
    assert!(g.name(f64::NAN, 0.0).is_none());
    assert!(g.name(95.0, 0.0).is_none());
}

#[test]
fn the_region_is_named_only_where_it_disambiguates() {
    let g = g();
    let n = g.name(39.8, -89.6).unwrap();
    assert_eq!(n.region.as_deref(), Some("Illinois"));
    let n = g.name(42.1, -72.6).unwrap();
    assert_eq!(n.region.as_deref(), Some("Massachusetts"));
    assert_eq!(g.name(48.14, 11.58).unwrap().region, None);
}

#[test]
fn lookups_work_across_the_antimeridian() {
    let g = g();
    // Eastside lies at 179.95°; a point at −179.98° is ≈ 7 km from it.
    assert_eq!(g.name(-16.8, -179.98).unwrap().city, "Eastside");
}

#[test]
fn a_journey_has_at_most_two_stops_in_the_order_reached() {
    let g = g();
    let kyoto = (35.02, 135.76);
    let osaka = (34.69, 135.5);
    let mut points = vec![osaka; 3];
    points.extend(vec![kyoto; 6]);
    points.push((48.14, 11.58)); // one photo in Munich: under the stop share
    let stops: Vec<String> = g.stops(&points).into_iter().map(|n| n.city).collect();
    assert_eq!(stops, ["Osaka", "Kyoto"]);
    assert!(g.stops(&[(0.0, -140.0)]).is_empty());
}

#[test]
fn bad_tables_are_refused_with_the_line() {
    for (text, what) in [
        (
            "C\tJP\tJapan\nP\t1\t2\tXX\t\t5\tA\n",
            "line 2: unknown country",
        ),
        (
            "C\tJP\tJapan\nP\t91\t2\tJP\t\t5\tA\n",
            "line 2: coordinates out of range",
        ),
        ("C\tJP\tJapan\nP\tx\t2\tJP\t\t5\tA\n", "line 2: latitude"),
        ("Q\n", "line 1: not a C, R or P record"),
        ("C\tJP\tJapan\n", "no places"),
    ] {
        let e = Gazetteer::parse(text.as_bytes()).unwrap_err().to_string();
        assert!(e.contains(what), "{e}");
    }
    assert!(Gazetteer::parse(&[0xff, 0xfe]).is_err());
}
