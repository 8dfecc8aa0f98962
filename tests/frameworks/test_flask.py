"""scalekit_py.frameworks.flask against the emulator through Flask's test client: login, callback,
refresh, logout, concurrent threads at expiry, and bad input (bad cookies, wrong state, replayed code,
open redirect, missing secret)."""

from __future__ import annotations

import base64
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from scalekit_py import errors
from scalekit_py.emulator import Emulator
from scalekit_py.frameworks.flask import ScalekitAuth

SECRET = "f" * 40
BASE = "http://127.0.0.1:8766"
TTL = 600


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
    emu.counters.reset()


def make_app(emu: Emulator, **kw: Any) -> tuple[Flask, ScalekitAuth, OffsetClock]:
    options: dict[str, Any] = {
        "env_url": emu.env_url,
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "redirect_uri": f"{BASE}/callback",
        "cookie_encryption_secret": SECRET,
        "cookie_secure": False,
    }
    options.update(kw)
    app = Flask(__name__)
    auth = ScalekitAuth(app, **options)
    clock = OffsetClock()
    auth.core.clock = clock

    @app.get("/account")
    @auth.requires_auth
    def account() -> dict[str, Any]:
        user = auth.current_user
        assert user is not None
        return {"sub": user["sub"], "email": user.get("email")}

    @app.get("/")
    def home() -> dict[str, Any]:
        return {"session": auth.get_session()}

    return app, auth, clock


def authorize(location: str) -> str:
    with httpx.Client(follow_redirects=False) as browser:
        reply = browser.get(location)
    assert reply.status_code == 302, reply.text[:200]
    return str(reply.headers["location"])


def login(client: FlaskClient, emu: Emulator) -> Any:
    assert emu.seeded is not None
    first = client.get("/account")
    assert first.status_code == 302
    start = client.get(first.headers["location"])
    assert start.status_code == 302
    callback = authorize(
        start.headers["location"] + "&login_hint=" + urllib.parse.quote(emu.seeded.admin_email)
    )
    return client.get(callback.removeprefix(BASE))


def test_login_refresh_logout(emu: Emulator) -> None:
    app, auth, clock = make_app(emu)
    client = app.test_client()
    done = login(client, emu)
    assert done.status_code == 302
    assert done.headers["location"] == "/account"
    me = client.get("/account")
    assert me.status_code == 200
    assert me.json is not None
    assert me.json["email"] == "admin@example.com"
    home = client.get("/").json
    assert home is not None
    assert home["session"]["user"]["sub"] == me.json["sub"]
    cookie = client.get_cookie("sk_session")
    assert cookie is not None

    clock.offset = TTL + 5
    assert client.get("/account").status_code == 200
    assert emu.counters.token_requests("refresh_token", 200) == 1
    refreshed = client.get_cookie("sk_session")
    assert refreshed is not None
    assert refreshed.value != cookie.value

    out = client.get("/logout")
    assert out.status_code == 302
    assert out.headers["location"].startswith(emu.env_url)
    assert client.get_cookie("sk_session") is None
    assert client.get("/account").status_code == 302
    auth.loop.close()


def test_threads_at_expiry_make_one_refresh(emu: Emulator) -> None:
    app, auth, clock = make_app(emu)
    client = app.test_client()
    login(client, emu)
    cookie = client.get_cookie("sk_session")
    assert cookie is not None
    clock.offset = TTL + 5
    statuses: list[int] = []

    def worker() -> None:
        c = app.test_client()
        c.set_cookie("sk_session", cookie.value, domain="localhost")
        statuses.append(c.get("/account").status_code)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [200] * 10
    assert emu.counters.token_requests("refresh_token") == 1
    auth.loop.close()


def test_bad_input(emu: Emulator) -> None:
    app, auth, _ = make_app(emu)
    client = app.test_client()
    login(client, emu)
    good = client.get_cookie("sk_session")
    assert good is not None
    raw = bytearray(base64.urlsafe_b64decode(good.value + "=" * (-len(good.value) % 4)))
    raw[-1] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    for bad in (tampered, good.value[:40], "garbage"):
        client.set_cookie("sk_session", bad, domain="localhost")
        reply = client.get("/account")
        assert reply.status_code == 302
        assert reply.headers["location"].startswith("/login?return_to=")
    forged = client.get("/callback?code=abc&state=forged")
    assert forged.status_code == 302
    assert forged.headers["location"] == "/login"
    # an open redirect attempt through the official parameter name
    start = client.get("/login?returnTo=https://evil.example/")
    assert emu.seeded is not None
    callback = authorize(
        start.headers["location"] + "&login_hint=" + urllib.parse.quote(emu.seeded.admin_email)
    )
    done = client.get(callback.removeprefix(BASE))
    assert done.headers["location"] == "/"
    replay = client.get(callback.removeprefix(BASE))  # the same code again
    assert replay.headers["location"] == "/login"
    with pytest.raises(errors.ConfigurationError):
        make_app(emu, cookie_encryption_secret=None)
    auth.loop.close()
