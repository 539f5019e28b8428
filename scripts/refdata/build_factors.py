"""Build citycarbon's versioned factor files from the research tables in ``shared/reference``.

Run once when a new version of the research tables arrives; the output is committed and never
regenerated at run time. Published versions are immutable: to correct a value, bump
``--version`` and keep the old directory.

Usage: python scripts/refdata/build_factors.py ../shared/reference
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parents[2] / "src" / "citycarbon" / "refdata" / "data"

FUEL_CODES = {
    "raw coal": "raw_coal",
    "anthracite": "anthracite",
    "bituminous coal": "bituminous_coal",
    "lignite": "lignite",
    "washed coal": "washed_coal",
    "other washed coal": "other_washed_coal",
    "briquette": "briquette",
    "other coal products": "other_coal_products",
    "coke": "coke",
    "petroleum coke": "petroleum_coke",
    "crude oil": "crude_oil",
    "fuel oil": "fuel_oil",
    "gasoline": "gasoline",
    "diesel": "diesel",
    "kerosene": "kerosene",
    "jet kerosene": "jet_kerosene",
    "LNG": "lng",
    "LPG": "lpg",
    "naphtha": "naphtha",
    "coal tar": "coal_tar",
    "crude benzene": "crude_benzene",
    "other petroleum products": "other_petroleum_products",
    "natural gas": "natural_gas",
    "blast furnace gas": "blast_furnace_gas",
    "converter gas": "converter_gas",
    "coke oven gas": "coke_oven_gas",
    "refinery dry gas": "refinery_dry_gas",
    "other coal gas": "other_coal_gas",
    "closed calcium-carbide furnace gas": "carbide_furnace_gas",
}
# IPCC 2006 fuel family for CH4/N2O defaults (Vol. 2 Ch. 2 Table 2.3).
FAMILY = {
    "raw_coal": "coal",
    "anthracite": "coal",
    "bituminous_coal": "coal",
    "lignite": "coal",
    "washed_coal": "coal",
    "other_washed_coal": "coal",
    "briquette": "coal",
    "other_coal_products": "coal",
    "coke": "coal",
    "coal_tar": "coal",
    "petroleum_coke": "oil",
    "crude_oil": "oil",
    "fuel_oil": "oil",
    "gasoline": "oil",
    "diesel": "oil",
    "kerosene": "oil",
    "jet_kerosene": "oil",
    "naphtha": "oil",
    "crude_benzene": "oil",
    "other_petroleum_products": "oil",
    "lng": "gas",
    "lpg": "gas",
    "natural_gas": "gas",
    "refinery_dry_gas": "gas",
    "blast_furnace_gas": "gas",
    "converter_gas": "gas",
    "coke_oven_gas": "gas",
    "other_coal_gas": "gas",
    "carbide_furnace_gas": "gas",
}
ALIASES = {
    "kerosene": "煤油;一般煤油",
    "natural_gas": "天然气;NG",
    "lng": "液化天然气;LNG",
    "lpg": "液化石油气;LPG",
    "diesel": "柴油;0号柴油",
    "gasoline": "汽油",
}
GRID_CODES = {
    "CN": "national",
    "华北": "north_china",
    "东北": "northeast",
    "华东": "east_china",
    "华中": "central_china",
    "西北": "northwest",
    "南方": "south_china",
    "西南": "southwest",
    "浙江": "zhejiang",
    "上海": "shanghai",
    "江苏": "jiangsu",
    "安徽": "anhui",
    "福建": "fujian",
    "江西": "jiangxi",
}
SERIES = {
    "national_average": ("national", "location"),
    "regional_average": (None, "location"),
    "provincial_average": (None, "location"),
    "national_excl_market_nonfossil": ("national_residual", "residual"),
    "national_fossil": ("national_fossil", "fossil"),
}


def write(
    dataset: str, version: str, name: str, rows: list[dict[str, object]], meta: dict[str, object]
) -> None:
    """Write one data file and its manifest with the file's sha256."""
    folder = OUT / dataset / version
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {"dataset": dataset, "version": version, **meta, "files": {name: {"sha256": digest}}}
    (folder / "manifest.yaml").write_text(
        yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), "utf-8"
    )


def build_fuels(ref: Path) -> None:
    """Fuel catalogue plus one parameter set per source table (set A and set B)."""
    catalogue: dict[str, dict[str, object]] = {}
    sets: dict[str, list[dict[str, object]]] = {"A": [], "B": []}
    for row in csv.DictReader((ref / "fuels.csv").open(encoding="utf-8")):
        if row["set_id"] not in sets:
            continue
        code = FUEL_CODES[row["fuel_en"]]
        unit = "t" if row["activity_unit"] == "t" else "e4Nm3"
        catalogue.setdefault(
            code,
            {
                "fuel_code": code,
                "name_zh": row["fuel_cn"],
                "name_en": row["fuel_en"],
                "aliases": ALIASES.get(code, ""),
                "activity_unit": unit,
                "ipcc_family": FAMILY[code],
                "source": "GB/T 32151.22-2024 Appendix C Table C.1 fuel list; IPCC 2006 Vol.2 Ch.2 fuel families",
            },
        )
        common = {"fuel_code": code, "valid_from": 2015, "status": row["status"], "source": row["source"]}
        per = "GJ/t" if unit == "t" else "GJ/e4Nm3"
        sets[row["set_id"]] += [
            {
                **common,
                "parameter": "ncv",
                "value": row["ncv"],
                "unit": per,
                "note": f"implied EF {row['implied_ef_tCO2_per_unit']} tCO2/{unit}",
            },
            {
                **common,
                "parameter": "carbon_content",
                "value": row["cc_tC_per_GJ"],
                "unit": "tC/GJ",
                "note": "",
            },
            {
                **common,
                "parameter": "oxidation_rate",
                "value": row["oxidation_rate"],
                "unit": "dimensionless",
                "note": "",
            },
        ]
    order = ["fuel_code", "parameter", "value", "unit", "valid_from", "status", "source", "note"]
    write(
        "fuel_catalogue",
        "2024.1",
        "fuels.csv",
        list(catalogue.values()),
        {
            "title": "Fuels the ledger knows, with Chinese names and activity units",
            "publisher": "citycarbon",
            "document": "GB/T 32151.22-2024 Appendix C (fuel list)",
            "url": "",
            "published": "2024",
            "licence": "facts; no copyright claimed",
            "valid_from_year": 2015,
            "valid_to_year": None,
        },
    )
    write(
        "fuel_cn_gbt32151",
        "2024.1",
        "parameters.csv",
        [{k: r[k] for k in order} for r in sets["A"]],
        {
            "title": "Default fossil-fuel parameters (set A: NCV, carbon content per unit heat, oxidation rate)",
            "publisher": "SAMR/SAC; NDRC (2015 third-batch guidelines)",
            "document": "GB/T 32151.22-2024 附录C 表C.1 常用化石燃料相关参数缺省值; 工业其他行业企业温室气体排放核算方法与报告指南（试行）",
            "url": "",
            "published": "2024-12-31",
            "licence": "standard text; values are facts",
            "valid_from_year": 2015,
            "valid_to_year": None,
        },
    )
    write(
        "fuel_cn_alt",
        "2013.1",
        "parameters.csv",
        [{k: r[k] for k in order} for r in sets["B"]],
        {
            "title": "Alternative fossil-fuel parameter table (set B; attribution to the 2013 chemical guide UNVERIFIED)",
            "publisher": "NDRC (attribution UNVERIFIED)",
            "document": "DEFAULT_FUEL_TYPES table, public transcription",
            "url": "",
            "published": "2013",
            "licence": "values are facts",
            "valid_from_year": 2013,
            "valid_to_year": None,
        },
    )


def build_grid(ref: Path) -> None:
    """Electricity factors of the MEE+NBS statistical series and the ETS series, plus heat."""
    rows: list[dict[str, object]] = []
    for row in csv.DictReader((ref / "grid_factors.csv").open(encoding="utf-8")):
        if not row["value"] or row["factor"] == "heat_default":
            continue
        if row["factor"] == "national_grid_ets":
            year = {"0.6101": 2019, "0.581": 2021, "0.5703": 2023}[row["value"]]
            grid, method = "national_ets", "ets"
            note = f"ETS compliance series; applies from data year {year}: {row['use']}"
        else:
            fixed, method = SERIES[row["factor"]]
            grid = fixed or GRID_CODES[row["region"]]
            year, note = int(row["data_year"]), row["use"]
        rows.append(
            {
                "grid_code": grid,
                "method": method,
                "value": row["value"],
                "unit": row["unit"].replace("tCO2/MWh", "tCO2/MWh"),
                "valid_from": year,
                "document": row["document"],
                "issuer": row["issuer"],
                "published": row["published"],
                "status": row["status"],
                "source": row["source"],
                "note": note,
            }
        )
    write(
        "grid_electricity",
        "2026.1",
        "grid_factors.csv",
        rows,
        {
            "title": "Electricity CO2 emission factors: MEE+NBS annual series (national, regional, provincial) and ETS series",
            "publisher": "Ministry of Ecology and Environment; National Bureau of Statistics",
            "document": "《关于发布2021/2022/2023年电力二氧化碳排放因子的公告》; ETS notices 2022, 2023",
            "url": "",
            "published": "2026-01",
            "licence": "public announcements; values are facts",
            "valid_from_year": 2019,
            "valid_to_year": None,
        },
    )
    heat = next(
        r
        for r in csv.DictReader((ref / "grid_factors.csv").open(encoding="utf-8"))
        if r["factor"] == "heat_default"
    )
    write(
        "heat_purchased",
        "2015.1",
        "heat_factors.csv",
        [
            {
                "item_code": item,
                "value": heat["value"],
                "unit": "tCO2/GJ",
                "valid_from": 2013,
                "status": heat["status"],
                "source": heat["source"],
                "note": f"{heat['document']}: {heat['use']}",
            }
            for item in ("steam", "hot_water")
        ],
        {
            "title": "CO2 emission factor of net purchased heat",
            "publisher": "NDRC",
            "document": heat["document"],
            "url": "",
            "published": heat["published"],
            "licence": "values are facts",
            "valid_from_year": 2013,
            "valid_to_year": None,
        },
    )


def build_standard_coal(ref: Path) -> None:
    """GB/T 2589 coefficients; ranges are fixed to one documented value per factor set."""
    names = {
        "原煤": "raw_coal",
        "洗精煤": "washed_coal",
        "焦炭": "coke",
        "原油": "crude_oil",
        "燃料油": "fuel_oil",
        "汽油": "gasoline",
        "煤油": "kerosene",
        "柴油": "diesel",
        "液化石油气": "lpg",
        "炼厂干气": "refinery_dry_gas",
        "天然气": "natural_gas",
        "焦炉煤气": "coke_oven_gas",
        "电力(当量值)": "electricity",
        "热力(当量值)": "heat",
    }
    chosen = {
        "天然气": ("1.2143", "range 1.1000-1.3300 kgce/m3; 1.2143 = 35 588 kJ/m3 fixed for this set"),
        "焦炉煤气": ("0.5929", "range 0.5714-0.6143 kgce/m3; midpoint 0.5929 fixed for this set"),
    }
    rows = []
    for row in csv.DictReader((ref / "standard_coal_coefficients.csv").open(encoding="utf-8")):
        value, note = chosen.get(row["item_cn"], (row["kgce_per_unit"], ""))
        unit = {"kg": "kgce/kg", "m3": "kgce/m3", "kWh": "kgce/kWh", "MJ": "kgce/MJ"}[row["unit"]]
        rows.append(
            {
                "item_code": names[row["item_cn"]],
                "name_zh": row["item_cn"],
                "value": value,
                "unit": unit,
                "valid_from": 2020,
                "status": row["status"],
                "source": row["source"],
                "note": f"NCV reference {row['ncv_reference']}. {note}".strip(),
            }
        )
    write(
        "standard_coal_gbt2589",
        "2020.1",
        "coefficients.csv",
        rows,
        {
            "title": "Standard-coal conversion coefficients (electricity and heat at equivalent value)",
            "publisher": "SAMR/SAC",
            "document": "GB/T 2589-2020 综合能耗计算通则 Appendix A",
            "url": "",
            "published": "2020-09-29",
            "licence": "standard text; values are facts",
            "valid_from_year": 2021,
            "valid_to_year": None,
        },
    )


if __name__ == "__main__":
    reference = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference")
    build_fuels(reference)
    build_grid(reference)
    build_standard_coal(reference)
