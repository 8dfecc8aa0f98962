"""End to end: the OAuth clients, sync and async, against a running emulator.

One test body drives both flavours (``_r`` awaits what the async client returns and passes the sync
client's results through). The browser is an ``httpx.Client`` that does not follow redirects: it reads
``Location`` from ``/oauth/authorize`` and ``/oidc/logout``, as a real browser's address bar would.
Requests are counted twice: by the emulator (``emu.counters``, token requests by grant and status) and
by the SDK's own httpx client (paths it sent, to count JWKS fetches).
"""

from __future__ import annotations

import inspect
import secrets
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import grpc
import httpx
import jwt
import pytest

from scalekit_api.v1.sessions import sessions_pb2, sessions_pb2_grpc
from scalekit_py import errors
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.seed import Seeded
from scalekit_py.oauth import (
    AsyncOAuthClient,
    AuthenticationResponse,
    AuthorizationUrlOptions,
    CodeAuthenticationOptions,
    LogoutUrlOptions,
    OAuthClient,
    TokenResponse,
    TokenValidationOptions,
    generate_pkce_pair,
)

REDIRECT = "http://127.0.0.1:8765/callback"
SIGNED_OUT = "http://127.0.0.1:8765/signed-out"
SCOPES = ("openid", "profile", "email", "offline_access")

T = TypeVar("T")
Client = OAuthClient | AsyncOAuthClient


async def _r(value: Awaitable[T] | T) -> T:
    """The result of a call on either client: awaited for the async one, as is for the sync one."""
    if inspect.isawaitable(value):
        return cast(T, await value)
    return value


class Flavour:
    """Makes OAuth clients of one flavour and records the paths they request."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.paths: list[str] = []
        self._sync: list[httpx.Client] = []
        self._async: list[httpx.AsyncClient] = []

    def __repr__(self) -> str:
        return f"Flavour({self.name})"

    def _record(self, request: httpx.Request) -> None:
        self.paths.append(request.url.path)

    async def _arecord(self, request: httpx.Request) -> None:
        self.paths.append(request.url.path)

    def client(self, emu: Emulator, client_secret: str | None = None, **options: Any) -> Client:
        """A client of ``emu``'s admin application (``client_secret`` overrides the right one)."""
        secret = client_secret or emu.client_secret
        if self.name == "sync":
            http = httpx.Client(timeout=10, event_hooks={"request": [self._record]})
            self._sync.append(http)
            return OAuthClient(emu.env_url, emu.client_id, secret, http_client=http, **options)
        ahttp = httpx.AsyncClient(timeout=10, event_hooks={"request": [self._arecord]})
        self._async.append(ahttp)
        return AsyncOAuthClient(emu.env_url, emu.client_id, secret, http_client=ahttp, **options)

    def fetches(self, path: str) -> int:
        return self.paths.count(path)

    async def aclose(self) -> None:
        for http in self._sync:
            http.close()
        for ahttp in self._async:
            await ahttp.aclose()


@pytest.fixture(params=["sync", "async"])
async def flavour(request: pytest.FixtureRequest) -> AsyncIterator[Flavour]:
    made = Flavour(str(request.param))
    yield made
    await made.aclose()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh_counters(request: pytest.FixtureRequest) -> None:
    if "emu" in request.fixturenames:
        emulator = request.getfixturevalue("emu")
        emulator.faults.clear()
        emulator.counters.reset()


def _seeded(emu: Emulator) -> Seeded:
    assert emu.seeded is not None
    return emu.seeded


@dataclass(frozen=True)
class Login:
    """A completed ``/oauth/authorize`` round trip: the code and what the app kept to redeem it."""

    code: str
    verifier: str
    nonce: str
    state: str

    def options(self) -> CodeAuthenticationOptions:
        return CodeAuthenticationOptions(code_verifier=self.verifier, nonce=self.nonce)


def _query(location: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def _browse(url: str) -> httpx.Response:
    """GET ``url`` from a fresh browser (no cookies) that does not follow redirects."""
    with httpx.Client(follow_redirects=False) as browser:
        return browser.get(url)


def _authorize(client: Client, email: str) -> Login:
    """Sign ``email`` in with PKCE, state and nonce; the code comes back in ``Location``."""
    verifier, challenge = generate_pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    url = client.get_authorization_url(
        REDIRECT,
        AuthorizationUrlOptions(
            scopes=SCOPES, state=state, nonce=nonce, login_hint=email, code_challenge=challenge
        ),
    )
    query = _query(url)
    assert query["code_challenge_method"] == "S256"
    assert query["nonce"] == nonce
    reply = _browse(url)
    assert reply.status_code == 302, reply.text
    location = reply.headers["location"]
    assert location.startswith(REDIRECT + "?")
    back = _query(location)
    assert back["state"] == state
    return Login(code=back["code"], verifier=verifier, nonce=nonce, state=state)


def _rt(tokens: AuthenticationResponse | TokenResponse) -> str:
    """The refresh token of an answer that must have one."""
    assert tokens.refresh_token is not None
    return tokens.refresh_token


async def _sign_in(client: Client, email: str) -> AuthenticationResponse:
    login = _authorize(client, email)
    return await _r(client.authenticate_with_code(login.code, REDIRECT, login.options()))


def _session_status(emu: Emulator, session_id: str) -> str:
    """The login session's status as SessionService reports it, through the generated stub."""
    with grpc.insecure_channel(emu.grpc_target) as channel:
        session = sessions_pb2_grpc.SessionServiceStub(channel).GetSession(
            sessions_pb2.SessionDetailsRequest(session_id=session_id),
            metadata=(("authorization", f"Bearer {emu.access_token()}"),),
            timeout=10,
        )
    return session.status


async def _expect_oauth_error(call: Callable[[], Any], error: str, status: int) -> errors.OAuthError:
    """Run ``call`` (a call on either client, deferred) and check the OAuth error it raises."""
    with pytest.raises(errors.OAuthError) as caught:
        await _r(call())
    assert caught.value.error == error
    assert caught.value.http_status == status
    return caught.value


# -- the login flow ------------------------------------------------------------------------------------


async def test_code_exchange_validation_rotation_and_reuse_detection(flavour: Flavour, emu: Emulator) -> None:
    seeded = _seeded(emu)
    client = flavour.client(emu)
    login = _authorize(client, seeded.admin_email)
    result = await _r(client.authenticate_with_code(login.code, REDIRECT, login.options()))

    assert result.user.id == seeded.admin_user_id
    assert result.user.email == seeded.admin_email
    assert (result.user.given_name, result.user.family_name) == ("Ada", "Admin")
    assert result.organization_id == seeded.organization_id
    assert result.claims["nonce"] == login.nonce
    assert result.claims["aud"] == emu.client_id
    assert result.expires_in == emu.token_ttl
    assert result.refresh_token is not None
    assert emu.counters.token_requests("authorization_code", 200) == 1
    assert flavour.fetches("/keys") == 1  # the ID token was verified against the JWKS

    claims = await _r(client.validate_token(result.access_token))
    assert claims["sub"] == seeded.admin_user_id
    assert claims["iss"] == emu.env_url
    id_claims = await _r(client.validate_token(result.id_token))
    assert id_claims["nonce"] == login.nonce
    granted = TokenValidationOptions(required_scopes=["openid", "offline_access"])
    assert await _r(client.validate_access_token(result.access_token, granted)) is True
    missing = TokenValidationOptions(required_scopes=["openid", "users:delete"])
    assert await _r(client.validate_access_token(result.access_token, missing)) is False
    other_audience = TokenValidationOptions(audience="skc_someone_else")
    assert await _r(client.validate_access_token(result.access_token, other_audience)) is False
    assert flavour.fetches("/keys") == 1  # cached

    refreshed = await _r(client.refresh_access_token(result.refresh_token))
    assert refreshed.refresh_token is not None
    assert refreshed.refresh_token != result.refresh_token  # rotated
    assert refreshed.access_token != result.access_token
    assert refreshed.expires_in == emu.token_ttl
    assert (await _r(client.validate_token(refreshed.access_token)))["sub"] == seeded.admin_user_id
    assert emu.counters.token_requests("refresh_token", 200) == 1

    # Replaying the consumed refresh token is detected: the whole family is revoked.
    await _expect_oauth_error(lambda: client.refresh_access_token(_rt(result)), "invalid_grant", 400)
    await _expect_oauth_error(lambda: client.refresh_access_token(_rt(refreshed)), "invalid_grant", 400)
    assert emu.counters.token_requests("refresh_token", 400) == 2
    assert emu.counters.token_requests("refresh_token", 200) == 1
    assert (await _r(client.introspect_token(refreshed.access_token))).active is False
    assert (await _r(client.introspect_token(refreshed.refresh_token, "refresh_token"))).active is False
    assert _session_status(emu, str(result.claims["sid"])) == "REVOKED"


async def test_replayed_code_is_refused_and_revokes_what_it_produced(flavour: Flavour, emu: Emulator) -> None:
    client = flavour.client(emu)
    login = _authorize(client, _seeded(emu).member_email)
    result = await _r(client.authenticate_with_code(login.code, REDIRECT, login.options()))
    assert result.refresh_token is not None
    assert (await _r(client.introspect_token(result.access_token))).active is True

    await _expect_oauth_error(
        lambda: client.authenticate_with_code(login.code, REDIRECT, login.options()), "invalid_grant", 400
    )
    assert (await _r(client.introspect_token(result.access_token))).active is False
    await _expect_oauth_error(lambda: client.refresh_access_token(_rt(result)), "invalid_grant", 400)
    assert emu.counters.token_requests("authorization_code", 200) == 1
    assert emu.counters.token_requests("authorization_code", 400) == 1


async def test_revoke_then_introspect_inactive(flavour: Flavour, emu: Emulator) -> None:
    seeded = _seeded(emu)
    client = flavour.client(emu)
    result = await _sign_in(client, seeded.member_email)
    assert result.refresh_token is not None

    access = await _r(client.introspect_token(result.access_token, "access_token"))
    assert access.active is True
    assert access.sub == seeded.member_user_id
    assert access.client_id == emu.client_id
    assert access.scope is not None
    assert set(access.scope.split()) == set(SCOPES)
    refresh = await _r(client.introspect_token(result.refresh_token, "refresh_token"))
    assert (refresh.active, refresh.token_type) == (True, "refresh_token")

    await _r(client.revoke_token(result.access_token, "access_token"))
    assert (await _r(client.introspect_token(result.access_token))).active is False
    assert (await _r(client.introspect_token(result.refresh_token))).active is True

    await _r(client.revoke_token(result.refresh_token, "refresh_token"))
    assert (await _r(client.introspect_token(result.refresh_token))).active is False
    await _expect_oauth_error(lambda: client.refresh_access_token(_rt(result)), "invalid_grant", 400)

    await _r(client.revoke_token("not-a-token-the-server-knows"))  # RFC 7009: not an error


async def test_userinfo_then_logout_ends_the_session(flavour: Flavour, emu: Emulator) -> None:
    seeded = _seeded(emu)
    client = flavour.client(emu)
    result = await _sign_in(client, seeded.admin_email)
    assert result.refresh_token is not None
    sid = str(result.claims["sid"])

    user = await _r(client.get_user_info(result.access_token))
    assert (user.id, user.email, user.given_name) == (seeded.admin_user_id, seeded.admin_email, "Ada")
    assert _session_status(emu, sid) == "ACTIVE"

    url = client.get_logout_url(
        LogoutUrlOptions(id_token_hint=result.id_token, post_logout_redirect_uri=SIGNED_OUT, state="bye")
    )
    reply = _browse(url)
    assert reply.status_code == 302, reply.text
    assert reply.headers["location"] == f"{SIGNED_OUT}?state=bye"

    assert _session_status(emu, sid) == "LOGOUT"
    await _expect_oauth_error(lambda: client.get_user_info(result.access_token), "invalid_token", 401)
    assert (await _r(client.introspect_token(result.access_token))).active is False
    await _expect_oauth_error(lambda: client.refresh_access_token(_rt(result)), "invalid_grant", 400)


async def test_discovery_matches_the_environment(flavour: Flavour, emu: Emulator) -> None:
    client = flavour.client(emu)
    document = await _r(client.discover())
    assert document.issuer == emu.env_url
    assert document.token_endpoint == f"{emu.env_url}/oauth/token"
    assert document.jwks_uri == f"{emu.env_url}/keys"
    assert "S256" in document.code_challenge_methods_supported
    assert await _r(client.discover()) is document  # cached
    assert flavour.fetches("/.well-known/openid-configuration") == 1


# -- refusals ----------------------------------------------------------------------------------------------


async def test_wrong_or_missing_pkce_verifier_is_invalid_grant(flavour: Flavour, emu: Emulator) -> None:
    client = flavour.client(emu)
    login = _authorize(client, _seeded(emu).admin_email)
    other_verifier, _ = generate_pkce_pair()
    wrong = await _expect_oauth_error(
        lambda: client.authenticate_with_code(
            login.code, REDIRECT, CodeAuthenticationOptions(code_verifier=other_verifier)
        ),
        "invalid_grant",
        400,
    )
    assert "code_verifier" in (wrong.error_description or "")
    await _expect_oauth_error(
        lambda: client.authenticate_with_code(login.code, REDIRECT), "invalid_grant", 400
    )
    assert emu.counters.token_requests("authorization_code", 400) == 2
    assert emu.counters.token_requests("authorization_code", 200) == 0


async def test_wrong_nonce_is_a_token_validation_error(flavour: Flavour, emu: Emulator) -> None:
    client = flavour.client(emu)
    login = _authorize(client, _seeded(emu).admin_email)
    options = CodeAuthenticationOptions(code_verifier=login.verifier, nonce="not-the-nonce-we-sent")
    with pytest.raises(errors.TokenValidationError, match="nonce"):
        await _r(client.authenticate_with_code(login.code, REDIRECT, options))


async def test_bad_client_secret_is_invalid_client(flavour: Flavour, emu: Emulator) -> None:
    client = flavour.client(emu, client_secret="test_not-the-secret")
    login = _authorize(client, _seeded(emu).admin_email)
    exc = await _expect_oauth_error(
        lambda: client.authenticate_with_code(login.code, REDIRECT, login.options()), "invalid_client", 401
    )
    assert "test_not-the-secret" not in str(exc)
    await _expect_oauth_error(lambda: client.refresh_access_token("rt_whatever"), "invalid_client", 401)
    await _expect_oauth_error(lambda: client.introspect_token("whatever"), "invalid_client", 401)
    assert emu.counters.token_requests(status=401) == 2

    # The code was not consumed by the refused request: the right client can still redeem it.
    good = flavour.client(emu)
    result = await _r(good.authenticate_with_code(login.code, REDIRECT, login.options()))
    assert result.user.email == _seeded(emu).admin_email


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (500, errors.ServerError),
        (503, errors.ServiceUnavailableError),
        (429, errors.RateLimitError),
    ],
)
async def test_token_endpoint_faults_map_to_typed_errors(
    flavour: Flavour, emu: Emulator, status: int, error_type: type[errors.APIError]
) -> None:
    client = flavour.client(emu)
    login = _authorize(client, _seeded(emu).admin_email)
    emu.faults.set(token_error_next=1, token_error_status=status)
    with pytest.raises(error_type) as caught:
        await _r(client.authenticate_with_code(login.code, REDIRECT, login.options()))
    assert type(caught.value) is error_type
    assert caught.value.http_status == status
    assert emu.counters.token_requests("authorization_code", status) == 1

    # The injected failure consumed nothing: the same code, and then the refresh token, still work.
    result = await _r(client.authenticate_with_code(login.code, REDIRECT, login.options()))
    assert result.refresh_token is not None
    emu.faults.set(token_error_next=1, token_error_status=status)
    with pytest.raises(error_type):
        await _r(client.refresh_access_token(result.refresh_token))
    refreshed = await _r(client.refresh_access_token(result.refresh_token))
    assert refreshed.refresh_token not in (None, result.refresh_token)
    assert emu.counters.token_requests(status=status) == 2
    assert emu.counters.token_requests(status=200) == 2


# -- signing key rotation ---------------------------------------------------------------------------------


class _Clock:
    """The wall clock of one emulator and the clients checking its tokens, moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def test_key_rotation_is_picked_up_without_restart(flavour: Flavour) -> None:
    clock = _Clock()
    with Emulator(token_ttl=60) as emu:
        emu.state.clock = clock
        client = flavour.client(emu, clock=clock)
        old_token = emu.access_token(["read"])
        old_kid = jwt.get_unverified_header(old_token)["kid"]
        assert (await _r(client.validate_token(old_token)))["sub"] == emu.client_id
        assert flavour.fetches("/keys") == 1

        clock.now += 30
        new_kid = emu.rotate_signing_key()
        new_token = emu.access_token(["read"])
        assert jwt.get_unverified_header(new_token)["kid"] == new_kid != old_kid
        assert await _r(client.validate_access_token(new_token)) is True
        assert flavour.fetches("/keys") == 2  # one refetch for the unknown kid
        assert await _r(client.validate_access_token(old_token)) is True  # the old key is still cached
        assert await _r(client.validate_access_token(new_token)) is True
        assert flavour.fetches("/keys") == 2

        # A login after the rotation: its ID token is signed by the new key, verified from the cache.
        result = await _sign_in(client, _seeded(emu).admin_email)
        assert jwt.get_unverified_header(result.id_token)["kid"] == new_kid
        assert flavour.fetches("/keys") == 2

        # A client that starts now still gets the old key: it stays published until its tokens expire.
        fresh = flavour.client(emu, clock=clock)
        assert await _r(fresh.validate_access_token(old_token)) is True

        clock.now += 31  # the old token has expired; the new one has not
        with pytest.raises(errors.TokenValidationError, match="expired"):
            await _r(client.validate_token(old_token))
        assert await _r(client.validate_access_token(new_token)) is True

        clock.now += 30  # every token of the old key has expired: it left the JWKS
        later = flavour.client(emu, clock=clock)
        with pytest.raises(errors.TokenValidationError, match="kid"):
            await _r(later.validate_token(old_token))


async def test_refreshed_id_token_keeps_the_original_auth_time(flavour: Flavour) -> None:
    # OIDC Core §12.2: auth_time in a refreshed id token is that of the original authentication.
    clock = _Clock()
    with Emulator() as emu:
        emu.state.clock = clock
        client = flavour.client(emu, clock=clock)
        result = await _sign_in(client, _seeded(emu).admin_email)
        clock.now += 100
        refreshed = await _r(client.refresh_access_token(_rt(result)))
        assert refreshed.id_token is not None
        claims = await _r(client.validate_token(refreshed.id_token))
        assert claims["auth_time"] == result.claims["auth_time"]
        assert claims["iat"] >= result.claims["iat"] + 100
