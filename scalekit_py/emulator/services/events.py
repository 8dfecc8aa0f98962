"""EventsService: the event log (:mod:`scalekit_py.emulator.event_log`) as the API lists it.

Both listing RPCs read the same records the webhook sender delivers, newest first. Page tokens point
after the last event returned, so events recorded between two calls never shift or repeat items.
``page_size`` 0 means 10; larger sizes are capped at 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scalekit_api.v1.events import events_connect
from scalekit_api.v1.events import events_pb2 as pb
from scalekit_py.emulator import _status, event_log
from scalekit_py.emulator.services._base import Events, Service, handler, listing_key
from scalekit_py.emulator.store import Page

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
_EVENT_TYPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._")

# Optional filter fields that name a resource, with the id prefix its ids carry.
_ID_PREFIXES = {"organization_id": "org_", "connection_id": "conn_"}


def filter_violations(flt: pb.EventFilter) -> list[tuple[str, str, str]]:
    """INVALID_ARGUMENT field violations of an ``EventFilter`` (empty when it is usable)."""
    out: list[tuple[str, str, str]] = []
    for i, name in enumerate(flt.event_types):
        if not name or not set(name) <= _EVENT_TYPE_CHARS or "." not in name:
            out.append((f"filter.event_types[{i}]", f"{name!r} is not an event type", "event_type"))
    ranged = flt.HasField("start_time") and flt.HasField("end_time")
    if ranged and flt.start_time.ToNanoseconds() >= flt.end_time.ToNanoseconds():
        out.append(("filter.end_time", "must be after start_time", "time_range"))
    if flt.source not in pb.Source.values():
        out.append(("filter.source", f"{flt.source} is not a Source", "enum.defined_only"))
    for name, prefix in _ID_PREFIXES.items():
        value = getattr(flt, name)
        if value and not value.startswith(prefix):
            out.append((f"filter.{name}", f"must start with {prefix!r}", "string.prefix"))
    return out


class EventsService(Service, events_connect.EventsService):
    """RPCs without a handler below (SendCustomEvent: not callable by an admin client) fall back to the
    generated protocol (the router answers them)."""

    def _page(self, flt: pb.EventFilter, page_size: int, page_token: str) -> Page:
        violations = filter_violations(flt)
        if violations:
            raise _status.invalid_argument(violations)
        with self.state.store.transaction() as tx:
            return tx.page(
                event_log.KIND, pb.Event, page_size=page_size, page_token=page_token,
                match=event_log.index_match(flt),
                where=(lambda e: event_log.matches(e, flt)) if event_log.narrows(flt) else None,
                key=listing_key(flt),
                default_size=DEFAULT_PAGE_SIZE, max_size=MAX_PAGE_SIZE, newest_first=True,
            )  # fmt: skip

    @handler
    async def list_events(
        self, request: pb.ListEventsRequest, ctx: Any, events: Events
    ) -> pb.ListEventsResponse:
        page = self._page(request.filter, request.page_size, request.page_token)
        return pb.ListEventsResponse(
            events=[event_log.to_scalekit_event(e) for e in page.items],  # type: ignore[arg-type]
            next_page_token=page.next_page_token,
            prev_page_token=page.prev_page_token,
            total_size=page.total_size,
        )

    @handler
    async def list_events_paginated(
        self, request: pb.ListEventsPaginatedRequest, ctx: Any, events: Events
    ) -> pb.ListEventsPaginatedResponse:
        page = self._page(request.filter, request.page_size, request.page_token)
        return pb.ListEventsPaginatedResponse(
            events=[event_log.to_scalekit_event(e) for e in page.items],  # type: ignore[arg-type]
            next_page_token=page.next_page_token,
            prev_page_token=page.prev_page_token,
        )


def create_app(state: Any, interceptors: Sequence[Any] = ()) -> Any:
    return events_connect.EventsServiceASGIApplication(EventsService(state), interceptors=interceptors)
