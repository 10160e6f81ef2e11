"""`custlens serve`: the web service and dashboard over a store (needs the ``serve`` extra)."""

from __future__ import annotations

import importlib.util
import threading
from typing import Optional

import typer

from custlens import i18n
from custlens.commands._common import LangOpt, StoreOpt, check_lang, clean, err, out
from custlens.errors import CustlensError


def _check_extra() -> None:
    missing = [m for m in ("fastapi", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise CustlensError(i18n.t("server.cli.missing_extra", "en", missing=", ".join(missing)))


def resolve_token(host: str, token: Optional[str], lang: str) -> tuple[str, bool]:
    """The token to use and whether it was generated; refuses a network address without one.

    Raises
    ------
    CustlensError
        ``host`` is not a loopback address and no token was given, or the token is too short.
    """
    from custlens.server.auth import MIN_TOKEN_LENGTH, generate_token, is_loopback

    if token:
        if len(token) < MIN_TOKEN_LENGTH:
            raise CustlensError(i18n.t("server.cli.short_token", lang))
        return token, False
    if not is_loopback(host):
        raise CustlensError(i18n.t("server.cli.public_needs_token", lang, host=host))
    return generate_token(), True


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""

    @app.command()
    @clean
    def serve(
        store: str = StoreOpt,
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; a non-loopback address needs --token."),
        port: int = typer.Option(8000, "--port", help="TCP port."),
        token: Optional[str] = typer.Option(None, "--token", envvar="CUSTLENS_TOKEN", show_envvar=True,
                                            help="Bearer token (at least 16 characters); generated and printed when omitted on 127.0.0.1."),
        warm: bool = typer.Option(True, "--warm/--no-warm", help="Build the customer index, then fit the CLV and churn models, in the background at start-up (requests that need them answer 503 until then)."),
        lang: str = LangOpt,
    ) -> None:
        """Serve the customer-360 API and the dashboard (read-only on the store).

        Example: custlens serve --store shop.duckdb --port 8000   (token from --token or CUSTLENS_TOKEN)
        """

        check_lang(lang)
        _check_extra()
        import uvicorn

        from custlens.server.app import create_app

        token, generated = resolve_token(host, token, lang)
        application = create_app(store, token, background=True)
        if generated:
            err.print(i18n.t("server.cli.token_generated", lang), highlight=False, markup=False)
        err.print(i18n.t("server.cli.token_how", lang), highlight=False, markup=False)
        url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
        out.print(i18n.t("server.cli.listening", lang, url=url, token=token if generated else "(--token / CUSTLENS_TOKEN)"),
                  highlight=False, markup=False)
        if warm:
            threading.Thread(target=_warm, args=(application,), daemon=True, name="custlens-warm").start()
        uvicorn.run(application, host=host, port=port, log_level="warning")


def _warm(application: object) -> None:
    """Build the index, then fit the models (each in its own thread; errors surface per request)."""
    application.state.analyses.warm()  # type: ignore[attr-defined]
