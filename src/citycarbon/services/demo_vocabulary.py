"""Synthetic vocabulary of the demo city: districts, industry mix, energy profiles and names.

Everything here is invented to look plausible for Taizhou, not measured: shares, land areas,
output per mu and energy intensities are round figures chosen so that a machinery firm uses a
few hundred MWh a month and a cement kiln dwarfs a garment workshop. It is therefore kept as
module constants next to the generator, and never as reference data. Only the codes are real:
region codes (GB/T 2260), industry classes (GB/T 4754-2017), and the fuel, process and energy
item codes of the platform's reference data.

The two ``draw_*`` functions turn this vocabulary into registered names and credit codes;
they live here because a name pattern is vocabulary too.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import NamedTuple

from citycarbon.domain.identifiers.uscc import ALPHABET, make_uscc


class Use(NamedTuple):
    """One activity item a firm of an industry may report.

    Parameters
    ----------
    category
        Activity category (``fuel``, ``electricity``, ``heat`` or ``process``).
    item
        Item code exactly as the platform's reference data spells it.
    unit
        Unit the demo writes the quantity in (deliberately not always the canonical one).
    per_output
        Typical quantity per unit of output value [unit/10^4 CNY].
    """

    category: str
    item: str
    unit: str
    per_output: float


class Bundle(NamedTuple):
    """Items a firm adopts together, e.g. a clinker kiln brings its coal."""

    probability: float
    uses: tuple[Use, ...]


class IndustryProfile(NamedTuple):
    """How firms of one GB/T 4754 class look: size, output density and energy intensity.

    Parameters
    ----------
    code
        Class code with its section letter, e.g. ``C2710``.
    words
        Industry words used in names (``药业``) or, for individual businesses, shop words.
    weight
        Relative share among organisations of the same kind.
    area_mu
        Median land area [mu].
    output_per_mu
        Output value per mu and year [10^4 CNY/(mu·a)].
    electricity_mwh
        Grid electricity per output value [MWh/10^4 CNY].
    bundles
        Further items; a firm that draws none still reports the first one.
    """

    code: str
    words: tuple[str, ...]
    weight: float
    area_mu: float
    output_per_mu: float
    electricity_mwh: float
    bundles: tuple[Bundle, ...] = ()


class Region(NamedTuple):
    """A county-level division of Taizhou with its economic weight and industrial clusters.

    Parameters
    ----------
    code
        GB/T 2260 code.
    prefix
        How registered names begin (``台州市椒江区``, ``温岭市``).
    short
        Short name used by individual businesses (``椒江``).
    weight
        Rough economic size, which sets its share of organisations.
    clusters
        Industry code prefix (digits) → how much more common that industry is here.
    """

    code: str
    prefix: str
    short: str
    weight: float
    clusters: Mapping[str, float]


def _one(probability: float, category: str, item: str, unit: str, per_output: float) -> Bundle:
    return Bundle(probability, (Use(category, item, unit, per_output),))


def gas(probability: float, per_output: float) -> Bundle:
    """Natural gas in 10^4 m3 (万立方米), as gas bills state it."""
    return _one(probability, "fuel", "natural_gas", "万立方米", per_output)


def steam(probability: float, per_output: float) -> Bundle:
    """Purchased steam in GJ, typical of firms in parks with central heating."""
    return _one(probability, "heat", "steam", "GJ", per_output)


def coal(probability: float, per_output: float, item: str = "raw_coal") -> Bundle:
    """Coal for an own boiler or kiln, in tonnes."""
    return _one(probability, "fuel", item, "t", per_output)


def lpg(probability: float, per_output: float) -> Bundle:
    """Bottled LPG in kg, as kitchens buy it."""
    return _one(probability, "fuel", "lpg", "kg", per_output)


def diesel(probability: float, per_output: float) -> Bundle:
    """Diesel for forklifts, trucks or ships, in tonnes."""
    return _one(probability, "fuel", "diesel", "t", per_output)


def gasoline(probability: float, per_output: float) -> Bundle:
    """Gasoline for company cars and delivery vans, in tonnes."""
    return _one(probability, "fuel", "gasoline", "t", per_output)


#: Items most enterprises have besides process energy: forklifts, cars, canteen, hot water.
COMMON_ENTERPRISE_BUNDLES = (
    diesel(0.8, 0.0004),
    gasoline(0.7, 0.0002),
    gas(0.4, 0.0015),
    lpg(0.2, 0.8),
    steam(0.1, 0.3),
)

_KILN_CLINKER = Bundle(
    0.5, (Use("process", "cement_clinker", "t", 15.0), Use("fuel", "bituminous_coal", "t", 2.5))
)
_LIME_KILN = Bundle(0.8, (Use("process", "lime", "t", 12.0), Use("fuel", "raw_coal", "t", 2.0)))
_GLASS_BATCH = Bundle(
    1.0,
    (
        Use("process", "limestone", "t", 0.3),
        Use("process", "soda_ash", "t", 0.6),
        Use("process", "dolomite", "t", 0.4),
    ),
)

ENTERPRISE_INDUSTRIES: tuple[IndustryProfile, ...] = (
    IndustryProfile("C1361", ("水产", "海洋食品", "食品"), 1.0, 25, 300, 0.35),
    IndustryProfile("C1453", ("罐头食品", "食品"), 1.0, 40, 250, 0.12, (steam(0.6, 1.2), gas(0.5, 0.004))),
    IndustryProfile("C1411", ("食品", "烘焙食品"), 0.8, 15, 300, 0.15, (gas(0.8, 0.006),)),
    IndustryProfile("C1713", ("印染", "纺织印染"), 0.8, 60, 250, 0.30, (steam(0.7, 5.0), coal(0.2, 0.35))),
    IndustryProfile("C1751", ("纺织", "过滤材料", "织造"), 1.2, 30, 250, 0.35),
    IndustryProfile("C1819", ("服饰", "服装", "制衣"), 1.5, 15, 300, 0.05, (gas(0.2, 0.001),)),
    IndustryProfile("C1830", ("服饰", "鞋帽服饰"), 0.5, 12, 300, 0.05),
    IndustryProfile(
        "C2221",
        ("纸业", "造纸"),
        0.6,
        80,
        250,
        0.50,
        (steam(0.5, 5.0), coal(0.3, 0.5, "bituminous_coal"), gas(0.3, 0.02)),
    ),
    IndustryProfile("C2231", ("包装", "纸品包装", "彩印包装"), 1.5, 25, 300, 0.12),
    IndustryProfile(
        "C2614", ("化工", "化学"), 1.0, 60, 500, 0.30, (steam(0.8, 3.5), gas(0.5, 0.01), coal(0.15, 0.3))
    ),
    IndustryProfile(
        "C2631", ("化工", "农药", "生物科技"), 0.5, 60, 500, 0.30, (steam(0.8, 3.0), gas(0.4, 0.01))
    ),
    IndustryProfile("C2641", ("涂料", "化工"), 0.6, 30, 450, 0.10, (steam(0.3, 0.8),)),
    IndustryProfile(
        "C2661", ("化工", "新材料", "精细化工"), 1.0, 40, 500, 0.25, (steam(0.7, 2.5), gas(0.4, 0.008))
    ),
    IndustryProfile(
        "C2710",
        ("药业", "制药", "医药化工", "生物医药"),
        2.5,
        80,
        550,
        0.25,
        (steam(0.9, 4.0), gas(0.5, 0.01), coal(0.05, 0.2)),
    ),
    IndustryProfile("C2720", ("药业", "制药"), 1.0, 50, 700, 0.12, (steam(0.6, 1.2),)),
    IndustryProfile("C2740", ("药业", "中药"), 0.4, 40, 500, 0.10, (steam(0.6, 1.5),)),
    IndustryProfile("C2761", ("生物", "生物制药"), 0.4, 40, 800, 0.15, (steam(0.6, 1.0),)),
    IndustryProfile("C2912", ("橡胶", "胶带", "橡塑"), 0.6, 40, 350, 0.30, (steam(0.4, 1.5), coal(0.1, 0.2))),
    IndustryProfile("C2913", ("橡胶制品", "橡塑"), 0.6, 20, 350, 0.30),
    IndustryProfile("C2921", ("塑料薄膜", "塑业"), 0.8, 30, 400, 0.30),
    IndustryProfile("C2922", ("管业", "塑胶管业"), 0.8, 35, 400, 0.30),
    IndustryProfile("C2926", ("塑料包装", "塑料容器"), 0.8, 20, 350, 0.30),
    IndustryProfile("C2927", ("日用品", "塑料制品", "塑胶"), 3.0, 20, 350, 0.30),
    IndustryProfile("C2929", ("塑料制品", "塑胶", "注塑"), 4.0, 15, 350, 0.30),
    IndustryProfile("C3011", ("水泥", "建材"), 0.25, 150, 250, 2.0, (_KILN_CLINKER,)),
    IndustryProfile("C3012", ("石灰", "钙业", "建材"), 0.15, 40, 150, 0.30, (_LIME_KILN,)),
    IndustryProfile("C3021", ("建材", "管桩", "混凝土制品"), 1.0, 40, 250, 0.10, (diesel(0.9, 0.003),)),
    IndustryProfile("C3042", ("玻璃", "特种玻璃"), 0.15, 60, 300, 0.80, (gas(1.0, 0.06), _GLASS_BATCH)),
    IndustryProfile("C3049", ("玻璃", "玻璃制品"), 0.2, 40, 300, 0.80, (gas(1.0, 0.06), _GLASS_BATCH)),
    IndustryProfile("C3311", ("钢结构", "金属结构"), 1.5, 40, 300, 0.12, (gas(0.3, 0.002),)),
    IndustryProfile("C3352", ("水暖", "卫浴", "铜业"), 2.5, 20, 450, 0.30, (gas(0.6, 0.006),)),
    IndustryProfile("C3360", ("表面处理", "电镀", "热处理"), 0.8, 15, 200, 0.70, (gas(0.6, 0.015),)),
    IndustryProfile("C3381", ("厨具", "五金"), 1.0, 20, 350, 0.15),
    IndustryProfile("C3421", ("机床", "数控机床", "机械"), 1.5, 40, 350, 0.18),
    IndustryProfile("C3441", ("泵业", "水泵", "机电"), 4.0, 35, 450, 0.20, (gas(0.3, 0.002),)),
    IndustryProfile("C3443", ("阀门", "流体控制", "阀业"), 3.0, 30, 450, 0.20, (gas(0.4, 0.003),)),
    IndustryProfile("C3451", ("轴承",), 0.8, 30, 400, 0.25, (gas(0.5, 0.004),)),
    IndustryProfile("C3484", ("机械", "精密机械", "五金机械"), 4.0, 15, 350, 0.20),
    IndustryProfile("C3525", ("模具", "模塑"), 3.0, 20, 350, 0.20),
    IndustryProfile("C3544", ("制药机械", "机械"), 0.5, 30, 400, 0.12),
    IndustryProfile("C3553", ("缝纫机", "缝制设备"), 1.5, 60, 500, 0.15, (gas(0.5, 0.003),)),
    IndustryProfile("C3611", ("汽车",), 0.05, 800, 600, 0.06, (gas(1.0, 0.003),)),
    IndustryProfile("C3612", ("新能源汽车",), 0.05, 600, 600, 0.06, (gas(1.0, 0.002),)),
    IndustryProfile("C3670", ("汽车部件", "汽配", "汽车零部件"), 6.0, 30, 450, 0.18, (gas(0.4, 0.003),)),
    IndustryProfile("C3731", ("船舶", "造船"), 0.3, 200, 250, 0.15, (diesel(1.0, 0.005), gas(0.3, 0.005))),
    IndustryProfile("C3751", ("摩托车", "车业"), 0.3, 150, 500, 0.08, (gas(0.6, 0.002),)),
    IndustryProfile("C3752", ("摩托车配件", "车业"), 2.0, 25, 400, 0.18),
    IndustryProfile("C3812", ("电机", "机电"), 3.0, 30, 450, 0.15),
    IndustryProfile("C3813", ("微电机",), 1.0, 20, 450, 0.15),
    IndustryProfile("C3825", ("光伏", "新能源"), 0.5, 60, 600, 0.30),
    IndustryProfile("C3851", ("电器", "制冷设备"), 0.6, 40, 500, 0.12),
    IndustryProfile("C3854", ("厨房电器", "电器"), 1.0, 30, 450, 0.12),
    IndustryProfile("C3872", ("照明", "灯饰", "光电"), 1.0, 20, 400, 0.10),
)

#: Shops, restaurants and family workshops; revenue stands in for output value.
INDIVIDUAL_INDUSTRIES: tuple[IndustryProfile, ...] = (
    IndustryProfile("F5212", ("超市",), 8, 1.5, 200, 0.40, (gasoline(0.5, 0.002),)),
    IndustryProfile("F5213", ("便利店",), 8, 0.6, 300, 0.50, (gasoline(0.3, 0.002),)),
    IndustryProfile("F5223", ("水果店", "蔬果店"), 5, 0.6, 200, 0.30, (gasoline(0.5, 0.003),)),
    IndustryProfile("F5224", ("水产店", "冷鲜肉店"), 5, 0.6, 200, 0.60, (gasoline(0.5, 0.003),)),
    IndustryProfile("F5232", ("服装店",), 6, 0.6, 200, 0.25, (gasoline(0.3, 0.002),)),
    IndustryProfile(
        "H6210",
        ("饭店", "酒家", "大酒店"),
        10,
        1.5,
        200,
        0.40,
        (lpg(0.7, 40), gas(0.4, 0.003), gasoline(0.3, 0.002)),
    ),
    IndustryProfile("H6220", ("快餐店",), 6, 0.8, 200, 0.40, (lpg(0.8, 40), gasoline(0.3, 0.002))),
    IndustryProfile(
        "H6291", ("小吃店", "面馆", "麦饼店"), 8, 0.6, 200, 0.35, (lpg(0.9, 50), gasoline(0.2, 0.002))
    ),
    IndustryProfile("O8030", ("干洗店", "洗衣店"), 3, 0.6, 150, 0.60, (gas(0.8, 0.02),)),
    IndustryProfile("O8040", ("理发店", "美发店", "美容店"), 6, 0.6, 150, 0.40, (gas(0.5, 0.004),)),
    IndustryProfile("C2929", ("塑料制品厂", "塑料加工厂"), 6, 2.0, 250, 0.30, (diesel(0.5, 0.0006),)),
    IndustryProfile("C3484", ("机械加工厂", "五金加工厂"), 6, 2.0, 250, 0.25, (diesel(0.5, 0.0006),)),
    IndustryProfile("C1819", ("服装加工厂", "制衣厂"), 3, 1.5, 250, 0.06, (diesel(0.4, 0.0004),)),
)

#: Industrial parks register as their management company (园区管理服务).
PARK_PROFILE = IndustryProfile(
    "L7221",
    ("小微企业园", "工业园区", "科技产业园", "智能制造产业园"),
    1,
    600,
    5,
    2.0,
    (diesel(1.0, 0.002), gas(0.5, 0.003)),
)

REGIONS: tuple[Region, ...] = (
    Region("331002", "台州市椒江区", "椒江", 11, {"27": 2.5, "3553": 4, "26": 1.5, "3731": 1.5}),
    Region("331003", "台州市黄岩区", "黄岩", 9, {"29": 3, "3525": 5, "1453": 4, "27": 1.5}),
    Region("331004", "台州市路桥区", "路桥", 10, {"36": 2, "3611": 6, "3612": 6, "3752": 2}),
    Region("331022", "三门县", "三门", 4, {"2912": 6, "1361": 3, "30": 2}),
    Region("331023", "天台县", "天台", 5, {"3670": 2.5, "1751": 4, "2231": 2}),
    Region("331024", "仙居县", "仙居", 4, {"27": 2, "2740": 3}),
    Region("331081", "温岭市", "温岭", 17, {"3441": 5, "3421": 4, "3812": 3, "3813": 3}),
    Region("331082", "临海市", "临海", 13, {"27": 2.5, "26": 2.5, "3731": 2, "3872": 3}),
    Region("331083", "玉环市", "玉环", 11, {"3443": 5, "3352": 5, "3670": 2.5, "3381": 2}),
)

#: Characters of trade names (字号): two are drawn, one from each list.
TRADE_NAME_FIRST = "华盛永鑫宏恒泰金瑞新兴海天东方利丰昌隆振康佳信安德明光远航正通润宝联博凯伟嘉龙汇腾辉创众顺星中宇骏豪诚福禾峰晨江益美科欣荣晟锦友铭"
TRADE_NAME_SECOND = "达昌盛泰隆兴源丰利德华宇通力诚信鑫发祥瑞辉洋峰鹏凯展威豪捷邦立春阳林成业强亿"
SURNAMES = "王陈林张李黄周吴徐叶郑金蒋杨胡潘梁朱应项"

#: Month of the Chinese New Year holiday, when output dips; other years assume February.
NEW_YEAR_MONTH: Mapping[int, int] = {
    2019: 2,
    2020: 1,
    2021: 2,
    2022: 2,
    2023: 1,
    2024: 2,
    2025: 1,
    2026: 2,
    2027: 2,
    2028: 1,
}
#: Output relative to an average month, before the New Year dip (year-end rush in December).
MONTH_LEVEL = (1.0, 1.0, 1.02, 1.0, 1.02, 1.0, 0.98, 0.97, 1.02, 1.0, 1.04, 1.10)
#: Output in (January, February) when the New Year falls in January or in February.
NEW_YEAR_DIP: Mapping[int, tuple[float, float]] = {1: (0.68, 0.85), 2: (0.9, 0.62)}


def draw_uscc(rng: random.Random, entity_type: str, region: Region, taken: set[str]) -> str:
    """Draw an unused credit code: market regulator (9), entity type, region, 9 random chars."""
    while True:
        if rng.random() < 0.6:  # codes issued since 2015 mostly start their body with "MA"
            body = "MA" + "".join(rng.choices(ALPHABET, k=7))
        else:  # older firms carry their former 9-digit organisation code
            body = "".join(rng.choices("0123456789", k=9))
        code = make_uscc(f"9{entity_type}{region.code}{body}")
        if code not in taken:
            taken.add(code)
            return code


def _trade_name(rng: random.Random) -> str:
    """Draw a two-character trade name (字号) such as 宏达; doubled characters read oddly."""
    first = rng.choice(TRADE_NAME_FIRST)
    second = rng.choice(TRADE_NAME_SECOND.replace(first, ""))
    return first + second


def draw_name(
    rng: random.Random, kind: str, profile: IndustryProfile, region: Region, taken: set[str]
) -> str:
    """Draw an unused registered name in the usual pattern of each kind of organisation."""
    while True:
        word = rng.choice(profile.words)
        if kind == "individual_business":
            owner = rng.choice((_trade_name(rng), rng.choice(SURNAMES) + "记"))
            name = f"{region.short}{owner}{word}"
        elif kind == "park":
            name = f"{region.prefix}{_trade_name(rng)}{word}"
        elif rng.random() < 0.08:  # a few large firms are provincial joint-stock companies
            name = f"浙江{_trade_name(rng)}{word}股份有限公司"
        else:
            name = f"{region.prefix}{_trade_name(rng)}{word}有限公司"
        if name not in taken:
            taken.add(name)
            return name
