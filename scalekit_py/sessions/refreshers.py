"""What sessions refresh with: the :class:`Refresher` protocol and adapters for the OAuth clients.

Sessions depend only on ``refresh(refresh_token) -> TokenSet``, so any token endpoint works. An
``OAuthClient`` / ``AsyncOAuthClient`` (or anything with ``refresh_access_token``) passed as a session's
``refresher`` is wrapped by :class:`OAuthRefresher` / :class:`AsyncOAuthRefresher` automatically.

Errors a refresher raises decide what the session does (see ``docs/sessions.md``): ``OAuthError`` with
``error == "invalid_grant"`` ends the session; ``ServerError``, ``RateLimitError``,
``APIConnectionError`` (and ``APITimeoutError``) are retried with backoff; anything else is reported to
the caller as ``SessionError`` and the session is kept.
"""

from __future__ import annotations

import inspect
from typing import Protocol, runtime_checkable

from scalekit_py.sessions._model import TokenSet

__all__ = [
    "AsyncOAuthRefresher",
    "AsyncRefresher",
    "OAuthRefresher",
    "Refresher",
    "SupportsAsyncRefreshAccessToken",
    "SupportsRefreshAccessToken",
    "as_async_refresher",
    "as_refresher",
]


@runtime_checkable
class Refresher(Protocol):
    """Exchanges a refresh token for new tokens (blocking)."""

    def refresh(self, refresh_token: str) -> TokenSet:
        """Send ``grant_type=refresh_token``; with rotation, ``refresh_token`` is consumed by this call."""
        ...


@runtime_checkable
class AsyncRefresher(Protocol):
    """Exchanges a refresh token for new tokens (asyncio)."""

    async def refresh(self, refresh_token: str) -> TokenSet:
        """See :meth:`Refresher.refresh`."""
        ...


class SupportsRefreshAccessToken(Protocol):
    """Anything shaped like ``OAuthClient``: ``refresh_access_token(token)`` returning a token response."""

    def refresh_access_token(self, refresh_token: str) -> object:
        """Return an object with ``access_token``, ``refresh_token``, ``expires_in``, ... attributes."""
        ...


class SupportsAsyncRefreshAccessToken(Protocol):
    """Anything shaped like ``AsyncOAuthClient``."""

    async def refresh_access_token(self, refresh_token: str) -> object:
        """See :class:`SupportsRefreshAccessToken`."""
        ...


class OAuthRefresher:
    """A :class:`Refresher` over an ``OAuthClient``'s ``refresh_access_token``.

    Example:
        >>> refresher = OAuthRefresher(OAuthClient(env_url, client_id, client_secret))
    """

    def __init__(self, client: SupportsRefreshAccessToken) -> None:
        self._client = client

    def refresh(self, refresh_token: str) -> TokenSet:
        """See :meth:`Refresher.refresh`."""
        return TokenSet.coerce(self._client.refresh_access_token(refresh_token))

    def __repr__(self) -> str:
        return f"OAuthRefresher({type(self._client).__name__})"


class AsyncOAuthRefresher:
    """An :class:`AsyncRefresher` over an ``AsyncOAuthClient``'s ``refresh_access_token``."""

    def __init__(self, client: SupportsAsyncRefreshAccessToken) -> None:
        self._client = client

    async def refresh(self, refresh_token: str) -> TokenSet:
        """See :meth:`Refresher.refresh`."""
        return TokenSet.coerce(await self._client.refresh_access_token(refresh_token))

    def __repr__(self) -> str:
        return f"AsyncOAuthRefresher({type(self._client).__name__})"


def as_refresher(obj: Refresher | SupportsRefreshAccessToken) -> Refresher:
    """``obj`` as a :class:`Refresher`: itself if it has ``refresh``, else wrapped in :class:`OAuthRefresher`.

    Raises:
        TypeError: ``obj`` has neither method, or its methods are coroutines.
    """
    method = getattr(obj, "refresh", None) or getattr(obj, "refresh_access_token", None)
    if method is None or not callable(method):
        raise TypeError(
            "refresher needs a refresh(refresh_token) or refresh_access_token(refresh_token) method"
        )
    if inspect.iscoroutinefunction(method):
        raise TypeError("this refresher is async: use it with AsyncAuthorizationSession")
    if isinstance(obj, Refresher):
        return obj
    return OAuthRefresher(obj)


def as_async_refresher(obj: AsyncRefresher | SupportsAsyncRefreshAccessToken) -> AsyncRefresher:
    """``obj`` as an :class:`AsyncRefresher` (see :func:`as_refresher`).

    Raises:
        TypeError: ``obj`` has neither method, or they are not coroutine functions.
    """
    method = getattr(obj, "refresh", None) or getattr(obj, "refresh_access_token", None)
    if method is None or not inspect.iscoroutinefunction(method):
        raise TypeError(
            "refresher needs an async refresh(refresh_token) or refresh_access_token(refresh_token) method"
        )
    if isinstance(obj, AsyncRefresher):
        return obj
    return AsyncOAuthRefresher(obj)
