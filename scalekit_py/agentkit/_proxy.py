"""Pure pieces of the proxied HTTP request (``client.actions.request``), shared by both flavours.

A proxied request goes to ``{env_url}/proxy{path}`` with the client's bearer token and two routing
headers, ``connection_name`` and ``identifier``, which tell the service whose credentials to attach
before forwarding it to the connection's upstream API (the shape the official SDK sends). Everything that
is a decision lives here: validating and encoding the request once (so a replay sends the same bytes),
which methods are idempotent, and which answers may be retried. The drivers in
``services/_async/_proxy.py`` (and its generated sync twin) only send and wait.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scalekit_py._transport.interceptors import sdk_metadata

__all__ = [
    "IDEMPOTENT_METHODS",
    "AsyncBackoff",
    "Backoff",
    "ProxyRequest",
    "build_proxy_request",
    "retry_code_for_status",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
"""Methods RFC 9110 defines as idempotent: only these are retried by default."""

_STATUS_CODES = {
    408: "DEADLINE_EXCEEDED",
    429: "RESOURCE_EXHAUSTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "UNAVAILABLE",
}
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 token: method and header names
_RESERVED_HEADERS = frozenset({"authorization", "host", "content-length"})


@dataclass(frozen=True)
class ProxyRequest:
    """One validated, encoded proxied request (no token: that is added per attempt).

    Attributes:
        method: upper-case HTTP method.
        url: ``{env_url}/proxy{path}``.
        params: query parameters, in order, lists expanded.
        headers: every header but ``authorization``.
        content: the encoded body, if any.
        idempotent: whether retrying the request is safe.
        connection_name: the connection whose credentials the proxy attaches (for messages).
        path: the upstream path (for messages).
    """

    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    headers: dict[str, str] = field(repr=False)
    content: bytes | None = field(repr=False)
    idempotent: bool
    connection_name: str
    path: str

    def send_kwargs(self, token: str) -> dict[str, Any]:
        """Keyword arguments of ``httpx.Client.request`` / ``AsyncClient.request`` for one attempt."""
        return {
            "method": self.method,
            "url": self.url,
            "params": list(self.params),
            "headers": {**self.headers, "authorization": f"Bearer {token}"},
            "content": self.content,
        }


def _required(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} is required (a non-empty string)")
    if any(c in value for c in "\r\n\0"):
        raise ValueError(f"{name} must not contain line breaks or NUL")
    return value


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _params(query_params: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for key, value in (query_params or {}).items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        out.extend((str(key), _query_value(v)) for v in values if v is not None)
    return tuple(out)


def _headers(
    user_agent: str, given: Mapping[str, str] | None, connection_name: str, identifier: str
) -> dict[str, str]:
    headers = {"user-agent": user_agent, **dict(sdk_metadata())}
    for name, value in (given or {}).items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ValueError(f"invalid header name {name!r}")
        if not isinstance(value, str) or any(c in value for c in "\r\n\0"):
            raise ValueError(f"header {name!r} must be a string without line breaks")
        if name.lower() in _RESERVED_HEADERS:
            raise ValueError(
                f"header {name!r} is set by the SDK: the proxy authenticates with the client's token and "
                "attaches the connected account's own credentials upstream"
            )
        headers[name.lower()] = value
    headers["connection_name"] = connection_name
    headers["identifier"] = identifier
    return headers


def _content(
    headers: dict[str, str], body: Any, form_data: Mapping[str, Any] | None, raw_body: bytes | str | None
) -> bytes | None:
    candidates = (("body", body), ("form_data", form_data), ("raw_body", raw_body))
    given = [name for name, value in candidates if value is not None]
    if len(given) > 1:
        raise ValueError(f"pass at most one of body, form_data, raw_body (got {', '.join(given)})")
    if raw_body is not None:
        if not isinstance(raw_body, (bytes, str)):
            raise TypeError("raw_body must be bytes or str")
        return raw_body.encode() if isinstance(raw_body, str) else bytes(raw_body)
    if form_data is not None:
        headers.setdefault("content-type", "application/x-www-form-urlencoded")
        return urllib.parse.urlencode([(k, _query_value(v)) for k, v in _params(form_data)]).encode()
    if body is not None:
        try:
            encoded = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"body is not JSON-serializable: {exc}") from None
        headers.setdefault("content-type", "application/json")
        return encoded.encode()
    return None


def build_proxy_request(
    *,
    env_url: str,
    user_agent: str,
    connection_name: str,
    identifier: str,
    path: str,
    method: str = "GET",
    query_params: Mapping[str, Any] | None = None,
    body: Any = None,
    form_data: Mapping[str, Any] | None = None,
    raw_body: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
) -> ProxyRequest:
    """Validate and encode a proxied request.

    Raises:
        ValueError: a required argument is empty, the method or a header is malformed, a reserved header
            (``authorization``, ``host``, ``content-length``) is given, or several bodies are given.
        TypeError: ``body`` is not JSON-serializable or ``raw_body`` is not bytes/str.
    """
    connection_name = _required("connection_name", connection_name)
    identifier = _required("identifier", identifier)
    path = _required("path", path)
    if not isinstance(method, str) or not _TOKEN.match(method):
        raise ValueError(f"invalid HTTP method {method!r}")
    method = method.upper()
    if not path.startswith("/"):
        path = "/" + path
    hdrs = _headers(user_agent, headers, connection_name, identifier)
    content = _content(hdrs, body, form_data, raw_body)
    return ProxyRequest(
        method=method,
        url=env_url.rstrip("/") + "/proxy" + path,
        params=_params(query_params),
        headers=hdrs,
        content=content,
        idempotent=method in IDEMPOTENT_METHODS,
        connection_name=connection_name,
        path=path,
    )


def retry_code_for_status(status: int) -> str | None:
    """The retry code (gRPC status name, as in ``RetryPolicy.retryable_codes``) of an HTTP answer, if any.

    502/503/504 are ``UNAVAILABLE`` (retried by default for idempotent methods), 429
    ``RESOURCE_EXHAUSTED`` and 408 ``DEADLINE_EXCEEDED`` (retried only when the policy lists them).
    """
    return _STATUS_CODES.get(status)


class AsyncBackoff:
    """How the asyncio driver waits between attempts (its generated twin uses :class:`Backoff`)."""

    @staticmethod
    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds)


class Backoff:
    """How the blocking driver waits between attempts."""

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(seconds)
