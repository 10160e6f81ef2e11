"""Bearer-token access: every API call and every page needs the token.

API clients send ``Authorization: Bearer TOKEN``. The dashboard logs in once with the token
(``POST /login``) and keeps it in an HttpOnly, SameSite=Strict cookie, so scripts in the page
cannot read it and other sites cannot send it. Tokens are compared in constant time
(`hmac.compare_digest`).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from fastapi import Request

__all__ = ["COOKIE", "MIN_TOKEN_LENGTH", "check", "generate_token", "is_loopback", "presented_token"]

COOKIE = "custlens_token"
MIN_TOKEN_LENGTH = 16


def generate_token() -> str:
    """A random URL-safe token (32 bytes of entropy)."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def presented_token(request: Request) -> str | None:
    """The token of a request: the bearer header first, else the dashboard cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE) or None


def check(expected: str, given: str | None) -> bool:
    """Constant-time comparison of ``given`` with ``expected``."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
