"""A client keeps working when the server closes its connection (restart on the same port)."""

from __future__ import annotations

import asyncio
import pathlib
import socket

from scalekit_py import AsyncScalekitClient, ScalekitClient
from scalekit_py.emulator import Emulator


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sync_client_reconnects_after_a_server_restart(tmp_path: pathlib.Path) -> None:
    with Emulator(port=_free_port(), db=str(tmp_path / "state.db")) as emu:
        assert emu.seeded is not None
        org_id = emu.seeded.organization_id
        with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
            assert client.organization.get_organization(org_id).id == org_id
            emu.stop()
            emu.start()  # same port, same data: the old TCP connection is gone
            assert client.organization.get_organization(org_id).id == org_id


def test_async_client_reconnects_after_a_server_restart(tmp_path: pathlib.Path) -> None:
    with Emulator(port=_free_port(), db=str(tmp_path / "state.db")) as emu:
        assert emu.seeded is not None
        org_id = emu.seeded.organization_id

        async def run() -> list[str]:
            async with AsyncScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
                first = await client.organization.get_organization(org_id)
                await asyncio.to_thread(emu.stop)
                await asyncio.to_thread(emu.start)
                second = await client.organization.get_organization(org_id)
                return [first.id, second.id]

        assert asyncio.run(run()) == [org_id, org_id]
