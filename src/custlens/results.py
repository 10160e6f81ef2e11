"""The base of every analysis result: one generic, JSON-ready ``to_dict()``.

Every analysis returns a dataclass of DataFrames and numbers that inherits `Result`. Its
`to_dict` turns the fields into plain Python once, by one rule (`jsonable`):

- NaN, NaT, ``pd.NA`` and infinities become ``None``;
- NumPy scalars become Python numbers and booleans;
- dates and timestamps become ISO text (a midnight timestamp stays a full ISO timestamp,
  as ``pd.Timestamp.isoformat`` writes it);
- DataFrames become lists of records, Series become lists, nested results their dicts.

A result whose JSON is a documented CLI output (``--json``) overrides `to_dict` to pick and
shape its fields; `Result` passes the override's output through `jsonable` too, so no
module keeps its own NaN helper and every ``to_dict()`` is strict JSON.

>>> import math, numpy as np, pandas as pd
>>> jsonable({"x": np.float64("nan"), "n": np.int64(3), "d": pd.Timestamp("2024-01-02")})
{'x': None, 'n': 3, 'd': '2024-01-02T00:00:00'}
"""

from __future__ import annotations

import dataclasses
import functools
import math
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Result", "jsonable", "records"]


def jsonable(obj: Any) -> Any:
    """``obj`` as plain, JSON-serialisable Python (see the module docstring for the rules).

    Parameters
    ----------
    obj : Any
        A scalar, a container, a DataFrame/Series, a dataclass or a `Result`.

    Returns
    -------
    Any
        ``None``, bool, int, float, str, list or dict (with string keys).
    """
    if obj is None or obj is pd.NaT or obj is pd.NA:
        return None
    if isinstance(obj, Result):
        return obj.to_dict()
    if isinstance(obj, pd.DataFrame):
        return records(obj)
    if isinstance(obj, pd.Series):
        return [jsonable(v) for v in obj.tolist()]
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.datetime64):
        obj = pd.Timestamp(obj)
    if isinstance(obj, (pd.Timestamp, datetime, date, time)):
        return None if pd.isna(obj) else obj.isoformat()
    if isinstance(obj, pd.Timedelta):
        return None if pd.isna(obj) else obj.total_seconds()
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    return obj


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``df`` as ``jsonable`` dictionaries (the index is dropped)."""
    return [{str(k): jsonable(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


class Result:
    """Mixin of every analysis result (a dataclass): a generic, JSON-ready `to_dict`.

    Subclasses are dataclasses; `to_dict` walks their fields (fields whose name starts with
    ``_`` are private and left out). A subclass may override `to_dict` to shape a
    documented output; its output is passed through `jsonable` here, once, so every
    ``to_dict()`` is strict JSON whatever the override returns.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("to_dict")
        if own is not None and not getattr(own, "_jsonable", False):
            @functools.wraps(own)
            def to_dict(self: Any, *args: Any, **kw: Any) -> Any:
                return jsonable(own(self, *args, **kw))

            to_dict._jsonable = True  # type: ignore[attr-defined]
            cls.to_dict = to_dict  # type: ignore[method-assign]

    def to_dict(self) -> dict[str, Any]:
        """Every public field, converted with `jsonable` (NaN → None, dates ISO, frames → records)."""
        if not dataclasses.is_dataclass(self):
            raise TypeError(f"{type(self).__name__} inherits Result but is not a dataclass; decorate it with "
                            "@dataclasses.dataclass or override to_dict()")
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)
                if not f.name.startswith("_")}
