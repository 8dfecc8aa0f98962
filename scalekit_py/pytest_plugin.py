"""pytest plugin (registered through the ``pytest11`` entry point when scalekit-py is installed).

Fixtures:

* ``scalekit_emulator`` — one :class:`~scalekit_py.emulator.Emulator` per test session (started on a free
  127.0.0.1 port, stopped at the end), reset to its seeded state before every test that uses it.
* ``scalekit_client`` / ``async_scalekit_client`` — clients of that emulator, closed after the test.
* ``scalekit_factory`` — creates organizations and users for a test: ``scalekit_factory.organization()``,
  ``scalekit_factory.user(org_id)``.

Marker ``@pytest.mark.scalekit_real``: the client fixtures of that test talk to the environment in
``SCALEKIT_ENV_URL`` / ``SCALEKIT_CLIENT_ID`` / ``SCALEKIT_CLIENT_SECRET`` instead (the test is skipped,
with the reason, when they are not set). See ``docs/testing.md``.

Nothing here is imported by ``import scalekit_py``; the emulator extra is needed only by the fixtures.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from scalekit_py import AsyncScalekitClient, ScalekitClient
    from scalekit_py.emulator import Emulator

REAL_MARKER = "scalekit_real"
_ENV = ("SCALEKIT_ENV_URL", "SCALEKIT_CLIENT_ID", "SCALEKIT_CLIENT_SECRET")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{REAL_MARKER}: run the scalekit_* client fixtures against SCALEKIT_* variables"
    )


@dataclass(frozen=True)
class Credentials:
    """Where the client fixtures connect."""

    env_url: str
    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"Credentials(env_url={self.env_url!r}, client_id={self.client_id!r})"


@pytest.fixture(scope="session")
def _scalekit_emulator_instance() -> Iterator[Emulator]:
    from scalekit_py.emulator import Emulator

    with Emulator() as emulator:
        emulator.snapshot()
        yield emulator


@pytest.fixture
def scalekit_emulator(_scalekit_emulator_instance: Emulator) -> Emulator:
    """The session's emulator, reset to its seeded state (data, faults, counters, outbox)."""
    _scalekit_emulator_instance.reset()
    return _scalekit_emulator_instance


@pytest.fixture
def scalekit_credentials(request: pytest.FixtureRequest) -> Credentials:
    """The emulator's credentials, or the ``SCALEKIT_*`` variables for ``@pytest.mark.scalekit_real``."""
    if request.node.get_closest_marker(REAL_MARKER) is not None:
        missing = [name for name in _ENV if not os.environ.get(name)]
        if missing:
            pytest.skip(f"scalekit_real: set {', '.join(missing)}")
        return Credentials(*(os.environ[name] for name in _ENV))
    emu: Emulator = request.getfixturevalue("scalekit_emulator")
    return Credentials(emu.env_url, emu.client_id, emu.client_secret)


@pytest.fixture
def scalekit_client(scalekit_credentials: Credentials) -> Iterator[ScalekitClient]:
    """A :class:`~scalekit_py.ScalekitClient` of the emulator (or the real environment)."""
    from scalekit_py import ScalekitClient

    c = scalekit_credentials
    with ScalekitClient(c.env_url, c.client_id, c.client_secret) as client:
        yield client


@pytest.fixture
async def async_scalekit_client(scalekit_credentials: Credentials) -> AsyncIterator[AsyncScalekitClient]:
    """An :class:`~scalekit_py.AsyncScalekitClient` of the emulator (or the real environment)."""
    from scalekit_py import AsyncScalekitClient

    c = scalekit_credentials
    async with AsyncScalekitClient(c.env_url, c.client_id, c.client_secret) as client:
        yield client


class Factory:
    """Creates test data through the admin API; names are unique per call."""

    def __init__(self, client: ScalekitClient) -> None:
        self._client = client
        self._n = itertools.count(1)
        self._tag = secrets.token_hex(3)

    def _unique(self, prefix: str) -> str:
        return f"{prefix}-{self._tag}-{next(self._n)}"

    def organization(self, display_name: str | None = None, **fields: Any) -> Any:
        """Create an organization (``display_name`` defaults to a unique name); returns it."""
        return self._client.organization.create_organization(display_name or self._unique("org"), **fields)

    def user(self, organization_id: str, email: str | None = None, **fields: Any) -> Any:
        """Create a user with a membership in ``organization_id``; returns the user."""
        from scalekit_api.v1.users import users_pb2

        spec = users_pb2.CreateUser(email=email or f"{self._unique('user')}@example.com", **fields)
        return self._client.user.create_user_and_membership(
            organization_id, user=spec, send_invitation_email=False
        )


@pytest.fixture
def scalekit_factory(scalekit_client: ScalekitClient) -> Factory:
    """A :class:`Factory` over ``scalekit_client``."""
    return Factory(scalekit_client)
