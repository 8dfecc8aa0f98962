"""In-process coordination of sessions that share a store: one refresh per session id at a time.

Every session object (sync or async, any thread, any event loop) over the same store object shares one
:class:`Coordinator`. Per session id it holds the refresh in flight (a ``concurrent.futures.Future`` that
threads wait on directly and tasks through ``asyncio.wrap_future``), tokens that were refreshed but not yet
saved, and the backoff after failures. Other processes are kept out by the lease written to the store.
"""

from __future__ import annotations

import concurrent.futures
import math
import os
import secrets
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from scalekit_py import errors
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.sessions import _state
from scalekit_py.sessions._model import SessionRecord, Versioned

__all__ = ["Backoff", "Coordinator", "Flight", "Join", "Lead", "Pending", "coordinator_for"]


class Flight:
    """One refresh of a session (or one save of refreshed tokens), shared by every caller that needs it.

    The future's result is the record now stored, or ``None`` when the attempt found the stored session
    changed and callers should read it again; its exception is the failure every waiter gets.
    """

    def __init__(self, kind: Literal["refresh", "persist"], seen: Versioned | None) -> None:
        self.kind = kind
        self.seen = seen
        self.future: concurrent.futures.Future[SessionRecord | None] = concurrent.futures.Future()

    def __repr__(self) -> str:
        return f"Flight(kind={self.kind!r}, done={self.future.done()})"


@dataclass(frozen=True)
class Pending:
    """Tokens the server issued that are not saved yet; the stored record still holds our lease."""

    record: SessionRecord
    expected_version: str


@dataclass(frozen=True)
class Lead:
    """The caller starts ``flight`` and everyone else waits for it."""

    flight: Flight


@dataclass(frozen=True)
class Join:
    """A flight is under way: wait for it."""

    flight: Flight


@dataclass(frozen=True)
class Backoff:
    """The last attempt failed; the next may start at ``retry_at``."""

    retry_at: float
    last_error: BaseException | None


@dataclass
class _Slot:
    flight: Flight | None = None
    pending: Pending | None = None
    failures: int = 0
    retry_at: float = -math.inf
    last_error: BaseException | None = field(default=None, repr=False)

    def idle(self) -> bool:
        return self.flight is None and self.pending is None and self.failures == 0


class Coordinator:
    """Per-store, per-session-id state shared by all sessions of this process. Thread-safe.

    Attributes:
        holder: this coordinator's lease holder id (process id and a random tag).
    """

    def __init__(self) -> None:
        self.holder = f"{os.getpid()}.{secrets.token_hex(4)}"
        self._lock = threading.Lock()
        self._slots: dict[str, _Slot] = {}

    def _slot(self, key: str) -> _Slot:
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        return slot

    def _tidy(self, key: str) -> None:
        slot = self._slots.get(key)
        if slot is not None and slot.idle():
            del self._slots[key]

    def pending(self, key: str) -> Pending | None:
        """Refreshed tokens of ``key`` still waiting to be saved."""
        with self._lock:
            slot = self._slots.get(key)
            return slot.pending if slot is not None else None

    def flight(self, key: str) -> Flight | None:
        """The flight under way for ``key``, if any."""
        with self._lock:
            slot = self._slots.get(key)
            return slot.flight if slot is not None else None

    def join(self, key: str, seen: Versioned | None, now: float) -> Lead | Join | Backoff | None:
        """Join the flight of ``key``, start one, or learn when one may start.

        A save of pending tokens starts at once; a refresh waits out the backoff of earlier failures.
        ``None``: the caller saw pending tokens that are saved by now, so it must read the store first.
        """
        with self._lock:
            slot = self._slot(key)
            if slot.flight is not None:
                return Join(slot.flight)
            if slot.pending is None and seen is None:
                self._tidy(key)
                return None
            if slot.pending is None and now < slot.retry_at:
                return Backoff(slot.retry_at, slot.last_error)
            flight = slot.flight = Flight("persist" if slot.pending is not None else "refresh", seen)
            return Lead(flight)

    def finish(self, key: str, flight: Flight) -> None:
        """Forget ``flight``; called before its future is resolved, so waiters that wake see it gone."""
        with self._lock:
            slot = self._slots.get(key)
            if slot is not None and slot.flight is flight:
                slot.flight = None
                self._tidy(key)

    def settle(
        self,
        key: str,
        flight: Flight,
        result: SessionRecord | None = None,
        error: BaseException | None = None,
    ) -> None:
        """End ``flight`` with its result or error: forget it first, then wake every waiter.

        An interruption that is not an ``Exception`` (``KeyboardInterrupt``, cancellation) reaches the
        waiters as ``SessionError``; the leader still gets the original.
        """
        self.finish(key, flight)
        if error is None:
            flight.future.set_result(result)
        elif isinstance(error, Exception):
            flight.future.set_exception(error)
        else:
            interrupted = errors.SessionError(f"the refresh was interrupted ({type(error).__name__})")
            interrupted.__cause__ = error
            flight.future.set_exception(interrupted)

    def set_pending(self, key: str, record: SessionRecord, expected_version: str) -> Pending:
        """Remember tokens the server issued until they are saved."""
        pending = Pending(record, expected_version)
        with self._lock:
            self._slot(key).pending = pending
        return pending

    def drop_pending(self, key: str, pending: Pending) -> None:
        """Forget ``pending`` (saved, or superseded), unless newer tokens replaced it meanwhile."""
        with self._lock:
            slot = self._slots.get(key)
            if slot is not None and slot.pending is pending:
                slot.pending = None
                self._tidy(key)

    def record_failure(
        self, key: str, error: BaseException, now: float, policy: RetryPolicy, rand: Callable[[], float]
    ) -> float:
        """Count a failed refresh of ``key``; returns when the next attempt may start."""
        with self._lock:
            slot = self._slot(key)
            slot.failures += 1
            slot.last_error = error
            slot.retry_at = _state.retry_at(policy, slot.failures, now, rand)
            return slot.retry_at

    def record_success(self, key: str) -> None:
        """Clear the backoff of ``key`` after a successful refresh."""
        with self._lock:
            slot = self._slots.get(key)
            if slot is not None:
                slot.failures, slot.retry_at, slot.last_error = 0, -math.inf, None
                self._tidy(key)

    def reset(self, key: str) -> None:
        """Forget pending tokens and backoff of ``key`` (it was established anew or cleared)."""
        with self._lock:
            slot = self._slots.get(key)
            if slot is not None:
                slot.pending = None
                slot.failures, slot.retry_at, slot.last_error = 0, -math.inf, None
                self._tidy(key)

    def __repr__(self) -> str:
        with self._lock:
            return f"Coordinator(holder={self.holder!r}, active={len(self._slots)})"


_registry_lock = threading.Lock()
_registry: dict[int, tuple[Coordinator, Callable[[], object | None]]] = {}


def coordinator_for(store: object) -> Coordinator:
    """The coordinator shared by every session over ``store`` in this process (created on first use)."""
    key = id(store)
    with _registry_lock:
        entry = _registry.get(key)
        if entry is not None and entry[1]() is store:
            return entry[0]
        coordinator = Coordinator()
        try:
            ref: Callable[[], object | None] = weakref.ref(store)
            weakref.finalize(store, _forget, key, coordinator)
        except TypeError:  # not weak-referenceable: keep it alive with its coordinator

            def ref() -> object:
                return store

        _registry[key] = (coordinator, ref)
        return coordinator


def _forget(key: int, coordinator: Coordinator) -> None:
    with _registry_lock:
        entry = _registry.get(key)
        if entry is not None and entry[0] is coordinator:
            del _registry[key]


def _after_fork() -> None:
    # A child process gets new coordinators (new lease holder ids) and no locks held by parent threads.
    global _registry_lock
    _registry_lock = threading.Lock()
    _registry.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
