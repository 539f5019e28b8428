"""Build ``refdata/data/industries/<version>/`` (GB/T 4754-2017) from a saved code list.

The input, ``scripts/refdata/sources/zmshe_capital/category.txt``, is a transcription of
``src/utils/category.js`` of github.com/zmshe/capital (commit 0b8f1ae): one ``code,name`` line
per entry, in the source's order, with the explanatory remarks left out. Section rows carry
the letter, the others their digits; the section of a division is the section row above it.

The source omits the group row of a group that has a single class (GB/T 4754 prints such a
group and its class on one line, e.g. ``022 0220 造林和更新``); those rows are added with
the class's name. Known slips of the source are corrected through :data:`ERRATA`.

Run once per new source; the output is committed and never regenerated at run time.

Usage: python scripts/refdata/build_industries.py [--version 2017.1] [--force]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE_FILE = ROOT / "scripts" / "refdata" / "sources" / "zmshe_capital" / "category.txt"
OUT = ROOT / "src" / "citycarbon" / "refdata" / "data" / "industries"
COLUMNS = ["code", "name", "level", "parent_code", "source", "note"]
SOURCE = "zmshe/capital src/utils/category.js @0b8f1ae"
LEVEL_BY_DIGITS = {2: "division", 3: "group", 4: "class"}
# Division ranges per section, from the "本门类包括…大类" remarks (china-reference.md §7).
SECTION_RANGES = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}
# (code as in the source, name) -> corrected code, with the reason recorded in the row's note.
ERRATA = {
    ("374", "飞机制造"): (
        "3741",
        "source lists this class as a second group 374; corrected to 3741",
    ),
}
SINGLE_CLASS_GROUP_NOTE = "group row absent from the source; a single-class group takes its class's name"
EXPECTED_COUNTS = {"section": 20, "division": 97, "group": 473}


def _clean(name: str) -> str:
    return name.strip().replace("(", "（").replace(")", "）")


def _row(code: str, name: str, level: str, parent: str, note: str = "") -> dict[str, str]:
    return {
        "code": code,
        "name": _clean(name),
        "level": level,
        "parent_code": parent,
        "source": SOURCE,
        "note": note,
    }


def build_rows(lines: list[str]) -> list[dict[str, str]]:
    """Turn the transcribed ``code,name`` lines into ``industries.csv`` rows."""
    rows: dict[str, dict[str, str]] = {}
    section = ""
    for line in lines:
        raw_code, name = line.rstrip("\n").split(",", 1)
        note = ""
        if (raw_code, name.strip()) in ERRATA:
            raw_code, note = ERRATA[(raw_code, name.strip())]
        if raw_code.isalpha():
            section = raw_code
            rows[section] = _row(section, name, "section", "", note)
            continue
        low, high = SECTION_RANGES[section]
        if not low <= int(raw_code[:2]) <= high:
            raise SystemExit(f"{raw_code} is outside section {section} ({low:02}-{high:02})")
        code, level = section + raw_code, LEVEL_BY_DIGITS[len(raw_code)]
        parent = section if level == "division" else code[:-1]
        if level == "class" and parent not in rows:
            rows[parent] = _row(parent, name, "group", parent[:-1], SINGLE_CLASS_GROUP_NOTE)
        if code in rows:
            raise SystemExit(f"{code} appears twice in the source")
        rows[code] = _row(code, name, level, parent, note)
    counts = {level: sum(r["level"] == level for r in rows.values()) for level in EXPECTED_COUNTS}
    if counts != EXPECTED_COUNTS:
        raise SystemExit(f"unexpected counts {counts}, expected {EXPECTED_COUNTS}")
    return sorted(rows.values(), key=lambda row: (row["code"][1:], row["code"]))


def _csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def manifest(version: str, digest: str) -> dict[str, object]:
    """Manifest of the dataset version; ``digest`` is the sha256 of ``industries.csv``."""
    return {
        "dataset": "industries",
        "version": version,
        "title": "Industrial classification for national economic activities: sections, "
        "divisions, groups and classes",
        "publisher": "国家质量监督检验检疫总局、国家标准化管理委员会 (AQSIQ, SAC)",
        "document": "GB/T 4754-2017 《国民经济行业分类》, as listed in china-reference.md §7 [S64]",
        "url": "https://github.com/zmshe/capital/blob/0b8f1ae480aadd9f35aca2fd0efb934e9a7101e8"
        "/src/utils/category.js",
        "published": "2017-06-30",
        "licence": "code list of a national standard (facts); transcribed from zmshe/capital, "
        "which states no licence",
        "valid_from_year": 2017,
        "valid_to_year": None,
        "files": {"industries.csv": {"sha256": digest}},
    }


def main() -> None:
    """Write ``industries.csv`` and ``manifest.yaml`` for one version."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="2017.1")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    lines = SOURCE_FILE.read_text(encoding="utf-8").splitlines()
    data = _csv_bytes(build_rows(lines))
    folder = OUT / args.version
    target = folder / "industries.csv"
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
