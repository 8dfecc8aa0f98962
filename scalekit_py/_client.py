"""The admin clients: :class:`ScalekitClient` (blocking) and :class:`AsyncScalekitClient` (asyncio).

Both have the same surface: the constructor of the official SDKs (``env_url, client_id, client_secret``,
falling back to ``SCALEKIT_ENV_URL`` / ``SCALEKIT_CLIENT_ID`` / ``SCALEKIT_CLIENT_SECRET``), one lazily
built service facade per attribute (``client.organization``, ``client.user``, ...), ``with_options`` for a
reconfigured copy, and context-manager closing. Nothing touches the network until the first call: the
channel and the token source are created on first use, and the token is fetched by the first RPC.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar, overload

from scalekit_py._client_services import AsyncServices, SyncServices
from scalekit_py._oauth_methods import AsyncOAuthMethods, OAuthMethods
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py._tokens import AsyncClientCredentialsTokenSource, ClientCredentialsTokenSource
from scalekit_py._transport.channel import (
    DEFAULT_KEEPALIVE_TIME_MS,
    AsyncConnection,
    ChannelConfig,
    SyncConnection,
    load_root_certificates,
    parse_env_url,
)
from scalekit_py._transport.retry import DEFAULT_RETRY, RetryPolicy
from scalekit_py._version import user_agent
from scalekit_py.errors import ConfigurationError, ScalekitError

if TYPE_CHECKING:
    import ssl

    import grpc
    import grpc.aio
    from google.protobuf.message import Message
    from typing_extensions import Self, Unpack

    from scalekit_py._transport.call import AsyncCaller, RetryArg, SyncCaller, Timeout
    from scalekit_py._transport.rpc import Req, Resp, Rpc

__all__ = ["AsyncScalekitClient", "ClientOptions", "ScalekitClient"]

_ENV_VARS = {
    "env_url": "SCALEKIT_ENV_URL",
    "client_id": "SCALEKIT_CLIENT_ID",
    "client_secret": "SCALEKIT_CLIENT_SECRET",
}
_PER_CALL_FIELDS = frozenset({"timeout", "retry"})
T = TypeVar("T")
C = TypeVar("C", SyncConnection, AsyncConnection)


class ClientOptions(TypedDict, total=False):
    """Keyword arguments of ``with_options``: any constructor argument."""

    env_url: str
    client_id: str
    client_secret: str
    timeout: float | None
    retry: RetryPolicy | None
    root_certificates: bytes | None
    ca_file: str | None
    allow_insecure: bool
    keepalive_time_ms: int
    user_agent_suffix: str | None
    token_refresh_margin: float
    token_url: str | None


@dataclass(frozen=True)
class _Options:
    """Validated constructor arguments (``given``) plus what is derived from them."""

    given: dict[str, Any] = field(repr=False)
    channel: ChannelConfig = field(repr=False)
    token_url: str
    verify: ssl.SSLContext | bool = field(repr=False)

    def __getattr__(self, name: str) -> Any:
        if name == "given":  # not set yet (copy/unpickle): no recursion
            raise AttributeError(name)
        try:
            return self.given[name]
        except KeyError:
            raise AttributeError(name) from None


def _options(given: dict[str, Any]) -> _Options:
    """Validate constructor arguments, filling credentials from the environment.

    Raises:
        ConfigurationError: a credential is missing or an option is invalid.
    """
    from scalekit_py._transport.call import validate_timeout

    given = dict(given)
    for key, var in _ENV_VARS.items():
        given[key] = given.get(key) or os.environ.get(var) or ""
    missing = [f"{k} (or {v})" for k, v in _ENV_VARS.items() if not given[k]]
    if missing:
        raise ConfigurationError(f"missing {', '.join(missing)}")
    validate_timeout(given["timeout"])
    if given["retry"] is not None and not isinstance(given["retry"], RetryPolicy):
        raise ConfigurationError("retry must be a RetryPolicy or None")
    margin = given["token_refresh_margin"]
    if not math.isfinite(margin) or margin < 0:
        raise ConfigurationError("token_refresh_margin must be a finite number of seconds >= 0")
    insecure = given["allow_insecure"]
    env = parse_env_url(given["env_url"], allow_insecure=insecure)
    roots = load_root_certificates(given["root_certificates"], given["ca_file"])
    ua = user_agent(given["user_agent_suffix"])
    channel = ChannelConfig(env, roots, given["keepalive_time_ms"], ua)
    token_url = parse_env_url(
        given["token_url"] or env.join("/oauth/token"), allow_insecure=insecure, what="token_url"
    ).url
    verify: ssl.SSLContext | bool = True
    if roots is not None:
        import ssl  # only for a custom CA: the default needs no ssl module at import time

        try:
            verify = ssl.create_default_context(cadata=roots.decode("ascii"))
        except (ssl.SSLError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigurationError(f"root certificates are not valid PEM: {exc}") from None
    return _Options(given, channel, token_url, verify)


def _token_kwargs(opts: _Options) -> dict[str, Any]:
    return {
        "token_url": opts.token_url,
        "client_id": opts.client_id,
        "client_secret": opts.client_secret,
        "refresh_margin": opts.token_refresh_margin,
        "verify": opts.verify,
        "allow_insecure": opts.allow_insecure,
        "user_agent_suffix": opts.user_agent_suffix,
    }


class _ClientBase(Generic[C]):
    """Constructor, options, copies and repr of both clients.

    Args:
        env_url: environment URL (``SCALEKIT_ENV_URL``): ``https://<host>``; ``http://`` for loopback hosts
            only (the local emulator) unless ``allow_insecure``.
        client_id: API client id (``SCALEKIT_CLIENT_ID``).
        client_secret: API client secret (``SCALEKIT_CLIENT_SECRET``); never shown or logged.
        timeout: default seconds per call, retries included (``None``: no deadline).
        retry: default retry policy; reads are retried on UNAVAILABLE, writes only if ``retry_writes``.
        root_certificates: PEM roots to trust instead of the defaults (private CA, TLS proxy).
        ca_file: path of such a PEM file (not with ``root_certificates``).
        allow_insecure: allow ``http://`` to non-loopback hosts.
        keepalive_time_ms: keepalive ping interval on idle connections (0 disables; else >= 30 000).
        user_agent_suffix: appended to the user agent, e.g. ``"my-app/1.2"``.
        token_refresh_margin: refresh the access token this many seconds before it expires.
        token_url: token endpoint (default ``{env_url}/oauth/token``).

    Raises:
        ConfigurationError: a credential is missing or an option is invalid.
    """

    def __init__(
        self,
        env_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        timeout: float | None = 20.0,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        root_certificates: bytes | None = None,
        ca_file: str | None = None,
        allow_insecure: bool = False,
        keepalive_time_ms: int = DEFAULT_KEEPALIVE_TIME_MS,
        user_agent_suffix: str | None = None,
        token_refresh_margin: float = 60.0,
        token_url: str | None = None,
    ) -> None:
        given = {k: v for k, v in locals().items() if k in ClientOptions.__annotations__}
        self._init(_options(given), None)

    def _init(self, opts: _Options, connection: C | None) -> None:
        self._opts = opts
        self._owns_connection = connection is None
        self._connection: C = connection if connection is not None else self._connect(opts)
        self._closed = False
        self._lock = threading.RLock()
        self._services: dict[str, Any] = {}

    def _connect(self, opts: _Options) -> C:
        raise NotImplementedError

    @property
    def env_url(self) -> str:
        """The environment URL, e.g. ``https://acme.scalekit.com``."""
        return self._opts.channel.env.url

    @property
    def client_id(self) -> str:
        """The client id the client authenticates as."""
        return str(self._opts.client_id)

    @property
    def timeout(self) -> float | None:
        """Default seconds per call (``None``: no deadline)."""
        return self._opts.timeout  # type: ignore[no-any-return]

    @property
    def retry(self) -> RetryPolicy | None:
        """Default retry policy (``None``: no retry)."""
        return self._opts.retry  # type: ignore[no-any-return]

    def with_options(self, **changes: Unpack[ClientOptions]) -> Self:
        """A copy with some constructor arguments changed; this client is not modified.

        A copy that changes only ``timeout`` / ``retry`` shares this client's channel and token source (one
        connection, one token): closing the copy leaves them open, closing this client closes them for
        both. A copy that changes anything else gets, and owns, a channel and token source of its own.
        Service facades are never shared (they carry the copy's defaults).

        Raises:
            TypeError: an unknown argument. ConfigurationError: an invalid value.

        Example::

            fast = client.with_options(timeout=2.0, retry=None)
        """
        unknown = set(changes) - set(ClientOptions.__annotations__)
        if unknown:
            raise TypeError(f"with_options() got unexpected arguments: {', '.join(sorted(unknown))}")
        opts = _options({**self._opts.given, **changes})
        shares = all(opts.given[k] == self._opts.given[k] for k in opts.given if k not in _PER_CALL_FIELDS)
        copy = type(self).__new__(type(self))
        copy._init(opts, self._connection if shares else None)
        return copy

    def _service(self, name: str, factory: Callable[[], T]) -> T:
        with self._lock:
            service = self._services.get(name)
            if service is None:
                service = self._services[name] = factory()
            return service

    def __repr__(self) -> str:
        return f"{type(self).__name__}(env_url={self.env_url!r}, client_id={self.client_id!r})"


class AsyncScalekitClient(_ClientBase[AsyncConnection], AsyncServices, AsyncOAuthMethods):
    """asyncio client of the Scalekit admin API (constructor arguments: see ``_ClientBase``).

    Example::

        async with AsyncScalekitClient() as client:  # credentials from SCALEKIT_* variables
            org = await client.organization.get_organization(id="org_123")
    """

    def _connect(self, opts: _Options) -> AsyncConnection:
        return AsyncConnection(opts.channel, lambda: AsyncClientCredentialsTokenSource(**_token_kwargs(opts)))

    def _channel(self) -> grpc.aio.Channel:
        if self._closed:
            raise ScalekitError("the client is closed")
        return self._connection.channel()

    @property
    def caller(self) -> AsyncCaller:
        """The call path every facade method goes through (``await caller.call(rpc, request)``)."""
        from scalekit_py._transport.call import AsyncCaller

        return self._service("_caller", lambda: AsyncCaller(self._channel, self.timeout, self.retry))

    @overload
    async def call(
        self, method: Rpc[Req, Resp], request: Req, *, timeout: Timeout = ..., retry: RetryArg = ...
    ) -> Resp: ...
    @overload
    async def call(
        self, method: str, request: Message, *, timeout: Timeout = ..., retry: RetryArg = ...
    ) -> Message: ...
    async def call(
        self, method: Any, request: Any, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> Any:
        """Call any unary RPC of the API, including those without a facade method yet.

        The call takes the same path as a facade call (token, deadline, retries, error mapping); see
        :meth:`ScalekitClient.call`.
        """
        from scalekit_py._transport.lookup import resolve_rpc

        return await self.caller.call(resolve_rpc(method), request, timeout=timeout, retry=retry)

    @property
    def token_source(self) -> AsyncClientCredentialsTokenSource:
        """The client's own access-token source (shared with copies that share the channel)."""
        return self._connection.token_source()

    async def aclose(self) -> None:
        """Close the channel and the token source's HTTP client, if this client owns them."""
        self._closed = True
        await self._aclose_oauth()
        if self._owns_connection:
            await self._connection.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class ScalekitClient(_ClientBase[SyncConnection], SyncServices, OAuthMethods):
    """Blocking, thread-safe client of the Scalekit admin API (constructor arguments: see ``_ClientBase``).

    Example::

        with ScalekitClient() as client:  # credentials from SCALEKIT_* variables
            org = client.organization.get_organization(id="org_123")
    """

    def _connect(self, opts: _Options) -> SyncConnection:
        return SyncConnection(opts.channel, lambda: ClientCredentialsTokenSource(**_token_kwargs(opts)))

    def _channel(self) -> grpc.Channel:
        if self._closed:
            raise ScalekitError("the client is closed")
        return self._connection.channel()

    @property
    def caller(self) -> SyncCaller:
        """The call path every facade method goes through (``caller.call(rpc, request)``)."""
        from scalekit_py._transport.call import SyncCaller

        return self._service("_caller", lambda: SyncCaller(self._channel, self.timeout, self.retry))

    @overload
    def call(
        self, method: Rpc[Req, Resp], request: Req, *, timeout: Timeout = ..., retry: RetryArg = ...
    ) -> Resp: ...
    @overload
    def call(
        self, method: str, request: Message, *, timeout: Timeout = ..., retry: RetryArg = ...
    ) -> Message: ...
    def call(
        self, method: Any, request: Any, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> Any:
        """Call any unary RPC of the API, including those without a facade method yet.

        The call takes the same path as a facade call: the client's token, deadline and retry policy
        (reads retried, writes not), and the same typed errors.

        Args:
            method: an :class:`~scalekit_py.Rpc` (from :func:`~scalekit_py.rpc_for`, typed) or the
                RPC's path, e.g. ``"/scalekit.v1.emails.EmailService/ListEmailTemplates"``.
            request: the request message (the generated class of that RPC).
            timeout: total seconds including retries (``None``: none; default: the client's).
            retry: retry policy (``None``: no retry; default: the client's).

        Returns:
            The response message, unchanged.

        Raises:
            ConfigurationError: the path names no unary RPC of the pinned API.
            TypeError: ``request`` is not the RPC's request type.
            UnimplementedError: the service (or emulator) does not implement the RPC.
            APIError subclass / APIConnectionError / APITimeoutError: as for facade methods.

        Example::

            from scalekit_api.v1.emails.emails_pb2 import ListEmailTemplateRequest

            page = client.call("/scalekit.v1.emails.EmailService/ListEmailTemplates",
                               ListEmailTemplateRequest(organization_id="org_1"))
        """
        from scalekit_py._transport.lookup import resolve_rpc

        return self.caller.call(resolve_rpc(method), request, timeout=timeout, retry=retry)

    @property
    def token_source(self) -> ClientCredentialsTokenSource:
        """The client's own access-token source (shared with copies that share the channel)."""
        return self._connection.token_source()

    def close(self) -> None:
        """Close the channel and the token source's HTTP client, if this client owns them."""
        self._closed = True
        self._close_oauth()
        if self._owns_connection:
            self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
