"""Settings of a rating: benchmark level, peer minimum and method, and watch-list rules.

Everything a reader needs to reproduce a grade is a value here and is stored with the rating
run: which GB/T 4754 level the benchmark starts at, how many peers it needs before falling
back one level up, and how the peers' intensities are averaged.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

BenchmarkLevel = Literal["class", "group", "division"]
BenchmarkMethod = Literal["total_ratio", "emissions_weighted_mean", "median"]
PercentileScope = Literal["all", "prefecture", "county"]

#: Fallback order of benchmark levels, finest first (GB/T 4754: 小类 → 中类 → 大类).
FALLBACK: tuple[BenchmarkLevel, ...] = ("class", "group", "division")


class BenchmarkSettings(BaseModel):
    """How an industry benchmark is computed from the region's own data.

    Parameters
    ----------
    level
        Finest GB/T 4754 level tried first; coarser levels are tried when a group has fewer
        than ``min_peers`` rated firms.
    min_peers
        Minimum number of firms with valid data for a benchmark [count].
    method
        ``total_ratio`` — industry emissions ÷ industry value added, the Huzhou method's
        "industry average L" (equal to the value-added-weighted mean of intensities);
        ``emissions_weighted_mean`` — Σ E·L / Σ E; ``median`` — the peers' median L, robust to
        one very large firm.

    References
    ----------
    《规上工业企业碳效等级评价方法》: K = L_enterprise / L_industry, same period.

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: BenchmarkLevel = "class"
    min_peers: int = Field(default=5, ge=1)
    method: BenchmarkMethod = "total_ratio"

    @property
    def levels(self) -> tuple[BenchmarkLevel, ...]:
        """Levels tried, finest first, starting at ``level``."""
        return FALLBACK[FALLBACK.index(self.level) :]


class WatchRule(BaseModel):
    """A watch-list rule: every condition given must hold (conditions left empty are ignored).

    Parameters
    ----------
    rule_code
        Stored with every entry, so each listed firm shows the rule that put it there.
    min_energy_tce
        Energy use in the rated period at or above this [tce].
    grades
        Grade ranks that qualify (e.g. 4 and 5).
    max_output_per_mu_percentile
        Output value per mu at or below this percentile of the scope's rated firms [%].
    percentile_scope
        Population of the percentile: the whole rating, or each prefecture or county.

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str
    name_en: str
    min_energy_tce: float | None = Field(default=None, ge=0)
    grades: tuple[int, ...] = ()
    max_output_per_mu_percentile: float | None = Field(default=None, gt=0, lt=100)
    percentile_scope: PercentileScope = "all"

    @model_validator(mode="after")
    def _has_a_condition(self) -> WatchRule:
        if self.min_energy_tce is None and not self.grades and self.max_output_per_mu_percentile is None:
            raise ValueError(f"watch rule {self.rule_code} has no condition")
        return self


def year_earlier(period_code: str) -> str:
    """Code of the same period one year earlier (``2024-Q1`` → ``2023-Q1``), for year-on-year change.

    Examples
    --------
    >>> year_earlier("2024"), year_earlier("2024-Q3"), year_earlier("2024-07")
    ('2023', '2023-Q3', '2023-07')

    """
    return f"{int(period_code[:4]) - 1}{period_code[4:]}"
