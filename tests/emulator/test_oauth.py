"""OAuth 2.0 / OIDC endpoints of the emulator, end to end over HTTP (and gRPC where tokens meet it)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import jwt
import pytest

from scalekit_api.v1.connections import connections_pb2
from scalekit_api.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.sessions import sessions_pb2, sessions_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.store import new_id

REDIRECT = "http://localhost:8765/callback"
USER_SCOPES = "openid profile email offline_access"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _query(location: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


@pytest.fixture
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.env_url) as client:
        yield client


def _authorize(http: httpx.Client, emu: Emulator, **params: str) -> httpx.Response:
    query = {
        "response_type": "code",
        "client_id": emu.client_id,
        "redirect_uri": REDIRECT,
        "scope": USER_SCOPES,
        "state": "st-1",
        **params,
    }
    return http.get("/oauth/authorize", params={k: v for k, v in query.items() if v is not None})


def _login(
    http: httpx.Client, emu: Emulator, email: str = "admin@example.com", **params: str
) -> tuple[str, str]:
    """(code, verifier) of a completed PKCE login."""
    verifier, challenge = _pkce()
    reply = _authorize(
        http, emu, login_hint=email, code_challenge=challenge, code_challenge_method="S256", **params
    )
    assert reply.status_code == 302, reply.text
    query = _query(reply.headers["location"])
    assert query["state"] == "st-1"
    return query["code"], verifier


def _token(http: httpx.Client, emu: Emulator, **form: str) -> httpx.Response:
    return http.post("/oauth/token", data=form, auth=(emu.client_id, emu.client_secret))


def _tokens(http: httpx.Client, emu: Emulator, **params: str) -> dict[str, Any]:
    code, verifier = _login(http, emu, **params)
    reply = _token(
        http, emu, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _verify(http: httpx.Client, token: str, audience: str) -> dict[str, Any]:
    """Verify a JWT against the emulator's JWKS and discovery issuer, as a relying party would."""
    issuer = http.get("/.well-known/openid-configuration").json()["issuer"]
    jwks = jwt.PyJWKSet.from_dict(http.get("/keys").json())
    key = jwks[jwt.get_unverified_header(token)["kid"]]
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256"], audience=audience, issuer=issuer)
    return claims


def _introspect(http: httpx.Client, emu: Emulator, token: str) -> dict[str, Any]:
    reply = http.post("/oauth/introspect", data={"token": token}, auth=(emu.client_id, emu.client_secret))
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _assert_error(reply: httpx.Response, status: int, error: str) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.headers["cache-control"] == "no-store"
    body = reply.json()
    assert body["error"] == error
    assert isinstance(body["error_description"], str)


# -- discovery and client credentials ------------------------------------------------------------------


def test_discovery_document(emulator: Emulator, http: httpx.Client) -> None:
    doc = http.get("/.well-known/openid-configuration").json()
    assert doc["issuer"] == emulator.env_url
    assert doc["token_endpoint"] == f"{emulator.env_url}/oauth/token"
    assert doc["jwks_uri"] == f"{emulator.env_url}/keys"
    assert doc["end_session_endpoint"] == f"{emulator.env_url}/oidc/logout"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert http.get(doc["jwks_uri"]).json()["keys"][0]["alg"] == "RS256"


@pytest.mark.parametrize("method", ["basic", "form"])
def test_client_credentials(emulator: Emulator, http: httpx.Client, method: str) -> None:
    form = {"grant_type": "client_credentials", "scope": "organizations:read users:read"}
    if method == "basic":
        reply = http.post("/oauth/token", data=form, auth=(emulator.client_id, emulator.client_secret))
    else:
        form |= {"client_id": emulator.client_id, "client_secret": emulator.client_secret}
        reply = http.post("/oauth/token", data=form)
    assert reply.status_code == 200
    assert reply.headers["cache-control"] == "no-store"
    body = reply.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert "refresh_token" not in body
    claims = _verify(http, body["access_token"], emulator.client_id)
    assert claims["sub"] == claims["client_id"] == emulator.client_id
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["scope"] == "organizations:read users:read"
    assert claims["scopes"] == ["organizations:read", "users:read"]
    # ... and the admin API accepts it.
    with grpc.insecure_channel(emulator.grpc_target) as channel:
        reply_msg = domains_pb2_grpc.DomainServiceStub(channel).ListDomains(
            domains_pb2.ListDomainRequest(
                organization_id=emulator.seeded.organization_id if emulator.seeded else ""
            ),
            metadata=(("authorization", f"Bearer {body['access_token']}"),),
        )
    assert [d.domain for d in reply_msg.domains] == ["acme.example.com"]


def test_token_requests_are_counted(emulator: Emulator, http: httpx.Client) -> None:
    before_ok = emulator.counters.token_requests("client_credentials", 200)
    before_bad = emulator.counters.token_requests(status=401)
    _token(http, emulator, grant_type="client_credentials")
    http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(emulator.client_id, "wrong"))
    assert emulator.counters.token_requests("client_credentials", 200) == before_ok + 1
    assert emulator.counters.token_requests(status=401) == before_bad + 1


def test_client_authentication_errors(emulator: Emulator, http: httpx.Client) -> None:
    cc = {"grant_type": "client_credentials"}
    wrong = http.post("/oauth/token", data=cc, auth=(emulator.client_id, "not-the-secret"))
    _assert_error(wrong, 401, "invalid_client")
    assert wrong.headers["www-authenticate"].startswith("Basic")
    _assert_error(http.post("/oauth/token", data=cc), 401, "invalid_client")
    _assert_error(http.post("/oauth/token", data=cc, auth=("skc_unknown", "x")), 401, "invalid_client")
    both = http.post(
        "/oauth/token",
        data={**cc, "client_id": emulator.client_id, "client_secret": emulator.client_secret},
        auth=(emulator.client_id, emulator.client_secret),
    )
    _assert_error(both, 400, "invalid_request")
    _assert_error(_token(http, emulator, grant_type="password"), 400, "unsupported_grant_type")
    _assert_error(_token(http, emulator), 400, "invalid_request")
    as_json = http.post("/oauth/token", json=cc, auth=(emulator.client_id, emulator.client_secret))
    _assert_error(as_json, 400, "invalid_request")
    repeated = http.post(
        "/oauth/token",
        content="grant_type=client_credentials&grant_type=client_credentials",
        headers={"content-type": "application/x-www-form-urlencoded"},
        auth=(emulator.client_id, emulator.client_secret),
    )
    _assert_error(repeated, 400, "invalid_request")


# -- authorization code + PKCE -------------------------------------------------------------------------


def test_authorization_code_with_pkce(
    emulator: Emulator, http: httpx.Client, grpc_channel: grpc.Channel
) -> None:
    assert emulator.seeded is not None
    tokens = _tokens(http, emulator, nonce="n-123")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["refresh_token"]
    id_claims = _verify(http, tokens["id_token"], emulator.client_id)
    assert id_claims["sub"] == emulator.seeded.admin_user_id
    assert id_claims["nonce"] == "n-123"
    assert id_claims["email"] == "admin@example.com"
    assert id_claims["name"] == "Ada Admin"
    assert id_claims["oid"] == emulator.seeded.organization_id
    access = _verify(http, tokens["access_token"], emulator.client_id)
    assert access["sub"] == emulator.seeded.admin_user_id
    assert access["sid"] == id_claims["sid"]
    assert access["roles"] == ["admin"]
    assert set(access["permissions"]) == set(emulator.seeded.permissions)
    assert access["scope"] == USER_SCOPES
    # The login is a session the admin API sees.
    session = sessions_pb2_grpc.SessionServiceStub(grpc_channel).GetSession(
        sessions_pb2.SessionDetailsRequest(session_id=id_claims["sid"])
    )
    assert session.user_id == emulator.seeded.admin_user_id
    assert session.status == "ACTIVE"


def test_no_refresh_token_without_offline_access(emulator: Emulator, http: httpx.Client) -> None:
    tokens = _tokens(http, emulator, scope="openid email")
    assert "refresh_token" not in tokens
    assert tokens["id_token"]
    assert "id_token" not in _tokens(http, emulator, scope="profile offline_access")


def test_pkce_failures(emulator: Emulator, http: httpx.Client) -> None:
    code, _ = _login(http, emulator)
    wrong = _token(
        http,
        emulator,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier="x" * 43,
    )
    _assert_error(wrong, 400, "invalid_grant")
    code, _ = _login(http, emulator)
    missing = _token(http, emulator, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    _assert_error(missing, 400, "invalid_grant")
    # A verifier for a code that had no challenge is a downgrade attempt.
    reply = _authorize(http, emulator, login_hint="admin@example.com")
    plain_code = _query(reply.headers["location"])["code"]
    verifier, _ = _pkce()
    downgrade = _token(
        http,
        emulator,
        grant_type="authorization_code",
        code=plain_code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )
    _assert_error(downgrade, 400, "invalid_grant")


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"code_challenge": "a" * 43, "code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "a" * 43}, "invalid_request"),
        ({"code_challenge": "short", "code_challenge_method": "S256"}, "invalid_request"),
        ({"code_challenge_method": "S256"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"organization_id": "org_0000000000"}, "invalid_request"),
        ({"connection_id": "conn_0000000000"}, "invalid_request"),
    ],
)
def test_authorize_errors_are_redirected(
    emulator: Emulator, http: httpx.Client, params: dict[str, str], error: str
) -> None:
    reply = _authorize(http, emulator, login_hint="admin@example.com", **params)
    assert reply.status_code == 302
    assert reply.headers["location"].startswith(REDIRECT)
    query = _query(reply.headers["location"])
    assert query["error"] == error
    assert query["state"] == "st-1"
    assert "code" not in query


def test_bad_client_or_redirect_uri_is_not_redirected(emulator: Emulator, http: httpx.Client) -> None:
    unknown = _authorize(http, emulator, client_id="skc_nobody", login_hint="admin@example.com")
    assert unknown.status_code == 400
    assert "location" not in unknown.headers
    elsewhere = _authorize(http, emulator, redirect_uri="https://evil.example.com/cb")
    assert elsewhere.status_code == 400
    assert "location" not in elsewhere.headers


def test_login_form_and_prompt(emulator: Emulator) -> None:
    with httpx.Client(base_url=emulator.env_url) as fresh:
        form = _authorize(fresh, emulator)
        assert form.status_code == 200
        assert "<form" in form.text
        assert "login_hint" in form.text
        unknown = _authorize(fresh, emulator, login_hint="nobody@example.com")
        assert unknown.status_code == 200
        assert "nobody@example.com" in unknown.text
        none = _authorize(fresh, emulator, prompt="none")
        assert _query(none.headers["location"])["error"] == "login_required"


def test_session_cookie_signs_in_again_without_a_hint(emulator: Emulator) -> None:
    with httpx.Client(base_url=emulator.env_url) as browser:
        first = _tokens(browser, emulator, email="member@example.com")
        again = _authorize(browser, emulator, prompt="none", scope="openid")
        assert again.status_code == 302
        code = _query(again.headers["location"])["code"]
        reply = _token(browser, emulator, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
        second = _verify(browser, reply.json()["id_token"], emulator.client_id)
        assert second["email"] == "member@example.com"
        assert second["sid"] == _verify(browser, first["id_token"], emulator.client_id)["sid"]
        forced = _authorize(browser, emulator, prompt="login")
        assert forced.status_code == 200  # the form: prompt=login ignores the session


def test_organization_and_connection_are_honoured(emulator: Emulator, http: httpx.Client) -> None:
    assert emulator.seeded is not None
    org_id = emulator.seeded.organization_id
    conn = connections_pb2.Connection(id=new_id("conn"), organization_id=org_id, enabled=True)
    with emulator.state.store.transaction() as tx:
        tx.insert("connection", conn.id, conn, parent=org_id)
    tokens = _tokens(http, emulator, connection_id=conn.id)
    claims = _verify(http, tokens["id_token"], emulator.client_id)
    assert claims["oid"] == org_id
    assert claims["amr"] == [conn.id]
    other = organizations_pb2.Organization(id=new_id("org"), display_name="Other")
    with emulator.state.store.transaction() as tx:
        tx.insert("organization", other.id, other)
    denied = _authorize(http, emulator, login_hint="admin@example.com", organization_id=other.id)
    assert _query(denied.headers["location"])["error"] == "access_denied"


def test_code_is_single_use_and_replay_revokes_its_tokens(emulator: Emulator, http: httpx.Client) -> None:
    code, verifier = _login(http, emulator)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    first = _token(http, emulator, **form).json()
    assert _introspect(http, emulator, first["access_token"])["active"] is True
    _assert_error(_token(http, emulator, **form), 400, "invalid_grant")
    assert _introspect(http, emulator, first["access_token"]) == {"active": False}
    _assert_error(
        _token(http, emulator, grant_type="refresh_token", refresh_token=first["refresh_token"]),
        400,
        "invalid_grant",
    )


def test_code_checks_redirect_uri_and_client(emulator: Emulator, http: httpx.Client) -> None:
    code, verifier = _login(http, emulator)
    wrong_uri = _token(
        http,
        emulator,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT + "x",
        code_verifier=verifier,
    )
    _assert_error(wrong_uri, 400, "invalid_grant")
    emulator.add_client("skc_other_app", "other-secret")
    code, verifier = _login(http, emulator)
    stolen = http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=("skc_other_app", "other-secret"),
    )
    _assert_error(stolen, 400, "invalid_grant")


# -- refresh tokens --------------------------------------------------------------------------------------


def test_refresh_rotates_and_reuse_revokes_the_family(
    emulator: Emulator, http: httpx.Client, grpc_channel: grpc.Channel
) -> None:
    first = _tokens(http, emulator)
    sid = _verify(http, first["access_token"], emulator.client_id)["sid"]
    second = _token(http, emulator, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert _verify(http, second["id_token"], emulator.client_id)["sid"] == sid
    third = _token(http, emulator, grant_type="refresh_token", refresh_token=second["refresh_token"]).json()
    assert _introspect(http, emulator, third["access_token"])["active"] is True
    # Replaying a consumed refresh token: refused, and every token of the family dies.
    replay = _token(http, emulator, grant_type="refresh_token", refresh_token=first["refresh_token"])
    _assert_error(replay, 400, "invalid_grant")
    latest = _token(http, emulator, grant_type="refresh_token", refresh_token=third["refresh_token"])
    _assert_error(latest, 400, "invalid_grant")
    for token in (second["access_token"], third["access_token"], third["refresh_token"]):
        assert _introspect(http, emulator, token) == {"active": False}
    session = sessions_pb2_grpc.SessionServiceStub(grpc_channel).GetSession(
        sessions_pb2.SessionDetailsRequest(session_id=sid)
    )
    assert session.status == "REVOKED"


def test_refresh_scope_and_client_checks(emulator: Emulator, http: httpx.Client) -> None:
    tokens = _tokens(http, emulator)
    narrowed = _token(
        http,
        emulator,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        scope="openid offline_access",
    )
    assert narrowed.status_code == 200
    assert narrowed.json()["scope"] == "openid offline_access"
    wider = _token(
        http,
        emulator,
        grant_type="refresh_token",
        refresh_token=narrowed.json()["refresh_token"],
        scope="openid admin",
    )
    _assert_error(wider, 400, "invalid_scope")
    emulator.add_client("skc_thief", "thief-secret")
    stolen = http.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": narrowed.json()["refresh_token"]},
        auth=("skc_thief", "thief-secret"),
    )
    _assert_error(stolen, 400, "invalid_grant")
    _assert_error(
        _token(http, emulator, grant_type="refresh_token", refresh_token="rt_bogus"), 400, "invalid_grant"
    )
    _assert_error(_token(http, emulator, grant_type="refresh_token"), 400, "invalid_request")


# -- introspection, revocation, userinfo, logout ---------------------------------------------------------


def test_introspection(emulator: Emulator, http: httpx.Client) -> None:
    tokens = _tokens(http, emulator)
    access = _introspect(http, emulator, tokens["access_token"])
    assert access["active"] is True
    assert access["client_id"] == emulator.client_id
    assert access["scope"] == USER_SCOPES
    assert access["exp"] > access["iat"]
    refresh = _introspect(http, emulator, tokens["refresh_token"])
    assert refresh["active"] is True
    assert refresh["token_type"] == "refresh_token"
    assert _introspect(http, emulator, "garbage") == {"active": False}
    assert _introspect(http, emulator, tokens["id_token"]) == {"active": False}
    unauthenticated = http.post("/oauth/introspect", data={"token": tokens["access_token"]})
    _assert_error(unauthenticated, 401, "invalid_client")


def test_revocation(emulator: Emulator, http: httpx.Client) -> None:
    tokens = _tokens(http, emulator)
    revoke = {"token": tokens["refresh_token"]}
    reply = http.post("/oauth/revoke", data=revoke, auth=(emulator.client_id, emulator.client_secret))
    assert reply.status_code == 200
    _assert_error(
        _token(http, emulator, grant_type="refresh_token", refresh_token=tokens["refresh_token"]),
        400,
        "invalid_grant",
    )
    assert _introspect(http, emulator, tokens["access_token"]) == {"active": False}
    unknown = http.post(
        "/oauth/revoke", data={"token": "nothing"}, auth=(emulator.client_id, emulator.client_secret)
    )
    assert unknown.status_code == 200
    # A revoked client-credentials token no longer opens the admin API.
    admin_token = _token(http, emulator, grant_type="client_credentials").json()["access_token"]
    http.post("/oauth/revoke", data={"token": admin_token}, auth=(emulator.client_id, emulator.client_secret))
    with grpc.insecure_channel(emulator.grpc_target) as channel, pytest.raises(grpc.RpcError) as caught:
        domains_pb2_grpc.DomainServiceStub(channel).ListDomains(
            domains_pb2.ListDomainRequest(organization_id="org_1"),
            metadata=(("authorization", f"Bearer {admin_token}"),),
        )
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_userinfo(emulator: Emulator, http: httpx.Client) -> None:
    assert emulator.seeded is not None
    tokens = _tokens(http, emulator, email="member@example.com")
    info = http.get("/userinfo", headers={"authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 200
    assert info.json()["sub"] == emulator.seeded.member_user_id
    assert info.json()["email"] == "member@example.com"
    assert info.json()["given_name"] == "Max"
    machine = http.get("/userinfo", headers={"authorization": f"Bearer {emulator.access_token()}"})
    assert machine.status_code == 401
    assert machine.headers["www-authenticate"].startswith("Bearer")
    assert http.get("/userinfo").status_code == 401
    no_openid = _tokens(http, emulator, scope="email")
    assert (
        http.get("/userinfo", headers={"authorization": f"Bearer {no_openid['access_token']}"}).status_code
        == 403
    )


def test_logout_ends_the_session(emulator: Emulator, grpc_channel: grpc.Channel) -> None:
    with httpx.Client(base_url=emulator.env_url) as browser:
        tokens = _tokens(browser, emulator)
        sid = _verify(browser, tokens["id_token"], emulator.client_id)["sid"]
        bad = browser.get(
            "/oidc/logout",
            params={
                "id_token_hint": tokens["id_token"],
                "post_logout_redirect_uri": "https://evil.example.com/",
            },
        )
        assert bad.status_code == 400
        reply = browser.get(
            "/oidc/logout",
            params={
                "id_token_hint": tokens["id_token"],
                "post_logout_redirect_uri": "http://localhost:8765/bye",
                "state": "s-9",
            },
        )
        assert reply.status_code == 302
        assert reply.headers["location"] == "http://localhost:8765/bye?state=s-9"
        assert "scalekit_emulator_session" not in browser.cookies
        _assert_error(
            _token(browser, emulator, grant_type="refresh_token", refresh_token=tokens["refresh_token"]),
            400,
            "invalid_grant",
        )
        assert (
            browser.get(
                "/userinfo", headers={"authorization": f"Bearer {tokens['access_token']}"}
            ).status_code
            == 401
        )
        assert _authorize(browser, emulator, prompt="none").headers["location"].count("login_required") == 1
    session = sessions_pb2_grpc.SessionServiceStub(grpc_channel).GetSession(
        sessions_pb2.SessionDetailsRequest(session_id=sid)
    )
    assert session.status == "LOGOUT"


def test_logout_without_redirect_shows_a_page(emulator: Emulator, http: httpx.Client) -> None:
    reply = http.get("/oidc/logout")
    assert reply.status_code == 200
    assert "signed out" in reply.text


# -- expiry, key rotation, persistence -------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def timed() -> Iterator[tuple[Emulator, _Clock]]:
    emu = Emulator(token_ttl=60)
    clock = _Clock()
    emu.start()
    emu.state.clock = clock
    try:
        yield emu, clock
    finally:
        emu.close()


def test_expiry_follows_the_clock(timed: tuple[Emulator, _Clock]) -> None:
    emu, clock = timed
    with httpx.Client(base_url=emu.env_url) as http:
        tokens = _tokens(http, emu)
        assert tokens["expires_in"] == 60
        code, verifier = _login(http, emu)
        clock.now += 61
        assert _introspect(http, emu, tokens["access_token"]) == {"active": False}
        late = _token(
            http,
            emu,
            grant_type="authorization_code",
            code=code,
            redirect_uri=REDIRECT,
            code_verifier=verifier,
        )
        assert late.status_code == 200  # codes live 10 minutes
        code, verifier = _login(http, emu)
        clock.now += 601
        expired = _token(
            http,
            emu,
            grant_type="authorization_code",
            code=code,
            redirect_uri=REDIRECT,
            code_verifier=verifier,
        )
        _assert_error(expired, 400, "invalid_grant")


def test_signing_key_rotation(timed: tuple[Emulator, _Clock]) -> None:
    emu, clock = timed
    with httpx.Client(base_url=emu.env_url) as http:
        old_token = _token(http, emu, grant_type="client_credentials").json()["access_token"]
        old_kid = jwt.get_unverified_header(old_token)["kid"]
        new_kid = http.post("/_emulator/keys/rotate").json()["kid"]
        assert new_kid != old_kid
        assert {k["kid"] for k in http.get("/keys").json()["keys"]} == {old_kid, new_kid}
        _verify(http, old_token, emu.client_id)  # still verifiable while it may be valid
        new_token = _token(http, emu, grant_type="client_credentials").json()["access_token"]
        assert jwt.get_unverified_header(new_token)["kid"] == new_kid
        clock.now += 30
        third_kid = emu.rotate_signing_key()
        clock.now += 31  # every token the first key signed has expired; the second's may not have
        assert {k["kid"] for k in http.get("/keys").json()["keys"]} == {new_kid, third_kid}
        clock.now += 30
        assert {k["kid"] for k in http.get("/keys").json()["keys"]} == {third_kid}


def test_refresh_tokens_and_keys_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "env.sqlite3"
    with Emulator("skc_fixed", "fixed-secret", db=db) as first, httpx.Client(base_url=first.env_url) as http:
        tokens = _tokens(http, first)
        seeded = first.seeded
    raw = db.read_bytes() + (
        db.with_name(db.name + "-wal").read_bytes() if db.with_name(db.name + "-wal").exists() else b""
    )
    assert tokens["refresh_token"].encode() not in raw  # stored as a digest only
    with (
        Emulator("skc_fixed", "fixed-secret", db=db) as second,
        httpx.Client(base_url=second.env_url) as http,
    ):
        assert second.seeded is not None
        assert second.seeded == seeded
        reply = _token(http, second, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
        assert reply.status_code == 200, reply.text
        kid = jwt.get_unverified_header(tokens["access_token"])["kid"]
        assert kid in {k["kid"] for k in http.get("/keys").json()["keys"]}
