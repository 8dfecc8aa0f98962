"""A loopback HTTPS server playing a custom provider's API, for the AgentKit proxy and HTTP-tool tests.

Routes: ``/slow`` sleeps longer than the tests' proxy timeout; ``/garbage`` answers bytes that are not
HTTP; ``/status/<code>`` answers that status with a JSON error body; anything else answers 200 with a
JSON echo of the request (method, path, query, headers, body). Every request is recorded.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["Upstream", "closed_port", "upstream"]


@dataclass
class Upstream:
    """The running server: its base URL and the requests it received."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    slow_seconds: float = 1.5


def _handler(state: Upstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _serve(self) -> None:
            size = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(size).decode("utf-8", "replace") if size else ""
            path, _, query = self.path.partition("?")
            seen = {
                "method": self.command,
                "path": path,
                "query": query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
            state.requests.append(seen)
            if path.endswith("/slow"):
                time.sleep(state.slow_seconds)
            if path.endswith("/garbage"):
                self.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
                self.close_connection = True
                return
            status = 200
            payload: dict[str, Any] = {"echo": seen}
            if "/status/" in path:
                status = int(path.rsplit("/", 1)[1])
                payload = {"error": f"upstream says {status}"}
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("x-upstream", "yes")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


class _TLSServer(ThreadingHTTPServer):
    """Wraps each accepted connection in TLS in the handler's thread (a slow handshake blocks no one)."""

    context: ssl.SSLContext

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            conn = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(conn, client_address)


@contextmanager
def upstream(ca_dir: Path) -> Iterator[Upstream]:
    """Serve HTTPS on a free loopback port until the block ends (certificates in ``ca_dir``; the
    emulator must trust ``ca_dir / "ca.pem"``: custom providers' proxy URLs are https)."""
    from scalekit_py.emulator.tls import make_certificates

    _, cert, key = make_certificates(ca_dir)
    state = Upstream(url="")
    server = _TLSServer(("127.0.0.1", 0), _handler(state))
    server.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.context.load_cert_chain(cert, key)
    server.daemon_threads = True
    state.url = f"https://127.0.0.1:{server.server_address[1]}/api"
    thread = threading.Thread(target=server.serve_forever, name="e2e-upstream", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
