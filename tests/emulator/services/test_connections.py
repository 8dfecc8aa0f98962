"""ConnectionService through the generated gRPC stubs: organization and environment connections,
configuration status, enable/disable, domains, listings with filters and paging, test results."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.wrappers_pb2 import BoolValue, StringValue

from scalekit_api.v1.connections import connections_pb2 as pb
from scalekit_api.v1.connections import connections_pb2_grpc
from scalekit_api.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.services.connections import record_connection_test

Stub = connections_pb2_grpc.ConnectionServiceStub
Events = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def stub(grpc_channel: grpc.Channel) -> Stub:
    return connections_pb2_grpc.ConnectionServiceStub(grpc_channel)


@pytest.fixture
def orgs(grpc_channel: grpc.Channel) -> organizations_pb2_grpc.OrganizationServiceStub:
    return organizations_pb2_grpc.OrganizationServiceStub(grpc_channel)


@pytest.fixture
def emitted(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Events:
    seen: Events = []
    monkeypatch.setattr(emulator.state, "emit", lambda kind, data: seen.append((kind, data)))
    return seen


def uid(prefix: str = "c") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def fails(call: Callable[[Any], Any], request: Any) -> errors.APIError:
    with pytest.raises(grpc.RpcError) as info:
        call(request)
    mapped = from_rpc_error(info.value)
    assert isinstance(mapped, errors.APIError)
    return mapped


def violated(err: errors.APIError) -> set[str]:
    return {v.field for v in err.field_violations}


def new_org(orgs: organizations_pb2_grpc.OrganizationServiceStub, name: str = "") -> str:
    spec = organizations_pb2.CreateOrganization(display_name=name or uid("Org "))
    return str(
        orgs.CreateOrganization(
            organizations_pb2.CreateOrganizationRequest(organization=spec)
        ).organization.id
    )


def create(stub: Stub, org_id: str, kind: int = pb.SAML, provider: int = pb.OKTA, **kw: Any) -> pb.Connection:
    spec = pb.CreateConnection(type=kind, provider=provider, **kw)  # type: ignore[arg-type]
    return stub.CreateConnection(
        pb.CreateConnectionRequest(organization_id=org_id, connection=spec)
    ).connection


def create_env(stub: Stub, kind: int = pb.OAUTH, provider: int = pb.GOOGLE, **flags: bool) -> pb.Connection:
    spec = pb.CreateConnection(type=kind, provider=provider)  # type: ignore[arg-type]
    req = pb.CreateEnvironmentConnectionRequest(connection=spec, flags=pb.Flags(**flags))
    return stub.CreateEnvironmentConnection(req).connection


def configure_oidc(stub: Stub, org_id: str, conn_id: str, **fields: str) -> pb.Connection:
    config = pb.OIDCConnectionConfig()
    for name, value in fields.items():
        getattr(config, name).value = value
    req = pb.UpdateConnectionRequest(
        organization_id=org_id, id=conn_id, connection=pb.UpdateConnection(oidc_config=config)
    )
    return stub.UpdateConnection(req).connection


def ready_oidc(stub: Stub, org_id: str) -> pb.Connection:
    conn = create(stub, org_id, pb.OIDC)
    return configure_oidc(
        stub, org_id, conn.id, issuer="https://idp.example.com", client_id="cid", client_secret="s3cr3t-value"
    )


# ----- organization connections -----


def test_create_saml_connection(stub: Stub, orgs: Any, emulator: Emulator, emitted: Events) -> None:
    org_id = new_org(orgs)
    conn = create(stub, org_id)
    assert conn.id.startswith("conn_")
    assert (conn.type, conn.provider, conn.status, conn.enabled) == (pb.SAML, pb.OKTA, pb.DRAFT, False)
    assert conn.organization_id == org_id
    assert conn.saml_config.sp_entity_id.startswith(emulator.env_url)
    assert conn.saml_config.sp_assertion_url.endswith("/acs")
    assert ("connection.created", {"connection_id": conn.id, "organization_id": org_id}) in emitted
    got = stub.GetConnection(pb.GetConnectionRequest(organization_id=org_id, id=conn.id)).connection
    assert got == conn


def test_create_errors(stub: Stub, orgs: Any) -> None:
    org_id = new_org(orgs)
    oauth = pb.CreateConnectionRequest(organization_id=org_id, connection=pb.CreateConnection(type=pb.OAUTH))
    err = fails(stub.CreateConnection, oauth)
    assert err.grpc_code == "INVALID_ARGUMENT"
    assert violated(err) == {"connection"}
    no_type = pb.CreateConnectionRequest(organization_id=org_id, connection=pb.CreateConnection())
    assert violated(fails(stub.CreateConnection, no_type)) == {"connection.type"}
    undefined = pb.CreateConnectionRequest(
        organization_id=org_id,
        connection=pb.CreateConnection(type=pb.SAML, provider=99),  # type: ignore[arg-type]
    )
    assert violated(fails(stub.CreateConnection, undefined)) == {"connection.provider"}
    assert violated(fails(stub.CreateConnection, pb.CreateConnectionRequest(organization_id=org_id))) == {
        "connection"
    }
    missing = pb.CreateConnectionRequest(
        organization_id="org_404", connection=pb.CreateConnection(type=pb.SAML)
    )
    assert fails(stub.CreateConnection, missing).grpc_code == "NOT_FOUND"
    key = uid("key")
    create(stub, org_id, key_id=key)
    dup = fails(
        stub.CreateConnection,
        pb.CreateConnectionRequest(
            organization_id=org_id, connection=pb.CreateConnection(type=pb.OIDC, key_id=key)
        ),
    )
    assert dup.grpc_code == "ALREADY_EXISTS"


def test_get_is_scoped_to_the_organization(stub: Stub, orgs: Any) -> None:
    org_id, other = new_org(orgs), new_org(orgs)
    conn = create(stub, org_id)
    wrong = fails(stub.GetConnection, pb.GetConnectionRequest(organization_id=other, id=conn.id))
    assert (wrong.grpc_code, wrong.error_code) == ("NOT_FOUND", "NOT_FOUND")
    unknown_org = fails(stub.GetConnection, pb.GetConnectionRequest(organization_id="org_404", id=conn.id))
    assert unknown_org.grpc_code == "NOT_FOUND"
    env_view = fails(stub.GetEnvironmentConnection, pb.GetEnvironmentConnectionRequest(connection_id=conn.id))
    assert env_view.grpc_code == "NOT_FOUND"
    no_id = fails(stub.GetConnection, pb.GetConnectionRequest(organization_id=org_id))
    assert violated(no_id) == {"id"}


def test_oidc_configuration_drives_status_and_masks_secret(stub: Stub, orgs: Any, emitted: Events) -> None:
    org_id = new_org(orgs)
    conn = create(stub, org_id, pb.OIDC)
    assert conn.status == pb.DRAFT
    assert conn.oidc_config.redirect_uri
    partial = configure_oidc(stub, org_id, conn.id, issuer="https://idp.example.com")
    assert partial.status == pb.IN_PROGRESS
    done = configure_oidc(stub, org_id, conn.id, client_id="client-1", client_secret="very-secret-value")
    assert done.status == pb.COMPLETED
    assert done.oidc_config.issuer.value == "https://idp.example.com"  # kept from the first update
    assert done.oidc_config.client_id.value == "client-1"
    assert "very-secret" not in done.oidc_config.client_secret.value
    assert done.oidc_config.client_secret.value.endswith("alue")
    assert ("connection.updated", {"connection_id": conn.id, "organization_id": org_id}) in emitted
    upd = pb.UpdateConnection(
        ui_button_title=StringValue(value="Sign in with Acme"),
        debug_enabled=BoolValue(value=True),
        attribute_mapping={"email": "mail"},
    )
    out = stub.UpdateConnection(
        pb.UpdateConnectionRequest(organization_id=org_id, id=conn.id, connection=upd)
    )
    c = out.connection
    assert (c.ui_button_title, c.debug_enabled, dict(c.attribute_mapping)) == (
        "Sign in with Acme",
        True,
        {"email": "mail"},
    )
    assert c.oidc_config.client_id.value == "client-1"  # untouched


def test_saml_certificate_completes(stub: Stub, orgs: Any) -> None:
    org_id = new_org(orgs)
    conn = create(stub, org_id)
    saml = pb.SAMLConnectionConfigRequest(
        idp_entity_id=StringValue(value="https://idp.example.com/entity"),
        idp_sso_url=StringValue(value="https://idp.example.com/sso"),
        idp_certificate=StringValue(value="MIIC-fake-cert"),
    )
    out = stub.UpdateConnection(
        pb.UpdateConnectionRequest(
            organization_id=org_id, id=conn.id, connection=pb.UpdateConnection(saml_config=saml)
        )
    ).connection
    assert out.status == pb.COMPLETED
    assert out.saml_config.idp_entity_id.value == "https://idp.example.com/entity"
    assert [c.certificate for c in out.saml_config.idp_certificates] == ["MIIC-fake-cert"]
    assert out.saml_config.idp_certificates[0].issuer == "https://idp.example.com/entity"
    assert out.saml_config.sp_entity_id == conn.saml_config.sp_entity_id


def test_update_errors(stub: Stub, orgs: Any) -> None:
    org_id = new_org(orgs)
    conn = create(stub, org_id)
    wrong_kind = pb.UpdateConnection(oidc_config=pb.OIDCConnectionConfig(client_id=StringValue(value="x")))
    req = pb.UpdateConnectionRequest(organization_id=org_id, id=conn.id, connection=wrong_kind)
    assert violated(fails(stub.UpdateConnection, req)) == {"connection.oidc_config"}
    to_oauth = pb.UpdateConnectionRequest(
        organization_id=org_id, id=conn.id, connection=pb.UpdateConnection(type=pb.OAUTH)
    )
    assert violated(fails(stub.UpdateConnection, to_oauth)) == {"connection"}
    missing = pb.UpdateConnectionRequest(
        organization_id=org_id, id="conn_404", connection=pb.UpdateConnection()
    )
    assert fails(stub.UpdateConnection, missing).grpc_code == "NOT_FOUND"
    assert violated(
        fails(stub.UpdateConnection, pb.UpdateConnectionRequest(organization_id=org_id, id=conn.id))
    ) == {"connection"}
    key = uid("key")
    create(stub, org_id, key_id=key)
    taken = pb.UpdateConnectionRequest(
        organization_id=org_id, id=conn.id, connection=pb.UpdateConnection(key_id=key)
    )
    assert fails(stub.UpdateConnection, taken).grpc_code == "ALREADY_EXISTS"


def test_enable_disable(stub: Stub, orgs: Any, emitted: Events) -> None:
    org_id = new_org(orgs)
    draft = create(stub, org_id)
    err = fails(stub.EnableConnection, pb.ToggleConnectionRequest(organization_id=org_id, id=draft.id))
    assert (err.grpc_code, err.error_code) == ("FAILED_PRECONDITION", "CONNECTION_NOT_CONFIGURED")
    conn = ready_oidc(stub, org_id)
    assert stub.EnableConnection(pb.ToggleConnectionRequest(organization_id=org_id, id=conn.id)).enabled
    got = stub.GetConnection(pb.GetConnectionRequest(organization_id=org_id, id=conn.id)).connection
    assert got.enabled
    assert ("connection.enabled", {"connection_id": conn.id, "organization_id": org_id}) in emitted
    assert not stub.DisableConnection(pb.ToggleConnectionRequest(organization_id=org_id, id=conn.id)).enabled
    assert not stub.GetConnection(
        pb.GetConnectionRequest(organization_id=org_id, id=conn.id)
    ).connection.enabled
    assert ("connection.disabled", {"connection_id": conn.id, "organization_id": org_id}) in emitted
    missing = pb.ToggleConnectionRequest(organization_id=org_id, id="conn_404")
    assert fails(stub.DisableConnection, missing).grpc_code == "NOT_FOUND"


def test_delete(stub: Stub, orgs: Any, emitted: Events) -> None:
    org_id = new_org(orgs)
    conn = create(stub, org_id, key_id=uid("key"))
    stub.DeleteConnection(pb.DeleteConnectionRequest(organization_id=org_id, id=conn.id))
    assert ("connection.deleted", {"connection_id": conn.id, "organization_id": org_id}) in emitted
    gone = fails(stub.GetConnection, pb.GetConnectionRequest(organization_id=org_id, id=conn.id))
    assert gone.grpc_code == "NOT_FOUND"
    again = fails(stub.DeleteConnection, pb.DeleteConnectionRequest(organization_id=org_id, id=conn.id))
    assert again.grpc_code == "NOT_FOUND"
    create(stub, org_id, key_id=conn.key_id)  # the key id is free again


def test_assign_domains(stub: Stub, orgs: Any, grpc_channel: grpc.Channel) -> None:
    domains = domains_pb2_grpc.DomainServiceStub(grpc_channel)
    org_id, other = new_org(orgs), new_org(orgs)

    def domain(org: str) -> domains_pb2.Domain:
        spec = domains_pb2.CreateDomain(domain=f"{uid()}.example.com")
        return domains.CreateDomain(domains_pb2.CreateDomainRequest(organization_id=org, domain=spec)).domain

    d1, d2, foreign = domain(org_id), domain(org_id), domain(other)
    conn = create(stub, org_id)
    req = pb.AssignDomainsToConnectionRequest(
        organization_id=org_id, connection_id=conn.id, domain_ids=[d1.id, d2.id]
    )
    out = stub.AssignDomainsToConnection(req).connection
    assert [d.domain for d in out.domains] == [d1.domain, d2.domain]
    assert out.domains[0].verification_status == d1.verification_status
    domains.DeleteDomain(domains_pb2.DeleteDomainRequest(organization_id=org_id, id=d2.id))
    got = stub.GetConnection(pb.GetConnectionRequest(organization_id=org_id, id=conn.id)).connection
    assert [d.id for d in got.domains] == [d1.id]
    bad = pb.AssignDomainsToConnectionRequest(
        organization_id=org_id, connection_id=conn.id, domain_ids=[foreign.id]
    )
    assert fails(stub.AssignDomainsToConnection, bad).grpc_code == "NOT_FOUND"
    assert [
        d.id
        for d in stub.GetConnection(
            pb.GetConnectionRequest(organization_id=org_id, id=conn.id)
        ).connection.domains
    ] == [d1.id]
    bad_id = pb.AssignDomainsToConnectionRequest(organization_id=org_id, connection_id="c_1")
    assert violated(fails(stub.AssignDomainsToConnection, bad_id)) == {"connection_id"}


# ----- listings -----


def test_list_connections_filters(stub: Stub, orgs: Any, grpc_channel: grpc.Channel) -> None:
    org_id = new_org(orgs, uid("Listing "))
    draft = create(stub, org_id)
    live = ready_oidc(stub, org_id)
    stub.EnableConnection(pb.ToggleConnectionRequest(organization_id=org_id, id=live.id))
    active = stub.ListConnections(pb.ListConnectionsRequest(organization_id=org_id))
    assert [c.id for c in active.connections] == [live.id]
    assert active.connections[0].organization_id == org_id
    every = stub.ListConnections(pb.ListConnectionsRequest(organization_id=org_id, include="all"))
    assert [c.id for c in every.connections] == [draft.id, live.id]
    assert every.connections[0].organization_name.startswith("Listing ")
    name = f"{uid()}.example.com"
    domains_pb2_grpc.DomainServiceStub(grpc_channel).CreateDomain(
        domains_pb2.CreateDomainRequest(organization_id=org_id, domain=domains_pb2.CreateDomain(domain=name))
    )
    by_domain = stub.ListConnections(pb.ListConnectionsRequest(domain=name, include="all"))
    assert {c.id for c in by_domain.connections} == {draft.id, live.id}
    assert not stub.ListConnections(
        pb.ListConnectionsRequest(domain="unknown.example", include="all")
    ).connections
    assert violated(fails(stub.ListConnections, pb.ListConnectionsRequest(include="some"))) == {"include"}
    missing = pb.ListConnectionsRequest(organization_id="org_404")
    assert fails(stub.ListConnections, missing).grpc_code == "NOT_FOUND"


def test_list_organization_connections_pages(stub: Stub, orgs: Any, emulator: Emulator) -> None:
    org_id = new_org(orgs)
    mine = [create(stub, org_id).id for _ in range(3)]
    env = create_env(stub)
    seen: list[str] = []
    token = ""
    while True:
        page = stub.ListOrganizationConnections(
            pb.ListOrganizationConnectionsRequest(page_size=2, page_token=token)
        )
        assert len(page.connections) <= 2
        seen += [c.id for c in page.connections]
        token = page.next_page_token
        if not token:
            break
    assert env.id not in seen
    assert seen[-3:] == mine
    assert len(seen) == len(set(seen)) == page.total_size
    too_big = pb.ListOrganizationConnectionsRequest(page_size=31)
    assert violated(fails(stub.ListOrganizationConnections, too_big)) == {"page_size"}


def test_search_organization_connections(stub: Stub, orgs: Any) -> None:
    name = uid("Searchable")
    org_id = new_org(orgs, name)
    saml = create(stub, org_id)
    oidc = ready_oidc(stub, org_id)
    stub.EnableConnection(pb.ToggleConnectionRequest(organization_id=org_id, id=oidc.id))
    found = stub.SearchOrganizationConnections(pb.SearchOrganizationConnectionsRequest(query=name.lower()))
    assert [c.id for c in found.connections] == [saml.id, oidc.id]
    assert found.total_size == 2
    first = stub.SearchOrganizationConnections(
        pb.SearchOrganizationConnectionsRequest(query=name, page_size=1)
    )
    second = stub.SearchOrganizationConnections(
        pb.SearchOrganizationConnectionsRequest(query=name, page_size=1, page_token=first.next_page_token)
    )
    assert [first.connections[0].id, second.connections[0].id] == [saml.id, oidc.id]
    typed = pb.SearchOrganizationConnectionsRequest(query=name, connection_type=pb.OIDC)
    assert [c.id for c in stub.SearchOrganizationConnections(typed).connections] == [oidc.id]
    enabled = pb.SearchOrganizationConnectionsRequest(query=name, enabled=False)
    assert [c.id for c in stub.SearchOrganizationConnections(enabled).connections] == [saml.id]
    status = pb.SearchOrganizationConnectionsRequest(query=name, status=pb.COMPLETED, provider="okta")
    assert [c.id for c in stub.SearchOrganizationConnections(status).connections] == [oidc.id]
    bad = pb.SearchOrganizationConnectionsRequest(connection_type=77)  # type: ignore[arg-type]
    assert violated(fails(stub.SearchOrganizationConnections, bad)) == {"connection_type"}


# ----- environment connections -----


def test_environment_connection_lifecycle(stub: Stub, emitted: Events) -> None:
    conn = create_env(stub, is_login=True)
    assert not conn.HasField("organization_id")
    assert conn.status == pb.COMPLETED  # social login on the platform's credentials
    assert conn.oauth_config.use_platform_creds.value
    get = pb.GetEnvironmentConnectionRequest(connection_id=conn.id)
    assert stub.GetEnvironmentConnection(get).connection == conn
    toggle = pb.ToggleEnvironmentConnectionRequest(connection_id=conn.id)
    assert stub.EnableEnvironmentConnection(toggle).enabled
    assert ("connection.enabled", {"connection_id": conn.id, "organization_id": ""}) in emitted
    upd = pb.UpdateConnection(
        oauth_config=pb.OAuthConnectionConfig(
            client_id=StringValue(value="google-client"),
            client_secret=StringValue(value="google-secret-123"),
            use_platform_creds=BoolValue(value=False),
            scopes=["openid", "email"],
        )
    )
    out = stub.UpdateEnvironmentConnection(
        pb.UpdateEnvironmentConnectionRequest(connection_id=conn.id, connection=upd)
    )
    assert out.connection.oauth_config.client_id.value == "google-client"
    assert list(out.connection.oauth_config.scopes) == ["openid", "email"]
    assert out.connection.oauth_config.client_secret.value != "google-secret-123"
    assert out.connection.enabled
    assert not stub.DisableEnvironmentConnection(toggle).enabled
    stub.DeleteEnvironmentConnection(pb.DeleteEnvironmentConnectionRequest(connection_id=conn.id))
    assert fails(stub.GetEnvironmentConnection, get).grpc_code == "NOT_FOUND"


def test_environment_connection_errors(stub: Stub, orgs: Any) -> None:
    assert violated(fails(stub.CreateEnvironmentConnection, pb.CreateEnvironmentConnectionRequest())) == {
        "connection"
    }
    org_conn = create(stub, new_org(orgs))
    for call, req in (
        (stub.GetEnvironmentConnection, pb.GetEnvironmentConnectionRequest(connection_id=org_conn.id)),
        (stub.EnableEnvironmentConnection, pb.ToggleEnvironmentConnectionRequest(connection_id=org_conn.id)),
        (stub.DeleteEnvironmentConnection, pb.DeleteEnvironmentConnectionRequest(connection_id=org_conn.id)),
        (
            stub.UpdateEnvironmentConnection,
            pb.UpdateEnvironmentConnectionRequest(
                connection_id=org_conn.id, connection=pb.UpdateConnection()
            ),
        ),
    ):
        assert fails(call, req).grpc_code == "NOT_FOUND"
    no_id = fails(stub.DisableEnvironmentConnection, pb.ToggleEnvironmentConnectionRequest())
    assert violated(no_id) == {"connection_id"}
    # environment connections may use the types organization connections may not
    assert create_env(stub, pb.PASSWORDLESS, pb.CUSTOM).passwordless_config is not None


def test_list_app_connections(stub: Stub) -> None:
    key = uid("gmail")
    spec = pb.CreateConnection(type=pb.OAUTH, provider=pb.GOOGLE, provider_key=key, key_id=uid("k"))
    app = stub.CreateEnvironmentConnection(
        pb.CreateEnvironmentConnectionRequest(connection=spec, flags=pb.Flags(is_app=True))
    ).connection
    create_env(stub, is_login=True)
    listed = stub.ListAppConnections(pb.ListAppConnectionsRequest(query=key))
    assert [c.id for c in listed.connections] == [app.id]
    assert listed.connections[0].provider_key == key
    everything = stub.ListAppConnections(pb.ListAppConnectionsRequest(page_size=30))
    ids = [c.id for c in everything.connections]
    assert app.id in ids
    assert everything.total_size >= 1
    by_provider = stub.ListAppConnections(pb.ListAppConnectionsRequest(provider=key))
    assert [c.id for c in by_provider.connections] == [app.id]
    assert violated(fails(stub.ListAppConnections, pb.ListAppConnectionsRequest(query="ab"))) == {"query"}


def test_an_app_connection_for_a_known_provider(stub: Stub) -> None:
    spec = pb.CreateConnection(type=pb.OAUTH, provider=pb.CUSTOM, provider_key="HUBSPOT")
    app = stub.CreateEnvironmentConnection(
        pb.CreateEnvironmentConnectionRequest(connection=spec, flags=pb.Flags(is_app=True))
    ).connection
    assert app.key_id.startswith("hubspot-")
    assert len(app.key_id) > len("hubspot-")
    assert app.enabled is True
    assert app.oauth_config.authorize_uri.value == "https://app.hubspot.com/oauth/authorize"
    assert app.oauth_config.token_uri.value.startswith("https://")
    again = stub.CreateEnvironmentConnection(
        pb.CreateEnvironmentConnectionRequest(connection=spec, flags=pb.Flags(is_app=True))
    ).connection
    assert again.key_id != app.key_id, "each app connection gets its own key id"
    # Not an app, or an unknown provider: no provider defaults, created disabled.
    plain = stub.CreateEnvironmentConnection(
        pb.CreateEnvironmentConnectionRequest(connection=spec)
    ).connection
    assert (plain.key_id, plain.enabled, plain.oauth_config.HasField("authorize_uri")) == ("", False, False)
    unknown = pb.CreateConnection(type=pb.OAUTH, provider=pb.CUSTOM, provider_key=uid("acme"))
    other = stub.CreateEnvironmentConnection(
        pb.CreateEnvironmentConnectionRequest(connection=unknown, flags=pb.Flags(is_app=True))
    ).connection
    assert (other.key_id, other.enabled) == ("", False)


# ----- test results -----


def test_connection_test_results(stub: Stub, orgs: Any, emulator: Emulator) -> None:
    conn = create(stub, new_org(orgs))
    ok = record_connection_test(emulator.state, conn.id, user_info='{"email": "a@example.com"}')
    bad = record_connection_test(emulator.state, conn.id, success=False, error="invalid_saml_response")
    result = stub.GetConnectionTestResult(
        pb.GetConnectionTestResultRequest(connection_id=conn.id, test_request_id=ok)
    )
    assert (result.status, result.user_info) == (pb.SUCCESS, '{"email": "a@example.com"}')
    failed = stub.GetConnectionTestResult(
        pb.GetConnectionTestResultRequest(connection_id=conn.id, test_request_id=bad)
    )
    assert (failed.status, failed.error) == (pb.FAILURE, "invalid_saml_response")
    other = create(stub, new_org(orgs))
    wrong = pb.GetConnectionTestResultRequest(connection_id=other.id, test_request_id=ok)
    assert fails(stub.GetConnectionTestResult, wrong).grpc_code == "NOT_FOUND"
    unknown = pb.GetConnectionTestResultRequest(connection_id="conn_404", test_request_id=ok)
    assert fails(stub.GetConnectionTestResult, unknown).grpc_code == "NOT_FOUND"
    prefix = pb.GetConnectionTestResultRequest(connection_id=conn.id, test_request_id="tst_1")
    assert violated(fails(stub.GetConnectionTestResult, prefix)) == {"test_request_id"}
    with pytest.raises(KeyError):
        record_connection_test(emulator.state, "conn_404")
