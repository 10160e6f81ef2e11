"""The FastAPI application: the JSON API, its security and its error handling.

Every route, the OpenAPI spec (``/openapi.json``) and every dashboard page need the token
(`custlens.server.auth`); only ``/login`` is open. Errors never carry data: an unknown
customer is a plain 404, a bad body a 422 listing the fields (never their values), anything
unexpected a 500 ``internal error``. The store is opened read-only.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal, Optional

import pandas as pd
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from custlens import i18n
from custlens.errors import CustlensError, InputError, StoreError
from custlens.server import auth
from custlens.server.analyses import Analyses
from custlens.server.index import NotFound
from custlens.server.state import NotReady, StoreState

__all__ = ["create_app", "MAX_BODY_BYTES", "MAX_PAGE"]

log = logging.getLogger("custlens.server")

#: Largest request body accepted (bytes) and largest page of a list.
MAX_BODY_BYTES = 1_000_000
MAX_PAGE = 500
MAX_ID = 200
Lang = Optional[Literal["en", "zh"]]


# ----------------------------------------------------------------------------- language
def pick_lang(request: Request, lang: str | None = None) -> str:
    """``?lang=`` when given, else the best of ``Accept-Language`` (zh or en), else en."""
    if lang in i18n.LANGS:
        return lang
    best, best_q = "en", 0.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        code = tag.strip().lower().split("-")[0]
        if code in i18n.LANGS and q > best_q:
            best, best_q = code, q
    return best


def lang_dep(request: Request, lang: Lang = Query(None, description="en or zh; default from Accept-Language")) -> str:
    return pick_lang(request, lang)


def _svc(request: Request) -> Analyses:
    return request.app.state.analyses


# ----------------------------------------------------------------------------- bodies
def _plausible(ts: datetime) -> datetime:
    """Dates the store itself accepts (ingest quarantines orders before 1990)."""
    if not 1990 <= ts.year <= 2200:
        raise ValueError("date out of range (1990-2200)")
    return ts


class OrderIn(BaseModel):
    """One order of a posted history (times in the shop's local time, as in the store)."""

    model_config = ConfigDict(extra="forbid")
    ordered_at: datetime
    _ordered_ok = field_validator("ordered_at")(_plausible)
    amount: float = Field(ge=0, le=1e9, allow_inf_nan=False, description="net paid amount")
    discount: Optional[float] = Field(None, ge=0, le=1e9, allow_inf_nan=False)
    channel: Optional[str] = Field(None, max_length=100)
    category: Optional[str] = Field(None, max_length=100, description="category of the order's goods")


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    returned_at: datetime
    _returned_ok = field_validator("returned_at")(_plausible)
    amount: float = Field(gt=0, le=1e9, allow_inf_nan=False)


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    age: Optional[float] = Field(None, ge=1, le=120, allow_inf_nan=False)
    income: Optional[float] = Field(None, ge=0, le=1e12, allow_inf_nan=False)
    gender: Optional[str] = Field(None, max_length=100)
    city_tier: Optional[str] = Field(None, max_length=100)
    acquisition_channel: Optional[str] = Field(None, max_length=100)


class ScoreIn(BaseModel):
    """A customer's history to score with the store's fitted models."""

    model_config = ConfigDict(extra="forbid")
    orders: list[OrderIn] = Field(min_length=1, max_length=5000)
    returns: list[ReturnIn] = Field(default_factory=list, max_length=5000)
    profile: Optional[ProfileIn] = None


class FieldError(BaseModel):
    loc: list[str]
    type: str


class ErrorOut(BaseModel):
    """Every error answer: a generic text in the request's language, never request data."""

    detail: str
    errors: Optional[list[FieldError]] = Field(None, description="fields that failed validation (422)")
    reason: Optional[str] = Field(None, description="what to change in a scoring request (422)")


def _naive(ts: datetime) -> datetime:
    return ts.replace(tzinfo=None) if ts.tzinfo is not None else ts


# ----------------------------------------------------------------------------- routes
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text} for code, text in (
        (401, "no or wrong token"), (404, "unknown customer or segment"), (409, "not enough data"),
        (413, "body over 1 MB"), (422, "invalid request"),
        (503, "store busy, or the index or models still being computed (see Retry-After and /api/status)"))}
api = APIRouter(prefix="/api", responses=_ERRORS)
Offset = Query(0, ge=0, le=10_000_000)
Limit = Query(50, ge=1, le=MAX_PAGE, description=f"page size, at most {MAX_PAGE}")
Scheme = Query("rfm11", max_length=20, pattern="^(rfm11|rf10|cn8|kmeans|lrfmc|abc|value)$")


@api.get("/status", summary="What is ready: customer index, fitted models, saved scores, source of each list")
def status(request: Request) -> dict[str, Any]:
    return _svc(request).status()


@api.get("/kpis", summary="Headline figures of the shop")
def kpis(request: Request, lang: str = Depends(lang_dep)) -> dict[str, Any]:
    return {"lang": lang, **_svc(request).kpis(lang)}


@api.get("/segments", summary="Segments of a scheme with size, revenue and playbook")
def segments(request: Request, scheme: str = Scheme, lang: str = Depends(lang_dep)) -> dict[str, Any]:
    return {"lang": lang, **_svc(request).segments(scheme, lang)}


@api.get("/segments/audience.csv", summary="Audience for a CRM import (CSV, UTF-8 with BOM)",
         response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def audience_csv(request: Request, scheme: str = Scheme,
                 segment: Optional[str] = Query(None, max_length=MAX_ID, description="segment key or name; all when omitted"),
                 lang: str = Depends(lang_dep)) -> Response:
    body = _svc(request).audience_csv(scheme, segment, lang)
    name = f"audience_{scheme}_{segment or 'all'}.csv" if segment and segment.isidentifier() else f"audience_{scheme}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@api.get("/segments/{segment}/members", summary="One page of a segment's customers")
def members(request: Request, segment: str = Path(max_length=MAX_ID), scheme: str = Scheme,
            offset: int = Offset, limit: int = Limit, lang: str = Depends(lang_dep)) -> dict[str, Any]:
    return {"lang": lang, **_svc(request).members(scheme, segment, lang, offset, limit)}


@api.get("/customers", summary="Search customers by id prefix (paged)")
def search(request: Request, q: str = Query("", max_length=MAX_ID, description="id prefix"),
           offset: int = Offset, limit: int = Limit) -> dict[str, Any]:
    return _svc(request).search(q, offset, limit)


@api.get("/customers/{customer_id:path}/voc", summary="Surveys, feedback and tickets of one customer")
def voc(request: Request, customer_id: str = Path(max_length=MAX_ID)) -> dict[str, Any]:
    return _svc(request).voc(customer_id)


@api.get("/customers/{customer_id:path}", summary="Customer 360 (the content of `custlens customer ID --json`)",
         response_model=dict[str, Any])
def customer(request: Request, customer_id: str = Path(max_length=MAX_ID)) -> Response:
    # already JSON-safe: sent as is, without FastAPI's second pass over the nested dict
    return JSONResponse(_svc(request).customer(customer_id))


@api.get("/churn/watch", summary="Early-warning list: active customers at risk, largest expected loss first")
def churn_watch(request: Request, offset: int = Offset, limit: int = Limit,
                lang: str = Depends(lang_dep)) -> dict[str, Any]:
    return {"lang": lang, **_svc(request).churn_list("watch", lang, offset, limit)}


@api.get("/churn/winback", summary="Win-back list: silent customers, largest expected loss first")
def churn_winback(request: Request, offset: int = Offset, limit: int = Limit,
                  lang: str = Depends(lang_dep)) -> dict[str, Any]:
    return {"lang": lang, **_svc(request).churn_list("winback", lang, offset, limit)}


@api.get("/clv/top", summary="Customers with the highest CLV")
def clv_top(request: Request, limit: int = Limit) -> dict[str, Any]:
    return _svc(request).clv_top(limit)


@api.post("/score", summary="Score a posted order history: P(alive), expected purchases, CLV, churn risk and reasons")
def score(request: Request, body: ScoreIn, lang: str = Depends(lang_dep)) -> dict[str, Any]:
    orders = pd.DataFrame([{**o.model_dump(), "ordered_at": _naive(o.ordered_at)} for o in body.orders])
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"])
    returns = None
    if body.returns:
        returns = pd.DataFrame([{"returned_at": _naive(r.returned_at), "amount": r.amount} for r in body.returns])
        returns["returned_at"] = pd.to_datetime(returns["returned_at"])
    profile = body.profile.model_dump(exclude_none=True) if body.profile else None
    out = _svc(request).score(orders, profile, returns)
    out["reasons"] = out["reasons"][lang]
    return {"lang": lang, **out}


# ----------------------------------------------------------------------------- errors
def _error(request: Request, status: int, key: str, **extra: Any) -> JSONResponse:
    lang = pick_lang(request, request.query_params.get("lang"))
    return JSONResponse({"detail": i18n.t(key, lang), **extra}, status_code=status)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def _unknown(request: Request, exc: NotFound) -> JSONResponse:
        return _error(request, 404, "server.error.not_found")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        keys = {401: "server.error.unauthorized", 404: "server.error.not_found", 413: "server.error.too_large"}
        return _error(request, exc.status_code, keys.get(exc.status_code, "server.error.invalid"))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # where and what kind of problem, never the offending value
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "type": e.get("type")} for e in exc.errors()]
        return _error(request, 422, "server.error.invalid", errors=errors)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return _error(request, 422, "server.error.invalid", reason=str(exc))

    @app.exception_handler(NotReady)
    async def _not_ready(request: Request, exc: NotReady) -> Response:
        if request.url.path.startswith("/api"):
            response: Response = _error(request, 503, f"server.not_ready.{exc.what}")
        else:  # a dashboard page: say so and reload itself
            from custlens.server.pages import render

            lang = pick_lang(request, request.query_params.get("lang"))
            response = render(request, "notready.html", lang, status=503, what=exc.what, retry_after=exc.retry_after)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(StoreError)
    async def _busy(request: Request, exc: StoreError) -> JSONResponse:
        log.warning("store unavailable: %s", exc)
        return _error(request, 503, "server.error.busy")

    @app.exception_handler(CustlensError)
    async def _data(request: Request, exc: CustlensError) -> JSONResponse:
        log.info("not enough data: %s", exc)
        return _error(request, 409, "server.error.not_enough_data")

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return _error(request, 500, "server.error.internal")


# ----------------------------------------------------------------------------- middleware
class BodyLimit:
    """Refuse request bodies above ``limit`` bytes (by header, and while streaming)."""

    def __init__(self, app: Any, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await _too_large(send)
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send: Any) -> None:
    body = b'{"detail":"request body too large"}'
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


_OPEN = ("/login",)
_SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


class TokenGate:
    """Let a request through only with the token (pure ASGI: no per-request task or body copy).

    API calls, the spec and non-GET requests without it get 401; page visits are sent to ``/login``.
    """

    def __init__(self, app: Any, token: str):
        self.app, self.token = app, token

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        path = scope["path"]
        if path in _OPEN or auth.check(self.token, auth.presented_token(request)):
            async def send_with_headers(message: dict) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    names = {k.lower() for k, _ in headers}
                    headers += [h for h in _SECURITY_HEADERS if h[0] not in names]
                    if b"cache-control" not in names:
                        headers.append((b"cache-control", b"no-store"))
                    message = {**message, "headers": headers}
                await send(message)

            return await self.app(scope, receive, send_with_headers)
        if path.startswith("/api") or path == "/openapi.json" or scope["method"] != "GET":
            response: Response = _error(request, 401, "server.error.unauthorized")
            response.headers["WWW-Authenticate"] = "Bearer"
        else:
            lang = request.query_params.get("lang")
            response = RedirectResponse("/login" + (f"?lang={lang}" if lang in i18n.LANGS else ""), status_code=303)
        await response(scope, receive, send)


# ----------------------------------------------------------------------------- app
def create_app(store: str, token: str, background: bool = False) -> FastAPI:
    """The web service over the store at ``store``, guarded by ``token``.

    Parameters
    ----------
    store : str
        Path of the DuckDB store; opened read-only, re-read when the file changes.
    token : str
        The bearer token every request must present.
    background : bool, default False
        Build the customer index in a background thread, answering 503 until it is ready
        (`custlens serve`); by default the first request builds it. The CLV and churn models are
        always fitted in the background: ``POST /api/score`` answers 503 until they are ready.
    """
    if not token:
        raise ValueError("a token is required")
    from custlens.server.pages import pages

    app = FastAPI(title="custlens", version="0.1.0", docs_url=None, redoc_url=None,
                  description="Customer 360, segments, watch lists and scoring. Every call needs "
                              "`Authorization: Bearer TOKEN`.")
    app.state.token = token
    app.state.analyses = Analyses(StoreState(store), background=background)
    app.include_router(api)
    app.include_router(pages)
    _install_errors(app)
    app.add_middleware(TokenGate, token=token)
    app.add_middleware(BodyLimit)
    return app
