"""The one call path of every RPC: deadline, retry, error mapping.

:class:`SyncCaller` and :class:`AsyncCaller` differ only in how they wait (``time.sleep`` vs
``asyncio.sleep``) and invoke; every decision is one of the pure functions below. Auth metadata is added by
the channel's interceptors, not here.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import grpc
import grpc.aio
from google.protobuf.message import Message

from scalekit_py import _errmap, errors
from scalekit_py._sentinel import NOT_GIVEN, NotGiven
from scalekit_py._transport.retry import RetryPolicy, next_delay
from scalekit_py._transport.rpc import Req, Resp, Rpc

__all__ = [
    "AsyncCaller",
    "RetryArg",
    "SyncCaller",
    "Timeout",
    "attempt_timeout",
    "call_budget",
    "reconcile_lookup",
    "resolve",
    "retry_delay",
    "validate_timeout",
]

Timeout = float | None | NotGiven
"""Per-call deadline in seconds: ``None`` for none, ``NOT_GIVEN`` for the client's default."""
RetryArg = RetryPolicy | None | NotGiven
"""Per-call retry policy: ``None`` for no retry, ``NOT_GIVEN`` for the client's default."""

_log = logging.getLogger("scalekit_py.transport")


# --- pure decisions --------------------------------------------------------------------------------------


def validate_timeout(timeout: float | None) -> float | None:
    """``timeout`` if it is ``None`` or a positive finite number of seconds.

    Raises:
        ConfigurationError: otherwise (0 or negative would fail every call at once).
    """
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout):
        raise errors.ConfigurationError(f"timeout must be a number of seconds or None, got {timeout!r}")
    if timeout <= 0:
        raise errors.ConfigurationError(f"timeout must be positive, got {timeout!r}")
    return float(timeout)


def resolve(
    timeout: Timeout, retry: RetryArg, default_timeout: float | None, default_retry: RetryPolicy | None
) -> tuple[float | None, RetryPolicy | None]:
    """The effective timeout and retry policy of one call."""
    eff_timeout = default_timeout if isinstance(timeout, NotGiven) else validate_timeout(timeout)
    eff_retry = default_retry if isinstance(retry, NotGiven) else retry
    return eff_timeout, eff_retry


def call_budget(timeout: float | None, policy: RetryPolicy | None) -> float | None:
    """Total seconds for all attempts of a call: the smaller of the timeout and the policy's deadline."""
    limits = [x for x in (timeout, policy.deadline if policy else None) if x is not None]
    return min(limits) if limits else None


def attempt_timeout(budget: float | None, elapsed: float) -> float | None:
    """Deadline of the next attempt: whatever is left of the budget."""
    return None if budget is None else max(budget - elapsed, 0.0)


def retry_delay(
    policy: RetryPolicy | None,
    code: str,
    attempt: int,
    elapsed: float,
    idempotent: bool,
    budget: float | None,
) -> float | None:
    """Seconds to wait before retrying a call that failed with ``code``, or ``None`` to give up.

    Retried only when the code is retryable, the RPC is idempotent (or the policy retries writes), an
    attempt is left and the backoff ends before the budget does.
    """
    if policy is None or code not in policy.retryable_codes or not policy.applies_to(idempotent):
        return None
    return next_delay(policy, attempt, elapsed, budget)


def _retry_delay(
    policy: RetryPolicy | None,
    exc: grpc.RpcError,
    code: str,
    attempt: int,
    elapsed: float,
    idempotent: bool,
    budget: float | None,
) -> float | None:
    """:func:`retry_delay`, except that a tool's own failure (``TOOL_ERROR``) is never retried."""
    if _errmap.is_tool_error(exc):
        return None
    return retry_delay(policy, code, attempt, elapsed, idempotent, budget)


def reconcile_lookup(
    rpc: Rpc[Any, Any], request: Message, outcome_unknown: bool
) -> tuple[Rpc[Any, Any], Message] | None:
    """The read to make before re-sending a create whose earlier attempt had an unknown outcome (the
    RPC's :class:`~scalekit_py._transport.rpc.Reconcile` hook), or ``None`` to send it as it is."""
    if not outcome_unknown or rpc.reconcile is None:
        return None
    lookup = rpc.reconcile.request(request)
    return None if lookup is None else (rpc.reconcile.lookup, lookup)


def reconciled(rpc: Rpc[Req, Resp], request: Req, found: Message | None) -> Resp | None:
    """The create's response from what the lookup found (``None``: NOT_FOUND), or ``None`` to re-send."""
    if found is None or rpc.reconcile is None:
        return None
    response = rpc.reconcile.response(request, found)
    if response is not None:
        _log.info("%s: an earlier attempt took effect; returning what it made", rpc.method)
    return response


def _code_name(exc: grpc.RpcError) -> str:
    code = exc.code() if callable(getattr(exc, "code", None)) else None
    return getattr(code, "name", "UNKNOWN")


def _closed() -> errors.ScalekitError:
    return errors.ScalekitError("the client is closed")


def _check_request(rpc: Rpc[Any, Any], request: object) -> None:
    if not isinstance(request, rpc.request_type):
        raise TypeError(f"{rpc.method} expects {rpc.request_type.__name__}, got {type(request).__name__}")


# --- callers ---------------------------------------------------------------------------------------------


class _CallerBase:
    def __init__(self, default_timeout: float | None, default_retry: RetryPolicy | None) -> None:
        self._default_timeout = validate_timeout(default_timeout)
        self._default_retry = default_retry
        self._callables: dict[str, Any] = {}

    @property
    def default_timeout(self) -> float | None:
        return self._default_timeout

    @property
    def default_retry(self) -> RetryPolicy | None:
        return self._default_retry

    def _multicallable(self, channel: Any, rpc: Rpc[Any, Any]) -> Any:
        fn = self._callables.get(rpc.path)
        if fn is None:
            fn = channel.unary_unary(
                rpc.path,
                request_serializer=rpc.request_type.SerializeToString,
                response_deserializer=rpc.response_type.FromString,
                _registered_method=True,  # as the generated stubs do: the path is registered once
            )
            self._callables[rpc.path] = fn
        return fn


class SyncCaller(_CallerBase):
    """Blocking call path over a channel that already carries the auth interceptor.

    Args:
        channel: returns the (lazily created) channel; raises ``ScalekitError`` once the client is closed.
        default_timeout: seconds for a call without ``timeout=`` (``None``: no deadline).
        default_retry: policy for a call without ``retry=`` (``None``: no retry).
    """

    def __init__(
        self,
        channel: Callable[[], grpc.Channel],
        default_timeout: float | None,
        default_retry: RetryPolicy | None,
    ) -> None:
        super().__init__(default_timeout, default_retry)
        self._channel = channel

    def call(
        self,
        rpc: Rpc[Req, Resp],
        request: Req,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> Resp:
        """Invoke ``rpc`` with ``request``; retry and map errors.

        Args:
            rpc: the RPC handle.
            request: its request message.
            timeout: total seconds for the call including retries (``None``: none; default: the client's).
            retry: retry policy (``None``: no retry; default: the client's).

        Returns:
            The response message.

        Raises:
            APIError subclass: the service answered with an error.
            APIConnectionError, APITimeoutError: the service was not reached in time.
            OAuthError: the client's credentials were refused by the token endpoint.
        """
        _check_request(rpc, request)
        eff_timeout, policy = resolve(timeout, retry, self._default_timeout, self._default_retry)
        budget = call_budget(eff_timeout, policy)
        fn = self._multicallable(self._channel(), rpc)
        started = time.monotonic()
        attempt = 1
        outcome_unknown = False  # a write attempt failed after it may have reached the service
        while True:
            try:
                if (lookup := reconcile_lookup(rpc, request, outcome_unknown)) is not None:
                    found = self._find(lookup, attempt_timeout(budget, time.monotonic() - started))
                    if (existing := reconciled(rpc, request, found)) is not None:
                        return existing
                response: Resp = fn(request, timeout=attempt_timeout(budget, time.monotonic() - started))
                return response
            except grpc.RpcError as exc:
                code = _code_name(exc)
                if outcome_unknown and code == "NOT_FOUND" and _is_delete(rpc):
                    return rpc.response_type()  # an earlier attempt deleted it
                delay = _retry_delay(
                    policy, exc, code, attempt, time.monotonic() - started, rpc.idempotent, budget
                )
                if delay is None:
                    raise _errmap.from_rpc_error(exc, write=not rpc.idempotent) from exc
                outcome_unknown = outcome_unknown or _may_have_applied(rpc, code)
                _log.info("%s failed with %s; retry %d in %.2fs", rpc.method, code, attempt, delay)
            except ValueError as exc:
                if "closed channel" not in str(exc):
                    raise
                raise _closed() from exc  # the client was closed while this call was starting
            time.sleep(delay)
            attempt += 1

    def _find(self, lookup: tuple[Rpc[Any, Any], Message], timeout: float | None) -> Message | None:
        """Run a reconcile lookup: the resource, or ``None`` when it does not exist (NOT_FOUND)."""
        try:
            found: Message = self._multicallable(self._channel(), lookup[0])(lookup[1], timeout=timeout)
        except grpc.RpcError as exc:
            if _code_name(exc) == "NOT_FOUND":
                return None
            raise
        return found


def _may_have_applied(rpc: Rpc[Any, Any], code: str) -> bool:
    return not rpc.idempotent and code in ("UNAVAILABLE", "DEADLINE_EXCEEDED")


def _is_delete(rpc: Rpc[Any, Any]) -> bool:
    """Deletes are safe to retry (``retry_writes``): NOT_FOUND after an attempt with an unknown outcome
    means that attempt deleted it. Creates with a reconcile hook look up what an earlier attempt made
    (:func:`reconcile_lookup`); other creates and updates are re-sent as they are."""
    return not rpc.idempotent and rpc.method.startswith("Delete")


class AsyncCaller(_CallerBase):
    """asyncio call path; same contract as :class:`SyncCaller`, backoff via ``asyncio.sleep``.

    Args:
        channel: returns the ``grpc.aio`` channel, created in the running loop on first use.
        default_timeout: seconds for a call without ``timeout=`` (``None``: no deadline).
        default_retry: policy for a call without ``retry=`` (``None``: no retry).
    """

    def __init__(
        self,
        channel: Callable[[], grpc.aio.Channel],
        default_timeout: float | None,
        default_retry: RetryPolicy | None,
    ) -> None:
        super().__init__(default_timeout, default_retry)
        self._channel = channel

    async def call(
        self,
        rpc: Rpc[Req, Resp],
        request: Req,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> Resp:
        """Invoke ``rpc`` with ``request``; retry and map errors (see :meth:`SyncCaller.call`)."""
        _check_request(rpc, request)
        eff_timeout, policy = resolve(timeout, retry, self._default_timeout, self._default_retry)
        budget = call_budget(eff_timeout, policy)
        fn = self._multicallable(self._channel(), rpc)
        started = time.monotonic()
        attempt = 1
        outcome_unknown = False  # a write attempt failed after it may have reached the service
        while True:
            try:
                if (lookup := reconcile_lookup(rpc, request, outcome_unknown)) is not None:
                    found = await self._find(lookup, attempt_timeout(budget, time.monotonic() - started))
                    if (existing := reconciled(rpc, request, found)) is not None:
                        return existing
                response: Resp = await fn(
                    request, timeout=attempt_timeout(budget, time.monotonic() - started)
                )
                return response
            except grpc.aio.UsageError as exc:
                raise _closed() from exc
            except grpc.RpcError as exc:
                code = _code_name(exc)
                if outcome_unknown and code == "NOT_FOUND" and _is_delete(rpc):
                    return rpc.response_type()  # an earlier attempt deleted it
                delay = _retry_delay(
                    policy, exc, code, attempt, time.monotonic() - started, rpc.idempotent, budget
                )
                if delay is None:
                    raise _errmap.from_rpc_error(exc, write=not rpc.idempotent) from exc
                outcome_unknown = outcome_unknown or _may_have_applied(rpc, code)
                _log.info("%s failed with %s; retry %d in %.2fs", rpc.method, code, attempt, delay)
            await asyncio.sleep(delay)
            attempt += 1

    async def _find(self, lookup: tuple[Rpc[Any, Any], Message], timeout: float | None) -> Message | None:
        """Run a reconcile lookup: the resource, or ``None`` when it does not exist (NOT_FOUND)."""
        try:
            found: Message = await self._multicallable(self._channel(), lookup[0])(lookup[1], timeout=timeout)
        except grpc.RpcError as exc:
            if _code_name(exc) == "NOT_FOUND":
                return None
            raise
        return found
