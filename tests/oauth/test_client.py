"""OAuthClient and AsyncOAuthClient against a fake identity provider (httpx.MockTransport): code
exchange with PKCE and ID-token verification, refresh with rotation, introspection, revocation,
userinfo, discovery, error mapping, secrets kept out of reprs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from scalekit_py import errors
from scalekit_py.oauth import (
    AsyncOAuthClient,
    AuthorizationUrlOptions,
    CodeAuthenticationOptions,
    JwksCache,
    LogoutUrlOptions,
    OAuthClient,
    TokenValidationOptions,
    generate_pkce_pair,
)
from tests.oauth.fake_idp import CLIENT_ID, CLIENT_SECRET, ENV_URL, NOW, FakeIdP
from tests.oauth.keys import TestKey

REDIRECT = "https://app.example.com/callback"


@pytest.fixture
def client(idp: FakeIdP) -> Iterator[OAuthClient]:
    http = httpx.Client(transport=httpx.MockTransport(idp.handler))
    with OAuthClient(ENV_URL, CLIENT_ID, CLIENT_SECRET, http_client=http, clock=lambda: idp.now) as oauth:
        yield oauth
    assert not http.is_closed  # a given http client is not ours to close
    http.close()


@pytest.fixture
async def aclient(idp: FakeIdP) -> AsyncIterator[AsyncOAuthClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(idp.handler))
    async with AsyncOAuthClient(
        ENV_URL, CLIENT_ID, CLIENT_SECRET, http_client=http, clock=lambda: idp.now
    ) as oauth:
        yield oauth
    await http.aclose()


def test_urls_use_the_client_config(client: OAuthClient) -> None:
    url = client.get_authorization_url(REDIRECT, AuthorizationUrlOptions(state="s"))
    assert url.startswith(f"{ENV_URL}/oauth/authorize?response_type=code&client_id={CLIENT_ID}&")
    assert client.get_logout_url(LogoutUrlOptions(state="s")) == f"{ENV_URL}/oidc/logout?state=s"


def test_code_exchange_with_pkce_and_nonce(idp: FakeIdP, client: OAuthClient) -> None:
    verifier, _ = generate_pkce_pair()
    code = idp.new_code(nonce="nonce-1", verifier=verifier)
    result = client.authenticate_with_code(
        code, REDIRECT, CodeAuthenticationOptions(code_verifier=verifier, nonce="nonce-1")
    )
    assert result.user.id == "usr_1"
    assert result.user.email == "ada@example.com"
    assert result.user.username == "ada"
    assert result.user.email_verified is True
    assert (result.connection_id, result.organization_id, result.expires_in) == ("conn_1", "org_1", 300)
    assert result.refresh_token is not None
    assert result.claims["nonce"] == "nonce-1"
    form = idp.forms[-1]
    assert form == {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code_verifier": verifier,
    }
    token_request = idp.last("/oauth/token")
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in token_request.headers  # client auth is in the form body only
    assert token_request.headers["user-agent"].startswith("scalekit-py/")


def test_code_exchange_without_options_sends_no_verifier(idp: FakeIdP, client: OAuthClient) -> None:
    result = client.authenticate_with_code(idp.new_code(), REDIRECT)
    assert result.user.id == "usr_1"
    assert "code_verifier" not in idp.forms[-1]


def test_wrong_verifier_or_reused_code_is_an_oauth_error(idp: FakeIdP, client: OAuthClient) -> None:
    code = idp.new_code(verifier="v" * 43)
    with pytest.raises(errors.OAuthError) as info:
        client.authenticate_with_code(code, REDIRECT, CodeAuthenticationOptions(code_verifier="w" * 43))
    assert info.value.error == "invalid_grant"
    assert info.value.http_status == 400
    assert "PKCE" in (info.value.error_description or "")
    with pytest.raises(errors.OAuthError, match="invalid_grant"):
        client.authenticate_with_code(code, REDIRECT, CodeAuthenticationOptions(code_verifier="v" * 43))


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"aud": "skc_other"}, "audience"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"exp": NOW - 1}, "expired"),
        ({"nonce": "other-nonce"}, "nonce does not match"),
    ],
)
def test_id_token_is_verified(
    idp: FakeIdP, client: OAuthClient, override: dict[str, object], reason: str
) -> None:
    idp.id_token_overrides = override
    with pytest.raises(errors.TokenValidationError, match=reason):
        client.authenticate_with_code(
            idp.new_code(nonce="nonce-1"), REDIRECT, CodeAuthenticationOptions(nonce="nonce-1")
        )


def test_id_token_signed_by_an_unpublished_key_is_refused(
    idp: FakeIdP, client: OAuthClient, rsa_key_2: TestKey
) -> None:
    idp.signer = rsa_key_2  # signs with a key that /keys does not publish
    with pytest.raises(errors.TokenValidationError, match="kid"):
        client.authenticate_with_code(idp.new_code(), REDIRECT)


def test_missing_nonce_and_missing_id_token_are_refused(idp: FakeIdP, client: OAuthClient) -> None:
    with pytest.raises(errors.TokenValidationError, match="no 'nonce'"):
        client.authenticate_with_code(idp.new_code(), REDIRECT, CodeAuthenticationOptions(nonce="n"))
    idp.issue_id_token = False
    with pytest.raises(errors.TokenValidationError, match="no id_token"):
        client.authenticate_with_code(idp.new_code(), REDIRECT)


def test_refresh_rotates_and_a_consumed_token_is_refused(idp: FakeIdP, client: OAuthClient) -> None:
    first = client.authenticate_with_code(idp.new_code(), REDIRECT)
    assert first.refresh_token is not None
    second = client.refresh_access_token(first.refresh_token)
    assert second.refresh_token not in (None, first.refresh_token)
    assert second.access_token != first.access_token
    assert idp.forms[-1] == {
        "grant_type": "refresh_token",
        "refresh_token": first.refresh_token,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    with pytest.raises(errors.OAuthError) as info:
        client.refresh_access_token(first.refresh_token)
    assert info.value.error == "invalid_grant"
    assert first.refresh_token not in str(info.value)


def test_access_token_validation_with_scopes(idp: FakeIdP, client: OAuthClient) -> None:
    token = idp.access_token("openid read:users")
    claims = client.validate_token(token, TokenValidationOptions(required_scopes=["read:users"]))
    assert claims["sub"] == "usr_1"
    assert (
        client.validate_access_token(token, TokenValidationOptions(required_scopes=["write:users"])) is False
    )
    assert client.validate_access_token(token, TokenValidationOptions(audience="api://other")) is False
    assert client.validate_access_token(token, TokenValidationOptions(audience=[])) is True
    assert idp.hits["/keys"] == 1  # cached across validations


def test_key_rotation_is_picked_up_and_garbage_kids_do_not_hammer(
    idp: FakeIdP, client: OAuthClient, rsa_key: TestKey, rsa_key_2: TestKey
) -> None:
    client.jwks_cache = JwksCache(clock=lambda: 1000.0)  # frozen: no real time passes
    assert client.validate_access_token(idp.access_token()) is True
    idp.keys = [rsa_key_2, rsa_key]  # rotation: new key published, old one kept
    idp.signer = rsa_key_2
    assert client.validate_access_token(idp.access_token()) is True  # unknown kid -> one refetch
    assert idp.hits["/keys"] == 2
    for i in range(20):
        forged = rsa_key.sign({"iss": ENV_URL, "aud": CLIENT_ID, "exp": NOW + 60}, kid=f"garbage-{i}")
        assert client.validate_access_token(forged) is False
    assert idp.hits["/keys"] == 2  # rate-limited: the refetch just happened


def test_idp_initiated_login_claims(idp: FakeIdP, client: OAuthClient) -> None:
    token = idp.signer.sign(
        {
            "iss": ENV_URL,
            "aud": CLIENT_ID,
            "exp": NOW + 60,
            "connection_id": "conn_1",
            "organization_id": "org_1",
            "login_hint": "ada@example.com",
            "relay_state": "rs",
        }
    )
    claims = client.get_idp_initiated_login_claims(token)
    assert (claims.connection_id, claims.organization_id, claims.login_hint, claims.relay_state) == (
        "conn_1",
        "org_1",
        "ada@example.com",
        "rs",
    )


def test_introspect_revoke_userinfo(idp: FakeIdP, client: OAuthClient) -> None:
    token = idp.access_token()
    info = client.introspect_token(token, token_type_hint="access_token")
    assert info.active
    assert info.client_id == CLIENT_ID
    assert info.aud == (CLIENT_ID,)
    assert idp.forms[-1]["token_type_hint"] == "access_token"
    assert client.get_user_info(token).email == "ada@example.com"
    assert idp.last("/userinfo").headers["authorization"] == f"Bearer {token}"
    client.revoke_token(token)
    assert idp.revoked == [token]
    assert "token_type_hint" not in idp.forms[-1]
    assert client.introspect_token(token).active is False
    with pytest.raises(errors.OAuthError) as info_err:
        client.get_user_info(token)
    assert info_err.value.http_status == 401


def test_discovery_is_cached(idp: FakeIdP, client: OAuthClient) -> None:
    doc = client.discover()
    assert doc.issuer == ENV_URL
    assert doc.code_challenge_methods_supported == ("S256",)
    assert client.discover() is doc
    assert idp.hits["/.well-known/openid-configuration"] == 1
    client.discover(refresh=True)
    assert idp.hits["/.well-known/openid-configuration"] == 2


@pytest.mark.parametrize(
    ("status", "body", "error_type"),
    [
        (400, b'{"error": "invalid_request"}', errors.OAuthError),
        (401, b'{"error": "invalid_client"}', errors.OAuthError),
        (429, b"", errors.RateLimitError),
        (500, b"oops", errors.ServerError),
        (503, b"", errors.ServiceUnavailableError),
    ],
)
def test_error_answers_are_mapped(
    idp: FakeIdP, client: OAuthClient, status: int, body: bytes, error_type: type[Exception]
) -> None:
    idp.fail["/oauth/token"] = (status, body)
    with pytest.raises(error_type):
        client.refresh_access_token("rt-x")


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"token_type": "Bearer"}'])
def test_malformed_success_answers_are_server_errors(idp: FakeIdP, client: OAuthClient, body: bytes) -> None:
    idp.fail["/oauth/token"] = (200, body)
    with pytest.raises(errors.ServerError, match="token endpoint"):
        client.refresh_access_token("rt-x")


def test_transport_failures_never_leak_httpx_exceptions() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    for handler, error_type in ((refuse, errors.APIConnectionError), (slow, errors.APITimeoutError)):
        http = httpx.Client(transport=httpx.MockTransport(handler))
        with OAuthClient(ENV_URL, CLIENT_ID, CLIENT_SECRET, http_client=http) as oauth:
            with pytest.raises(error_type) as info:
                oauth.refresh_access_token("rt-x")
            assert isinstance(info.value.__cause__, httpx.HTTPError)
            with pytest.raises(error_type):
                oauth.validate_token(idp_token_stub())


def idp_token_stub() -> str:
    import base64
    import json

    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": "k"}).encode()).rstrip(b"=").decode()
    return f"{header}.e30.c2ln"


def test_secrets_never_in_repr_or_errors(idp: FakeIdP, client: OAuthClient) -> None:
    assert CLIENT_SECRET not in repr(client)
    assert CLIENT_SECRET not in str(vars(client).get("client_secret"))
    assert repr(client) == f"OAuthClient(env_url={ENV_URL!r}, client_id={CLIENT_ID!r})"
    idp.fail["/oauth/token"] = (401, b'{"error": "invalid_client"}')
    with pytest.raises(errors.OAuthError) as info:
        client.refresh_access_token("rt-secret-value")
    assert CLIENT_SECRET not in str(info.value)
    assert "rt-secret-value" not in str(info.value)


def test_constructor_validation_and_closed_client() -> None:
    with pytest.raises(ValueError, match="env_url"):
        OAuthClient("acme.scalekit.dev", CLIENT_ID, CLIENT_SECRET)
    with pytest.raises(ValueError, match="client_id"):
        OAuthClient(ENV_URL, "", CLIENT_SECRET)
    with pytest.raises(ValueError, match="client_secret"):
        OAuthClient(ENV_URL, CLIENT_ID, "")
    oauth = OAuthClient(ENV_URL + "/", CLIENT_ID, CLIENT_SECRET)
    assert oauth.env_url == ENV_URL
    oauth.close()
    oauth.close()
    with pytest.raises(RuntimeError, match="closed"):
        oauth.refresh_access_token("rt")


# -- async twin -----------------------------------------------------------------------------------
async def test_async_full_flow(idp: FakeIdP, aclient: AsyncOAuthClient) -> None:
    verifier, challenge = generate_pkce_pair()
    url = aclient.get_authorization_url(REDIRECT, AuthorizationUrlOptions(code_challenge=challenge))
    assert f"code_challenge={challenge}" in url
    result = await aclient.authenticate_with_code(
        idp.new_code(nonce="n", verifier=verifier),
        REDIRECT,
        CodeAuthenticationOptions(code_verifier=verifier, nonce="n"),
    )
    assert result.user.id == "usr_1"
    assert result.refresh_token is not None
    assert (await aclient.validate_token(result.access_token))["sub"] == "usr_1"
    assert (
        await aclient.validate_access_token(result.access_token, TokenValidationOptions(audience="x"))
        is False
    )
    rotated = await aclient.refresh_access_token(result.refresh_token)
    assert rotated.refresh_token != result.refresh_token
    with pytest.raises(errors.OAuthError, match="invalid_grant"):
        await aclient.refresh_access_token(result.refresh_token)
    assert (await aclient.introspect_token(rotated.access_token)).active is True
    await aclient.revoke_token(rotated.access_token, "access_token")
    assert (await aclient.introspect_token(rotated.access_token)).active is False
    assert (await aclient.discover()).issuer == ENV_URL
    idp.id_token_overrides = {"nonce": "evil"}
    with pytest.raises(errors.TokenValidationError, match="nonce"):
        await aclient.authenticate_with_code(idp.new_code(), REDIRECT, CodeAuthenticationOptions(nonce="n"))


async def test_async_userinfo_idp_claims_and_errors(idp: FakeIdP, aclient: AsyncOAuthClient) -> None:
    token = idp.access_token()
    assert (await aclient.get_user_info(token)).id == "usr_1"
    idp_token = idp.signer.sign(
        {"iss": ENV_URL, "aud": CLIENT_ID, "exp": NOW + 60, "connection_id": "conn_1"}
    )
    assert (await aclient.get_idp_initiated_login_claims(idp_token)).connection_id == "conn_1"
    idp.fail["/oauth/introspect"] = (503, b"")
    with pytest.raises(errors.ServiceUnavailableError):
        await aclient.introspect_token(token)


async def test_async_transport_failure_is_mapped() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    async with AsyncOAuthClient(ENV_URL, CLIENT_ID, CLIENT_SECRET, http_client=http) as oauth:
        with pytest.raises(errors.APIConnectionError):
            await oauth.discover()
    await http.aclose()
    closed = AsyncOAuthClient(ENV_URL, CLIENT_ID, CLIENT_SECRET)
    await closed.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await closed.discover()
