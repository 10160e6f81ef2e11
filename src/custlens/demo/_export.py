"""Write the shop's exports the way a real shop system does: Chinese headers, mixed formats,
planted mess. Every planted problem is counted exactly for the truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from custlens.demo._orders import OrderData
from custlens.demo._params import DemoParams

ORDER_HEADER = ("订单号", "会员ID", "下单时间", "商品编号", "商品名称", "品类", "品牌",
                "数量", "单价", "实付金额", "优惠金额", "渠道", "支付方式")  # fmt: skip
CUSTOMER_HEADER = ("会员ID", "注册时间", "性别", "年龄", "省份", "城市", "城市等级", "职业", "月收入", "注册渠道")
BAD_DATES = ("2025-13-45 10:00:00", "2024/02/30 12:00:00", "2025-00-10 09:15", "2024年13月5日")
BAD_AMOUNTS = ("N/A", "#VALUE!")
#: Share of valid lines whose money is written as "¥1,299.00" / "1299元".
AMOUNT_STYLES = {"plain": 0.92, "yen": 0.05, "yuan": 0.03}


def money(cents: np.ndarray, style: np.ndarray | None = None) -> np.ndarray:
    """Format integer cents: ``1299.00`` (plain), ``¥1,299.00`` (yen) or ``1299元`` (yuan)."""
    cents = np.asarray(cents, dtype="int64")
    a = np.abs(cents)
    sign = np.where(cents < 0, "-", "")
    whole = (a // 100).astype(str)
    frac = np.char.zfill((a % 100).astype(str), 2)
    out = np.char.add(np.char.add(np.char.add(sign, whole), "."), frac).astype(object)
    if style is not None:
        y = style == "yen"
        out[y] = [f"{'-' if c < 0 else ''}¥{abs(c) / 100:,.2f}" for c in cents[y]]
        u = style == "yuan"
        out[u] = np.where(a[u] % 100 == 0, np.char.add(np.char.add(sign[u], whole[u]), "元"),
                          np.char.add(out[u].astype(str), "元"))  # fmt: skip
    return out


def _dates(ts: pd.Series, fmt: np.ndarray) -> np.ndarray:
    idx = pd.DatetimeIndex(ts)
    out = idx.strftime("%Y/%m/%d %H:%M:%S").to_numpy().astype(object)
    dash = fmt == "dash_minutes"
    out[dash] = idx[dash].strftime("%Y-%m-%d %H:%M").to_numpy()
    cn = fmt == "chinese_date"
    out[cn] = (
        idx[cn].year.astype(str) + "年" + idx[cn].month.astype(str) + "月" + idx[cn].day.astype(str) + "日"
    ).to_numpy()
    return out


def write_orders(
    data: OrderData, path: Path, params: DemoParams, rng: np.random.Generator
) -> dict[str, Any]:
    """Write ``orders.csv`` (UTF-8 with BOM) and return its truth block."""
    o, ln, rf = data.orders, data.lines, data.refunds
    oi = ln["order_idx"].to_numpy()
    style = np.asarray(list(AMOUNT_STYLES))[rng.choice(3, len(ln), p=list(AMOUNT_STYLES.values()))]
    valid = pd.DataFrame(
        {
            "订单号": ln["order_id"].to_numpy(),
            "会员ID": o["customer_id"].to_numpy()[oi],
            "下单时间": _dates(o["ordered_at"].iloc[oi], o["date_format"].to_numpy()[oi]),
            "商品编号": ln["product_id"].to_numpy(),
            "商品名称": ln["product_name"].to_numpy(),
            "品类": ln["category"].to_numpy(),
            "品牌": ln["brand"].to_numpy(),
            "数量": ln["qty"].astype(str).to_numpy(),
            "单价": money(ln["unit_cents"].to_numpy(), style),
            "实付金额": money(ln["paid_cents"].to_numpy(), style),
            "优惠金额": money(ln["disc_cents"].to_numpy(), style),
            "渠道": o["channel"].to_numpy()[oi],
            "支付方式": o["payment"].to_numpy()[oi],
        }
    )
    refunds = pd.DataFrame(
        {
            "订单号": rf["order_id"].to_numpy(),
            "会员ID": rf["customer_id"].to_numpy(),
            "下单时间": _dates(rf["refunded_at"], np.full(len(rf), "slash_seconds")),
            "商品编号": rf["product_id"].to_numpy(),
            "商品名称": rf["product_name"].to_numpy(),
            "品类": rf["category"].to_numpy(),
            "品牌": rf["brand"].to_numpy(),
            "数量": rf["qty"].astype(str).to_numpy(),
            "单价": money(rf["unit_cents"].to_numpy()),
            "实付金额": money(rf["paid_cents"].to_numpy()),
            "优惠金额": money(rf["disc_cents"].to_numpy()),
            "渠道": rf["channel"].to_numpy(),
            "支付方式": rf["payment"].to_numpy(),
        }
    )
    base = pd.concat([valid, refunds], ignore_index=True)
    when = np.concatenate([o["ordered_at"].to_numpy()[oi], rf["refunded_at"].to_numpy()])
    base = base.iloc[np.argsort(when, kind="stable")].reset_index(drop=True)

    counts = {k: max(2, int(round(r * len(valid)))) for k, r in params.mess_rates.items()}
    n_mess = sum(v for k, v in counts.items() if k != "duplicate_line")
    pick = rng.integers(0, len(valid), n_mess)
    tmpl = valid.iloc[pick].reset_index(drop=True)
    day = pd.DatetimeIndex(o["ordered_at"].to_numpy()[oi[pick]]).strftime("%y%m%d").to_numpy().astype(str)
    tmpl["订单号"] = np.char.add(np.char.add("DD", day), np.char.zfill((len(o) + 1 + np.arange(n_mess)).astype(str), 6))
    kinds = np.repeat(["empty_customer_id", "bad_date", "bad_amount", "future_date"],
                      [counts[k] for k in ("empty_customer_id", "bad_date", "bad_amount", "future_date")])  # fmt: skip
    tmpl.loc[kinds == "empty_customer_id", "会员ID"] = ""
    bd = kinds == "bad_date"
    tmpl.loc[bd, "下单时间"] = np.resize(np.asarray(BAD_DATES, dtype=object), bd.sum())
    ba = kinds == "bad_amount"
    bad_vals = np.resize(np.asarray(BAD_AMOUNTS, dtype=object), ba.sum())
    tmpl.loc[ba, "单价"] = bad_vals
    tmpl.loc[ba, "实付金额"] = bad_vals
    fd = kinds == "future_date"
    tmpl.loc[fd, "下单时间"] = [f"2099/{m:02d}/{d:02d} 10:30:00" for m, d in
                                zip(rng.integers(1, 13, fd.sum()), rng.integers(1, 29, fd.sum()))]  # fmt: skip
    dups = valid.iloc[rng.choice(len(valid), counts["duplicate_line"], replace=False)]
    extra = pd.concat([tmpl, dups], ignore_index=True)
    key = np.concatenate([np.arange(len(base), dtype=float), rng.uniform(0, len(base), len(extra))])
    out = pd.concat([base, extra], ignore_index=True).iloc[np.argsort(key, kind="stable")]
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")

    paid = o["amount_cents"].to_numpy()
    fmt_lines = pd.Series(o["date_format"].to_numpy()[oi]).value_counts()
    style_counts = pd.Series(style).value_counts()
    return {
        "file": path.name,
        "encoding": "utf-8-sig",
        "header": list(ORDER_HEADER),
        "rows": len(out),
        "valid_lines": len(valid),
        "refund_rows": len(refunds),
        "mess": {
            "empty_customer_id": counts["empty_customer_id"],
            "bad_date": counts["bad_date"],
            "bad_amount": counts["bad_amount"],
            "future_date": counts["future_date"],
            "duplicate_lines": counts["duplicate_line"],
        },
        "expected_ingest": {
            "rows_read": len(out),
            "rows_loaded": len(valid) + len(refunds),
            "rows_quarantined": n_mess,
            "duplicates_skipped": counts["duplicate_line"],
            "orders": len(o),
            "customers": int(o["customer_id"].nunique()),
            "revenue": round(int(paid.sum()) / 100, 2),
            "returns": len(refunds),
        },
        "discount_total": round(int(o["discount_cents"].sum()) / 100, 2),
        "returns_amount": round(-int(rf["paid_cents"].sum()) / 100, 2),
        "orders_with_refund": int(rf["order_id"].nunique()),
        "date_formats_by_line": {k: int(fmt_lines.get(k, 0)) for k in ("slash_seconds", "dash_minutes", "chinese_date")},
        "amount_styles_by_line": {k: int(style_counts.get(k, 0)) for k in AMOUNT_STYLES},
        "bad_date_values": list(BAD_DATES),
        "bad_amount_values": list(BAD_AMOUNTS),
        "notes": [
            "mess rows are extra single-line orders with their own 订单号; valid orders are untouched",
            "duplicate lines are exact copies of valid lines",
            "refund rows repeat the 订单号 with negative 数量/实付金额/优惠金额; 下单时间 is the refund time",
            "orders written as 2024年3月5日 carry time 00:00:00 in the truth, dash dates have :00 seconds",
        ],
    }


def write_customers(members: pd.DataFrame, signup_at: pd.Series, path: Path, rng: np.random.Generator) -> dict[str, Any]:
    """Write ``customers.csv`` (GBK) with a few blanks and implausible ages; return its truth."""
    n = len(members)
    age = members["age"].astype(str).to_numpy().astype(object)
    income = members["income"].astype("int64").astype(str).to_numpy().astype(object)
    gender = members["gender"].to_numpy().astype(object)
    miss_age = rng.random(n) < 0.02
    miss_inc = rng.random(n) < 0.03
    miss_gender = rng.random(n) < 0.01
    odd = rng.choice(np.flatnonzero(~miss_age), 3, replace=False)
    age[odd] = np.array(["0", "150", "999"], dtype=object)
    age[miss_age], income[miss_inc], gender[miss_gender] = "", "", ""
    frame = pd.DataFrame(
        {
            "会员ID": members["customer_id"].to_numpy(),
            "注册时间": pd.DatetimeIndex(signup_at).strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
            "性别": gender,
            "年龄": age,
            "省份": members["province"].to_numpy(),
            "城市": members["city"].to_numpy(),
            "城市等级": members["city_tier"].to_numpy(),
            "职业": members["occupation"].to_numpy(),
            "月收入": income,
            "注册渠道": members["acquisition_channel"].to_numpy(),
        }
    ).iloc[rng.permutation(n)]
    frame.to_csv(path, index=False, encoding="gbk", lineterminator="\n")
    return {
        "file": path.name,
        "encoding": "gbk",
        "header": list(CUSTOMER_HEADER),
        "rows": n,
        "missing": {"性别": int(miss_gender.sum()), "年龄": int(miss_age.sum()), "月收入": int(miss_inc.sum())},
        "implausible_age": {"count": 3, "values": ["0", "150", "999"]},
    }
