"""Every public method of the official Python SDK has a same-named counterpart on both our clients.

The names come from ``tests/fixtures/official_python_sdk_methods.json`` (``make official-names`` records
them from the official SDK pinned for the interop tests). ``docs/migrating.md`` maps each call and says
where the behaviour differs.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from scalekit_py import AsyncScalekitClient, ScalekitClient

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "official_python_sdk_methods.json"
OFFICIAL: dict[str, Any] = json.loads(FIXTURE.read_text())
DOC = Path(__file__).resolve().parents[2] / "docs" / "migrating.md"
AGENTKIT: set[str] = set()  # AgentKit names are covered too (issue 10)

# No I/O: synchronous on the asyncio client too (a filter builder, modifier registration).
PURE_HELPERS = {"create_session_filter", "add_modifier", "get_modifiers", "pre_modifier", "post_modifier"}

CASES = [("", name) for name in OFFICIAL["client"]] + [
    (attr, name) for attr, names in OFFICIAL["attributes"].items() for name in names
]


def _ids(case: tuple[str, str]) -> str:
    return ".".join(p for p in case if p)


def _missing(client: object, attr: str, name: str) -> str | None:
    owner = client if not attr else getattr(client, attr, None)
    if owner is None:
        return f"no attribute {attr!r}"
    if not callable(getattr(owner, name, None)):
        return f"{attr or 'client'} has no method {name!r}"
    return None


def test_the_fixture_is_the_pinned_official_sdk() -> None:
    pin = Path(__file__).resolve().parents[2] / "Makefile"
    assert OFFICIAL["package"] in pin.read_text(), "record the names from the SDK the interop tests pin"
    assert len(CASES) >= 200


@pytest.mark.parametrize("case", [c for c in CASES if c[0] not in AGENTKIT], ids=_ids)
def test_sync_client_has_the_official_name(case: tuple[str, str]) -> None:
    with ScalekitClient("http://127.0.0.1:1", "skc_1", "secret") as client:
        assert _missing(client, *case) is None, _missing(client, *case)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] not in AGENTKIT], ids=_ids)
def test_async_client_has_the_official_name(case: tuple[str, str]) -> None:
    async def check() -> None:
        async with AsyncScalekitClient("http://127.0.0.1:1", "skc_1", "secret") as client:
            problem = _missing(client, *case)
            assert problem is None, problem
            attr, name = case
            method = getattr(client if not attr else getattr(client, attr), name)
            if attr and not inspect.iscoroutinefunction(method):
                # Only pure helpers (no I/O) may stay synchronous on the asyncio client.
                assert name in PURE_HELPERS, f"{attr}.{name} must be a coroutine function"

    asyncio.run(check())


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_migrating_doc_maps_every_official_call(case: tuple[str, str]) -> None:
    attr, name = case
    text = DOC.read_text()
    needle = f"`{attr}.{name}(" if attr else f"`client.{name}("
    assert needle in text or f"`{attr}.{name}`" in text, f"docs/migrating.md does not map {needle}"
