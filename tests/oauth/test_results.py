"""Option and result types: secrets masked in repr, immutability of results, JSON parsing."""

from __future__ import annotations

import dataclasses

import pytest

from scalekit_py.oauth import (
    AuthenticationResponse,
    CodeAuthenticationOptions,
    DiscoveryDocument,
    IdpInitiatedLoginClaims,
    LogoutUrlOptions,
    TokenIntrospection,
    TokenResponse,
    User,
)
from scalekit_py.oauth._http import HttpRequest, code_exchange_request, userinfo_request

ACCESS = "eyJhbGciOiJSUzI1NiJ9.access-token-secret.sig"
REFRESH = "rt-very-secret-refresh"
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.id-token-secret.sig"


def test_token_response_repr_masks_tokens() -> None:
    tokens = TokenResponse.from_json(
        {"access_token": ACCESS, "refresh_token": REFRESH, "id_token": ID_TOKEN, "expires_in": 300}
    )
    text = repr(tokens) + str(tokens)
    for secret in (ACCESS, REFRESH, ID_TOKEN, "access-token-secret", "very-secret"):
        assert secret not in text
    assert "<sha256:" in text
    assert "expires_in=300" in text


def test_authentication_response_repr_masks_tokens_and_is_frozen() -> None:
    result = AuthenticationResponse(
        user=User(id="usr_1", email="ada@example.com"),
        id_token=ID_TOKEN,
        access_token=ACCESS,
        refresh_token=REFRESH,
    )
    text = repr(result)
    assert ACCESS not in text
    assert REFRESH not in text
    assert ID_TOKEN not in text
    assert "ada@example.com" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.access_token = "x"  # type: ignore[misc]


def test_options_and_requests_mask_secrets() -> None:
    assert "my-verifier-value" not in repr(CodeAuthenticationOptions(code_verifier="my-verifier-value"))
    assert ID_TOKEN not in repr(LogoutUrlOptions(id_token_hint=ID_TOKEN))
    request: HttpRequest = code_exchange_request("skc_1", "sks_secret", "code-123", "https://app/cb", "verif")
    text = repr(request)
    assert "sks_secret" not in text
    assert "code-123" not in text
    assert "verif'" not in text
    assert "skc_1" in text
    assert "authorization_code" in text
    assert ACCESS not in repr(userinfo_request(ACCESS))


def test_token_response_parsing_rules() -> None:
    tokens = TokenResponse.from_json({"access_token": "a", "expires_in": "3600", "token_type": "bearer"})
    assert (tokens.expires_in, tokens.token_type, tokens.refresh_token) == (3600, "bearer", None)
    assert TokenResponse.from_json({"access_token": "a", "expires_in": True}).expires_in is None
    for bad in ({}, {"access_token": ""}, {"access_token": 5}):
        with pytest.raises(ValueError, match="access_token"):
            TokenResponse.from_json(bad)


def test_user_from_claims_maps_official_names() -> None:
    user = User.from_claims(
        {
            "sub": "usr_1",
            "preferred_username": "ada",
            "birthdate": "1815-12-10",
            "zoneinfo": "Europe/London",
            "email_verified": True,
            "phone_number_verified": "yes",  # wrong type -> None
            "identities": [{"connection_id": "conn_1"}, "junk"],
            "metadata": {"team": "math"},
            "updated_at": 1700000000,
        }
    )
    assert (user.id, user.username, user.birth_date, user.zone_info) == (
        "usr_1",
        "ada",
        "1815-12-10",
        "Europe/London",
    )
    assert user.email_verified is True
    assert user.phone_number_verified is None
    assert user.identities == ({"connection_id": "conn_1"},)
    assert user.metadata == {"team": "math"}
    assert user.updated_at == 1700000000
    with pytest.raises(ValueError, match="sub"):
        User.from_claims({"email": "x"})


def test_introspection_discovery_and_idp_claims_parsing() -> None:
    inactive = TokenIntrospection.from_json({"active": False})
    assert inactive.active is False
    assert inactive.scope is None
    active = TokenIntrospection.from_json({"active": True, "aud": "skc_1", "exp": 5, "scope": "a b"})
    assert active.aud == ("skc_1",)
    assert active.exp == 5
    assert active.scope == "a b"
    with pytest.raises(ValueError, match="active"):
        TokenIntrospection.from_json({"active": "true"})
    doc = DiscoveryDocument.from_json({"issuer": "https://x", "scopes_supported": ["openid", 3]})
    assert doc.scopes_supported == ("openid",)
    assert doc.jwks_uri is None
    with pytest.raises(ValueError, match="issuer"):
        DiscoveryDocument.from_json({})
    claims = IdpInitiatedLoginClaims.from_claims(
        {
            "connection_id": "conn_1",
            "organization_id": "org_1",
            "login_hint": "ada@example.com",
            "relay_state": "r",
        }
    )
    assert (claims.connection_id, claims.organization_id, claims.login_hint, claims.relay_state) == (
        "conn_1",
        "org_1",
        "ada@example.com",
        "r",
    )
