"""The example apps, driven in process (httpx ``ASGITransport``) against an emulator, and run as scripts.

``examples/web_login.py``: the login flow reaches ``/me`` with the seeded user, and refuses forged or
replayed callbacks. ``examples/webhook_handler.py``: a delivery captured from the emulator is accepted
once (retries are deduplicated); tampered or unsigned ones get 400. Both scripts start, serve and stop
on Ctrl+C when run as ``python examples/<name>.py``.
"""

from __future__ import annotations

import http.server
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from examples import web_login, webhook_handler
from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.oauth import AsyncOAuthClient

APP = "http://127.0.0.1:8000"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def _email(emu: Emulator) -> str:
    assert emu.seeded is not None
    return emu.seeded.admin_email


@dataclass
class Browser:
    """One browser: its cookie jar for the app (in process) and one for the emulator (over HTTP)."""

    app: httpx.AsyncClient
    idp: httpx.AsyncClient

    async def visit_idp(self, url: str) -> str:
        """GET a URL of the emulator; returns where it redirects to."""
        reply = await self.idp.get(url)
        assert reply.status_code == 302, reply.text
        return reply.headers["location"]

    async def visit_app(self, url: str) -> httpx.Response:
        """GET an absolute URL of the app (as a redirect gives it) in process."""
        assert url.startswith(APP)
        return await self.app.get(url[len(APP) :] or "/")


@pytest.fixture
async def browser(emu: Emulator) -> AsyncIterator[Browser]:
    async with (
        AsyncOAuthClient(emu.env_url, emu.client_id, emu.client_secret) as oauth,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web_login.create_app(oauth, APP)), base_url=APP
        ) as app,
        httpx.AsyncClient() as idp,
    ):
        yield Browser(app, idp)


def _query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


# -- web_login ----------------------------------------------------------------------------------------------


async def test_login_reaches_me_and_logout_ends_it(browser: Browser, emu: Emulator) -> None:
    emu.counters.reset()
    anonymous = await browser.app.get("/me")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/login")

    start = await browser.app.get("/login", params={"login_hint": _email(emu)})
    assert start.status_code == 302
    authorize_url = start.headers["location"]
    assert authorize_url.startswith(f"{emu.env_url}/oauth/authorize?")
    params = _query(authorize_url)
    assert params["redirect_uri"] == f"{APP}/callback"
    assert params["code_challenge_method"] == "S256"
    assert {"state", "nonce", "code_challenge"} <= params.keys()
    assert "offline_access" in params["scope"].split()
    login_cookie = browser.app.cookies[web_login.COOKIE]

    callback_url = await browser.visit_idp(authorize_url)
    assert _query(callback_url)["state"] == params["state"]
    done = await browser.visit_app(callback_url)
    assert (done.status_code, done.headers["location"]) == (303, "/me")
    assert browser.app.cookies[web_login.COOKIE] != login_cookie  # a new session id after login
    assert emu.counters.token_requests("authorization_code", 200) == 1

    me = await browser.app.get("/me")
    assert me.status_code == 200
    assert _email(emu) in me.text
    assert "Ada Admin" in me.text
    assert emu.seeded is not None
    assert emu.seeded.organization_id in me.text

    out = await browser.app.get("/logout")
    assert out.status_code == 303
    logout_url = out.headers["location"]
    assert logout_url.startswith(f"{emu.env_url}/oidc/logout?")
    assert await browser.visit_idp(logout_url) == f"{APP}/"  # the emulator accepted the id_token_hint
    assert (await browser.app.get("/me")).headers["location"] == "/login"


async def test_callback_refuses_a_forged_state_and_is_single_use(browser: Browser, emu: Emulator) -> None:
    start = await browser.app.get("/login", params={"login_hint": _email(emu)})
    callback_url = await browser.visit_idp(start.headers["location"])
    params = _query(callback_url)

    forged = await browser.app.get("/callback", params={"code": params["code"], "state": "forged"})
    assert forged.status_code == 400
    assert "state does not match" in forged.text
    replay = await browser.visit_app(callback_url)  # the attempt was used up by the forged request
    assert replay.status_code == 400
    assert "No sign-in in progress" in replay.text
    assert (await browser.app.get("/me")).status_code == 303


async def test_callback_without_a_login_or_with_an_error(browser: Browser, emu: Emulator) -> None:
    stray = await browser.app.get("/callback", params={"code": "c", "state": "s"})
    assert stray.status_code == 400
    assert "No sign-in in progress" in stray.text

    start = await browser.app.get("/login")
    state = _query(start.headers["location"])["state"]
    denied = await browser.app.get(
        "/callback",
        params={"error": "access_denied", "error_description": "<b>no</b> thanks", "state": state},
    )
    assert denied.status_code == 400
    assert "&lt;b&gt;no&lt;/b&gt; thanks" in denied.text  # escaped


async def test_callback_with_a_bad_code_shows_the_oauth_error(browser: Browser, emu: Emulator) -> None:
    start = await browser.app.get("/login")
    state = _query(start.headers["location"])["state"]
    bad = await browser.app.get("/callback", params={"code": "not-a-code", "state": state})
    assert bad.status_code == 400
    assert "invalid_grant" in bad.text


# -- webhook_handler ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    headers: list[tuple[str, str]]
    body: bytes


@pytest.fixture(scope="module")
def delivery() -> Iterator[Delivery]:
    """One real delivery of the emulator (an ``organization.created`` event), captured over HTTP."""
    got: queue.Queue[Delivery] = queue.Queue()

    class Capture(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            got.put(Delivery(list(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
        with (
            Emulator(webhook_url=url, webhook_secret=SECRET) as emu,
            grpc.insecure_channel(emu.grpc_target) as channel,
        ):
            organizations_pb2_grpc.OrganizationServiceStub(channel).CreateOrganization(
                organizations_pb2.CreateOrganizationRequest(
                    organization=organizations_pb2.CreateOrganization(display_name="Hook Example Inc")
                ),
                metadata=(("authorization", f"Bearer {emu.access_token()}"),),
                timeout=10,
            )
            yield got.get(timeout=10)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


SECRET = "whsec_C2FtcGxlLXNlY3JldC1mb3ItdGhlLWV4YW1wbGU="


@pytest.fixture
async def hooks() -> AsyncIterator[tuple[httpx.AsyncClient, list[dict[str, Any]]]]:
    events: list[dict[str, Any]] = []

    async def record(event: dict[str, Any]) -> None:
        events.append(event)

    app = webhook_handler.WebhookEndpoint(SECRET, record)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=APP) as client:
        yield client, events


async def test_webhook_handler_accepts_a_signed_delivery_once(
    hooks: tuple[httpx.AsyncClient, list[dict[str, Any]]], delivery: Delivery
) -> None:
    client, events = hooks
    accepted = await client.post("/webhooks", content=delivery.body, headers=delivery.headers)
    assert accepted.status_code == 204
    assert [e["type"] for e in events] == ["organization.created"]
    assert events[0]["id"] == dict(delivery.headers)["webhook-id"]
    retried = await client.post("/webhooks", content=delivery.body, headers=delivery.headers)
    assert retried.status_code == 204
    assert len(events) == 1  # a retry of the same message is not handled twice


async def test_webhook_handler_rejects_tampered_deliveries(
    hooks: tuple[httpx.AsyncClient, list[dict[str, Any]]], delivery: Delivery
) -> None:
    client, events = hooks
    tampered = delivery.body.replace(b"organization.created", b"organization.deleted")
    assert tampered != delivery.body
    reply = await client.post("/webhooks", content=tampered, headers=delivery.headers)
    assert reply.status_code == 400
    assert reply.json()["reason"] == "no matching signature"

    unsigned = [(k, v) for k, v in delivery.headers if k.lower() != "webhook-signature"]
    reply = await client.post("/webhooks", content=delivery.body, headers=unsigned)
    assert reply.status_code == 400
    assert "webhook-signature" in reply.json()["reason"]

    assert (await client.get("/webhooks")).status_code == 405
    assert (
        await client.post("/elsewhere", content=delivery.body, headers=delivery.headers)
    ).status_code == 404
    big = b"x" * (webhook_handler.MAX_BODY + 1)
    assert (await client.post("/webhooks", content=big, headers=delivery.headers)).status_code == 413
    assert events == []


# -- the scripts ---------------------------------------------------------------------------------------------


class Script:
    """``python examples/<name>``, its output lines readable with a timeout; stopped with SIGINT."""

    def __init__(self, name: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")}
        env["PYTHONUNBUFFERED"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, str(EXAMPLES / name)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, *texts: str, timeout: float = 30) -> list[str]:
        """The first line holding each text, in the order of ``texts`` (lines may come in any order)."""
        seen: list[str] = []
        found: dict[str, str] = {}
        while len(found) < len(texts):
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line with each of {texts!r}; got {seen!r}") from None
            seen.append(line)
            for text in texts:
                if text in line and text not in found:
                    found[text] = line
                    break
        return [found[text] for text in texts]

    def interrupt(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def test_web_login_script_serves_the_app() -> None:
    script = Script("web_login.py")
    try:
        (line,) = script.wait_for("web login example: open ")
        url = line.split("open ", 1)[1].split()[0]
        home = httpx.get(url, timeout=10)
        assert home.status_code == 200
        assert "Sign in" in home.text
        start = httpx.get(url + "login", timeout=10)
        assert start.status_code == 302
        assert "/oauth/authorize?" in start.headers["location"]
    finally:
        assert script.interrupt() == 0


def test_webhook_handler_script_prints_a_verified_event() -> None:
    script = Script("webhook_handler.py")
    try:
        created, event = script.wait_for("created organization ", "webhook evt_")
        org_id = created.split("created organization ", 1)[1].split()[0]
        assert "organization.created" in event
        assert json.loads(event.split("organization.created ", 1)[1]) == {"organization_id": org_id}
    finally:
        assert script.interrupt() == 0
