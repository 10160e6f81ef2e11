"""Churn features of every customer as of a snapshot date, from data before that date only.

The base is the customer table (`custlens.features.customer_table`) as of the snapshot; on top
of it come the recent trend (orders and spend in the last quarter against the quarter before),
the current gap against the customer's own usual gap, MBG/NBD P(alive), the voice of the
customer (last NPS, mean CSAT, complaints, tickets, service rating) and the demographics of the
``customers`` table. Every event table is filtered on its own date column ``< snapshot``, so a
row dated on or after the snapshot cannot change a feature (``tests/churn`` proves it).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import ibis
import numpy as np
import pandas as pd
from ibis import _

from custlens import schema
from custlens.features import columns as c
from custlens.errors import InputError
from custlens.features.customer_table import customer_table, resolve_as_of
from custlens.store import Store

if TYPE_CHECKING:  # pragma: no cover
    from custlens.features.purchase_days import PurchaseDays

__all__ = ["BTYD_ROWS", "NUMERIC_FEATURES", "CATEGORICAL_FEATURES", "TREND_DAYS", "snapshot_features",
           "snapshot_frame"]

#: Length of the "recent" window of the trend features (a quarter).
TREND_DAYS = 90

#: Customers the MBG/NBD behind ``p_alive`` is fitted on at most (a seeded random sample beyond that;
#: its four parameters are settled long before, and each fit pass costs time per customer).
BTYD_ROWS = 50_000

#: Numeric features, in model order (absent sources give all-NaN columns that are dropped).
NUMERIC_FEATURES: tuple[str, ...] = (
    c.ORDERS, c.FREQUENCY, c.DAYS_SINCE_LAST, "gap_ratio", "usual_gap_days", c.T_DAYS,
    c.TENURE_DAYS, c.TOTAL_SPEND, c.AOV, "orders_90d", "spend_90d", "spend_change",
    c.RETURN_RATE, c.RETURNS_COUNT, c.DISCOUNT_SHARE, "p_alive", "p_no_purchase", "nps_last", "csat_mean",
    "complaints_90d", "tickets_90d", "ticket_satisfaction", "feedback_sentiment", "age", "income",
)
#: Categorical features (strings; rare levels are grouped by the model).
CATEGORICAL_FEATURES: tuple[str, ...] = (
    c.FAVOURITE_CHANNEL, c.FAVOURITE_CATEGORY, "city_tier", "gender", "acquisition_channel",
)


def _cutoff(ts: pd.Timestamp) -> ibis.Expr:
    return ibis.literal(ts.to_pydatetime(), type="timestamp")


def _trend(store: Store, snapshot: pd.Timestamp, recent_only: bool = False) -> pd.DataFrame:
    """Orders and spend in the last quarter and in the quarter before, per customer.

    With ``recent_only``, only the last two quarters' orders are read (a fifth of a long
    history): a customer without one gets no row, and the caller sets ``orders_90d = spend_90d
    = 0`` (``spend_change`` NaN), as the row over every order would say.
    """
    orders = store.table(schema.ORDERS.name)
    recent = _cutoff(snapshot - pd.Timedelta(days=TREND_DAYS))
    previous = _cutoff(snapshot - pd.Timedelta(days=2 * TREND_DAYS))
    before = orders[schema.ORDERED_AT] < _cutoff(snapshot)
    o = orders.filter(before & (orders[schema.ORDERED_AT] >= previous) if recent_only else before)
    is_recent = o[schema.ORDERED_AT] >= recent
    is_prev = (o[schema.ORDERED_AT] >= previous) & ~is_recent
    expr = o.group_by(schema.CUSTOMER_ID).aggregate(
        orders_90d=is_recent.cast("int64").sum(),
        spend_90d=o[schema.AMOUNT].sum(where=is_recent),
        _spend_prev=o[schema.AMOUNT].sum(where=is_prev),
    )
    df = store.execute(expr).set_index(schema.CUSTOMER_ID)
    df["spend_90d"] = df["spend_90d"].fillna(0.0).astype(float)
    prev = df.pop("_spend_prev").astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["spend_change"] = np.where(prev > 0, df["spend_90d"] / prev - 1.0, np.nan)
    df["orders_90d"] = df["orders_90d"].astype(float)
    return df


def _voc(store: Store, snapshot: pd.Timestamp) -> pd.DataFrame:
    """Surveys, complaints and tickets before the snapshot, per customer."""
    parts: list[pd.DataFrame] = []
    cut = _cutoff(snapshot)
    recent = _cutoff(snapshot - pd.Timedelta(days=TREND_DAYS))
    if store.has(schema.SURVEYS.name):
        s = store.table(schema.SURVEYS.name)
        s = s.filter(s.answered_at < cut)
        w = ibis.window(group_by=schema.CUSTOMER_ID, order_by=ibis.desc("answered_at"))
        last = s.filter(s.nps.notnull()).mutate(_rk=ibis.row_number().over(w))
        last = last.filter(last._rk == 0).select(schema.CUSTOMER_ID, nps_last=last.nps)
        parts.append(store.execute(last).set_index(schema.CUSTOMER_ID))
        mean = s.group_by(schema.CUSTOMER_ID).aggregate(csat_mean=s.csat.mean())
        parts.append(store.execute(mean).set_index(schema.CUSTOMER_ID))
    if store.has(schema.FEEDBACK.name):
        f = store.table(schema.FEEDBACK.name)
        f = f.filter((f.created_at < cut) & (f.created_at >= recent) & (f.kind.lower() == "complaint"))
        parts.append(store.execute(f.group_by(schema.CUSTOMER_ID).aggregate(complaints_90d=_.count()))
                     .set_index(schema.CUSTOMER_ID))
        from custlens.voc.customer import feedback_sentiment  # empty without the 'voc' extra

        sentiment = feedback_sentiment(store, snapshot)
        if len(sentiment):
            parts.append(sentiment.to_frame())
    if store.has(schema.TICKETS.name):
        tk = store.table(schema.TICKETS.name)
        tk = tk.filter(tk.opened_at < cut)
        agg = tk.group_by(schema.CUSTOMER_ID).aggregate(
            tickets_90d=(tk.opened_at >= recent).cast("int64").sum(),
            ticket_satisfaction=tk.satisfaction.mean(),
        )
        parts.append(store.execute(agg).set_index(schema.CUSTOMER_ID))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, axis=1)
    for col in ("complaints_90d", "tickets_90d"):
        if col in out:
            out[col] = out[col].astype(float)
    return out


def _demographics(store: Store) -> pd.DataFrame:
    """Age, income and categorical profile from the ``customers`` table (static attributes)."""
    if not store.has(schema.CUSTOMERS.name):
        return pd.DataFrame()
    t = store.table(schema.CUSTOMERS.name)
    cols = [col for col in ("age", "income", "city_tier", "gender", "acquisition_channel") if col in t.columns]
    return store.execute(t.select(schema.CUSTOMER_ID, *cols)).drop_duplicates(schema.CUSTOMER_ID).set_index(
        schema.CUSTOMER_ID)


def btyd_model(table: pd.DataFrame, fit_rows: int | None = BTYD_ROWS, seed: int = 0) -> Any:
    """The MBG/NBD behind the ``p_alive``/``p_no_purchase`` features, fitted on ``table``; None when
    the fit fails or is unsound (`custlens.clv.diagnostics`).

    MBG/NBD, not BG/NBD: BG/NBD gives P(alive) = 1 to every one-time buyer however long
    ago they bought, which made "1 - P(alive)" rank churners worse than chance. The server
    uses this same model to score a posted history.

    Parameters
    ----------
    table : DataFrame
        The customer table (``frequency, recency, T``), in the order of `customer_table`.
    fit_rows : int or None, default `BTYD_ROWS`
        With more rows than this, the model is fitted on a random sample of ``fit_rows`` rows
        drawn with ``numpy.random.default_rng(seed)`` (the same rows for the same table and seed);
        None fits on every row.
    seed : int, default 0
    """
    from custlens.clv import ModifiedBetaGeoModel
    from custlens.clv.diagnostics import check_fit

    data = table[[c.FREQUENCY, c.RECENCY, c.T]]
    if fit_rows is not None and len(data) > fit_rows:
        pos = np.sort(np.random.default_rng(seed).choice(len(data), size=fit_rows, replace=False))
        data = data.iloc[pos]
    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            model = ModifiedBetaGeoModel().fit(data)
            return model if check_fit(model, "mbgnbd", caught=caught).sound else None
    except Exception:  # noqa: BLE001  (the features are optional; the model works without them)
        return None


def _btyd(table: pd.DataFrame, horizon_days: int, seed: int = 0) -> tuple[pd.DataFrame, Any]:
    """P(alive) and P(no purchase in H days) of `btyd_model` (NaN without a sound fit), and the model."""
    out = pd.DataFrame(np.nan, index=table.index, columns=["p_alive", "p_no_purchase"])
    model = btyd_model(table, seed=seed)
    if model is not None:
        with np.errstate(all="ignore"):
            out["p_alive"] = np.asarray(model.p_alive(table), dtype=float)
            out["p_no_purchase"] = np.asarray(model.probability_of_purchases(table, horizon_days / 7.0, 0),
                                              dtype=float)
    return out, model


#: Tables whose rows belong to one customer (filtered when features are built for some customers).
_PER_CUSTOMER = (schema.ORDERS.name, schema.RETURNS.name, schema.CUSTOMERS.name, schema.SURVEYS.name,
                 schema.FEEDBACK.name, schema.TICKETS.name)


class _Only:
    """A read view of a store in which the per-customer tables hold only some customers.

    Every query of the customer table and of the churn features then aggregates the sampled
    customers' rows only (a semi-join in the store), instead of every customer's.
    """

    def __init__(self, store: Store, customers: pd.Index) -> None:
        self._store = store
        self._ids = ibis.memtable(pd.DataFrame({"_cid": pd.Index(customers).astype(str)}))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _only(self, name: str, t: ibis.Table) -> ibis.Table:
        if name in _PER_CUSTOMER and schema.CUSTOMER_ID in t.columns:
            return t.filter(t[schema.CUSTOMER_ID].isin(self._ids["_cid"]))
        return t

    def table(self, name: str) -> ibis.Table:
        return self._only(name, self._store.table(name))

    def require(self, name: str, purpose: str) -> ibis.Table:
        return self._only(name, self._store.require(name, purpose))


class SampledRows(_Only):
    """`_Only` whose per-customer tables are copied once into temporary tables of the store.

    Features of several sampled snapshots read the sampled customers' rows several times (the
    customer table, the trend, the voice of the customer, each a semi-join over every order):
    copying those rows once makes each later query read a few hundred thousand rows instead of
    ten million. Rows are copied whole, so every feature is the one of the full store (the
    tests compare them). Use as a context manager: the copies are dropped on exit.
    """

    #: The columns of ``orders`` the snapshot features read (the customer table, the trend); the
    #: others (payment, currency, status, region, source: strings) are not copied. A query that
    #: needs another column fails on the copy: it cannot silently read different data.
    ORDER_COLUMNS = (schema.ORDER_ID, schema.CUSTOMER_ID, schema.ORDERED_AT, schema.AMOUNT, schema.DISCOUNT,
                     schema.CHANNEL)

    def __init__(self, store: Store, customers: pd.Index) -> None:
        super().__init__(store, customers)
        self._copies: dict[str, ibis.Table] = {}
        for name in _PER_CUSTOMER:
            if store.has(name):
                t = store.table(name)
                if schema.CUSTOMER_ID in t.columns:
                    if name == schema.ORDERS.name and self.ORDER_COLUMNS:
                        t = t.select(*[col for col in t.columns if col in self.ORDER_COLUMNS])
                    self._copies[name] = self._only(name, t).cache()

    def table(self, name: str) -> ibis.Table:
        return self._copies[name] if name in self._copies else self._store.table(name)

    def require(self, name: str, purpose: str) -> ibis.Table:
        return self._copies[name] if name in self._copies else self._store.require(name, purpose)

    def __enter__(self) -> "SampledRows":
        return self

    def __exit__(self, *_exc: object) -> None:
        for t in self._copies.values():
            t.release()
        self._copies = {}


def check_table(table: pd.DataFrame, as_of: pd.Timestamp) -> None:
    """Raise `InputError` unless ``table`` looks like the customer table as of ``as_of``.

    A table of another date would give every customer wrong recency features without any
    visible sign, so the days since the last order are recomputed from ``last_order_at``.
    """
    missing = [col for col in (schema.CUSTOMER_ID, *c.CUSTOMER_TABLE_COLUMNS) if col not in table.columns]
    if missing:
        raise InputError(f"the customer table passed to churn lacks the columns {missing}; pass "
                         "custlens.features.customer_table(store, as_of) or nothing")
    if len(table):
        last = pd.to_datetime(table[c.LAST_ORDER_AT]).dt.normalize()
        days = (as_of.normalize() - last).dt.days.to_numpy(dtype=float)
        if (last >= as_of).any() or not np.allclose(days, table[c.DAYS_SINCE_LAST].to_numpy(dtype=float)):
            raise InputError(f"the customer table passed to churn is not as of {as_of.date()} (its days since the "
                             "last order do not match that date); pass customer_table(store, as_of) of the same "
                             "as_of, or nothing")


def snapshot_features(store: Store, snapshot: object, horizon_days: int, customers: pd.Index | None = None,
                      seed: int = 0) -> pd.DataFrame:
    """Features of every customer with an order before ``snapshot`` (or of ``customers`` only).

    Parameters
    ----------
    store : Store
        The store (needs ``orders``; surveys, feedback, tickets, customers used when present).
    snapshot : date-like
        The first day not observed.
    horizon_days : int
        The churn horizon ``H`` (for the MBG/NBD probability of no purchase in ``H`` days).
    customers : Index, optional
        Build the features of these customers only (each must have an order before
        ``snapshot``): the queries read their rows only, and the shop-level quantities (the
        median gap of one-time buyers, the MBG/NBD) come from them, a sample of the shop.
    seed : int, default 0
        Seed of the MBG/NBD's fitting sample (`btyd_model`, beyond `BTYD_ROWS` customers).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``; the columns of `NUMERIC_FEATURES` and
        `CATEGORICAL_FEATURES` that the store can fill (a source that is absent gives no
        column), plus ``last_order_at``, ``first_order_at`` and ``gap_mean_days`` for the lists.

    Notes
    -----
    ``usual_gap_days`` is the customer's mean gap between purchase days, or the shop's median
    gap for one-time buyers; ``gap_ratio = days_since_last / usual_gap_days``;
    ``spend_change`` is the spend of the last 90 days over the 90 before, minus 1 (NaN when
    nothing was bought in the quarter before).
    """
    return snapshot_frame(store, snapshot, horizon_days, customers, seed)[0]


def snapshot_frame(store: Store, snapshot: object, horizon_days: int, customers: pd.Index | None = None,
                   seed: int = 0, table: pd.DataFrame | None = None, days: "PurchaseDays | None" = None,
                   rows: np.ndarray | None = None) -> tuple[pd.DataFrame, Any]:
    """`snapshot_features` and the MBG/NBD its ``p_alive`` came from (None without a sound fit).

    ``table``, when given, is the `customer_table` of the store as of ``snapshot`` already
    computed by the caller (the report has it): it is checked against the snapshot and reused.
    ``days``, when given, are every customer's purchase days as of ``snapshot`` or later (the
    report's `custlens.features.purchase_days.PurchaseDays`): the trend features come from them
    instead of a query over the orders (the same counts; sums equal up to the summation order).
    ``rows``: the rows of ``customers`` in ``days`` when the caller knows them (checked against
    the ids; `custlens.churn.days.rows_of`).
    """
    snap = resolve_as_of(store, snapshot)
    if customers is not None:
        store = _Only(store, customers)  # type: ignore[assignment]
    if table is None:
        table = customer_table(store, as_of=snap)
    else:
        check_table(table, snap)
    table = table.set_index(schema.CUSTOMER_ID)
    if table.empty:
        return table, None
    gaps = table[c.GAP_MEAN_DAYS]
    shop_gap = float(np.nanmedian(gaps)) if gaps.notna().any() else float(table[c.T_DAYS].median() or 1.0)
    cols: dict[str, Any] = {col: table[col] for col in table.columns}
    usual = gaps.fillna(max(shop_gap, 1.0)).clip(lower=1.0)
    cols["usual_gap_days"] = usual
    cols["gap_ratio"] = table[c.DAYS_SINCE_LAST] / usual
    probs, btyd = _btyd(table, horizon_days, seed)
    cols["p_alive"], cols["p_no_purchase"] = probs["p_alive"].to_numpy(), probs["p_no_purchase"].to_numpy()
    trend = _trend_from_days(days, table.index, snap, rows)
    if trend is None:
        trend = _trend(store, snap, recent_only=True).reindex(table.index)  # left join (ids are unique)
    cols.update({col: trend[col] for col in ("orders_90d", "spend_90d", "spend_change")})
    for extra in (_voc(store, snap), _demographics(store)):
        if not extra.empty:
            extra = extra.reindex(table.index)  # a left join: one row per customer on both sides
            cols.update({col: extra[col] for col in extra.columns})
    for col in ("orders_90d", "spend_90d", "complaints_90d", "tickets_90d"):
        if col in cols:
            cols[col] = pd.Series(cols[col], index=table.index).fillna(0.0)
    keep = [col for col in (*NUMERIC_FEATURES, *CATEGORICAL_FEATURES) if col in cols]
    info = [c.FIRST_ORDER_AT, c.LAST_ORDER_AT, c.GAP_MEAN_DAYS]
    out: dict[str, Any] = {}
    for col in keep + [col for col in info if col not in keep]:
        v = cols[col]
        v = v.to_numpy() if isinstance(v, pd.Series) else np.asarray(v)
        if col in NUMERIC_FEATURES:
            v = pd.to_numeric(v, errors="coerce").astype(float)
        elif col in CATEGORICAL_FEATURES:
            v = pd.Series(v, dtype=object).where(pd.notna(v), None).to_numpy()
        else:  # an info column: a view of the caller's table until copied
            v = v.copy()
        out[col] = v
    # copy=False: every column is a new array; pandas keeps them instead of copying them into one
    # block per type (~0.5 s at a million customers)
    result = pd.DataFrame(out, index=table.index, copy=False)
    result.index.name = schema.CUSTOMER_ID
    return result, btyd


def _trend_from_days(days: "PurchaseDays | None", index: pd.Index, snap: pd.Timestamp,
                     hint: np.ndarray | None = None) -> pd.DataFrame | None:
    """`_trend` of the customers ``index`` (left-joined) from purchase days, or None when ``days``
    cannot answer (absent, not covering ``snap``, or missing one of the customers); ``hint``: their
    expected rows in ``days`` (`custlens.churn.days.rows_of`)."""
    from custlens.churn.days import epoch_day, rows_of, window_sums

    if days is None or snap != snap.normalize() or snap > pd.Timestamp(days.as_of):
        return None
    rows = rows_of(days, index, hint)
    if rows is None:
        return None
    d = epoch_day(snap)
    some = None if np.array_equal(rows, np.arange(len(days.customer_id))) else rows  # None: all, in order
    _, orders, spend = window_sums(days, d - TREND_DAYS, d, some)
    _, _, prev = window_sums(days, d - 2 * TREND_DAYS, d - TREND_DAYS, some)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(prev > 0, spend / prev - 1.0, np.nan)
    return pd.DataFrame({"orders_90d": orders.astype(float), "spend_90d": spend, "spend_change": change},
                        index=index)
