"""The shipped region and industry code lists: integrity, counts and known entries."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from citycarbon.domain.errors import InvalidCode, ReferenceDataError
from citycarbon.refdata import loader
from citycarbon.refdata.codes import (
    INDUSTRIES_VERSION,
    REGIONS_VERSION,
    RegionRow,
    load_industry_catalogue,
    load_region_catalogue,
)

DATA = resources.files("citycarbon.refdata") / "data"
# Taizhou's county-level divisions as listed in china-reference.md §8.
TAIZHOU = {
    "331002": "椒江区",
    "331003": "黄岩区",
    "331004": "路桥区",
    "331022": "三门县",
    "331023": "天台县",
    "331024": "仙居县",
    "331081": "温岭市",
    "331082": "临海市",
    "331083": "玉环市",
}
ZHEJIANG_PREFECTURES = {
    "330100": "杭州市",
    "330200": "宁波市",
    "330300": "温州市",
    "330400": "嘉兴市",
    "330500": "湖州市",
    "330600": "绍兴市",
    "330700": "金华市",
    "330800": "衢州市",
    "330900": "舟山市",
    "331000": "台州市",
    "331100": "丽水市",
}
# Division ranges of each section, from the table in china-reference.md §7.
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


def shipped_rows(dataset: str, version: str, file_name: str) -> list[dict[str, str]]:
    text = (DATA / dataset / version / file_name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def clear_caches() -> None:
    loader._load.cache_clear()
    load_region_catalogue.cache_clear()
    load_industry_catalogue.cache_clear()


@pytest.fixture
def copied_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A writable copy of the data folder that the loader reads instead of the package's."""
    for dataset in ("regions", "industries"):
        shutil.copytree(Path(str(DATA / dataset)), tmp_path / dataset)
    monkeypatch.setattr(loader, "data_root", lambda: tmp_path)
    clear_caches()
    yield tmp_path
    clear_caches()


def test_regions_cover_china_with_counts_per_level() -> None:
    catalogue = load_region_catalogue()
    levels = Counter(region.level for region in catalogue)
    assert levels["province"] == 31
    assert levels["prefecture"] == 342
    assert levels["county"] > 2800
    assert {r.code: r.name for r in catalogue.children("330000")} == ZHEJIANG_PREFECTURES
    for prefecture in ZHEJIANG_PREFECTURES:
        assert catalogue.children(prefecture), prefecture


def test_taizhou_and_its_counties() -> None:
    catalogue = load_region_catalogue()
    assert catalogue.validate("331000").name == "台州市"
    assert {r.code: r.name for r in catalogue.children("331000")} == TAIZHOU
    assert [r.code for r in catalogue.ancestors("331002")] == ["331000", "330000"]
    assert [r.name for r in catalogue.ancestors("331002")] == ["台州市", "浙江省"]


def test_yuhuan_county_points_to_yuhuan_city() -> None:
    catalogue = load_region_catalogue()
    with pytest.raises(InvalidCode) as caught:
        catalogue.validate("331021")
    assert caught.value.params["replacement"] == "331083"
    assert catalogue.resolve("331021").name == "玉环市"


def test_every_region_row_names_its_source() -> None:
    rows = shipped_rows("regions", REGIONS_VERSION, "regions.csv")
    assert all(row["source"].strip() for row in rows)
    assert list(rows[0]) == [
        "code",
        "name",
        "level",
        "parent_code",
        "valid_from",
        "replaced_by",
        "source",
        "note",
    ]


def test_industries_have_the_published_counts() -> None:
    catalogue = load_industry_catalogue()
    levels = ("section", "division", "group")
    counts = {level: len(catalogue.at_each_level(level)) for level in levels}
    assert counts == {"section": 20, "division": 97, "group": 473}
    # 1380 in the original text, 1381 and 1382 in later sources (china-reference.md §7).
    assert len(catalogue.at_each_level("class")) == 1381


def test_every_division_sits_in_its_section_range() -> None:
    for division in load_industry_catalogue().at_each_level("division"):
        low, high = SECTION_RANGES[division.code[0]]
        assert low <= int(division.digits) <= high, division.code


@pytest.mark.parametrize(
    ("code", "canonical", "name"),
    [
        ("2611", "C2611", "无机酸制造"),
        ("C3011", "C3011", "水泥制造"),
        ("4411", "D4411", "火力发电"),
        ("0220", "A0220", "造林和更新"),
        ("022", "A022", "造林和更新"),
        ("3741", "C3741", "飞机制造"),
        ("C", "C", "制造业"),
    ],
)
def test_known_industry_codes(code: str, canonical: str, name: str) -> None:
    node = load_industry_catalogue().validate(code)
    assert (node.code, node.name) == (canonical, name)


def test_class_lifts_to_its_division() -> None:
    catalogue = load_industry_catalogue()
    assert catalogue.at_level("C3011", "division").name == "非金属矿物制品业"
    assert catalogue.section_of("2611").code == "C"


def test_every_industry_row_names_its_source() -> None:
    rows = shipped_rows("industries", INDUSTRIES_VERSION, "industries.csv")
    assert all(row["source"].strip() for row in rows)
    assert list(rows[0]) == ["code", "name", "level", "parent_code", "source", "note"]


def test_row_model_is_strict() -> None:
    good = {
        "code": "331002",
        "name": "椒江区",
        "level": "county",
        "parent_code": "331000",
        "valid_from": "",
        "replaced_by": "",
        "source": "test",
        "note": "",
    }
    assert RegionRow.model_validate(good).parent_code == "331000"
    with pytest.raises(ValidationError):
        RegionRow.model_validate(good | {"population": "1"})
    with pytest.raises(ValidationError):
        RegionRow.model_validate(good | {"code": "33100"})
    with pytest.raises(ValidationError):
        RegionRow.model_validate(good | {"source": ""})


def test_tampered_file_is_refused(copied_data: Path) -> None:
    path = copied_data / "regions" / REGIONS_VERSION / "regions.csv"
    path.write_text(path.read_text("utf-8").replace("椒江区", "椒江市"), "utf-8")
    with pytest.raises(ReferenceDataError) as caught:
        load_region_catalogue()
    assert "sha256" in caught.value.message


def test_malformed_row_is_refused_even_when_resealed(copied_data: Path) -> None:
    folder = copied_data / "industries" / INDUSTRIES_VERSION
    path = folder / "industries.csv"
    path.write_text(path.read_text("utf-8").replace("C2611,", "C26110,", 1), "utf-8")
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text("utf-8"))
    manifest["files"]["industries.csv"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    with pytest.raises(ReferenceDataError) as caught:
        load_industry_catalogue()
    assert caught.value.params["file"] == "industries.csv"


def test_inconsistent_tree_is_refused_even_when_resealed(copied_data: Path) -> None:
    folder = copied_data / "regions" / REGIONS_VERSION
    path = folder / "regions.csv"
    text = path.read_text("utf-8").replace("331002,椒江区,county,331000", "331002,椒江区,county,331100")
    path.write_text(text, "utf-8")
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text("utf-8"))
    manifest["files"]["regions.csv"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    with pytest.raises(ReferenceDataError):
        load_region_catalogue()


def test_catalogues_are_loaded_once() -> None:
    assert load_region_catalogue() is load_region_catalogue()
    assert load_industry_catalogue() is load_industry_catalogue()
