"""examples/flask_app.py: a signed-out browser is sent to login; a full login reaches the page."""

from __future__ import annotations

import urllib.parse

import httpx

from examples.flask_app import create_app
from scalekit_py.emulator import Emulator


def test_flask_example_signs_in() -> None:
    with Emulator() as emu:
        assert emu.seeded is not None
        app, auth = create_app(
            env_url=emu.env_url,
            client_id=emu.client_id,
            client_secret=emu.client_secret,
            redirect_uri="http://127.0.0.1:8768/callback",
            cookie_encryption_secret="example-test-secret-0123456789abcdef",
            cookie_secure=False,
        )
        client = app.test_client()
        assert "Signed out" in client.get("/").get_data(as_text=True)
        first = client.get("/account")
        assert first.headers["location"] == "/login?return_to=%2Faccount"
        start = client.get(first.headers["location"])
        hint = urllib.parse.quote(emu.seeded.admin_email)
        with httpx.Client(follow_redirects=False) as browser:
            callback = browser.get(start.headers["location"] + "&login_hint=" + hint).headers["location"]
        assert client.get(callback.removeprefix("http://127.0.0.1:8768")).headers["location"] == "/account"
        page = client.get("/account").get_data(as_text=True)
        assert f"Signed in as {emu.seeded.admin_email}" in page
        auth.loop.close()
