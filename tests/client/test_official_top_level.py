"""The official SDK's top-level client methods, against the emulator, on both clients.

``generate_client_token``, ``get_client_access_token``, ``validate_access_token_and_get_claims``,
``verify_scopes``, ``verify_webhook_payload`` and ``verify_interceptor_payload``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from scalekit_py import AsyncScalekitClient, ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import OAuthError, TokenValidationError, WebhookVerificationError
from scalekit_py.webhooks import sign_webhook_payload

SECRET = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"  # base64 of a 27-byte test secret


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def _signed(prefix: str, body: str) -> dict[str, str]:
    now = int(time.time())
    return {
        f"{prefix}-id": "msg_1",
        f"{prefix}-timestamp": str(now),
        f"{prefix}-signature": sign_webhook_payload(SECRET, "msg_1", now, body),
    }


def test_sync_top_level_methods(emu: Emulator) -> None:
    with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
        token = client.generate_client_token(emu.client_id, emu.client_secret, scopes=["read:users"])
        claims = client.validate_access_token_and_get_claims(token)
        assert claims["client_id"] == emu.client_id
        assert "read:users" in claims["scopes"]
        assert client.verify_scopes(token, ["read:users"]) is True
        with pytest.raises(TokenValidationError, match="write:users"):
            client.verify_scopes(token, ["read:users", "write:users"])
        with pytest.raises(TokenValidationError):
            client.validate_access_token_and_get_claims(token + "x")
        with pytest.raises(ValueError, match="required_scopes"):
            client.verify_scopes(token, [])
        with pytest.raises(OAuthError) as refused:
            client.generate_client_token(emu.client_id, "wrong-secret")
        assert refused.value.error == "invalid_client"
        assert "wrong-secret" not in str(refused.value)

        own = client.get_client_access_token()
        assert own == client.token_source.get_token(), "the cached token the API calls use"
        assert client.validate_access_token_and_get_claims(own)["client_id"] == emu.client_id

        body = '{"type":"organization.created"}'
        assert client.verify_webhook_payload(SECRET, _signed("webhook", body), body) is True
        assert client.verify_interceptor_payload(SECRET, _signed("interceptor", body), body.encode()) is True
        with pytest.raises(WebhookVerificationError):
            client.verify_webhook_payload(SECRET, _signed("webhook", body), body + " ")


def test_async_top_level_methods(emu: Emulator) -> None:
    async def run() -> None:
        async with AsyncScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
            token = await client.generate_client_token(
                emu.client_id, emu.client_secret, scopes=["read:users"]
            )
            claims = await client.validate_access_token_and_get_claims(token)
            assert claims["client_id"] == emu.client_id
            assert await client.verify_scopes(token, ["read:users"]) is True
            with pytest.raises(TokenValidationError, match="write:users"):
                await client.verify_scopes(token, ["write:users"])
            with pytest.raises(OAuthError):
                await client.generate_client_token(emu.client_id, "wrong-secret")
            own = await client.get_client_access_token()
            assert own == await client.token_source.get_token()
            body = "{}"
            assert client.verify_webhook_payload(SECRET, _signed("webhook", body), body) is True
            assert client.verify_interceptor_payload(SECRET, _signed("webhook", body), body) is True

    asyncio.run(run())
