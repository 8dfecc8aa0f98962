"""Helpers of the client-credential e2e tests: the token endpoint and token validation in both flavours."""

from __future__ import annotations

from typing import Any, cast

import httpx

from scalekit_py import ScalekitClient
from scalekit_py.oauth import TokenValidationOptions

__all__ = ["access_token", "token_response", "validate"]


def token_response(env_url: str, client_id: str, secret: str, scope: str | None = None) -> httpx.Response:
    """A client-credentials request at the emulator's token endpoint."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if scope is not None:
        form["scope"] = scope
    return httpx.post(f"{env_url}/oauth/token", data=form, timeout=10)


def access_token(env_url: str, client_id: str, secret: str, scope: str | None = None) -> str:
    response = token_response(env_url, client_id, secret, scope)
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert isinstance(token, str)
    return token


def validate(client: ScalekitClient, token: str, **options: Any) -> dict[str, Any]:
    """``client.validate_token`` in either flavour (the asyncio one is run on its loop)."""
    claims = cast(Any, client).resolve(client.validate_token(token, TokenValidationOptions(**options)))
    assert isinstance(claims, dict)
    return claims
