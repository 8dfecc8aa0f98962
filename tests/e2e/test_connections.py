"""``client.connection`` against the emulator, in both flavours."""

from __future__ import annotations

import json

from google.protobuf.wrappers_pb2 import StringValue

from scalekit_api.v1.connections import connections_pb2 as pb
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.services.connections import record_connection_test
from scalekit_py.errors import BadRequestError, ConflictError, NotFoundError, PreconditionFailedError
from tests.e2e._support import api_error, returns_none, unique, violated_fields

MISSING_CONN = "conn_999999999999"
OKTA_OIDC = pb.CreateConnection(provider=pb.OKTA, type=pb.OIDC)
OIDC_SECRET = "oidc-client-secret-0123456789"


def new_org(client: ScalekitClient) -> organizations_pb2.Organization:
    return client.organization.create_organization(unique("Org"))


def configured(issuer: str = "https://idp.example.com") -> pb.UpdateConnection:
    return pb.UpdateConnection(
        oidc_config=pb.OIDCConnectionConfig(
            issuer=StringValue(value=issuer),
            client_id=StringValue(value="client-1"),
            client_secret=StringValue(value=OIDC_SECRET),
        )
    )


def test_organization_connection_lifecycle(client: ScalekitClient) -> None:
    org = new_org(client)
    conn = client.connection.create_connection(org.id, connection=OKTA_OIDC)
    assert isinstance(conn, pb.Connection)
    assert conn.id.startswith("conn_")
    assert conn.organization_id == org.id
    assert (conn.provider, conn.type, conn.status, conn.enabled) == (pb.OKTA, pb.OIDC, pb.DRAFT, False)
    assert conn.oidc_config.redirect_uri.startswith(client.env_url)
    assert client.connection.get_connection(org.id, conn.id) == conn

    api_error(
        PreconditionFailedError,
        lambda: client.connection.enable_connection(org.id, conn.id),
        grpc_code="FAILED_PRECONDITION",
        error_code="CONNECTION_NOT_CONFIGURED",
    )
    updated = client.connection.update_connection(org.id, conn.id, connection=configured())
    assert isinstance(updated, pb.Connection)
    assert updated.status == pb.COMPLETED
    assert updated.oidc_config.issuer.value == "https://idp.example.com"
    assert OIDC_SECRET not in updated.oidc_config.client_secret.value  # masked on the way out
    assert updated.oidc_config.client_secret.value.endswith(OIDC_SECRET[-4:])

    enabled = client.connection.enable_connection(org.id, conn.id)
    assert isinstance(enabled, pb.ToggleConnectionResponse)
    assert enabled.enabled is True
    assert client.connection.get_connection(org.id, conn.id).enabled is True
    listed = client.connection.list_connections(org.id)
    assert isinstance(listed, pb.ListConnectionsResponse)
    assert [(c.id, c.enabled, c.organization_id) for c in listed.connections] == [(conn.id, True, org.id)]

    disabled = client.connection.disable_connection(org.id, conn.id)
    assert isinstance(disabled, pb.ToggleConnectionResponse)
    assert disabled.enabled is False
    assert client.connection.list_connections(org.id).connections == []  # enabled ones only by default
    assert [c.id for c in client.connection.list_connections(org.id, include="all").connections] == [conn.id]

    returns_none(lambda: client.connection.delete_connection(org.id, conn.id))
    api_error(
        NotFoundError,
        lambda: client.connection.get_connection(org.id, conn.id),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )


def test_domains_of_a_connection(client: ScalekitClient) -> None:
    org = new_org(client)
    name = f"{unique('sso')}.example.com"
    domain = client.domain.create_domain(org.id, name)
    conn = client.connection.create_connection(org.id, connection=OKTA_OIDC)
    client.connection.update_connection(org.id, conn.id, connection=configured())
    assigned = client.connection.assign_domains_to_connection(org.id, conn.id, domain_ids=[domain.id])
    assert isinstance(assigned, pb.Connection)
    assert [(d.id, d.domain) for d in assigned.domains] == [(domain.id, name)]
    client.connection.enable_connection(org.id, conn.id)
    by_domain = client.connection.list_connections(domain=name)
    assert [(c.id, list(c.domains)) for c in by_domain.connections] == [(conn.id, [name])]
    stranger = new_org(client)
    foreign = client.domain.create_domain(stranger.id, f"{unique('x')}.example.com")
    api_error(
        NotFoundError,
        lambda: client.connection.assign_domains_to_connection(org.id, conn.id, domain_ids=[foreign.id]),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )


def test_connection_errors(client: ScalekitClient) -> None:
    org = new_org(client)
    conn = client.connection.create_connection(org.id, connection=OKTA_OIDC)
    saml = pb.UpdateConnection(saml_config=pb.SAMLConnectionConfigRequest())
    err = api_error(
        BadRequestError,
        lambda: client.connection.update_connection(org.id, conn.id, connection=saml),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"connection.saml_config"}
    err = api_error(
        BadRequestError,
        lambda: client.connection.create_connection(org.id, connection=pb.CreateConnection(provider=pb.OKTA)),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"connection.type"}
    err = api_error(
        BadRequestError,
        lambda: client.connection.list_connections(org.id, include="some"),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"include"}
    other = new_org(client)
    for call in (
        lambda: client.connection.get_connection(other.id, conn.id),  # not through another organization
        lambda: client.connection.get_connection(org.id, MISSING_CONN),
        lambda: client.connection.update_connection(org.id, MISSING_CONN, connection=configured()),
        lambda: client.connection.enable_connection(org.id, MISSING_CONN),
        lambda: client.connection.disable_connection(org.id, MISSING_CONN),
        lambda: client.connection.delete_connection(org.id, MISSING_CONN),
        lambda: client.connection.create_connection("org_999999999999", connection=OKTA_OIDC),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")


def test_organization_connection_listings(client: ScalekitClient) -> None:
    org = new_org(client)
    ids = [client.connection.create_connection(org.id, connection=OKTA_OIDC).id for _ in range(3)]
    first = client.connection.list_organization_connections(page_size=2)
    assert isinstance(first, pb.ListOrganizationConnectionsResponse)
    assert len(first.connections) == 2
    assert first.next_page_token
    assert first.total_size >= 3
    everything = [c.id for c in client.connection.iter_organization_connections(page_size=2)]
    assert len(everything) == len(set(everything)) == first.total_size
    assert set(ids) <= set(everything)
    pager = client.connection.iter_organization_connections(page_size=2, limit=1)
    head = [c.id for c in pager]
    rest = [
        c.id for c in client.connection.iter_organization_connections(page_token=pager.next_page_token or "")
    ]
    assert head + rest == everything

    page = client.connection.search_organization_connections(query=org.id, page_size=2)
    assert isinstance(page, pb.SearchOrganizationConnectionsResponse)
    assert page.total_size == 3
    assert [c.id for c in page.connections] == ids[:2]
    assert all(c.organization_name == org.display_name for c in page.connections)
    found = client.connection.iter_search_organization_connections(
        query=org.id,
        provider="okta",
        status=pb.DRAFT,
        connection_type=pb.OIDC,
        enabled=False,
        page_size=1,
        limit=2,
    )
    assert [c.id for c in found] == ids[:2]
    resumed = client.connection.iter_search_organization_connections(
        query=org.id, page_token=found.next_page_token or ""
    )
    assert [c.id for c in resumed] == ids[2:]
    none = client.connection.search_organization_connections(query=org.id, enabled=True)
    assert none.total_size == 0
    assert not none.connections


def test_environment_connections(client: ScalekitClient) -> None:
    key = unique("google")
    google = pb.CreateConnection(provider=pb.GOOGLE, type=pb.OAUTH, key_id=key)
    conn = client.connection.create_environment_connection(
        connection=google, flags=pb.Flags(is_login=True, is_app=True)
    )
    assert isinstance(conn, pb.Connection)
    assert conn.id.startswith("conn_")
    assert not conn.HasField("organization_id")
    assert (conn.key_id, conn.provider, conn.status) == (key, pb.GOOGLE, pb.COMPLETED)
    assert client.connection.get_environment_connection(conn.id) == conn
    api_error(
        ConflictError,
        lambda: client.connection.create_environment_connection(connection=google),
        grpc_code="ALREADY_EXISTS",
        error_code="ALREADY_EXISTS",
    )

    renamed = client.connection.update_environment_connection(
        conn.id, connection=pb.UpdateConnection(ui_button_title=StringValue(value="Sign in with G"))
    )
    assert isinstance(renamed, pb.Connection)
    assert renamed.ui_button_title == "Sign in with G"
    on = client.connection.enable_environment_connection(conn.id)
    assert isinstance(on, pb.ToggleConnectionResponse)
    assert on.enabled is True
    off = client.connection.disable_environment_connection(conn.id)
    assert off.enabled is False
    assert client.connection.get_environment_connection(conn.id).enabled is False

    returns_none(lambda: client.connection.delete_environment_connection(conn.id))
    for call in (
        lambda: client.connection.get_environment_connection(conn.id),
        lambda: client.connection.delete_environment_connection(conn.id),
        lambda: client.connection.enable_environment_connection(conn.id),
        lambda: client.connection.disable_environment_connection(conn.id),
        lambda: client.connection.update_environment_connection(conn.id, connection=pb.UpdateConnection()),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")


def test_app_connections(client: ScalekitClient) -> None:
    tag = unique("app")
    ids = [
        client.connection.create_environment_connection(
            connection=pb.CreateConnection(provider=pb.GOOGLE, type=pb.OAUTH, key_id=f"{tag}_{i}"),
            flags=pb.Flags(is_app=True),
        ).id
        for i in range(3)
    ]
    client.connection.create_environment_connection(  # a login connection: not an app connection
        connection=pb.CreateConnection(provider=pb.GOOGLE, type=pb.OAUTH, key_id=f"{tag}_login"),
        flags=pb.Flags(is_login=True),
    )
    page = client.connection.list_app_connections(query=tag, page_size=2)
    assert isinstance(page, pb.ListAppConnectionsResponse)
    assert page.total_size == 3
    assert [c.id for c in page.connections] == ids[:2]
    assert [c.key_id for c in page.connections] == [f"{tag}_0", f"{tag}_1"]
    pager = client.connection.iter_app_connections(query=tag, provider="google", page_size=2, limit=2)
    assert [c.id for c in pager] == ids[:2]
    rest = client.connection.iter_app_connections(query=tag, page_token=pager.next_page_token or "")
    assert [c.id for c in rest] == ids[2:]
    assert list(client.connection.iter_app_connections(query=tag, provider="okta")) == []


def test_connection_test_results(client: ScalekitClient, emulator: Emulator) -> None:
    org = new_org(client)
    conn = client.connection.create_connection(org.id, connection=OKTA_OIDC)
    user_info = json.dumps({"email": "tester@example.com"})
    ok = record_connection_test(emulator.state, conn.id, user_info=user_info)
    result = client.connection.get_connection_test_result(conn.id, ok)
    assert isinstance(result, pb.GetConnectionTestResultResponse)
    assert result.status == pb.SUCCESS
    assert json.loads(result.user_info) == {"email": "tester@example.com"}
    failed = record_connection_test(
        emulator.state, conn.id, success=False, error="access_denied", error_description="no"
    )
    bad = client.connection.get_connection_test_result(conn.id, failed)
    assert (bad.status, bad.error, bad.error_description) == (pb.FAILURE, "access_denied", "no")
    other = client.connection.create_connection(org.id, connection=OKTA_OIDC)
    for call in (
        lambda: client.connection.get_connection_test_result(conn.id, "test_999999999999"),
        lambda: client.connection.get_connection_test_result(other.id, ok),  # another connection's test
        lambda: client.connection.get_connection_test_result(MISSING_CONN, ok),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")
    err = api_error(
        BadRequestError,
        lambda: client.connection.get_connection_test_result(conn.id, "nope"),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"test_request_id"}
