"""scalekit_py.frameworks.fastapi against the emulator through FastAPI's test client: login, callback,
refresh, logout, bearer APIs, and every bad input (tampered/expired/foreign cookies, wrong state, replayed
code, open redirects, missing secret, store down)."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

from scalekit_py import errors
from scalekit_py.emulator import Emulator
from scalekit_py.frameworks.fastapi import ScalekitAuth
from scalekit_py.oauth import AsyncOAuthClient, OAuthClient
from scalekit_py.sessions import RedisTokenStore
from tests.sessions.test_emulator_e2e import sign_in
from tests.support.redis_server import RedisServer

SECRET = "s" * 40
OTHER_SECRET = "o" * 40
BASE = "http://127.0.0.1:8765"
TTL = 600
JWT_START = "eyJhbGci"  # base64url of {"alg


class OffsetClock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(token_ttl=TTL) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _reset(emu: Emulator) -> None:
    emu.faults.clear()
    emu.counters.reset()


def make_app(emu: Emulator, **kw: Any) -> tuple[FastAPI, ScalekitAuth, OffsetClock]:
    options: dict[str, Any] = {
        "env_url": emu.env_url,
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "redirect_uri": f"{BASE}/callback",
        "cookie_encryption_secret": SECRET,
        "cookie_secure": False,
    }
    options.update(kw)
    auth = ScalekitAuth(**options)
    clock = OffsetClock()
    auth.core.clock = clock
    app = FastAPI()
    auth.install(app)

    @app.get("/account")
    async def account(user: dict[str, Any] = Depends(auth.requires_auth)) -> dict[str, Any]:  # noqa: B008
        return {"sub": user["sub"]}

    @app.get("/api/things")
    async def things(claims: dict[str, Any] = Depends(auth.requires_scopes("things:read"))) -> dict[str, Any]:  # noqa: B008
        return {"sub": claims["sub"]}

    @app.get("/whoami")
    async def whoami(request: Request) -> dict[str, Any]:
        return {"session": auth.get_session(request)}

    return app, auth, clock


def admin(emu: Emulator) -> str:
    assert emu.seeded is not None
    return emu.seeded.admin_email


def authorize(location: str) -> str:
    """Follow the authorization URL at the emulator (auto-approved by login_hint): the callback URL."""
    with httpx.Client(follow_redirects=False) as browser:
        reply = browser.get(location)
    assert reply.status_code == 302, reply.text[:200]
    return reply.headers["location"]


def _replace_cookie(client: TestClient, value: str) -> None:
    """Set the session cookie, dropping the one the app set (httpx2 keeps both when only one names a
    domain, and would send the app's)."""
    client.cookies.clear()
    client.cookies.set("sk_session", value)


def login(client: TestClient, emu: Emulator, path: str = "/account") -> Any:  # httpx or httpx2 Response
    first = client.get(path, follow_redirects=False)
    assert first.status_code == 302
    to_login = client.get(first.headers["location"], follow_redirects=False)
    assert to_login.status_code == 302
    auth_url = to_login.headers["location"] + "&" + urllib.parse.urlencode({"login_hint": admin(emu)})
    callback = authorize(auth_url)
    assert callback.startswith(f"{BASE}/callback?")
    return client.get(callback.removeprefix(BASE), follow_redirects=False)


@pytest.mark.parametrize("server_side", [False, True])
def test_login_refresh_logout(emu: Emulator, server_side: bool, tmp_path: Path) -> None:
    redis_server = RedisServer(tmp_path).start() if server_side else None
    try:
        store = RedisTokenStore(redis_server.url) if redis_server else None
        app, _, clock = make_app(emu, token_store=store)
        with TestClient(app, base_url=BASE) as client:
            done = login(client, emu)
            assert done.status_code == 302
            assert done.headers["location"] == "/account"  # back where the user started
            cookie = client.cookies.get("sk_session")
            assert cookie
            # No JWT visible in the cookie: no base64url of '{"alg"', how every JWT starts. (Not bare
            # "eyJ": three random base64url characters of the sealed cookie match it now and then.)
            assert JWT_START not in cookie
            me = client.get("/account")
            assert me.status_code == 200
            sub = me.json()["sub"]
            assert sub.startswith("usr_")
            session = client.get("/whoami").json()["session"]
            assert session["user"]["sub"] == sub
            assert JWT_START not in str(session)  # claims only, never a token
            assert emu.counters.token_requests("refresh_token") == 0

            clock.offset = TTL + 5  # past the access token's expiry
            again = client.get("/account")
            assert again.status_code == 200
            assert again.json()["sub"] == sub
            assert emu.counters.token_requests("refresh_token", 200) == 1
            assert client.cookies.get("sk_session") != cookie  # refreshed cookie set
            assert client.get("/account").status_code == 200
            assert emu.counters.token_requests("refresh_token") == 1

            out = client.get("/logout", follow_redirects=False)
            assert out.status_code == 302
            assert out.headers["location"].startswith(emu.env_url)  # full logout at Scalekit
            assert "id_token_hint" in out.headers["location"]
            assert not client.cookies.get("sk_session")
            assert client.get("/account", follow_redirects=False).status_code == 302
            if redis_server is not None:
                raw = redis.Redis.from_url(redis_server.url)
                assert raw.keys("scalekit:session:*") == []  # logout removed the tokens from the store
                raw.close()
    finally:
        if redis_server:
            redis_server.stop()


def test_login_passes_hints_and_uses_pkce_state_nonce(emu: Emulator) -> None:
    app, _, _ = make_app(emu)
    with TestClient(app, base_url=BASE) as client:
        reply = client.get(
            "/login?login_hint=a@b.c&organization_id=org_1&connection_id=conn_2&domain_hint=b.c&foo=bar",
            follow_redirects=False,
        )
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(reply.headers["location"]).query))
    assert query["login_hint"] == "a@b.c"
    assert query["organization_id"] == "org_1"
    assert query["connection_id"] == "conn_2"
    assert query["domain_hint"] == "b.c"
    assert "foo" not in query
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["state"]
    assert query["nonce"]
    assert "offline_access" in query["scope"].split()


@pytest.mark.parametrize(
    "return_to", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_no_open_redirect(emu: Emulator, return_to: str) -> None:
    app, _, _ = make_app(emu)
    with TestClient(app, base_url=BASE) as client:
        start = client.get(
            "/login?" + urllib.parse.urlencode({"return_to": return_to}), follow_redirects=False
        )
        callback = authorize(start.headers["location"] + "&login_hint=" + admin(emu))
        done = client.get(callback.removeprefix(BASE), follow_redirects=False)
    assert done.status_code == 302
    assert done.headers["location"] == "/"


def _tamper(value: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    raw[-1] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_bad_cookies_redirect_to_login_and_clear(emu: Emulator) -> None:
    app, _, clock = make_app(emu)
    foreign_app, _, _ = make_app(emu, cookie_encryption_secret=OTHER_SECRET)
    with TestClient(app, base_url=BASE) as client, TestClient(foreign_app, base_url=BASE) as foreign:
        login(client, emu)
        good = client.cookies.get("sk_session")
        assert good
        login(foreign, emu)
        foreign_cookie = foreign.cookies.get("sk_session")
        assert foreign_cookie
        bad_values = [_tamper(good), good[: len(good) // 2], foreign_cookie, "x", "!!!!", "A" * 5000]
        for bad in bad_values:
            _replace_cookie(client, bad)
            reply = client.get("/account", follow_redirects=False)
            assert reply.status_code == 302, bad[:10]
            assert reply.headers["location"].startswith("/login?return_to=")
            assert "sk_session=" in reply.headers.get("set-cookie", "")  # cleared
        _replace_cookie(client, good)
        assert client.get("/account").status_code == 200
        clock.offset = 31 * 24 * 3600  # past the cookie's own expiry
        assert client.get("/account", follow_redirects=False).status_code == 302


def test_key_rotation(emu: Emulator) -> None:
    app, _, _ = make_app(emu, cookie_encryption_secret=[OTHER_SECRET])
    with TestClient(app, base_url=BASE) as client:
        login(client, emu)
        old = client.cookies.get("sk_session")
    rotated, _, _ = make_app(emu, cookie_encryption_secret=[SECRET, OTHER_SECRET])
    with TestClient(rotated, base_url=BASE) as client:
        assert old
        _replace_cookie(client, old)
        assert client.get("/account").status_code == 200  # sealed with the old key, still opens


def test_wrong_state_and_replayed_code(emu: Emulator) -> None:
    app, _, _ = make_app(emu)
    with TestClient(app, base_url=BASE) as client:
        start = client.get("/login", follow_redirects=False)
        callback = authorize(start.headers["location"] + "&login_hint=" + admin(emu))
        parts = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
        forged = client.get(f"/callback?code={parts['code']}&state=forged", follow_redirects=False)
        assert forged.status_code == 302
        assert forged.headers["location"] == "/login"
        assert not client.cookies.get("sk_session")
        # a fresh login attempt in this browser; then replay the code it used
        start = client.get("/login", follow_redirects=False)
        callback = authorize(start.headers["location"] + "&login_hint=" + admin(emu))
        assert client.get(callback.removeprefix(BASE), follow_redirects=False).headers["location"] == "/"
        client.cookies.delete("sk_session")
        replay = client.get(callback.removeprefix(BASE), follow_redirects=False)
        assert replay.status_code == 302
        assert replay.headers["location"] == "/login"  # login cookie consumed, code used
        assert not client.cookies.get("sk_session")
        missing = client.get("/callback", follow_redirects=False)
        assert missing.headers["location"] == "/login"


def test_revoked_refresh_token_logs_out_cleanly(emu: Emulator) -> None:
    app, auth, clock = make_app(emu)
    with TestClient(app, base_url=BASE) as client:
        login(client, emu)
        stale = client.cookies.get("sk_session")
        clock.offset = TTL + 5
        assert client.get("/account").status_code == 200  # refreshed: the old refresh token is consumed
        other = make_app(emu)  # another process: its own local store, holding the stale cookie
        with TestClient(other[0], base_url=BASE) as replayer:
            other[1].core.clock = clock
            assert stale
            _replace_cookie(replayer, stale)
            reply = replayer.get("/account", follow_redirects=False)
            assert reply.status_code == 302  # reuse refused by the server: signed out, no 500
            assert reply.headers["location"].startswith("/login")
    assert auth.core.server_side is False


def test_bearer_api_answers_rfc6750(emu: Emulator) -> None:
    app, _, _ = make_app(emu)
    with (
        TestClient(app, base_url=BASE) as client,
        OAuthClient(emu.env_url, emu.client_id, emu.client_secret) as oc,
    ):
        none = client.get("/api/things")
        assert none.status_code == 401
        assert none.headers["www-authenticate"] == 'Bearer realm="api"'
        bad = client.get("/api/things", headers={"Authorization": "Bearer not-a-token"})
        assert bad.status_code == 401
        assert 'error="invalid_token"' in bad.headers["www-authenticate"]
        user_token = sign_in(oc, admin(emu)).access_token  # valid, but without the things:read scope
        short = client.get("/api/things", headers={"Authorization": f"Bearer {user_token}"})
        assert short.status_code == 403
        assert (
            short.headers["www-authenticate"]
            == 'Bearer realm="api", error="insufficient_scope", scope="things:read"'
        )
        assert "location" not in short.headers  # APIs never redirect


def test_store_down_is_503_without_traceback(
    emu: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RedisServer(tmp_path).start()
    app, _, _ = make_app(emu, token_store=RedisTokenStore(server.url))
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        caplog.set_level(logging.DEBUG)
        login(client, emu)
        server.stop()
        reply = client.get("/account", follow_redirects=False)
        assert reply.status_code == 503
        assert "Traceback" not in reply.text
        start = client.get("/login", follow_redirects=False)
        callback = authorize(start.headers["location"] + "&login_hint=" + admin(emu))
        failed = client.get(callback.removeprefix(BASE), follow_redirects=False)
        assert failed.status_code == 503
    for record in caplog.records:
        assert JWT_START not in record.getMessage()  # no token in any log line


def test_missing_or_short_secret_is_a_configuration_error(emu: Emulator) -> None:
    with pytest.raises(errors.ConfigurationError):
        make_app(emu, cookie_encryption_secret=None)
    with pytest.raises(errors.ConfigurationError):
        make_app(emu, cookie_encryption_secret="short")
    with pytest.raises(errors.ConfigurationError):
        make_app(emu, redirect_uri=None)
    assert AsyncOAuthClient is not None


def test_session_cookie_is_split_under_browser_limits(emu: Emulator) -> None:
    app, _, _ = make_app(emu)
    with TestClient(app, base_url=BASE) as client:
        login(client, emu)
        names = [name for name in client.cookies.keys() if name.startswith("sk_session")]  # noqa: SIM118
        assert names
        assert all(len(client.cookies.get(n) or "") <= 3800 for n in names)
        assert client.get("/account").status_code == 200


async def test_concurrent_requests_at_expiry_make_one_refresh(emu: Emulator) -> None:
    app, _, clock = make_app(emu)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as browser:
        start = await browser.get("/login")
        callback = await asyncio.to_thread(authorize, start.headers["location"] + "&login_hint=" + admin(emu))
        assert (await browser.get(callback.removeprefix(BASE))).status_code == 302
        assert (await browser.get("/account")).status_code == 200
        clock.offset = TTL + 5
        replies = await asyncio.gather(*(browser.get("/account") for _ in range(20)))
    assert [r.status_code for r in replies] == [200] * 20
    assert emu.counters.token_requests("refresh_token") == 1  # one refresh for 20 requests
