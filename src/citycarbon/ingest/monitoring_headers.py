"""Column vocabulary of the monitoring imports: outlets, readings and grid-company meter data.

Kept beside, not inside, the ledger vocabulary of :mod:`citycarbon.ingest.headers`, whose import
kinds are a closed set the ledger importer dispatches on. Matching follows the same rules
(NFKC, case-insensitive, explicit synonyms only), through the same :class:`Column` type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Literal, get_args

from citycarbon.domain.errors import Problem, ValidationFailed
from citycarbon.ingest.headers import (
    MSG_DUPLICATE_COLUMN,
    MSG_MISSING_COLUMN,
    MSG_NO_HEADER,
    MSG_UNKNOWN_COLUMN,
    Column,
    normalise_header,
)

MonitoringKind = Literal["outlets", "readings", "grid_meter"]
MONITORING_KINDS: tuple[MonitoringKind, ...] = get_args(MonitoringKind)

_USCC = Column("uscc", "统一社会信用代码", True, ("信用代码", "社会信用代码", "credit_code"))
_SITE = Column("site_code", "厂区代码", True, ("厂区", "站点", "site"))
_OUTLET = Column("outlet_code", "排放口编号", True, ("排口编号", "排放口", "outlet"))

MONITORING_VOCABULARY: Mapping[MonitoringKind, tuple[Column, ...]] = MappingProxyType(
    {
        "outlets": (
            _USCC,
            _SITE,
            _OUTLET,
            Column("name", "排放口名称", False, ("名称",), "Name of the outlet"),
            Column("medium", "排放类型", True, ("介质",), "air or water (废气, 废水)"),
            Column(
                "expected_interval_min",
                "数据间隔（分钟）",
                False,
                ("数据间隔(分钟)", "interval_min"),
                "Expected reporting interval in minutes, e.g. 60 for hourly data",
            ),
            Column("limit_profile", "排放限值", False, ("限值标准",), "Limit profile code"),
        ),
        "readings": (
            _USCC,
            _SITE,
            _OUTLET,
            Column("pollutant", "污染物", True, ("污染物代码",), "so2, nox, pm, vocs, co, cod, nh3n, tn, tp"),
            Column(
                "observed_at",
                "监测时间",
                True,
                ("时间", "observed"),
                "ISO time with zone, e.g. 2026-01-05T08:00+08:00",
            ),
            Column("value", "监测值", True, ("数值",), "Plain number without unit"),
            Column("unit", "单位", True, ("计量单位",), "mg/m3, mg/L, kg/h or kg"),
        ),
        "grid_meter": (
            _USCC,
            Column("period", "期间", True, ("年月", "统计期"), "Month as YYYY-MM"),
            Column("electricity", "用电量", True, ("电量",), "Metered electricity, a plain number"),
            Column("unit", "单位", True, ("计量单位",), "kWh, MWh or 万千瓦时"),
            Column("source_name", "数据来源", True, ("来源", "source"), "Grid company or meter operator"),
        ),
    }
)


def resolve_monitoring_headers(headers: Sequence[str], kind: MonitoringKind) -> dict[str, str]:
    """Match a header row against the vocabulary of ``kind``; every problem on row 1 at once.

    Raises
    ------
    ValidationFailed
        On a blank header row, unknown, duplicated or missing required columns.

    """
    if not any(normalise_header(cell) for cell in headers):
        raise ValidationFailed([Problem(MSG_NO_HEADER, row=1)])
    columns = MONITORING_VOCABULARY[kind]
    lookup = {normalise_header(h): column for column in columns for h in column.accepted_headers()}
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    allowed = ", ".join(column.display_name() for column in columns)
    for header in headers:
        if not normalise_header(header):
            continue
        column = lookup.get(normalise_header(header))
        if column is None:
            params = {"column": header, "allowed": allowed}
            problems.append(Problem(MSG_UNKNOWN_COLUMN, row=1, column=header, params=params))
        elif column.name in mapping:
            params = {"first": mapping[column.name], "column": header, "canonical": column.name}
            problems.append(Problem(MSG_DUPLICATE_COLUMN, row=1, column=header, params=params))
        else:
            mapping[column.name] = header
    problems += [
        Problem(MSG_MISSING_COLUMN, row=1, params={"column": column.display_name()})
        for column in columns
        if column.required and column.name not in mapping
    ]
    if problems:
        raise ValidationFailed(problems)
    return mapping
