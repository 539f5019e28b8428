"""Build ``refdata/data/regions/<version>/`` from saved copies of modood's NBS division lists.

The inputs are ``provinces.csv``, ``cities.csv`` and ``areas.csv`` of
github.com/modood/Administrative-divisions-of-China (``dist/``), saved under
``scripts/refdata/sources/modood/``. ``areas.csv`` is kept as ``code,name`` only: its
``cityCode`` and ``provinceCode`` columns are the first 4 and 2 digits of the code.

Run once per new source vintage; the output is committed and never regenerated at run time.
Published versions are immutable: the script refuses to overwrite a different ``regions.csv``
unless ``--force`` is given (for a version that has not been released yet).

Usage: python scripts/refdata/build_regions.py [--version 2023.1] [--force]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "scripts" / "refdata" / "sources" / "modood"
OUT = ROOT / "src" / "citycarbon" / "refdata" / "data" / "regions"
COLUMNS = ["code", "name", "level", "parent_code", "valid_from", "replaced_by", "source", "note"]

REPO = "modood/Administrative-divisions-of-China"
SOURCE_OF = {
    "provinces.csv": f"{REPO} dist/provinces.csv @a9f6e38",
    "cities.csv": f"{REPO} dist/cities.csv @2824502",
    "areas.csv": f"{REPO} dist/areas.csv @0b7fd75",
}
PREFECTURE_NOTES = {
    "市辖区": "districts of a municipality (直辖市), listed as a prefecture-level grouping",
    "县": "counties of Chongqing municipality, listed as a prefecture-level grouping",
    "省直辖县级行政区划": "grouping of county-level divisions administered by the province",
    "自治区直辖县级行政区划": "grouping of county-level divisions administered by the region",
}
NO_COUNTIES_NOTE = "prefecture-level city without county-level divisions (不设区的地级市)"
FUNCTIONAL_ZONE_NOTE = "functional zone: NBS statistical code, not in GB/T 2260"
STATISTICAL_ONLY = {"232761", "232762", "232763", "232764", "632857"}
STATISTICAL_NOTE = "NBS statistical code, not in GB/T 2260"
# Codes that have been replaced; kept so that validation can name the replacement.
LEGACY = [
    {
        "code": "331021",
        "name": "玉环县",
        "level": "county",
        "parent_code": "331000",
        "valid_from": "",
        "replaced_by": "331083",
        "source": "shared/reference/china-reference.md §8 [S67] (code-change map)",
        "note": "玉环县 became the county-level city 玉环市; code replaced by 331083",
    },
]


def _read(name: str) -> list[dict[str, str]]:
    with (SOURCES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _row(code: str, name: str, level: str, parent: str, file: str, note: str = "") -> dict[str, str]:
    return {
        "code": code,
        "name": name.strip(),
        "level": level,
        "parent_code": parent,
        "valid_from": "",
        "replaced_by": "",
        "source": SOURCE_OF[file],
        "note": note,
    }


def build_rows() -> list[dict[str, str]]:
    """Turn the three source lists (plus :data:`LEGACY`) into ``regions.csv`` rows."""
    rows = [
        _row(p["code"] + "0000", p["name"], "province", "", "provinces.csv") for p in _read("provinces.csv")
    ]
    areas = _read("areas.csv")
    city_codes = {c["code"] for c in _read("cities.csv")}
    # A prefecture-level city without counties appears again in areas.csv under its own code.
    self_listed = {a["code"][:4] for a in areas if a["code"].endswith("00")}
    for city in _read("cities.csv"):
        note = PREFECTURE_NOTES.get(city["name"], "")
        if city["code"] in self_listed:
            note = NO_COUNTIES_NOTE
        rows.append(
            _row(
                city["code"] + "00",
                city["name"],
                "prefecture",
                city["provinceCode"] + "0000",
                "cities.csv",
                note,
            )
        )
    for area in areas:
        code = area["code"]
        if code.endswith("00"):
            continue
        if code[:4] not in city_codes:
            raise SystemExit(f"areas.csv: {code} has no prefecture {code[:4]} in cities.csv")
        note = ""
        if code in STATISTICAL_ONLY:
            note = STATISTICAL_NOTE
        elif 70 <= int(code[4:]) <= 79:
            note = FUNCTIONAL_ZONE_NOTE
        rows.append(_row(code, area["name"], "county", code[:4] + "00", "areas.csv", note))
    rows.extend(LEGACY)
    codes = [row["code"] for row in rows]
    if len(codes) != len(set(codes)):
        raise SystemExit("duplicate region codes in the sources")
    return sorted(rows, key=lambda row: row["code"])


def _csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def manifest(version: str, digest: str) -> dict[str, object]:
    """Manifest of the dataset version; ``digest`` is the sha256 of ``regions.csv``."""
    return {
        "dataset": "regions",
        "version": version,
        "title": "Administrative division codes of China, province to county level "
        "(GB/T 2260 with NBS statistical codes)",
        "publisher": "国家统计局 National Bureau of Statistics (compiled by modood)",
        "document": "统计用区划代码 (county level and above), see china-reference.md §8 [S66]",
        "url": f"https://github.com/{REPO}",
        "published": "2023-09-11",
        "licence": "official codes (facts); compilation by modood under the MIT licence",
        "valid_from_year": 2023,
        "valid_to_year": None,
        "files": {"regions.csv": {"sha256": digest}},
    }


def main() -> None:
    """Write ``regions.csv`` and ``manifest.yaml`` for one version."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="2023.1")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    folder = OUT / args.version
    data = _csv_bytes(build_rows())
    target = folder / "regions.csv"
    if target.exists() and target.read_bytes() != data and not args.force:
        raise SystemExit(f"{target} differs from the sealed version; make a new version")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    text = yaml.safe_dump(
        manifest(args.version, hashlib.sha256(data).hexdigest()),
        allow_unicode=True,
        sort_keys=False,
    )
    (folder / "manifest.yaml").write_text(text, encoding="utf-8")
    rows = data.count(b"\n") - 1
    print(f"wrote {target} ({rows} rows)")


if __name__ == "__main__":
    main()
