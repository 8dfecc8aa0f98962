"""What the sync and async sessions share: arguments, validation, the flow context, ``repr``."""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable
from typing import Protocol, TypeVar

from scalekit_py import errors
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.sessions import _flow, _state
from scalekit_py.sessions._model import SessionEvent, TokenSet
from scalekit_py.sessions._registry import coordinator_for

__all__ = ["HasTokens", "SessionBase"]

_S = TypeVar("_S", bound="SessionBase")


class HasTokens(Protocol):
    """A code-exchange or token result: ``AuthenticationResponse``, ``TokenResponse``, :class:`TokenSet`."""

    @property
    def access_token(self) -> str: ...


def _seconds(value: float, name: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise errors.ConfigurationError(f"{name} must be a finite number of seconds")
    if value < 0 or (positive and value == 0):
        raise errors.ConfigurationError(f"{name} must be {'> 0' if positive else '>= 0'}")
    return float(value)


class SessionBase:
    """What :class:`AuthorizationSession` and :class:`AsyncAuthorizationSession` have in common."""

    def __init__(
        self,
        session_id: str,
        *,
        store: object,
        refresh_margin: float,
        queue_timeout: float,
        lease_ttl: float,
        lease_poll_interval: float,
        retry: RetryPolicy | None,
        clock: Callable[[], float],
        on_event: Callable[[SessionEvent], None] | None,
        rand: Callable[[], float] | None,
    ) -> None:
        if not isinstance(session_id, str) or not session_id:
            raise errors.ConfigurationError("session_id must be a non-empty string")
        for method in ("get", "put", "delete"):
            if not callable(getattr(store, method, None)):
                raise errors.ConfigurationError(f"store has no {method}() method (see TokenStore)")
        self._session_id = session_id
        self._store = store
        self._clock = clock
        self._on_event = on_event
        self._settings = _flow.Settings(
            refresh_margin=_seconds(refresh_margin, "refresh_margin"),
            queue_timeout=_seconds(queue_timeout, "queue_timeout"),
            lease_ttl=_seconds(lease_ttl, "lease_ttl", positive=True),
            lease_poll_interval=_seconds(lease_poll_interval, "lease_poll_interval", positive=True),
            retry=retry or _state.DEFAULT_SESSION_RETRY,
            rand=rand or random.random,
        )

    def with_session_id(self: _S, session_id: str) -> _S:
        """A session with the same store, refresher and settings under another id (cheap; no I/O).

        Example:
            >>> session = sessions.with_session_id(request.session["sid"])
        """
        if not isinstance(session_id, str) or not session_id:
            raise errors.ConfigurationError("session_id must be a non-empty string")
        clone = copy.copy(self)
        clone._session_id = session_id
        return clone

    @property
    def session_id(self) -> str:
        """The stable id this session is stored under."""
        return self._session_id

    @property
    def store(self) -> object:
        """The token store."""
        return self._store

    @property
    def refresh_margin(self) -> float:
        """Seconds before the access token's expiry at which it is refreshed."""
        return self._settings.refresh_margin

    @property
    def queue_timeout(self) -> float:
        """Seconds a caller that needs a refresh waits for one before ``SessionTimeoutError``."""
        return self._settings.queue_timeout

    def _context(self) -> _flow.Context:
        return _flow.Context(
            key=self._session_id,
            coordinator=coordinator_for(self._store),
            settings=self._settings,
            clock=self._clock,
            on_event=self._on_event,
        )

    def _token_set(self, tokens: TokenSet | HasTokens, refresh_expires_in: float | None) -> TokenSet:
        try:
            token_set = TokenSet.coerce(tokens)
            if refresh_expires_in is not None:
                token_set = TokenSet(
                    access_token=token_set.access_token,
                    refresh_token=token_set.refresh_token,
                    expires_in=token_set.expires_in,
                    refresh_expires_in=refresh_expires_in,
                    id_token=token_set.id_token,
                    scope=token_set.scope,
                    token_type=token_set.token_type,
                )
        except ValueError as exc:
            raise errors.ConfigurationError(f"cannot establish a session from these tokens: {exc}") from None
        return token_set

    def _now(self, requested_at: float | None) -> float:
        return self._clock() if requested_at is None else requested_at

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(session_id={self._session_id!r}, store={type(self._store).__name__}, "
            f"refresh_margin={self._settings.refresh_margin:g}, "
            f"queue_timeout={self._settings.queue_timeout:g})"
        )
