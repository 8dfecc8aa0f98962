"""Values of the session layer: token sets, stored records, leases, events. Immutable; tokens never printed.

Times in records are wall-clock seconds since the epoch (``time.time()``), because records are shared
between processes (and machines, with a Redis or SQL store) whose monotonic clocks have nothing in common.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "EventKind",
    "Lease",
    "SessionEvent",
    "SessionRecord",
    "TokenSet",
    "Versioned",
    "fingerprint",
]


def fingerprint(secret: str | None) -> str:
    """A short, non-reversible tag of a token for logs and ``repr``: ``sha256:`` and 8 hex digits."""
    if secret is None:
        return "None"
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:8]


def _opt_seconds(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number of seconds")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of seconds >= 0")
    return float(value)


def _first(obj: object, *names: str) -> Any:
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _opt_text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, repr=False)
class TokenSet:
    """Tokens as the token endpoint returned them, lifetimes relative to when they were requested.

    This is what a :class:`~scalekit_py.sessions.Refresher` returns and what
    :meth:`AuthorizationSession.establish` accepts (besides an ``AuthenticationResponse``).

    Attributes:
        access_token: the access token.
        refresh_token: the refresh token; ``None`` when the server issued none (on a refresh: keep the old).
        expires_in: the access token's lifetime in seconds (``None``: unknown, a default is assumed).
        refresh_expires_in: the refresh token's lifetime in seconds, when known.
        id_token: the ID token, when one was issued.
        scope: the granted scopes, when the server said.
        token_type: normally ``"Bearer"``.
    """

    access_token: str
    refresh_token: str | None = None
    expires_in: float | None = None
    refresh_expires_in: float | None = None
    id_token: str | None = None
    scope: str | None = None
    token_type: str = "Bearer"

    def __post_init__(self) -> None:
        if not isinstance(self.access_token, str) or not self.access_token:
            raise ValueError("access_token must be a non-empty string")
        object.__setattr__(self, "expires_in", _opt_seconds(self.expires_in, "expires_in"))
        object.__setattr__(
            self, "refresh_expires_in", _opt_seconds(self.refresh_expires_in, "refresh_expires_in")
        )

    @classmethod
    def coerce(cls, tokens: object) -> TokenSet:
        """A :class:`TokenSet` from any object with the token attributes.

        Accepts a ``TokenSet`` as is, and otherwise reads ``access_token``, ``refresh_token``,
        ``expires_in``, ``refresh_expires_in`` (or ``refresh_token_expires_in``), ``id_token``, ``scope``
        and ``token_type`` (those present)
        from e.g. an OAuth ``TokenResponse`` or ``AuthenticationResponse``.

        Raises:
            ValueError: there is no non-empty ``access_token`` or a lifetime is not a number >= 0.
        """
        if isinstance(tokens, TokenSet):
            return tokens
        return cls(
            access_token=getattr(tokens, "access_token", ""),
            refresh_token=_opt_text(getattr(tokens, "refresh_token", None)),
            expires_in=getattr(tokens, "expires_in", None),
            refresh_expires_in=_first(tokens, "refresh_expires_in", "refresh_token_expires_in"),
            id_token=_opt_text(getattr(tokens, "id_token", None)),
            scope=_opt_text(getattr(tokens, "scope", None)),
            token_type=_opt_text(getattr(tokens, "token_type", None)) or "Bearer",
        )

    def __repr__(self) -> str:
        return (
            f"TokenSet(access_token={fingerprint(self.access_token)}, "
            f"refresh_token={fingerprint(self.refresh_token)}, expires_in={self.expires_in!r}, "
            f"refresh_expires_in={self.refresh_expires_in!r}, id_token={fingerprint(self.id_token)}, "
            f"scope={self.scope!r})"
        )


@dataclass(frozen=True)
class Lease:
    """A claim on a session while one holder refreshes it, so no other process sends the same refresh token.

    Attributes:
        holder: who refreshes (process id and a random tag).
        until: wall-clock time after which the claim is considered abandoned and may be taken over.
    """

    holder: str
    until: float


@dataclass(frozen=True, repr=False)
class SessionRecord:
    """What a :class:`~scalekit_py.sessions.TokenStore` keeps per session id.

    Attributes:
        access_token: the current access token.
        access_expires_at: when it expires (wall clock, seconds since the epoch).
        issued_at: when it was requested (its lifetime is ``access_expires_at - issued_at``).
        refresh_token: the current refresh token (``None``: the session cannot be refreshed).
        refresh_expires_at: when the refresh token expires, when known.
        id_token: the latest ID token, when one was issued (e.g. for ``id_token_hint`` at logout).
        scope: the granted scopes, when known.
        token_type: normally ``"Bearer"``.
        generation: refreshes since the session was established.
        lease: set while a refresh is in progress (see :class:`Lease`).
    """

    access_token: str
    access_expires_at: float
    issued_at: float
    refresh_token: str | None = None
    refresh_expires_at: float | None = None
    id_token: str | None = None
    scope: str | None = None
    token_type: str = "Bearer"
    generation: int = 0
    lease: Lease | None = None

    def with_lease(self, lease: Lease | None) -> SessionRecord:
        """A copy with ``lease`` set (or cleared with ``None``)."""
        return dataclasses.replace(self, lease=lease)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict (contains the tokens: store it as a secret)."""
        data = dataclasses.asdict(self)
        data["v"] = 1
        return data

    def to_json(self) -> str:
        """The record as compact JSON (contains the tokens: store it as a secret)."""
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SessionRecord:
        """Inverse of :meth:`to_dict`.

        Raises:
            ValueError: a member is missing or has the wrong type.
        """
        try:
            lease_data = data.get("lease")
            lease = None
            if lease_data is not None:
                lease = Lease(holder=str(lease_data["holder"]), until=float(lease_data["until"]))
            access_token = data["access_token"]
            if not isinstance(access_token, str) or not access_token:
                raise TypeError("access_token")
            refresh_expires_at = data.get("refresh_expires_at")
            return cls(
                access_token=access_token,
                access_expires_at=float(data["access_expires_at"]),
                issued_at=float(data["issued_at"]),
                refresh_token=_opt_text(data.get("refresh_token")),
                refresh_expires_at=None if refresh_expires_at is None else float(refresh_expires_at),
                id_token=_opt_text(data.get("id_token")),
                scope=_opt_text(data.get("scope")),
                token_type=_opt_text(data.get("token_type")) or "Bearer",
                generation=int(data.get("generation", 0)),
                lease=lease,
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"not a session record ({type(exc).__name__})") from None

    @classmethod
    def from_json(cls, text: str | bytes) -> SessionRecord:
        """Inverse of :meth:`to_json`.

        Raises:
            ValueError: not JSON, or not a session record.
        """
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a session record: not a JSON object")
        return cls.from_dict(data)

    def __repr__(self) -> str:
        return (
            f"SessionRecord(access_token={fingerprint(self.access_token)}, "
            f"access_expires_at={self.access_expires_at!r}, refresh_token={fingerprint(self.refresh_token)}, "
            f"refresh_expires_at={self.refresh_expires_at!r}, generation={self.generation}, "
            f"lease={self.lease!r})"
        )


@dataclass(frozen=True)
class Versioned:
    """A stored record with its version (an opaque string that changes on every write, never repeating)."""

    record: SessionRecord
    version: str


EventKind = Literal["refreshed", "persisted", "refresh_failed", "expired", "reuse_detected"]


@dataclass(frozen=True)
class SessionEvent:
    """Something that happened to a session; given to the ``on_event`` callback. Never carries tokens.

    Kinds:
        ``refreshed``: the server issued new tokens (not yet saved).
        ``persisted``: tokens were saved to the store (after ``establish`` or a refresh).
        ``refresh_failed``: a refresh attempt failed (``error``; ``retry_at`` when it will be retried).
        ``expired``: the session ended (``reason``); it was removed from the store.
        ``reuse_detected``: the server reported a refresh token used twice and revoked the session.

    Attributes:
        kind: one of the kinds above.
        session_id: the session's id.
        at: wall-clock time of the event.
        generation: refreshes since establish, of the tokens concerned.
        access_expires_at: expiry of the access token concerned.
        refresh_expires_at: expiry of the refresh token concerned, when known.
        reason: for ``expired`` and ``reuse_detected``: see ``SessionExpiredError.reason``.
        error: for ``refresh_failed``: the failure (its message never contains tokens).
        retry_at: for ``refresh_failed``: when the next attempt may be made.
    """

    kind: EventKind
    session_id: str
    at: float
    generation: int | None = None
    access_expires_at: float | None = None
    refresh_expires_at: float | None = None
    reason: str | None = None
    error: BaseException | None = None
    retry_at: float | None = None
