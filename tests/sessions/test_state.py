"""The pure decisions of the sessions: freshness, expiry, backoff, failure classes, record math."""

from __future__ import annotations

import base64
import json

import pytest

from scalekit_py import errors
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.sessions import Lease, SessionRecord, TokenSet
from scalekit_py.sessions import _state as st

T0 = 1_700_000_000.0


def _record(**kw: object) -> SessionRecord:
    base: dict[str, object] = {
        "access_token": "at",
        "access_expires_at": T0 + 3600,
        "issued_at": T0,
        "refresh_token": "rt",
    }
    base.update(kw)
    return SessionRecord(**base)  # type: ignore[arg-type]


def test_record_from_tokens_counts_lifetimes_from_the_request() -> None:
    rec = st.record_from_tokens(TokenSet("a", "r", expires_in=600, refresh_expires_in=86400), T0, None)
    assert rec.access_expires_at == T0 + 600
    assert rec.refresh_expires_at == T0 + 86400
    assert rec.issued_at == T0
    assert rec.generation == 0
    assert rec.lease is None


def _jwt(claims: object) -> str:
    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


def test_jwt_access_token_expires_at_its_exp_claim_when_earlier() -> None:
    # The emulator floors exp: expires_in=600 from T0 + 0.7 over-states the lifetime by 0.7 s.
    exp = int(T0) + 600
    rec = st.record_from_tokens(TokenSet(_jwt({"exp": exp}), "r", expires_in=600), T0 + 0.7, None)
    assert rec.access_expires_at == exp
    assert not st.access_valid(rec, exp)
    later = st.record_from_tokens(TokenSet(_jwt({"exp": T0 + 9999}), "r", expires_in=600), T0, None)
    assert later.access_expires_at == T0 + 600  # a later exp never extends expires_in
    # Far earlier than expires_in: our clock is ahead of the server's; exp would expire every token at once.
    skewed = st.record_from_tokens(TokenSet(_jwt({"exp": T0 - 3600}), "r", expires_in=600), T0, None)
    assert skewed.access_expires_at == T0 + 600


@pytest.mark.parametrize(
    "token",
    ["opaque", "a.b", "a.!!!.c", _jwt([1]), _jwt({"exp": "1"}), _jwt({"exp": True}), _jwt({"exp": 10**400}),
     _jwt({"sub": "x"})],
)  # fmt: skip
def test_non_jwt_or_unusable_exp_falls_back_to_expires_in(token: str) -> None:
    rec = st.record_from_tokens(TokenSet(token, "r", expires_in=600), T0, None)
    assert rec.access_expires_at == T0 + 600


def test_record_from_tokens_defaults_unknown_lifetime() -> None:
    rec = st.record_from_tokens(TokenSet("a", "r"), T0, None)
    assert rec.access_expires_at == T0 + st.DEFAULT_ACCESS_LIFETIME
    assert rec.refresh_expires_at is None


def test_refresh_without_rotation_keeps_old_refresh_token_and_expiry() -> None:
    prev = _record(refresh_expires_at=T0 + 999, id_token="idt", scope="openid", generation=4)
    rec = st.record_from_tokens(TokenSet("a2", None, expires_in=60), T0 + 10, prev)
    assert rec.refresh_token == "rt"
    assert rec.refresh_expires_at == T0 + 999
    assert rec.id_token == "idt"
    assert rec.scope == "openid"
    assert rec.generation == 5


def test_rotated_token_inherits_absolute_expiry_unless_told() -> None:
    prev = _record(refresh_expires_at=T0 + 999)
    assert st.record_from_tokens(TokenSet("a2", "r2"), T0 + 10, prev).refresh_expires_at == T0 + 999
    told = st.record_from_tokens(TokenSet("a2", "r2", refresh_expires_in=50), T0 + 10, prev)
    assert told.refresh_expires_at == T0 + 60
    assert told.refresh_token == "r2"


def test_refresh_due_at_clamps_margin_to_half_the_lifetime() -> None:
    assert st.refresh_due_at(_record(), 60) == T0 + 3600 - 60
    short = _record(access_expires_at=T0 + 30)
    assert st.refresh_due_at(short, 60) == T0 + 15


@pytest.mark.parametrize(
    ("now", "force", "verdict", "servable"),
    [
        (T0 + 100, False, st.Verdict.SERVE, False),
        (T0 + 3550, False, st.Verdict.REFRESH, True),  # within the margin, still valid
        (T0 + 3600, False, st.Verdict.REFRESH, False),  # expired
        (T0 + 100, True, st.Verdict.REFRESH, False),  # forced: never "servable"
    ],
)
def test_assess_fresh_due_expired(now: float, force: bool, verdict: st.Verdict, servable: bool) -> None:
    got = st.assess(_record(), now, 60, force=force)
    assert got.verdict is verdict
    assert got.servable is servable


def test_assess_without_record_is_not_established() -> None:
    got = st.assess(None, T0, 60)
    assert (got.verdict, got.reason) == (st.Verdict.EXPIRED, "not_established")


def test_assess_expired_refresh_token_serves_valid_access_then_ends() -> None:
    rec = _record(refresh_expires_at=T0 + 3000)
    assert st.assess(rec, T0 + 3550, 60).verdict is st.Verdict.SERVE  # access still valid
    ended = st.assess(rec, T0 + 3600, 60)
    assert (ended.verdict, ended.reason) == (st.Verdict.EXPIRED, "expired")
    forced = st.assess(rec, T0 + 3100, 60, force=True)
    assert (forced.verdict, forced.reason) == (st.Verdict.EXPIRED, "expired")


def test_assess_without_refresh_token() -> None:
    rec = _record(refresh_token=None)
    assert st.assess(rec, T0 + 3590, 60).verdict is st.Verdict.SERVE
    got = st.assess(rec, T0 + 3600, 60)
    assert (got.verdict, got.reason) == (st.Verdict.EXPIRED, "no_refresh_token")


def test_lease_blocks_only_live_foreign_leases() -> None:
    lease = Lease("other", T0 + 10)
    assert st.lease_blocks(lease, "me", T0)
    assert not st.lease_blocks(lease, "other", T0)  # our own lease
    assert not st.lease_blocks(lease, "me", T0 + 10)  # abandoned
    assert not st.lease_blocks(None, "me", T0)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (errors.OAuthError("x", error="invalid_grant"), st.Failure.TERMINAL),
        (errors.OAuthError("x", error="temporarily_unavailable", http_status=400), st.Failure.TRANSIENT),
        (errors.OAuthError("x", error="invalid_client", http_status=401), st.Failure.OTHER),
        (errors.ServerError("x"), st.Failure.TRANSIENT),
        (errors.ServiceUnavailableError("x"), st.Failure.TRANSIENT),
        (errors.RateLimitError("x"), st.Failure.TRANSIENT),
        (errors.APIConnectionError("x"), st.Failure.TRANSIENT),
        (errors.APITimeoutError("x"), st.Failure.TRANSIENT),
        (errors.BadRequestError("x"), st.Failure.OTHER),
        (ValueError("bug"), st.Failure.OTHER),
    ],
)
def test_classify_failure(exc: BaseException, kind: st.Failure) -> None:
    assert st.classify_failure(exc) is kind


def test_is_reuse_report_reads_the_description() -> None:
    reuse = errors.OAuthError("x", error="invalid_grant", error_description="Refresh token reuse detected")
    plain = errors.OAuthError("x", error="invalid_grant", error_description="expired")
    assert st.is_reuse_report(reuse)
    assert not st.is_reuse_report(plain)
    assert not st.is_reuse_report(errors.ServerError("reuse"))


def test_retry_at_grows_and_caps() -> None:
    policy = RetryPolicy(initial_backoff=1, max_backoff=5, multiplier=2, jitter=0)
    delays = [st.retry_at(policy, n, T0, lambda: 0.5) - T0 for n in range(1, 6)]
    assert delays == [1, 2, 4, 5, 5]
    jittered = RetryPolicy(initial_backoff=1, max_backoff=5, multiplier=2, jitter=0.5)
    assert st.retry_at(jittered, 1, T0, lambda: 1.0) - T0 == 0.5


def test_record_json_round_trip_and_masked_repr() -> None:
    rec = _record(lease=Lease("h", T0 + 5), id_token="idtok", refresh_expires_at=T0 + 9)
    again = SessionRecord.from_json(rec.to_json())
    assert again == rec
    text = repr(rec) + repr(TokenSet("at-secret", "rt-secret", id_token="id-secret"))
    assert "at-secret" not in text
    assert "rt-secret" not in text
    assert "id-secret" not in text
    assert "sha256:" in text


@pytest.mark.parametrize("bad", ["[]", "{}", '{"access_token": "a"}', '{"access_token": 1, "x": 2}'])
def test_record_from_json_rejects_garbage(bad: str) -> None:
    with pytest.raises(ValueError, match="session record"):
        SessionRecord.from_json(bad)


def test_token_set_coerce_reads_response_objects() -> None:
    class Response:
        access_token = "a"
        refresh_token = "r"
        expires_in = 60
        id_token = "i"
        scope = "openid"
        token_type = "Bearer"

    got = TokenSet.coerce(Response())
    assert (got.access_token, got.refresh_token, got.expires_in, got.id_token) == ("a", "r", 60.0, "i")
    assert got.refresh_expires_in is None
    with pytest.raises(ValueError, match="access_token"):
        TokenSet.coerce(object())
    with pytest.raises(ValueError, match="expires_in"):
        TokenSet("a", expires_in=-1)
