"""A loopback third-party API for the proxy e2e tests: it records what reached it and answers by path.

* ``/me...``: 200 with the request (method, path, query, headers, body) as JSON;
* ``/status/<code>``: that status with a JSON error body;
* ``/slow``: answers after ``slow_seconds``;
* ``/malformed``: writes bytes that are not HTTP and closes the connection.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.support.loopback_http import QuietHandler, serve


@dataclass
class Upstream:
    url: str = ""
    slow_seconds: float = 3.0
    seen: list[dict[str, Any]] = field(default_factory=list)


def _handler(state: Upstream) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def _any(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            body = self.read_body()
            seen = {
                "method": self.command,
                "path": url.path,
                "query": urllib.parse.parse_qsl(url.query),
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            }
            state.seen.append(seen)
            if url.path.startswith("/me"):
                self.reply_json(200, seen)
            elif url.path.startswith("/status/"):
                code = int(url.path.rsplit("/", 1)[1])
                self.reply_json(code, {"error": {"code": "UPSTREAM_SAYS_NO", "message": f"status {code}"}})
            elif url.path == "/slow":
                time.sleep(state.slow_seconds)
                self.reply_json(200, {"late": True})
            elif url.path == "/malformed":
                self.wfile.write(b"this is not HTTP at all\r\n\r\n")
                self.wfile.flush()
                self.close_connection = True
            else:
                self.reply_json(404, {"error": "no such path"})

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

    return Handler


@contextmanager
def upstream() -> Iterator[Upstream]:
    state = Upstream()
    with serve(_handler(state)) as url:
        state.url = url
        yield state
