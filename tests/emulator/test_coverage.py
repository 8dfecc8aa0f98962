"""Every in-scope RPC of the contract has a handler written for the emulator.

A handler counts when the service module's connectrpc app routes the RPC's path to a method defined by
the emulator (not the generated protocol's default, which answers UNIMPLEMENTED).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

from scalekit_py._contract import ServiceSpec, load
from scalekit_py.emulator.services import SERVICE_MODULES
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Store

CONTRACT = load()


@pytest.fixture(scope="module")
def state() -> Iterator[EmulatorState]:
    store = Store()
    yield EmulatorState(store=store, client_id="skc_1")
    store.close()


def _unimplemented(service: ServiceSpec, state: EmulatorState) -> list[str]:
    module_name = SERVICE_MODULES.get(service.name)
    if module_name is None:
        return [f"{service.name}: no module in SERVICE_MODULES"]
    try:
        module = importlib.import_module(f"scalekit_py.emulator.services.{module_name}")
    except ModuleNotFoundError as exc:
        return [f"{service.name}: module {module_name!r} cannot be imported ({exc})"]
    app = module.create_app(state, [])
    # connectrpc's ASGI app keeps the service object and the path -> endpoint mapping factory.
    endpoints = app._endpoints(app._service)
    missing = []
    for rpc in service.rpcs:
        path = f"/{service.name}/{rpc.name}"
        endpoint = endpoints.get(path)
        function = getattr(endpoint, "function", None)
        owner = getattr(function, "__module__", "") or ""
        if endpoint is None or not owner.startswith("scalekit_py.emulator."):
            missing.append(path)
    return missing


def test_the_contract_has_113_rpcs_in_10_services() -> None:
    assert CONTRACT.rpc_count == 113
    assert set(CONTRACT.services) == set(SERVICE_MODULES)


@pytest.mark.parametrize("service_name", sorted(CONTRACT.services))
def test_every_rpc_of_the_service_has_a_handler(service_name: str, state: EmulatorState) -> None:
    missing = _unimplemented(CONTRACT.services[service_name], state)
    assert not missing, f"{len(missing)} RPC(s) without an emulator handler:\n" + "\n".join(missing)
