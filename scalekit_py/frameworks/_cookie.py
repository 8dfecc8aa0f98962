"""Encrypted cookies: AES-256-GCM with key rotation, an expiry inside the ciphertext, a size limit.

A cookie value is ``base64url(0x01 || nonce(12) || ciphertext+tag)``. The key for each secret is derived
with HKDF-SHA256 and a *purpose* (``"session"``, ``"login"``), so a login cookie can never be replayed as a
session cookie; the cookie name is the associated data, so a value cannot move to another cookie. The
first secret encrypts, every secret decrypts (rotation: put the new secret first, drop the old one once
cookies sealed with it have expired). Anything that does not open — tampered, truncated, foreign,
expired — reads as ``None``; the reason is never a token.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from scalekit_py import errors

__all__ = [
    "MAX_CHUNKS",
    "MAX_COOKIE_BYTES",
    "CookieCodec",
    "CookieTooLargeError",
    "chunk_names",
    "join",
    "split",
]

MAX_COOKIE_BYTES = 3800  # browsers keep 4096 bytes per cookie, name and attributes included
MAX_CHUNKS = 4  # a long value is split over <name>, <name>.1, ... (browsers keep >= 50 cookies per site)
_VERSION = b"\x01"
MIN_SECRET_CHARS = 32


class CookieTooLargeError(errors.ConfigurationError):
    """The sealed cookie would exceed browser limits: keep tokens server-side (``token_store=``)."""


def _secrets(value: str | Sequence[str] | None) -> list[str]:
    items = [value] if isinstance(value, str) else list(value or [])
    if not items:
        raise errors.ConfigurationError(
            "cookie_encryption_secret is required: a random string of at least 32 characters "
            "(or a list of them, the first one encrypting, for rotation)"
        )
    for item in items:
        if not isinstance(item, str) or len(item) < MIN_SECRET_CHARS:
            raise errors.ConfigurationError(
                f"every cookie_encryption_secret needs >= {MIN_SECRET_CHARS} characters"
            )
    return items


def chunk_names(name: str) -> list[str]:
    """The cookie names a value may be split over: ``name``, ``name.1``, ... ``name.<MAX_CHUNKS-1>``."""
    return [name] + [f"{name}.{i}" for i in range(1, MAX_CHUNKS)]


def split(name: str, value: str) -> list[tuple[str, str]]:
    """``value`` as (cookie name, part) pairs, each part at most :data:`MAX_COOKIE_BYTES`."""
    parts = [value[i : i + MAX_COOKIE_BYTES] for i in range(0, len(value), MAX_COOKIE_BYTES)] or [""]
    return list(zip(chunk_names(name), parts, strict=False))


def join(name: str, cookies: Mapping[str, str]) -> str | None:
    """The value split over ``name``, ``name.1``, ... (stops at the first missing part)."""
    parts = []
    for cookie in chunk_names(name):
        part = cookies.get(cookie)
        if not part:
            break
        parts.append(part)
    return "".join(parts) or None


class CookieCodec:
    """Seals and opens JSON payloads for one cookie name and purpose.

    Args:
        secrets: the secret, or a list of secrets (the first encrypts).
        purpose: binds the derived keys to one use.

    Raises:
        ConfigurationError: no secret, or one shorter than 32 characters.
    """

    def __init__(self, secrets: str | Sequence[str] | None, *, purpose: str) -> None:
        self._aeads = [
            AESGCM(
                HKDF(hashes.SHA256(), 32, salt=b"scalekit_py cookie v1", info=purpose.encode()).derive(
                    secret.encode()
                )
            )
            for secret in _secrets(secrets)
        ]

    def seal(self, name: str, payload: Mapping[str, Any], *, now: float, max_age: float) -> str:
        """``payload`` plus its expiry, encrypted with the first secret.

        Raises:
            CookieTooLargeError: the result is over :data:`MAX_COOKIE_BYTES`.
        """
        body = zlib.compress(json.dumps({**payload, "exp": now + max_age}, separators=(",", ":")).encode())
        nonce = os.urandom(12)
        sealed = _VERSION + nonce + self._aeads[0].encrypt(nonce, body, name.encode())
        value = base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()
        if len(value) > MAX_COOKIE_BYTES * MAX_CHUNKS:
            raise CookieTooLargeError(
                f"the {name} cookie would be {len(value)} bytes; "
                "configure token_store= to keep tokens server-side"
            )
        return value

    def open(self, name: str, value: str | None, *, now: float) -> dict[str, Any] | None:
        """The payload of a cookie sealed by any of the secrets, or ``None`` (absent, altered, expired)."""
        if not value or len(value) > MAX_COOKIE_BYTES * MAX_CHUNKS:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) < 1 + 12 + 16 or raw[:1] != _VERSION:
            return None
        nonce, ciphertext = raw[1:13], raw[13:]
        for aead in self._aeads:
            try:
                body = aead.decrypt(nonce, ciphertext, name.encode())
            except InvalidTag:
                continue
            try:
                data = json.loads(zlib.decompress(body))
            except (ValueError, zlib.error):
                return None
            if (
                not isinstance(data, dict)
                or not isinstance(data.get("exp"), (int, float))
                or data["exp"] < now
            ):
                return None
            return data
        return None

    def __repr__(self) -> str:
        return f"CookieCodec(keys={len(self._aeads)})"
