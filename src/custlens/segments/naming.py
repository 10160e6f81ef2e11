"""Naming clusters from their centres, and the display name of any segment key.

A cluster's centre is read as z-scores of the scaled features against all customers. Each
feature plays a role: *recency* (days since the last order; fewer is better), *frequency*,
*monetary*, *length* (days since the first order or signup) or *discount*. With

    value    v = mean z of the frequency and monetary features
    activity a = - z of the recency feature (0 when there is none)

a centre is named (first rule that holds):

==============  ==============================  ==================================
key             rule                            LRFMC name
==============  ==============================  ==================================
``keep``        v >= 0.5 and a >= 0             重要保持 (important to keep)
``retain``      v >= 0.5 and a < 0              重要挽留 (important to win back)
``develop``     a >= 0.25                       重要发展 (important to develop)
``low_value``   v < -0.25 and a < 0             低价值 (low value)
``general``     otherwise                       一般 (general)
==============  ==============================  ==================================

These are the five customer classes of the LRFMC airline study (Zhang Liang et al.,
*Python 数据分析与挖掘实战*, chapter 7) stated as rules on the centre, so a name follows from
the data and not from the cluster number. Two clusters can earn the same name; the second gets
the key ``<name>_2`` (shown as "General 2").
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from custlens import i18n

__all__ = ["FEATURE_ROLES", "name_centres", "segment_name", "segment_text"]

#: Role of the known feature names; unknown features play no role in naming.
FEATURE_ROLES: dict[str, str] = {
    "days_since_last": "recency", "R": "recency",
    "orders": "frequency", "frequency": "frequency", "purchase_days": "frequency", "F": "frequency",
    "total_spend": "monetary", "monetary_value": "monetary", "aov": "monetary", "M": "monetary",
    "tenure_days": "length", "T_days": "length", "L": "length",
    "discount_share": "discount", "C": "discount",
}  # fmt: skip

_SUFFIX = re.compile(r"^(?P<base>.+)_(?P<n>\d+)$")


def value_score(centres_z: pd.DataFrame) -> np.ndarray:
    """Value minus staleness of each centre: ``mean z(F, M) - z(R)``, the canonical cluster order."""
    roles = [FEATURE_ROLES.get(str(c)) for c in centres_z.columns]
    z = centres_z.to_numpy(dtype=float)
    vm = [i for i, r in enumerate(roles) if r in ("frequency", "monetary")]
    rec = [i for i, r in enumerate(roles) if r == "recency"]
    v = z[:, vm].mean(axis=1) if vm else z.mean(axis=1)
    a = -z[:, rec].mean(axis=1) if rec else np.zeros(len(z))
    return v + a


def name_centres(centres_z: pd.DataFrame) -> list[str]:
    """Segment keys for cluster centres given as z-scores, one per row, unique.

    Parameters
    ----------
    centres_z : pandas.DataFrame
        One row per cluster, one column per feature: the centre as a z-score against all
        customers.

    Returns
    -------
    list of str
        ``keep``, ``develop``, ``retain``, ``general`` or ``low_value`` per row (see the module
        docstring); a repeated name gets ``_2``, ``_3``... in row order.
    """
    roles = [FEATURE_ROLES.get(str(c)) for c in centres_z.columns]
    z = centres_z.to_numpy(dtype=float)
    vm = [i for i, r in enumerate(roles) if r in ("frequency", "monetary")]
    rec = [i for i, r in enumerate(roles) if r == "recency"]
    names: list[str] = []
    seen: dict[str, int] = {}
    for row in z:
        v = float(row[vm].mean()) if vm else float(row.mean())
        a = float(-row[rec].mean()) if rec else 0.0
        if v >= 0.5:
            key = "keep" if a >= 0 else "retain"
        elif a >= 0.25:
            key = "develop"
        elif v < -0.25 and a < 0:
            key = "low_value"
        else:
            key = "general"
        seen[key] = seen.get(key, 0) + 1
        names.append(key if seen[key] == 1 else f"{key}_{seen[key]}")
    return names


def _split(segment: str) -> tuple[str, str]:
    m = _SUFFIX.match(segment)
    return (m["base"], m["n"]) if m else (segment, "")


def segment_text(scheme: str, segment: str, part: str, lang: str = "en") -> str:
    """A text of a segment (``name``, ``description``, ``action``, ``channel``, ``offer``).

    Numbered repeats (``general_2``) share the texts of their base key; their name gets the
    number (``"General 2"``).

    Raises
    ------
    KeyError
        When the text is not in the catalogue.
    """
    key = f"segment.{scheme}.{segment}.{part}"
    if i18n.has(key):
        return i18n.t(key, lang)
    base, n = _split(segment)
    text = i18n.t(f"segment.{scheme}.{base}.{part}", lang)
    return f"{text} {n}" if part == "name" and n else text


def segment_name(scheme: str, segment: str, lang: str = "en") -> str:
    """The display name of a segment key, e.g. ``segment_name("lrfmc", "keep", "zh")``."""
    return segment_text(scheme, segment, "name", lang)
