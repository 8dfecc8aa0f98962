"""Pure claims checks: issuer, audience, time claims with leeway, nonce, scopes."""

from __future__ import annotations

from typing import Any

import pytest

from scalekit_py.errors import TokenValidationError
from scalekit_py.oauth import TokenValidationOptions
from scalekit_py.oauth._jwt import policy_from_options
from scalekit_py.oauth.claims import ClaimsPolicy, check_claims, extract_scopes

ISS = "https://acme.scalekit.dev"
NOW = 1_700_000_000.0
POLICY = ClaimsPolicy(issuers=(ISS,), audiences=("skc_1",))


def claims(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"iss": ISS, "aud": "skc_1", "sub": "usr_1", "iat": NOW - 10, "exp": NOW + 60}
    for key, value in overrides.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def test_valid_claims_pass() -> None:
    check_claims(claims(), POLICY, now=NOW)
    check_claims(claims(aud=["other", "skc_1"]), POLICY, now=NOW)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"iss": None}, "no 'iss'"),
        ({"iss": ISS + "/"}, "issuer"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"aud": None}, "no 'aud'"),
        ({"aud": "skc_2"}, "audience"),
        ({"aud": ["skc_2", 3]}, "audience"),
        ({"aud": {"skc_1": True}}, "no 'aud'"),
        ({"exp": None}, "no 'exp'"),
        ({"exp": NOW - 1}, "expired"),
        ({"exp": "9999999999"}, "not a number"),
        ({"exp": True}, "not a number"),
        ({"exp": float("nan")}, "finite"),
        ({"exp": float("inf")}, "finite"),
        ({"exp": 10**400}, "finite"),
        ({"nbf": NOW + 5}, "not yet valid"),
        ({"iat": NOW + 5}, "issued in the future"),
    ],
)
def test_invalid_claims_raise_with_reason(bad: dict[str, Any], reason: str) -> None:
    with pytest.raises(TokenValidationError, match=reason):
        check_claims(claims(**bad), POLICY, now=NOW)


def test_time_boundaries_and_leeway() -> None:
    check_claims(claims(exp=NOW + 0.001), POLICY, now=NOW)
    with pytest.raises(TokenValidationError, match="expired"):  # RFC 7519 4.1.4: exp == now is expired
        check_claims(claims(exp=NOW), POLICY, now=NOW)
    lenient = ClaimsPolicy(issuers=(ISS,), audiences=("skc_1",), leeway=30)
    check_claims(claims(exp=NOW - 29.999, nbf=NOW + 30, iat=NOW + 30), lenient, now=NOW)
    with pytest.raises(TokenValidationError, match="expired"):
        check_claims(claims(exp=NOW - 30), lenient, now=NOW)


def test_audience_not_checked_when_policy_has_none_and_exp_optional_when_allowed() -> None:
    check_claims(claims(aud=None), ClaimsPolicy(issuers=(ISS,)), now=NOW)
    check_claims(claims(exp=None), ClaimsPolicy(issuers=(ISS,), require_exp=False), now=NOW)


def test_nonce() -> None:
    policy = ClaimsPolicy(issuers=(ISS,), nonce="n-123")
    check_claims(claims(nonce="n-123"), policy, now=NOW)
    with pytest.raises(TokenValidationError, match="nonce does not match"):
        check_claims(claims(nonce="n-124"), policy, now=NOW)
    with pytest.raises(TokenValidationError, match="no 'nonce'"):
        check_claims(claims(), policy, now=NOW)


def test_scopes_from_scope_string_and_scopes_array() -> None:
    assert extract_scopes({"scope": "a  b", "scopes": ["c", " ", 4, "a"]}) == {"a", "b", "c"}
    assert extract_scopes({"scope": ["a"], "scopes": "b"}) == frozenset()
    policy = ClaimsPolicy(issuers=(ISS,), required_scopes=("read:users", "write:users"))
    check_claims(claims(scope="read:users write:users"), policy, now=NOW)
    check_claims(claims(scopes=["read:users", "write:users"]), policy, now=NOW)
    check_claims(claims(scope="read:users", scopes=["write:users"]), policy, now=NOW)
    with pytest.raises(TokenValidationError, match="missing required scopes: write:users"):
        check_claims(claims(scope="read:users"), policy, now=NOW)


def test_reasons_never_contain_claim_values() -> None:
    with pytest.raises(TokenValidationError) as info:
        check_claims(claims(iss="https://secret-issuer.example", aud="secret-aud"), POLICY, now=NOW)
    assert "secret" not in str(info.value)


def test_policy_rejects_empty_issuers_and_negative_leeway() -> None:
    with pytest.raises(ValueError, match="issuer"):
        ClaimsPolicy(issuers=())
    with pytest.raises(ValueError, match="issuer"):
        ClaimsPolicy(issuers=("",))
    with pytest.raises(ValueError, match="leeway"):
        ClaimsPolicy(issuers=(ISS,), leeway=-1)


def test_policy_from_options_defaults_and_overrides() -> None:
    default = policy_from_options(None, env_url=ISS, client_id="skc_1", leeway=5)
    assert (default.issuers, default.audiences, default.leeway) == ((ISS,), ("skc_1",), 5)
    custom = policy_from_options(
        TokenValidationOptions(issuer=[ISS, "https://b"], audience="api", required_scopes=["x"], leeway=0),
        env_url=ISS,
        client_id="skc_1",
        leeway=5,
        nonce="n",
    )
    assert custom == ClaimsPolicy(
        issuers=(ISS, "https://b"), audiences=("api",), leeway=0, nonce="n", required_scopes=("x",)
    )
    skip_aud = policy_from_options(TokenValidationOptions(audience=[]), env_url=ISS, client_id="skc_1")
    assert skip_aud.audiences == ()
    with pytest.raises(ValueError, match="issuer"):
        policy_from_options(TokenValidationOptions(issuer=""), env_url=ISS, client_id="skc_1")
