"""Pure decisions of the web integrations, shared by every framework: where a login may return to, which
query parameters reach the authorization URL, and the RFC 6750 answer to a bearer token."""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PASSTHROUGH",
    "BearerDecision",
    "bearer_challenge",
    "login_passthrough",
    "safe_return_to",
    "state_matches",
]

# Query parameters of the login route passed on to the authorization URL.
PASSTHROUGH = ("login_hint", "organization_id", "connection_id", "domain_hint")
_MAX_HINT = 256


def safe_return_to(value: str | None) -> str | None:
    """``value`` when it is a same-site relative path (``/a/b?c``), else ``None`` (no open redirect).

    Rejects absolute URLs, scheme-relative ``//host`` and ``/\\host`` (browsers treat ``\\`` as ``/``),
    control characters and over-long values.
    """
    if not value or len(value) > 2048 or not value.startswith("/"):
        return None
    if value.startswith(("//", "/\\")) or any(ord(c) < 0x20 or c in "\\\x7f" for c in value):
        return None
    return value


def login_passthrough(query: Mapping[str, str]) -> dict[str, str]:
    """The login route's passthrough parameters that are present, non-empty and of sane length."""
    return {k: query[k] for k in PASSTHROUGH if query.get(k) and len(query[k]) <= _MAX_HINT}


def state_matches(expected: object, received: str | None) -> bool:
    """Constant-time comparison of the ``state`` the login stored with the one the callback got."""
    if not isinstance(expected, str) or not expected or not received:
        return False
    return hmac.compare_digest(expected.encode(), received.encode())


@dataclass(frozen=True)
class BearerDecision:
    """What to answer a request to an API route: ``status`` 200 (go on), 401 or 403, with the
    ``WWW-Authenticate`` header value for the refusals."""

    status: int
    www_authenticate: str | None = None


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def bearer_challenge(
    realm: str,
    *,
    token_present: bool,
    claims: Mapping[str, Any] | None,
    required_scopes: Sequence[str],
) -> BearerDecision:
    """RFC 6750 §3: no token → 401 without an error code; an invalid token (``claims is None``) → 401
    ``invalid_token``; a valid token lacking a scope → 403 ``insufficient_scope``."""
    base = f'Bearer realm="{_quote(realm)}"'
    if not token_present:
        return BearerDecision(401, base)
    if claims is None:
        return BearerDecision(
            401, f'{base}, error="invalid_token", error_description="the access token is not valid"'
        )
    granted = claims.get("scope", "")
    have = set(granted.split()) if isinstance(granted, str) else {str(s) for s in granted or []}
    if not set(required_scopes) <= have:
        wanted = _quote(" ".join(required_scopes))
        return BearerDecision(403, f'{base}, error="insufficient_scope", scope="{wanted}"')
    return BearerDecision(200)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else ``None``."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token
