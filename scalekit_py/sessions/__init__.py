"""Client-side token sessions: a user's tokens kept fresh under a stable session id.

:class:`AuthorizationSession` (threads) and :class:`AsyncAuthorizationSession` (asyncio) hold a
signed-in user's access and refresh tokens in a pluggable :class:`TokenStore`, hand out a fresh access
token on demand, refresh it — exactly once per session id at a time across threads, tasks and
processes — and save the rotated pair before returning the new access token. See ``docs/sessions.md``.

Example::

    from scalekit_py.sessions import AuthorizationSession, FileTokenStore

    store = FileTokenStore("/var/lib/myapp/sessions")
    session = AuthorizationSession("sess-8f2c", store=store, refresher=oauth)  # an OAuthClient
    session.establish(oauth.authenticate_with_code(code, redirect_uri))
    token = session.get_access_token()
"""

from typing import TYPE_CHECKING, Any

from scalekit_py.errors import (
    SessionConflictError,
    SessionError,
    SessionExpiredError,
    SessionStoreError,
    SessionTimeoutError,
)
from scalekit_py.sessions._async import AsyncAuthorizationSession
from scalekit_py.sessions._model import EventKind, Lease, SessionEvent, SessionRecord, TokenSet, Versioned
from scalekit_py.sessions._state import DEFAULT_SESSION_RETRY
from scalekit_py.sessions._sync import AuthorizationSession
from scalekit_py.sessions.refreshers import (
    AsyncOAuthRefresher,
    AsyncRefresher,
    OAuthRefresher,
    Refresher,
)
from scalekit_py.sessions.stores import AsyncTokenStore, FileTokenStore, InMemoryTokenStore, TokenStore

if TYPE_CHECKING:
    from scalekit_py.sessions.redis import AsyncRedisTokenStore, RedisTokenStore


def __getattr__(name: str) -> Any:
    # The Redis stores live in an optional extra: imported on first use, never by ``import scalekit_py``.
    if name in ("RedisTokenStore", "AsyncRedisTokenStore"):
        from scalekit_py.sessions import redis as _redis_stores

        return getattr(_redis_stores, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_SESSION_RETRY",
    "AsyncAuthorizationSession",
    "AsyncOAuthRefresher",
    "AsyncRedisTokenStore",
    "AsyncRefresher",
    "AsyncTokenStore",
    "AuthorizationSession",
    "EventKind",
    "FileTokenStore",
    "InMemoryTokenStore",
    "Lease",
    "OAuthRefresher",
    "RedisTokenStore",
    "Refresher",
    "SessionConflictError",
    "SessionError",
    "SessionEvent",
    "SessionExpiredError",
    "SessionRecord",
    "SessionStoreError",
    "SessionTimeoutError",
    "TokenSet",
    "TokenStore",
    "Versioned",
]
