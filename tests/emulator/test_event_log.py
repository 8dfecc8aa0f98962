"""The event log: recorded once in the store, kept by snapshot/restore and --db files, mapped to the API."""

from __future__ import annotations

import pathlib

from scalekit_api.v1.events import events_pb2 as pb
from scalekit_py import ScalekitClient
from scalekit_py.emulator import Emulator, event_log
from scalekit_py.emulator.store import Store


def _types(emu: Emulator) -> list[str]:
    with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
        return [e.type for e in client.events.iter_events()]


def _record(
    store: Store, event_type: str, data: dict[str, object], when: float = 1_700_000_000.0
) -> pb.Event:
    with store.transaction() as tx:
        return event_log.record(tx, event_type, data, occurred_at=when, environment_id="env_t")


def test_seeding_logs_nothing_and_every_change_once() -> None:
    with Emulator() as emu:
        assert _types(emu) == []
        seen: list[pb.Event] = []
        emu.state.listeners.append(seen.append)
        with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret) as client:
            client.organization.create_organization("Logged")
            assert [e.type for e in seen] == ["organization.created"]
            listed = client.events.list_events()
        assert [e.id for e in listed.events] == [seen[0].id]  # the listener got the stored record
        assert listed.total_size == 1


def test_the_log_survives_restarts_and_resets(tmp_path: pathlib.Path) -> None:
    db = str(tmp_path / "state.db")
    with Emulator(db=db) as emu:
        emu.snapshot()
        emu.state.emit("organization.updated", {"organization_id": "org_1"})
        assert _types(emu) == ["organization.updated"]
        emu.reset()  # back to the snapshot: the event is gone with the change it reported
        assert _types(emu) == []
        emu.state.emit("role.created", {"id": "role_1", "name": "r", "organization_id": ""})
    with Emulator(db=db) as again:
        assert _types(again) == ["role.created"]


def test_records_map_to_the_api_and_webhook_shapes() -> None:
    store = Store()
    event = _record(
        store, "organization.directory.user_created", {"organization_id": "org_1", "user_id": "du_1"}
    )
    assert event.id.startswith("evt_")
    assert (event.tenant_id, event.source, event.object) == ("org_1", "DIR_SYNC", pb.DirectoryUser)
    api = event_log.to_scalekit_event(event)
    assert (api.id, api.type, api.organization_id, api.environment_id) == (
        event.id,
        "organization.directory.user_created",
        "org_1",
        "env_t",
    )
    assert api.display_name == "Organization directory user created"
    body = event_log.webhook_body(event)
    assert body == {
        "spec_version": "1",
        "id": event.id,
        "type": "organization.directory.user_created",
        "object": "DirectoryUser",
        "environment_id": "env_t",
        "organization_id": "org_1",
        "occurred_at": "2023-11-14T22:13:20.000Z",
        "data": {"organization_id": "org_1", "user_id": "du_1"},
    }
    environment_wide = _record(store, "permission.created", {"id": "perm_1", "name": "p"})
    assert not event_log.to_scalekit_event(environment_wide).HasField("organization_id")
    assert "organization_id" not in event_log.webhook_body(environment_wide)
    assert event_log.source_of("organization.created") == pb.SCALEKIT
    assert event_log.object_of("organization.sso_enabled") == pb.Connection
    assert event_log.object_of("something.else") == pb.OBJECT_TYPE_UNSPECIFIED


def test_filter_matching() -> None:
    store = Store()
    event = _record(
        store, "organization.sso_created", {"organization_id": "org_1", "connection_id": "conn_1"}
    )
    at = event.occurred_at

    def check(**fields: object) -> bool:
        return event_log.matches(event, pb.EventFilter(**fields))  # type: ignore[arg-type]

    assert check()
    assert check(event_types=["organization.sso_created", "x.y"])
    assert not check(event_types=["organization.created"])
    assert check(start_time=at)  # inclusive
    assert not check(end_time=at)  # exclusive
    assert check(source=pb.SCALEKIT)
    assert not check(source=pb.DIR_SYNC)
    assert check(connection_id="conn_1")
    assert not check(connection_id="conn_2")
    assert not check(auth_request_id="lr_1")
