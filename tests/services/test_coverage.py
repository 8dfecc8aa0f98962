"""Every admin RPC has exactly one facade method, async and sync, wired to the right Rpc.

The list of RPCs comes from the compiled descriptors of the generated modules and the published
contract, not from the facades, so a new RPC without a facade method fails here.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import typing
from typing import Any

import pytest
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

import scalekit_api
from scalekit_py._contract import load
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.services import RPC_METHODS, SERVICES
from scalekit_py.services._rpcs import READ_PREFIXES
from tests.services._support import (
    EMPTY,
    Call,
    RecordingAsyncCaller,
    RecordingSyncCaller,
    optional_value,
    required_args,
    rpc_params,
    service_class,
    unwrap_field,
)

FLAVOURS = ("async", "sync")
TIMEOUT = 2.5
RETRY = RetryPolicy(max_attempts=2)


def _descriptor_rpcs() -> dict[str, MethodDescriptor]:
    found: dict[str, MethodDescriptor] = {}
    for info in pkgutil.walk_packages(scalekit_api.__path__, "scalekit_api."):
        if info.name.endswith("_pb2"):
            for service in importlib.import_module(info.name).DESCRIPTOR.services_by_name.values():
                for method in service.methods:
                    found[f"/{service.full_name}/{method.name}"] = method
    return found


DESCRIPTORS = _descriptor_rpcs()
# Services with facades: every one of their client-credential RPCs must have a method. The other
# services are reachable through ``client.call`` / ``client.stub`` until their facades land.
FACADED = {path.split("/")[1] for path in RPC_METHODS}
IN_SCOPE = sorted(
    f"/{s.name}/{r.name}"
    for s in load().services.values()
    if s.name in FACADED
    for r in s.rpcs
    if r.client_credentials_ok
)
# Arguments whose every value serialises like the default: UpdateDomain has no fields (yet); the sample
# ``Tool`` sets only ``id``, which ``update_tool``'s positional ``tool_id`` always overrides.
INDISTINGUISHABLE = {("domain.update_domain", "domain"), ("tools.update_tool", "tool")}
PAGINATED = sorted(p for p in IN_SCOPE if "page_token" in DESCRIPTORS[p].input_type.fields_by_name)


def _method(path: str, flavour: str) -> tuple[Any, str, Any]:
    attr, name = RPC_METHODS[path].split(".")
    cls = service_class(attr, flavour)
    return cls, name, getattr(cls, name, None)


def _invoke(path: str, flavour: str, args: list[object], kwargs: dict[str, object]) -> tuple[Call, object]:
    cls, name, _ = _method(path, flavour)
    caller: RecordingAsyncCaller | RecordingSyncCaller
    if flavour == "async":
        caller = RecordingAsyncCaller()
        result = asyncio.run(getattr(cls(caller), name)(*args, **kwargs))
    else:
        caller = RecordingSyncCaller()
        result = getattr(cls(caller), name)(*args, **kwargs)
    assert len(caller.calls) == 1, f"{RPC_METHODS[path]} made {len(caller.calls)} calls"
    return caller.calls[0], result


def pager_name(method: str) -> str:
    """``list_users`` -> ``iter_users``; ``search_users`` -> ``iter_search_users``."""
    for prefix in ("list_", "get_"):
        if method.startswith(prefix):
            return "iter_" + method[len(prefix) :]
    return "iter_" + method


FACADED_SERVICES = {
    "scalekit.v1.auth.AuthService",
    "scalekit.v1.auth.passwordless.PasswordlessService",
    "scalekit.v1.auth.webauthn.WebAuthnService",
    "scalekit.v1.connections.ConnectionService",
    "scalekit.v1.directories.DirectoryService",
    "scalekit.v1.domains.DomainService",
    "scalekit.v1.organizations.OrganizationService",
    "scalekit.v1.roles.RolesService",
    "scalekit.v1.sessions.SessionService",
    "scalekit.v1.users.UserService",
    "scalekit.v1.connected_accounts.ConnectedAccountService",
    "scalekit.v1.tools.ToolService",
    "scalekit.v1.mcp.McpService",
    "scalekit.v1.providers.ProviderService",
}


def test_scope_is_every_client_credentials_rpc_of_the_facaded_services() -> None:
    contract = load()
    assert FACADED == FACADED_SERVICES
    assert len(IN_SCOPE) == 113 + 45
    assert set(IN_SCOPE) <= set(DESCRIPTORS), "contract RPCs missing from the generated descriptors"
    services_in_descriptors = {p.split("/")[1] for p in DESCRIPTORS}
    assert services_in_descriptors == set(contract.services)


def test_rpc_methods_covers_exactly_the_in_scope_rpcs() -> None:
    assert sorted(RPC_METHODS) == IN_SCOPE
    targets = list(RPC_METHODS.values())
    assert len(targets) == len(set(targets)), "two RPCs share one facade method"
    assert {t.split(".")[0] for t in targets} == set(SERVICES)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("path", IN_SCOPE)
def test_facade_method_exists_and_calls_its_rpc(path: str, flavour: str) -> None:
    cls, name, method = _method(path, flavour)
    assert method is not None, f"{cls.__name__} has no method {name} for {path}"
    if flavour == "async":
        assert inspect.iscoroutinefunction(method), f"{cls.__name__}.{name} is not a coroutine function"
    else:
        assert inspect.isfunction(method)
        assert not inspect.iscoroutinefunction(method)
    args, kwargs = required_args(method)
    call, result = _invoke(path, flavour, args, {**kwargs, "timeout": TIMEOUT, "retry": RETRY})

    descriptor = DESCRIPTORS[path]
    assert call.rpc.path == path
    assert call.rpc.request_type.DESCRIPTOR.full_name == descriptor.input_type.full_name
    assert call.rpc.response_type.DESCRIPTOR.full_name == descriptor.output_type.full_name
    assert call.rpc.idempotent == descriptor.name.startswith(READ_PREFIXES)
    assert isinstance(call.request, call.rpc.request_type)
    assert (call.timeout, call.retry) == (TIMEOUT, RETRY)

    # The unwrap rule, computed from the descriptor; the fake's response has recognisable content.
    response = call.rpc.response_type()
    hint = typing.get_type_hints(method)["return"]
    if descriptor.output_type.full_name == EMPTY:
        assert result is None
        assert hint is type(None)
    elif (field := unwrap_field(call.rpc.response_type)) is not None:
        expected_type = type(getattr(response, field))
        assert isinstance(result, expected_type)
        assert hint is expected_type
        assert result.ByteSize() > 0, "the unwrapped field was not taken from the response"
    else:
        assert isinstance(result, call.rpc.response_type)
        assert hint is call.rpc.response_type


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("path", IN_SCOPE)
def test_every_argument_reaches_the_request(path: str, flavour: str) -> None:
    """Changing any one argument changes the request sent (no argument is silently dropped)."""
    _, _, method = _method(path, flavour)
    args, kwargs = required_args(method)
    base, _ = _invoke(path, flavour, args, kwargs)
    baseline = base.request.SerializeToString(deterministic=True)
    params = rpc_params(method)
    for index, param in enumerate(params):
        if (RPC_METHODS[path], param.name) in INDISTINGUISHABLE:
            continue
        if param.default is inspect.Parameter.empty:
            args1, kwargs1 = required_args(method, variant=1)
            changed_args, changed_kwargs = list(args), dict(kwargs)
            if param.kind is inspect.Parameter.KEYWORD_ONLY:
                changed_kwargs[param.name] = kwargs1[param.name]
            else:
                changed_args[index] = args1[index]
        else:
            changed_args, changed_kwargs = (
                list(args),
                {**kwargs, param.name: optional_value(method, param.name)},
            )
        call, _ = _invoke(path, flavour, changed_args, changed_kwargs)
        sent = call.request.SerializeToString(deterministic=True)
        assert sent != baseline, f"{RPC_METHODS[path]}: argument {param.name!r} does not reach the request"


@pytest.mark.parametrize("path", PAGINATED)
def test_paginated_rpcs_have_lazy_pagers_in_both_flavours(path: str) -> None:
    from scalekit_py.services._async._pager import AsyncPager
    from scalekit_py.services._sync._pager import Pager

    for flavour, pager_type in (("async", AsyncPager), ("sync", Pager)):
        cls, name, method = _method(path, flavour)
        iter_method = getattr(cls, pager_name(name), None)
        assert iter_method is not None, f"{cls.__name__} has no {pager_name(name)} for {path}"
        assert not inspect.iscoroutinefunction(iter_method), "iter_* returns a pager, it is not awaited"
        args, kwargs = required_args(iter_method)
        caller = RecordingAsyncCaller() if flavour == "async" else RecordingSyncCaller()
        pager = getattr(cls(caller), pager_name(name))(*args, **kwargs)
        assert isinstance(pager, pager_type)
        assert caller.calls == [], "creating a pager must not fetch anything"
        list_params = {p.name for p in rpc_params(method)} - {"page_token", "page_size"}
        iter_params = {p.name for p in rpc_params(iter_method)} - {"page_token", "page_size", "limit"}
        assert list_params == iter_params, f"{pager_name(name)} does not take the filters of {name}"


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("attr", sorted(SERVICES))
def test_no_public_method_without_an_rpc(attr: str, flavour: str) -> None:
    cls = service_class(attr, flavour)
    mapped = {t.split(".")[1] for t in RPC_METHODS.values() if t.startswith(attr + ".")}
    pagers = {pager_name(RPC_METHODS[p].split(".")[1]) for p in PAGINATED if RPC_METHODS[p].startswith(attr)}
    public = {n for n, _ in inspect.getmembers(cls, inspect.isfunction) if not n.startswith("_")}
    assert public == mapped | pagers


@pytest.mark.parametrize("attr", sorted(SERVICES))
def test_sync_twin_has_the_same_signatures(attr: str) -> None:
    async_cls, sync_cls = service_class(attr, "async"), service_class(attr, "sync")
    for name, async_fn in inspect.getmembers(async_cls, inspect.isfunction):
        if name.startswith("_") and name != "__init__":
            continue
        sync_params = inspect.signature(getattr(sync_cls, name)).parameters
        async_params = inspect.signature(async_fn).parameters
        assert [(p.name, p.kind, p.default) for p in sync_params.values()] == [
            (p.name, p.kind, p.default) for p in async_params.values()
        ], name


def test_rpc_constants_are_unique_and_cover_every_rpc() -> None:
    from scalekit_py._transport.rpc import Rpc

    constants: dict[str, Any] = {}
    for module in SERVICES.values():
        mod = importlib.import_module(f"scalekit_py.services._rpcs.{module[0]}")
        for value in vars(mod).values():
            if isinstance(value, Rpc):
                assert value.path not in constants, f"{value.path} defined twice"
                assert issubclass(value.request_type, Message)
                constants[value.path] = value
    assert sorted(constants) == IN_SCOPE
