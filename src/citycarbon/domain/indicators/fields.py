"""The data fields an indicator formula may read: one column each of the facts frame.

Every field is additive (a sum over enterprises), so the facts of a district, a city or an
industrial park are the sums of its members' facts and ratios are taken afterwards (ratio of
sums, not mean of ratios). Counts such as ``grade_1_count`` turn categorical data into sums.
``_prev_`` fields hold the same quarter of the year before, for year-on-year changes.
"""

from __future__ import annotations

from typing import NamedTuple


class FactField(NamedTuple):
    """A data field: name, unit (pint string or ``count``), Chinese and English labels."""

    name: str
    unit: str
    label_zh: str
    label_en: str


FACT_FIELDS: tuple[FactField, ...] = (
    FactField("emissions_tco2e", "tCO2e", "碳排放总量", "Total emissions"),
    FactField("scope1_tco2e", "tCO2e", "直接排放", "Scope 1 emissions"),
    FactField("scope2_tco2e", "tCO2e", "间接排放", "Scope 2 emissions"),
    FactField("process_tco2e", "tCO2e", "工业过程排放", "Process emissions"),
    FactField("energy_tce", "tce", "综合能耗", "Energy use"),
    FactField("coal_tce", "tce", "煤炭消费", "Coal use"),
    FactField("oil_tce", "tce", "油品消费", "Oil use"),
    FactField("gas_tce", "tce", "天然气等气体燃料消费", "Gas use"),
    FactField("electricity_grid_mwh", "MWh", "电网购电", "Grid electricity"),
    FactField("electricity_green_mwh", "MWh", "绿电", "Green electricity"),
    FactField("heat_gj", "GJ", "外购热力", "Purchased heat"),
    FactField("value_added_10k_cny", "10^4 CNY", "工业增加值", "Value added"),
    FactField("output_value_10k_cny", "10^4 CNY", "工业总产值", "Output value"),
    FactField("area_mu", "mu", "用地面积", "Land area"),
    FactField("organisation_count", "count", "企业数", "Enterprises"),
    FactField("reported_count", "count", "已报送碳账户企业数", "Enterprises with ledger data"),
    FactField("rated_count", "count", "已评碳效企业数", "Enterprises with a carbon-efficiency grade"),
    FactField("grade_1_count", "count", "碳效1级企业数", "Grade 1 enterprises"),
    FactField("grade_2_count", "count", "碳效2级企业数", "Grade 2 enterprises"),
    FactField("grade_3_count", "count", "碳效3级企业数", "Grade 3 enterprises"),
    FactField("grade_4_count", "count", "碳效4级企业数", "Grade 4 enterprises"),
    FactField("grade_5_count", "count", "碳效5级企业数", "Grade 5 enterprises"),
    FactField("monitored_count", "count", "在线监测企业数", "Enterprises with monitoring data"),
    FactField("so2_t", "t", "二氧化硫排放量", "SO2 emitted"),
    FactField("nox_t", "t", "氮氧化物排放量", "NOx emitted"),
    FactField("pm_t", "t", "颗粒物排放量", "Particulate matter emitted"),
    FactField("vocs_t", "t", "挥发性有机物排放量", "VOCs emitted"),
    FactField("cod_t", "t", "化学需氧量排放量", "COD discharged"),
    FactField("nh3n_t", "t", "氨氮排放量", "Ammonia nitrogen discharged"),
    FactField("warning_count", "count", "超标预警数", "Warnings"),
    FactField("case_count", "count", "整改案件数", "Rectification cases"),
    FactField("case_closed_count", "count", "已办结案件数", "Cases closed"),
    FactField("case_closed_on_time_count", "count", "按期办结案件数", "Cases closed on time"),
    FactField("emissions_prev_tco2e", "tCO2e", "上年同期碳排放", "Emissions, same quarter last year"),
    FactField("energy_prev_tce", "tce", "上年同期能耗", "Energy use, same quarter last year"),
    FactField(
        "value_added_prev_10k_cny", "10^4 CNY", "上年同期增加值", "Value added, same quarter last year"
    ),
    FactField("so2_prev_t", "t", "上年同期二氧化硫", "SO2, same quarter last year"),
    FactField("nox_prev_t", "t", "上年同期氮氧化物", "NOx, same quarter last year"),
    FactField("cod_prev_t", "t", "上年同期化学需氧量", "COD, same quarter last year"),
    FactField("nh3n_prev_t", "t", "上年同期氨氮", "Ammonia nitrogen, same quarter last year"),
)

FIELD_NAMES: frozenset[str] = frozenset(field.name for field in FACT_FIELDS)
