"""In-process fakes for transport tests: a scripted gRPC OrganizationService and an OAuth token endpoint.

Both listen on 127.0.0.1 with an OS-chosen port, record what they receive and can be told to fail.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import grpc
from google.protobuf import any_pb2, empty_pb2
from google.rpc import status_pb2  # type: ignore[import-untyped]
from grpc_status import rpc_status

from scalekit_api.v1.errdetails import errdetails_pb2
from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py._transport.rpc import Rpc

SECRET = "sk_test_SUPERSECRET_value_1234567890"
CLIENT_ID = "skc_client_42"
FAST_RETRY = RetryPolicy(initial_backoff=0.001, max_backoff=0.004, jitter=0.0, deadline=None)

_SVC = "/scalekit.v1.organizations.OrganizationService"
GET_ORG: Rpc[organizations_pb2.GetOrganizationRequest, organizations_pb2.GetOrganizationResponse] = Rpc(
    f"{_SVC}/GetOrganization",
    organizations_pb2.GetOrganizationRequest,
    organizations_pb2.GetOrganizationResponse,
    idempotent=True,
)
CREATE_ORG: Rpc[organizations_pb2.CreateOrganizationRequest, organizations_pb2.CreateOrganizationResponse] = (
    Rpc(
        f"{_SVC}/CreateOrganization",
        organizations_pb2.CreateOrganizationRequest,
        organizations_pb2.CreateOrganizationResponse,
        idempotent=False,
    )
)

DELETE_ORG: Rpc[organizations_pb2.DeleteOrganizationRequest, empty_pb2.Empty] = Rpc(
    f"{_SVC}/DeleteOrganization",
    organizations_pb2.DeleteOrganizationRequest,
    empty_pb2.Empty,
    idempotent=False,
)


def get_req(org_id: str = "org_1") -> organizations_pb2.GetOrganizationRequest:
    return organizations_pb2.GetOrganizationRequest(id=org_id)


def create_req(name: str = "Acme") -> organizations_pb2.CreateOrganizationRequest:
    return organizations_pb2.CreateOrganizationRequest(
        organization=organizations_pb2.CreateOrganization(display_name=name)
    )


# --- gRPC ---------------------------------------------------------------------------------------------


@dataclass
class Seen:
    """One RPC as the server saw it."""

    method: str
    metadata: list[tuple[str, str | bytes]]
    time_remaining: float | None

    def values(self, key: str) -> list[str | bytes]:
        return [v for k, v in self.metadata if k == key]


Action = Callable[[grpc.ServicerContext], None]


def fail(code: grpc.StatusCode, message: str = "scripted failure") -> Action:
    def act(context: grpc.ServicerContext) -> None:
        context.abort(code, message)

    return act


def fail_with_error_info(
    code: grpc.StatusCode,
    message: str,
    *,
    error_code: str,
    request_id: str,
    violations: list[tuple[str, str]],
) -> Action:
    """Abort with a google.rpc.Status carrying a scalekit ErrorInfo in grpc-status-details-bin."""
    info = errdetails_pb2.ErrorInfo(error_code=error_code)
    info.request_info.request_id = request_id
    for name, desc in violations:
        info.validation_error_info.field_violations.add(field=name, description=desc)
    detail = any_pb2.Any()
    detail.Pack(info)
    status = status_pb2.Status(code=code.value[0], message=message, details=[detail])

    def act(context: grpc.ServicerContext) -> None:
        context.abort_with_status(rpc_status.to_status(status))

    return act


def stall(seconds: float) -> Action:
    """Hold the call until the client gives up (deadline) or ``seconds`` pass."""

    def act(context: grpc.ServicerContext) -> None:
        done = threading.Event()
        context.add_callback(done.set)
        done.wait(seconds)

    return act


class OrgService(organizations_pb2_grpc.OrganizationServiceServicer):
    """Records every call; plays ``script`` actions first; refuses tokens listed in ``rejected``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.script: deque[Action] = deque()
        self.rejected: set[str] = set()
        self.reject_all = False
        self.deleted: set[str] = set()

    def _handle(self, method: str, context: grpc.ServicerContext) -> None:
        md = [(k, v) for k, v in context.invocation_metadata()]
        with self.lock:
            self.seen.append(Seen(method, md, context.time_remaining()))
            action = self.script.popleft() if self.script else None
        auth = [v for k, v in md if k == "authorization"]
        token = str(auth[0]).removeprefix("Bearer ") if auth else ""
        if self.reject_all or token in self.rejected or not token:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "token expired")
        if action is not None:
            action(context)

    def GetOrganization(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._handle("GetOrganization", context)
        org = organizations_pb2.Organization(id=request.id, display_name="Acme")
        return organizations_pb2.GetOrganizationResponse(organization=org)

    def CreateOrganization(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._handle("CreateOrganization", context)
        org = organizations_pb2.Organization(id="org_new", display_name=request.organization.display_name)
        return organizations_pb2.CreateOrganizationResponse(organization=org)

    def DeleteOrganization(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.lock:
            existed = request.id not in self.deleted
            self.deleted.add(request.id)
        self._handle("DeleteOrganization", context)  # a scripted failure comes after the delete took effect
        if not existed:
            context.abort(grpc.StatusCode.NOT_FOUND, "organization not found")
        return empty_pb2.Empty()

    def count(self, method: str | None = None) -> int:
        with self.lock:
            return sum(1 for s in self.seen if method is None or s.method == method)


@dataclass
class GrpcServer:
    service: OrgService
    port: int
    server: grpc.Server

    @property
    def env_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_grpc_server(credentials: grpc.ServerCredentials | None = None) -> GrpcServer:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    service = OrgService()  # type: ignore[abstract]  # unimplemented RPCs answer UNIMPLEMENTED
    organizations_pb2_grpc.add_OrganizationServiceServicer_to_server(service, server)
    if credentials is None:
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    return GrpcServer(service, port, server)


# --- OAuth token endpoint -----------------------------------------------------------------------------


@dataclass
class TokenRequest:
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class TokenEndpoint:
    """Issues ``tok_<n>_<marker>`` tokens; ``failures`` are answered first, one per request."""

    port: int = 0
    expires_in: float | None = 3600
    delay: float = 0.0
    failures: deque[tuple[int, dict[str, Any]]] = field(default_factory=deque)
    requests: list[TokenRequest] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/oauth/token"

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)

    def answer(self, form: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append(TokenRequest(form, headers))
            failure = self.failures.popleft() if self.failures else None
        if self.delay:
            time.sleep(self.delay)
        if failure is not None:
            return failure
        with self.lock:
            token = f"tok_{len(self.issued) + 1}_ACCESSTOKENMARKER"
            self.issued.append(token)
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return 200, body


def _handler(endpoint: TokenEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length).decode()
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body = endpoint.answer(form, headers)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def start_token_endpoint(endpoint: TokenEndpoint | None = None) -> Iterator[TokenEndpoint]:
    """Generator for fixtures: yields a running endpoint, shuts it down afterwards."""
    endpoint = endpoint or TokenEndpoint()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(endpoint))
    httpd.daemon_threads = True
    endpoint.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        httpd.shutdown()
        httpd.server_close()


def free_port() -> int:
    """A port nothing listens on (bound then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the transport stack without the client object ------------------------------------------------------


@dataclass
class SyncStack:
    caller: Any
    tokens: Any
    channel: grpc.Channel

    def close(self) -> None:
        self.channel.close()
        self.tokens.close()


@dataclass
class AsyncStack:
    caller: Any
    tokens: Any
    channel: Any

    async def aclose(self) -> None:
        await self.channel.close(None)
        await self.tokens.aclose()


def sync_stack(
    env_url: str,
    endpoint: TokenEndpoint,
    *,
    timeout: float | None = 10.0,
    retry: RetryPolicy | None = FAST_RETRY,
) -> SyncStack:
    from scalekit_py._tokens import ClientCredentialsTokenSource
    from scalekit_py._transport.call import SyncCaller
    from scalekit_py._transport.channel import ChannelConfig, create_sync_channel, parse_env_url
    from scalekit_py._transport.interceptors import AuthInterceptor

    tokens = ClientCredentialsTokenSource(endpoint.url, CLIENT_ID, SECRET, retry=FAST_RETRY)
    config = ChannelConfig(parse_env_url(env_url), user_agent="test-agent/1")
    channel = create_sync_channel(config, [AuthInterceptor(tokens)])
    return SyncStack(SyncCaller(lambda: channel, timeout, retry), tokens, channel)


def async_stack(
    env_url: str,
    endpoint: TokenEndpoint,
    *,
    timeout: float | None = 10.0,
    retry: RetryPolicy | None = FAST_RETRY,
) -> AsyncStack:
    """Call inside the running loop (grpc.aio channels belong to one loop)."""
    from scalekit_py._tokens import AsyncClientCredentialsTokenSource
    from scalekit_py._transport.call import AsyncCaller
    from scalekit_py._transport.channel import ChannelConfig, create_async_channel, parse_env_url
    from scalekit_py._transport.interceptors import AsyncAuthInterceptor

    tokens = AsyncClientCredentialsTokenSource(endpoint.url, CLIENT_ID, SECRET, retry=FAST_RETRY)
    config = ChannelConfig(parse_env_url(env_url), user_agent="test-agent/1")
    channel = create_async_channel(config, [AsyncAuthInterceptor(tokens)])
    return AsyncStack(AsyncCaller(lambda: channel, timeout, retry), tokens, channel)
