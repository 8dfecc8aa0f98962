"""Token stores on Redis (redis-py, the ``redis`` extra): one session store shared by many machines.

Each session is one Redis hash, ``<prefix><session id>``, with two fields: ``v`` (the version, a random
UUID per write, so it never repeats for a key) and ``r`` (the record's JSON). Compare-and-set writes and
deletes are Lua scripts, so the version check and the write are one atomic step for every client of the
server; the refresh lease the sessions write into the record (see ``docs/sessions.md``) is therefore
claimed and released in Redis too. Every write sets the key's TTL: the refresh token's expiry plus
``grace`` when known, else ``default_ttl``, so abandoned sessions disappear on their own.

Connection settings, TLS (``rediss://``) and authentication (``redis://user:password@host``) come from the
URL, or pass a configured client. Every Redis failure is raised as
:class:`~scalekit_py.errors.SessionStoreError` (compare-and-set losses as its subclass
:class:`~scalekit_py.errors.SessionConflictError`); messages never contain the URL, keys or tokens.

Example::

    from scalekit_py.sessions import AuthorizationSession, RedisTokenStore

    store = RedisTokenStore("rediss://:password@redis.internal:6380/0", prefix="myapp:sessions:")
    session = AuthorizationSession("sess-8f2c", store=store, refresher=oauth)
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from scalekit_py import errors
from scalekit_py.sessions._model import SessionRecord, Versioned

if TYPE_CHECKING:
    import redis as _redis
    import redis.asyncio as _aredis

__all__ = ["DEFAULT_PREFIX", "AsyncRedisTokenStore", "RedisTokenStore"]

DEFAULT_PREFIX = "scalekit:session:"
DEFAULT_TTL = 30 * 24 * 3600.0  # a session whose refresh token expiry is unknown lives this long
DEFAULT_GRACE = 300.0  # kept this long past the refresh token's expiry (clock skew, late readers)

# KEYS[1] the session key; ARGV: new version, record JSON, expected version ('' = none), TTL in ms.
_PUT = """
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[3] ~= '' and current ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'r', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""
# KEYS[1] the session key; ARGV: expected version ('' = none). 1 deleted, 0 absent, -1 other version.
_DELETE = """
local current = redis.call('HGET', KEYS[1], 'v')
if not current then return 0 end
if ARGV[1] ~= '' and current ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
return 1
"""


# --- pure decisions, shared by both stores ---------------------------------------------------------------


def ttl_ms(record: SessionRecord, *, now: float, default_ttl: float, grace: float) -> int:
    """How long (ms, at least 1 s) Redis keeps ``record``: to its refresh token's expiry plus ``grace``
    when known, else ``default_ttl`` — but never less than the access token's remaining life."""
    if record.refresh_expires_at is not None:
        until = record.refresh_expires_at + grace
    elif record.refresh_token is None:
        until = record.access_expires_at + grace
    else:
        until = now + default_ttl
    return max(1000, int((until - now) * 1000))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def decode(fields: list[Any]) -> Versioned | None:
    """``HMGET key v r`` → the stored record and version, or ``None`` when absent.

    Raises:
        SessionStoreError: the hash is not a session written by these stores.
    """
    version, raw = fields
    if version is None:
        return None
    try:
        record = SessionRecord.from_json(raw)
    except Exception as exc:
        raise errors.SessionStoreError("redis: the stored session is not a session record") from exc
    return Versioned(record, _text(version))


def put_outcome(done: object) -> None:
    """Raises :class:`SessionConflictError` when the put script wrote nothing."""
    if int(_text(done)) != 1:
        raise errors.SessionConflictError("redis: session changed since it was read")


def delete_outcome(done: object) -> bool:
    """The delete script's answer → whether something was removed (conflict raised)."""
    code = int(_text(done))
    if code == -1:
        raise errors.SessionConflictError("redis: session changed since it was read")
    return code == 1


def _store_error(op: str, exc: Exception) -> errors.SessionStoreError:
    # The class name only: redis-py messages can carry host names, and never the URL's password.
    return errors.SessionStoreError(f"redis {op} failed: {type(exc).__name__}")


def _check_options(prefix: str, default_ttl: float, grace: float) -> None:
    if not prefix:
        raise errors.ConfigurationError("prefix must not be empty")
    if default_ttl <= 0 or grace < 0:
        raise errors.ConfigurationError("default_ttl must be > 0 and grace >= 0")


class RedisTokenStore:
    """A :class:`~scalekit_py.sessions.TokenStore` in Redis, shared by every process and machine using it.

    Args:
        url_or_client: a ``redis://`` / ``rediss://`` / ``unix://`` URL, or a ``redis.Redis`` client.
        prefix: prepended to every session id to form its key.
        default_ttl: seconds a session lives after its last write when its refresh token's expiry is
            unknown.
        grace: seconds a session outlives its refresh token's expiry.

    Raises:
        ConfigurationError: the ``redis`` extra is missing, or an option is invalid.
    """

    def __init__(
        self,
        url_or_client: str | _redis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        default_ttl: float = DEFAULT_TTL,
        grace: float = DEFAULT_GRACE,
    ) -> None:
        _check_options(prefix, default_ttl, grace)
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise errors.ConfigurationError(
                "RedisTokenStore needs: pip install 'scalekit-py[redis]'"
            ) from exc
        self._errors: type[Exception] = redis.RedisError
        if isinstance(url_or_client, str):
            self._client: _redis.Redis = redis.Redis.from_url(url_or_client)
        else:
            self._client = url_or_client
        self._prefix, self._ttl, self._grace = prefix, default_ttl, grace
        self._put = self._client.register_script(_PUT)
        self._delete = self._client.register_script(_DELETE)

    @property
    def client(self) -> _redis.Redis:
        return self._client

    def get(self, key: str) -> Versioned | None:
        """See :meth:`TokenStore.get`. Raises :class:`SessionStoreError` when Redis fails."""
        try:
            fields = self._client.hmget(self._prefix + key, ["v", "r"])
        except self._errors as exc:
            raise _store_error("get", exc) from None
        return decode(list(fields))

    def put(self, key: str, record: SessionRecord, *, expected_version: str | None = None) -> str:
        """See :meth:`TokenStore.put`. Raises :class:`SessionStoreError` when Redis fails."""
        version = uuid.uuid4().hex
        ttl = ttl_ms(record, now=time.time(), default_ttl=self._ttl, grace=self._grace)
        try:
            done = self._put(
                keys=[self._prefix + key], args=[version, record.to_json(), expected_version or "", ttl]
            )
        except self._errors as exc:
            raise _store_error("put", exc) from None
        put_outcome(done)
        return version

    def delete(self, key: str, *, expected_version: str | None = None) -> bool:
        """See :meth:`TokenStore.delete`. Raises :class:`SessionStoreError` when Redis fails."""
        try:
            done = self._delete(keys=[self._prefix + key], args=[expected_version or ""])
        except self._errors as exc:
            raise _store_error("delete", exc) from None
        return delete_outcome(done)

    def close(self) -> None:
        """Close the client's connections."""
        self._client.close()

    def __repr__(self) -> str:
        return f"RedisTokenStore(prefix={self._prefix!r})"


class AsyncRedisTokenStore:
    """The :class:`~scalekit_py.sessions.AsyncTokenStore` twin of :class:`RedisTokenStore` (same keys and
    scripts, so sync and async processes can share sessions), on ``redis.asyncio``."""

    def __init__(
        self,
        url_or_client: str | _aredis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        default_ttl: float = DEFAULT_TTL,
        grace: float = DEFAULT_GRACE,
    ) -> None:
        _check_options(prefix, default_ttl, grace)
        try:
            import redis
            import redis.asyncio as aredis
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise errors.ConfigurationError(
                "AsyncRedisTokenStore needs: pip install 'scalekit-py[redis]'"
            ) from exc
        self._errors: type[Exception] = redis.RedisError
        if isinstance(url_or_client, str):
            self._client: _aredis.Redis = aredis.Redis.from_url(url_or_client)
        else:
            self._client = url_or_client
        self._prefix, self._ttl, self._grace = prefix, default_ttl, grace
        self._put = self._client.register_script(_PUT)
        self._delete = self._client.register_script(_DELETE)

    @property
    def client(self) -> _aredis.Redis:
        return self._client

    async def get(self, key: str) -> Versioned | None:
        """See :meth:`TokenStore.get`."""
        try:
            fields = await self._client.hmget(self._prefix + key, ["v", "r"])
        except self._errors as exc:
            raise _store_error("get", exc) from None
        return decode(list(fields))

    async def put(self, key: str, record: SessionRecord, *, expected_version: str | None = None) -> str:
        """See :meth:`TokenStore.put`."""
        version = uuid.uuid4().hex
        ttl = ttl_ms(record, now=time.time(), default_ttl=self._ttl, grace=self._grace)
        try:
            done = await self._put(
                keys=[self._prefix + key], args=[version, record.to_json(), expected_version or "", ttl]
            )
        except self._errors as exc:
            raise _store_error("put", exc) from None
        put_outcome(done)
        return version

    async def delete(self, key: str, *, expected_version: str | None = None) -> bool:
        """See :meth:`TokenStore.delete`."""
        try:
            done = await self._delete(keys=[self._prefix + key], args=[expected_version or ""])
        except self._errors as exc:
            raise _store_error("delete", exc) from None
        return delete_outcome(done)

    async def aclose(self) -> None:
        """Close the client's connections."""
        await self._client.aclose()

    def __repr__(self) -> str:
        return f"AsyncRedisTokenStore(prefix={self._prefix!r})"
