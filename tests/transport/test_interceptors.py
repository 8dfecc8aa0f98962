"""Auth interceptors: one bearer header per call, SDK headers, one refresh and one replay on 401."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from scalekit_py import errors
from scalekit_py._transport.interceptors import auth_metadata, replay_timeout, sdk_metadata
from tests.transport._servers import (
    GET_ORG,
    AsyncStack,
    GrpcServer,
    Seen,
    SyncStack,
    TokenEndpoint,
    fail,
    get_req,
)


def test_auth_metadata_replaces_any_existing_auth_and_sdk_headers() -> None:
    existing = [("authorization", "Bearer stale"), ("x-request-id", "r1"), ("X-SDK-Version", "other/1")]
    out = auth_metadata(existing, "fresh", sdk_metadata())
    assert [v for k, v in out if k == "authorization"] == ["Bearer fresh"]
    assert ("x-request-id", "r1") in out
    assert [k for k, _ in out if k.lower() == "x-sdk-version"] == ["x-sdk-version"]
    assert auth_metadata(None, "t", ()) == [("authorization", "Bearer t")]


def test_replay_timeout_is_what_is_left() -> None:
    assert replay_timeout(None, 3.0) is None
    assert replay_timeout(5.0, 1.5) == 3.5
    assert replay_timeout(1.0, 2.0) == 0.0


def _assert_headers(seen: Seen, token: str) -> None:
    assert seen.values("authorization") == [f"Bearer {token}"]
    assert [str(v) for v in seen.values("x-sdk-version")] == [sdk_metadata()[0][1]]
    assert len(seen.values("x-api-version")) == 1
    assert str(seen.values("user-agent")[0]).startswith("test-agent/1")


def test_each_call_carries_exactly_one_bearer_header(
    sync_env: SyncStack, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    for i in range(3):
        assert sync_env.caller.call(GET_ORG, get_req(f"org_{i}")).organization.id == f"org_{i}"
    assert token_endpoint.count == 1
    for seen in grpc_server.service.seen:
        _assert_headers(seen, token_endpoint.issued[0])


async def test_async_each_call_carries_exactly_one_bearer_header(
    async_env: AsyncStack, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    for i in range(3):
        resp = await async_env.caller.call(GET_ORG, get_req(f"org_{i}"))
        assert resp.organization.id == f"org_{i}"
    assert token_endpoint.count == 1
    for seen in grpc_server.service.seen:
        _assert_headers(seen, token_endpoint.issued[0])


def test_unauthenticated_refreshes_once_and_replays_once(
    sync_env: SyncStack, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    grpc_server.service.rejected.add("tok_1_ACCESSTOKENMARKER")  # the first token was revoked
    assert sync_env.caller.call(GET_ORG, get_req()).organization.id == "org_1"
    assert token_endpoint.count == 2
    first, replay = grpc_server.service.seen
    assert first.values("authorization") == ["Bearer tok_1_ACCESSTOKENMARKER"]
    _assert_headers(replay, "tok_2_ACCESSTOKENMARKER")


def test_persistent_unauthenticated_is_an_error_after_one_replay(
    sync_env: SyncStack, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    grpc_server.service.reject_all = True
    with pytest.raises(errors.AuthenticationError) as info:
        sync_env.caller.call(GET_ORG, get_req())
    assert info.value.grpc_code == "UNAUTHENTICATED"
    assert info.value.http_status == 401
    assert grpc_server.service.count() == 2  # the call and one replay, no loop
    assert token_endpoint.count == 2


async def test_async_unauthenticated_refreshes_once_and_replays_once(
    async_env: AsyncStack, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    grpc_server.service.rejected.add("tok_1_ACCESSTOKENMARKER")
    assert (await async_env.caller.call(GET_ORG, get_req())).organization.id == "org_1"
    assert token_endpoint.count == 2
    assert grpc_server.service.seen[1].values("authorization") == ["Bearer tok_2_ACCESSTOKENMARKER"]


async def test_async_persistent_unauthenticated_is_an_error_after_one_replay(
    async_env: AsyncStack, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    grpc_server.service.reject_all = True
    with pytest.raises(errors.AuthenticationError):
        await async_env.caller.call(GET_ORG, get_req())
    assert grpc_server.service.count() == 2
    assert token_endpoint.count == 2


async def test_many_calls_rejected_with_one_revoked_token_cause_one_refresh(
    async_env: AsyncStack, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    grpc_server.service.rejected.add("tok_1_ACCESSTOKENMARKER")
    token_endpoint.delay = 0.05
    results = await asyncio.gather(*(async_env.caller.call(GET_ORG, get_req()) for _ in range(40)))
    assert len(results) == 40
    assert token_endpoint.count == 2  # the first token, then one shared refresh


def test_threads_rejected_with_one_revoked_token_cause_one_refresh(
    sync_env: SyncStack, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    sync_env.caller.call(GET_ORG, get_req())  # warm: tok_1 cached
    grpc_server.service.rejected.add("tok_1_ACCESSTOKENMARKER")
    token_endpoint.delay = 0.1
    barrier = threading.Barrier(16)

    def work() -> str:
        barrier.wait()
        return str(sync_env.caller.call(GET_ORG, get_req()).organization.id)

    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(lambda _: work(), range(16))) == ["org_1"] * 16
    assert token_endpoint.count == 2


def test_other_failures_are_not_replayed(
    sync_env: SyncStack, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    grpc_server.service.script.append(fail(grpc.StatusCode.PERMISSION_DENIED, "nope"))
    with pytest.raises(errors.ForbiddenError):
        sync_env.caller.call(GET_ORG, get_req())
    assert grpc_server.service.count() == 1
    assert token_endpoint.count == 1


def test_token_endpoint_refusal_surfaces_as_oauth_error_without_calling_the_service(
    sync_env: SyncStack, grpc_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    token_endpoint.failures.append((401, {"error": "invalid_client"}))
    with pytest.raises(errors.OAuthError) as info:
        sync_env.caller.call(GET_ORG, get_req())
    assert info.value.error == "invalid_client"
    assert grpc_server.service.count() == 0
