"""The official SDK's convenience names (``*_by_external_id``, ``list_connections_by_domain``, ...).

Each is checked against a recording fake caller, on the asyncio class and its generated blocking twin:
one call of the right RPC, with the external id / domain in the request and the result unwrapped.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from scalekit_api.v1.clients import clients_pb2
from scalekit_api.v1.directories import directories_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.sessions import sessions_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py import errors
from scalekit_py.services import CONVENIENCE_METHODS
from tests.services._support import example_message, service_class
from tests.services.test_facades_unit import only, run


@pytest.fixture(params=["async", "sync"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(
    ("target", "args", "kwargs", "rpc"),
    [
        ("user.get_user_by_external_id", ("ext-1",), {}, "GetUser"),
        (
            "user.update_user_by_external_id",
            ("ext-1",),
            {"user": example_message(users_pb2.UpdateUser)},
            "UpdateUser",
        ),
        ("user.delete_user_by_external_id", ("ext-1",), {}, "DeleteUser"),
    ],
)
def test_user_by_external_id(
    flavour: str, target: str, args: tuple[str], kwargs: dict[str, Any], rpc: str
) -> None:
    _, calls = run(flavour, target, *args, **kwargs)
    request = only(calls, rpc)
    assert request.WhichOneof("identities") == "external_id"
    assert request.external_id == "ext-1"


def test_membership_by_external_id(flavour: str) -> None:
    membership = example_message(users_pb2.CreateMembership)
    _, calls = run(
        flavour,
        "user.create_membership_by_external_id",
        "org_1",
        "ext-1",
        membership=membership,
        send_invitation_email=False,
    )
    request = only(calls, "CreateMembership")
    assert (request.organization_id, request.external_id) == ("org_1", "ext-1")
    assert request.HasField("send_invitation_email")
    assert request.send_invitation_email is False

    update = example_message(users_pb2.UpdateMembership)
    result, calls = run(flavour, "user.update_membership_by_external_id", "org_1", "ext-1", membership=update)
    request = only(calls, "UpdateMembership")
    assert (request.organization_id, request.external_id) == ("org_1", "ext-1")
    assert request.membership == update
    assert isinstance(result, users_pb2.User)

    _, calls = run(flavour, "user.delete_membership_by_external_id", "org_1", "ext-1", cascade=True)
    request = only(calls, "DeleteMembership")
    assert (request.organization_id, request.external_id, request.cascade) == ("org_1", "ext-1", True)


def test_update_organization_by_external_id(flavour: str) -> None:
    body = organizations_pb2.UpdateOrganization(display_name="Acme 2")
    result, calls = run(
        flavour, "organization.update_organization_by_external_id", "acme-1", organization=body
    )
    request = only(calls, "UpdateOrganization")
    assert request.WhichOneof("identities") == "external_id"
    assert request.external_id == "acme-1"
    assert request.organization.display_name == "Acme 2"
    assert isinstance(result, organizations_pb2.Organization)


def test_list_connections_by_domain(flavour: str) -> None:
    _, calls = run(flavour, "connection.list_connections_by_domain", "acme.com", include="all")
    request = only(calls, "ListConnections")
    assert (request.domain, request.include, request.organization_id) == ("acme.com", "all", "")


def _directories(rpc: object, request: object) -> directories_pb2.ListDirectoriesResponse:
    return directories_pb2.ListDirectoriesResponse(
        directories=[directories_pb2.Directory(id="dir_1"), directories_pb2.Directory(id="dir_2")]
    )


def test_primary_directory_is_the_first_listed(flavour: str) -> None:
    result, calls = run(
        flavour, "directory.get_primary_directory_by_organization_id", "org_1", respond=_directories
    )
    assert only(calls, "ListDirectories").organization_id == "org_1"
    assert result.id == "dir_1"


def test_no_primary_directory_is_not_found(flavour: str) -> None:
    with pytest.raises(errors.NotFoundError, match="org_1"):
        run(
            flavour,
            "directory.get_primary_directory_by_organization_id",
            "org_1",
            respond=lambda rpc, request: directories_pb2.ListDirectoriesResponse(),
        )


def test_create_session_filter_builds_a_filter_without_io() -> None:
    start = datetime(2026, 1, 2, tzinfo=timezone.utc)
    for flavour in ("async", "sync"):
        cls = service_class("session", flavour)
        built = cls.create_session_filter(status=["ACTIVE"], start_time=start)
        assert isinstance(built, sessions_pb2.UserSessionFilter)
        assert list(built.status) == ["ACTIVE"]
        assert built.start_time.ToDatetime(tzinfo=timezone.utc) == start
        assert not built.HasField("end_time")
        assert cls.create_session_filter() == sessions_pb2.UserSessionFilter()


def test_resource_client_secrets_check_the_resource_first(flavour: str) -> None:
    result, calls = run(flavour, "resources.create_resource_client_secret", "res_1", "m2m_1", timeout=2.0)
    assert [c.rpc.path.rsplit("/", 1)[1] for c in calls] == ["GetResourceClient", "CreateClientSecret"]
    assert (calls[0].request.resource_id, calls[0].request.client_id) == ("res_1", "m2m_1")
    assert calls[1].request == clients_pb2.CreateClientSecretRequest(client_id="m2m_1")
    assert all(c.timeout == 2.0 for c in calls)
    assert isinstance(result, clients_pb2.CreateClientSecretResponse)

    result, calls = run(flavour, "resources.delete_resource_client_secret", "res_1", "m2m_1", "sec_1")
    assert [c.rpc.path.rsplit("/", 1)[1] for c in calls] == ["GetResourceClient", "DeleteClientSecret"]
    assert calls[1].request == clients_pb2.DeleteClientSecretRequest(client_id="m2m_1", secret_id="sec_1")
    assert result is None


def test_a_client_of_another_resource_gets_no_secret(flavour: str) -> None:
    seen: list[str] = []

    def respond(rpc: Any, request: Any) -> Any:
        seen.append(rpc.path.rsplit("/", 1)[1])
        raise errors.NotFoundError("client 'm2m_1' not found", grpc_code="NOT_FOUND")

    for target, args in (
        ("resources.create_resource_client_secret", ("res_2", "m2m_1")),
        ("resources.delete_resource_client_secret", ("res_2", "m2m_1", "sec_1")),
    ):
        with pytest.raises(errors.NotFoundError):
            run(flavour, target, *args, respond=respond)
    assert seen == ["GetResourceClient", "GetResourceClient"], "no secret RPC after a failed check"


def test_every_convenience_method_is_tested_here() -> None:
    tested = {
        "user.get_user_by_external_id",
        "user.update_user_by_external_id",
        "user.delete_user_by_external_id",
        "user.create_membership_by_external_id",
        "user.update_membership_by_external_id",
        "user.delete_membership_by_external_id",
        "organization.update_organization_by_external_id",
        "connection.list_connections_by_domain",
        "directory.get_primary_directory_by_organization_id",
        "session.create_session_filter",
        "resources.create_resource_client_secret",
        "resources.delete_resource_client_secret",
    }
    assert set(CONVENIENCE_METHODS) == tested
