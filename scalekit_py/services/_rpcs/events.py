"""RPC handles of ``scalekit.v1.events.EventsService``."""

from __future__ import annotations

from scalekit_api.v1.events import events_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.events.EventsService"

LIST_EVENTS = rpc(_SERVICE, "ListEvents", pb.ListEventsRequest, pb.ListEventsResponse)
LIST_EVENTS_PAGINATED = rpc(
    _SERVICE, "ListEventsPaginated", pb.ListEventsPaginatedRequest, pb.ListEventsPaginatedResponse
)
