"""``custlens segments``: segment customers under any scheme and export audiences for a CRM."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from custlens.commands._common import (AsOfOpt, ForceOpt, JsonOpt, LangOpt, StoreOpt, check_lang, clean,
                                       emit_json, frame_table, out, parse_as_of, styled)
from custlens.errors import CustlensError
from custlens.results import jsonable


def register(app: typer.Typer) -> None:
    """Add the ``segments`` command to ``app``."""

    @app.command()
    @clean
    def segments(
        scheme: str = typer.Option("rfm11", "--scheme", help="rfm11|rf10|cn8|kmeans|lrfmc|abc|value."),
        segment: Optional[str] = typer.Option(None, "--segment", help="Only this segment (key or name) in the audience."),
        export: Optional[Path] = typer.Option(None, "--export", help="Write the audience to .csv, .parquet or .xlsx."),
        k: Optional[int] = typer.Option(None, "--k", help="Number of clusters (kmeans, lrfmc); chosen from 3-8 when omitted."),
        method: str = typer.Option("kmeans", "--method", help="Clustering algorithm: kmeans or gmm."),
        force: bool = ForceOpt,
        store: str = StoreOpt,
        as_of: Optional[str] = AsOfOpt,
        lang: str = LangOpt,
        as_json: bool = JsonOpt,
    ) -> None:
        """Segments of one scheme with their playbook; --export writes the audience for a CRM.

        Example: custlens segments --scheme rfm11 --segment at_risk --export at_risk.csv
        """
        from custlens import analyses, i18n
        from custlens.features import customer_table, export_table
        from custlens.segments import ALL_SCHEMES, audience, resolve_segment, segment_text
        from custlens.store import open_store

        check_lang(lang)
        if scheme not in ALL_SCHEMES:
            raise CustlensError(f"--scheme {scheme!r} is unknown; use one of {', '.join(ALL_SCHEMES)}")
        st = open_store(store, read_only=True)
        st.require("orders", "segments")
        when = parse_as_of(as_of, st, lang)
        table = customer_table(st, as_of=when)
        demo = st.read("customers") if st.has("customers") else None
        seg = analyses.segments(st, as_of=when, scheme=scheme, customers=table, demographics=demo, k=k, method=method)
        key = resolve_segment(seg, segment) if segment else None
        aud = audience(seg, table, key, lang, demo) if (export or key) else None
        if export:
            export_table(aud, export, force=force)
        segs = seg.segments.copy()
        segs.insert(1, "name", [segment_text(scheme, s, "name", lang) for s in segs["segment"]])
        if as_json:
            obj: dict[str, Any] = {
                "scheme": scheme, "title": i18n.t(f"segment.{scheme}.title", lang), "customers": len(table),
                "segments": [{c: jsonable(r[c]) for c in ("segment", "name", "customers", "share", "revenue",
                                                        "revenue_share")}
                             | {p: segment_text(scheme, r["segment"], p, lang) for p in ("action", "channel", "offer")}
                             for _, r in segs.iterrows()],
                **{k_: jsonable(v) if not isinstance(v, list) else v for k_, v in seg.info.items()},
                "notes": [i18n.t(n, lang) for n in seg.notes],
            }
            if key is not None:
                obj["segment"] = key
            if aud is not None:
                obj["audience"] = len(aud)
            if export:
                obj["export"] = str(export)
            emit_json(obj)
            return
        out.print(frame_table(segs[["name", "customers", "share", "revenue", "revenue_share"]],
                              i18n.t(f"segment.{scheme}.title", lang), lang=lang))
        if "k" in seg.info:
            out.print(f"k = {seg.info['k']}, silhouette = {seg.info['silhouette']:.3f}", highlight=False)
        for n in seg.notes:
            out.print(i18n.t(n, lang), highlight=False)
        for s in segs.loc[segs["customers"] > 0, "segment"]:
            if key is not None and s != key:
                continue
            out.print(styled((segment_text(scheme, s, "name", lang), "bold"),
                             f": {segment_text(scheme, s, 'action', lang)} ({segment_text(scheme, s, 'channel', lang)}; "
                             f"{segment_text(scheme, s, 'offer', lang)})"))
        if export:
            out.print(f"{len(aud):,} customers written to {export}", highlight=False)
        elif aud is not None:
            out.print(f"{len(aud):,} customers in the segment (add --export FILE.csv to write them)", highlight=False)
