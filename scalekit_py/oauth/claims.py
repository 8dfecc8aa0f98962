"""Pure checks of a JWT's claims, run after its signature was verified.

Every check takes the time as ``now`` (seconds since the epoch) so it is testable without clocks.
Failures raise :class:`~scalekit_py.errors.TokenValidationError` with a reason that names the claim,
never the token text.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scalekit_py.errors import TokenValidationError

__all__ = ["ClaimsPolicy", "check_claims", "extract_scopes"]


@dataclass(frozen=True)
class ClaimsPolicy:
    """What the claims of a token must satisfy.

    Attributes:
        issuers: accepted ``iss`` values (exact match); at least one.
        audiences: accepted ``aud`` values (the token must name at least one); empty: not checked.
        leeway: seconds of tolerated clock skew on ``exp``, ``nbf`` and ``iat``.
        nonce: the ``nonce`` the token must carry; ``None``: not checked.
        required_scopes: scopes the token must grant (``scope`` string and/or ``scopes`` array).
        require_exp: whether a token without ``exp`` is refused.
    """

    issuers: tuple[str, ...]
    audiences: tuple[str, ...] = ()
    leeway: float = 0.0
    nonce: str | None = None
    required_scopes: tuple[str, ...] = ()
    require_exp: bool = True

    def __post_init__(self) -> None:
        if not self.issuers or not all(isinstance(i, str) and i for i in self.issuers):
            raise ValueError("at least one non-empty issuer is required")
        if not isinstance(self.leeway, (int, float)) or isinstance(self.leeway, bool) or self.leeway < 0:
            raise ValueError("leeway must be a number >= 0")


def _numeric(claims: Mapping[str, Any], name: str) -> float | None:
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TokenValidationError(f"token claim {name!r} is not a number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise TokenValidationError(f"token claim {name!r} is not a finite number")
    return number


def extract_scopes(claims: Mapping[str, Any]) -> frozenset[str]:
    """The scopes a token grants: its ``scope`` claim split on spaces, plus its ``scopes`` array.

    Args:
        claims: the token's claims.

    Returns:
        The set of scopes (empty when the token has neither claim or they are malformed).
    """
    found: set[str] = set()
    scope = claims.get("scope")
    if isinstance(scope, str):
        found.update(scope.split())
    scopes = claims.get("scopes")
    if isinstance(scopes, (list, tuple)):
        found.update(s.strip() for s in scopes if isinstance(s, str) and s.strip())
    return frozenset(found)


def check_claims(claims: Mapping[str, Any], policy: ClaimsPolicy, *, now: float) -> None:
    """Check a verified token's claims against a policy.

    Args:
        claims: the token's claims (its signature already verified).
        policy: what to require.
        now: the current time, seconds since the epoch.

    Raises:
        TokenValidationError: a claim is missing, malformed or not acceptable; the message says which.
    """
    iss = claims.get("iss")
    if not isinstance(iss, str):
        raise TokenValidationError("token has no 'iss' claim")
    if iss not in policy.issuers:
        raise TokenValidationError("token issuer ('iss') is not accepted")

    if policy.audiences:
        aud = claims.get("aud")
        token_auds = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else None
        if token_auds is None:
            raise TokenValidationError("token has no 'aud' claim")
        if not any(isinstance(a, str) and a in policy.audiences for a in token_auds):
            raise TokenValidationError("token audience ('aud') is not accepted")

    exp = _numeric(claims, "exp")
    if exp is None:
        if policy.require_exp:
            raise TokenValidationError("token has no 'exp' claim")
    elif now >= exp + policy.leeway:  # RFC 7519 4.1.4: valid only *before* exp
        raise TokenValidationError("token has expired ('exp')")
    nbf = _numeric(claims, "nbf")
    if nbf is not None and now + policy.leeway < nbf:
        raise TokenValidationError("token is not yet valid ('nbf')")
    iat = _numeric(claims, "iat")
    if iat is not None and iat > now + policy.leeway:
        raise TokenValidationError("token was issued in the future ('iat')")

    if policy.nonce is not None:
        nonce = claims.get("nonce")
        if not isinstance(nonce, str):
            raise TokenValidationError("token has no 'nonce' claim")
        if not hmac.compare_digest(nonce.encode("utf-8"), policy.nonce.encode("utf-8")):
            raise TokenValidationError("token nonce does not match")

    if policy.required_scopes:
        granted = extract_scopes(claims)
        missing = [s for s in policy.required_scopes if s not in granted]
        if missing:
            raise TokenValidationError(f"token is missing required scopes: {', '.join(missing)}")
