"""The emulator's one event log: every committed change, recorded once in the store, read by everyone.

A handler queues ``(type, data)`` pairs; after its transaction committed, :meth:`EmulatorState.emit`
calls :func:`record`, which stores each one as an ``events_pb2.Event`` of kind ``"event"`` (its parent is
the organization id, so per-organization listings are an index scan). The same stored record is then
handed to the listeners: the webhook sender posts :func:`webhook_body` of it, and ``ListEvents`` /
``ListEventsPaginated`` return :func:`to_scalekit_event` of it, so an event has one id everywhere. The
log lives in SQLite with everything else: ``snapshot``/``restore`` and ``--db`` files keep it.

Facts derived from the event type, in one table each: the object it is about (``ObjectType``) and its
source (``DIR_SYNC`` for what the identity provider pushed, ``SCALEKIT`` for the rest).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp

from scalekit_api.v1.events import events_pb2 as pb
from scalekit_py.emulator.store import Match, Tx, new_id

__all__ = [
    "KIND",
    "matches",
    "narrows",
    "object_of",
    "record",
    "source_of",
    "to_scalekit_event",
    "webhook_body",
]

KIND = "event"
SPEC_VERSION = "1"

# Event type prefix -> object; the longest matching prefix wins.
_OBJECTS: dict[str, pb.ObjectType.ValueType] = {
    "organization.": pb.Organization,
    "organization.domain_": pb.Domain,
    "organization.membership_": pb.OrgMembership,
    "organization.sso_": pb.Connection,
    "organization.directory_": pb.Directory,
    "organization.directory.user_": pb.DirectoryUser,
    "organization.directory.group_": pb.DirectoryGroup,
    "organization.api_token_": pb.JSON,
    "organization.default_roles_": pb.Role,
    "connection.": pb.Connection,
    "user.": pb.User,
    "user.session_": pb.Session,
    "role.": pb.Role,
    "permission.": pb.Permission,
}

# What an identity provider pushes through directory sync (the emulator's IdP helpers emit these).
_DIR_SYNC_PREFIXES = ("organization.directory.user_", "organization.directory.group_")


def object_of(event_type: str) -> pb.ObjectType.ValueType:
    """The ``ObjectType`` an event type is about (the longest matching prefix; unspecified if none)."""
    best = max((p for p in _OBJECTS if event_type.startswith(p)), key=len, default="")
    return _OBJECTS[best] if best else pb.OBJECT_TYPE_UNSPECIFIED


def source_of(event_type: str) -> pb.Source.ValueType:
    """``DIR_SYNC`` for changes pushed by an identity provider, ``SCALEKIT`` for every other change."""
    return pb.DIR_SYNC if event_type.startswith(_DIR_SYNC_PREFIXES) else pb.SCALEKIT


def _display_name(event_type: str) -> str:
    words = event_type.replace(".", " ").replace("_", " ").split()
    return " ".join(words).capitalize()


def record(
    tx: Tx, event_type: str, data: Mapping[str, Any], *, occurred_at: float, environment_id: str
) -> pb.Event:
    """Store one event (inside the caller's transaction) and return the stored record.

    Args:
        tx: the open transaction.
        event_type: e.g. ``"organization.created"``.
        data: the event's payload (JSON-compatible values); its ``organization_id``, when set,
            becomes the event's organization.
        occurred_at: seconds since the epoch.
        environment_id: the environment the change happened in.

    Returns:
        The record, with its new ``evt_`` id.
    """
    when = Timestamp()
    when.FromNanoseconds(int(occurred_at * 1e9))
    organization_id = str(data.get("organization_id") or "")
    event = pb.Event(
        spec_version=SPEC_VERSION,
        id=new_id("evt"),
        type=event_type,
        occurred_at=when,
        actor=pb.Actor(type=pb.MACHINE if source_of(event_type) == pb.DIR_SYNC else pb.API),
        tenant_id=organization_id,
        source=pb.Source.Name(source_of(event_type)),
        object=object_of(event_type),
        context={"environment_id": environment_id},
    )
    event.data.update(dict(data))
    tx.insert(KIND, event.id, event, parent=organization_id)
    return event


def to_scalekit_event(event: pb.Event) -> pb.ScalekitEvent:
    """The API's view of a stored event (what ``ListEvents`` returns)."""
    out = pb.ScalekitEvent(
        spec_version=event.spec_version,
        id=event.id,
        type=event.type,
        occurred_at=event.occurred_at,
        environment_id=event.context.get("environment_id", ""),
        object=event.object,
        data=event.data,
        display_name=_display_name(event.type),
    )
    if event.tenant_id:
        out.organization_id = event.tenant_id
    return out


def webhook_body(event: pb.Event) -> dict[str, Any]:
    """The JSON body a webhook delivers for a stored event (same id as ``ListEvents``)."""
    occurred = event.occurred_at.ToDatetime(tzinfo=datetime.timezone.utc)
    body: dict[str, Any] = {
        "spec_version": event.spec_version,
        "id": event.id,
        "type": event.type,
        "object": pb.ObjectType.Name(event.object),
        "environment_id": event.context.get("environment_id", ""),
        "occurred_at": occurred.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "data": json_format.MessageToDict(event.data),
    }
    if event.tenant_id:
        body["organization_id"] = event.tenant_id
    return body


# EventFilter's optional fields that name something in the event's data.
_DATA_FILTERS = (
    "auth_request_id",
    "interceptor_id",
    "interceptor_status",
    "interceptor_decision",
    "connection_id",
    "connected_account_id",
)


def index_match(flt: pb.EventFilter) -> Match:
    """The list-index entries of the events a filter's organization, types and time range select."""
    return Match(
        f"org:{flt.organization_id}" if flt.organization_id else "",
        num_from=flt.start_time.ToNanoseconds() if flt.HasField("start_time") else None,
        num_below=flt.end_time.ToNanoseconds() if flt.HasField("end_time") else None,
        any_of=frozenset(flt.event_types) or None,
    )


def narrows(flt: pb.EventFilter) -> bool:
    """Whether a filter has criteria the list index does not apply (:func:`index_match`): the source and
    the fields matched against the event's data."""
    return bool(flt.source or any(getattr(flt, n) for n in _DATA_FILTERS))


def matches(event: pb.Event, flt: pb.EventFilter) -> bool:
    """Whether a stored event passes a request's filter (the organization is scoped by the caller).

    Types match exactly; ``start_time`` is inclusive and ``end_time`` exclusive; ``source`` compares
    with the event's source; the other fields compare with the same key of the event's data.
    """
    if flt.event_types and event.type not in flt.event_types:
        return False
    when = event.occurred_at.ToNanoseconds()
    if flt.HasField("start_time") and when < flt.start_time.ToNanoseconds():
        return False
    if flt.HasField("end_time") and when >= flt.end_time.ToNanoseconds():
        return False
    if flt.source and event.source != pb.Source.Name(flt.source):
        return False
    data = event.data.fields
    for name in _DATA_FILTERS:
        wanted = getattr(flt, name)
        if wanted and (name not in data or data[name].string_value != wanted):
            return False
    return True
