"""The official SDKs' other attribute names reach the same facades (migration without edits): the Python
SDK's plurals, and the Node SDK's ``token`` for the Python SDK's ``tokens``."""

from __future__ import annotations

import asyncio

from scalekit_py import AsyncScalekitClient, ScalekitClient

ALIASES = {
    "users": "user",
    "roles": "role",
    "permissions": "permission",
    "sessions": "session",
    "token": "tokens",
    "m2m": "m2m_client",
}


def test_sync_aliases_are_the_same_objects() -> None:
    with ScalekitClient("http://127.0.0.1:1", "skc_1", "secret") as client:
        for alias, name in ALIASES.items():
            assert getattr(client, alias) is getattr(client, name)


def test_async_aliases_are_the_same_objects() -> None:
    async def check() -> None:
        async with AsyncScalekitClient("http://127.0.0.1:1", "skc_1", "secret") as client:
            for alias, name in ALIASES.items():
                assert getattr(client, alias) is getattr(client, name)

    asyncio.run(check())
