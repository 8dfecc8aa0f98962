"""PKCE (RFC 7636) code verifiers and S256 code challenges.

A public client proves, when it exchanges an authorization code, that it is the one that started the
login: it sends ``code_challenge = BASE64URL(SHA256(code_verifier))`` to ``/oauth/authorize`` and the
``code_verifier`` itself to ``/oauth/token``. Only ``S256`` is offered; ``plain`` adds no protection.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

__all__ = ["CODE_CHALLENGE_METHOD", "generate_pkce_pair", "pkce_challenge"]

CODE_CHALLENGE_METHOD = "S256"
"""The only challenge method this SDK produces."""

# RFC 7636 §4.1: 43..128 characters from the unreserved set [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
_VERIFIER_RE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_VERIFIER_OCTETS = 32  # §4.1 recommends 32 random octets -> 43 base64url characters


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a code verifier.

    Args:
        verifier: the code verifier: 43 to 128 characters of ``A-Z a-z 0-9 - . _ ~``.

    Returns:
        ``BASE64URL(SHA256(ASCII(verifier)))`` without padding (43 characters).

    Raises:
        ValueError: the verifier is not a string of the allowed length and characters.

    Example:
        >>> pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
    """
    if not isinstance(verifier, str):
        raise ValueError("code verifier must be a str")
    if not _VERIFIER_RE.fullmatch(verifier):
        raise ValueError(
            "code verifier must be 43 to 128 characters from A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)"
        )
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def generate_pkce_pair() -> tuple[str, str]:
    """A fresh random code verifier and its S256 challenge.

    Keep the verifier server-side (e.g. in the login session) and pass the challenge to
    :meth:`~scalekit_py.oauth.OAuthClient.get_authorization_url`; pass the verifier to
    :meth:`~scalekit_py.oauth.OAuthClient.authenticate_with_code`.

    Returns:
        ``(verifier, challenge)``: a 43-character verifier from 32 random octets, and its challenge.

    Example:
        >>> verifier, challenge = generate_pkce_pair()
        >>> pkce_challenge(verifier) == challenge
        True
    """
    verifier = _b64url(secrets.token_bytes(_VERIFIER_OCTETS))
    return verifier, pkce_challenge(verifier)
