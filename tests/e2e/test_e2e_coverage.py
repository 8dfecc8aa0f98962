"""Every facade method was called by the e2e tests, through both clients.

The e2e tests record each facade method they call that returned or raised a mapped error (see
``tests/e2e/_support.py``); ``conftest.py`` moves this module's tests to the end of the session, so
the record is complete when they run. A run of only part of the e2e folder (a ``-k`` / ``-m`` filter,
single modules) cannot prove coverage: these tests skip then.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from scalekit_py.services import CONVENIENCE_METHODS, RPC_METHODS, SERVICES
from tests.e2e._support import FLAVOURS, CallRecorder

_HERE = Path(__file__).parent


def _pager_methods() -> set[str]:
    found = set()
    for attribute, (module, name) in SERVICES.items():
        cls = getattr(importlib.import_module(f"scalekit_py.services._sync.{module}"), name)
        found |= {
            f"{attribute}.{m}"
            for m, _ in inspect.getmembers(cls, inspect.isfunction)
            if m.startswith("iter_")
        }
    return found


@pytest.fixture
def record(recorder: CallRecorder, request: pytest.FixtureRequest) -> CallRecorder:
    """The session's record, when the whole e2e folder ran; skips the test otherwise."""
    option = request.config.option
    if getattr(option, "keyword", "") or getattr(option, "markexpr", ""):
        pytest.skip("a filtered run (-k / -m) cannot prove coverage")
    modules = {p.name for p in _HERE.glob("test_*.py")} - {Path(__file__).name}
    ran = {item.path.name for item in request.session.items if item.path.parent == _HERE}
    if not modules <= ran:
        pytest.skip(f"run the whole tests/e2e folder to check coverage (missing: {sorted(modules - ran)})")
    return recorder


def test_the_rpc_table_is_complete() -> None:
    # 113 (the first 10 services) + 7 (tokens, events) + 32 (ClientService) + 45 (AgentKit)
    assert len(RPC_METHODS) == 197
    assert len(set(RPC_METHODS.values())) == 197


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_every_rpc_method_was_called(record: CallRecorder, flavour: str) -> None:
    missing = sorted((set(RPC_METHODS.values()) | set(CONVENIENCE_METHODS)) - record.calls[flavour])
    assert not missing, f"{len(missing)} facade methods never called through the {flavour} client: {missing}"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_every_pager_was_used(record: CallRecorder, flavour: str) -> None:
    pagers = _pager_methods()
    assert len(pagers) == 28  # the pager column of docs/facades.md
    missing = sorted(pagers - record.calls[flavour])
    assert not missing, f"pagers never used through the {flavour} client: {missing}"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_every_action_was_called(record: CallRecorder, flavour: str) -> None:
    """Every public method of ``client.actions`` (tests/e2e/test_actions.py), through both clients."""
    from scalekit_py.services._sync.actions import ActionClient

    methods = {
        f"actions.{name}"
        for name, _ in inspect.getmembers(ActionClient, inspect.isfunction)
        if not name.startswith("_")
    }
    assert len(methods) == 27
    missing = sorted(methods - record.calls[flavour])
    assert not missing, f"actions methods never called through the {flavour} client: {missing}"
