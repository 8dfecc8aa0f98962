"""scalekit_py.frameworks.django against the emulator through Django's test client: login, callback,
refresh (middleware), logout, and bad input (bad cookies, wrong state, replayed code, open redirect,
missing settings)."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import django
import httpx
import pytest
from django.conf import settings

from scalekit_py import errors
from scalekit_py.emulator import Emulator

BASE = "http://127.0.0.1:8767"
TTL = 600

if not settings.configured:
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["scalekit_py.frameworks.django.ScalekitAuthMiddleware"],
        SECRET_KEY="django-test-only-" + "x" * 40,
        INSTALLED_APPS=[],
        SCALEKIT_COOKIE_SECURE=False,
        SCALEKIT_REDIRECT_URI=f"{BASE}/callback",
        SCALEKIT_COOKIE_ENCRYPTION_SECRET="d" * 40,
    )
    django.setup()

from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402

from scalekit_py.frameworks import django as sk  # noqa: E402


@sk.login_required
def account(request: HttpRequest) -> JsonResponse:
    user = request.scalekit_user  # type: ignore[attr-defined]
    return JsonResponse({"sub": user["sub"], "email": user.get("email")})


def home(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"session": sk.get_session(request)})


urlpatterns = [
    path("account", account),
    path("", home),
    path("login", sk.login_view),
    path("callback", sk.callback_view),
    path("logout", sk.logout_view),
]


class OffsetClock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(token_ttl=TTL) as emulator:
        yield emulator


@pytest.fixture
def clock(emu: Emulator, settings_env: None) -> Iterator[OffsetClock]:
    emu.counters.reset()
    sk.get_config.cache_clear()
    config = sk.get_config()
    c = OffsetClock()
    config.core.clock = c
    yield c
    config.loop.close()
    sk.get_config.cache_clear()


@pytest.fixture
def settings_env(emu: Emulator) -> Iterator[None]:
    old = {
        k: getattr(settings, k, None)
        for k in ("SCALEKIT_ENV_URL", "SCALEKIT_CLIENT_ID", "SCALEKIT_CLIENT_SECRET")
    }
    settings.SCALEKIT_ENV_URL = emu.env_url
    settings.SCALEKIT_CLIENT_ID = emu.client_id
    settings.SCALEKIT_CLIENT_SECRET = emu.client_secret
    yield
    for k, v in old.items():
        setattr(settings, k, v)


def authorize(location: str) -> str:
    with httpx.Client(follow_redirects=False) as browser:
        reply = browser.get(location)
    assert reply.status_code == 302, reply.text[:200]
    return str(reply.headers["location"])


def login(client: Client, emu: Emulator) -> Any:
    assert emu.seeded is not None
    first = client.get("/account")
    assert first.status_code == 302
    start = client.get(first.headers["location"])
    assert start.status_code == 302
    callback = authorize(
        start.headers["location"] + "&login_hint=" + urllib.parse.quote(emu.seeded.admin_email)
    )
    return client.get(callback.removeprefix(BASE))


def test_login_refresh_logout(emu: Emulator, clock: OffsetClock) -> None:
    client = Client()
    done = login(client, emu)
    assert done.status_code == 302
    assert done.headers["location"] == "/account"
    me = client.get("/account")
    assert me.status_code == 200
    assert me.json()["email"] == "admin@example.com"
    assert client.get("/").json()["session"]["user"]["sub"] == me.json()["sub"]
    before = client.cookies["sk_session"].value

    clock.offset = TTL + 5
    assert client.get("/account").status_code == 200
    assert emu.counters.token_requests("refresh_token", 200) == 1
    assert client.cookies["sk_session"].value != before

    out = client.get("/logout")
    assert out.status_code == 302
    assert out.headers["location"].startswith(emu.env_url)
    assert client.cookies["sk_session"].value == ""
    assert client.get("/account").status_code == 302


def test_bad_input(emu: Emulator, clock: OffsetClock) -> None:
    client = Client()
    login(client, emu)
    good = client.cookies["sk_session"].value
    for bad in (good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"), good[:40], "garbage"):
        client.cookies["sk_session"] = bad
        reply = client.get("/account")
        assert reply.status_code == 302
        assert reply.headers["location"].startswith("/login?return_to=")
    forged = client.get("/callback?code=abc&state=forged")
    assert forged.headers["location"] == "/login"
    assert emu.seeded is not None
    start = client.get("/login?return_to=//evil.example/")
    callback = authorize(
        start.headers["location"] + "&login_hint=" + urllib.parse.quote(emu.seeded.admin_email)
    )
    assert client.get(callback.removeprefix(BASE)).headers["location"] == "/"
    assert client.get(callback.removeprefix(BASE)).headers["location"] == "/login"  # replayed code


def test_missing_secret_is_a_configuration_error(settings_env: None) -> None:
    sk.get_config.cache_clear()
    saved = settings.SCALEKIT_COOKIE_ENCRYPTION_SECRET
    settings.SCALEKIT_COOKIE_ENCRYPTION_SECRET = None
    try:
        with pytest.raises(errors.ConfigurationError):
            sk.get_config()
    finally:
        settings.SCALEKIT_COOKIE_ENCRYPTION_SECRET = saved
        sk.get_config.cache_clear()
