"""Load indicator definitions: the shipped synergy index (CSV) and user definitions (YAML).

The shipped definition is a reference dataset like any other (sha256 against its manifest,
strict rows with ``source`` and ``status``). ``nodes.csv`` holds one node per row,
``pairwise.csv`` the upper triangle of each AHP matrix (the lower triangle is its reciprocal).
Both are assembled into the same plain structure a YAML definition has, and go through the same
validation, :func:`citycarbon.domain.indicators.definition.build_tree`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, field_validator

from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.indicators.definition import IndicatorTree, build_tree
from citycarbon.domain.indicators.fields import FIELD_NAMES
from citycarbon.domain.indicators.weights import parse_ratio
from citycarbon.refdata.loader import latest_version, load_dataset, read_manifest
from citycarbon.refdata.schema import SourcedRow, Status, Strict

SYNERGY_DATASET = "synergy_index"
RANDOM_INDEX_DATASET = "ahp_random_index"
MSG_DEFINITION_FILE = "Indicator definition {file} cannot be read: {detail}"


class RandomIndexRow(SourcedRow):
    """Saaty's random consistency index for one matrix size."""

    size: int = Field(ge=1)


class _Row(Strict):
    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


class NodeRow(_Row):
    """One row of ``nodes.csv`` (the columns of a YAML node, flattened)."""

    id: str
    parent: str | None = None
    name_zh: str
    name_en: str
    weight: float | None = None
    weighting: str | None = None
    aggregation: str | None = None
    formula: str | None = None
    unit: str | None = None
    direction: str | None = None
    normalisation: str | None = None
    target: float | None = None
    missing: str | None = None
    status: Status
    source: str = Field(min_length=1)
    note: str | None = None


class PairwiseRow(_Row):
    """One upper-triangle entry of an AHP matrix: how much more important ``row_id`` is."""

    parent_id: str
    row_id: str
    column_id: str
    value: str
    unit: str
    valid_from: int
    status: Status
    source: str = Field(min_length=1)
    note: str | None = None


@cache
def load_random_index(version: str | None = None) -> dict[int, float]:
    """Saaty's RI by matrix size."""
    rows = load_dataset(RANDOM_INDEX_DATASET, "random_index.csv", RandomIndexRow, version).rows
    return {row.size: row.value for row in rows}


def _reciprocal(text: str) -> float | str:
    try:
        return 1.0 / parse_ratio(text)
    except (ValueError, ZeroDivisionError):
        return text  # left for the definition's own check to report


def _matrix(parent: str, children: list[str], pairs: list[PairwiseRow]) -> dict[str, Any]:
    given = {(p.row_id, p.column_id): p.value for p in pairs if p.parent_id == parent}
    matrix: list[list[float | str]] = []
    for row in children:
        cells: list[float | str] = []
        for column in children:
            if row == column:
                cells.append(1.0)
            elif (row, column) in given:
                cells.append(given[(row, column)])
            elif (column, row) in given:
                cells.append(_reciprocal(given[(column, row)]))
            else:
                cells.append("missing")
        matrix.append(cells)
    return {"order": children, "matrix": matrix}


def shipped_definition_data(version: str | None = None) -> dict[str, Any]:
    """The shipped synergy index as plain data (the shape of a YAML definition)."""
    chosen = version or latest_version(SYNERGY_DATASET)
    manifest = read_manifest(SYNERGY_DATASET, chosen)
    nodes = load_dataset(SYNERGY_DATASET, "nodes.csv", NodeRow, chosen).rows
    pairs = list(load_dataset(SYNERGY_DATASET, "pairwise.csv", PairwiseRow, chosen).rows)
    specs = []
    for node in nodes:
        spec = {key: value for key, value in node.model_dump().items() if value is not None}
        if node.weighting == "ahp":
            children = [child.id for child in nodes if child.parent == node.id]
            spec["ahp"] = _matrix(node.id, children, pairs)
        specs.append(spec)
    return {
        "code": SYNERGY_DATASET,
        "version": chosen,
        "name_zh": "减污降碳协同指数",
        "name_en": "Pollution and carbon reduction synergy index",
        "source": manifest.document,
        "level_names": ["index", "dimension", "first_level", "second_level", "third_level"],
        "nodes": specs,
    }


@cache
def load_synergy_index(version: str | None = None) -> IndicatorTree:
    """The shipped synergy index, validated (newest version unless named)."""
    return build_tree(shipped_definition_data(version), fields=FIELD_NAMES, random_index=load_random_index())


def load_definition_file(path: Path) -> IndicatorTree:
    """Read and validate a YAML definition file.

    Raises
    ------
    CityCarbonError
        When the file cannot be read or is not a YAML mapping.
    IndicatorDefinitionInvalid
        When the definition itself is malformed (every problem with its location).

    """
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CityCarbonError(
            MSG_DEFINITION_FILE, file=path.name, detail=str(error).splitlines()[0]
        ) from None
    if not isinstance(raw, dict):
        raise CityCarbonError(MSG_DEFINITION_FILE, file=path.name, detail="not a mapping")
    return build_tree(raw, fields=FIELD_NAMES, random_index=load_random_index())
