"""Client-credentials (machine-to-machine) access tokens: cached, refreshed early, fetched once.

:class:`ClientCredentialsTokenSource` (threads) and :class:`AsyncClientCredentialsTokenSource` (asyncio)
are public: the admin clients use them for their own credentials, and applications use them for any other
client-credentials pair (an M2M client of their own). Example::

    source = ClientCredentialsTokenSource(
        "https://acme.scalekit.com/oauth/token", "m2m_123", os.environ["M2M_SECRET"]
    )
    headers = {"authorization": f"Bearer {source.get_token()}"}

Both keep the token with its ``expires_in``, refresh it ``refresh_margin`` seconds before it runs out, and
make exactly one token request however many threads or tasks ask at once: the others wait for that
request and share its result or its error. All decisions (expiry math, response parsing, retry timing)
are the pure functions below, used by both classes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from scalekit_py import _errmap, errors
from scalekit_py._transport.channel import parse_env_url
from scalekit_py._transport.retry import RetryPolicy, next_delay
from scalekit_py._version import sdk_version_header, user_agent

if TYPE_CHECKING:
    import asyncio
    import ssl

    import httpx

__all__ = [
    "DEFAULT_TOKEN_LIFETIME",
    "TOKEN_RETRY",
    "AsyncClientCredentialsTokenSource",
    "ClientCredentialsTokenSource",
    "TokenGrant",
    "fingerprint",
    "parse_token_response",
    "refresh_at",
    "token_retry_delay",
]

_log = logging.getLogger("scalekit_py.tokens")

TOKEN_RETRY = RetryPolicy(initial_backoff=0.2, max_backoff=2.0, max_attempts=3, deadline=30.0)
"""Default retry of token requests: 429, 5xx and network failures, three attempts in all."""

DEFAULT_TOKEN_LIFETIME = 300.0
"""Seconds a token is kept when the endpoint does not say (no ``expires_in``)."""

Clock = Callable[[], float]
H = TypeVar("H")


# --- pure decisions, shared by the sync and async sources -------------------------------------------------


@dataclass(frozen=True)
class TokenGrant:
    """A successful token response (RFC 6749 §5.1).

    Attributes:
        access_token: the bearer token (never shown by ``repr``).
        expires_in: lifetime in seconds, when the endpoint said.
        token_type: normally ``"Bearer"``.
        scope: granted scopes, when the endpoint said.
    """

    access_token: str = field(repr=False)
    expires_in: float | None
    token_type: str = "Bearer"
    scope: str | None = None


def fingerprint(token: str) -> str:
    """A short, non-reversible tag of a secret for logs: ``sha256:`` and 8 hex digits."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:8]


def parse_token_response(body: bytes) -> TokenGrant:
    """Parse a 2xx token response body.

    Raises:
        APIError: the body is not a JSON object with a non-empty ``access_token`` of a bearer type, or its
            ``expires_in`` is not a positive number.
    """
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise errors.APIError("token endpoint answered with a body that is not a JSON object")
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise errors.APIError("token endpoint answered without an access_token")
    token_type = data.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise errors.APIError(f"token endpoint returned an unsupported token_type {token_type!r}")
    raw_expiry = data.get("expires_in")
    expires_in: float | None = None
    if raw_expiry is not None:
        try:
            expires_in = float(raw_expiry)
        except (TypeError, ValueError):
            expires_in = math.nan
        if isinstance(raw_expiry, bool) or not math.isfinite(expires_in) or expires_in <= 0:
            raise errors.APIError("token endpoint returned an invalid expires_in")
    scope = data.get("scope")
    return TokenGrant(token, expires_in, token_type, scope if isinstance(scope, str) else None)


def grant_from_response(status: int, body: bytes, headers: Mapping[str, str]) -> TokenGrant:
    """The grant of a token endpoint answer, or the mapped error for a non-2xx one."""
    if not 200 <= status < 300:
        raise _errmap.from_oauth_response(status, body, headers)
    return parse_token_response(body)


def refresh_at(requested_at: float, expires_in: float | None, margin: float) -> float:
    """Clock time after which a token obtained by a request sent at ``requested_at`` is refreshed.

    The margin is clamped to half the lifetime, so a short-lived token is still used for a while instead of
    being refreshed on every call. Lifetimes count from the request, not the answer: latency only makes the
    refresh earlier.
    """
    lifetime = DEFAULT_TOKEN_LIFETIME if expires_in is None else expires_in
    return requested_at + lifetime - min(margin, lifetime / 2)


def token_retry_delay(
    policy: RetryPolicy | None, exc: errors.ScalekitError, attempt: int, elapsed: float
) -> float | None:
    """Seconds to wait before retrying a failed token request, or ``None`` to give up.

    Rate limiting, server failures and network failures are retried; OAuth errors (``invalid_client``, ...)
    and malformed answers are not.
    """
    if policy is None:
        return None
    if not isinstance(exc, (errors.RateLimitError, errors.ServerError, errors.APIConnectionError)):
        return None
    return next_delay(policy, attempt, elapsed, policy.deadline)


def fetch_budget(timeout: float, retry: RetryPolicy | None) -> float:
    """Total seconds one token fetch may take, retries included: the retry deadline, else one request.

    A fetch still running past it is abandoned (the next caller starts a new one), so an endpoint that
    never answers, or answers a byte at a time, cannot hold callers forever.
    """
    if retry is not None and retry.deadline is not None:
        return max(retry.deadline, timeout)
    return timeout


def wait_limit(timeout: float | None, budget_left: float) -> float:
    """How long one caller waits for a token: its own deadline, never past the fetch's budget."""
    left = max(budget_left, 0.0)
    return left if timeout is None else max(min(timeout, left), 0.0)


def _no_token_in_time() -> errors.APITimeoutError:
    return errors.APITimeoutError(
        "no access token within the deadline: the token endpoint did not answer in time"
    )


@dataclass(frozen=True)
class _Cached:
    token: str = field(repr=False)
    refresh_at: float

    def fresh(self, now: float) -> bool:
        return now < self.refresh_at


@dataclass(frozen=True)
class _Settings:
    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str | None
    refresh_margin: float
    timeout: float
    retry: RetryPolicy | None
    verify: ssl.SSLContext | bool
    headers: Mapping[str, str]

    def form(self) -> dict[str, str]:
        """The form body: the secret goes here, never into an ``authorization`` header."""
        body = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        if self.scope:
            body["scope"] = self.scope
        return body


class _SourceBase(Generic[H]):
    """Settings, cache, clock and repr shared by both sources.

    Args:
        token_url: the token endpoint, e.g. ``https://acme.scalekit.com/oauth/token``.
        client_id: the client's id.
        client_secret: the client's secret; sent in the form body only, never logged or shown.
        scope: space-separated scopes to ask for (``None``: the client's defaults).
        refresh_margin: refresh this many seconds before expiry (at most half the token's lifetime).
        timeout: seconds per token request.
        retry: retry of 429/5xx/network failures (``None``: no retry).
        verify: TLS verification for httpx: ``True`` (system roots), an ``ssl.SSLContext``, or ``False``.
        allow_insecure: accept ``http://`` to a non-loopback host.
        user_agent_suffix: appended to the user agent.
        http_client: an httpx client to use (not closed by this source); by default one is created on
            first use and owned by the source.
        clock: monotonic clock, for tests.

    Raises:
        ConfigurationError: invalid URL or options.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        refresh_margin: float = 60.0,
        timeout: float = 10.0,
        retry: RetryPolicy | None = TOKEN_RETRY,
        verify: ssl.SSLContext | bool = True,
        allow_insecure: bool = False,
        user_agent_suffix: str | None = None,
        http_client: H | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        url = parse_env_url(token_url, allow_insecure=allow_insecure, what="token_url").url
        if not client_id or not client_secret:
            raise errors.ConfigurationError("client_id and client_secret are required")
        if not math.isfinite(refresh_margin) or refresh_margin < 0:
            raise errors.ConfigurationError("refresh_margin must be a finite number of seconds >= 0")
        if not math.isfinite(timeout) or timeout <= 0:
            raise errors.ConfigurationError("timeout must be a positive, finite number of seconds")
        headers = {
            "accept": "application/json",
            "user-agent": user_agent(user_agent_suffix),
            "x-sdk-version": sdk_version_header(),
        }
        self._settings = _Settings(
            url, client_id, client_secret, scope, refresh_margin, timeout, retry, verify, headers
        )
        self._clock = clock
        self._cached: _Cached | None = None
        self._http = http_client
        self._owns_http = http_client is None
        self._post_init()

    def _post_init(self) -> None:
        """Flavour-specific state (locks, in-flight request)."""

    @property
    def token_url(self) -> str:
        return self._settings.token_url

    @property
    def client_id(self) -> str:
        return self._settings.client_id

    @property
    def scope(self) -> str | None:
        return self._settings.scope

    @property
    def refresh_margin(self) -> float:
        return self._settings.refresh_margin

    def _fresh_token(self) -> str | None:
        cached = self._cached
        return cached.token if cached is not None and cached.fresh(self._clock()) else None

    def _store(self, grant: TokenGrant, requested_at: float) -> str:
        self._cached = _Cached(
            grant.access_token, refresh_at(requested_at, grant.expires_in, self._settings.refresh_margin)
        )
        _log.debug(
            "client-credentials token %s obtained for client_id=%s (expires_in=%s)",
            fingerprint(grant.access_token),
            self.client_id,
            grant.expires_in,
        )
        return grant.access_token

    def _log_retry(self, exc: errors.ScalekitError, delay: float) -> None:
        # INFO, like the RPC retries: a transient failure that is being handled is not a warning.
        _log.info("token request failed (%s); retrying in %.2fs", type(exc).__name__, delay)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(token_url={self.token_url!r}, client_id={self.client_id!r})"


class _Flight:
    """One token request in progress, awaited by every thread that wanted a token meanwhile."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline  # time.monotonic() after which the request is abandoned
        self._done = threading.Event()
        self._token = ""
        self._error: Exception | None = None

    def resolve(self, token: str) -> None:
        self._token = token
        self._done.set()

    def fail(self, error: Exception) -> None:
        self._error = error
        self._done.set()

    def wait(self, timeout: float | None) -> str:
        if not self._done.wait(wait_limit(timeout, self.deadline - time.monotonic())):
            raise _no_token_in_time()
        if self._error is not None:
            raise self._error
        return self._token


class ClientCredentialsTokenSource(_SourceBase["httpx.Client"]):
    """Thread-safe source of client-credentials access tokens (public; see the module docstring).

    Arguments as documented on the base class; ``http_client`` is an ``httpx.Client``.

    Example::

        with ClientCredentialsTokenSource(url, "m2m_123", secret) as source:
            token = source.get_token()
    """

    def _post_init(self) -> None:
        self._lock = threading.Lock()
        self._flight: _Flight | None = None

    def get_token(self, timeout: float | None = None) -> str:
        """The cached access token, fetched first if missing or about to expire.

        Concurrent callers share one request, made on a worker thread so that each caller waits at most
        ``timeout`` seconds (the remaining deadline of its RPC); if it fails, all of them get its error
        and the next call tries again. A request that outlives its budget (``fetch_budget``) is
        abandoned, so an endpoint that never answers cannot hold callers.

        Raises:
            OAuthError: the endpoint refused the credentials (e.g. ``invalid_client``).
            APITimeoutError: no token within ``timeout`` or the fetch budget.
            RateLimitError, ServerError, APIConnectionError: after the retries.
        """
        token = self._fresh_token()
        if token is not None:
            return token
        with self._lock:
            token = self._fresh_token()
            if token is not None:
                return token
            flight = self._flight
            if flight is None or flight.deadline <= time.monotonic():
                s = self._settings
                flight = self._flight = _Flight(time.monotonic() + fetch_budget(s.timeout, s.retry))
                threading.Thread(
                    target=self._lead, args=(flight,), name="scalekit-token", daemon=True
                ).start()
        return flight.wait(timeout)

    def _lead(self, flight: _Flight) -> None:
        """Worker thread: run the request of ``flight`` and hand its outcome to every waiter."""
        try:
            requested_at = self._clock()
            token = self._store(self._fetch(), requested_at)
        except BaseException as exc:
            self._land(flight)
            flight.fail(exc if isinstance(exc, Exception) else errors.ScalekitError("token request aborted"))
            return
        self._land(flight)
        flight.resolve(token)

    def _land(self, flight: _Flight) -> None:
        with self._lock:
            if self._flight is flight:
                self._flight = None

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is still the cached one, so the next :meth:`get_token` fetches anew.

        A token already replaced by a fresher one is left alone: many callers rejected with the same old
        token cause one refresh, not one each.
        """
        with self._lock:
            if self._cached is not None and self._cached.token == token:
                self._cached = None

    def close(self) -> None:
        """Close the owned HTTP client (idempotent)."""
        with self._lock:
            http, self._http = (self._http, None) if self._owns_http else (None, self._http)
        if http is not None:
            http.close()

    def __enter__(self) -> ClientCredentialsTokenSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _client(self) -> httpx.Client:
        import httpx

        with self._lock:
            if self._http is None:
                s = self._settings
                self._http = httpx.Client(timeout=s.timeout, verify=s.verify, follow_redirects=False)
            return self._http

    def _fetch(self) -> TokenGrant:
        started = self._clock()
        attempt = 1
        while True:
            try:
                return self._post()
            except errors.ScalekitError as exc:
                delay = token_retry_delay(self._settings.retry, exc, attempt, self._clock() - started)
                if delay is None:
                    raise
                self._log_retry(exc, delay)
                time.sleep(delay)
                attempt += 1

    def _post(self) -> TokenGrant:
        import httpx

        s = self._settings
        try:
            resp = self._client().post(s.token_url, data=s.form(), headers=dict(s.headers))
        except httpx.HTTPError as exc:
            raise _errmap.from_http_transport_error(exc) from exc
        return grant_from_response(resp.status_code, resp.content, resp.headers)


class AsyncClientCredentialsTokenSource(_SourceBase["httpx.AsyncClient"]):
    """asyncio source of client-credentials access tokens (public; see the module docstring).

    Arguments as documented on the base class; ``http_client`` is an ``httpx.AsyncClient``. Concurrent
    tasks share one in-flight request; a task cancelled while waiting does not cancel it for the others.

    Example::

        async with AsyncClientCredentialsTokenSource(url, "m2m_123", secret) as source:
            token = await source.get_token()
    """

    def _post_init(self) -> None:
        self._inflight: asyncio.Task[str] | None = None
        self._inflight_deadline = 0.0

    async def get_token(self, timeout: float | None = None) -> str:
        """The cached access token, fetched first if missing or about to expire.

        Each caller waits at most ``timeout`` seconds (the remaining deadline of its RPC) for the shared
        request, which itself is cancelled when it outlives its budget (``fetch_budget``).

        Raises:
            OAuthError: the endpoint refused the credentials (e.g. ``invalid_client``).
            APITimeoutError: no token within ``timeout`` or the fetch budget.
            RateLimitError, ServerError, APIConnectionError: after the retries.
        """
        token = self._fresh_token()
        if token is not None:
            return token
        import asyncio  # on first use: keeps `import scalekit_py` free of asyncio for sync users

        loop = asyncio.get_running_loop()
        task = self._inflight
        if task is None or task.get_loop() is not loop or self._inflight_deadline <= time.monotonic():
            s = self._settings
            self._inflight_deadline = time.monotonic() + fetch_budget(s.timeout, s.retry)
            task = loop.create_task(self._refresh())
            task.add_done_callback(self._flight_done)
            self._inflight = task
        limit = wait_limit(timeout, self._inflight_deadline - time.monotonic())
        try:
            return await asyncio.wait_for(asyncio.shield(task), limit)
        except asyncio.TimeoutError:
            raise _no_token_in_time() from None

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is still the cached one (see the sync twin)."""
        if self._cached is not None and self._cached.token == token:
            self._cached = None

    async def aclose(self) -> None:
        """Close the owned HTTP client (idempotent)."""
        http, self._http = (self._http, None) if self._owns_http else (None, self._http)
        if http is not None:
            await http.aclose()

    async def __aenter__(self) -> AsyncClientCredentialsTokenSource:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _flight_done(self, task: asyncio.Task[str]) -> None:
        if self._inflight is task:
            self._inflight = None
        if not task.cancelled():
            task.exception()  # retrieved here, so a request nobody awaits any more logs no warning

    async def _refresh(self) -> str:
        import asyncio

        requested_at = self._clock()
        s = self._settings
        try:
            grant = await asyncio.wait_for(self._fetch(), fetch_budget(s.timeout, s.retry))
        except asyncio.TimeoutError:
            raise _no_token_in_time() from None
        return self._store(grant, requested_at)

    def _client(self) -> httpx.AsyncClient:
        import httpx

        if self._http is None:
            s = self._settings
            self._http = httpx.AsyncClient(timeout=s.timeout, verify=s.verify, follow_redirects=False)
        return self._http

    async def _fetch(self) -> TokenGrant:
        started = self._clock()
        attempt = 1
        while True:
            try:
                return await self._post()
            except errors.ScalekitError as exc:
                delay = token_retry_delay(self._settings.retry, exc, attempt, self._clock() - started)
                if delay is None:
                    raise
                self._log_retry(exc, delay)
                import asyncio

                await asyncio.sleep(delay)
                attempt += 1

    async def _post(self) -> TokenGrant:
        import httpx

        s = self._settings
        try:
            resp = await self._client().post(s.token_url, data=s.form(), headers=dict(s.headers))
        except httpx.HTTPError as exc:
            raise _errmap.from_http_transport_error(exc) from exc
        return grant_from_response(resp.status_code, resp.content, resp.headers)
