"""Authorization and logout URL builders: defaults, every option, encoding, omissions."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from scalekit_py.oauth import AuthorizationUrlOptions, LogoutUrlOptions
from scalekit_py.oauth.urls import build_authorization_url, build_logout_url, normalize_env_url

ENV = "https://acme.scalekit.dev"


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_default_authorization_url() -> None:
    url = build_authorization_url(ENV + "/", "skc_1", "https://app.example.com/cb?x=1")
    assert url.startswith("https://acme.scalekit.dev/oauth/authorize?")
    assert _query(url) == [
        ("response_type", "code"),
        ("client_id", "skc_1"),
        ("redirect_uri", "https://app.example.com/cb?x=1"),
        ("scope", "openid profile email"),
    ]
    assert "scope=openid+profile+email" in url


def test_every_option_appears_in_order() -> None:
    options = AuthorizationUrlOptions(
        scopes=["openid", "offline_access"],
        state="st&ate",
        nonce="n1",
        login_hint="ada@example.com",
        domain_hint="example.com",
        connection_id="conn_1",
        organization_id="org_1",
        provider="google",
        prompt="login",
        code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method="S256",
    )
    assert _query(build_authorization_url(ENV, "skc_1", "https://app/cb", options)) == [
        ("response_type", "code"),
        ("client_id", "skc_1"),
        ("redirect_uri", "https://app/cb"),
        ("scope", "openid offline_access"),
        ("state", "st&ate"),
        ("nonce", "n1"),
        ("login_hint", "ada@example.com"),
        ("domain_hint", "example.com"),
        ("connection_id", "conn_1"),
        ("organization_id", "org_1"),
        ("provider", "google"),
        ("prompt", "login"),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ("code_challenge_method", "S256"),
    ]


def test_official_sdk_style_attribute_assignment_works() -> None:
    options = AuthorizationUrlOptions()
    options.connection_id = "conn_9"
    options.scopes = ["openid"]
    query = dict(_query(build_authorization_url(ENV, "skc_1", "https://app/cb", options)))
    assert query["connection_id"] == "conn_9"
    assert query["scope"] == "openid"


def test_challenge_method_defaults_to_s256_and_is_dropped_without_challenge() -> None:
    with_challenge = dict(
        _query(build_authorization_url(ENV, "c", "r", AuthorizationUrlOptions(code_challenge="abc")))
    )
    assert with_challenge["code_challenge_method"] == "S256"
    without = dict(
        _query(build_authorization_url(ENV, "c", "r", AuthorizationUrlOptions(code_challenge_method="S256")))
    )
    assert "code_challenge_method" not in without
    assert "code_challenge" not in without


def test_empty_scopes_fall_back_to_default_and_a_string_is_used_as_is() -> None:
    empty = dict(_query(build_authorization_url(ENV, "c", "r", AuthorizationUrlOptions(scopes=[]))))
    assert empty["scope"] == "openid profile email"
    as_str = dict(
        _query(build_authorization_url(ENV, "c", "r", AuthorizationUrlOptions(scopes="openid email")))
    )
    assert as_str["scope"] == "openid email"


def test_logout_url_with_and_without_options() -> None:
    assert build_logout_url(ENV) == "https://acme.scalekit.dev/oidc/logout"
    url = build_logout_url(
        ENV,
        LogoutUrlOptions(id_token_hint="eyJ.x.y", post_logout_redirect_uri="https://app/bye", state="s 1"),
    )
    assert url.startswith("https://acme.scalekit.dev/oidc/logout?")
    assert _query(url) == [
        ("id_token_hint", "eyJ.x.y"),
        ("post_logout_redirect_uri", "https://app/bye"),
        ("state", "s 1"),
    ]


@pytest.mark.parametrize("bad", ["acme.scalekit.dev", "ftp://x", "", None])
def test_env_url_must_be_http_or_https(bad: object) -> None:
    with pytest.raises(ValueError, match="env_url"):
        normalize_env_url(bad)  # type: ignore[arg-type]
