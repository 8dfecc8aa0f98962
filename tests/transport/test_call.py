"""The one call path: deadline math, retry decisions, retries on the wire, error mapping."""

from __future__ import annotations

import asyncio
import time
import types
from collections.abc import Awaitable, Callable

import grpc
import pytest

from scalekit_api.v1.organizations import organizations_pb2
from scalekit_py import errors
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py._transport.call import attempt_timeout, call_budget, resolve, retry_delay, validate_timeout
from scalekit_py._transport.retry import DEFAULT_RETRY, RetryPolicy
from tests.transport._servers import (
    CREATE_ORG,
    DELETE_ORG,
    FAST_RETRY,
    GET_ORG,
    AsyncStack,
    GrpcServer,
    SyncStack,
    TokenEndpoint,
    async_stack,
    create_req,
    fail,
    fail_with_error_info,
    free_port,
    get_req,
    stall,
    sync_stack,
)

UNAVAILABLE = fail(grpc.StatusCode.UNAVAILABLE, "try again later")


# --- pure decisions -----------------------------------------------------------------------------------------


def test_resolve_uses_client_defaults_only_when_not_given() -> None:
    policy = RetryPolicy(max_attempts=2)
    assert resolve(NOT_GIVEN, NOT_GIVEN, 20.0, policy) == (20.0, policy)
    assert resolve(None, None, 20.0, policy) == (None, None)
    assert resolve(3, DEFAULT_RETRY, 20.0, None) == (3.0, DEFAULT_RETRY)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), True, "5"])
def test_validate_timeout_refuses_useless_values(bad: object) -> None:
    with pytest.raises(errors.ConfigurationError):
        validate_timeout(bad)  # type: ignore[arg-type]


def test_budget_is_the_smaller_of_timeout_and_policy_deadline() -> None:
    assert call_budget(20.0, RetryPolicy(deadline=30.0)) == 20.0
    assert call_budget(20.0, RetryPolicy(deadline=5.0)) == 5.0
    assert call_budget(None, RetryPolicy(deadline=None)) is None
    assert call_budget(None, None) is None
    assert call_budget(7.0, None) == 7.0
    assert attempt_timeout(10.0, 4.0) == 6.0
    assert attempt_timeout(10.0, 12.0) == 0.0
    assert attempt_timeout(None, 4.0) is None


def test_retry_delay_decisions() -> None:
    policy = RetryPolicy(initial_backoff=1.0, multiplier=2.0, jitter=0.0, max_attempts=3)
    assert retry_delay(policy, "UNAVAILABLE", 1, 0.0, True, None) == 1.0
    assert retry_delay(policy, "UNAVAILABLE", 2, 0.0, True, None) == 2.0
    assert retry_delay(policy, "UNAVAILABLE", 3, 0.0, True, None) is None  # attempts used up
    assert retry_delay(policy, "UNAVAILABLE", 1, 0.0, False, None) is None  # a write
    assert retry_delay(policy.replace(retry_writes=True), "UNAVAILABLE", 1, 0.0, False, None) == 1.0
    assert retry_delay(policy, "INVALID_ARGUMENT", 1, 0.0, True, None) is None
    assert retry_delay(policy, "UNAVAILABLE", 1, 9.5, True, 10.0) is None  # backoff outlives the budget
    assert retry_delay(None, "UNAVAILABLE", 1, 0.0, True, None) is None


# --- retries on the wire ------------------------------------------------------------------------------------


def test_reads_are_retried_on_unavailable(sync_env: SyncStack, grpc_server: GrpcServer) -> None:
    grpc_server.service.script.extend([UNAVAILABLE, UNAVAILABLE])
    assert sync_env.caller.call(GET_ORG, get_req("org_r")).organization.id == "org_r"
    assert grpc_server.service.count() == 3


def test_writes_are_not_retried_by_default(sync_env: SyncStack, grpc_server: GrpcServer) -> None:
    grpc_server.service.script.append(UNAVAILABLE)
    with pytest.raises(errors.ServiceUnavailableError):
        sync_env.caller.call(CREATE_ORG, create_req())
    assert grpc_server.service.count() == 1


def test_writes_are_retried_when_opted_in(sync_env: SyncStack, grpc_server: GrpcServer) -> None:
    grpc_server.service.script.append(UNAVAILABLE)
    resp = sync_env.caller.call(CREATE_ORG, create_req("Beta"), retry=FAST_RETRY.replace(retry_writes=True))
    assert resp.organization.display_name == "Beta"
    assert grpc_server.service.count() == 2


def test_retries_stop_after_max_attempts(sync_env: SyncStack, grpc_server: GrpcServer) -> None:
    grpc_server.service.script.extend([UNAVAILABLE] * 10)
    with pytest.raises(errors.ServiceUnavailableError):
        sync_env.caller.call(GET_ORG, get_req(), retry=FAST_RETRY.replace(max_attempts=3))
    assert grpc_server.service.count() == 3


def test_retry_none_and_non_retryable_codes_make_one_attempt(
    sync_env: SyncStack, grpc_server: GrpcServer
) -> None:
    grpc_server.service.script.extend([UNAVAILABLE, fail(grpc.StatusCode.NOT_FOUND, "no org")])
    with pytest.raises(errors.ServiceUnavailableError):
        sync_env.caller.call(GET_ORG, get_req(), retry=None)
    with pytest.raises(errors.NotFoundError):
        sync_env.caller.call(GET_ORG, get_req())
    assert grpc_server.service.count() == 2


async def test_async_reads_retried_writes_not(async_env: AsyncStack, grpc_server: GrpcServer) -> None:
    grpc_server.service.script.extend([UNAVAILABLE, UNAVAILABLE])
    assert (await async_env.caller.call(GET_ORG, get_req())).organization.id == "org_1"
    assert grpc_server.service.count() == 3
    grpc_server.service.script.append(UNAVAILABLE)
    with pytest.raises(errors.ServiceUnavailableError):
        await async_env.caller.call(CREATE_ORG, create_req())
    assert grpc_server.service.count() == 4


async def test_async_backoff_awaits_asyncio_sleep_and_never_blocks(
    grpc_server: GrpcServer, token_endpoint: TokenEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    real_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def recording_sleep(delay: float, *args: object) -> None:
        slept.append(delay)
        await real_sleep(0)

    def blocking_sleep(_: float) -> None:
        raise AssertionError("time.sleep called on the event loop")

    fake_time = types.SimpleNamespace(monotonic=time.monotonic, sleep=blocking_sleep)
    monkeypatch.setattr("scalekit_py._transport.call.time", fake_time)
    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    policy = RetryPolicy(initial_backoff=0.5, multiplier=2.0, jitter=0.0, deadline=None)
    stack = async_stack(grpc_server.env_url, token_endpoint, retry=policy)
    try:
        grpc_server.service.script.extend([UNAVAILABLE, UNAVAILABLE])
        assert (await stack.caller.call(GET_ORG, get_req())).organization.id == "org_1"
    finally:
        await stack.aclose()
    assert slept == [0.5, 1.0]


# --- deadlines ----------------------------------------------------------------------------------------------


def test_default_and_per_call_deadlines_reach_the_server(
    grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    stack = sync_stack(grpc_server.env_url, token_endpoint, timeout=7.0)
    try:
        stack.caller.call(GET_ORG, get_req())
        stack.caller.call(GET_ORG, get_req(), timeout=2.0)
        stack.caller.call(GET_ORG, get_req(), timeout=None, retry=None)
    finally:
        stack.close()
    default, override, unbounded = (s.time_remaining for s in grpc_server.service.seen)
    # grpc-timeout is sent in coarse units, rounded up: allow a little above the exact value
    assert default is not None
    assert 5.0 < default <= 7.1
    assert override is not None
    assert 1.0 < override <= 2.1
    assert unbounded is None or unbounded > 1e6  # no deadline sent


def test_deadline_exceeded_is_a_timeout_error(sync_env: SyncStack, grpc_server: GrpcServer) -> None:
    grpc_server.service.script.append(stall(5.0))
    with pytest.raises(errors.APITimeoutError) as info:
        sync_env.caller.call(GET_ORG, get_req(), timeout=0.2)
    assert isinstance(info.value.__cause__, grpc.RpcError)
    assert grpc_server.service.count() == 1  # DEADLINE_EXCEEDED is not retried


async def test_async_deadline_exceeded_is_a_timeout_error(
    async_env: AsyncStack, grpc_server: GrpcServer
) -> None:
    grpc_server.service.script.append(stall(5.0))
    with pytest.raises(errors.APITimeoutError):
        await async_env.caller.call(GET_ORG, get_req(), timeout=0.2)


def test_retries_share_one_budget(sync_env: SyncStack, grpc_server: GrpcServer) -> None:
    def slow_unavailable(context: grpc.ServicerContext) -> None:
        stall(0.5)(context)
        UNAVAILABLE(context)

    grpc_server.service.script.extend([slow_unavailable, stall(5.0)])
    with pytest.raises(errors.APITimeoutError):
        sync_env.caller.call(GET_ORG, get_req(), timeout=1.5)
    first, second = (s.time_remaining for s in grpc_server.service.seen)
    assert first is not None
    assert second is not None
    assert second <= first - 0.4  # the retry got what the first attempt left, not a fresh 1.5 s


# --- error mapping ------------------------------------------------------------------------------------------


def test_invalid_argument_with_error_info_is_a_bad_request(
    sync_env: SyncStack, grpc_server: GrpcServer
) -> None:
    grpc_server.service.script.append(
        fail_with_error_info(
            grpc.StatusCode.INVALID_ARGUMENT,
            "invalid organization",
            error_code="INVALID_DISPLAY_NAME",
            request_id="req_abc123",
            violations=[("organization.display_name", "must not be empty")],
        )
    )
    with pytest.raises(errors.BadRequestError) as info:
        sync_env.caller.call(CREATE_ORG, create_req(""))
    exc = info.value
    assert exc.grpc_code == "INVALID_ARGUMENT"
    assert exc.http_status == 400
    assert exc.error_code == "INVALID_DISPLAY_NAME"
    assert exc.request_id == "req_abc123"
    assert [(v.field, v.description) for v in exc.field_violations] == [
        ("organization.display_name", "must not be empty")
    ]
    assert isinstance(exc.__cause__, grpc.RpcError)
    assert not isinstance(exc, grpc.RpcError)


async def test_async_invalid_argument_with_error_info_is_a_bad_request(
    async_env: AsyncStack, grpc_server: GrpcServer
) -> None:
    grpc_server.service.script.append(
        fail_with_error_info(
            grpc.StatusCode.INVALID_ARGUMENT,
            "bad",
            error_code="E1",
            request_id="req_1",
            violations=[("f", "d")],
        )
    )
    with pytest.raises(errors.BadRequestError) as info:
        await async_env.caller.call(CREATE_ORG, create_req(""))
    assert info.value.error_code == "E1"
    assert info.value.request_id == "req_1"
    assert info.value.field_violations[0].field == "f"


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (grpc.StatusCode.NOT_FOUND, errors.NotFoundError),
        (grpc.StatusCode.ALREADY_EXISTS, errors.ConflictError),
        (grpc.StatusCode.PERMISSION_DENIED, errors.ForbiddenError),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, errors.RateLimitError),
        (grpc.StatusCode.INTERNAL, errors.ServerError),
    ],
)
def test_status_codes_map_to_typed_errors(
    sync_env: SyncStack, grpc_server: GrpcServer, code: grpc.StatusCode, cls: type[errors.APIError]
) -> None:
    grpc_server.service.script.append(fail(code, "scripted"))
    with pytest.raises(cls):
        sync_env.caller.call(GET_ORG, get_req())


def test_unreachable_service_is_a_connection_error(token_endpoint: TokenEndpoint) -> None:
    stack = sync_stack(f"http://127.0.0.1:{free_port()}", token_endpoint, retry=None)
    try:
        with pytest.raises(errors.APIConnectionError) as info:
            stack.caller.call(GET_ORG, get_req(), timeout=5)
    finally:
        stack.close()
    assert not isinstance(info.value, grpc.RpcError)


async def test_async_unreachable_service_is_a_connection_error(token_endpoint: TokenEndpoint) -> None:
    stack = async_stack(f"http://127.0.0.1:{free_port()}", token_endpoint, retry=None)
    try:
        with pytest.raises(errors.APIConnectionError):
            await stack.caller.call(GET_ORG, get_req(), timeout=5)
    finally:
        await stack.aclose()


def test_wrong_request_type_is_refused_before_sending(sync_env: SyncStack, grpc_server: GrpcServer) -> None:
    with pytest.raises(TypeError, match="GetOrganizationRequest"):
        sync_env.caller.call(GET_ORG, create_req())
    assert grpc_server.service.count() == 0


# --- writes whose outcome is unknown ---------------------------------------------------------------------


def test_failed_write_is_outcome_unknown_and_read_is_not(
    sync_env: SyncStack, grpc_server: GrpcServer
) -> None:
    grpc_server.service.script.append(UNAVAILABLE)
    with pytest.raises(errors.UnavailableOutcomeUnknownError) as info:
        sync_env.caller.call(CREATE_ORG, create_req())
    assert isinstance(info.value, errors.ServiceUnavailableError)  # existing handlers still catch it
    assert isinstance(info.value, errors.OutcomeUnknownError)
    grpc_server.service.script.append(UNAVAILABLE)
    with pytest.raises(errors.ServiceUnavailableError) as read_info:
        sync_env.caller.call(GET_ORG, get_req(), retry=None)
    assert not isinstance(read_info.value, errors.OutcomeUnknownError)


def test_write_past_its_deadline_is_outcome_unknown(sync_env: SyncStack, grpc_server: GrpcServer) -> None:
    grpc_server.service.script.append(stall(2.0))
    with pytest.raises(errors.TimeoutOutcomeUnknownError) as info:
        sync_env.caller.call(CREATE_ORG, create_req(), timeout=0.2)
    assert isinstance(info.value, errors.APITimeoutError)


def test_retried_delete_that_finds_nothing_succeeds(sync_env: SyncStack, grpc_server: GrpcServer) -> None:
    grpc_server.service.script.append(UNAVAILABLE)  # the first attempt deleted it, then its answer was lost
    request = organizations_pb2.DeleteOrganizationRequest(id="org_del")
    sync_env.caller.call(DELETE_ORG, request, retry=FAST_RETRY.replace(retry_writes=True))
    assert grpc_server.service.count("DeleteOrganization") == 2
    with pytest.raises(errors.NotFoundError):  # without an unknown first attempt, NOT_FOUND stays an error
        sync_env.caller.call(DELETE_ORG, request, retry=FAST_RETRY.replace(retry_writes=True))


async def test_async_retried_delete_that_finds_nothing_succeeds(
    async_env: AsyncStack, grpc_server: GrpcServer
) -> None:
    grpc_server.service.script.append(UNAVAILABLE)
    request = organizations_pb2.DeleteOrganizationRequest(id="org_adel")
    await async_env.caller.call(DELETE_ORG, request, retry=FAST_RETRY.replace(retry_writes=True))
    assert grpc_server.service.count("DeleteOrganization") == 2
    grpc_server.service.script.append(UNAVAILABLE)
    with pytest.raises(errors.UnavailableOutcomeUnknownError):
        await async_env.caller.call(CREATE_ORG, create_req())
