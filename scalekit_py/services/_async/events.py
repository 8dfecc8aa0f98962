"""The environment's event log: every change (organizations, users, memberships, roles, connections,
directories, domains, API tokens, ...) as a ``ScalekitEvent``, newest first.

Webhooks deliver the same events: an event listed here has the id of the webhook that announced it.
Both listing RPCs take one ``EventFilter``; its common fields are also keywords (``event_types``,
``start_time``, ``end_time``, ``organization_id``, ``source``, ``connection_id``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from google.protobuf import timestamp_pb2

from scalekit_api.v1.events import events_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import events as rpcs

__all__ = ["AsyncEventService"]

When = datetime | timestamp_pb2.Timestamp


def _event_filter(
    base: pb.EventFilter | None,
    event_types: Sequence[str] | None,
    start_time: When | None,
    end_time: When | None,
    organization_id: str | None,
    source: pb.Source.ValueType | None,
    connection_id: str | None,
) -> pb.EventFilter | None:
    fields = {
        "event_types": event_types,
        "start_time": start_time,
        "end_time": end_time,
        "organization_id": organization_id,
        "source": source,
        "connection_id": connection_id,
    }
    if base is None and all(value is None for value in fields.values()):
        return None
    return fill(merged(base, pb.EventFilter), **fields)


class AsyncEventService:
    """``client.events``: the RPCs of ``scalekit.v1.events.EventsService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def list_events(
        self,
        *,
        event_types: Sequence[str] | None = None,
        start_time: When | None = None,
        end_time: When | None = None,
        organization_id: str | None = None,
        source: pb.Source.ValueType | None = None,
        connection_id: str | None = None,
        filter: pb.EventFilter | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListEventsResponse:
        """Fetch one page of events, newest first, with the number of matching events.

        Args:
            event_types: only events of these types, e.g. ``["organization.created"]``.
            start_time: only events that occurred at or after this time (naive means UTC).
            end_time: only events that occurred before this time.
            organization_id: only events of this organization.
            source: only events from this source (``events_pb2.SCALEKIT``, ``events_pb2.DIR_SYNC``).
            connection_id: only events about this connection.
            filter: a prebuilt ``EventFilter`` (for its other fields); the keywords override it.
            page_size: events per page (``None``: the service's default, 10; at most 100).
            page_token: the ``next_page_token`` of the previous page (``None``: the newest events).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``events``, ``total_size`` and the page tokens.

        Raises:
            BadRequestError: an invalid filter (e.g. ``start_time`` after ``end_time``) or page token.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.events.list_events(event_types=["user.created"], page_size=50)
        """
        request = fill(
            pb.ListEventsRequest(),
            filter=_event_filter(
                filter, event_types, start_time, end_time, organization_id, source, connection_id
            ),
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.LIST_EVENTS, request, timeout=timeout, retry=retry)

    def iter_events(
        self,
        *,
        event_types: Sequence[str] | None = None,
        start_time: When | None = None,
        end_time: When | None = None,
        organization_id: str | None = None,
        source: pb.Source.ValueType | None = None,
        connection_id: str | None = None,
        filter: pb.EventFilter | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListEventsResponse, pb.ScalekitEvent]:
        """Iterate over events, newest first, fetching pages lazily (``ListEvents``).

        Events recorded after the first page was fetched do not shift the pages: they are newer
        than every event the pager still has to return.

        Args:
            event_types: only events of these types.
            start_time: only events that occurred at or after this time.
            end_time: only events that occurred before this time.
            organization_id: only events of this organization.
            source: only events from this source.
            connection_id: only events about this connection.
            filter: a prebuilt ``EventFilter``; the keywords override it.
            page_size: events per page (``None``: the service's default).
            limit: stop after this many events (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``ScalekitEvent`` messages.

        Example:
            >>> async for event in client.events.iter_events(organization_id="org_1", limit=100):
            ...     print(event.type, event.id)
        """

        async def fetch(token: str, size: int) -> pb.ListEventsResponse:
            return await self.list_events(
                event_types=event_types,
                start_time=start_time,
                end_time=end_time,
                organization_id=organization_id,
                source=source,
                connection_id=connection_id,
                filter=filter,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch, lambda page: page.events, page_size=page_size, limit=limit, page_token=page_token
        )

    async def list_events_paginated(
        self,
        *,
        event_types: Sequence[str] | None = None,
        start_time: When | None = None,
        end_time: When | None = None,
        organization_id: str | None = None,
        source: pb.Source.ValueType | None = None,
        connection_id: str | None = None,
        filter: pb.EventFilter | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListEventsPaginatedResponse:
        """Fetch one page of events, newest first, without counting them (cheaper than ``list_events``).

        Args:
            event_types: only events of these types, e.g. ``["organization.created"]``.
            start_time: only events that occurred at or after this time (naive means UTC).
            end_time: only events that occurred before this time.
            organization_id: only events of this organization.
            source: only events from this source (``events_pb2.SCALEKIT``, ``events_pb2.DIR_SYNC``).
            connection_id: only events about this connection.
            filter: a prebuilt ``EventFilter`` (for its other fields); the keywords override it.
            page_size: events per page (``None``: the service's default, 10; at most 100).
            page_token: ``next_page_token`` / ``prev_page_token`` of a previous page (``None``: newest).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``events`` and the page tokens.

        Raises:
            BadRequestError: an invalid filter or page token.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.events.list_events_paginated(page_size=25)
        """
        request = fill(
            pb.ListEventsPaginatedRequest(),
            filter=_event_filter(
                filter, event_types, start_time, end_time, organization_id, source, connection_id
            ),
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.LIST_EVENTS_PAGINATED, request, timeout=timeout, retry=retry)

    def iter_events_paginated(
        self,
        *,
        event_types: Sequence[str] | None = None,
        start_time: When | None = None,
        end_time: When | None = None,
        organization_id: str | None = None,
        source: pb.Source.ValueType | None = None,
        connection_id: str | None = None,
        filter: pb.EventFilter | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListEventsPaginatedResponse, pb.ScalekitEvent]:
        """Iterate over events, newest first, fetching pages lazily (``ListEventsPaginated``).

        Args:
            event_types: only events of these types.
            start_time: only events that occurred at or after this time.
            end_time: only events that occurred before this time.
            organization_id: only events of this organization.
            source: only events from this source.
            connection_id: only events about this connection.
            filter: a prebuilt ``EventFilter``; the keywords override it.
            page_size: events per page (``None``: the service's default).
            limit: stop after this many events (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``ScalekitEvent`` messages.

        Example:
            >>> async for event in client.events.iter_events_paginated(event_types=["role.created"]):
            ...     print(event.id)
        """

        async def fetch(token: str, size: int) -> pb.ListEventsPaginatedResponse:
            return await self.list_events_paginated(
                event_types=event_types,
                start_time=start_time,
                end_time=end_time,
                organization_id=organization_id,
                source=source,
                connection_id=connection_id,
                filter=filter,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch, lambda page: page.events, page_size=page_size, limit=limit, page_token=page_token
        )
