"""SessionService through the generated gRPC stubs, plus the session helpers the OAuth endpoints use.

Users are written straight into the emulator's store; sessions come from ``create_session`` (what a
completed login does).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from scalekit_api.v1.sessions import sessions_pb2 as pb
from scalekit_api.v1.sessions import sessions_pb2_grpc
from scalekit_api.v1.users import users_pb2
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error
from scalekit_py.emulator.services.sessions import create_session, end_session, touch_session
from scalekit_py.emulator.store import new_id

Stub = sessions_pb2_grpc.SessionServiceStub


@pytest.fixture
def stub(grpc_channel: grpc.Channel) -> Stub:
    return sessions_pb2_grpc.SessionServiceStub(grpc_channel)


def fails(call: Callable[[Any], Any], request: Any) -> errors.APIError:
    """The SDK error a failing call maps to (the test fails if the call succeeds)."""
    with pytest.raises(grpc.RpcError) as info:
        call(request)
    mapped = from_rpc_error(info.value)
    assert isinstance(mapped, errors.APIError)
    return mapped


def violated(err: errors.APIError) -> set[str]:
    return {v.field for v in err.field_violations}


def make_user(emulator: Any) -> str:
    user = users_pb2.User(id=new_id("usr"), email=f"s{uuid.uuid4().hex[:10]}@example.com")
    with emulator.state.store.transaction() as tx:
        tx.insert("user", user.id, user, unique={"email": user.email})
    return user.id


def get(stub: Stub, session_id: str) -> pb.SessionDetails:
    return stub.GetSession(pb.SessionDetailsRequest(session_id=session_id))


def test_create_and_get_session(stub: Stub, emulator: Any) -> None:
    user_id = make_user(emulator)
    device = pb.DeviceDetails(user_agent="pytest", browser="curl", ip="127.0.0.1")
    made = create_session(emulator.state, user_id, "org_1", client_id=emulator.client_id, device=device)
    assert made.session_id.startswith("ses_")
    got = get(stub, made.session_id)
    assert got == made
    assert (got.user_id, got.organization_id, got.status) == (user_id, "org_1", "ACTIVE")
    assert list(got.authenticated_organizations) == ["org_1"]
    assert got.authenticated_clients[0].client_id == emulator.client_id
    assert got.device.browser == "curl"
    assert got.idle_expires_at.seconds > got.created_at.seconds
    assert got.absolute_expires_at.seconds >= got.idle_expires_at.seconds

    assert fails(stub.GetSession, pb.SessionDetailsRequest(session_id=new_id("ses"))).grpc_code == "NOT_FOUND"
    bad = fails(stub.GetSession, pb.SessionDetailsRequest(session_id="usr_123"))
    assert bad.grpc_code == "INVALID_ARGUMENT"
    assert violated(bad) == {"session_id"}
    assert violated(fails(stub.GetSession, pb.SessionDetailsRequest())) == {"session_id"}
    with pytest.raises(LookupError):
        create_session(emulator.state, new_id("usr"))


def test_revoke_session(stub: Stub, emulator: Any) -> None:
    user_id = make_user(emulator)
    session = create_session(emulator.state, user_id)
    revoked = stub.RevokeSession(pb.RevokeSessionRequest(session_id=session.session_id)).revoked_session
    assert (revoked.session_id, revoked.user_id, revoked.status) == (session.session_id, user_id, "REVOKED")
    assert revoked.logout_at.seconds > 0
    assert get(stub, session.session_id).status == "REVOKED"
    again = fails(stub.RevokeSession, pb.RevokeSessionRequest(session_id=session.session_id))
    assert (again.grpc_code, again.error_code) == ("FAILED_PRECONDITION", "SESSION_NOT_ACTIVE")
    missing = fails(stub.RevokeSession, pb.RevokeSessionRequest(session_id=new_id("ses")))
    assert missing.grpc_code == "NOT_FOUND"
    assert violated(fails(stub.RevokeSession, pb.RevokeSessionRequest(session_id="ses_x"))) == {"session_id"}


def test_get_user_sessions_pages_and_filters(
    stub: Stub, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = make_user(emulator)
    other = make_user(emulator)
    real_clock = emulator.state.clock
    ids = []
    for i in range(3):  # creation times one second apart, so the time filters have clear edges
        monkeypatch.setattr(emulator.state, "clock", lambda i=i: real_clock() + i)
        ids.append(create_session(emulator.state, user_id).session_id)
    monkeypatch.setattr(emulator.state, "clock", real_clock)
    create_session(emulator.state, other)
    stub.RevokeSession(pb.RevokeSessionRequest(session_id=ids[1]))

    first = stub.GetUserSessions(pb.UserSessionDetailsRequest(user_id=user_id, page_size=2))
    assert (len(first.sessions), first.total_size) == (2, 3)
    rest = stub.GetUserSessions(
        pb.UserSessionDetailsRequest(user_id=user_id, page_size=2, page_token=first.next_page_token)
    )
    assert [s.session_id for s in [*first.sessions, *rest.sessions]] == ids
    assert rest.next_page_token == ""

    active = stub.GetUserSessions(
        pb.UserSessionDetailsRequest(user_id=user_id, filter=pb.UserSessionFilter(status=["active"]))
    )
    assert [s.session_id for s in active.sessions] == [ids[0], ids[2]]
    assert active.total_size == 2
    created = get(stub, ids[2]).created_at
    since = stub.GetUserSessions(
        pb.UserSessionDetailsRequest(user_id=user_id, filter=pb.UserSessionFilter(start_time=created))
    )
    assert [s.session_id for s in since.sessions] == [ids[2]]
    before = stub.GetUserSessions(
        pb.UserSessionDetailsRequest(user_id=user_id, filter=pb.UserSessionFilter(end_time=created))
    )
    assert [s.session_id for s in before.sessions] == ids[:2]

    unknown = fails(stub.GetUserSessions, pb.UserSessionDetailsRequest(user_id=new_id("usr")))
    assert unknown.grpc_code == "NOT_FOUND"
    assert violated(fails(stub.GetUserSessions, pb.UserSessionDetailsRequest(user_id="org_1"))) == {"user_id"}
    bad_token = fails(stub.GetUserSessions, pb.UserSessionDetailsRequest(user_id=user_id, page_token="x!"))
    assert violated(bad_token) == {"page_token"}


def test_revoke_all_user_sessions_revokes_only_active_ones(stub: Stub, emulator: Any) -> None:
    user_id = make_user(emulator)
    other = make_user(emulator)
    ids = [create_session(emulator.state, user_id).session_id for _ in range(3)]
    bystander = create_session(emulator.state, other).session_id
    assert end_session(emulator.state, ids[0])
    result = stub.RevokeAllUserSessions(pb.RevokeAllUserSessionsRequest(user_id=user_id))
    assert result.total_revoked == 2
    assert [s.session_id for s in result.revoked_sessions] == ids[1:]
    assert {s.status for s in result.revoked_sessions} == {"REVOKED"}
    assert get(stub, ids[0]).status == "LOGOUT"
    assert get(stub, bystander).status == "ACTIVE"
    assert stub.RevokeAllUserSessions(pb.RevokeAllUserSessionsRequest(user_id=user_id)).total_revoked == 0
    missing = fails(stub.RevokeAllUserSessions, pb.RevokeAllUserSessionsRequest(user_id=new_id("usr")))
    assert missing.grpc_code == "NOT_FOUND"
    assert violated(fails(stub.RevokeAllUserSessions, pb.RevokeAllUserSessionsRequest())) == {"user_id"}


def test_sessions_expire_when_idle_and_activity_extends_them(
    stub: Stub, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = make_user(emulator)
    idle = create_session(emulator.state, user_id, idle_timeout=60)
    kept = create_session(emulator.state, user_id, idle_timeout=60)
    real_clock = emulator.state.clock
    monkeypatch.setattr(emulator.state, "clock", lambda: real_clock() + 45)
    assert touch_session(emulator.state, kept.session_id, idle_timeout=60)
    monkeypatch.setattr(emulator.state, "clock", lambda: real_clock() + 90)
    expired = get(stub, idle.session_id)
    assert expired.status == "EXPIRED"
    assert expired.expired_at == idle.idle_expires_at
    assert get(stub, kept.session_id).status == "ACTIVE"
    assert not touch_session(emulator.state, idle.session_id)
    assert not end_session(emulator.state, idle.session_id)
    err = fails(stub.RevokeSession, pb.RevokeSessionRequest(session_id=idle.session_id))
    assert err.grpc_code == "FAILED_PRECONDITION"
    revoked = stub.RevokeAllUserSessions(pb.RevokeAllUserSessionsRequest(user_id=user_id))
    assert [s.session_id for s in revoked.revoked_sessions] == [kept.session_id]
