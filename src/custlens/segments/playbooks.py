"""Playbooks: for every segment of every scheme, an action, a channel and an offer (en/zh).

>>> playbook("rfm11", "champions", "en")["channel"]
'App push, member e-mail, community'
"""

from __future__ import annotations

import pandas as pd

from custlens.segments.naming import segment_text
from custlens.segments.rfm_maps import SCHEMES as RFM_SCHEMES
from custlens.segments.texts import SCHEME_SEGMENTS

__all__ = ["PLAYBOOK_SCHEMES", "playbook", "playbook_table", "scheme_segments"]

#: Schemes with a playbook and their segment keys in display order.
PLAYBOOK_SCHEMES: dict[str, tuple[str, ...]] = {
    **{name: m.segments for name, m in RFM_SCHEMES.items()},
    **{s: SCHEME_SEGMENTS[s] for s in ("kmeans", "lrfmc", "abc", "value")},
}

_PARTS = ("name", "description", "action", "channel", "offer")


def scheme_segments(scheme: str) -> tuple[str, ...]:
    """Segment keys of ``scheme`` in display order (cluster schemes: the five base names)."""
    return PLAYBOOK_SCHEMES[scheme]


def playbook(scheme: str, segment: str, lang: str = "en") -> dict[str, str]:
    """``{segment, name, description, action, channel, offer}`` of one segment in ``lang``.

    Numbered cluster keys (``general_2``) take the playbook of their base name.

    Raises
    ------
    KeyError
        Unknown scheme or segment.
    """
    return {"segment": segment, **{p: segment_text(scheme, segment, p, lang) for p in _PARTS}}


def playbook_table(scheme: str, lang: str = "en", segments: list[str] | None = None) -> pd.DataFrame:
    """The playbook of a scheme: one row per segment, columns ``segment`` and the five texts."""
    keys = segments if segments is not None else list(scheme_segments(scheme))
    return pd.DataFrame([playbook(scheme, s, lang) for s in keys], columns=["segment", *_PARTS])
