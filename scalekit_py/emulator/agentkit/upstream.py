"""Calls to a custom provider's upstream API (the proxy and HTTP-backed tools), with bounded waiting.

Every failure becomes an :class:`UpstreamError` with an HTTP status: 502 when the upstream cannot be
reached or answers with something that is not HTTP, 504 when it does not answer within the timeout.
Nothing hangs and no httpx exception escapes.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpx

__all__ = ["UpstreamError", "UpstreamResponse", "forward", "target_url"]

# Never forwarded either way: hop-by-hop headers, the emulator's own auth and routing headers, and
# what httpx recomputes.
_DROP = frozenset(
    {
        "authorization",
        "connection",
        "connection_name",
        "content-encoding",
        "content-length",
        "host",
        "identifier",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


@dataclass(frozen=True)
class UpstreamResponse:
    """What the upstream answered."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class UpstreamError(Exception):
    """The upstream could not give an answer (``status`` 502 or 504; ``code`` names why)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def target_url(base: str, path: str, query: str = "") -> str:
    """``base`` + ``path`` (+ ``?query``); ValueError when ``base`` is not an http(s) URL."""
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the provider's proxy_url {base!r} is not an http(s) URL")
    url = base.rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{query}" if query else url


def passable(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers that may cross the proxy."""
    return [(k, v) for k, v in headers if k.lower() not in _DROP]


async def forward(
    method: str,
    url: str,
    *,
    headers: Iterable[tuple[str, str]] = (),
    inject: Mapping[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 10.0,
    ca_file: str | None = None,
) -> UpstreamResponse:
    """Send one request upstream and return its answer.

    Args:
        method: HTTP method.
        url: full upstream URL.
        headers: caller headers (filtered with :func:`passable`).
        inject: headers set over the caller's (the account's credentials).
        body: request body.
        timeout: seconds for connecting and for the whole answer.
        ca_file: extra CA certificates to trust (PEM), besides the system's.

    Raises:
        UpstreamError: unreachable, malformed answer (502), or too slow (504).
    """
    out = [(k, v) for k, v in passable(headers) if k.lower() not in {n.lower() for n in (inject or {})}]
    out += list((inject or {}).items())
    try:
        verify: ssl.SSLContext | bool = True
        if ca_file:
            verify = ssl.create_default_context()
            verify.load_verify_locations(ca_file)
        async with httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False, verify=verify
        ) as client:
            # The whole exchange is bounded, not only each read.
            response = await asyncio.wait_for(client.request(method, url, headers=out, content=body), timeout)
    except (httpx.TimeoutException, TimeoutError):
        raise UpstreamError(
            504, "UPSTREAM_TIMEOUT", f"the upstream did not answer within {timeout:g} s"
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError, OSError) as exc:
        raise UpstreamError(
            502, "UPSTREAM_UNREACHABLE", f"the upstream failed: {type(exc).__name__}"
        ) from None
    return UpstreamResponse(response.status_code, passable(response.headers.items()), response.content)
