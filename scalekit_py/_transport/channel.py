"""Where to connect and how: env URL parsing, TLS material, channel options, the one channel per client.

URL checks are pure and import nothing heavy, so the token source and the client constructors can use
them without importing grpc; grpc is imported only when a channel is actually built.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from scalekit_py.errors import ConfigurationError, ScalekitError

if TYPE_CHECKING:
    import grpc
    import grpc.aio

    from scalekit_py._tokens import AsyncClientCredentialsTokenSource, ClientCredentialsTokenSource

__all__ = [
    "DEFAULT_KEEPALIVE_TIME_MS",
    "AsyncConnection",
    "ChannelConfig",
    "EnvURL",
    "SyncConnection",
    "channel_options",
    "create_async_channel",
    "create_sync_channel",
    "is_loopback_host",
    "load_root_certificates",
    "parse_env_url",
]

# The service rejects pings more frequent than every 30 s (three early pings and it sends GOAWAY), so the
# default keeps a 2x margin over that and values in between are refused.
DEFAULT_KEEPALIVE_TIME_MS = 60_000
MIN_KEEPALIVE_TIME_MS = 30_000
KEEPALIVE_TIMEOUT_MS = 10_000
# Idle connections are dropped client-side before the service's 5-minute idle limit does it, so a request is
# never written into a socket the server is closing; the next call reconnects transparently.
CLIENT_IDLE_TIMEOUT_MS = 240_000

_DEFAULT_PORTS = {"https": 443, "http": 80}


def is_loopback_host(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ``::1``: hosts where plaintext never leaves the machine."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class EnvURL:
    """A validated environment URL.

    Attributes:
        url: the normalised base URL, without a trailing slash (``https://acme.scalekit.com``).
        scheme: ``"https"`` or ``"http"``.
        host: host name or IP address (IPv6 without brackets).
        port: explicit or default port.
    """

    url: str
    scheme: str
    host: str
    port: int

    @property
    def secure(self) -> bool:
        return self.scheme == "https"

    @property
    def target(self) -> str:
        """The gRPC target, ``host:port`` (IPv6 hosts bracketed)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def join(self, path: str) -> str:
        """``url`` followed by ``path`` (which starts with ``/``)."""
        return self.url + path


def parse_env_url(url: str, *, allow_insecure: bool = False, what: str = "env_url") -> EnvURL:
    """Validate an environment (or token endpoint) URL.

    Args:
        url: ``https://host[:port]`` or, for loopback hosts, ``http://host[:port]``.
        allow_insecure: accept ``http://`` for any host (plaintext credentials on the network).
        what: the argument's name, for error messages.

    Returns:
        The parsed URL.

    Raises:
        ConfigurationError: the URL is malformed, has credentials, or is plaintext to a non-loopback host.
    """
    raw = url.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError(f"{what} is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ConfigurationError(f"{what} must look like https://<host>[:port], got {raw!r}")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(f"{what} must not contain credentials")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{what} must not have a query or fragment")
    host = parts.hostname
    if scheme == "http" and not allow_insecure and not is_loopback_host(host):
        raise ConfigurationError(
            f"{what} uses plaintext http:// to a non-loopback host ({host}); use https:// "
            "or pass allow_insecure=True if the network path is trusted"
        )
    return EnvURL(
        url=f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}",
        scheme=scheme,
        host=host,
        port=port if port is not None else _DEFAULT_PORTS[scheme],
    )


def load_root_certificates(root_certificates: bytes | None, ca_file: str | None) -> bytes | None:
    """PEM roots to trust instead of the defaults: given bytes, or read from ``ca_file``.

    Raises:
        ConfigurationError: both were given, or the file cannot be read.
    """
    if root_certificates is not None and ca_file is not None:
        raise ConfigurationError("pass root_certificates or ca_file, not both")
    if ca_file is None:
        return root_certificates
    try:
        with open(ca_file, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ConfigurationError(f"cannot read ca_file {ca_file!r}: {exc.strerror}") from None


@dataclass(frozen=True)
class ChannelConfig:
    """Everything a channel is built from.

    Attributes:
        env: the validated environment URL.
        root_certificates: PEM roots to trust (``None``: gRPC's default roots). Ignored for ``http://``.
        keepalive_time_ms: interval of HTTP/2 keepalive pings on idle connections (0 disables them).
        user_agent: sent as the primary user agent.
    """

    env: EnvURL
    root_certificates: bytes | None = field(default=None, repr=False)
    keepalive_time_ms: int = DEFAULT_KEEPALIVE_TIME_MS
    user_agent: str = ""

    def __post_init__(self) -> None:
        if self.keepalive_time_ms != 0 and self.keepalive_time_ms < MIN_KEEPALIVE_TIME_MS:
            raise ConfigurationError(
                f"keepalive_time_ms must be 0 (disabled) or >= {MIN_KEEPALIVE_TIME_MS}: the service "
                "closes connections that ping more often"
            )


def channel_options(config: ChannelConfig) -> list[tuple[str, str | int]]:
    """gRPC channel arguments for ``config``: keepalive, idle timeout and user agent."""
    options: list[tuple[str, str | int]] = []
    if config.keepalive_time_ms:
        options += [
            ("grpc.keepalive_time_ms", config.keepalive_time_ms),
            ("grpc.keepalive_timeout_ms", KEEPALIVE_TIMEOUT_MS),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.max_pings_without_data", 0),
            ("grpc.client_idle_timeout_ms", CLIENT_IDLE_TIMEOUT_MS),
        ]
    if config.user_agent:
        options.append(("grpc.primary_user_agent", config.user_agent))
    return options


def create_sync_channel(
    config: ChannelConfig, interceptors: Sequence[grpc.UnaryUnaryClientInterceptor[Any, Any]] = ()
) -> grpc.Channel:
    """A blocking-API channel to ``config.env``, wrapped in ``interceptors``. Connects lazily."""
    import grpc

    options = channel_options(config)
    if config.env.secure:
        creds = grpc.ssl_channel_credentials(root_certificates=config.root_certificates)
        channel = grpc.secure_channel(config.env.target, creds, options=options)
    else:
        channel = grpc.insecure_channel(config.env.target, options=options)
    return grpc.intercept_channel(channel, *interceptors) if interceptors else channel


def create_async_channel(
    config: ChannelConfig, interceptors: Sequence[grpc.aio.UnaryUnaryClientInterceptor[Any, Any]] = ()
) -> grpc.aio.Channel:
    """A ``grpc.aio`` channel to ``config.env`` with ``interceptors``. Connects lazily.

    Build it inside the event loop that will use it: ``grpc.aio`` channels belong to one loop.
    """
    import grpc
    import grpc.aio

    options = channel_options(config)
    chain = cast(Any, list(interceptors))  # the stubs leave aio interceptor types open
    if config.env.secure:
        creds = grpc.ssl_channel_credentials(root_certificates=config.root_certificates)
        return grpc.aio.secure_channel(config.env.target, creds, options=options, interceptors=chain)
    return grpc.aio.insecure_channel(config.env.target, options=options, interceptors=chain)


class SyncConnection:
    """The channel of one blocking client and the token source its interceptor uses, both made on first
    use and reused by every call until :meth:`close`.

    Args:
        config: where and how to connect.
        tokens: builds the token source (called once, on first use).
    """

    def __init__(self, config: ChannelConfig, tokens: Callable[[], ClientCredentialsTokenSource]) -> None:
        self._config = config
        self._make_tokens = tokens
        self._lock = threading.Lock()
        self._tokens: ClientCredentialsTokenSource | None = None
        self._channel: grpc.Channel | None = None
        self._closed = False

    def token_source(self) -> ClientCredentialsTokenSource:
        with self._lock:
            if self._tokens is None:
                self._tokens = self._make_tokens()
            return self._tokens

    def channel(self) -> grpc.Channel:
        """The channel, created on the first call. Raises ``ScalekitError`` once closed."""
        tokens = self.token_source()
        with self._lock:
            if self._closed:
                raise ScalekitError("the client is closed")
            if self._channel is None:
                from scalekit_py._transport.interceptors import AuthInterceptor

                self._channel = create_sync_channel(self._config, [AuthInterceptor(tokens)])
            return self._channel

    def close(self) -> None:
        with self._lock:
            self._closed = True
            channel, self._channel = self._channel, None
            tokens = self._tokens
        if channel is not None:
            channel.close()
        if tokens is not None:
            tokens.close()


class AsyncConnection:
    """The ``grpc.aio`` twin of :class:`SyncConnection`; the channel is built inside the running loop on
    the first call (``grpc.aio`` channels belong to one event loop)."""

    def __init__(
        self, config: ChannelConfig, tokens: Callable[[], AsyncClientCredentialsTokenSource]
    ) -> None:
        self._config = config
        self._make_tokens = tokens
        self._tokens: AsyncClientCredentialsTokenSource | None = None
        self._channel: grpc.aio.Channel | None = None
        self._closed = False

    def token_source(self) -> AsyncClientCredentialsTokenSource:
        if self._tokens is None:
            self._tokens = self._make_tokens()
        return self._tokens

    def channel(self) -> grpc.aio.Channel:
        """The channel, created on the first call. Raises ``ScalekitError`` once closed."""
        if self._closed:
            raise ScalekitError("the client is closed")
        if self._channel is None:
            from scalekit_py._transport.interceptors import AsyncAuthInterceptor

            interceptor = AsyncAuthInterceptor(self.token_source())
            self._channel = create_async_channel(self._config, [interceptor])
        return self._channel

    async def aclose(self) -> None:
        self._closed = True
        channel, self._channel = self._channel, None
        if channel is not None:
            await channel.close(None)
        if self._tokens is not None:
            await self._tokens.aclose()
