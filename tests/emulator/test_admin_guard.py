"""The ``/_emulator/`` controls refuse what a web page could send: a foreign ``Host`` (DNS rebinding),
cross-origin and cross-site requests, form posts; and, when configured, requests without the admin token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from scalekit_py.emulator import Emulator


@pytest.fixture
def admin(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{emulator.env_url}/_emulator") as client:
        yield client


def _port(emulator: Emulator) -> int:
    return int(emulator.env_url.rsplit(":", 1)[1])


def test_local_names_on_the_bound_port_are_allowed(emulator: Emulator, admin: httpx.Client) -> None:
    port = _port(emulator)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        assert admin.get("/info", headers={"host": host}).status_code == 200
    same_origin = {"origin": f"http://127.0.0.1:{port}", "sec-fetch-site": "same-origin"}
    assert admin.get("/outbox", headers=same_origin).status_code == 200


@pytest.mark.parametrize("path", ["/info", "/outbox", "/faults", "/counters", "/webhooks"])
def test_foreign_host_is_refused(emulator: Emulator, admin: httpx.Client, path: str) -> None:
    port = _port(emulator)
    for host in (f"attacker.example:{port}", "127.0.0.1:1", "127.0.0.1", "", "bad host:x"):
        reply = admin.get(path, headers={"host": host})
        assert reply.status_code == 403, host
        assert reply.json()["error"] == "forbidden"
    assert admin.get("/health", headers={"host": f"attacker.example:{port}"}).status_code == 200


def test_cross_origin_and_form_posts_cannot_rotate_keys(emulator: Emulator, admin: httpx.Client) -> None:
    before = admin.get("/info").json()["signing_keys"]
    port = _port(emulator)
    attempts: list[dict[str, str]] = [
        {"origin": "http://attacker.example"},
        {"origin": f"http://attacker.example:{port}"},
        {"origin": f"https://127.0.0.1:{port}"},  # other scheme: another origin
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "multipart/form-data; boundary=x"},
        {"content-type": "text/plain"},
    ]
    for headers in attempts:
        assert admin.post("/keys/rotate", headers=headers).status_code == 403, headers
    assert admin.put("/faults", content=b"rpc_latency_ms=5", headers=attempts[5]).status_code == 403
    assert admin.get("/outbox", headers={"origin": "http://attacker.example"}).status_code == 403
    assert admin.get("/info").json()["signing_keys"] == before
    assert emulator.faults.settings.rpc_latency_ms == 0.0
    assert admin.post("/keys/rotate").status_code == 200  # a plain local client still can


def test_admin_token_when_configured() -> None:
    with (
        Emulator(admin_token="adm-token-value", seed=False) as emu,
        httpx.Client(base_url=f"{emu.env_url}/_emulator") as admin,
    ):
        assert admin.get("/info").status_code == 403
        assert admin.get("/info", headers={"authorization": "Bearer wrong"}).status_code == 403
        reply = admin.get("/info", headers={"authorization": "Bearer adm-token-value"})
        assert reply.status_code == 200
        assert "adm-token-value" not in repr(emu)
        assert admin.get("/health").status_code == 200
