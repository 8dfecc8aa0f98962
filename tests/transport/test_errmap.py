"""The one mapping site: OAuth HTTP answers and gRPC status details become typed errors."""

from __future__ import annotations

import json

import pytest

from scalekit_py import errors
from scalekit_py._errmap import from_oauth_response, status_details


@pytest.mark.parametrize(
    ("status", "cls"),
    [(429, errors.RateLimitError), (503, errors.ServiceUnavailableError), (500, errors.ServerError)],
)
def test_retry_after_is_kept_on_retryable_answers(status: int, cls: type[errors.APIError]) -> None:
    err = from_oauth_response(status, b"", {"Retry-After": "7", "X-Request-Id": "req_1"})
    assert type(err) is cls
    assert err.retry_after == 7.0
    assert err.request_id == "req_1"
    assert err.http_status == status


@pytest.mark.parametrize("value", ["soon", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", ""])
def test_unusable_retry_after_is_ignored(value: str) -> None:
    assert from_oauth_response(429, b"", {"retry-after": value}).retry_after is None


def test_rfc6749_error_json_becomes_oauth_error() -> None:
    body = json.dumps({"error": "invalid_grant", "error_description": "expired"}).encode()
    err = from_oauth_response(400, body, {})
    assert isinstance(err, errors.OAuthError)
    assert (err.error, err.error_description, err.http_status) == ("invalid_grant", "expired", 400)
    assert str(err) == "invalid_grant: expired"


def test_non_json_error_body_still_maps() -> None:
    err = from_oauth_response(401, b"<html>nope</html>", {})
    assert isinstance(err, errors.OAuthError)
    assert err.error == "http_401"


def test_status_details_reads_field_three_and_rejects_garbage() -> None:
    # google.rpc.Status{code=3, message="m", details=[b"ab"]} encoded by hand.
    encoded = bytes([0x08, 0x03, 0x12, 0x01, ord("m"), 0x1A, 0x02, ord("a"), ord("b")])
    assert status_details(encoded) == [b"ab"]
    with pytest.raises(ValueError, match="truncated"):
        status_details(bytes([0x1A, 0x05, 0x00]))


def test_invalid_client_is_also_an_authentication_error() -> None:
    body = json.dumps({"error": "invalid_client"}).encode()
    err = from_oauth_response(401, body, {})
    assert isinstance(err, errors.OAuthError)
    assert isinstance(err, errors.AuthenticationError)
    assert (err.error, err.http_status) == ("invalid_client", 401)
    assert not isinstance(
        from_oauth_response(400, b'{"error": "invalid_grant"}', {}), errors.AuthenticationError
    )
