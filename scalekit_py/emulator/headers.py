"""Per-request header checks, so one bad request is refused on its own stream.

h2 validates inbound headers per *connection*: an illegal value (``authorization: "Bearer "`` with its
trailing space) or a header block over the advertised limit made it send GOAWAY, failing every other call
in flight on that channel. The server turns h2's inbound validation off and raises the decoder's limit
(see ``server.py``); this module does the same checks for one request, and the router answers that
request alone: a gRPC status (RESOURCE_EXHAUSTED for too much metadata, UNAUTHENTICATED for a malformed
``authorization``, INVALID_ARGUMENT for any other illegal header) or HTTP 431 / 400.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["H2_DECODER_LIMIT", "MAX_HEADER_BYTES", "HeaderProblem", "check_headers"]

MAX_HEADER_BYTES = 64 * 1024
"""Metadata one request may carry (names + values + 32 per entry, as HTTP/2 counts it)."""

H2_DECODER_LIMIT = 4 * 1024 * 1024
"""What the HPACK decoder accepts before it must tear the connection down (it cannot skip a block)."""

_NAME = re.compile(rb"[a-z0-9!#$%&'*+.^_`|~-]+")
_BAD_VALUE = re.compile(rb"[\x00\r\n]|^[ \t]|[ \t]$")


class HeaderProblem:
    """Why a request's headers are refused: a gRPC status code and an HTTP status, with a message."""

    def __init__(self, grpc_code: int, http_status: int, message: str) -> None:
        self.grpc_code = grpc_code
        self.http_status = http_status
        self.message = message


def check_headers(headers: Iterable[tuple[bytes, bytes]]) -> HeaderProblem | None:
    """The first problem with a request's headers (``None``: acceptable). Values never appear in messages."""
    total = 0
    problem: HeaderProblem | None = None
    for name, value in headers:
        total += len(name) + len(value) + 32
        if problem is not None:
            continue
        if not _NAME.fullmatch(name):
            problem = HeaderProblem(3, 400, "illegal header name")
        elif _BAD_VALUE.search(value):
            if name == b"authorization":
                problem = HeaderProblem(16, 400, "malformed authorization header")
            else:
                problem = HeaderProblem(3, 400, f"illegal value for header {name.decode()!r}")
    if total > MAX_HEADER_BYTES:
        return HeaderProblem(8, 431, f"request metadata exceeds {MAX_HEADER_BYTES} bytes")
    return problem
