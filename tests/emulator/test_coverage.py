"""Every client-credential RPC of a service the emulator serves has a handler written for it.

A handler counts when the service module's connectrpc app routes the RPC's path to a method defined by
the emulator (not the generated protocol's default). Every other RPC of the API is answered by the
router with UNIMPLEMENTED and an ``ErrorInfo`` (tests/e2e/test_escape_hatch.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scalekit_py._contract import load
from scalekit_py.emulator.services import SERVICE_MODULES, build_apps, served_paths
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Store
from scalekit_py.services import RPC_METHODS

CONTRACT = load()


@pytest.fixture(scope="module")
def served() -> Iterator[frozenset[str]]:
    store = Store()
    yield served_paths(build_apps(EmulatorState(store=store, client_id="skc_1"), []))
    store.close()


def test_every_registered_service_is_in_the_contract() -> None:
    assert set(SERVICE_MODULES) <= set(CONTRACT.services)


def test_every_facade_rpc_is_served(served: frozenset[str]) -> None:
    """A facade method that only a mock has exercised is not done: each has an emulator handler."""
    missing = sorted(set(RPC_METHODS) - served)
    assert not missing, f"{len(missing)} facade RPC(s) without an emulator handler:\n" + "\n".join(missing)


@pytest.mark.parametrize("service_name", sorted(SERVICE_MODULES))
def test_every_client_credentials_rpc_of_a_served_service_has_a_handler(
    service_name: str, served: frozenset[str]
) -> None:
    service = CONTRACT.services[service_name]
    missing = [
        f"/{service.name}/{rpc.name}"
        for rpc in service.rpcs
        if rpc.client_credentials_ok and f"/{service.name}/{rpc.name}" not in served
    ]
    assert not missing, f"{len(missing)} RPC(s) without an emulator handler:\n" + "\n".join(missing)


def test_served_paths_are_real_rpcs(served: frozenset[str]) -> None:
    paths = {f"/{s.name}/{r.name}" for s in CONTRACT.services.values() for r in s.rpcs}
    assert served <= paths
    assert len(served) >= 113
