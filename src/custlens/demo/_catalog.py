"""Product catalogue of the demo shop and the planted basket pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlens.demo._people import CATEGORIES

#: Brands per category (invented names).
BRANDS: dict[str, tuple[str, ...]] = {
    "服饰": ("栖木", "北岸", "Urbano", "素衣"),
    "美妆": ("花漾", "澄肌", "Lumina"),
    "数码": ("极光", "Voltix", "声浪"),
    "家居": ("木语", "暖居", "Nordhaus"),
    "食品": ("田园记", "鲜谷", "山野"),
    "母婴": ("贝贝熊", "小橡树", "Kindly"),
}
#: Product kinds per category with a (low, high) list-price range in yuan.
KINDS: dict[str, tuple[tuple[str, float, float], ...]] = {
    "服饰": (("T恤", 39, 199), ("连衣裙", 129, 699), ("牛仔裤", 99, 459), ("羽绒服", 299, 1899),
             ("卫衣", 89, 399), ("运动鞋", 199, 899)),
    "美妆": (("面霜", 89, 899), ("精华液", 129, 1299), ("口红", 79, 399), ("防晒霜", 59, 299),
             ("洁面乳", 29, 159), ("面膜", 39, 259)),
    "数码": (("蓝牙耳机", 99, 1599), ("充电宝", 59, 299), ("智能手表", 299, 2999), ("数据线", 19, 79),
             ("手机壳", 19, 99), ("平板电脑", 1299, 4999)),
    "家居": (("四件套", 159, 899), ("收纳盒", 19, 129), ("香薰", 39, 299), ("保温杯", 49, 299),
             ("抱枕", 29, 149), ("台灯", 79, 459)),
    "食品": (("坚果礼盒", 69, 299), ("挂耳咖啡", 29, 149), ("牛奶", 39, 129), ("零食大礼包", 49, 199),
             ("茶叶", 59, 699), ("大米", 29, 139)),
    "母婴": (("纸尿裤", 79, 299), ("奶粉", 159, 599), ("湿巾", 9, 59), ("奶瓶", 39, 199),
             ("婴儿推车", 499, 2999), ("辅食", 19, 99)),
}  # fmt: skip
#: English names of the product kinds (English reviews name the product in English).
KIND_EN: dict[str, str] = {
    "T恤": "T-shirt", "连衣裙": "dress", "牛仔裤": "jeans", "羽绒服": "down jacket", "卫衣": "hoodie",
    "运动鞋": "sneakers", "面霜": "face cream", "精华液": "serum", "口红": "lipstick", "防晒霜": "sunscreen",
    "洁面乳": "cleanser", "面膜": "face mask", "蓝牙耳机": "earbuds", "充电宝": "power bank",
    "智能手表": "smartwatch", "数据线": "charging cable", "手机壳": "phone case", "平板电脑": "tablet",
    "四件套": "bedding set", "收纳盒": "storage box", "香薰": "diffuser", "保温杯": "thermos",
    "抱枕": "cushion", "台灯": "desk lamp", "坚果礼盒": "nut gift box", "挂耳咖啡": "drip coffee",
    "牛奶": "milk", "零食大礼包": "snack box", "茶叶": "tea", "大米": "rice", "纸尿裤": "diapers",
    "奶粉": "formula", "湿巾": "baby wipes", "奶瓶": "baby bottle", "婴儿推车": "stroller", "辅食": "baby food",
}  # fmt: skip
VARIANTS = ("经典款", "升级款", "旗舰款")
#: Planted pairs: (category, kind of A, category, kind of B, P(B added | A bought)).
PAIRS: tuple[tuple[str, str, str, str, float], ...] = (
    ("母婴", "纸尿裤", "母婴", "湿巾", 0.9),
    ("数码", "智能手表", "数码", "数据线", 0.85),
    ("美妆", "洁面乳", "美妆", "面霜", 0.8),
    ("食品", "挂耳咖啡", "家居", "保温杯", 0.75),
)


def build_catalog(rng: np.random.Generator) -> pd.DataFrame:
    """One row per product: id, name, category, brand, kind, list price, popularity."""
    rows = []
    for cat in CATEGORIES:
        for kind, lo, hi in KINDS[cat]:
            for brand in BRANDS[cat]:
                for variant in VARIANTS:
                    rows.append((cat, kind, brand, variant, lo, hi))
    cat_, kind, brand, variant, lo, hi = (np.array(c) for c in zip(*rows))
    n = len(rows)
    rank = np.log(lo.astype(float)) + rng.random(n) * (np.log(hi.astype(float)) - np.log(lo.astype(float)))
    price = np.round(np.exp(rank)) - 0.1  # 199.9-style list prices
    price = np.maximum(price, 4.9)
    frame = pd.DataFrame(
        {
            "product_id": [f"SKU{10000 + i * 7:06d}" for i in range(n)],
            "product_name": np.char.add(np.char.add(np.char.add(brand.astype(str), " "), kind.astype(str)), variant.astype(str)),
            "category": cat_,
            "brand": brand,
            "kind": kind,
            "price": price,
            "popularity": rng.pareto(1.5, n) + 0.2,
        }
    )
    # The A side of each planted pair is a best seller, so the pair is frequent enough to find.
    for cat_a, kind_a, *_ in PAIRS:
        i = frame.index[(frame["category"] == cat_a) & (frame["kind"] == kind_a)][0]
        frame.loc[i, "popularity"] = frame.loc[frame["category"] == cat_a, "popularity"].max() * 1.5
    return frame


def pair_products(catalog: pd.DataFrame) -> list[dict[str, object]]:
    """The planted pairs as product ids (first product of each kind)."""
    out = []
    for cat_a, kind_a, cat_b, kind_b, prob in PAIRS:
        a = catalog[(catalog["category"] == cat_a) & (catalog["kind"] == kind_a)].iloc[0]
        b = catalog[(catalog["category"] == cat_b) & (catalog["kind"] == kind_b)].iloc[0]
        out.append(
            {
                "antecedent": a["product_id"],
                "antecedent_name": a["product_name"],
                "consequent": b["product_id"],
                "consequent_name": b["product_name"],
                "p_consequent_given_antecedent": prob,
            }
        )
    return out
