"""``client.actions.request``: a proxied HTTP request, sync and async, against a loopback imitation of
the service's ``/proxy`` route (tests/agentkit/fake_proxy.py): URL shape and headers, bodies, the
client's bearer token and its refresh, retries of idempotent methods only, deadlines, and errors mapped
to the SDK's types with the upstream's status and body in the message."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from scalekit_py import (
    APIConnectionError,
    APITimeoutError,
    AsyncScalekitClient,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RetryPolicy,
    ScalekitClient,
    ScalekitError,
    ServerError,
    ServiceUnavailableError,
    UnavailableOutcomeUnknownError,
)
from tests.agentkit.fake_proxy import CLIENT_ID, CLIENT_SECRET, FakeProxy, fake_proxy

FAST_RETRY = RetryPolicy(initial_backoff=0.01, max_backoff=0.02, deadline=5.0, max_attempts=4)
Request = Callable[..., httpx.Response]


@pytest.fixture
def proxy() -> Iterator[FakeProxy]:
    with fake_proxy() as state:
        yield state


@pytest.fixture(params=["sync", "async"])
def request_fn(request: pytest.FixtureRequest, proxy: FakeProxy) -> Iterator[Request]:
    """``client.actions.request`` of one flavour, callable synchronously."""
    kwargs: dict[str, Any] = {"timeout": 5.0, "retry": FAST_RETRY}
    if request.param == "sync":
        with ScalekitClient(proxy.url, CLIENT_ID, CLIENT_SECRET, **kwargs) as client:
            yield client.actions.request
        return
    loop = asyncio.new_event_loop()
    aclient = AsyncScalekitClient(proxy.url, CLIENT_ID, CLIENT_SECRET, **kwargs)

    def call(*args: Any, **kw: Any) -> httpx.Response:
        return loop.run_until_complete(aclient.connect.request(*args, **kw))

    try:
        yield call
    finally:
        loop.run_until_complete(aclient.aclose())
        loop.close()


def test_get_carries_bearer_routing_and_sdk_headers(request_fn: Request, proxy: FakeProxy) -> None:
    reply = request_fn(
        "github", "user_42", "/echo/user/repos", query_params={"per_page": 5, "tag": ["a", "b"]}
    )
    assert reply.status_code == 200
    assert reply.json()["path"] == "/echo/user/repos"
    seen = proxy.seen[-1]
    assert seen.method == "GET"
    assert seen.path == "/proxy/echo/user/repos"
    assert seen.query == [("per_page", "5"), ("tag", "a"), ("tag", "b")]
    assert seen.headers["authorization"] == "Bearer tok-1"
    assert seen.headers["connection_name"] == "github"
    assert seen.headers["identifier"] == "user_42"
    assert seen.headers["x-sdk-version"].startswith("scalekit-py/")
    assert seen.headers["x-api-version"]
    assert seen.headers["user-agent"].startswith("scalekit-py/")


def test_json_form_and_raw_bodies(request_fn: Request, proxy: FakeProxy) -> None:
    request_fn("slack", "u1", "echo", method="post", body={"text": "hé", "n": [1, 2]})
    seen = proxy.seen[-1]
    assert seen.method == "POST"
    assert seen.path == "/proxy/echo"  # a path without a leading slash gets one
    assert json.loads(seen.body) == {"text": "hé", "n": [1, 2]}
    assert seen.headers["content-type"] == "application/json"

    request_fn("slack", "u1", "/echo", method="PUT", form_data={"a": "1 2", "flag": True})
    seen = proxy.seen[-1]
    assert seen.body == b"a=1+2&flag=true"
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded"

    request_fn(
        "slack", "u1", "/echo", method="PATCH", raw_body="<a/>", headers={"Content-Type": "application/xml"}
    )
    seen = proxy.seen[-1]
    assert (seen.body, seen.headers["content-type"]) == (b"<a/>", "application/xml")


def test_token_is_reused_and_refreshed_after_401(request_fn: Request, proxy: FakeProxy) -> None:
    request_fn("github", "u", "/echo")
    request_fn("github", "u", "/echo")
    assert proxy.tokens_issued == 1  # one token for both requests
    proxy.valid.clear()  # the service revoked it: the next request gets a 401 and is replayed once
    reply = request_fn("github", "u", "/echo")
    assert reply.json()["token"] == "tok-2"
    assert proxy.tokens_issued == 2


def test_persistent_401_is_replayed_once_then_raised(request_fn: Request, proxy: FakeProxy) -> None:
    with pytest.raises(AuthenticationError, match=r"HTTP 401.*token expired") as info:
        request_fn("github", "u", "/expire-token")
    assert info.value.http_status == 401
    assert proxy.tokens_issued == 2  # the first token, then exactly one refresh
    assert "tok-" not in str(info.value) + repr(info.value)  # no token in messages


def test_error_statuses_map_to_typed_errors_with_status_and_body(request_fn: Request) -> None:
    with pytest.raises(NotFoundError) as nf:
        request_fn("github", "u", "/nothing-here")
    assert nf.value.http_status == 404
    message = str(nf.value)
    assert "proxied GET /nothing-here (connection 'github') failed: HTTP 404 Not Found" in message
    assert '"message":"no such upstream path"' in message  # nested JSON is quoted, never "[object Object]"
    assert nf.value.request_id == "req-fake-1"

    body = json.dumps({"error_code": "BAD_THING", "message": "nope"})
    with pytest.raises(BadRequestError) as bad:
        request_fn("github", "u", "/status/422", query_params={"body": body})
    assert (bad.value.http_status, bad.value.error_code) == (422, "BAD_THING")

    with pytest.raises(ServerError, match=r"HTTP 500 Internal Server Error: \(256 bytes of binary data\)"):
        request_fn("github", "u", "/binary-error")

    with pytest.raises(ScalekitError, match=r"HTTP 418 I'm a Teapot: short and stout") as tea:
        request_fn("github", "u", "/status/418", query_params={"body": "short and stout"})
    assert tea.value.http_status == 418  # type: ignore[attr-defined]


def test_raise_for_status_false_returns_the_answer(request_fn: Request) -> None:
    reply = request_fn("github", "u", "/status/404", query_params={"body": "gone"}, raise_for_status=False)
    assert (reply.status_code, reply.text) == (404, "gone")


def test_idempotent_methods_are_retried_on_503(request_fn: Request, proxy: FakeProxy) -> None:
    reply = request_fn("github", "u", "/flaky/2")
    assert reply.json() == {"attempts": 3}
    assert len(proxy.seen) == 3


def test_writes_are_not_retried(request_fn: Request, proxy: FakeProxy) -> None:
    with pytest.raises(ServiceUnavailableError, match="HTTP 503"):
        request_fn("github", "u", "/flaky/1", method="POST", body={})
    assert len(proxy.seen) == 1
    reply = request_fn(
        "github", "u", "/flaky/1", method="POST", body={}, retry=FAST_RETRY.replace(retry_writes=True)
    )
    assert reply.status_code == 200


def test_retry_none_gives_up_at_once(request_fn: Request, proxy: FakeProxy) -> None:
    with pytest.raises(ServiceUnavailableError):
        request_fn("github", "u", "/flaky/1", retry=None)
    assert len(proxy.seen) == 1


def test_deadline_is_honoured(request_fn: Request) -> None:
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        request_fn("github", "u", "/slow/1.5", timeout=0.3)
    assert time.monotonic() - started < 1.2


def test_slow_write_outcome_is_unknown(request_fn: Request) -> None:
    with pytest.raises(APITimeoutError) as info:
        request_fn("github", "u", "/slow/1.5", method="POST", body={"x": 1}, timeout=0.3)
    assert "may have been applied" in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"connection_name": ""}, "connection_name is required"),
        ({"identifier": " "}, "identifier is required"),
        ({"path": ""}, "path is required"),
        ({"method": "GET /x"}, "invalid HTTP method"),
        ({"headers": {"Authorization": "Bearer mine"}}, "set by the SDK"),
        ({"headers": {"x-bad": "a\r\nb"}}, "without line breaks"),
        ({"body": {}, "form_data": {}}, "at most one of body, form_data"),
    ],
)
def test_bad_arguments_raise_before_any_request(
    request_fn: Request, proxy: FakeProxy, kwargs: dict[str, Any], match: str
) -> None:
    args = {"connection_name": "github", "identifier": "u", "path": "/echo", **kwargs}
    with pytest.raises(ValueError, match=match):
        request_fn(**args)
    assert proxy.seen == []
    assert proxy.tokens_issued == 0


def test_body_must_be_json(request_fn: Request) -> None:
    with pytest.raises(TypeError, match="not JSON-serializable"):
        request_fn("github", "u", "/echo", method="POST", body={"when": object()})


def test_unreachable_service_is_a_connection_error() -> None:
    with fake_proxy() as state:
        url = state.url  # the port is free again once the server is gone
    client = ScalekitClient(url, CLIENT_ID, CLIENT_SECRET, retry=None, timeout=2.0)
    with client, pytest.raises(APIConnectionError):
        client.actions.request("github", "u", "/echo")


def test_connection_lost_mid_write_is_outcome_unknown() -> None:
    from scalekit_py import _errmap

    exc = _errmap.from_proxy_transport_error(httpx.RemoteProtocolError("peer closed"), write=True)
    assert isinstance(exc, UnavailableOutcomeUnknownError)
    assert isinstance(
        _errmap.from_proxy_transport_error(httpx.ConnectError("refused"), write=True), APIConnectionError
    )


def test_closed_client_refuses_requests(proxy: FakeProxy) -> None:
    client = ScalekitClient(proxy.url, CLIENT_ID, CLIENT_SECRET)
    client.close()
    with pytest.raises(ScalekitError, match="closed"):
        client.actions.request("github", "u", "/echo")


def test_actions_and_connect_are_one_object(proxy: FakeProxy) -> None:
    with ScalekitClient(proxy.url, CLIENT_ID, CLIENT_SECRET) as client:
        assert client.actions is client.connect
        assert client.with_options(timeout=3.0).actions is not client.actions
