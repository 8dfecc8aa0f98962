"""Webhook and interceptor verification: the Standard Webhooks vectors, tolerance in both directions,
header containers and case, body types, secret rotation, and a loop of malformed inputs that must all
raise WebhookVerificationError (never another exception)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from scalekit_py.errors import WebhookVerificationError
from scalekit_py.webhooks import sign_webhook_payload, verify_interceptor_payload, verify_webhook_payload

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "standard_webhooks_vectors.json").read_text()
)
SIGN = VECTORS["sign"]
SECRET: str = SIGN["secret"]
MSG_ID: str = SIGN["msg_id"]
TS: int = SIGN["timestamp"]
PAYLOAD: str = SIGN["payload"]
SIGNATURE: str = SIGN["signature"]


def headers(signature: str = SIGNATURE, *, ts: int | str = TS, prefix: str = "webhook") -> dict[str, str]:
    return {f"{prefix}-id": MSG_ID, f"{prefix}-timestamp": str(ts), f"{prefix}-signature": signature}


# -- published vectors ----------------------------------------------------------------------------
def test_sign_matches_the_published_vector() -> None:
    assert sign_webhook_payload(SECRET, MSG_ID, TS, PAYLOAD) == SIGNATURE
    assert sign_webhook_payload(SECRET, MSG_ID, TS, PAYLOAD.encode()) == SIGNATURE
    as_datetime = datetime.fromtimestamp(TS, tz=timezone.utc)
    assert sign_webhook_payload(SECRET, MSG_ID, as_datetime, PAYLOAD) == SIGNATURE


def test_published_vector_verifies_with_and_without_prefix() -> None:
    assert verify_webhook_payload(SECRET, headers(), PAYLOAD, now=TS) is True
    assert verify_webhook_payload(VECTORS["secret_without_prefix"], headers(), PAYLOAD, now=TS) is True


@pytest.mark.parametrize("signature", VECTORS["invalid_signatures"])
def test_published_invalid_signatures_are_refused(signature: str) -> None:
    with pytest.raises(WebhookVerificationError, match="no matching signature"):
        verify_webhook_payload(SECRET, headers(signature), PAYLOAD, now=TS)


def test_any_of_several_signatures_may_match() -> None:
    decoys = VECTORS["decoy_signatures"]
    mixed = " ".join([*decoys, SIGNATURE, decoys[0]])
    assert verify_webhook_payload(SECRET, headers(mixed), PAYLOAD, now=TS) is True
    with pytest.raises(WebhookVerificationError, match="no matching signature"):
        verify_webhook_payload(SECRET, headers(" ".join(decoys)), PAYLOAD, now=TS)
    v2_only = "v2," + SIGNATURE.split(",", 1)[1]  # right bytes, wrong version: ignored
    with pytest.raises(WebhookVerificationError, match="no matching signature"):
        verify_webhook_payload(SECRET, headers(v2_only), PAYLOAD, now=TS)


# -- timestamps -----------------------------------------------------------------------------------
def test_tolerance_boundaries_both_ways() -> None:
    tol = VECTORS["tolerance_seconds"]
    assert verify_webhook_payload(SECRET, headers(), PAYLOAD, now=TS + tol) is True
    assert verify_webhook_payload(SECRET, headers(), PAYLOAD, now=TS - tol) is True
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify_webhook_payload(SECRET, headers(), PAYLOAD, now=TS + tol + 1)
    with pytest.raises(WebhookVerificationError, match="too new"):
        verify_webhook_payload(SECRET, headers(), PAYLOAD, now=TS - tol - 1)
    assert verify_webhook_payload(SECRET, headers(), PAYLOAD, now=TS + 1000, tolerance=1000) is True


def test_default_clock_is_used_when_now_is_not_given() -> None:
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify_webhook_payload(SECRET, headers(), PAYLOAD)  # the 2021 vector is far in the past
    import time

    ts = int(time.time())
    fresh = headers(sign_webhook_payload(SECRET, MSG_ID, ts, PAYLOAD), ts=ts)
    assert verify_webhook_payload(SECRET, fresh, PAYLOAD) is True


def test_timestamp_is_part_of_the_signature() -> None:
    with pytest.raises(WebhookVerificationError, match="no matching signature"):
        verify_webhook_payload(SECRET, headers(ts=TS + 1), PAYLOAD, now=TS)


# -- inputs: header containers, case, body types --------------------------------------------------
def _variants() -> list[Any]:
    base = headers()
    return [
        {k.upper(): v for k, v in base.items()},
        {k.title(): v for k, v in base.items()},
        list(base.items()),
        [(k.encode(), v.encode()) for k, v in base.items()],  # ASGI scope["headers"]
        {k.encode(): v.encode() for k, v in base.items()},
        httpx.Headers(base),
        [("content-type", "application/json"), *base.items(), ("x-other", "1")],
        {k: f"  {v} " for k, v in base.items()},  # surrounding whitespace
    ]


@pytest.mark.parametrize("container", _variants())
def test_header_containers_and_case(container: Any) -> None:
    assert verify_webhook_payload(SECRET, container, PAYLOAD, now=TS) is True


@pytest.mark.parametrize(
    "body", [PAYLOAD, PAYLOAD.encode(), bytearray(PAYLOAD.encode()), memoryview(PAYLOAD.encode())]
)
def test_body_types(body: Any) -> None:
    assert verify_webhook_payload(SECRET, headers(), body, now=TS) is True


def test_body_is_compared_byte_for_byte() -> None:
    for changed in (PAYLOAD + " ", PAYLOAD.replace(" ", ""), json.dumps(json.loads(PAYLOAD)) + "\n"):
        with pytest.raises(WebhookVerificationError, match="no matching signature"):
            verify_webhook_payload(SECRET, headers(), changed, now=TS)


def test_non_utf8_bytes_body_is_signed_as_is() -> None:
    body = b"\xff\xfe binary"
    signature = sign_webhook_payload(SECRET, MSG_ID, TS, body)
    assert verify_webhook_payload(SECRET, headers(signature), body, now=TS) is True


def test_duplicate_headers_must_agree() -> None:
    pairs = [*headers().items(), ("webhook-id", MSG_ID)]
    assert verify_webhook_payload(SECRET, pairs, PAYLOAD, now=TS) is True
    conflicting = [*headers().items(), ("Webhook-Id", "msg_other")]
    with pytest.raises(WebhookVerificationError, match="more than once"):
        verify_webhook_payload(SECRET, conflicting, PAYLOAD, now=TS)
    multi = httpx.Headers([*headers().items(), ("webhook-id", "msg_other")])
    with pytest.raises(WebhookVerificationError, match="more than once"):
        verify_webhook_payload(SECRET, multi, PAYLOAD, now=TS)


def test_interceptor_headers_and_fallback() -> None:
    assert verify_interceptor_payload(SECRET, headers(prefix="interceptor"), PAYLOAD, now=TS) is True
    assert verify_interceptor_payload(SECRET, headers(prefix="Interceptor"), PAYLOAD, now=TS) is True
    assert verify_interceptor_payload(SECRET, headers(), PAYLOAD, now=TS) is True  # webhook-* fallback
    with pytest.raises(WebhookVerificationError, match="missing header webhook-id"):
        verify_webhook_payload(SECRET, headers(prefix="interceptor"), PAYLOAD, now=TS)
    bad = headers(prefix="interceptor") | {"interceptor-signature": VECTORS["invalid_signatures"][0]}
    with pytest.raises(WebhookVerificationError, match="no matching signature"):
        verify_interceptor_payload(SECRET, bad | {"webhook-signature": SIGNATURE}, PAYLOAD, now=TS)


def test_unpadded_secret_verifies_like_the_reference_libraries() -> None:
    padded = "whsec_" + base64.b64encode(bytes(range(31))).decode()  # 31 bytes: one '=' of padding
    assert padded.endswith("=")
    unpadded = padded.rstrip("=")
    header = sign_webhook_payload(padded, MSG_ID, TS, PAYLOAD)
    assert sign_webhook_payload(unpadded, MSG_ID, TS, PAYLOAD) == header
    assert verify_webhook_payload(unpadded, headers(header), PAYLOAD, now=TS) is True
    with pytest.raises(WebhookVerificationError, match="secret"):
        sign_webhook_payload("whsec_" + "A" * 5, MSG_ID, TS, PAYLOAD)  # 5 chars: not base64 padded or not


def test_sign_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="msg_id"):
        sign_webhook_payload(SECRET, "a.b", TS, PAYLOAD)
    with pytest.raises(ValueError, match="timestamp"):
        sign_webhook_payload(SECRET, MSG_ID, -1, PAYLOAD)
    with pytest.raises(ValueError, match="aware"):
        sign_webhook_payload(SECRET, MSG_ID, datetime(2021, 2, 25), PAYLOAD)
    with pytest.raises(WebhookVerificationError, match="secret"):
        sign_webhook_payload("whsec_!!!", MSG_ID, TS, PAYLOAD)


# -- malformed inputs: always WebhookVerificationError ---------------------------------------------
def _without(name: str) -> dict[str, str]:
    return {k: v for k, v in headers().items() if k != name}


_DEFAULT: Any = object()


def attempt(
    *,
    interceptor: bool = False,
    secret: Any = SECRET,
    hdrs: Any = _DEFAULT,
    payload: Any = PAYLOAD,
    **kw: Any,
) -> bool:
    """One verification call with loosely typed arguments (the fuzz feeds wrong types on purpose)."""
    verify: Any = verify_interceptor_payload if interceptor else verify_webhook_payload
    return bool(verify(secret, headers() if hdrs is _DEFAULT else hdrs, payload, **({"now": TS} | kw)))


BAD_CASES: list[tuple[str, dict[str, Any]]] = [
    ("secret None", {"secret": None}),
    ("secret bytes", {"secret": SECRET.encode()}),
    ("secret empty", {"secret": ""}),
    ("secret prefix only", {"secret": "whsec_"}),
    ("secret bad base64", {"secret": "whsec_***"}),
    ("secret bad padding", {"secret": "whsec_abc"}),
    ("secret urlsafe chars", {"secret": "whsec_ab-_"}),
    ("secret non-ascii", {"secret": "whsec_äöü="}),
    ("secret wrong key", {"secret": "whsec_" + "A" * 32}),
    ("headers None", {"hdrs": None}),
    ("headers str", {"hdrs": "webhook-id: x"}),
    ("headers bytes", {"hdrs": b"webhook-id"}),
    ("headers int", {"hdrs": 5}),
    ("headers list of str", {"hdrs": ["ab", "cd"]}),
    ("headers triples", {"hdrs": [("a", "b", "c")]}),
    ("header value None", {"hdrs": headers() | {"webhook-id": None}}),
    ("header value list", {"hdrs": headers() | {"webhook-id": ["a"]}}),
    ("header name int", {"hdrs": {1: "x", **headers()}}),
    ("header huge", {"hdrs": headers("v1," + "A" * 10000)}),
    ("iterator raising", {"hdrs": (1 / 0 for _ in [0])}),
    ("missing id", {"hdrs": _without("webhook-id")}),
    ("missing timestamp", {"hdrs": _without("webhook-timestamp")}),
    ("missing signature", {"hdrs": _without("webhook-signature")}),
    ("empty id", {"hdrs": headers() | {"webhook-id": ""}}),
    ("no headers", {"hdrs": {}}),
    ("timestamp text", {"hdrs": headers(ts="hello")}),
    ("timestamp float", {"hdrs": headers(ts="1614265330.5")}),
    ("timestamp negative", {"hdrs": headers(ts="-5")}),
    ("timestamp huge", {"hdrs": headers(ts="9" * 400)}),
    ("timestamp unicode digits", {"hdrs": headers(ts="١٦١٤٢٦٥٣٣٠")}),
    ("timestamp iso", {"hdrs": headers(ts="2021-02-25T15:02:10Z")}),
    ("signature no comma", {"hdrs": headers("v1")}),
    ("signature bad base64", {"hdrs": headers("v1,!!!!")}),
    ("signature empty b64", {"hdrs": headers("v1,")}),
    ("signature short", {"hdrs": headers("v1,AAAA")}),
    ("signature spaces only", {"hdrs": headers("   ")}),
    ("signature unpadded", {"hdrs": headers(SIGNATURE.rstrip("="))}),
    ("payload None", {"payload": None}),
    ("payload dict", {"payload": json.loads(PAYLOAD)}),
    ("payload int", {"payload": 2432232314}),
    ("payload surrogate", {"payload": "\ud800"}),
    ("tolerance str", {"tolerance": "300"}),
    ("tolerance negative", {"tolerance": -1}),
    ("tolerance nan", {"tolerance": float("nan")}),
    ("tolerance bool", {"tolerance": True}),
    ("now str", {"now": "1614265330"}),
    ("now nan", {"now": float("nan")}),
    ("now inf", {"now": float("inf")}),
    ("id with surrogate", {"hdrs": headers() | {"webhook-id": "\ud800"}}),
    ("interceptor missing all", {"interceptor": True, "hdrs": {}}),
    ("interceptor bad ts", {"interceptor": True, "hdrs": headers(ts="x", prefix="interceptor")}),
]


def test_every_malformed_input_raises_webhook_verification_error() -> None:
    failures = []
    reasons = []
    for name, case in BAD_CASES:
        try:
            attempt(**case)
        except WebhookVerificationError as exc:
            reasons.append(str(exc))
        except Exception as exc:
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            failures.append(f"{name}: accepted")
    assert failures == []
    assert all(reasons)  # a reason is always given
    assert not [r for r in reasons if SECRET[6:] in r]  # and never the secret


def test_mutations_of_a_valid_delivery_are_refused() -> None:
    """Flip each character of each header value and of the body: nothing but the original verifies."""
    base = headers()
    accepted = 0
    for name, value in base.items():
        for i in range(len(value)):
            mutated = value[:i] + chr(ord(value[i]) ^ 1) + value[i + 1 :]
            try:
                verify_webhook_payload(SECRET, base | {name: mutated}, PAYLOAD, now=TS)
                accepted += 1
            except WebhookVerificationError:
                pass
    for i in range(len(PAYLOAD)):
        mutated_body = PAYLOAD[:i] + chr(ord(PAYLOAD[i]) ^ 1) + PAYLOAD[i + 1 :]
        with pytest.raises(WebhookVerificationError):
            verify_webhook_payload(SECRET, base, mutated_body, now=TS)
    assert accepted == 0
