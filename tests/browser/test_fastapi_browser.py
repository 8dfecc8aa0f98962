"""The FastAPI example in headless Chromium (Selenium on Debian's chromium + chromium-driver): protected page
→ emulator login page → type the email → signed in → past the access token's expiry → still signed in
(refreshed) → logout → signed out. A screenshot of each step goes to ``<tmp_path>/screenshots``."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from examples.fastapi_app import create_app
from scalekit_py.emulator import Emulator
from scalekit_py.frameworks.fastapi import ScalekitAuth

TOKEN_TTL = 4  # seconds: the emulator's access tokens expire during the test


class AppServer:
    """The example app under hypercorn on a free 127.0.0.1 port, in a thread; stopped by the test."""

    def __init__(self, emu: Emulator) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.auth = ScalekitAuth(
            env_url=emu.env_url,
            client_id=emu.client_id,
            client_secret=emu.client_secret,
            redirect_uri=f"{self.base_url}/callback",
            cookie_encryption_secret="browser-test-secret-0123456789abcdef",
            cookie_secure=False,
        )
        self.loop = asyncio.new_event_loop()
        self.stopping: asyncio.Event | None = None
        self.thread = threading.Thread(
            target=self.loop.run_until_complete, args=(self._serve(),), daemon=True
        )

    async def _serve(self) -> None:
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        self.stopping = asyncio.Event()
        config = Config()
        config.bind = [f"fd://{self.sock.detach()}"]
        config.accesslog = None
        await serve(create_app(self.auth), config, shutdown_trigger=self.stopping.wait)  # type: ignore[arg-type]

    def start(self) -> AppServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.stopping is not None:
            self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary, "chromium is missing: run `make setup-system`"
    assert driver, "chromium-driver is missing: run `make setup-system`"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=900,600"):
        options.add_argument(arg)
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_page_load_timeout(30)
    yield chrome
    chrome.quit()


def test_sign_in_refresh_and_sign_out_in_chromium(browser: webdriver.Chrome, tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    wait = WebDriverWait(browser, 20)
    with Emulator(token_ttl=TOKEN_TTL) as emu:
        assert emu.seeded is not None
        email = emu.seeded.admin_email
        app = AppServer(emu).start()
        try:
            browser.get(f"{app.base_url}/account")  # protected: to /login, then the emulator's page
            field = wait.until(expected_conditions.presence_of_element_located((By.NAME, "login_hint")))
            assert browser.current_url.startswith(emu.env_url)
            browser.save_screenshot(str(shots / "1-login-page.png"))

            field.send_keys(email)
            browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "status"), "Signed in"))
            assert browser.current_url == f"{app.base_url}/account"  # back on the page asked for
            assert email in browser.find_element(By.ID, "status").text
            browser.save_screenshot(str(shots / "2-signed-in.png"))
            assert emu.counters.token_requests("refresh_token") == 0

            time.sleep(TOKEN_TTL + 1)  # the access token has expired
            browser.refresh()
            wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "status"), "Signed in"))
            assert browser.current_url == f"{app.base_url}/account"
            assert emu.counters.token_requests("refresh_token", 200) == 1  # refreshed, not re-logged-in
            browser.save_screenshot(str(shots / "3-still-signed-in.png"))

            browser.find_element(By.ID, "logout").click()
            wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "status"), "Signed out"))
            assert browser.current_url == f"{app.base_url}/"
            assert not [c for c in browser.get_cookies() if c["name"].startswith("sk_session")]
            browser.save_screenshot(str(shots / "4-signed-out.png"))

            browser.get(f"{app.base_url}/account")  # signed out for real: the login page again
            wait.until(expected_conditions.presence_of_element_located((By.NAME, "login_hint")))
            assert browser.current_url.startswith(emu.env_url)
        finally:
            app.stop()
    assert sorted(p.name for p in shots.iterdir()) == [
        "1-login-page.png",
        "2-signed-in.png",
        "3-still-signed-in.png",
        "4-signed-out.png",
    ]
