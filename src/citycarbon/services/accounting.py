"""Account activity files without a database (``citycarbon account``) and shape the result.

The same engine serves the database path; here the result is turned into the documented JSON
structure: one entry per organisation and period, each line with its factor lineage.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from citycarbon.domain.errors import CityCarbonError, Problem, ValidationFailed
from citycarbon.domain.ledger.factors import FactorBook
from citycarbon.engines.accounting import AccountingResult, account
from citycarbon.engines.activity_validation import validate_activity
from citycarbon.engines.factor_table import AccountingOptions
from citycarbon.ingest.readers import read_table
from citycarbon.refdata.factor_book import load_factor_book

MSG_ACROSS_FILES = (
    "The same organisation, site, period and item appears in more than one file ({file} row {row})"
)


class FilesRejected(CityCarbonError):
    """One or more input files had problems; nothing was computed or written."""

    def __init__(self, failures: dict[str, list[Problem]]) -> None:
        self.failures = failures
        total = sum(len(p) for p in failures.values())
        super().__init__("{count} problem(s) found; nothing was written", count=total)


def read_activity_files(
    paths: Sequence[str | os.PathLike[str]], book: FactorBook, legacy_codes: Collection[str] = ()
) -> pl.DataFrame:
    """Read and validate activity files; raise :class:`FilesRejected` listing every problem."""
    failures: dict[str, list[Problem]] = {}
    frames = []
    for path in paths:
        name = Path(path).name
        try:
            raw = read_table(path, file_name=name, kind="activity")
        except ValidationFailed as error:
            failures[name] = error.problems
            continue
        checked = validate_activity(raw.frame, book, dict(raw.header_mapping), legacy_codes)
        if checked.problems:
            failures[name] = checked.problems
        frames.append(checked.frame.with_columns(pl.lit(name).alias("file_name")))
    if failures:
        raise FilesRejected(failures)
    combined = pl.concat(frames)
    duplicates = combined.filter(pl.struct("uscc", "site", "period", "category", "item_code").is_duplicated())
    if duplicates.height:
        rows = duplicates.select("file_name", "row_number").iter_rows()
        raise FilesRejected(
            {
                "(all files)": [
                    Problem(
                        MSG_ACROSS_FILES,
                        params={"file": f, "row": r},
                    )
                    for f, r in rows
                ]
            }
        )
    return combined


def account_files(
    paths: Sequence[str | os.PathLike[str]],
    options: AccountingOptions | None = None,
    legacy_codes: Collection[str] = (),
) -> AccountingResult:
    """Validate and account activity files entirely in memory."""
    options = options or AccountingOptions()
    book = load_factor_book(options.fuel_set)
    return account(read_activity_files(paths, book, legacy_codes), book, options)


def _lineage(line: dict[str, Any]) -> dict[str, Any]:
    factor_set, _, rest = line["lineage_id"].partition("@")
    version, _, key = rest.partition(":")
    unit = line["canonical_unit"]
    return {
        "lineage_id": line["lineage_id"],
        "factor_set": factor_set,
        "factor_version": version or None,
        "factor_key": key or factor_set,
        "emission_factor": line["emission_factor"],
        "emission_factor_unit": f"tCO2/{unit}",
        "ncv_gj_per_unit": line["ncv_gj_per_unit"],
        "carbon_content_tc_per_gj": line["carbon_content_tc_per_gj"],
        "oxidation_rate": line["oxidation_rate"],
        "tce_per_unit": line["tce_per_unit"],
        "tce_lineage_id": line["tce_lineage"],
        "scope2_method": line["scope2_method"] if line["category"] == "electricity" else None,
        "source": line["factor_source"],
        "status": line["factor_status"],
        "flags": [f for f in (line["flags"] or "").split(",") if f],
    }


def result_documents(result: AccountingResult, options: AccountingOptions) -> list[dict[str, Any]]:
    """Shape a result as the JSON documents ``citycarbon account --json`` prints."""
    book = load_factor_book(options.fuel_set)
    lines: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for line in result.lines.iter_rows(named=True):
        lines[(line["uscc"], line["period"])].append(
            {
                "row": line.get("row_number"),
                "file": line.get("file_name"),
                "category": line["category"],
                "item": line["item_code"],
                "quantity": line["quantity"],
                "unit": line["unit"],
                "quantity_canonical": line["quantity_canonical"],
                "canonical_unit": line["canonical_unit"],
                "tco2e": line["emissions_tco2e"],
                "energy_tce": line["energy_tce"],
                "lineage": _lineage(line),
            }
        )
    documents = []
    for total in result.totals.iter_rows(named=True):
        documents.append(
            {
                "uscc": total["uscc"],
                "period": total["period"],
                "scope1_tco2e": total["scope1_tco2e"],
                "scope2_tco2e": total["scope2_tco2e"],
                "total_tco2e": total["total_tco2e"],
                "energy_tce": total["energy_tce"],
                "scope2_method": "market" if total["uses_market"] else "location",
                "scope2_location_tco2e": total["scope2_location_tco2e"],
                "scope2_market_tco2e": total["scope2_market_tco2e"],
                "options": {
                    "grid": options.grid_code,
                    "gwp": options.gwp_metric,
                    "include_non_co2": options.include_non_co2,
                },
                "factor_sets": book.factor_sets,
                "lines": lines[(total["uscc"], total["period"])],
            }
        )
    return documents
