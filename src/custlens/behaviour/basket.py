"""Market-basket analysis in the store: item pairs and association rules (support, confidence, lift)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from custlens import schema
from custlens.behaviour._common import has_column, orders_as_of, orders_before
from custlens.errors import InputError, MissingDataError
from custlens.features.customer_table import AsOf
from custlens.results import Result
from custlens.store import Store

__all__ = ["BasketResult", "market_basket"]

_LEVELS = {"product": "product_id", "category": "category", "brand": "brand"}


@dataclass
class BasketResult(Result):
    """Items bought together.

    Attributes
    ----------
    pairs : DataFrame
        ``item_a, item_b, orders, support, lift`` for unordered pairs with at least the
        minimum support; ``name_a, name_b`` when products have names.
    rules : DataFrame
        ``antecedent, consequent, orders, support, confidence, lift`` (and names), by lift
        then support, largest first.
    n_baskets : int
        Orders with at least one line (the denominator of support).
    min_count : int
        Orders a pair needs to be kept: ``max(2, ceil(min_support * n_baskets))``.
    level : str
        ``product``, ``category`` or ``brand``.
    """

    pairs: pd.DataFrame
    rules: pd.DataFrame
    n_baskets: int
    min_count: int
    level: str
    as_of: pd.Timestamp

    def top_rules(self, top: int | None = None) -> pd.DataFrame:
        """Rules for people to read: one per item pair, only those with lift > 1.

        ``A -> B`` and ``B -> A`` share their support and lift; the direction with the higher
        confidence stands for the pair (ties: the first in `rules` order). Pairs bought
        together no more often than chance (lift <= 1) are not associations and are dropped.
        """
        r = self.rules[self.rules["lift"] > 1]
        key = [tuple(sorted(p)) for p in zip(r["antecedent"].astype(str), r["consequent"].astype(str))]
        r = r.assign(_pair=key).sort_values(["lift", "confidence", "support"], ascending=False, kind="mergesort")
        r = r.drop_duplicates("_pair").drop(columns="_pair").reset_index(drop=True)
        return r if top is None else r.head(top)

    def to_dict(self, top: int = 20) -> dict[str, Any]:
        """Plain-JSON view with the ``top`` rules."""
        return {"level": self.level, "n_baskets": self.n_baskets, "min_count": self.min_count,
                "rules": self.rules.head(top).to_dict("records")}


def market_basket(
    store: Store, *, as_of: AsOf = None, level: str = "product", min_support: float = 0.002, min_confidence: float = 0.0
) -> BasketResult:
    """Pairs of items bought in the same order and the rules ``A -> B`` they imply.

    Parameters
    ----------
    store : Store
        Needs ``orders`` and ``order_items``.
    as_of : date-like, optional
        First day not observed (default: the day after the last order).
    level : {"product", "category", "brand"}
        What an item is.
    min_support : float, default 0.002
        Minimum share of baskets holding the pair; pairs seen in fewer than two orders are
        always dropped.
    min_confidence : float, default 0
        Minimum confidence of a rule.

    Returns
    -------
    BasketResult

    Notes
    -----
    With ``N`` baskets (orders with lines), ``n(A)`` baskets holding item ``A`` and
    ``n(AB)`` holding both: support ``n(AB)/N``, confidence ``n(AB)/n(A)``, lift
    ``confidence / (n(B)/N)``. An item counts once per order whatever its quantity. The
    counting is a self-join of the order lines per order, run in the store.
    """
    if level not in _LEVELS:
        raise InputError(f"level={level!r} is unknown; use one of {', '.join(_LEVELS)}")
    if not 0 <= min_support <= 1:
        raise InputError(f"min_support={min_support!r} should be between 0 and 1")
    as_of = orders_as_of(store, as_of, "market-basket analysis")
    store.require("order_items", "market-basket analysis")
    col = _LEVELS[level]
    o = orders_before(store, as_of)
    li = store.table("order_items")
    items = (li.filter(li[col].notnull()).join(o.select(schema.ORDER_ID), schema.ORDER_ID)
             .select(schema.ORDER_ID, item=li[col].cast("string")).distinct())
    n = int(store.execute(items[schema.ORDER_ID].nunique()))
    if n == 0:
        raise MissingDataError(f"no order lines with a {col} before {as_of.date()}; load order_items")
    min_count = max(2, math.ceil(min_support * n - 1e-9))
    # Pairs counted by a self-join of each order's distinct items (a < b: each pair once).
    ic = items.group_by("item").aggregate(cnt=items.count())
    a_, b_ = items.view(), items.view()
    pc = (a_.join(b_, [a_[schema.ORDER_ID] == b_[schema.ORDER_ID], a_.item < b_.item])
          .group_by(item_a=a_.item, item_b=b_.item).aggregate(orders=lambda t: t.count()))
    pc = pc.filter(pc.orders >= min_count)
    ia, ib = ic.view(), ic.view()
    joined = pc.join(ia, pc.item_a == ia.item).join(ib, pc.item_b == ib.item)
    pairs = store.execute(joined.select(pc.item_a, pc.item_b, pc.orders, orders_a=ia.cnt, orders_b=ib.cnt))
    for c in ("orders", "orders_a", "orders_b"):
        pairs[c] = pairs[c].astype("int64")
    pairs["support"] = pairs["orders"] / n
    pairs["lift"] = pairs["orders"] * n / (pairs["orders_a"] * pairs["orders_b"])
    fwd = pd.DataFrame({"antecedent": pairs["item_a"], "consequent": pairs["item_b"], "orders": pairs["orders"],
                        "orders_antecedent": pairs["orders_a"], "orders_consequent": pairs["orders_b"]})
    bwd = pd.DataFrame({"antecedent": pairs["item_b"], "consequent": pairs["item_a"], "orders": pairs["orders"],
                        "orders_antecedent": pairs["orders_b"], "orders_consequent": pairs["orders_a"]})
    rules = pd.concat([fwd, bwd], ignore_index=True)
    rules["support"] = rules["orders"] / n
    rules["confidence"] = rules["orders"] / rules["orders_antecedent"]
    rules["lift"] = rules["confidence"] / (rules["orders_consequent"] / n)
    rules = rules[rules["confidence"] >= min_confidence]
    rules = rules.sort_values(["lift", "support", "antecedent"], ascending=[False, False, True]).reset_index(drop=True)
    pairs = pairs.sort_values(["lift", "support"], ascending=False).reset_index(drop=True)
    if level == "product" and _has_names(store):
        li = store.table("order_items")
        named = li.filter(li.product_name.notnull())
        names = store.execute(named.group_by(item=named.product_id).aggregate(name=named.product_name.arbitrary())
                              ).set_index("item")["name"]
        for frame, a, b in ((pairs, "item_a", "item_b"), (rules, "antecedent", "consequent")):
            frame[f"{a}_name"] = frame[a].map(names)
            frame[f"{b}_name"] = frame[b].map(names)
    return BasketResult(pairs=pairs, rules=rules, n_baskets=n, min_count=min_count, level=level, as_of=as_of)


def _has_names(store: Store) -> bool:
    return has_column(store, "order_items", "product_name")
