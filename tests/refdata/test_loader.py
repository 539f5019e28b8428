"""Reference data loading: every shipped dataset validates, digests match, tampering is caught."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from citycarbon.domain.errors import ReferenceDataError
from citycarbon.refdata import loader
from citycarbon.refdata.codes import IndustryRow, RegionRow
from citycarbon.refdata.schema import (
    FuelParameterRow,
    FuelRow,
    GridFactorRow,
    GridRow,
    GwpRow,
    HeatFactorRow,
    NonCo2Row,
    ProcessParameterRow,
    StandardCoalRow,
)

#: The strict row model of the shipped files this suite knows; files of datasets added later are
#: still loaded (digest, manifest and CSV checked) with the permissive :class:`AnyRow`.
MODELS: dict[tuple[str, str], type[BaseModel]] = {
    ("fuel_catalogue", "fuels.csv"): FuelRow,
    ("fuel_cn_gbt32151", "parameters.csv"): FuelParameterRow,
    ("fuel_cn_alt", "parameters.csv"): FuelParameterRow,
    ("grid_catalogue", "grids.csv"): GridRow,
    ("grid_electricity", "grid_factors.csv"): GridFactorRow,
    ("gwp100", "gwp.csv"): GwpRow,
    ("heat_purchased", "heat_factors.csv"): HeatFactorRow,
    ("industries", "industries.csv"): IndustryRow,
    ("process_emissions", "process_parameters.csv"): ProcessParameterRow,
    ("regions", "regions.csv"): RegionRow,
    ("standard_coal_gbt2589", "coefficients.csv"): StandardCoalRow,
    ("stationary_non_co2", "emission_factors.csv"): NonCo2Row,
}
FACTOR_DATASETS = {
    "fuel_cn_gbt32151",
    "fuel_cn_alt",
    "grid_electricity",
    "gwp100",
    "heat_purchased",
    "process_emissions",
    "standard_coal_gbt2589",
    "stationary_non_co2",
}

SHIPPED = Path(str(loader.data_root()))


class AnyRow(BaseModel):
    """Any CSV row; used for datasets whose own schema lives with their (other) loader."""

    model_config = ConfigDict(extra="allow", frozen=True)


def _version_dirs() -> list[tuple[str, str, Path]]:
    return sorted(
        (dataset.name, version.name, version)
        for dataset in SHIPPED.iterdir()
        if dataset.is_dir()
        for version in dataset.iterdir()
        if version.is_dir()
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    loader._load.cache_clear()
    yield
    loader._load.cache_clear()


@pytest.fixture
def copy_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> Path:
    """A writable copy of the heat dataset that the loader reads instead of the shipped data."""
    root = tmp_path / "data"
    shutil.copytree(SHIPPED / "heat_purchased", root / "heat_purchased")
    monkeypatch.setattr(loader, "data_root", lambda: root)
    return root


HEAT = ("heat_purchased", "2015.1", "heat_factors.csv")


def _heat_paths(root: Path) -> tuple[Path, Path]:
    folder = root / HEAT[0] / HEAT[1]
    return folder / HEAT[2], folder / "manifest.yaml"


def _rewrite(root: Path, edit: Callable[[str], str]) -> None:
    """Edit the heat CSV and re-sign the manifest, so only the schema can object."""
    data, manifest = _heat_paths(root)
    data.write_text(edit(data.read_text("utf-8")), "utf-8")
    document = yaml.safe_load(manifest.read_text("utf-8"))
    document["files"][HEAT[2]]["sha256"] = _sha256(data)
    manifest.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")


def test_the_data_folder_holds_the_known_datasets() -> None:
    assert {dataset for dataset, _ in MODELS} <= {dataset for dataset, _, _ in _version_dirs()}


@pytest.mark.parametrize(
    ("dataset", "version", "folder"), _version_dirs(), ids=[f"{d}@{v}" for d, v, _ in _version_dirs()]
)
def test_every_shipped_dataset_loads(dataset: str, version: str, folder: Path) -> None:
    manifest = loader.read_manifest(dataset, version)
    assert manifest.dataset == dataset
    assert manifest.version == version
    assert manifest.files, "a manifest lists at least one file"
    for file_name in manifest.files:
        model = MODELS.get((dataset, file_name), AnyRow)
        loaded = loader.load_dataset(dataset, file_name, model, version)
        lines = (folder / file_name).read_text("utf-8").splitlines()
        assert len(loaded.rows) >= 1
        assert len(loaded.rows) <= len(lines) - 1  # header excluded; quoted cells may span lines
        assert loaded.factor_set == f"{dataset}@{version}"


@pytest.mark.parametrize(
    ("dataset", "version", "folder"), _version_dirs(), ids=[f"{d}@{v}" for d, v, _ in _version_dirs()]
)
def test_manifest_digests_match(dataset: str, version: str, folder: Path) -> None:
    document = yaml.safe_load((folder / "manifest.yaml").read_text("utf-8"))
    listed = document["files"]
    on_disk = {p.name for p in folder.iterdir() if p.is_file() and p.name != "manifest.yaml"}
    assert set(listed) == on_disk
    for name, entry in listed.items():
        assert entry["sha256"] == _sha256(folder / name), name


def test_latest_version_of_every_dataset_is_loadable() -> None:
    for dataset in {d for d, _, _ in _version_dirs()}:
        assert loader.latest_version(dataset) == loader.versions(dataset)[-1]


@pytest.mark.parametrize("dataset", sorted(FACTOR_DATASETS))
def test_every_factor_row_has_a_source(dataset: str) -> None:
    version = loader.latest_version(dataset)
    manifest = loader.read_manifest(dataset, version)
    for file_name in manifest.files:
        rows = loader.load_dataset(dataset, file_name, MODELS[(dataset, file_name)], version).rows
        for row in rows:
            source = row.source  # type: ignore[attr-defined]
            assert isinstance(source, str) and source.strip(), row


def test_tampered_value_is_rejected(copy_root: Path) -> None:
    data, _ = _heat_paths(copy_root)
    text = data.read_text("utf-8")
    assert "steam,0.11," in text
    data.write_text(text.replace("steam,0.11,", "steam,0.12,", 1), "utf-8")
    with pytest.raises(ReferenceDataError) as caught:
        loader.load_dataset("heat_purchased", "heat_factors.csv", HeatFactorRow, "2015.1")
    assert "sha256" in str(caught.value)
    assert "heat_factors.csv" in str(caught.value)


def test_untampered_copy_loads(copy_root: Path) -> None:
    rows = loader.load_dataset("heat_purchased", "heat_factors.csv", HeatFactorRow, "2015.1").rows
    assert {row.item_code: row.value for row in rows} == {"steam": 0.11, "hot_water": 0.11}


def test_unknown_column_is_rejected(copy_root: Path) -> None:
    def add_column(text: str) -> str:
        lines = text.splitlines()
        return "\n".join([lines[0] + ",extra", *(line + ",x" for line in lines[1:])]) + "\n"

    _rewrite(copy_root, add_column)
    with pytest.raises(ReferenceDataError) as caught:
        loader.load_dataset("heat_purchased", "heat_factors.csv", HeatFactorRow, "2015.1")
    assert "row 2" in str(caught.value)
    assert "extra" in str(caught.value)


def test_missing_source_column_is_rejected(copy_root: Path) -> None:
    def drop_source(text: str) -> str:
        return "item_code,value,unit,valid_from,status\nsteam,0.11,tCO2/GJ,2013,PARTIAL\n"

    _rewrite(copy_root, drop_source)
    with pytest.raises(ReferenceDataError, match="source"):
        loader.load_dataset("heat_purchased", "heat_factors.csv", HeatFactorRow, "2015.1")


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("steam,0.11,bananas/GJ,2013,PARTIAL,src,", "unit"),
        ("steam,0.11,tCO2/GJ,2013,MAYBE,src,", "status"),
        ("steam,abc,tCO2/GJ,2013,PARTIAL,src,", "value"),
        ("coal,0.11,tCO2/GJ,2013,PARTIAL,src,", "item_code"),
        ("steam,0.11,tCO2/GJ,2013,PARTIAL,,note", "source"),
        ('steam,0.11,tCO2/GJ,2013,PARTIAL,"   ",note', "source"),
    ],
)
def test_malformed_rows_are_rejected(copy_root: Path, row: str, fragment: str) -> None:
    _rewrite(copy_root, lambda _: f"item_code,value,unit,valid_from,status,source,note\n{row}\n")
    with pytest.raises(ReferenceDataError) as caught:
        loader.load_dataset("heat_purchased", "heat_factors.csv", HeatFactorRow, "2015.1")
    assert fragment in str(caught.value)
    assert "row 2" in str(caught.value)


def test_file_not_in_manifest_is_rejected(copy_root: Path) -> None:
    folder = copy_root / HEAT[0] / HEAT[1]
    shutil.copy(folder / HEAT[2], folder / "other.csv")
    with pytest.raises(ReferenceDataError, match="not listed"):
        loader.load_dataset("heat_purchased", "other.csv", HeatFactorRow, "2015.1")


def test_invalid_manifest_is_rejected(copy_root: Path) -> None:
    _, manifest = _heat_paths(copy_root)
    document = yaml.safe_load(manifest.read_text("utf-8"))
    document["files"][HEAT[2]]["sha256"] = "not-a-digest"
    manifest.write_text(yaml.safe_dump(document), "utf-8")
    with pytest.raises(ReferenceDataError, match="Manifest"):
        loader.read_manifest("heat_purchased", "2015.1")


def test_unknown_dataset_and_version(fresh_cache: None) -> None:
    with pytest.raises(ReferenceDataError, match="Unknown reference dataset"):
        loader.versions("no_such_dataset")
    with pytest.raises(ReferenceDataError, match="no version"):
        loader.read_manifest("heat_purchased", "1999.1")


def test_versions_sort_as_dotted_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("2024.10", "2024.2", "2023.9", "2024.1", "2025.1"):
        (tmp_path / "ds" / name).mkdir(parents=True)
    (tmp_path / "ds" / "README").write_text("not a version", "utf-8")
    monkeypatch.setattr(loader, "data_root", lambda: tmp_path)
    assert loader.versions("ds") == ["2023.9", "2024.1", "2024.2", "2024.10", "2025.1"]
    assert loader.latest_version("ds") == "2025.1"
    (tmp_path / "ds" / "2025.1").rmdir()
    assert loader.latest_version("ds") == "2024.10"  # lexical order would say 2024.2
