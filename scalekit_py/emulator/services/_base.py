"""Shared plumbing for the emulator's service handlers: validation, errors, time, ids, paging, events.

A handler is an ``async def method(self, request, ctx)`` on a class implementing the generated connectrpc
``XService`` protocol, decorated with :func:`handler`. The decorator validates the request against the
contract's field rules (INVALID_ARGUMENT with field violations), turns store conflicts into
ALREADY_EXISTS and bad page tokens into INVALID_ARGUMENT, and publishes the events a handler queued only
after its transaction committed.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from scalekit_api.v1.organizations import organizations_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Conflict, Tx, new_id
from scalekit_py.emulator.validation import validate

__all__ = [
    "Events",
    "Service",
    "handler",
    "has_field",
    "listing_key",
    "new_id",
    "org_id_for",
    "require_fields",
    "timestamp",
]

Req = TypeVar("Req", bound=Message)
Resp = TypeVar("Resp", bound=Message)
Events = list[tuple[str, dict[str, Any]]]


class Service:
    """Base of every service implementation: holds the shared state."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def now(self) -> Timestamp:
        return timestamp(self.state.clock())


def timestamp(seconds: float) -> Timestamp:
    ts = Timestamp()
    ts.FromNanoseconds(int(seconds * 1e9))
    return ts


def handler(
    fn: Callable[[Any, Req, Any, Events], Awaitable[Resp]],
) -> Callable[[Any, Req, Any], Coroutine[Any, Any, Resp]]:
    """Wrap a handler ``(self, request, ctx, events)``; see the module docstring."""

    @functools.wraps(fn)
    async def wrapper(self: Service, request: Req, ctx: Any) -> Resp:
        violations = validate(request)
        if violations:
            raise _status.invalid_argument(violations)
        events: Events = []
        try:
            response = await fn(self, request, ctx, events)
        except Conflict as exc:
            raise _status.already_exists(exc.kind, f"with {exc.name} {exc.value!r}") from exc
        except ValueError as exc:
            if "page_token" in str(exc):
                raise _status.invalid_argument([("page_token", "is not valid", "page_token")]) from exc
            raise
        for event_type, data in events:
            self.state.emit(event_type, data)
        return response

    return wrapper


def listing_key(request: Message) -> str:
    """What a list request asks for, without where it is in the list (page token and size): the ``key``
    under which :meth:`Tx.page <scalekit_py.emulator.store.Tx.page>` keeps a filtered count (the
    request's type included, so two RPCs whose filters serialise alike never share a count)."""
    copy = type(request)()
    copy.CopyFrom(request)
    for name in ("page_token", "page_size"):
        if name in copy.DESCRIPTOR.fields_by_name:
            copy.ClearField(name)
    return f"{request.DESCRIPTOR.full_name}:{copy.SerializeToString(deterministic=True).hex()}"


def require_fields(**fields: str) -> None:
    """INVALID_ARGUMENT naming every empty field among ``fields`` (name=value)."""
    missing = [(name, "is required", "required") for name, value in fields.items() if not value]
    if missing:
        raise _status.invalid_argument(missing)


def org_id_for(tx: Tx, organization_id: str = "", external_id: str = "") -> str:
    """The id of the organization named by id or external id; NOT_FOUND when there is none."""
    if organization_id:
        if tx.get("organization", organization_id, organizations_pb2.Organization) is None:
            raise _status.not_found("organization", organization_id)
        return organization_id
    if external_id:
        org = tx.find("organization", "external_id", external_id, organizations_pb2.Organization)
        if org is None:
            raise _status.not_found("organization", external_id)
        return org.id
    raise _status.invalid_argument(
        [("organization_id", "organization_id or external_id is required", "required")]
    )


def has_field(message: Message, name: str) -> bool:
    """Whether the field ``name`` of ``message`` is set (for names not known statically)."""
    return message.HasField(name)
