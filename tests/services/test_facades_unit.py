"""Facade methods against a recording fake caller: requests built, results unwrapped, pagers driven.

Every test runs on the asyncio class and on its generated blocking twin.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest
from google.protobuf import empty_pb2
from google.protobuf.message import Message

from scalekit_api.v1.auth import auth_pb2, passwordless_pb2, webauthn_pb2
from scalekit_api.v1.connections import connections_pb2
from scalekit_api.v1.directories import directories_pb2
from scalekit_api.v1.domains import domains_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.roles import roles_pb2
from scalekit_api.v1.sessions import sessions_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py._transport.retry import RetryPolicy
from scalekit_py.services import RPC_METHODS
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._rpcs import organizations as org_rpcs
from tests.services._support import (
    Call,
    RecordingAsyncCaller,
    RecordingSyncCaller,
    Responder,
    default_response,
    example_message,
    service_class,
)


@pytest.fixture(params=["async", "sync"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(
    flavour: str, target: str, *args: Any, respond: Responder = default_response, **kwargs: Any
) -> tuple[Any, list[Call]]:
    """Call ``client.<target>`` (``"attr.method"``) on a fresh facade; return its result and calls."""
    attr, name = target.split(".")
    caller: RecordingAsyncCaller | RecordingSyncCaller
    if flavour == "async":
        caller = RecordingAsyncCaller(respond)
        result = asyncio.run(getattr(service_class(attr, "async")(caller), name)(*args, **kwargs))
    else:
        caller = RecordingSyncCaller(respond)
        result = getattr(service_class(attr, "sync")(caller), name)(*args, **kwargs)
    return result, caller.calls


def only(calls: list[Call], path_suffix: str) -> Any:
    assert len(calls) == 1
    assert calls[0].rpc.path.endswith("/" + path_suffix)
    return calls[0].request


# --- organizations ---------------------------------------------------------------------------


def test_create_organization_from_keywords(flavour: str) -> None:
    org = organizations_pb2.Organization(id="org_1", display_name="Acme")

    def respond(rpc: Any, request: Message) -> Message:
        return organizations_pb2.CreateOrganizationResponse(organization=org)

    result, calls = run(
        flavour,
        "organization.create_organization",
        "Acme",
        external_id="a1",
        metadata={"tier": "gold"},
        respond=respond,
    )
    request = only(calls, "CreateOrganization")
    assert request.organization.display_name == "Acme"
    assert request.organization.external_id == "a1"
    assert dict(request.organization.metadata) == {"tier": "gold"}
    assert not request.organization.HasField("slug")
    assert result == org, "the response's only field is returned"
    assert calls[0].rpc.idempotent is False
    assert (calls[0].timeout, calls[0].retry) == (NOT_GIVEN, NOT_GIVEN)


def test_create_organization_keywords_override_a_prebuilt_message(flavour: str) -> None:
    mine = organizations_pb2.CreateOrganization(display_name="Old", slug="acme")
    _, calls = run(flavour, "organization.create_organization", "New", organization=mine)
    body = only(calls, "CreateOrganization").organization
    assert (body.display_name, body.slug) == ("New", "acme")
    assert mine.display_name == "Old", "the caller's message is not changed"


def test_update_organization_by_external_id_with_mask(flavour: str) -> None:
    _, calls = run(
        flavour,
        "organization.update_organization",
        external_id="a1",
        display_name="Acme Inc",
        update_mask=["display_name"],
    )
    request = only(calls, "UpdateOrganization")
    assert request.WhichOneof("identities") == "external_id"
    assert request.external_id == "a1"
    assert request.organization.display_name == "Acme Inc"
    assert list(request.update_mask.paths) == ["display_name"]


def test_id_and_external_id_together_are_refused_before_any_call(flavour: str) -> None:
    with pytest.raises(TypeError, match="alternatives"):
        run(flavour, "organization.delete_organization", "org_1", external_id="a1")
    with pytest.raises(TypeError, match="alternatives"):
        run(flavour, "user.get_user", "usr_1", external_id="e1")


def test_get_organization_reads_are_idempotent_and_forward_options(flavour: str) -> None:
    policy = RetryPolicy(max_attempts=3)
    _, calls = run(flavour, "organization.get_organization", "org_1", timeout=None, retry=policy)
    assert only(calls, "GetOrganization") == organizations_pb2.GetOrganizationRequest(id="org_1")
    assert calls[0].rpc is org_rpcs.GET_ORGANIZATION
    assert calls[0].rpc.idempotent is True
    assert (calls[0].timeout, calls[0].retry) == (None, policy)


def test_delete_organization_returns_none(flavour: str) -> None:
    result, calls = run(flavour, "organization.delete_organization", "org_1")
    assert only(calls, "DeleteOrganization").id == "org_1"
    assert calls[0].rpc.response_type is empty_pb2.Empty
    assert result is None


def test_update_organization_settings_from_a_feature_map(flavour: str) -> None:
    _, calls = run(
        flavour,
        "organization.update_organization_settings",
        "org_1",
        features={"sso": True, "dir_sync": False},
    )
    request = only(calls, "UpdateOrganizationSettings")
    assert request.id == "org_1"
    assert [(f.name, f.enabled) for f in request.settings.features] == [("sso", True), ("dir_sync", False)]


def test_session_policy_wraps_plain_values(flavour: str) -> None:
    _, calls = run(
        flavour,
        "organization.update_organization_session_policy",
        "org_1",
        policy_source=organizations_pb2.CUSTOM,
        absolute_session_timeout=8,
        idle_session_timeout_enabled=False,
    )
    request = only(calls, "UpdateOrganizationSessionPolicy")
    assert request.absolute_session_timeout.value == 8
    assert request.HasField("idle_session_timeout_enabled")
    assert request.idle_session_timeout_enabled.value is False
    assert not request.HasField("idle_session_timeout")


def test_branding_settings_from_a_mapping(flavour: str) -> None:
    _, calls = run(
        flavour,
        "organization.update_organization_branding",
        "org_1",
        source=organizations_pb2.BRANDING_SOURCE_CUSTOM,
        customization_settings={"primary_color": "#0050ff", "radius": 4},
    )
    settings = only(calls, "UpdateOrganizationBranding").customization_settings
    assert settings["primary_color"] == "#0050ff"
    assert settings["radius"] == 4


# --- connections, domains, directories --------------------------------------------------------


def test_list_connections_by_domain_sends_only_the_domain(flavour: str) -> None:
    result, calls = run(flavour, "connection.list_connections", domain="acme.com")
    request = only(calls, "ListConnections")
    assert request.domain == "acme.com"
    assert not request.HasField("organization_id")
    assert isinstance(result, connections_pb2.ListConnectionsResponse), "list responses come whole"


def test_get_connection_maps_connection_id_to_the_id_field(flavour: str) -> None:
    _, calls = run(flavour, "connection.get_connection", "org_1", "conn_1")
    assert only(calls, "GetConnection") == connections_pb2.GetConnectionRequest(
        organization_id="org_1", id="conn_1"
    )


def test_toggle_returns_the_whole_response(flavour: str) -> None:
    def respond(rpc: Any, request: Message) -> Message:
        return connections_pb2.ToggleConnectionResponse(enabled=False, error_message="not configured")

    result, calls = run(flavour, "connection.enable_connection", "org_1", "conn_1", respond=respond)
    only(calls, "EnableConnection")
    assert result.error_message == "not configured"


def test_create_domain_for_an_organization_named_by_external_id(flavour: str) -> None:
    _, calls = run(
        flavour,
        "domain.create_domain",
        None,
        "acme.com",
        organization_external_id="a1",
        domain_type=domains_pb2.ORGANIZATION_DOMAIN,
    )
    request = only(calls, "CreateDomain")
    assert request.WhichOneof("identities") == "external_id"
    assert request.domain.domain == "acme.com"
    assert request.domain.domain_type == domains_pb2.ORGANIZATION_DOMAIN


def test_list_domains_wraps_page_numbers(flavour: str) -> None:
    _, calls = run(flavour, "domain.list_domains", "org_1", page_size=10, page_number=2)
    request = only(calls, "ListDomains")
    assert (request.page_size.value, request.page_number.value) == (10, 2)


def test_directory_users_updated_after_a_datetime(flavour: str) -> None:
    when = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)
    _, calls = run(
        flavour, "directory.list_directory_users", "org_1", "dir_1", updated_after=when, include_detail=True
    )
    request = only(calls, "ListDirectoryUsers")
    assert request.updated_after.ToDatetime(tzinfo=timezone.utc) == when
    assert request.include_detail is True
    assert request.page_token == ""


def test_assign_roles_unwraps_role_assignments(flavour: str) -> None:
    assignment = directories_pb2.RoleAssignment(group_id="dirgroup_1", role_name="admin")

    def respond(rpc: Any, request: Message) -> Message:
        assert isinstance(request, directories_pb2.AssignRolesRequest)
        return directories_pb2.AssignRolesResponse(role_assignments=request.role_assignments)

    result, calls = run(
        flavour, "directory.assign_roles", "org_1", "dir_1", assignments=[assignment], respond=respond
    )
    assert list(only(calls, "AssignRoles").role_assignments.assignments) == [assignment]
    assert isinstance(result, directories_pb2.RoleAssignments)
    assert list(result.assignments) == [assignment]


# --- users, sessions -------------------------------------------------------------------------


def test_get_user_by_external_id(flavour: str) -> None:
    result, calls = run(flavour, "user.get_user", external_id="e1")
    request = only(calls, "GetUser")
    assert request.WhichOneof("identities") == "external_id"
    assert isinstance(result, users_pb2.User)


def test_create_membership_always_sends_a_membership(flavour: str) -> None:
    _, calls = run(flavour, "user.create_membership", "org_1", "usr_1", send_invitation_email=False)
    request = only(calls, "CreateMembership")
    assert request.HasField("membership"), "membership is REQUIRED by the service"
    assert request.id == "usr_1"
    assert request.HasField("send_invitation_email")
    assert request.send_invitation_email is False


def test_assign_user_roles_accepts_names_and_messages(flavour: str) -> None:
    prebuilt = users_pb2.AssignRoleRequest(role_name="owner")
    _, calls = run(
        flavour, "user.assign_user_roles", "org_1", "usr_1", role_names=["admin"], roles=[prebuilt]
    )
    request = only(calls, "AssignUserRoles")
    assert [r.role_name for r in request.roles] == ["owner", "admin"]


def test_user_sessions_filter_only_when_asked(flavour: str) -> None:
    _, calls = run(flavour, "session.get_user_sessions", "usr_1")
    assert not only(calls, "GetUserSessions").HasField("filter")
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    _, calls = run(flavour, "session.get_user_sessions", "usr_1", status=["ACTIVE"], start_time=start)
    request = only(calls, "GetUserSessions")
    assert list(request.filter.status) == ["ACTIVE"]
    assert request.filter.start_time.ToDatetime(tzinfo=timezone.utc) == start
    assert not request.filter.HasField("end_time")


def test_revoke_session_unwraps_the_revoked_session(flavour: str) -> None:
    revoked = sessions_pb2.RevokedSessionDetails(session_id="ses_1")

    def respond(rpc: Any, request: Message) -> Message:
        return sessions_pb2.RevokeSessionResponse(revoked_session=revoked)

    result, _ = run(flavour, "session.revoke_session", "ses_1", respond=respond)
    assert result == revoked


def test_get_session_returns_the_details_message(flavour: str) -> None:
    result, calls = run(flavour, "session.get_session", "ses_1")
    assert only(calls, "GetSession").session_id == "ses_1"
    assert isinstance(result, sessions_pb2.SessionDetails)


# --- roles, permissions ----------------------------------------------------------------------


def test_create_role_with_permissions(flavour: str) -> None:
    _, calls = run(flavour, "role.create_role", "viewer", display_name="Viewer", permissions=["read", "list"])
    role = only(calls, "CreateRole").role
    assert (role.name, role.display_name, list(role.permissions)) == ("viewer", "Viewer", ["read", "list"])
    assert not role.HasField("extends")


def test_organization_roles_use_the_org_id_field(flavour: str) -> None:
    def respond(rpc: Any, request: Message) -> Message:
        return roles_pb2.UpdateDefaultOrganizationRolesResponse(default_member=roles_pb2.Role(name="viewer"))

    result, calls = run(
        flavour,
        "role.update_default_organization_roles",
        "org_1",
        default_member_role="viewer",
        respond=respond,
    )
    request = only(calls, "UpdateDefaultOrganizationRoles")
    assert (request.org_id, request.default_member_role) == ("org_1", "viewer")
    assert result == roles_pb2.Role(name="viewer")


def test_list_permissions_sends_optional_page_fields_only_when_given(flavour: str) -> None:
    _, calls = run(flavour, "permission.list_permissions", type=roles_pb2.ENVIRONMENT)
    request = only(calls, "ListPermissions")
    assert request.type == roles_pb2.ENVIRONMENT
    assert not request.HasField("page_token")
    assert not request.HasField("page_size")


def test_add_permissions_to_role(flavour: str) -> None:
    _, calls = run(flavour, "permission.add_permissions_to_role", "viewer", permission_names=["a", "b"])
    assert only(calls, "AddPermissionsToRole") == roles_pb2.AddPermissionsToRoleRequest(
        role_name="viewer", permission_names=["a", "b"]
    )


# --- passwordless, webauthn, auth ------------------------------------------------------------


def test_send_passwordless_email(flavour: str) -> None:
    result, calls = run(
        flavour,
        "passwordless.send_passwordless_email",
        "jane@acme.com",
        template=passwordless_pb2.SIGNIN,
        expires_in=300,
        template_variables={"app": "Acme"},
    )
    request = only(calls, "SendPasswordlessEmail")
    assert request.email == "jane@acme.com"
    assert request.expires_in == 300
    assert dict(request.template_variables) == {"app": "Acme"}
    assert not request.HasField("state")
    assert isinstance(result, passwordless_pb2.SendPasswordlessResponse)


def test_verify_passwordless_takes_code_or_link_token(flavour: str) -> None:
    _, calls = run(flavour, "passwordless.verify_passwordless_email", link_token="tok")
    assert only(calls, "VerifyPasswordlessEmail").WhichOneof("auth_credential") == "link_token"
    with pytest.raises(TypeError, match="alternatives"):
        run(flavour, "passwordless.verify_passwordless_email", code="1", link_token="tok")


def test_finish_registration(flavour: str) -> None:
    _, calls = run(
        flavour,
        "webauthn.finish_registration",
        credential_id=b"\x01",
        attestation_object=b"att",
        client_data_json=b"{}",
        client_extension_results={"credProps": {"rk": True}},
    )
    request = only(calls, "FinishRegistration")
    assert request.type == "public-key"
    assert request.client_extension_results["credProps"]["rk"] is True


def test_begin_registration_returns_the_options_struct(flavour: str) -> None:
    def respond(rpc: Any, request: Message) -> Message:
        response = webauthn_pb2.BeginRegistrationResponse()
        response.options.update({"challenge": "abc"})
        return response

    result, _ = run(flavour, "webauthn.begin_registration", respond=respond)
    assert result["challenge"] == "abc"


def test_update_login_user_details(flavour: str) -> None:
    user = auth_pb2.User(sub="u-42", email="jane@acme.com")
    _, calls = run(flavour, "auth.update_login_user_details", "conn_1", "lr_1", user=user)
    assert only(calls, "UpdateLoginUserDetails") == auth_pb2.UpdateLoginUserDetailsRequest(
        connection_id="conn_1", login_request_id="lr_1", user=user
    )


# --- pagers through the facades --------------------------------------------------------------

# iter method -> (list method, items field, required leading arguments)
PAGERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "organization.iter_organizations": ("list_organizations", "organizations", ()),
    "organization.iter_search_organizations": ("search_organizations", "organizations", ("acme",)),
    "connection.iter_organization_connections": ("list_organization_connections", "connections", ()),
    "connection.iter_search_organization_connections": ("search_organization_connections", "connections", ()),
    "connection.iter_app_connections": ("list_app_connections", "connections", ()),
    "directory.iter_directory_users": ("list_directory_users", "users", ("org_1", "dir_1")),
    "directory.iter_directory_groups": ("list_directory_groups", "groups", ("org_1", "dir_1")),
    "user.iter_users": ("list_users", "users", ()),
    "user.iter_search_users": ("search_users", "users", ("jane",)),
    "user.iter_search_organization_users": ("search_organization_users", "users", ("org_1", "jane")),
    "user.iter_organization_users": ("list_organization_users", "users", ("org_1",)),
    "session.iter_user_sessions": ("get_user_sessions", "sessions", ("usr_1",)),
    "permission.iter_permissions": ("list_permissions", "permissions", ()),
    "connected_accounts.iter_connected_accounts": ("list_connected_accounts", "connected_accounts", ()),
    "connected_accounts.iter_search_connected_accounts": (
        "search_connected_accounts",
        "connected_accounts",
        ("jane",),
    ),
    "tools.iter_tools": ("list_tools", "tools", ()),
    "tools.iter_scoped_tools": ("list_scoped_tools", "tools", ("user_1",)),
    "tools.iter_available_tools": ("list_available_tools", "tools", ("user_1",)),
    "mcp.iter_configs": ("list_configs", "configs", ()),
    "mcp.iter_instances": ("list_instances", "instances", ()),
    "providers.iter_providers": ("list_providers", "providers", ()),
}


def test_the_pager_table_lists_every_paginated_rpc() -> None:
    from tests.services.test_coverage import PAGINATED

    listed = {f"{target.split('.')[0]}.{method}" for target, (method, _, _) in PAGERS.items()}
    assert listed == {RPC_METHODS[p] for p in PAGINATED}


def paged_responder(items_field: str, total: int) -> Responder:
    """Serves ``total`` items, as many per page as asked (2 when the size is 0), tokens ``t<offset>``."""

    def respond(rpc: Any, request: Any) -> Message:
        start = int(request.page_token.removeprefix("t") or 0)
        size = request.page_size or 2
        end = min(start + size, total)
        response: Message = rpc.response_type(next_page_token=f"t{end}" if end < total else "")
        for _i in range(start, end):
            item = getattr(response, items_field).add()
            item.CopyFrom(example_message(type(item)))
        return response

    return respond


def drain(pager: Any, n: int | None = None) -> list[Any]:
    async def run_async() -> list[Any]:
        out: list[Any] = []
        async for item in pager:
            out.append(item)
            if len(out) == n:
                break
        return out

    if isinstance(pager, AsyncPager):
        return asyncio.run(run_async())
    out: list[Any] = []
    for item in pager:
        out.append(item)
        if len(out) == n:
            break
    return out


def make_pager(flavour: str, target: str, respond: Responder, **kwargs: Any) -> tuple[Any, list[Call]]:
    attr, name = target.split(".")
    caller = RecordingAsyncCaller(respond) if flavour == "async" else RecordingSyncCaller(respond)
    args = PAGERS[target][2]
    return getattr(service_class(attr, flavour)(caller), name)(*args, **kwargs), caller.calls


@pytest.mark.parametrize("target", sorted(PAGERS))
def test_pager_fetches_lazily_with_limit_and_page_size(flavour: str, target: str) -> None:
    list_method, items_field, args = PAGERS[target]
    policy = RetryPolicy(max_attempts=2)
    pager, calls = make_pager(
        flavour, target, paged_responder(items_field, 9), page_size=2, limit=5, timeout=1.5, retry=policy
    )
    assert calls == []
    assert len(drain(pager, 1)) == 1
    assert len(calls) == 1, "one page fetched for the first item"
    items = drain(pager)
    assert len(items) == 4, "the limit counts the items already taken"
    assert [(c.request.page_token, c.request.page_size) for c in calls] == [("", 2), ("t2", 2), ("t4", 1)]
    assert pager.next_page_token == "t5"
    expected_path = next(p for p, t in RPC_METHODS.items() if t == f"{target.split('.')[0]}.{list_method}")
    for call in calls:
        assert call.rpc.path == expected_path
        assert (call.timeout, call.retry) == (1.5, policy)
        strings = {
            getattr(call.request, f.name)
            for f in call.request.DESCRIPTOR.fields
            if f.type == f.TYPE_STRING and not f.is_repeated
        }
        assert set(args) <= strings, "the leading arguments are sent with every page"


@pytest.mark.parametrize("target", sorted(PAGERS))
def test_pager_resumes_from_a_token_and_exposes_pages(flavour: str, target: str) -> None:
    _, items_field, _ = PAGERS[target]
    pager, calls = make_pager(flavour, target, paged_responder(items_field, 5), page_token="t2")

    async def collect_pages() -> list[Any]:
        return [p async for p in pager.pages()]

    got = asyncio.run(collect_pages()) if flavour == "async" else list(pager.pages())
    assert [len(getattr(p, items_field)) for p in got] == [2, 1]
    assert [c.request.page_token for c in calls] == ["t2", "t4"]
    assert pager.next_page_token is None


def test_pager_filters_reach_every_page(flavour: str) -> None:
    pager, calls = make_pager(
        flavour,
        "connection.iter_search_organization_connections",
        paged_responder("connections", 4),
        query="okta",
        enabled=True,
    )
    assert len(drain(pager)) == 4
    assert len(calls) == 2
    assert all(c.request.query == "okta" and c.request.enabled for c in calls)
