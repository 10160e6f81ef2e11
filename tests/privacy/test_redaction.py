"""Personal fields of quarantined rows never reach the report, the quality JSON or the warning."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from custlens import Store
from custlens.ingest import ingest
from custlens.privacy import REDACTED, redact_json, redact_record
from custlens.quality import assess
from custlens.report.blocks import Paragraph, Table
from custlens.report.context import ReportContext
from custlens.report.registry import registered_sections, run_section

SECRETS = ("Alice Wong", "alice@example.com", "13812345678", "上海市浦东新区XX路1号", "张三")
TEXT = ("订单号,会员ID,下单时间,实付金额,收货人,收货地址,联系方式,备注\n"
        "A1,,2024-01-05,10,张三,上海市浦东新区XX路1号,13812345678,ok\n"
        "A2,,2024-01-06,20,Alice Wong,上海市浦东新区XX路1号,alice@example.com,ok\n"
        "A3,c3,2024-01-07,30,李四,北京,13911112222,ok\n")


def test_redact_record_by_header_and_by_value() -> None:
    rec = {"order": "A1", "Email": None, "contact": "alice@example.com", "姓名": "张三", "amount": "10",
           "raw": json.dumps({"phone": "555", "note": "call +44 20 7946 0958", "x": "13812345678"})}
    out = redact_record(rec)
    assert out["order"] == "A1" and out["amount"] == "10" and out["Email"] is None
    assert out["contact"] == out["姓名"] == REDACTED
    raw = json.loads(out["raw"])
    assert raw == {"phone": REDACTED, "note": "call +44 20 7946 0958", "x": REDACTED}
    assert redact_json("not json alice@example.com") == "not json alice@example.com"
    assert redact_json("alice@example.com") == REDACTED


def test_quality_report_and_html_section_show_no_personal_data(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "o.csv"
    path.write_text(TEXT, encoding="utf-8")
    res = ingest(path, store, today=dt.date(2026, 11, 23))
    assert res.rows_quarantined == 2
    assert res.warnings and all(s not in w for w in res.warnings for s in SECRETS)
    assert "张三" in store._con.execute("SELECT string_agg(raw, '') FROM _quarantine").fetchall()[0][0]  # kept raw
    dumped = json.dumps(assess(store).to_dict(), ensure_ascii=False)
    assert REDACTED in dumped and not any(s in dumped for s in SECRETS)
    text = []
    for spec in registered_sections(["quality", "overview"]):
        section = run_section(spec, ReportContext(store, lang="zh", min_group=1))
        for block in section.blocks:
            if isinstance(block, Table):
                text.append(block.frame.to_string())
            elif isinstance(block, Paragraph):
                text.append(block.text)
    joined = "\n".join(text)
    assert REDACTED in joined  # the example row is shown, redacted
    assert not any(s in joined for s in SECRETS)
