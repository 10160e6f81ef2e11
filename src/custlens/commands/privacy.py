"""`custlens forget`: delete one customer's data from every table of the store."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from custlens import i18n
from custlens.commands._common import JsonOpt, LangOpt, StoreOpt, check_lang, clean, emit_json, out

i18n.register({
    "cli.forget.done": {
        "en": "forgot one customer: {total} rows removed{detail}; recorded in _forget_log as {id_hash}",
        "zh": "已删除一位客户的数据：共移除 {total} 行{detail}；已记入 _forget_log（编号哈希 {id_hash}）",
    },
    "cli.forget.none": {
        "en": "no rows of this customer were found; the request is recorded in _forget_log as {id_hash}",
        "zh": "未找到该客户的数据；此次请求已记入 _forget_log（编号哈希 {id_hash}）",
    },
})


def register(app: typer.Typer) -> None:
    """Add the ``forget`` command to ``app``."""

    @app.command()
    @clean
    def forget(
        customer_id: str = typer.Argument(..., help="The customer's id as in your files (the original id, also in a pseudonymised store)."),
        salt_file: Optional[Path] = typer.Option(None, "--salt-file", help="Key file of a pseudonymised store (default: STORE.key)."),
        store: str = StoreOpt,
        as_json: bool = JsonOpt,
        lang: str = LangOpt,
    ) -> None:
        """Delete one customer from every table (orders, items, returns, surveys, scores, quarantine...).

        The deletion is one transaction and is logged in _forget_log with a hash of the id,
        never the id itself.

        Example: custlens forget 12346 --store shop.duckdb
        """
        from custlens.privacy import forget as run_forget
        from custlens.store import open_store

        check_lang(lang)
        st = open_store(store)
        try:
            res = run_forget(st, customer_id, salt_file=salt_file)
        finally:
            st.close()
        if as_json:
            emit_json(res.to_dict())
            return
        if not res.total:
            out.print(i18n.t("cli.forget.none", lang, id_hash=res.id_hash[:16]), markup=False, highlight=False)
            return
        detail = " (" + ", ".join(f"{t} {n:,}" for t, n in res.rows_removed.items()) + ")"
        out.print(i18n.t("cli.forget.done", lang, total=f"{res.total:,}", detail=detail, id_hash=res.id_hash[:16]),
                  markup=False, highlight=False)
