"""Webhook and interceptor signature verification (Standard Webhooks, symmetric ``v1`` scheme).

A delivery carries three headers: ``webhook-id``, ``webhook-timestamp`` (integer Unix seconds) and
``webhook-signature`` (space-separated ``v1,<base64>`` entries; several during secret rotation). The
signature is ``HMAC-SHA256(key, "{id}.{timestamp}.{body}")`` where ``key`` is the base64-decoded part
of the ``whsec_...`` secret. Interceptor calls use the same scheme with ``interceptor-*`` headers.

Everything here is pure (pass ``now=`` in tests) and every failure, including any malformed input,
is a :class:`~scalekit_py.errors.WebhookVerificationError` whose message says why.

Example:
    >>> verify_webhook_payload(secret, request.headers, await request.body())
    True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from scalekit_py.errors import WebhookVerificationError

__all__ = [
    "DEFAULT_TOLERANCE",
    "sign_webhook_payload",
    "verify_interceptor_payload",
    "verify_webhook_payload",
]

DEFAULT_TOLERANCE = 300
"""Seconds a delivery's timestamp may differ from the receiver's clock (either way)."""

_SECRET_PREFIX = "whsec_"
_SIGNATURE_VERSION = "v1"
_TIMESTAMP_RE = re.compile(r"[0-9]{1,15}")
_B64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_MAX_HEADER = 8192

HeadersLike = (
    Mapping[str, str] | Mapping[bytes, bytes] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]]
)
"""Header containers accepted: any mapping (dict, httpx/starlette/werkzeug headers) or (name, value) pairs
(e.g. ASGI ``scope["headers"]``), with ``str`` or ``bytes`` names and values."""


def _b64decode(value: str) -> bytes:
    if not _B64_RE.fullmatch(value) or len(value) % 4:
        raise ValueError("not base64")
    return base64.b64decode(value, validate=True)


def _secret_key(secret: object) -> bytes:
    if not isinstance(secret, str):
        raise WebhookVerificationError("webhook secret must be a str ('whsec_' + base64)")
    encoded = secret[len(_SECRET_PREFIX) :] if secret.startswith(_SECRET_PREFIX) else secret
    if encoded and not encoded.endswith("="):
        # The reference Standard Webhooks libraries pad a secret before decoding it, so an unpadded
        # secret must verify the same (signatures stay strict: they are produced, not typed).
        encoded += "=" * (-len(encoded) % 4)
    try:
        key = _b64decode(encoded)
    except (ValueError, binascii.Error):
        raise WebhookVerificationError("webhook secret is not 'whsec_' followed by base64") from None
    if not key:
        raise WebhookVerificationError("webhook secret is empty")
    return key


def _text(value: object, what: str) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, str):
        return value
    raise WebhookVerificationError(f"{what} must be str or bytes")


def _header_pairs(headers: object) -> Iterable[Any]:
    if isinstance(headers, (str, bytes, bytearray)):
        raise WebhookVerificationError("headers must be a mapping or a list of (name, value) pairs")
    if isinstance(headers, Mapping):
        items = getattr(headers, "multi_items", None) or headers.items
        return items()
    if isinstance(headers, Iterable):
        return headers
    raise WebhookVerificationError("headers must be a mapping or a list of (name, value) pairs")


def _read_headers(headers: object, names: tuple[str, ...]) -> dict[str, str]:
    """The wanted headers (lower-cased names), refusing conflicting duplicates."""
    found: dict[str, str] = {}
    for pair in _header_pairs(headers):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise WebhookVerificationError("headers must be (name, value) pairs")
        name = _text(pair[0], "header name").strip().lower()
        if name not in names:
            continue
        value = _text(pair[1], f"header {name!r}").strip()
        if len(value) > _MAX_HEADER:
            raise WebhookVerificationError(f"header {name!r} is too long")
        if name in found and found[name] != value:
            raise WebhookVerificationError(f"header {name!r} appears more than once with different values")
        found[name] = value
    return found


def _body(payload: object) -> bytes:
    if isinstance(payload, str):
        try:
            return payload.encode("utf-8")
        except UnicodeEncodeError:
            raise WebhookVerificationError("payload str is not encodable as UTF-8") from None
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    raise WebhookVerificationError("payload must be str or bytes (the raw request body)")


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:  # NaN
        raise WebhookVerificationError(f"{what} must be a number")
    return float(value)


def _mac(key: bytes, msg_id: str, timestamp: str, body: bytes) -> bytes:
    signed = msg_id.encode("utf-8", "surrogateescape") + b"." + timestamp.encode("ascii") + b"." + body
    return hmac.new(key, signed, hashlib.sha256).digest()


def _verify(
    secret: object,
    headers: object,
    payload: object,
    *,
    prefixes: tuple[str, ...],
    tolerance: object,
    now: object,
) -> bool:
    key = _secret_key(secret)
    body = _body(payload)
    limit = _number(tolerance, "tolerance")
    if limit < 0:
        raise WebhookVerificationError("tolerance must be >= 0")
    current = time.time() if now is None else _number(now, "now")
    wanted = tuple(f"{p}-{part}" for p in prefixes for part in ("id", "timestamp", "signature"))
    found = _read_headers(headers, wanted)

    def header(part: str) -> str:
        for prefix in prefixes:  # the first prefix wins; later ones are fallbacks
            value = found.get(f"{prefix}-{part}")
            if value:
                return value
        raise WebhookVerificationError(f"missing header {prefixes[0]}-{part}")

    msg_id, timestamp, signatures = header("id"), header("timestamp"), header("signature")
    if not _TIMESTAMP_RE.fullmatch(timestamp):
        raise WebhookVerificationError(f"header {prefixes[0]}-timestamp is not an integer Unix time")
    sent_at = int(timestamp)
    if current - sent_at > limit:
        raise WebhookVerificationError("message timestamp is too old")
    if sent_at - current > limit:
        raise WebhookVerificationError("message timestamp is too new")

    expected = _mac(key, msg_id, timestamp, body)
    matched = False
    for entry in signatures.split():
        version, sep, encoded = entry.partition(",")
        if not sep or version != _SIGNATURE_VERSION:
            continue  # other schemes (e.g. v1a) and malformed entries are skipped, not fatal
        try:
            candidate = _b64decode(encoded)
        except (ValueError, binascii.Error):
            continue
        # Compare every entry (no early exit) so timing does not tell which one matched.
        matched |= hmac.compare_digest(candidate, expected)
    if not matched:
        raise WebhookVerificationError("no matching signature")
    return True


def _guarded(
    secret: object,
    headers: object,
    payload: object,
    prefixes: tuple[str, ...],
    tolerance: object,
    now: object,
) -> bool:
    try:
        return _verify(secret, headers, payload, prefixes=prefixes, tolerance=tolerance, now=now)
    except WebhookVerificationError:
        raise
    except Exception as exc:  # any other failure on hostile input is still a verification failure
        raise WebhookVerificationError(f"malformed webhook input ({type(exc).__name__})") from exc


def verify_webhook_payload(
    secret: str,
    headers: HeadersLike,
    payload: str | bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Verify a webhook delivery from Scalekit.

    Args:
        secret: the endpoint's signing secret, ``whsec_`` + base64 (the prefix may be omitted).
        headers: the request headers; names are matched case-insensitively. Any mapping (dict, httpx,
            Starlette, Werkzeug) or a list of ``(name, value)`` pairs, ``str`` or ``bytes``.
        payload: the raw request body, exactly as received (``str`` or ``bytes``; do not re-serialize JSON).
        tolerance: seconds the ``webhook-timestamp`` may be behind or ahead of ``now``.
        now: the current Unix time; default: the system clock.

    Returns:
        ``True`` (failures raise).

    Raises:
        WebhookVerificationError: missing or malformed headers, a timestamp outside the tolerance, no
            matching ``v1`` signature, or any malformed argument. The message says which.

    Example:
        >>> verify_webhook_payload("whsec_...", request.headers, request.get_data())
        True
    """
    return _guarded(secret, headers, payload, ("webhook",), tolerance, now)


def verify_interceptor_payload(
    secret: str,
    headers: HeadersLike,
    payload: str | bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Verify an interceptor request from Scalekit (``interceptor-id``, ``-timestamp``, ``-signature``).

    Same scheme and arguments as :func:`verify_webhook_payload`. As in the official SDK, a missing
    ``interceptor-*`` header falls back to the matching ``webhook-*`` header.

    Returns:
        ``True`` (failures raise).

    Raises:
        WebhookVerificationError: as :func:`verify_webhook_payload`.
    """
    return _guarded(secret, headers, payload, ("interceptor", "webhook"), tolerance, now)


def sign_webhook_payload(secret: str, msg_id: str, timestamp: int | datetime, payload: str | bytes) -> str:
    """The ``webhook-signature`` header value for a delivery (one ``v1,<base64>`` entry).

    Args:
        secret: the signing secret, ``whsec_`` + base64.
        msg_id: the ``webhook-id`` (must not contain ``.``).
        timestamp: the ``webhook-timestamp``, Unix seconds or an aware ``datetime``.
        payload: the exact body that will be sent.

    Returns:
        ``"v1,<base64 HMAC-SHA256>"``.

    Raises:
        WebhookVerificationError: a malformed secret.
        ValueError: a malformed ``msg_id`` or ``timestamp``.
    """
    key = _secret_key(secret)
    if isinstance(timestamp, datetime):
        if timestamp.tzinfo is None:
            raise ValueError("timestamp datetime must be timezone-aware")
        seconds = int(timestamp.timestamp())
    elif isinstance(timestamp, int) and not isinstance(timestamp, bool) and timestamp >= 0:
        seconds = timestamp
    else:
        raise ValueError("timestamp must be a non-negative int or an aware datetime")
    if not isinstance(msg_id, str) or not msg_id or "." in msg_id:
        raise ValueError("msg_id must be a non-empty str without '.'")
    mac = _mac(key, msg_id, str(seconds), _body(payload))
    return f"{_SIGNATURE_VERSION},{base64.b64encode(mac).decode('ascii')}"
