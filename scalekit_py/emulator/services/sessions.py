"""SessionService: a user's login sessions (created by the emulator's OAuth login, ended here).

A session is one ``SessionDetails`` document (kind ``"session"``, parent = user id, id ``ses_<digits>``).
Its ``status`` is ``ACTIVE`` until it expires (idle or absolute timeout; noticed lazily whenever it is
read), is revoked through this service (``REVOKED``) or ends with a logout (``LOGOUT``, see
:func:`end_session`). :func:`create_session`, :func:`touch_session` and :func:`end_session` are the entry
points for the OAuth endpoints and for tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scalekit_api.v1.sessions import sessions_connect
from scalekit_api.v1.sessions import sessions_pb2 as pb
from scalekit_api.v1.users import users_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.services._base import Events, Service, handler, new_id, timestamp
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Tx

__all__ = [
    "ABSOLUTE_TIMEOUT",
    "IDLE_TIMEOUT",
    "create_app",
    "create_session",
    "end_session",
    "touch_session",
]

KIND = "session"
IDLE_TIMEOUT = 24 * 3600  # seconds without activity before a session expires
ABSOLUTE_TIMEOUT = 7 * 24 * 3600  # seconds after creation when a session expires regardless
ACTIVE, EXPIRED, REVOKED, LOGOUT = "ACTIVE", "EXPIRED", "REVOKED", "LOGOUT"


def _seconds(ts: Any) -> float:
    return float(ts.ToNanoseconds()) / 1e9


def create_session(
    state: EmulatorState,
    user_id: str,
    organization_id: str = "",
    *,
    client_id: str = "",
    device: pb.DeviceDetails | None = None,
    idle_timeout: float = IDLE_TIMEOUT,
    absolute_timeout: float = ABSOLUTE_TIMEOUT,
) -> pb.SessionDetails:
    """Start an ``ACTIVE`` session for a user (what a completed login does).

    Args:
        state: the emulator state.
        user_id: the user who logged in.
        organization_id: the organization the login was for ('' when none).
        client_id: the OAuth client the user authenticated to (listed in ``authenticated_clients``).
        device: the user agent's details, if known.
        idle_timeout: seconds of inactivity after which the session expires.
        absolute_timeout: seconds after which the session expires regardless of activity.

    Returns:
        The stored session.

    Raises:
        LookupError: the user does not exist.
    """
    now = state.clock()
    session = pb.SessionDetails(
        session_id=new_id("ses"),
        user_id=user_id,
        organization_id=organization_id,
        created_at=timestamp(now),
        updated_at=timestamp(now),
        last_active_at=timestamp(now),
        idle_expires_at=timestamp(now + idle_timeout),
        absolute_expires_at=timestamp(now + absolute_timeout),
        status=ACTIVE,
    )
    if organization_id:
        session.authenticated_organizations.append(organization_id)
    if client_id:
        session.authenticated_clients.add(client_id=client_id, organization_id=organization_id)
    if device is not None:
        session.device.CopyFrom(device)
    with state.store.transaction() as tx:
        if tx.get("user", user_id, users_pb2.User) is None:
            raise LookupError(f"user {user_id!r} does not exist")
        tx.insert(KIND, session.session_id, session, parent=user_id)
    return session


def _refresh(tx: Tx, session: pb.SessionDetails, now: float) -> pb.SessionDetails:
    """Mark an active session whose idle or absolute deadline passed as ``EXPIRED`` (persisted)."""
    if session.status != ACTIVE:
        return session
    deadline = min(_seconds(session.idle_expires_at), _seconds(session.absolute_expires_at))
    if now >= deadline:
        session.status = EXPIRED
        session.expired_at.CopyFrom(timestamp(deadline))
        session.updated_at.CopyFrom(timestamp(now))
        tx.update(KIND, session.session_id, session)
    return session


def _get(tx: Tx, session_id: str, now: float) -> pb.SessionDetails:
    session = tx.get(KIND, session_id, pb.SessionDetails)
    if session is None:
        raise _status.not_found("session", session_id)
    return _refresh(tx, session, now)


def touch_session(state: EmulatorState, session_id: str, idle_timeout: float = IDLE_TIMEOUT) -> bool:
    """Record activity on a session (a token refresh): pushes its idle deadline out.

    Returns:
        True when the session is still active (and was touched), False when it is unknown or ended.
    """
    now = state.clock()
    with state.store.transaction() as tx:
        session = tx.get(KIND, session_id, pb.SessionDetails)
        if session is None or _refresh(tx, session, now).status != ACTIVE:
            return False
        session.last_active_at.CopyFrom(timestamp(now))
        session.updated_at.CopyFrom(timestamp(now))
        session.idle_expires_at.CopyFrom(timestamp(now + idle_timeout))
        tx.update(KIND, session_id, session)
    return True


def _end(tx: Tx, session: pb.SessionDetails, status: str, now: float) -> pb.RevokedSessionDetails:
    session.status = status
    session.logout_at.CopyFrom(timestamp(now))
    session.updated_at.CopyFrom(timestamp(now))
    tx.update(KIND, session.session_id, session)
    return _revoked(session)


def end_session(state: EmulatorState, session_id: str, status: str = LOGOUT) -> bool:
    """End an active session (``LOGOUT`` for a user's logout, ``REVOKED`` for an admin revocation).

    Returns:
        True when an active session was ended, False when it is unknown or already over.
    """
    now = state.clock()
    with state.store.transaction() as tx:
        session = tx.get(KIND, session_id, pb.SessionDetails)
        if session is None or _refresh(tx, session, now).status != ACTIVE:
            return False
        _end(tx, session, status, now)
    return True


def _revoked(s: pb.SessionDetails) -> pb.RevokedSessionDetails:
    return pb.RevokedSessionDetails(
        session_id=s.session_id,
        user_id=s.user_id,
        created_at=s.created_at,
        updated_at=s.updated_at,
        idle_expires_at=s.idle_expires_at,
        absolute_expires_at=s.absolute_expires_at,
        expired_at=s.expired_at,
        logout_at=s.logout_at,
        status=s.status,
        last_active_at=s.last_active_at,
    )


def _user_sessions(tx: Tx, user_id: str, now: float) -> list[pb.SessionDetails]:
    if tx.get("user", user_id, users_pb2.User) is None:
        raise _status.not_found("user", user_id)
    return [_refresh(tx, s, now) for s in tx.all(KIND, pb.SessionDetails, parent=user_id)]


def _match(user_id: str, flt: pb.UserSessionFilter) -> Match:
    """The index entries of a user's sessions that pass a ``GetUserSessions`` filter (statuses, and
    creation time in ``[start_time, end_time)``)."""
    statuses = frozenset(s.upper() for s in flt.status)
    return Match(
        f"user:{user_id}",
        num_from=flt.start_time.ToNanoseconds() if flt.HasField("start_time") else None,
        num_below=flt.end_time.ToNanoseconds() if flt.HasField("end_time") else None,
        any_of=statuses or None,
    )


class SessionService(Service, sessions_connect.SessionService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    @handler
    async def get_session(
        self, request: pb.SessionDetailsRequest, ctx: Any, events: Events
    ) -> pb.SessionDetails:
        with self.state.store.transaction() as tx:
            return _get(tx, request.session_id, self.state.clock())

    @handler
    async def revoke_session(
        self, request: pb.RevokeSessionRequest, ctx: Any, events: Events
    ) -> pb.RevokeSessionResponse:
        now = self.state.clock()
        with self.state.store.transaction() as tx:
            session = _get(tx, request.session_id, now)
            if session.status != ACTIVE:
                raise _status.failed_precondition(
                    f"session {session.session_id} is already {session.status.lower()}",
                    error_code="SESSION_NOT_ACTIVE",
                )
            revoked = _end(tx, session, REVOKED, now)
        events.append(
            ("user.session_revoked", {"user_id": session.user_id, "session_id": session.session_id})
        )
        return pb.RevokeSessionResponse(revoked_session=revoked)

    @handler
    async def get_user_sessions(
        self, request: pb.UserSessionDetailsRequest, ctx: Any, events: Events
    ) -> pb.UserSessionDetails:
        now = self.state.clock()
        with self.state.store.transaction() as tx:
            if tx.get("user", request.user_id, users_pb2.User) is None:
                raise _status.not_found("user", request.user_id)
            # Expire what is due first (a margin over the float deadline check; _refresh decides).
            due = Match(f"active:{request.user_id}", num_below=int(now * 1e9) + 1_000)
            for session in tx.select(KIND, pb.SessionDetails, due, ordered=False):
                _refresh(tx, session, now)
            page = tx.page(
                KIND,
                pb.SessionDetails,
                page_size=request.page_size,
                page_token=request.page_token,
                match=_match(request.user_id, request.filter),
            )
        return pb.UserSessionDetails(
            sessions=page.items,  # type: ignore[arg-type]
            **page.cursor(),
        )

    @handler
    async def revoke_all_user_sessions(
        self, request: pb.RevokeAllUserSessionsRequest, ctx: Any, events: Events
    ) -> pb.RevokeAllUserSessionsResponse:
        now = self.state.clock()
        with self.state.store.transaction() as tx:
            revoked = [
                _end(tx, s, REVOKED, now)
                for s in _user_sessions(tx, request.user_id, now)
                if s.status == ACTIVE
            ]
        for r in revoked:
            events.append(("user.session_revoked", {"user_id": r.user_id, "session_id": r.session_id}))
        return pb.RevokeAllUserSessionsResponse(revoked_sessions=revoked, total_revoked=len(revoked))


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return sessions_connect.SessionServiceASGIApplication(SessionService(state), interceptors=interceptors)
