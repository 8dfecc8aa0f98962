"""The pytest11 plugin: its fixtures used directly here, and a user's test suite run in a subprocess
(reset between tests, the real-environment marker)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from scalekit_py import AsyncScalekitClient, ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.pytest_plugin import Factory


def test_fixtures_give_a_seeded_emulator_and_clients(
    scalekit_emulator: Emulator, scalekit_client: ScalekitClient, scalekit_factory: Factory
) -> None:
    assert scalekit_emulator.env_url.startswith("http://127.0.0.1:")
    assert scalekit_emulator.seeded is not None
    org = scalekit_factory.organization()
    user = scalekit_factory.user(org.id)
    assert user.email.endswith("@example.com")
    got = scalekit_client.organization.get_organization(org.id)
    assert got.id == org.id


async def test_async_client_fixture(
    async_scalekit_client: AsyncScalekitClient, scalekit_emulator: Emulator
) -> None:
    assert scalekit_emulator.seeded is not None
    org = await async_scalekit_client.organization.get_organization(scalekit_emulator.seeded.organization_id)
    assert org.id == scalekit_emulator.seeded.organization_id


def test_reset_drops_data_faults_and_counters(scalekit_emulator: Emulator, scalekit_factory: Factory) -> None:
    org = scalekit_factory.organization()
    scalekit_emulator.faults.clear()
    assert scalekit_emulator.counters.rpcs() > 0
    scalekit_emulator.reset()
    assert scalekit_emulator.counters.rpcs() == 0
    with ScalekitClient(
        scalekit_emulator.env_url, scalekit_emulator.client_id, scalekit_emulator.client_secret
    ) as client:
        from scalekit_py.errors import NotFoundError

        try:
            client.organization.get_organization(org.id)
        except NotFoundError:
            pass
        else:
            raise AssertionError("the organization survived the reset")
        assert scalekit_emulator.seeded is not None
        assert client.organization.get_organization(scalekit_emulator.seeded.organization_id).id


USER_SUITE = """
import os
import pytest

created = []

def test_a_creates(scalekit_factory, scalekit_client):
    created.append(scalekit_factory.organization("first").id)
    assert scalekit_client.organization.get_organization(created[0]).id == created[0]

def test_b_sees_fresh_state(scalekit_client):
    from scalekit_py.errors import NotFoundError
    with pytest.raises(NotFoundError):
        scalekit_client.organization.get_organization(created[0])

@pytest.mark.scalekit_real
def test_c_real(scalekit_client):
    assert scalekit_client is not None
"""


def test_plugin_is_registered_and_resets_between_tests(tmp_path: Path) -> None:
    (tmp_path / "test_user_suite.py").write_text(textwrap.dedent(USER_SUITE))
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("SCALEKIT_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert "2 passed, 1 skipped" in result.stdout, result.stdout[-2000:]
    assert "scalekit_real: set SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET" in result.stdout
