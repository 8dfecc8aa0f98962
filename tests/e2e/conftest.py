"""Fixtures of the end-to-end tests: the real clients against a running emulator, sync and async.

* ``recorder`` (session): which facade methods the tests called, per flavour (checked last, by
  ``test_e2e_coverage.py``, which this conftest moves to the end of the run).
* ``emulator`` (module): a running, seeded :class:`~scalekit_py.emulator.Emulator`.
* ``client`` (module, parametrized ``sync`` / ``async``): a ``ScalekitClient``, or an
  ``AsyncScalekitClient`` whose facade coroutines run on a dedicated event loop (see
  :class:`tests.e2e._support.BlockingClient`). Typed as the blocking client: one test body serves both.

Tests share the module's emulator, so they use unique names (``_support.unique``) and never depend on
each other's data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from tests.e2e._support import FLAVOURS, CallRecorder, connected, register_secret

_HERE = Path(__file__).parent
_LAST = "test_e2e_coverage.py"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the coverage check after every other test of the session."""
    last = [item for item in items if item.path.parent == _HERE and item.path.name == _LAST]
    if last:
        items[:] = [item for item in items if item not in last] + last


@pytest.fixture(scope="session")
def recorder() -> CallRecorder:
    """The facade methods called by the e2e tests of this session, per flavour."""
    return CallRecorder()


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """A running, seeded emulator shared by the tests of one module."""
    with Emulator() as emu:
        register_secret(emu.client_secret)
        yield emu


@pytest.fixture(scope="module", params=FLAVOURS)
def client(
    request: pytest.FixtureRequest, emulator: Emulator, recorder: CallRecorder
) -> Iterator[ScalekitClient]:
    """The blocking client, or the asyncio client driven blockingly, recording facade calls."""
    with connected(
        request.param, recorder, emulator.env_url, emulator.client_id, emulator.client_secret
    ) as c:
        yield c
