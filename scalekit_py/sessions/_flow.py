"""What a session does, written once as generators that yield I/O effects (sans-I/O).

The sync session runs these generators by performing each effect with blocking calls, the async session
by awaiting; so the orchestration — single flight, leases, backoff, saving before returning, ending the
session — exists once. The generators call only the pure functions of :mod:`._state` and the thread-safe,
non-blocking :class:`~._registry.Coordinator`.

Refresh protocol, per session id:

1. Read the stored record; serve its access token while fresh.
2. Otherwise join the refresh in flight in this process, or lead a new one. The leader claims the
   session in the store with a lease (compare-and-set on the version it read), so no other process sends
   the same refresh token; a process that finds another holder's live lease serves its still-valid token
   or polls until the lease is released or abandoned.
3. The leader sends the refresh token once. The rotated pair is kept in memory as *pending*, then saved
   with compare-and-set on the claim's version; only then is the new access token returned.
4. If saving fails, callers get ``SessionStoreError``, the store still holds the old record, and the
   pending pair stays in memory: the next call saves it first and never sends the consumed refresh token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from scalekit_py import errors
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.sessions import _state
from scalekit_py.sessions._model import (
    EventKind,
    Lease,
    SessionEvent,
    SessionRecord,
    TokenSet,
    Versioned,
    fingerprint,
)
from scalekit_py.sessions._registry import Backoff, Coordinator, Flight, Join

_log = logging.getLogger("scalekit_py.sessions")

T = TypeVar("T")
Flow = Generator["Effect", Any, T]

_MAX_CONFLICTS = 1000  # lost compare-and-sets before giving up (a store that always conflicts is broken)


# --- effects: what the drivers perform -----------------------------------------------------------------


@dataclass(frozen=True)
class Get:
    key: str


@dataclass(frozen=True)
class Put:
    key: str
    record: SessionRecord
    expected_version: str | None


@dataclass(frozen=True)
class Delete:
    key: str
    expected_version: str | None


@dataclass(frozen=True)
class CallRefresh:
    refresh_token: str = field(repr=False)


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class RunFlight:
    """Run ``body`` as ``flight`` (the async driver in its own task) and resolve the flight with it."""

    flight: Flight
    body: Flow[SessionRecord | None]
    coordinator: Coordinator
    key: str


@dataclass(frozen=True)
class WaitFlight:
    flight: Flight
    timeout: float


Effect = Get | Put | Delete | CallRefresh | Sleep | RunFlight | WaitFlight


class WaitTimedOut(Exception):
    """Thrown into a flow when a :class:`WaitFlight` timed out."""


# --- context -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """A session's tunables (validated by the session constructors)."""

    refresh_margin: float
    queue_timeout: float
    lease_ttl: float
    lease_poll_interval: float
    retry: RetryPolicy
    rand: Callable[[], float]


@dataclass(frozen=True)
class Context:
    """Everything a flow needs about one session object."""

    key: str
    coordinator: Coordinator
    settings: Settings
    clock: Callable[[], float]
    on_event: Callable[[SessionEvent], None] | None

    def emit(self, kind: EventKind, record: SessionRecord | None = None, **fields: Any) -> None:
        """Tell the listener; a failing listener is logged, never raised."""
        if record is not None:
            fields.setdefault("generation", record.generation)
            fields.setdefault("access_expires_at", record.access_expires_at)
            fields.setdefault("refresh_expires_at", record.refresh_expires_at)
        event = SessionEvent(kind=kind, session_id=self.key, at=self.clock(), **fields)
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:
            _log.exception("session event listener failed on %r", kind)


# --- store access with typed errors --------------------------------------------------------------------


def _store_error(ctx: Context, what: str, exc: Exception) -> errors.SessionStoreError:
    return errors.SessionStoreError(
        f"token store failed to {what} session {ctx.key!r} ({type(exc).__name__})"
    )


def _get(ctx: Context) -> Flow[Versioned | None]:
    try:
        found: Versioned | None = yield Get(ctx.key)
    except errors.SessionStoreError:
        raise
    except Exception as exc:
        raise _store_error(ctx, "read", exc) from exc
    return found


def _put(ctx: Context, record: SessionRecord, expected_version: str | None) -> Flow[str]:
    try:
        version: str = yield Put(ctx.key, record, expected_version)
    except errors.SessionStoreError:
        raise
    except Exception as exc:
        raise _store_error(ctx, "write", exc) from exc
    return version


def _delete(ctx: Context, expected_version: str | None) -> Flow[bool]:
    try:
        deleted: bool = yield Delete(ctx.key, expected_version)
    except errors.SessionStoreError:
        raise
    except Exception as exc:
        raise _store_error(ctx, "delete", exc) from exc
    return deleted


# --- public operations ---------------------------------------------------------------------------------


def establish(ctx: Context, tokens: TokenSet, requested_at: float) -> Flow[SessionRecord]:
    """Store a new session from ``tokens`` (replacing any under the same id)."""
    record = _state.record_from_tokens(tokens, requested_at, None)
    yield from _put(ctx, record, None)
    ctx.coordinator.reset(ctx.key)
    ctx.emit("persisted", record)
    _log.debug("session %r established (access %s)", ctx.key, fingerprint(record.access_token))
    return record


def load(ctx: Context) -> Flow[SessionRecord | None]:
    """The stored record. Refreshed tokens not saved yet are not shown: nothing hands them out before
    they are saved."""
    found = yield from _get(ctx)
    return None if found is None else found.record


def clear(ctx: Context) -> Flow[bool]:
    """Remove the session from the store; returns whether there was one."""
    ctx.coordinator.reset(ctx.key)
    return (yield from _delete(ctx, None))


def access_token(ctx: Context, *, force: bool) -> Flow[str]:
    """A fresh access token: served from the store, or refreshed (once per session id at a time).

    Raises:
        SessionExpiredError: the session is gone, its refresh token expired, or the server refused it.
        SessionTimeoutError: no token within ``queue_timeout`` (refresh failing, or another holder slow).
        SessionStoreError: the store failed (refreshed tokens are kept in memory and saved next time).
        SessionError: the refresh failed for another reason (e.g. ``invalid_client``).
    """
    s = ctx.settings
    deadline = ctx.clock() + s.queue_timeout
    last_error: BaseException | None = None
    conflicts = 0
    while conflicts < _MAX_CONFLICTS:
        now = ctx.clock()
        seen: Versioned | None = None
        servable: str | None = None
        if ctx.coordinator.pending(ctx.key) is None:
            seen = yield from _get(ctx)
            verdict = _state.assess(seen.record if seen else None, now, s.refresh_margin, force=force)
            if verdict.verdict is _state.Verdict.SERVE:
                assert seen is not None
                return seen.record.access_token
            if verdict.verdict is _state.Verdict.EXPIRED:
                reason = verdict.reason or "expired"
                if seen is not None and not (yield from _end(ctx, seen, reason)):
                    conflicts += 1
                    continue  # it changed meanwhile: look again
                raise errors.SessionExpiredError(_expired_message(ctx.key, reason), reason=reason)
            assert seen is not None
            if verdict.servable:
                servable = seen.record.access_token
            lease = seen.record.lease
            if _state.lease_blocks(lease, ctx.coordinator.holder, now):
                assert lease is not None
                if servable is not None:
                    return servable
                if now >= deadline:
                    raise _timeout(ctx, "another process is refreshing the session", last_error)
                yield Sleep(max(0.0, min(s.lease_poll_interval, deadline - now, lease.until - now)))
                continue
        step = ctx.coordinator.join(ctx.key, seen, now)
        if step is None:
            continue  # the pending tokens were saved meanwhile: read them
        if isinstance(step, Backoff):
            if servable is not None:
                return servable
            last_error = step.last_error or last_error
            if step.retry_at >= deadline:
                raise _timeout(ctx, "refresh is failing", last_error)
            yield Sleep(step.retry_at - now)
            continue
        if isinstance(step, Join) and servable is not None:
            return servable  # still valid: don't queue behind the refresh
        try:
            if isinstance(step, Join):
                outcome = yield WaitFlight(step.flight, max(0.0, deadline - now))
            else:
                outcome = yield RunFlight(step.flight, _flight(ctx, step.flight), ctx.coordinator, ctx.key)
        except WaitTimedOut:
            raise _timeout(ctx, "the refresh took too long", last_error) from None
        except Exception as exc:
            if _state.classify_failure(exc) is not _state.Failure.TRANSIENT:
                raise
            last_error = exc
            continue
        if outcome is None:
            conflicts += 1
            continue  # the stored session changed: look again
        if step.flight.kind == "persist":
            continue  # pending tokens were saved: look again
        token: str = outcome.access_token
        return token
    raise errors.SessionStoreError(f"session {ctx.key!r}: the token store keeps reporting conflicts")


def _expired_message(key: str, reason: str) -> str:
    return {
        "not_established": f"session {key!r} is not established (sign in first)",
        "no_refresh_token": f"session {key!r} expired and has no refresh token (sign in again)",
        "invalid_grant": f"session {key!r} was refused by the server (sign in again)",
        "reuse_detected": f"session {key!r} was revoked: the server saw its refresh token reused",
    }.get(reason, f"session {key!r} expired (sign in again)")


def _timeout(ctx: Context, why: str, cause: BaseException | None) -> errors.SessionTimeoutError:
    detail = f"; last error: {type(cause).__name__}" if cause is not None else ""
    exc = errors.SessionTimeoutError(
        f"no fresh access token for session {ctx.key!r} within {ctx.settings.queue_timeout:g}s: {why}{detail}"
    )
    exc.__cause__ = cause
    return exc


def _end(ctx: Context, seen: Versioned, reason: str) -> Flow[bool]:
    """Remove an ended session; ``False`` when it changed since it was read."""
    try:
        yield from _delete(ctx, seen.version)
    except errors.SessionConflictError:
        return False
    except errors.SessionStoreError as exc:
        _log.warning("session %r ended (%s) but could not be removed: %s", ctx.key, reason, exc)
    ctx.coordinator.reset(ctx.key)
    ctx.emit("expired", seen.record, reason=reason)
    return True


# --- the flight: one refresh, or one save of pending tokens ---------------------------------------------


def _flight(ctx: Context, flight: Flight) -> Flow[SessionRecord | None]:
    if flight.kind == "persist":
        return (yield from _save_pending(ctx))
    assert flight.seen is not None
    return (yield from _refresh(ctx, flight.seen))


def _save_pending(ctx: Context) -> Flow[SessionRecord | None]:
    pending = ctx.coordinator.pending(ctx.key)
    if pending is None:
        return None
    try:
        yield from _put(ctx, pending.record, pending.expected_version)
    except errors.SessionConflictError:
        # Replaced (signed in again) or removed (signed out) meanwhile: the newer state wins.
        ctx.coordinator.drop_pending(ctx.key, pending)
        _log.warning("session %r changed before its refreshed tokens were saved; dropped them", ctx.key)
        return None
    ctx.coordinator.drop_pending(ctx.key, pending)
    ctx.coordinator.record_success(ctx.key)
    ctx.emit("persisted", pending.record)
    return pending.record


def _refresh(ctx: Context, seen: Versioned) -> Flow[SessionRecord | None]:
    s = ctx.settings
    record = seen.record
    assert record.refresh_token is not None
    now = ctx.clock()
    if record.lease is not None and record.lease.holder != ctx.coordinator.holder:
        _log.warning(
            "session %r: taking over a refresh abandoned by %s; if it reached the server, the refresh "
            "token was consumed and the server will refuse it",
            ctx.key,
            record.lease.holder,
        )
    try:
        claim = yield from _put(
            ctx, record.with_lease(Lease(ctx.coordinator.holder, now + s.lease_ttl)), seen.version
        )
    except errors.SessionConflictError:
        return None
    requested_at = ctx.clock()
    try:
        raw = yield CallRefresh(record.refresh_token)
        tokens = TokenSet.coerce(raw)
    except Exception as exc:
        return (yield from _refresh_failed(ctx, seen.record, claim, exc))
    fresh = _state.record_from_tokens(tokens, requested_at, record)
    pending = ctx.coordinator.set_pending(ctx.key, fresh, claim)
    ctx.emit("refreshed", fresh)
    _log.debug(
        "session %r refreshed: refresh token %s -> %s",
        ctx.key,
        fingerprint(record.refresh_token),
        fingerprint(fresh.refresh_token),
    )
    try:
        yield from _put(ctx, fresh, claim)
    except errors.SessionConflictError:
        ctx.coordinator.drop_pending(ctx.key, pending)
        _log.warning("session %r changed while it was being refreshed; dropped the new tokens", ctx.key)
        return None
    except errors.SessionStoreError as exc:
        raise errors.SessionStoreError(
            f"refreshed tokens of session {ctx.key!r} could not be saved; they are kept in memory and "
            "saved by the next call"
        ) from exc.__cause__
    ctx.coordinator.drop_pending(ctx.key, pending)
    ctx.coordinator.record_success(ctx.key)
    ctx.emit("persisted", fresh)
    return fresh


def _refresh_failed(
    ctx: Context, record: SessionRecord, claim: str, exc: Exception
) -> Flow[SessionRecord | None]:
    kind = _state.classify_failure(exc)
    if kind is _state.Failure.TERMINAL:
        reuse = _state.is_reuse_report(exc)
        reason = "reuse_detected" if reuse else "invalid_grant"
        ctx.emit("refresh_failed", record, error=exc)
        if reuse:
            ctx.emit("reuse_detected", record, reason=reason)
        try:
            yield from _delete(ctx, claim)
        except errors.SessionStoreError as store_exc:
            _log.warning("session %r ended (%s) but could not be removed: %s", ctx.key, reason, store_exc)
        ctx.coordinator.reset(ctx.key)
        ctx.emit("expired", record, reason=reason)
        raise errors.SessionExpiredError(_expired_message(ctx.key, reason), reason=reason) from exc
    retry_at = ctx.coordinator.record_failure(
        ctx.key, exc, ctx.clock(), ctx.settings.retry, ctx.settings.rand
    )
    ctx.emit("refresh_failed", record, error=exc, retry_at=retry_at)
    _log.warning(
        "session %r: refresh failed (%s); next attempt in %.2fs",
        ctx.key,
        type(exc).__name__,
        max(0.0, retry_at - ctx.clock()),
    )
    try:  # release the claim; if this fails, our lease only delays other processes until it runs out
        yield from _put(ctx, record.with_lease(None), claim)
    except errors.SessionStoreError:
        _log.debug("session %r: could not release the refresh lease", ctx.key)
    if kind is _state.Failure.TRANSIENT:
        raise exc
    raise errors.SessionError(f"refreshing session {ctx.key!r} failed: {type(exc).__name__}") from exc
