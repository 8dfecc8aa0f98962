"""``client.user`` and ``client.session`` against the emulator, in both flavours.

Sessions start with a login, which the admin API cannot do: the emulator's ``create_session`` plays it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scalekit_api.v1.commons import commons_pb2
from scalekit_api.v1.sessions import sessions_pb2
from scalekit_api.v1.users import users_pb2 as pb
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.services.sessions import create_session
from scalekit_py.errors import BadRequestError, ConflictError, NotFoundError, PreconditionFailedError
from tests.e2e._support import api_error, returns_none, unique, violated_fields

MISSING_USER = "usr_999999999999999999"
MISSING_ORG = "org_999999999999"


def new_org(client: ScalekitClient) -> str:
    return client.organization.create_organization(unique("Org")).id


def new_member(client: ScalekitClient, org_id: str, tag: str = "", **fields: object) -> pb.User:
    email = f"{unique(tag or 'user')}@example.com"
    profile = pb.CreateUserProfile(given_name="Grace", family_name="Hopper")
    user = pb.CreateUser(email=email, user_profile=profile, **fields)  # type: ignore[arg-type]
    return client.user.create_user_and_membership(org_id, user=user)


def roles_in(user: pb.User, org_id: str) -> list[str]:
    membership = next(m for m in user.memberships if m.organization_id == org_id)
    return [r.name for r in membership.roles]


# --- users ----------------------------------------------------------------------------------------------


def test_user_lifecycle(client: ScalekitClient) -> None:
    org_id, ext = new_org(client), unique("ext")
    user = new_member(client, org_id, external_id=ext, metadata={"plan": "pro"})
    assert isinstance(user, pb.User)
    assert user.id.startswith("usr_")
    assert user.external_id == ext
    assert dict(user.metadata) == {"plan": "pro"}
    assert user.user_profile.name == "Grace Hopper"
    assert [(m.organization_id, m.membership_status) for m in user.memberships] == [
        (org_id, commons_pb2.ACTIVE)
    ]
    assert roles_in(user, org_id) == ["member"]  # the environment's default member role
    assert client.user.get_user(user.id) == user
    assert client.user.get_user(external_id=ext).id == user.id

    changed = client.user.update_user(
        user.id, user=pb.UpdateUser(user_profile=pb.UpdateUserProfile(given_name="Ada", name="Ada Hopper"))
    )
    assert isinstance(changed, pb.User)
    assert (changed.user_profile.given_name, changed.user_profile.family_name) == ("Ada", "Hopper")
    by_ext = client.user.update_user(external_id=ext, user=pb.UpdateUser(metadata={"plan": "team"}))
    assert dict(by_ext.metadata) == {"plan": "team"}
    assert by_ext.user_profile.given_name == "Ada"

    returns_none(lambda: client.user.delete_user(user.id))
    api_error(
        NotFoundError, lambda: client.user.get_user(user.id), grpc_code="NOT_FOUND", error_code="NOT_FOUND"
    )
    other = new_member(client, org_id, external_id=unique("ext"))
    client.user.delete_user(external_id=other.external_id)
    api_error(
        NotFoundError, lambda: client.user.get_user(external_id=other.external_id), grpc_code="NOT_FOUND"
    )
    with pytest.raises(TypeError):
        client.user.get_user(other.id, external_id=other.external_id)


def test_user_errors(client: ScalekitClient) -> None:
    org_id = new_org(client)
    user = new_member(client, org_id)
    api_error(
        ConflictError,
        lambda: client.user.create_user_and_membership(org_id, user=pb.CreateUser(email=user.email)),
        grpc_code="ALREADY_EXISTS",
        error_code="ALREADY_EXISTS",
    )
    api_error(
        ConflictError,
        lambda: client.user.create_membership(org_id, user.id),
        grpc_code="ALREADY_EXISTS",
        error_code="ALREADY_EXISTS",
    )
    ext = unique("ext")
    new_member(client, org_id, external_id=ext)
    api_error(
        ConflictError,
        lambda: client.user.update_user(user.id, user=pb.UpdateUser(external_id=ext)),
        grpc_code="ALREADY_EXISTS",
    )
    err = api_error(
        BadRequestError,
        lambda: client.user.create_user_and_membership(org_id, user=pb.CreateUser(email="not-an-email")),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"user.email"}
    for call in (
        lambda: client.user.get_user(MISSING_USER),
        lambda: client.user.update_user(MISSING_USER, user=pb.UpdateUser()),
        lambda: client.user.delete_user(MISSING_USER),
        lambda: client.user.create_membership(org_id, MISSING_USER),
        lambda: client.user.create_membership(MISSING_ORG, user.id),
        lambda: client.user.list_organization_users(MISSING_ORG),
        lambda: client.user.list_user_roles(MISSING_ORG, user.id),
        lambda: client.user.create_user_and_membership(
            org_id,
            user=pb.CreateUser(
                email=f"{unique('x')}@example.com",
                membership=pb.CreateMembership(roles=[commons_pb2.Role(name=unique("norole"))]),
            ),
        ),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")


def test_memberships_and_invites(client: ScalekitClient, emulator: Emulator) -> None:
    home, guest_org = new_org(client), new_org(client)
    user = new_member(client, home)
    invited = client.user.create_membership(
        guest_org,
        user.id,
        membership=pb.CreateMembership(
            roles=[commons_pb2.Role(name="admin")], inviter_email="boss@example.com"
        ),
        send_invitation_email=True,
    )
    assert isinstance(invited, pb.User)
    pending = next(m for m in invited.memberships if m.organization_id == guest_org)
    assert pending.membership_status == commons_pb2.PENDING_INVITE
    assert [r.name for r in pending.roles] == ["admin"]
    mails = [m for m in emulator.mail_to(user.email) if m.kind == "invitation"]
    assert len(mails) == 1
    assert guest_org in mails[0].link

    invite = client.user.resend_invite(guest_org, user.id)
    assert isinstance(invite, pb.Invite)
    assert (invite.organization_id, invite.user_id, invite.resent_count) == (guest_org, user.id, 1)
    assert invite.status == "PENDING_INVITE"
    assert invite.inviter_email == "boss@example.com"
    assert len([m for m in emulator.mail_to(user.email) if m.kind == "invitation"]) == 2
    api_error(
        PreconditionFailedError,
        lambda: client.user.resend_invite(home, user.id),  # an active membership: nothing to resend
        grpc_code="FAILED_PRECONDITION",
        error_code="INVITE_NOT_PENDING",
    )

    updated = client.user.update_membership(
        guest_org, user.id, membership=pb.UpdateMembership(metadata={"team": "blue"})
    )
    assert isinstance(updated, pb.User)
    changed = next(m for m in updated.memberships if m.organization_id == guest_org)
    assert dict(changed.metadata) == {"team": "blue"}
    assert [r.name for r in changed.roles] == ["admin"]

    returns_none(lambda: client.user.delete_membership(guest_org, user.id))
    assert [m.organization_id for m in client.user.get_user(user.id).memberships] == [home]
    api_error(
        NotFoundError,
        lambda: client.user.delete_membership(guest_org, user.id),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )
    api_error(
        NotFoundError,
        lambda: client.user.update_membership(guest_org, user.id, membership=pb.UpdateMembership()),
        grpc_code="NOT_FOUND",
    )
    ext = unique("ext")
    client.user.update_user(user.id, user=pb.UpdateUser(external_id=ext))
    client.user.create_membership(guest_org, external_id=ext)
    client.user.update_membership(
        guest_org, external_id=ext, membership=pb.UpdateMembership(metadata={"area": "b"})
    )
    client.user.delete_membership(home, external_id=ext)
    client.user.delete_membership(guest_org, user.id, cascade=True)  # the last one: the user goes too
    api_error(NotFoundError, lambda: client.user.get_user(user.id), grpc_code="NOT_FOUND")


def test_roles_and_permissions_of_a_member(client: ScalekitClient) -> None:
    org_id = new_org(client)
    user = new_member(client, org_id)
    roles = client.user.list_user_roles(org_id, user.id)
    assert isinstance(roles, pb.ListUserRolesResponse)
    assert [r.name for r in roles.roles] == ["member"]
    perms = client.user.list_user_permissions(org_id, user.id)
    assert isinstance(perms, pb.ListUserPermissionsResponse)
    assert {p.name for p in perms.permissions} == {"organizations:read", "users:read"}

    added = client.user.assign_user_roles(org_id, user.id, role_names=["admin"])
    assert isinstance(added, pb.AssignUserRolesResponse)
    assert [r.name for r in added.roles] == ["member", "admin"]
    perms = client.user.list_user_permissions(org_id, user.id)
    assert {p.name for p in perms.permissions} >= {"users:write", "organizations:write", "users:read"}

    returns_none(lambda: client.user.remove_user_role(org_id, user.id, "member"))
    assert [r.name for r in client.user.list_user_roles(org_id, user.id).roles] == ["admin"]
    api_error(
        NotFoundError,
        lambda: client.user.remove_user_role(org_id, user.id, "member"),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )
    api_error(
        NotFoundError,
        lambda: client.user.assign_user_roles(org_id, user.id, role_names=[unique("norole")]),
        grpc_code="NOT_FOUND",
    )
    err = api_error(
        BadRequestError,
        lambda: client.user.assign_user_roles(org_id, user.id, roles=[pb.AssignRoleRequest()]),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"roles[0].role_name"}
    stranger = new_org(client)
    api_error(
        NotFoundError, lambda: client.user.list_user_permissions(stranger, user.id), grpc_code="NOT_FOUND"
    )


def test_user_listings_and_pagers(client: ScalekitClient) -> None:
    org_id, tag = new_org(client), unique("list")
    ids = [new_member(client, org_id, tag).id for _ in range(3)]

    first = client.user.list_users(page_size=2)
    assert isinstance(first, pb.ListUsersResponse)
    assert len(first.users) == 2
    assert first.next_page_token
    assert first.total_size >= 5
    everything = [u.id for u in client.user.iter_users(page_size=2)]
    assert len(everything) == len(set(everything)) == first.total_size
    assert set(ids) <= set(everything)
    pager = client.user.iter_users(page_size=2, limit=3)
    head = [u.id for u in pager]
    assert head + [u.id for u in client.user.iter_users(page_token=pager.next_page_token or "")] == everything

    members = client.user.list_organization_users(org_id, page_size=2)
    assert isinstance(members, pb.ListOrganizationUsersResponse)
    assert [u.id for u in members.users] == ids[:2]
    assert members.total_size == 3
    rest = client.user.list_organization_users(org_id, page_size=2, page_token=members.next_page_token)
    assert [u.id for u in rest.users] == ids[2:]
    assert not rest.next_page_token
    org_pager = client.user.iter_organization_users(org_id, page_size=1, limit=2)
    assert [u.id for u in org_pager] == ids[:2]
    resumed = client.user.iter_organization_users(org_id, page_token=org_pager.next_page_token or "")
    assert [u.id for u in resumed] == ids[2:]

    found = client.user.search_users(tag, page_size=2)
    assert isinstance(found, pb.SearchUsersResponse)
    assert [u.id for u in found.users] == ids[:2]
    assert found.total_size == 3
    search_pager = client.user.iter_search_users(tag, page_size=2, limit=2)
    assert [u.id for u in search_pager] == ids[:2]
    assert [
        u.id for u in client.user.iter_search_users(tag, page_token=search_pager.next_page_token or "")
    ] == ids[2:]

    in_org = client.user.search_organization_users(org_id, tag, page_size=2)
    assert isinstance(in_org, pb.SearchOrganizationUsersResponse)
    assert [u.id for u in in_org.users] == ids[:2]
    assert in_org.total_size == 3
    org_search = client.user.iter_search_organization_users(org_id, tag, page_size=1, limit=1)
    assert [u.id for u in org_search] == ids[:1]
    tail = client.user.iter_search_organization_users(
        org_id, tag, page_token=org_search.next_page_token or ""
    )
    assert [u.id for u in tail] == ids[1:]
    assert list(client.user.iter_search_organization_users(new_org(client), tag)) == []


# --- sessions -------------------------------------------------------------------------------------------


def test_sessions(client: ScalekitClient, emulator: Emulator) -> None:
    org_id = new_org(client)
    user = new_member(client, org_id)
    started = [create_session(emulator.state, user.id, org_id).session_id for _ in range(3)]
    session = client.session.get_session(started[0])
    assert isinstance(session, sessions_pb2.SessionDetails)
    assert (session.session_id, session.user_id, session.organization_id, session.status) == (
        started[0],
        user.id,
        org_id,
        "ACTIVE",
    )

    page = client.session.get_user_sessions(user.id, page_size=2)
    assert isinstance(page, sessions_pb2.UserSessionDetails)
    assert [s.session_id for s in page.sessions] == started[:2]
    assert page.total_size == 3
    assert [s.session_id for s in client.session.iter_user_sessions(user.id, page_size=2)] == started
    pager = client.session.iter_user_sessions(user.id, page_size=1, limit=1)
    assert [s.session_id for s in pager] == started[:1]
    rest = client.session.iter_user_sessions(user.id, page_token=pager.next_page_token or "")
    assert [s.session_id for s in rest] == started[1:]

    revoked = client.session.revoke_session(started[0])
    assert isinstance(revoked, sessions_pb2.RevokedSessionDetails)
    assert (revoked.session_id, revoked.status) == (started[0], "REVOKED")
    api_error(
        PreconditionFailedError,
        lambda: client.session.revoke_session(started[0]),
        grpc_code="FAILED_PRECONDITION",
        error_code="SESSION_NOT_ACTIVE",
    )
    active = client.session.get_user_sessions(user.id, status=["ACTIVE"])
    assert [s.session_id for s in active.sessions] == started[1:]
    future = datetime.now(timezone.utc) + timedelta(days=1)
    assert list(client.session.iter_user_sessions(user.id, start_time=future)) == []
    before = client.session.iter_user_sessions(
        user.id, start_time=future - timedelta(days=2), end_time=future
    )
    assert [s.session_id for s in before] == started
    flt = sessions_pb2.UserSessionFilter(status=["REVOKED"])
    assert [s.session_id for s in client.session.iter_user_sessions(user.id, filter=flt)] == started[:1]

    everything = client.session.revoke_all_user_sessions(user.id)
    assert isinstance(everything, sessions_pb2.RevokeAllUserSessionsResponse)
    assert everything.total_revoked == 2
    assert sorted(s.session_id for s in everything.revoked_sessions) == sorted(started[1:])
    assert client.session.get_session(started[2]).status == "REVOKED"


def test_session_errors(client: ScalekitClient) -> None:
    for call in (
        lambda: client.session.get_session("ses_999999999999"),
        lambda: client.session.revoke_session("ses_999999999999"),
        lambda: client.session.get_user_sessions(MISSING_USER),
        lambda: client.session.revoke_all_user_sessions(MISSING_USER),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")
    err = api_error(
        BadRequestError, lambda: client.session.get_session("session-1"), grpc_code="INVALID_ARGUMENT"
    )
    assert violated_fields(err) == {"session_id"}
