"""The demo city generator writes valid, reproducible files the importer accepts."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import polars as pl
import pytest

from citycarbon.engines.activity_validation import validate_activity
from citycarbon.engines.master_validation import validate_organisations, validate_production
from citycarbon.ingest.readers import read_table
from citycarbon.refdata.factor_book import load_factor_book
from citycarbon.services.demo_city import DemoFiles, write_demo_files

DATA = Path(__file__).resolve().parents[2] / "src" / "citycarbon" / "refdata" / "data"
TAIZHOU = {"331002", "331003", "331004", "331022", "331023", "331024", "331081", "331082", "331083"}
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
UNITS = {
    "fuel": {"t", "kg", "万立方米"},
    "electricity": {"MWh", "万千瓦时"},
    "heat": {"GJ"},
    "process": {"t"},
}


def generate_small(dest: Path, seed: int = 20231031) -> DemoFiles:
    return write_demo_files(dest, organisations=50, years=(2024,), seed=seed)


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return ALPHABET[(31 - total % 31) % 31]


def codes_in(path: Path, column: str) -> set[str]:
    with path.open(encoding="utf-8") as handle:
        return {row[column] for row in csv.DictReader(handle)}


def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_small(tmp_path_factory.mktemp("demo"))


def test_same_seed_writes_identical_bytes(small: DemoFiles, tmp_path: Path) -> None:
    again = generate_small(tmp_path / "again")
    other = generate_small(tmp_path / "other", seed=1)
    for name in ("organisations", "production", "activity"):
        assert getattr(again, name).read_bytes() == getattr(small, name).read_bytes()
        assert getattr(other, name).read_bytes() != getattr(small, name).read_bytes()


def test_headers_are_the_canonical_english_columns(small: DemoFiles) -> None:
    assert ",".join(read(small.organisations).columns) == "uscc,name,kind,industry_code,region_code,area_mu"
    assert ",".join(read(small.production).columns) == (
        "uscc,period,output_value_10k_cny,value_added_10k_cny"
    )
    assert ",".join(read(small.activity).columns) == (
        "uscc,site,period,category,item,quantity,unit,certificate"
    )


def test_organisations_have_valid_unique_codes_in_taizhou(small: DemoFiles) -> None:
    orgs = read(small.organisations)
    assert small.organisation_count == orgs.height == 50
    assert orgs["uscc"].n_unique() == orgs.height and orgs["name"].n_unique() == orgs.height
    for code, kind, region in orgs.select("uscc", "kind", "region_code").iter_rows():
        assert len(code) == 18 and code[-1] == check_character(code[:17])
        assert code[:2] == ("92" if kind == "individual_business" else "91")
        assert code[2:8] == region
    assert set(orgs["region_code"]) <= TAIZHOU
    assert set(orgs["kind"]) == {"enterprise", "individual_business", "park"}


def test_industry_codes_are_classes_of_the_platform_list(small: DemoFiles) -> None:
    with (DATA / "industries" / "2017.1" / "industries.csv").open(encoding="utf-8") as handle:
        classes = {row["code"] for row in csv.DictReader(handle) if row["level"] == "class"}
    assert set(read(small.organisations)["industry_code"]) <= classes


def test_activity_items_and_units_come_from_the_platform_lists(small: DemoFiles) -> None:
    items = {
        "fuel": codes_in(DATA / "fuel_catalogue" / "2024.1" / "fuels.csv", "fuel_code"),
        "process": codes_in(DATA / "process_emissions" / "2024.1" / "process_parameters.csv", "process_code"),
        "electricity": {"grid", "green"},
        "heat": {"steam"},
    }
    activity = read(small.activity)
    for category, item, unit in activity.select("category", "item", "unit").unique().iter_rows():
        assert item in items[category] and unit in UNITS[category], (category, item, unit)
    quantities = activity["quantity"].cast(pl.Float64)
    assert quantities.min() > 0
    assert activity["quantity"].str.contains(r"^\d+\.\d{3}$").all()


def test_activity_keys_are_unique_and_organisations_known(small: DemoFiles) -> None:
    activity = read(small.activity)
    key = ["uscc", "site", "period", "category", "item"]
    assert activity.select(key).is_duplicated().sum() == 0
    known = set(read(small.organisations)["uscc"])
    assert set(activity["uscc"]) <= known
    assert set(read(small.production)["uscc"]) <= known
    assert set(activity["period"]) == {f"2024-{month:02d}" for month in range(1, 13)}


def test_each_organisation_reports_two_to_eight_items(small: DemoFiles) -> None:
    counts = read(small.activity).group_by("uscc").agg(pl.col("item").n_unique())["item"]
    assert counts.min() >= 2 and counts.max() <= 8


def test_green_rows_and_only_green_rows_have_certificates(small: DemoFiles) -> None:
    activity = read(small.activity)
    green = activity["item"] == "green"
    assert activity.filter(green)["certificate"].str.contains(r"^GEC-2024-\d{6}$").all()
    assert activity.filter(~green)["certificate"].null_count() == activity.filter(~green).height


def test_row_counts_fit_the_size(small: DemoFiles) -> None:
    assert small.activity_rows == read(small.activity).height
    # 50 organisations x 12 months x 2-8 items, less firms that open during the year
    assert 50 * 12 * 2 * 0.8 <= small.activity_rows <= 50 * 12 * 5
    assert 50 * 12 * 0.7 <= read(small.production).height <= 50 * 12


def test_value_added_is_a_share_of_output_with_awkward_zero_months(small: DemoFiles) -> None:
    production = read(small.production).with_columns(pl.exclude("uscc", "period").cast(pl.Float64))
    reported = production.filter(pl.col("value_added_10k_cny") > 0)
    share = (reported["value_added_10k_cny"] / reported["output_value_10k_cny"]).median()
    assert 0.2 <= share <= 0.3
    assert (production["value_added_10k_cny"] == 0).sum() >= 2


def test_the_importer_accepts_every_file(small: DemoFiles) -> None:
    for path, validate in (
        (small.organisations, validate_organisations),
        (small.production, validate_production),
    ):
        raw = read_table(path, file_name=path.name)
        assert validate(raw.frame, dict(raw.header_mapping)).problems == []
    raw = read_table(small.activity, file_name=small.activity.name, kind="activity")
    checked = validate_activity(raw.frame, load_factor_book(), dict(raw.header_mapping))
    assert checked.problems == [] and checked.frame.height == small.activity_rows


@pytest.mark.slow
def test_default_city_is_large_and_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    files = write_demo_files(tmp_path)
    assert time.perf_counter() - started < 10
    assert files.organisation_count == 3000
    assert 300_000 <= files.activity_rows <= 500_000
