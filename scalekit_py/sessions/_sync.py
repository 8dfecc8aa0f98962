"""The blocking, thread-safe :class:`AuthorizationSession`: runs the shared flows with blocking I/O."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable
from typing import Any, TypeVar

from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.sessions import _flow
from scalekit_py.sessions._base import HasTokens, SessionBase
from scalekit_py.sessions._model import SessionEvent, SessionRecord, TokenSet
from scalekit_py.sessions.refreshers import Refresher, SupportsRefreshAccessToken, as_refresher
from scalekit_py.sessions.stores import TokenStore

__all__ = ["AuthorizationSession"]

T = TypeVar("T")


class AuthorizationSession(SessionBase):
    """A user's tokens under a stable session id, kept fresh: refreshed on demand, once at a time.

    Any number of threads may share one session object, and any number of session objects (this class
    and :class:`AsyncAuthorizationSession`) may use the same store and session id: per session id, one
    refresh runs at a time in this process and the others wait for its result; other processes are kept
    out by a lease in the store. New tokens are saved before the new access token is returned.

    Args:
        session_id: the stable id to store the session under (e.g. your server-side session's id;
            it appears in logs and events, so don't use a secret).
        store: a :class:`TokenStore` (e.g. :class:`InMemoryTokenStore`, :class:`FileTokenStore`).
        refresher: a :class:`Refresher`, or an ``OAuthClient`` (wrapped in :class:`OAuthRefresher`).
        refresh_margin: refresh this many seconds before the access token expires (at most half its
            lifetime).
        queue_timeout: how long a caller whose access token has expired waits for a refresh (during an
            outage, retries with backoff continue meanwhile) before ``SessionTimeoutError``.
        lease_ttl: how long another process waits for our refresh before taking it over; keep it above the
            refresher's HTTP timeout.
        lease_poll_interval: seconds between reads while another process holds the lease.
        retry: backoff between failed refresh attempts (its backoff fields only).
        clock: wall clock (seconds since the epoch), for tests.
        sleep: blocking sleep, for tests.
        on_event: called with each :class:`SessionEvent` (in the thread that caused it).

    Raises:
        ConfigurationError: invalid arguments.

    Example:
        >>> session = AuthorizationSession("sess-8f2c", store=FileTokenStore("/var/lib/app/tokens"),
        ...                                refresher=oauth_client)
        >>> session.establish(oauth_client.authenticate_with_code(code, redirect_uri))
        >>> headers = {"authorization": f"Bearer {session.get_access_token()}"}
    """

    def __init__(
        self,
        session_id: str,
        *,
        store: TokenStore,
        refresher: Refresher | SupportsRefreshAccessToken,
        refresh_margin: float = 60.0,
        queue_timeout: float = 30.0,
        lease_ttl: float = 60.0,
        lease_poll_interval: float = 0.05,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = time.sleep,
        on_event: Callable[[SessionEvent], None] | None = None,
        rand: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(
            session_id,
            store=store,
            refresh_margin=refresh_margin,
            queue_timeout=queue_timeout,
            lease_ttl=lease_ttl,
            lease_poll_interval=lease_poll_interval,
            retry=retry,
            clock=clock,
            on_event=on_event,
            rand=rand,
        )
        self._tokens_store: TokenStore = store
        self._refresher = as_refresher(refresher)
        self._sleep = sleep

    def establish(
        self,
        tokens: TokenSet | HasTokens,
        *,
        refresh_expires_in: float | None = None,
        requested_at: float | None = None,
    ) -> None:
        """Start (or replace) the session with the tokens of a sign-in.

        Args:
            tokens: an ``AuthenticationResponse`` (from ``authenticate_with_code``), a ``TokenResponse``
                or a :class:`TokenSet`.
            refresh_expires_in: the refresh token's lifetime in seconds, when known and not in ``tokens``.
            requested_at: when the tokens were requested (wall clock; default: now).

        Raises:
            ConfigurationError: ``tokens`` has no access token or invalid lifetimes.
            SessionStoreError: the store failed; nothing was saved.
        """
        token_set = self._token_set(tokens, refresh_expires_in)
        self._run(_flow.establish(self._context(), token_set, self._now(requested_at)))

    def get_access_token(self) -> str:
        """A fresh access token, refreshed first when it is within ``refresh_margin`` of expiry.

        While a refresh is impossible (outage, another process refreshing), a still-valid access token is
        served; a caller whose token has expired waits up to ``queue_timeout``.

        Raises:
            SessionExpiredError: not established, refresh token expired, or refused by the server
                (``reason`` says which); the user must sign in again.
            SessionTimeoutError: no fresh token within ``queue_timeout``.
            SessionStoreError: the store failed (tokens already refreshed are kept and saved next time).
            SessionError: the refresh failed otherwise (e.g. the client's credentials were refused).
        """
        return self._run(_flow.access_token(self._context(), force=False))

    def refresh(self) -> str:
        """Refresh now (joining a refresh already under way) and return the new access token.

        Raises:
            The same as :meth:`get_access_token`.
        """
        return self._run(_flow.access_token(self._context(), force=True))

    def load(self) -> SessionRecord | None:
        """The session's current record (tokens and expiries), or ``None``; never refreshes.

        Raises:
            SessionStoreError: the store failed.
        """
        return self._run(_flow.load(self._context()))

    def clear(self) -> bool:
        """Remove the session from the store (sign-out); returns whether it existed.

        Raises:
            SessionStoreError: the store failed.
        """
        return self._run(_flow.clear(self._context()))

    # --- driver ---------------------------------------------------------------------------------------

    def _run(self, flow: _flow.Flow[T]) -> T:
        send: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = flow.send(send) if error is None else flow.throw(error)
            except StopIteration as stop:
                result: T = stop.value
                return result
            send, error = None, None
            try:
                send = self._perform(effect)
            except BaseException as exc:  # thrown into the flow, which decides
                error = exc

    def _perform(self, effect: _flow.Effect) -> Any:
        store = self._tokens_store
        if isinstance(effect, _flow.Get):
            return store.get(effect.key)
        if isinstance(effect, _flow.Put):
            return store.put(effect.key, effect.record, expected_version=effect.expected_version)
        if isinstance(effect, _flow.Delete):
            return store.delete(effect.key, expected_version=effect.expected_version)
        if isinstance(effect, _flow.CallRefresh):
            return self._refresher.refresh(effect.refresh_token)
        if isinstance(effect, _flow.Sleep):
            self._sleep(effect.seconds)
            return None
        if isinstance(effect, _flow.RunFlight):
            return self._lead(effect)
        return self._wait(effect)

    def _lead(self, effect: _flow.RunFlight) -> SessionRecord | None:
        try:
            result = self._run(effect.body)
        except BaseException as exc:
            effect.coordinator.settle(effect.key, effect.flight, error=exc)
            raise
        effect.coordinator.settle(effect.key, effect.flight, result=result)
        return result

    @staticmethod
    def _wait(effect: _flow.WaitFlight) -> SessionRecord | None:
        future = effect.flight.future
        try:
            return future.result(timeout=effect.timeout)
        except concurrent.futures.TimeoutError:
            if future.done():
                raise  # the refresh itself raised a TimeoutError
            raise _flow.WaitTimedOut() from None
