"""Small hand-built VoC stores."""

from __future__ import annotations

from typing import Iterable, Sequence

import pytest

from custlens import Store


def put(store: Store, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert rows, adding ``score_*`` columns to ``surveys`` when needed."""
    have = set(store.columns(table))
    for c in columns:
        if c not in have:
            store._con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{c}" DOUBLE')
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    store._con.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', [list(r) for r in rows])


@pytest.fixture
def put_rows():
    """The `put` helper as a fixture (test modules cannot import this conftest by name)."""
    return put


@pytest.fixture(scope="session")
def accuracy():
    """The module ``sentiment_accuracy.py`` beside the tests (a script, loaded by path)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("voc_sentiment_accuracy", Path(__file__).with_name("sentiment_accuracy.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


S_COLS = ("response_id", "customer_id", "answered_at", "nps", "csat", "score_quality", "score_delivery")


@pytest.fixture
def survey_store(tmp_path) -> Store:
    """Six answers in two quarters, scores on 1-5, no orders."""
    st = Store(tmp_path / "s.duckdb")
    put(st, "surveys", S_COLS, [
        ("r1", "c1", "2025-01-10 10:00:00", 10, 5, 5, 5),
        ("r2", "c2", "2025-02-10 10:00:00", 9, 4, 4, 5),
        ("r3", "c3", "2025-03-10 10:00:00", 6, 3, 3, 1),
        ("r4", "c1", "2025-04-10 10:00:00", 7, 2, 2, 3),
        ("r5", "c2", "2025-05-10 10:00:00", 3, 1, 1, 2),
        ("r6", "c3", "2025-06-10 10:00:00", 8, 4, 4, 4),
    ])
    yield st
    st.close()
