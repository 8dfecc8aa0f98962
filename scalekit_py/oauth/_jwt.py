"""JWT verification steps shared by the sync and async clients.

1. :func:`parse_token` reads the header without trusting it and refuses ``none``, HMAC and anything
   but the asymmetric algorithms we support, before any key is looked up.
2. The caller looks the key up (:class:`~scalekit_py.oauth.jwks.JwksCache`).
3. :func:`verify_signature` checks the signature with that key, pinned to the key's algorithms, and
   :func:`decode_claims` / :func:`~scalekit_py.oauth.claims.check_claims` do the rest.

Errors are :class:`~scalekit_py.errors.TokenValidationError` with a reason; the token never appears.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scalekit_py.errors import TokenValidationError
from scalekit_py.oauth.claims import ClaimsPolicy, check_claims
from scalekit_py.oauth.jwks import EC_CURVE_ALGORITHMS, RSA_ALGORITHMS, VerificationKey
from scalekit_py.oauth.options import TokenValidationOptions

__all__ = [
    "SUPPORTED_ALGORITHMS",
    "ParsedToken",
    "decode_claims",
    "parse_token",
    "policy_from_options",
    "verify",
    "verify_signature",
]

SUPPORTED_ALGORITHMS = RSA_ALGORITHMS | frozenset(EC_CURVE_ALGORITHMS.values())
MAX_TOKEN_LENGTH = 64 * 1024


@dataclass(frozen=True)
class ParsedToken:
    """A compact JWS split into its parts; nothing here is verified yet."""

    token: str
    alg: str
    kid: str | None
    header: dict[str, Any]

    def __repr__(self) -> str:
        return f"ParsedToken(alg={self.alg!r}, kid={self.kid!r})"


def _b64url_decode(segment: str) -> bytes:
    if not segment or any(c in segment for c in "=+/ \t\r\n"):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def parse_token(token: object) -> ParsedToken:
    """Split a compact JWS and read its header, refusing unsupported algorithms up front.

    Raises:
        TokenValidationError: not a compact JWS, malformed header, ``alg`` ``none``/HMAC/unsupported,
            or a ``crit`` header (no extensions are understood).
    """
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError:
            raise TokenValidationError("token is not ASCII") from None
    if not isinstance(token, str) or not token:
        raise TokenValidationError("token must be a non-empty string")
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenValidationError("token is too long")
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenValidationError("token is not a compact JWS (expected 3 segments)")
    try:
        header = json.loads(_b64url_decode(parts[0]))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise TokenValidationError("token header is not base64url-encoded JSON") from None
    if not isinstance(header, dict):
        raise TokenValidationError("token header is not a JSON object")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise TokenValidationError("token header has no 'alg'")
    if alg.lower() == "none" or alg.upper().startswith("HS"):
        raise TokenValidationError(f"token algorithm {alg!r} is refused (unsigned or symmetric)")
    if alg not in SUPPORTED_ALGORITHMS:
        raise TokenValidationError(f"token algorithm {alg!r} is not supported")
    if "crit" in header:
        raise TokenValidationError("token header has 'crit' extensions, which are not supported")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise TokenValidationError("token header 'kid' is not a string")
    return ParsedToken(token=token, alg=alg, kid=kid, header=header)


_ALGORITHM_OBJECTS: dict[str, Any] = {}


def _algorithm(alg: str) -> Any:
    """pyjwt's algorithm object for ``alg``, built once per process (it is stateless)."""
    found = _ALGORITHM_OBJECTS.get(alg)
    if found is None:
        from jwt.algorithms import get_default_algorithms

        found = _ALGORITHM_OBJECTS[alg] = get_default_algorithms()[alg]
    return found


def verify_signature(parsed: ParsedToken, key: VerificationKey) -> bytes:
    """Verify the signature with ``key`` and return the payload bytes.

    The header was parsed once by :func:`parse_token`; here only the signing input is checked, with
    pyjwt's algorithm object for the pinned ``alg`` (no second header parse, no decoder per call).

    Raises:
        TokenValidationError: the key may not verify this ``alg`` or the signature does not match.
    """
    if parsed.alg not in key.algorithms:
        raise TokenValidationError(f"token algorithm {parsed.alg!r} is not allowed for its signing key")
    from jwt.exceptions import PyJWTError

    header_segment, payload_segment, signature_segment = parsed.token.split(".")
    try:
        signature = _b64url_decode(signature_segment)
        payload = _b64url_decode(payload_segment) if payload_segment else b""
    except (ValueError, binascii.Error):
        raise TokenValidationError("token signature is invalid") from None
    signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
    try:
        valid = _algorithm(parsed.alg).verify(signing_input, key.key, signature)
    except (PyJWTError, ValueError, TypeError):
        valid = False
    if not valid:
        raise TokenValidationError("token signature is invalid")
    return payload


def decode_claims(payload: bytes) -> dict[str, Any]:
    """The claims of a verified payload.

    Raises:
        TokenValidationError: the payload is not a JSON object.
    """
    try:
        claims = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise TokenValidationError("token payload is not JSON") from None
    if not isinstance(claims, dict):
        raise TokenValidationError("token payload is not a JSON object")
    return claims


def verify(parsed: ParsedToken, key: VerificationKey, policy: ClaimsPolicy, *, now: float) -> dict[str, Any]:
    """Signature, then claims: the whole check after the key lookup.

    Returns:
        The verified claims.

    Raises:
        TokenValidationError: any check failed.
    """
    claims = decode_claims(verify_signature(parsed, key))
    check_claims(claims, policy, now=now)
    return claims


def _as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def policy_from_options(
    options: TokenValidationOptions | None,
    *,
    env_url: str,
    client_id: str,
    leeway: float = 0.0,
    nonce: str | None = None,
) -> ClaimsPolicy:
    """The claims policy for a validation call: defaults are issuer = env URL, audience = client id,
    leeway = the client's.

    Raises:
        ValueError: ``issuer`` was given but is empty.
    """
    opts = options or TokenValidationOptions()
    issuers = _as_tuple(opts.issuer)
    if issuers is None:
        issuers = (env_url,)
    audiences = _as_tuple(opts.audience)
    if audiences is None:
        audiences = (client_id,)
    return ClaimsPolicy(
        issuers=issuers,
        audiences=audiences,
        leeway=leeway if opts.leeway is None else opts.leeway,
        nonce=nonce,
        required_scopes=tuple(opts.required_scopes or ()),
    )
