"""Members of the demo shop: latent buying parameters and the demographics linked to them.

The per-customer parameters are drawn through a Gaussian copula: three independent standard
normals ``z_lam, z_p, z_nu`` are mapped to ``lambda ~ Gamma(r, alpha)``, ``p ~ Beta(a, b)`` and
``nu ~ Gamma(q, v)`` by their quantile functions, so the BG/NBD and Gamma-Gamma marginals are
exact, while demographics are drawn with a dependence on the same normals (income on ``-z_nu``,
city tier on ``z_lam``, acquisition channel on ``z_p``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from custlens.demo._params import DemoParams

TIERS = ("一线", "二线", "三线", "四线及以下")
TIER_SHARE = (0.18, 0.35, 0.27, 0.20)
#: (province, city, tier index); an illustrative tiering, not an official list.
CITIES: tuple[tuple[str, str, int], ...] = (
    ("北京", "北京", 0), ("上海", "上海", 0), ("广东", "广州", 0), ("广东", "深圳", 0),
    ("浙江", "杭州", 1), ("四川", "成都", 1), ("重庆", "重庆", 1), ("湖北", "武汉", 1),
    ("江苏", "南京", 1), ("陕西", "西安", 1), ("江苏", "苏州", 1), ("天津", "天津", 1),
    ("湖南", "长沙", 1), ("河南", "郑州", 1), ("山东", "青岛", 1), ("福建", "厦门", 1),
    ("河南", "洛阳", 2), ("四川", "绵阳", 2), ("江西", "赣州", 2), ("广西", "桂林", 2),
    ("湖北", "襄阳", 2), ("江苏", "扬州", 2), ("山东", "潍坊", 2), ("河北", "保定", 2),
    ("云南", "曲靖", 3), ("四川", "宜宾", 3), ("安徽", "阜阳", 3), ("河南", "周口", 3),
    ("甘肃", "天水", 3), ("湖南", "邵阳", 3), ("贵州", "遵义", 3), ("黑龙江", "绥化", 3),
)  # fmt: skip
OCCUPATIONS = ("学生", "企业职员", "公务员", "教师", "医护", "自由职业", "个体经营", "工人", "退休")
OCC_SHARE = (0.10, 0.34, 0.06, 0.06, 0.05, 0.12, 0.10, 0.12, 0.05)
OCC_INCOME = (1500, 9000, 9500, 8000, 10000, 8500, 11000, 6000, 4500)  # median monthly yuan
TIER_INCOME = (1.45, 1.15, 0.9, 0.75)
CHANNELS = ("搜索", "社交", "直播", "自然", "广告")
CHANNEL_SHARE = (0.25, 0.20, 0.20, 0.20, 0.15)
CATEGORIES = ("服饰", "美妆", "数码", "家居", "食品", "母婴")
SHOP_CHANNELS = ("APP", "小程序", "PC", "H5", "直播间")
PAYMENTS = ("支付宝", "微信支付", "银联", "花呗")


def _gumbel_choice(util: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.argmax(util + rng.gumbel(size=util.shape), axis=1)


def _quantile(z: np.ndarray, dist: stats.rv_continuous, *args: float, **kw: float) -> np.ndarray:
    u = np.clip(stats.norm.cdf(z), 1e-12, 1 - 1e-12)
    return dist.ppf(u, *args, **kw)


def draw_members(n: int, params: DemoParams, rng: np.random.Generator) -> pd.DataFrame:
    """Draw ``n`` members with latent parameters and demographics (no dates yet).

    Returns
    -------
    DataFrame
        One row per member: ``customer_id, lam, p_dropout, nu, z_lam, z_p, z_nu, satisfaction,
        buyer, gender, age, province, city, city_tier, occupation, income,
        acquisition_channel, shop_channel, payment`` and ``aff_<category>`` preference shares.
    """
    z = rng.standard_normal((n, 3))
    z_lam, z_p, z_nu = z[:, 0], z[:, 1], z[:, 2]
    lam = _quantile(z_lam, stats.gamma, params.r, scale=1.0 / params.alpha)
    p_drop = _quantile(z_p, stats.beta, params.a, params.b)
    nu = _quantile(z_nu, stats.gamma, params.q, scale=1.0 / params.v)

    gender = np.where(rng.random(n) < 0.58, "女", "男")
    age = np.clip(np.round(rng.normal(32, 9, n)), 16, 75).astype(int)

    tier_util = np.log(TIER_SHARE)[None, :] + np.outer(z_lam, params.tier_on_rate)
    tier = _gumbel_choice(tier_util, rng)
    city_idx = np.empty(n, dtype=int)
    for t in range(len(TIERS)):
        pool = np.array([i for i, c in enumerate(CITIES) if c[2] == t])
        mask = tier == t
        city_idx[mask] = pool[rng.integers(0, len(pool), mask.sum())]

    occ_util = np.tile(np.log(OCC_SHARE), (n, 1))
    occ_util[:, 0] += np.where(age <= 22, 4.0, np.where(age >= 28, -6.0, 0.0))
    occ_util[:, 8] += np.where(age >= 58, 5.0, -8.0)
    occ = _gumbel_choice(occ_util, rng)

    log_income = (
        np.log(np.asarray(OCC_INCOME, dtype=float)[occ])
        + np.log(np.asarray(TIER_INCOME)[tier])
        + params.income_on_spend * (-z_nu)
        + 0.3 * rng.standard_normal(n)
    )
    income = np.round(np.exp(log_income), -2)

    beta_ch = np.array([params.channel_on_dropout.get(c, 0.0) for c in CHANNELS])
    channel = _gumbel_choice(np.log(CHANNEL_SHARE)[None, :] + np.outer(z_p, beta_ch), rng)

    # Category preferences: women lean to 服饰/美妆, men to 数码, 25-40 to 母婴.
    female = gender == "女"
    conc = np.tile(np.array([1.0, 0.6, 0.6, 0.7, 0.8, 0.3]), (n, 1))
    conc[:, 0] += np.where(female, 0.8, 0.2)
    conc[:, 1] += np.where(female, 1.2, 0.05)
    conc[:, 2] += np.where(female, 0.2, 1.4)
    conc[:, 5] += np.where((age >= 25) & (age <= 40), 1.0 + 0.5 * female, 0.0)
    aff = rng.gamma(conc)
    aff /= aff.sum(axis=1, keepdims=True)

    satisfaction = -0.5 * z_p + np.sqrt(0.75) * rng.standard_normal(n)
    frame = pd.DataFrame(
        {
            "customer_id": _member_ids(n, rng),
            "lam": lam,
            "p_dropout": p_drop,
            "nu": nu,
            "z_lam": z_lam,
            "z_p": z_p,
            "z_nu": z_nu,
            "satisfaction": satisfaction,
            "buyer": rng.random(n) >= params.never_buy_share,
            "gender": gender,
            "age": age,
            "province": np.array([c[0] for c in CITIES])[city_idx],
            "city": np.array([c[1] for c in CITIES])[city_idx],
            "city_tier": np.asarray(TIERS)[tier],
            "occupation": np.asarray(OCCUPATIONS)[occ],
            "income": income,
            "acquisition_channel": np.asarray(CHANNELS)[channel],
            "shop_channel": np.asarray(SHOP_CHANNELS)[rng.choice(5, n, p=[0.5, 0.25, 0.1, 0.05, 0.1])],
            "payment": np.asarray(PAYMENTS)[rng.choice(4, n, p=[0.45, 0.4, 0.05, 0.1])],
        }
    )
    for k, c in enumerate(CATEGORIES):
        frame[f"aff_{c}"] = aff[:, k]
    return frame


def _member_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    """Distinct member ids like ``M10482913`` in random (non-sequential) order."""
    nums = rng.choice(np.arange(10_000_000, 10_000_000 + max(20 * n, 100_000)), size=n, replace=False)
    return np.char.add("M", nums.astype(str))
