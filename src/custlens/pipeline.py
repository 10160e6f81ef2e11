"""End-to-end jobs that chain the library: the demo shop from generation to report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from custlens import i18n
from custlens.ingest import IngestResult, ingest
from custlens.store import Store

# Customers first, so the quality report can check orders against them.
i18n.register({"demo.title": {"en": "custlens demo shop", "zh": "custlens 演示店铺"}})

_LOAD_ORDER = ("customers", "orders", "surveys", "feedback", "tickets", "campaign_members")


@dataclass
class DemoRun:
    """Where the demo wrote its store, exports and report, and what ingest did."""

    out_dir: Path
    store_path: Path
    report: Path
    workbook: Path | None
    ingests: dict[str, IngestResult] = field(default_factory=dict)
    truth: dict = field(default_factory=dict)
    seconds: float = 0.0


def run_demo(out_dir: str | Path = "custlens_demo", customers: int = 5000, seed: int = 42, lang: str = "en",
             log: Callable[[str], None] = lambda _m: None, report: bool = True, country: str | None = "auto",
             start: str | None = None, end: str | None = None) -> DemoRun:
    """Generate the demo shop, ingest its exports into a fresh store and write the report.

    Parameters
    ----------
    out_dir : path
        Folder for ``exports/``, ``custlens.duckdb`` and the report.
    customers, seed : int
        Size and seed of the simulated shop.
    lang : {"en", "zh"}
        Report language.
    log : callable
        Receives one line per step.
    report : bool
        Write the HTML report and workbook (tests may skip it).
    country : str or None, default "auto"
        Festival calendar of the report (ISO code; "auto" reads it from the data).
    start, end : str, optional
        Observation period of the shop; default: the months up to the end of the previous
        month (`custlens.demo.shop.default_end`).
    """
    from custlens.demo import generate_shop

    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shop = generate_shop(out / "exports", customers=customers, seed=seed, start=start, end=end)
    log(f"generated a shop of {customers:,} customers in {out / 'exports'} ({time.perf_counter() - t0:.1f} s)")
    store_path = out / "custlens.duckdb"
    for p in (store_path, Path(str(store_path) + ".wal")):
        p.unlink(missing_ok=True)
    results: dict[str, IngestResult] = {}
    with Store(store_path) as st:
        for table in _LOAD_ORDER:
            if table not in shop.paths:
                continue
            res = ingest(shop.paths[table], st, table=table, name=shop.paths[table].name)
            results[table] = res
            log(f"ingested {shop.paths[table].name:22s} {res.rows_read:>8,} rows: {res.rows_loaded:,} loaded, "
                f"{res.rows_quarantined:,} quarantined, {res.duplicates_skipped:,} duplicates")
        # Save the default CLV scores (auto model, 365 days) for the customer export and 360.
        from custlens.clv.pipeline import save_default_scores

        clv = save_default_scores(st)
        if clv is not None and clv.sound:
            log(f"scored {clv.customers:,} customers with {clv.model} (CLV saved in clv_scores)")
        else:
            log("CLV not scored: " + (" ".join(clv.note_texts()[-1:]) if clv is not None else "too little data"))
        html, xlsx = out / "report.html", None
        if report:
            from custlens.report import ReportContext, build_report, write_workbook

            # The demo folder is the demo's own (its store is recreated above): replace its files.
            # One context: the workbook reuses the analyses the report computed.
            ctx = ReportContext(st, lang=lang, country=country)
            html = build_report(st, out=out, lang=lang, title=i18n.t("demo.title", lang), force=True, context=ctx)
            xlsx = write_workbook(st, out / f"custlens_{lang}.xlsx", lang=lang, force=True, context=ctx)
            log(f"wrote the report and workbook ({time.perf_counter() - t0:.1f} s in all)")
    return DemoRun(out, store_path, html, xlsx, results, shop.truth, time.perf_counter() - t0)
