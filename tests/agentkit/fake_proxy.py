"""A loopback HTTP server imitating the service's token endpoint and ``/proxy/...`` route.

It checks what the real route needs (a bearer token it issued and has not revoked, the
``connection_name`` and ``identifier`` routing headers) and answers by path, so the proxied-request
client can be tested for headers, bodies, token refresh, retries, timeouts and error mapping:

* ``/proxy/echo...``: 200 with the request as JSON;
* ``/proxy/status/<code>``: that status, with ``?body=`` as the body (JSON if it parses);
* ``/proxy/flaky/<n>``: 503 for the first ``n`` requests of a test, then 200;
* ``/proxy/slow/<seconds>``: answers after that delay;
* ``/proxy/expire-token``: revokes the token it was called with, then answers 401 (the client must fetch a
  new token and replay);
* ``/proxy/binary-error``: 500 with a binary body.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.support.loopback_http import QuietHandler, serve

CLIENT_ID = "skc_agent_test"
CLIENT_SECRET = "test-secret-value"


@dataclass
class Seen:
    """One request the proxy route received."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeProxy:
    url: str = ""
    tokens_issued: int = 0
    valid: set[str] = field(default_factory=set)
    seen: list[Seen] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self) -> str:
        with self.lock:
            self.tokens_issued += 1
            token = f"tok-{self.tokens_issued}"
            self.valid.add(token)
            return token

    def count(self, key: str) -> int:
        with self.lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]


def _handler(state: FakeProxy) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.reply(status, body, content_type, x_request_id="req-fake-1")

        def _json(self, status: int, data: Any) -> None:
            self._reply(status, json.dumps(data).encode())

        def do_POST(self) -> None:
            if self.path == "/oauth/token":
                form = dict(urllib.parse.parse_qsl(self.read_body().decode()))
                ok = form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET
                if form.get("grant_type") != "client_credentials" or not ok:
                    self._json(401, {"error": "invalid_client"})
                    return
                self._json(200, {"access_token": state.issue(), "token_type": "Bearer", "expires_in": 3600})
                return
            self._proxy()

        def do_GET(self) -> None:
            self._proxy()

        do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

        def _proxy(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            body = self.read_body()
            if not url.path.startswith("/proxy/"):
                self._json(404, {"error": "no such route"})
                return
            auth = self.headers.get("authorization", "")
            token = auth.removeprefix("Bearer ")
            if not auth.startswith("Bearer ") or token not in state.valid:
                self._json(401, {"error": "unauthenticated"})
                return
            if not self.headers.get("connection_name") or not self.headers.get("identifier"):
                self._json(400, {"error_code": "MISSING_ROUTING", "message": "connection_name/identifier"})
                return
            seen = Seen(
                self.command,
                url.path,
                urllib.parse.parse_qsl(url.query, keep_blank_values=True),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            with state.lock:
                state.seen.append(seen)
            upstream = url.path.removeprefix("/proxy")
            parts = upstream.strip("/").split("/")
            query = dict(seen.query)
            if parts[0] == "echo":
                self._json(200, {"method": self.command, "path": upstream, "query": seen.query,
                                 "body": body.decode("utf-8", "replace"), "token": token})  # fmt: skip
            elif parts[0] == "status":
                raw = query.get("body", "").encode()
                self._reply(int(parts[1]), raw, "application/json" if raw.startswith(b"{") else "text/plain")
            elif parts[0] == "flaky":
                if state.count("flaky") <= int(parts[1]):
                    self._json(503, {"error": "upstream unavailable"})
                else:
                    self._json(200, {"attempts": state.counters["flaky"]})
            elif parts[0] == "slow":
                time.sleep(float(parts[1]))
                self._json(200, {"slow": True})
            elif parts[0] == "expire-token":
                with state.lock:
                    state.valid.discard(token)
                self._json(401, {"error": "token expired"})
            elif parts[0] == "binary-error":
                self._reply(500, bytes(range(256)), "application/octet-stream")
            else:
                self._json(404, {"error": {"message": "no such upstream path", "path": upstream}})

    return Handler


@contextmanager
def fake_proxy() -> Iterator[FakeProxy]:
    state = FakeProxy()
    with serve(_handler(state)) as url:
        state.url = url
        yield state
