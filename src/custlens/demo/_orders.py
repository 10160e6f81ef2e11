"""From purchases to orders, order lines and refunds (all money in integer cents)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custlens.demo._catalog import PAIRS, pair_products
from custlens.demo._params import DemoParams
from custlens.demo._people import CATEGORIES, PAYMENTS, SHOP_CHANNELS

#: How order dates are written: share of orders per format.
DATE_FORMATS = {"slash_seconds": 0.90, "dash_minutes": 0.08, "chinese_date": 0.02}


@dataclass
class OrderData:
    """Clean shop data before it is written with mess.

    ``orders``: one row per order (``order_id, member, customer_id, ordered_at, amount_cents,
    discount_cents, channel, payment, date_format, kind``); ``lines``: one row per order line;
    ``refunds``: one row per refunded line (negative quantity and amounts).
    """

    orders: pd.DataFrame
    lines: pd.DataFrame
    refunds: pd.DataFrame


def _pick(prob: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row-wise categorical draw from a matrix of (unnormalised) probabilities."""
    cdf = np.cumsum(prob, axis=1)
    u = rng.random(len(prob)) * cdf[:, -1]
    return np.minimum((cdf <= u[:, None]).sum(axis=1), prob.shape[1] - 1)


def build_orders(
    tx: pd.DataFrame,
    members: pd.DataFrame,
    catalog: pd.DataFrame,
    start: pd.Timestamp,
    promo_day: np.ndarray,
    n_days: int,
    params: DemoParams,
    rng: np.random.Generator,
) -> OrderData:
    """Turn purchases (``member, t, kind, value``) into orders, lines and refunds."""
    tx = tx.sort_values("t", kind="stable").reset_index(drop=True)
    n = len(tx)
    member = tx["member"].to_numpy()
    fmt = np.asarray(list(DATE_FORMATS))[rng.choice(3, n, p=list(DATE_FORMATS.values()))]
    secs = np.floor(tx["t"].to_numpy() * 86400.0).astype("int64")
    secs = np.where(fmt == "dash_minutes", secs - secs % 60, secs)
    secs = np.where(fmt == "chinese_date", secs - secs % 86400, secs)
    ordered_at = start + pd.to_timedelta(secs, unit="s")
    order_id = np.char.add(
        np.char.add("DD", ordered_at.strftime("%y%m%d").to_numpy().astype(str)),
        np.char.zfill((np.arange(n) + 1).astype(str), 6),
    )
    day = np.floor(tx["t"].to_numpy()).astype(int)
    promo = promo_day[np.minimum(day, n_days - 1)]
    disc_rate = np.where(
        rng.random(n) < np.where(promo, params.festival_discount_share, params.discount_share),
        rng.uniform(0.05, 0.3, n),
        0.0,
    )
    pref_ch = members["shop_channel"].to_numpy()[member]
    channel = np.where(rng.random(n) < 0.7, pref_ch, np.asarray(SHOP_CHANNELS)[rng.integers(0, 5, n)])
    pref_pay = members["payment"].to_numpy()[member]
    payment = np.where(rng.random(n) < 0.8, pref_pay, np.asarray(PAYMENTS)[rng.integers(0, 4, n)])
    value = tx["value"].to_numpy()
    amount_cents = np.maximum(np.round(value * 100).astype("int64"), 100)

    lines = _lines(order_id, member, value, members, catalog, rng)
    lines = _money(lines, amount_cents, disc_rate, rng)
    orders = pd.DataFrame(
        {
            "order_id": order_id,
            "member": member,
            "customer_id": members["customer_id"].to_numpy()[member],
            "ordered_at": ordered_at,
            "amount_cents": amount_cents,
            "channel": channel,
            "payment": payment,
            "date_format": fmt,
            "kind": tx["kind"].to_numpy(),
        }
    )
    orders["amount_cents"] = np.bincount(lines["order_idx"], weights=lines["paid_cents"]).astype("int64")
    orders["discount_cents"] = lines.groupby("order_idx")["disc_cents"].sum().to_numpy()
    refunds = _refunds(lines, orders, start, n_days, params, rng)
    return OrderData(orders=orders, lines=lines, refunds=refunds)


def _lines(
    order_id: np.ndarray,
    member: np.ndarray,
    value: np.ndarray,
    members: pd.DataFrame,
    catalog: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    n = len(order_id)
    n_lines = np.minimum(1 + rng.poisson(0.6 * np.clip(value / 200.0, 0.3, 3.0)), 5)
    oi = np.repeat(np.arange(n), n_lines)
    aff = members[[f"aff_{c}" for c in CATEGORIES]].to_numpy()[member[oi]]
    cat = _pick(aff, rng)
    target = np.log(value[oi] / n_lines[oi])
    product = np.empty(len(oi), dtype=int)
    for k, c in enumerate(CATEGORIES):
        rows = np.flatnonzero(cat == k)
        prods = np.flatnonzero(catalog["category"].to_numpy() == c)
        lp = np.log(catalog["price"].to_numpy()[prods])
        pop = catalog["popularity"].to_numpy()[prods]
        w = pop[None, :] * np.exp(-((lp[None, :] - target[rows, None]) ** 2) / (2 * 0.7**2))
        product[rows] = prods[_pick(w, rng)]
    lines = pd.DataFrame({"order_idx": oi, "product": product}).drop_duplicates()
    # Planted pairs: B joins an order holding A with the given probability.
    pid = catalog["product_id"].to_numpy()
    pos = {p: i for i, p in enumerate(pid)}
    extra = []
    for pair in pair_products(catalog):
        a, b = pos[pair["antecedent"]], pos[pair["consequent"]]
        has_a = lines.loc[lines["product"] == a, "order_idx"].to_numpy()
        has_b = lines.loc[lines["product"] == b, "order_idx"].to_numpy()
        add = has_a[rng.random(len(has_a)) < pair["p_consequent_given_antecedent"]]
        add = add[~np.isin(add, has_b)]
        extra.append(pd.DataFrame({"order_idx": add, "product": np.full(len(add), b)}))
    lines = pd.concat([lines, *extra], ignore_index=True).sort_values(["order_idx", "product"], kind="stable")
    lines = lines.reset_index(drop=True)
    lines["order_id"] = order_id[lines["order_idx"].to_numpy()]
    lines["line_no"] = lines.groupby("order_idx").cumcount() + 1
    price = catalog["price"].to_numpy()[lines["product"].to_numpy()]
    cheap = price < 40
    qty = np.where(cheap, 1 + rng.poisson(0.8, len(lines)), 1 + (rng.random(len(lines)) < 0.15))
    lines["qty"] = np.minimum(qty, 6)
    lines["list_price"] = price
    for col, src in (("product_id", "product_id"), ("product_name", "product_name"),
                     ("category", "category"), ("brand", "brand")):  # fmt: skip
        lines[col] = catalog[src].to_numpy()[lines["product"].to_numpy()]
    return lines


def _money(lines: pd.DataFrame, amount_cents: np.ndarray, disc_rate: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Split each order's paid amount over its lines; unit price and discount follow exactly."""
    oi = lines["order_idx"].to_numpy()
    w = lines["qty"].to_numpy() * lines["list_price"].to_numpy() * rng.lognormal(0, 0.1, len(lines))
    share = w / np.bincount(oi, weights=w)[oi]
    counts = np.bincount(oi)
    paid = 1 + np.floor((amount_cents[oi] - counts[oi]) * share).astype("int64")
    # Give the rounding remainder to the last line of each order.
    last = np.cumsum(counts) - 1
    paid[last] += amount_cents - np.bincount(oi, weights=paid).astype("int64")
    q = lines["qty"].to_numpy()
    # Without a discount the paid amount must be quantity x unit price exactly: round such
    # lines down to a multiple of the quantity (the order value moves by a few cents at most).
    plain = disc_rate[oi] == 0
    paid = np.where(plain, np.maximum(paid - paid % q, q), paid)
    unit = np.where(plain, paid // q, np.ceil(paid / (q * (1.0 - disc_rate[oi]))).astype("int64"))
    lines["unit_cents"] = unit
    lines["paid_cents"] = paid
    lines["disc_cents"] = q * unit - paid
    return lines


def _refunds(
    lines: pd.DataFrame,
    orders: pd.DataFrame,
    start: pd.Timestamp,
    n_days: int,
    params: DemoParams,
    rng: np.random.Generator,
) -> pd.DataFrame:
    rate = lines["category"].map(params.return_rate).fillna(0.0).to_numpy()
    ref = lines[rng.random(len(lines)) < rate].copy()
    oi = ref["order_idx"].to_numpy()
    at = orders["ordered_at"].to_numpy()[oi] + pd.to_timedelta(
        rng.integers(86400, 15 * 86400, len(ref)), unit="s"
    ).to_numpy()
    keep = at < (start + pd.Timedelta(days=n_days)).to_datetime64()
    ref, at, oi = ref[keep], at[keep], oi[keep]
    q = ref["qty"].to_numpy()
    k = np.where((q > 1) & (rng.random(len(ref)) < 0.3), 1, q)
    disc = np.round(ref["disc_cents"].to_numpy() * k / q).astype("int64")
    return pd.DataFrame(
        {
            "order_id": ref["order_id"].to_numpy(),
            "customer_id": orders["customer_id"].to_numpy()[oi],
            "refunded_at": at,
            "product_id": ref["product_id"].to_numpy(),
            "product_name": ref["product_name"].to_numpy(),
            "category": ref["category"].to_numpy(),
            "brand": ref["brand"].to_numpy(),
            "qty": -k,
            "unit_cents": ref["unit_cents"].to_numpy(),
            "disc_cents": -disc,
            "paid_cents": -(k * ref["unit_cents"].to_numpy() - disc),
            "channel": orders["channel"].to_numpy()[oi],
            "payment": orders["payment"].to_numpy()[oi],
        }
    )


def pair_stats(lines: pd.DataFrame, pairs: list[dict[str, object]]) -> list[dict[str, object]]:
    """Observed support, confidence and lift of each planted pair in the generated orders."""
    n_orders = lines["order_id"].nunique()
    out = []
    for pair in pairs:
        a = set(lines.loc[lines["product_id"] == pair["antecedent"], "order_id"])
        b = set(lines.loc[lines["product_id"] == pair["consequent"], "order_id"])
        both = len(a & b)
        conf = both / len(a) if a else 0.0
        lift = conf / (len(b) / n_orders) if b else 0.0
        out.append(
            {**pair, "orders_with_antecedent": len(a), "orders_with_consequent": len(b),
             "orders_with_both": both, "confidence": round(conf, 4), "lift": round(lift, 2)}
        )  # fmt: skip
    return out


__all__ = ["PAIRS", "OrderData", "build_orders", "pair_stats"]
