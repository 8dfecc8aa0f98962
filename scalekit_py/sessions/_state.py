"""Pure decisions of the token sessions, shared by the sync and async sessions.

Each function takes the current time as ``now`` (wall clock, seconds since the epoch) and does no I/O:
is the access token fresh, may it still be served, must the session refresh or has it ended, how long to
back off after a failure, which failures are terminal, and what a refresh turns a record into.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from scalekit_py import errors
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.sessions._model import Lease, SessionRecord, TokenSet

__all__ = [
    "DEFAULT_ACCESS_LIFETIME",
    "DEFAULT_SESSION_RETRY",
    "EXP_SKEW_BAND",
    "Assessment",
    "Failure",
    "Verdict",
    "access_valid",
    "assess",
    "classify_failure",
    "is_reuse_report",
    "jwt_expiry",
    "lease_blocks",
    "record_from_tokens",
    "refresh_due_at",
    "refresh_expired",
    "retry_at",
]

DEFAULT_ACCESS_LIFETIME = 300.0
"""Seconds an access token is assumed to live when the server gave no ``expires_in``."""

EXP_SKEW_BAND = 5.0
"""How much earlier than ``expires_in`` a JWT's ``exp`` may be and still be trusted over it (seconds);
beyond that the difference is read as clock skew and ``expires_in`` wins."""

DEFAULT_SESSION_RETRY = RetryPolicy(initial_backoff=0.5, max_backoff=15.0, multiplier=2.0, jitter=0.2)
"""Backoff between failed refresh attempts of one session (only the backoff fields are used)."""


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT access token, read without verification (``None``: not a JWT or no
    usable ``exp``). Used only to make an expiry *earlier*, never to trust the token."""
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 16_384:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (ValueError, binascii.Error, RecursionError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    try:
        value = float(exp)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def record_from_tokens(
    tokens: TokenSet, requested_at: float, previous: SessionRecord | None
) -> SessionRecord:
    """The record to store after ``tokens`` were obtained by a request sent at ``requested_at``.

    Lifetimes count from the request, so latency only makes expiry earlier. On a refresh (``previous``
    given): a server that issued no new refresh token keeps the old one valid (RFC 6749 §6), so the old one
    is kept with its expiry; a rotated token without its own ``refresh_expires_in`` inherits the previous
    absolute expiry (the login's lifetime does not grow by refreshing), and an ID token not re-issued is
    kept. A JWT access token expires at its ``exp`` claim when that is at most :data:`EXP_SKEW_BAND`
    seconds earlier than ``expires_in`` says.
    """
    lifetime = DEFAULT_ACCESS_LIFETIME if tokens.expires_in is None else tokens.expires_in
    access_expires_at = requested_at + lifetime
    exp = jwt_expiry(tokens.access_token)
    if exp is not None and 0 < access_expires_at - exp <= EXP_SKEW_BAND:
        # A server that floors ``exp`` to whole seconds makes ``expires_in`` over-state the lifetime by up
        # to a second: the token's own ``exp`` is the authority then. A larger gap is clock skew between
        # us and the server, where the local ``expires_in`` count is the one that holds.
        access_expires_at = exp
    refresh_token = tokens.refresh_token
    refresh_expires_at: float | None = None
    if tokens.refresh_expires_in is not None:
        refresh_expires_at = requested_at + tokens.refresh_expires_in
    elif previous is not None:
        refresh_expires_at = previous.refresh_expires_at
    if refresh_token is None and previous is not None:
        refresh_token = previous.refresh_token
    return SessionRecord(
        access_token=tokens.access_token,
        access_expires_at=access_expires_at,
        issued_at=requested_at,
        refresh_token=refresh_token,
        refresh_expires_at=refresh_expires_at,
        id_token=tokens.id_token or (previous.id_token if previous is not None else None),
        scope=tokens.scope or (previous.scope if previous is not None else None),
        token_type=tokens.token_type,
        generation=0 if previous is None else previous.generation + 1,
        lease=None,
    )


def refresh_due_at(record: SessionRecord, margin: float) -> float:
    """When the access token stops being served without a refresh: ``margin`` seconds before expiry.

    The margin is clamped to half the token's lifetime, so a short-lived token is used for a while instead
    of being refreshed on every call.
    """
    lifetime = max(0.0, record.access_expires_at - record.issued_at)
    return record.access_expires_at - min(margin, lifetime / 2)


def access_valid(record: SessionRecord, now: float) -> bool:
    """Whether the access token has not expired yet (it may be served while a refresh is impossible)."""
    return now < record.access_expires_at


def refresh_expired(record: SessionRecord, now: float) -> bool:
    """Whether the refresh token's own expiry, when known, has passed."""
    return record.refresh_expires_at is not None and now >= record.refresh_expires_at


class Verdict(enum.Enum):
    """What :func:`assess` decided."""

    SERVE = "serve"
    REFRESH = "refresh"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Assessment:
    """The verdict on a stored session.

    Attributes:
        verdict: serve the stored access token, refresh, or end the session.
        reason: for ``EXPIRED``: the ``SessionExpiredError.reason``.
        servable: for ``REFRESH``: the stored access token is still valid, so a caller may be given it
            instead of waiting when the refresh cannot happen now (outage, another holder refreshing).
    """

    verdict: Verdict
    reason: str | None = None
    servable: bool = False


def assess(record: SessionRecord | None, now: float, margin: float, *, force: bool = False) -> Assessment:
    """Decide what to do with the stored session ``record`` at ``now``.

    Args:
        record: the stored record, ``None`` when there is none.
        now: the current wall-clock time.
        margin: seconds before the access token's expiry at which it is refreshed.
        force: the caller wants a refresh even if the token is fresh (``refresh()``).

    Returns:
        SERVE when the access token is fresh; EXPIRED when the session can no longer produce a token
        (nothing stored, refresh token missing or expired and the access token expired or a refresh
        forced); REFRESH otherwise.
    """
    if record is None:
        return Assessment(Verdict.EXPIRED, "not_established")
    if not force and now < refresh_due_at(record, margin):
        return Assessment(Verdict.SERVE)
    valid = access_valid(record, now)
    if record.refresh_token is None or refresh_expired(record, now):
        if valid and not force:
            return Assessment(Verdict.SERVE)
        reason = "no_refresh_token" if record.refresh_token is None else "expired"
        return Assessment(Verdict.EXPIRED, reason)
    return Assessment(Verdict.REFRESH, servable=valid and not force)


def lease_blocks(lease: Lease | None, holder: str, now: float) -> bool:
    """Whether ``lease`` stops ``holder`` from refreshing: it is another holder's and not yet abandoned."""
    return lease is not None and lease.holder != holder and now < lease.until


class Failure(enum.Enum):
    """How a failed refresh attempt is handled."""

    TERMINAL = "terminal"
    """The refresh token is dead (``invalid_grant``): the session ends."""
    TRANSIENT = "transient"
    """Try again later with backoff: 5xx, 429, network failures, timeouts."""
    OTHER = "other"
    """Neither (``invalid_client``, a bug in a refresher, ...): reported to the caller; session kept."""


_TRANSIENT_OAUTH_ERRORS = frozenset({"temporarily_unavailable", "server_error"})


def classify_failure(exc: BaseException) -> Failure:
    """Classify an exception raised while refreshing (see :class:`Failure`)."""
    if isinstance(exc, errors.OAuthError):
        if exc.error == "invalid_grant":
            return Failure.TERMINAL
        if exc.error in _TRANSIENT_OAUTH_ERRORS or exc.http_status >= 500:
            return Failure.TRANSIENT
        return Failure.OTHER
    if isinstance(exc, (errors.ServerError, errors.RateLimitError, errors.APIConnectionError)):
        return Failure.TRANSIENT
    return Failure.OTHER


def is_reuse_report(exc: BaseException) -> bool:
    """Whether an ``invalid_grant`` says the refresh token was used before (reuse detection, RFC 9700).

    RFC 6749 has no distinct error code for it; servers say so in ``error_description``.
    """
    if not isinstance(exc, errors.OAuthError) or exc.error != "invalid_grant":
        return False
    text = (exc.error_description or "").lower()
    return any(word in text for word in ("reuse", "reused", "replay", "already used"))


def retry_at(
    policy: RetryPolicy, failures: int, now: float, rand: Callable[[], float] = random.random
) -> float:
    """When the next refresh attempt may start after ``failures`` (>= 1) consecutive failed ones."""
    return now + policy.backoff(max(1, failures), rand)
