"""The result base: one NaN → None rule, ISO dates, frames as records, nested results."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pytest

from custlens.results import Result, jsonable, records


@dataclass
class _Inner(Result):
    n: int
    share: float


@dataclass
class _Outer(Result):
    frame: pd.DataFrame
    inner: _Inner
    when: pd.Timestamp
    figures: dict = field(default_factory=dict)
    _cache: object = None


def test_scalars_follow_one_rule():
    assert jsonable(np.float64("nan")) is None
    assert jsonable(float("inf")) is None and jsonable(-np.inf) is None
    assert jsonable(pd.NaT) is None and jsonable(pd.NA) is None and jsonable(None) is None
    assert jsonable(np.datetime64("NaT")) is None
    assert jsonable(np.int64(7)) == 7 and type(jsonable(np.int64(7))) is int
    assert jsonable(np.float32(0.5)) == 0.5 and type(jsonable(np.float32(0.5))) is float
    assert jsonable(np.bool_(True)) is True
    assert jsonable(pd.Timestamp("2024-03-01 12:30")) == "2024-03-01T12:30:00"
    assert jsonable(np.datetime64("2024-03-01")) == "2024-03-01T00:00:00"
    assert jsonable(date(2024, 3, 1)) == "2024-03-01"
    assert jsonable("text") == "text" and jsonable(3) == 3


def test_frames_become_records_with_clean_cells():
    df = pd.DataFrame({"a": [1, 2], "b": [0.5, np.nan], "t": pd.to_datetime(["2024-01-01", None])})
    assert records(df) == [{"a": 1, "b": 0.5, "t": "2024-01-01T00:00:00"}, {"a": 2, "b": None, "t": None}]
    assert jsonable(df["b"]) == [0.5, None]


def test_to_dict_walks_fields_nested_results_and_skips_private():
    res = _Outer(frame=pd.DataFrame({"x": [np.nan]}), inner=_Inner(np.int64(3), np.float64("nan")),
                 when=pd.Timestamp("2024-05-01"), figures={"k": (1, np.nan)}, _cache=object())
    d = res.to_dict()
    assert d == {"frame": [{"x": None}], "inner": {"n": 3, "share": None}, "when": "2024-05-01T00:00:00",
                 "figures": {"k": [1, None]}}
    json.dumps(d, allow_nan=False)  # strict JSON: no NaN leaked


def test_to_dict_needs_a_dataclass():
    class NotData(Result):
        pass

    with pytest.raises(TypeError, match="not a dataclass"):
        NotData().to_dict()


def test_an_overriding_to_dict_is_made_strict_json_too():
    @dataclass
    class Shaped(Result):
        x: float

        def to_dict(self, lang: str = "en") -> dict:
            return {"x": self.x, "lang": lang, "when": pd.Timestamp("2024-01-01")}

    assert Shaped(np.nan).to_dict(lang="zh") == {"x": None, "lang": "zh", "when": "2024-01-01T00:00:00"}
    assert Shaped.to_dict.__doc__ is None and Shaped.to_dict.__name__ == "to_dict"
