"""Sessions of signed-in users: inspect, list per user, and revoke."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from google.protobuf import timestamp_pb2

from scalekit_api.v1.sessions import sessions_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import sessions as rpcs

__all__ = ["AsyncSessionService"]


def _session_filter(
    base: pb.UserSessionFilter | None,
    status: Sequence[str] | None,
    start_time: datetime | timestamp_pb2.Timestamp | None,
    end_time: datetime | timestamp_pb2.Timestamp | None,
) -> pb.UserSessionFilter | None:
    if base is None and status is None and start_time is None and end_time is None:
        return None
    return fill(merged(base, pb.UserSessionFilter), status=status, start_time=start_time, end_time=end_time)


class AsyncSessionService:
    """``client.session``: the RPCs of ``scalekit.v1.sessions.SessionService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def get_session(
        self, session_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.SessionDetails:
        """Fetch one session: its user, organization, device, status and expiry times.

        Args:
            session_id: the session's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The session's details.

        Raises:
            NotFoundError: no such session.
            APIError: any other error reported by the service.

        Example:
            >>> session = await client.session.get_session("ses_1")
        """
        request = pb.SessionDetailsRequest(session_id=session_id)
        return await self._caller.call(rpcs.GET_SESSION, request, timeout=timeout, retry=retry)

    async def revoke_session(
        self, session_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.RevokedSessionDetails:
        """End one session; its user must sign in again.

        Args:
            session_id: the session's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The revoked session.

        Raises:
            NotFoundError: no such session.
            APIError: any other error reported by the service.

        Example:
            >>> revoked = await client.session.revoke_session("ses_1")
        """
        request = pb.RevokeSessionRequest(session_id=session_id)
        response = await self._caller.call(rpcs.REVOKE_SESSION, request, timeout=timeout, retry=retry)
        return response.revoked_session

    @staticmethod
    def create_session_filter(
        status: Sequence[str] | None = None,
        start_time: datetime | timestamp_pb2.Timestamp | None = None,
        end_time: datetime | timestamp_pb2.Timestamp | None = None,
    ) -> pb.UserSessionFilter:
        """A ``UserSessionFilter`` for ``get_user_sessions(filter=...)`` (no I/O; naive datetimes are UTC).

        Example:
            >>> f = client.session.create_session_filter(status=["ACTIVE"])
        """
        return _session_filter(None, status, start_time, end_time) or pb.UserSessionFilter()

    async def get_user_sessions(
        self,
        user_id: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        status: Sequence[str] | None = None,
        start_time: datetime | timestamp_pb2.Timestamp | None = None,
        end_time: datetime | timestamp_pb2.Timestamp | None = None,
        filter: pb.UserSessionFilter | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.UserSessionDetails:
        """Fetch one page of a user's sessions.

        Args:
            user_id: the user's id.
            page_size: sessions per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            status: only sessions in these states (e.g. ``ACTIVE``, ``EXPIRED``, ``REVOKED``).
            start_time: only sessions created at or after this instant (naive means UTC).
            end_time: only sessions created before this instant (naive means UTC).
            filter: a prebuilt ``UserSessionFilter``; the three arguments above override it.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``sessions``, ``next_page_token``, ``total_size``.

        Raises:
            NotFoundError: no such user.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.session.get_user_sessions("usr_1", status=["ACTIVE"])
        """
        request = fill(
            pb.UserSessionDetailsRequest(user_id=user_id),
            page_size=page_size,
            page_token=page_token,
            filter=_session_filter(filter, status, start_time, end_time),
        )
        return await self._caller.call(rpcs.GET_USER_SESSIONS, request, timeout=timeout, retry=retry)

    def iter_user_sessions(
        self,
        user_id: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        status: Sequence[str] | None = None,
        start_time: datetime | timestamp_pb2.Timestamp | None = None,
        end_time: datetime | timestamp_pb2.Timestamp | None = None,
        filter: pb.UserSessionFilter | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.UserSessionDetails, pb.SessionDetails]:
        """Iterate over a user's sessions, fetching pages lazily.

        Args:
            user_id: the user's id.
            page_size: sessions per page (``None``: the service's default).
            limit: stop after this many sessions (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            status: only sessions in these states (e.g. ``ACTIVE``, ``EXPIRED``, ``REVOKED``).
            start_time: only sessions created at or after this instant (naive means UTC).
            end_time: only sessions created before this instant (naive means UTC).
            filter: a prebuilt ``UserSessionFilter``; the three arguments above override it.
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``SessionDetails`` messages.

        Example:
            >>> async for session in client.session.iter_user_sessions("usr_1"):
            ...     print(session.session_id, session.status)
        """

        async def fetch(token: str, size: int) -> pb.UserSessionDetails:
            return await self.get_user_sessions(
                user_id,
                page_size=size,
                page_token=token,
                status=status,
                start_time=start_time,
                end_time=end_time,
                filter=filter,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.sessions,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.UserSessionDetailsRequest),
        )

    async def revoke_all_user_sessions(
        self, user_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.RevokeAllUserSessionsResponse:
        """End every active session of a user (e.g. after a password reset).

        Args:
            user_id: the user's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``revoked_sessions`` and ``total_revoked``.

        Raises:
            NotFoundError: no such user.
            APIError: any other error reported by the service.

        Example:
            >>> result = await client.session.revoke_all_user_sessions("usr_1")
        """
        request = pb.RevokeAllUserSessionsRequest(user_id=user_id)
        return await self._caller.call(rpcs.REVOKE_ALL_USER_SESSIONS, request, timeout=timeout, retry=retry)
