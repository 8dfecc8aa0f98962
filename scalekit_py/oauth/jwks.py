"""JWKS cache: signing keys of the environment, fetched from ``{env_url}/keys`` and kept for a TTL.

Decisions are pure functions over an immutable :class:`JwksState` (``plan``, ``after_fetch``,
``after_failure``, ``select_key``); :class:`JwksCache` runs them around a sync or async fetch, so the
two flavours cannot drift. The rules:

* keys are refetched when older than ``ttl``;
* a token whose ``kid`` is unknown triggers at most one refetch, and such refetches happen at most once
  per ``min_refetch_interval`` seconds, so key rotation is picked up within seconds while random
  ``kid`` values cannot make us hammer the server;
* after a failed fetch, no new fetch is attempted for ``min_refetch_interval`` seconds; known keys keep
  being served meanwhile (stale-if-error);
* every key is pinned to the algorithms its JWK allows: RSA keys to ``RS*``/``PS*`` (exactly the JWK's
  ``alg`` when it has one), EC keys to the ``ES*`` of their curve. Symmetric (``oct``) keys are ignored,
  so ``none`` and HMAC can never verify anything (no key-confusion attacks).
"""

from __future__ import annotations

import enum
import json
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from scalekit_py import errors

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "EC_CURVE_ALGORITHMS",
    "RSA_ALGORITHMS",
    "JwksCache",
    "JwksState",
    "Plan",
    "VerificationKey",
    "after_failure",
    "after_fetch",
    "parse_jwks",
    "plan",
    "select_key",
]

RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
EC_CURVE_ALGORITHMS: Mapping[str, str] = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
# Without an "alg" member an RSA JWK is trusted for PKCS#1 v1.5 only, the algorithms OIDC providers sign with.
_RSA_DEFAULT_ALGORITHMS = frozenset({"RS256", "RS384", "RS512"})


@dataclass(frozen=True)
class VerificationKey:
    """One public signing key and the algorithms it may verify.

    Attributes:
        kid: the key id (``""`` when the JWK has none).
        kty: ``"RSA"`` or ``"EC"``.
        algorithms: the JWS ``alg`` values this key accepts.
        key: the ``cryptography`` public key object.
    """

    kid: str
    kty: str
    algorithms: frozenset[str]
    key: Any = field(repr=False, compare=False)


def _public(key: Any) -> Any:
    # A JWKS must hold public keys; if private parameters leaked into it, use only the public half.
    public_key = getattr(key, "public_key", None)
    return public_key() if callable(public_key) else key


def _key_from_jwk(jwk: Mapping[str, Any]) -> VerificationKey | None:
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm
    from jwt.exceptions import PyJWTError

    kty = jwk.get("kty")
    use = jwk.get("use")
    alg = jwk.get("alg")
    kid = jwk.get("kid", "")
    ops = jwk.get("key_ops")
    if not isinstance(kid, str) or (use is not None and use != "sig"):
        return None
    if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
        return None
    if alg is not None and not isinstance(alg, str):
        return None
    key: Any
    try:
        if kty == "RSA":
            if alg is not None and alg not in RSA_ALGORITHMS:
                return None
            algorithms = frozenset({alg}) if alg else _RSA_DEFAULT_ALGORITHMS
            key = RSAAlgorithm.from_jwk(json.dumps(dict(jwk)))
        elif kty == "EC":
            curve_alg = EC_CURVE_ALGORITHMS.get(jwk.get("crv"))  # type: ignore[arg-type]
            if curve_alg is None or (alg is not None and alg != curve_alg):
                return None
            algorithms = frozenset({curve_alg})
            key = ECAlgorithm.from_jwk(json.dumps(dict(jwk)))
        else:
            return None  # "oct" (HMAC) and unknown key types never verify anything
    except (PyJWTError, ValueError, TypeError, KeyError):
        return None
    return VerificationKey(kid=kid, kty=kty, algorithms=algorithms, key=_public(key))


def parse_jwks(document: Any) -> dict[str, tuple[VerificationKey, ...]]:
    """The usable signing keys of a JWKS document, by ``kid``.

    RFC 7517 lets keys of different types share a ``kid`` (an RSA and an EC key published under one
    name), so each ``kid`` maps to its keys in document order; a key whose algorithms overlap an earlier
    key of the same ``kid`` is a duplicate and skipped (the first one wins). Unusable members (symmetric
    keys, encryption keys, unknown types or curves, malformed values, an ``alg`` that contradicts the
    key type) are skipped.

    Args:
        document: the decoded JSON of the JWKS endpoint.

    Returns:
        ``{kid: (key, ...)}``.

    Raises:
        ValueError: the document is not an object with a ``keys`` array.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise ValueError("JWKS document has no 'keys' array")
    keys: dict[str, tuple[VerificationKey, ...]] = {}
    for jwk in document["keys"]:
        if isinstance(jwk, Mapping):
            key = _key_from_jwk(jwk)
            if key is None:
                continue
            same_kid = keys.get(key.kid, ())
            if not any(key.algorithms & other.algorithms for other in same_kid):
                keys[key.kid] = (*same_kid, key)
    return keys


@dataclass(frozen=True)
class JwksState:
    """What the cache knows. Times are readings of the cache's (monotonic) clock.

    Attributes:
        keys: the keys of the last successful fetch, by ``kid``.
        fetched_at: when the last successful fetch happened; ``None``: never.
        failed_at: when the last fetch failed, if it failed after the last success.
        unknown_kid_fetch_at: when a fetch was last triggered by an unknown ``kid``.
        last_error: what the last failed fetch raised (message only, for the next callers).
    """

    keys: Mapping[str, tuple[VerificationKey, ...]] = field(default_factory=dict)
    fetched_at: float | None = None
    failed_at: float | None = None
    unknown_kid_fetch_at: float | None = None
    last_error: str | None = None


class Plan(enum.Enum):
    """What to do for one key lookup."""

    USE = "use"  # a cached key answers
    FETCH = "fetch"  # the cache is empty or older than the TTL
    REFETCH_UNKNOWN_KID = "refetch_unknown_kid"  # the kid is unknown and a refetch is allowed now
    REJECT_UNKNOWN_KID = "reject_unknown_kid"  # the kid is unknown and refetching is rate-limited
    UNAVAILABLE = "unavailable"  # no keys, and the last fetch failed less than the interval ago


def select_key(state: JwksState, kid: str | None, alg: str | None = None) -> VerificationKey | None:
    """The cached key for a token's ``kid`` and ``alg``.

    Among the keys of a ``kid`` the one whose type accepts ``alg`` wins (keys of different types may
    share a ``kid``); when none does, the first key of the ``kid`` is returned so the signature check
    reports the algorithm mismatch. Without ``kid``, the only key (for ``alg``) if there is exactly one.
    """
    if kid is None:
        candidates = tuple(k for same_kid in state.keys.values() for k in same_kid)
        matching = [k for k in candidates if alg is None or alg in k.algorithms]
        if len(matching) == 1:
            return matching[0]
        return candidates[0] if len(candidates) == 1 else None
    candidates = state.keys.get(kid, ())
    for key in candidates:
        if alg is None or alg in key.algorithms:
            return key
    return candidates[0] if candidates else None


def plan(
    state: JwksState,
    kid: str | None,
    now: float,
    *,
    ttl: float,
    min_refetch_interval: float,
    alg: str | None = None,
) -> Plan:
    """Decide how to find the key for ``kid`` at time ``now``. Pure; see the module docstring."""
    stale = state.fetched_at is None or now - state.fetched_at >= ttl
    cooling = state.failed_at is not None and now - state.failed_at < min_refetch_interval
    if stale and not cooling:
        return Plan.FETCH
    if select_key(state, kid, alg) is not None:
        return Plan.USE
    if state.fetched_at is None:
        return Plan.UNAVAILABLE
    refetched_recently = (
        state.unknown_kid_fetch_at is not None and now - state.unknown_kid_fetch_at < min_refetch_interval
    )
    if cooling or refetched_recently:
        return Plan.REJECT_UNKNOWN_KID
    return Plan.REFETCH_UNKNOWN_KID


def after_fetch(
    state: JwksState, keys: Mapping[str, tuple[VerificationKey, ...]], now: float, *, unknown_kid: bool
) -> JwksState:
    """The state after a successful fetch."""
    return JwksState(
        keys=dict(keys),
        fetched_at=now,
        unknown_kid_fetch_at=now if unknown_kid else state.unknown_kid_fetch_at,
    )


def after_failure(state: JwksState, now: float, *, unknown_kid: bool, error: str) -> JwksState:
    """The state after a failed fetch: cached keys are kept, new fetches pause for the interval."""
    return replace(
        state,
        failed_at=now,
        unknown_kid_fetch_at=now if unknown_kid else state.unknown_kid_fetch_at,
        last_error=error,
    )


_UNKNOWN_KID = "token signing key ('kid') is not in the environment's JWKS"


class JwksCache:
    """Thread-safe, asyncio-safe cache of an environment's signing keys.

    One fetch runs at a time (per flavour); concurrent lookups wait for it and then use its result.

    Args:
        ttl: seconds a fetched key set is used before it is refetched.
        min_refetch_interval: minimum seconds between two fetches caused by unknown ``kid`` values,
            and between a failed fetch and the next attempt.
        clock: monotonic clock, injectable for tests.
    """

    def __init__(
        self,
        *,
        ttl: float = 300.0,
        min_refetch_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0 or min_refetch_interval < 0:
            raise ValueError("ttl must be > 0 and min_refetch_interval >= 0")
        self.ttl = ttl
        self.min_refetch_interval = min_refetch_interval
        self._clock = clock
        self._state = JwksState()
        self._lock = threading.Lock()
        self._alock: asyncio.Lock | None = None

    @property
    def state(self) -> JwksState:
        """The current state (immutable snapshot)."""
        return self._state

    def clear(self) -> None:
        """Forget every key and every fetch time."""
        self._state = JwksState()

    def _plan(self, kid: str | None, alg: str | None) -> tuple[Plan, float]:
        now = self._clock()
        limits = {"ttl": self.ttl, "min_refetch_interval": self.min_refetch_interval}
        return plan(self._state, kid, now, alg=alg, **limits), now

    def _resolve(self, kid: str | None, decision: Plan, alg: str | None) -> VerificationKey:
        key = select_key(self._state, kid, alg)
        if key is not None:
            return key
        if decision is Plan.UNAVAILABLE:
            raise errors.APIConnectionError(
                f"signing keys unavailable; the last JWKS fetch failed ({self._state.last_error})"
            )
        raise errors.TokenValidationError(_UNKNOWN_KID)

    def _record(self, kid: str | None, decision: Plan, now: float, document: Any) -> None:
        unknown = decision is Plan.REFETCH_UNKNOWN_KID
        try:
            keys = parse_jwks(document)
        except ValueError as exc:
            self._state = after_failure(self._state, now, unknown_kid=unknown, error="malformed JWKS")
            raise errors.ServerError("the JWKS endpoint returned a malformed document") from exc
        self._state = after_fetch(self._state, keys, now, unknown_kid=unknown)

    def _failed(self, decision: Plan, now: float, exc: errors.ScalekitError) -> None:
        unknown = decision is Plan.REFETCH_UNKNOWN_KID
        self._state = after_failure(self._state, now, unknown_kid=unknown, error=type(exc).__name__)

    def get_key(self, kid: str | None, fetch: Callable[[], Any], alg: str | None = None) -> VerificationKey:
        """The key for a token's ``kid``, fetching the JWKS with ``fetch()`` when the rules say so.

        Args:
            kid: the token header's ``kid`` (``None`` when absent).
            fetch: returns the decoded JWKS JSON; raises a ``ScalekitError`` on failure.
            alg: the token header's ``alg``; picks among keys of different types sharing the ``kid``.

        Returns:
            The verification key.

        Raises:
            TokenValidationError: no key for this ``kid``.
            ScalekitError: the fetch failed (and no cached key answers).
        """
        decision, _ = self._plan(kid, alg)
        if decision is Plan.USE:
            return self._resolve(kid, decision, alg)
        with self._lock:
            decision, now = self._plan(kid, alg)  # another thread may have fetched meanwhile
            if decision in (Plan.FETCH, Plan.REFETCH_UNKNOWN_KID):
                try:
                    document = fetch()
                except errors.ScalekitError as exc:
                    self._failed(decision, now, exc)
                    if select_key(self._state, kid, alg) is None:
                        raise
                    return self._resolve(kid, decision, alg)
                self._record(kid, decision, now, document)
            return self._resolve(kid, decision, alg)

    async def aget_key(
        self, kid: str | None, fetch: Callable[[], Awaitable[Any]], alg: str | None = None
    ) -> VerificationKey:
        """Async twin of :meth:`get_key`; ``fetch`` is a coroutine function."""
        decision, _ = self._plan(kid, alg)
        if decision is Plan.USE:
            return self._resolve(kid, decision, alg)
        if self._alock is None:
            import asyncio  # only async users pay for importing asyncio

            self._alock = asyncio.Lock()
        async with self._alock:
            decision, now = self._plan(kid, alg)
            if decision in (Plan.FETCH, Plan.REFETCH_UNKNOWN_KID):
                try:
                    document = await fetch()
                except errors.ScalekitError as exc:
                    self._failed(decision, now, exc)
                    if select_key(self._state, kid, alg) is None:
                        raise
                    return self._resolve(kid, decision, alg)
                self._record(kid, decision, now, document)
            return self._resolve(kid, decision, alg)
