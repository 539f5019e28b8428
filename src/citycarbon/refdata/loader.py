"""Load a dataset version: read its manifest, check every file's sha256, validate every row.

Loading happens once per process (cached) and at start-up, so that a tampered or malformed
reference file stops the platform before it computes a single figure with it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from citycarbon.domain.errors import ReferenceDataError
from citycarbon.refdata.schema import Manifest

RowT = TypeVar("RowT", bound=BaseModel)


@dataclass(frozen=True)
class Dataset(Generic[RowT]):
    """A validated dataset version: its manifest and the rows of one of its files."""

    manifest: Manifest
    rows: tuple[RowT, ...]

    @property
    def factor_set(self) -> str:
        """Identifier of the set, ``<dataset>@<version>``, recorded in every result's lineage."""
        return f"{self.manifest.dataset}@{self.manifest.version}"


def data_root() -> Traversable:
    """Folder holding ``<dataset>/<version>/`` directories inside the installed package."""
    return resources.files("citycarbon.refdata") / "data"


def versions(dataset: str) -> list[str]:
    """All shipped versions of ``dataset``, oldest first (versions sort as dotted numbers)."""
    folder = data_root() / dataset
    if not folder.is_dir():
        raise ReferenceDataError("Unknown reference dataset '{dataset}'", dataset=dataset)
    names = [entry.name for entry in folder.iterdir() if entry.is_dir()]
    return sorted(names, key=lambda v: [int(p) if p.isdigit() else p for p in v.split(".")])


def latest_version(dataset: str) -> str:
    """Newest shipped version of ``dataset``."""
    return versions(dataset)[-1]


def read_manifest(dataset: str, version: str) -> Manifest:
    """Parse and validate a manifest."""
    path = data_root() / dataset / version / "manifest.yaml"
    if not path.is_file():
        raise ReferenceDataError(
            "Reference dataset {dataset} has no version {version}", dataset=dataset, version=version
        )
    try:
        return Manifest.model_validate(yaml.safe_load(path.read_text("utf-8")))
    except ValidationError as error:
        raise ReferenceDataError(
            "Manifest of {dataset}@{version} is invalid: {error}",
            dataset=dataset,
            version=version,
            error=_first_error(error),
        ) from None


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


def _verified_text(dataset: str, version: str, manifest: Manifest, file_name: str) -> str:
    entry = manifest.files.get(file_name)
    if entry is None:
        raise ReferenceDataError(
            "{file} is not listed in the manifest of {dataset}@{version}",
            file=file_name,
            dataset=dataset,
            version=version,
        )
    raw = (data_root() / dataset / version / file_name).read_bytes()
    if hashlib.sha256(raw).hexdigest() != entry.sha256:
        raise ReferenceDataError(
            "{dataset}@{version}/{file} does not match its sha256; published reference data is "
            "immutable, so a changed value needs a new version",
            dataset=dataset,
            version=version,
            file=file_name,
        )
    return raw.decode("utf-8")


@cache
def _load(dataset: str, version: str, file_name: str, model: type[Any]) -> Dataset[Any]:
    manifest = read_manifest(dataset, version)
    text = _verified_text(dataset, version, manifest, file_name)
    rows = []
    for number, record in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            rows.append(model.model_validate(record))
        except ValidationError as error:
            raise ReferenceDataError(
                "{dataset}@{version}/{file} row {row}: {error}",
                dataset=dataset,
                version=version,
                file=file_name,
                row=number,
                error=_first_error(error),
            ) from None
    return Dataset(manifest=manifest, rows=tuple(rows))


def load_dataset(
    dataset: str, file_name: str, model: type[RowT], version: str | None = None
) -> Dataset[RowT]:
    """Load one file of a dataset version (the newest when ``version`` is not given)."""
    return _load(dataset, version or latest_version(dataset), file_name, model)
