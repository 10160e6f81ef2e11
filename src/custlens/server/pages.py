"""The dashboard: server-rendered pages in English and Chinese, offline.

Pages reuse the report: the overview, segments, cohorts and campaigns pages are the report's
own sections (`custlens.report.registry`) with its tables and plotly charts, and every page
carries the report's style sheet. plotly.js is served from the installed plotly package
(``/static/plotly.min.js``), so nothing is fetched from the internet. Jinja2 autoescapes
every value.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import parse_qs, quote

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from custlens import i18n
from custlens.report import formatting as fmt
from custlens.server import auth
from custlens.server.index import NotFound
from custlens.server.state import NotReady

__all__ = ["pages"]

pages = APIRouter(include_in_schema=False)

NAV = (("overview", "/"), ("segments", "/segments"), ("customers", "/customers"), ("churn", "/churn"),
       ("cohorts", "/cohorts"), ("campaigns", "/campaigns"))
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("custlens.server", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=fmt.fmt_money, int=fmt.fmt_int, pct=fmt.fmt_pct, date=fmt.fmt_date,
                       float=fmt.fmt_float)
    env.globals["has_key"] = i18n.has
    return env


@functools.lru_cache(maxsize=1)
def report_css() -> str:
    """The report's style sheet, read from its template so both always look the same."""
    source = jinja2.PackageLoader("custlens.report", "templates").get_source(jinja2.Environment(), "report.html")[0]
    m = re.search(r"<style>(.*?)</style>", source, re.S)
    return m.group(1) if m else ""


@functools.lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    import plotly.offline

    return plotly.offline.get_plotlyjs().encode("utf-8")


def _lang(request: Request) -> str:
    from custlens.server.app import pick_lang

    return pick_lang(request, request.query_params.get("lang"))


def render(request: Request, template: str, lang: str, status: int = 200, path: str | None = None,
           **ctx: Any) -> HTMLResponse:
    """A page in ``lang`` with the common frame (navigation, language switch to ``path``, style)."""
    def t(key: str, **kw: Any) -> str:
        return i18n.t(key, lang, **kw)

    other = "zh" if lang == "en" else "en"
    html = _env().get_template(template).render(
        lang=lang, html_lang="zh-CN" if lang == "zh" else "en", t=t, nav=NAV, css=Markup(report_css()),
        path=path or request.url.path, other_lang=other, q=quote, **ctx)
    return HTMLResponse(html, status_code=status)


# ----------------------------------------------------------------------------- static, login
@pages.get("/static/plotly.min.js")
def plotly_js() -> Response:
    return Response(_plotly_js(), media_type="application/javascript",
                    headers={"Cache-Control": "private, max-age=86400"})


@pages.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", _lang(request), wrong=False)


@pages.post("/login")
async def login(request: Request) -> Response:
    lang = _lang(request)
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    token = (form.get("token") or [""])[0].strip()
    if not auth.check(request.app.state.token, token):
        return render(request, "login.html", lang, status=401, wrong=True)
    response = RedirectResponse(f"/?lang={lang}", status_code=303)
    response.set_cookie(auth.COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return response


@pages.get("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse(f"/login?lang={_lang(request)}", status_code=303)
    response.delete_cookie(auth.COOKIE, path="/")
    return response


# ----------------------------------------------------------------------------- report sections
def _sections(request: Request, keys: tuple[str, ...], lang: str) -> list[dict[str, Any]]:
    """The report's sections ``keys`` in ``lang``, built once per store state."""
    svc = request.app.state.analyses

    def build(store: Any) -> list[dict[str, Any]]:
        from custlens.report.blocks import Figure, Table
        from custlens.report.context import ReportContext
        from custlens.report.registry import registered_sections, run_section
        from custlens.report.render import table_view

        ctx = ReportContext(store, lang=lang)
        out = []
        for spec in registered_sections(keys):
            section = run_section(spec, ctx)
            if section is None:
                continue
            blocks = []
            for i, block in enumerate(section.blocks):
                item: dict[str, Any] = {"kind": block.kind, "block": block}
                if isinstance(block, Table):
                    item["view"] = table_view(block, lang)
                elif isinstance(block, Figure):
                    fig = block.figure
                    item["html"] = Markup(fig.to_html(full_html=False, include_plotlyjs=False,
                                                      div_id=f"fig-{section.key}-{i}", config=_PLOTLY_CONFIG,
                                                      default_height=fig.layout.height or block.height,
                                                      default_width="100%"))
                blocks.append(item)
            out.append({"key": section.key, "title": section.title, "intro": section.intro,
                        "missing": section.missing, "blocks": blocks})
        return out

    return svc.state.cached(f"page:{'+'.join(keys)}:{lang}", build)


def _section_page(request: Request, page: str, keys: tuple[str, ...], **extra: Any) -> HTMLResponse:
    lang = _lang(request)
    return render(request, "sections.html", lang, page=page, sections=_sections(request, keys, lang),
                  as_of=str(request.app.state.analyses.index().as_of.date()), **extra)


@pages.get("/")
def overview(request: Request) -> HTMLResponse:
    return _section_page(request, "overview", ("kpis",))


@pages.get("/segments")
def segments(request: Request) -> HTMLResponse:
    lang = _lang(request)
    seg = request.app.state.analyses.segments("rfm11", lang)
    return _section_page(request, "segments", ("rfm",), segment_list=seg)


@pages.get("/cohorts")
def cohorts(request: Request) -> HTMLResponse:
    return _section_page(request, "cohorts", ("cohorts",))


@pages.get("/campaigns")
def campaigns(request: Request) -> HTMLResponse:
    return _section_page(request, "campaigns", ("campaigns",))


# ----------------------------------------------------------------------------- customers, churn
@pages.get("/customers")
def customers(request: Request) -> HTMLResponse:
    lang = _lang(request)
    svc = request.app.state.analyses
    q = request.query_params.get("q", "")[:200].strip()
    found = svc.search(q, 0, 50) if q else None
    if found is not None and found["total"] == 1:
        return RedirectResponse(f"/customers/{quote(found['customers'][0]['customer_id'], safe='')}?lang={lang}",
                                status_code=303)
    return render(request, "customers.html", lang, page="customers", query=q, found=found,
                  as_of=str(svc.index().as_of.date()))


@pages.get("/customers/{customer_id:path}")  # ids may hold "/"
def customer(request: Request, customer_id: str) -> HTMLResponse:
    lang = _lang(request)
    svc = request.app.state.analyses
    try:
        d = svc.customer(customer_id[:200])
        voc = svc.voc(d["customer_id"])
    except NotFound:
        return render(request, "customers.html", lang, status=404, path="/customers", page="customers", query="",
                      found={"total": 0, "customers": []}, as_of=str(svc.index().as_of.date()))
    seg = (i18n.t(f"segment.{d['segment_scheme']}.{d['segment']}.name", lang) if d["segment"] else None)
    stage = i18n.t(f"lifecycle.stage.{d['lifecycle_stage']}", lang) if i18n.has(
        f"lifecycle.stage.{d['lifecycle_stage']}") else d["lifecycle_stage"]
    churn = d["churn"] or {}
    reasons = churn.get(f"reasons_{lang}")
    return render(request, "customer.html", lang, page="customers", d=d, voc=voc, segment=seg, stage=stage,
                  reasons=reasons, query=d["customer_id"], as_of=d["as_of"])


@pages.get("/churn")
def churn(request: Request) -> HTMLResponse:
    lang = _lang(request)
    svc = request.app.state.analyses
    as_of = str(svc.index().as_of.date())
    saved = svc.index().score_state["churn"]
    try:
        watch = svc.churn_list("watch", lang, 0, 100)
        winback = svc.churn_list("winback", lang, 0, 100)
    except NotReady:  # the churn model is being fitted: say so, do not wait for it
        return render(request, "churn.html", lang, page="churn", watch=None, winback=None, saved=saved,
                      as_of=as_of)
    return render(request, "churn.html", lang, page="churn", watch=watch, winback=winback, saved=saved,
                  as_of=as_of)
