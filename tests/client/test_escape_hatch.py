"""``client.call`` reaches every RPC of the API, facade or not, through the one call path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from scalekit_api.v1.emails.emails_pb2 import ListEmailTemplateRequest
from scalekit_api.v1.organizations.organizations_pb2 import (
    CreateOrganization,
    CreateOrganizationRequest,
    CreateOrganizationResponse,
    GetOrganizationRequest,
)
from scalekit_py import (
    AsyncScalekitClient,
    ConfigurationError,
    NotFoundError,
    RetryPolicy,
    ScalekitClient,
    ServerError,
    UnimplementedError,
    rpc_for,
)
from scalekit_py.emulator import Emulator

LIST_TOKENS = "/scalekit.v1.tokens.ApiTokenService/ListTokens"
# An RPC of a service the emulator does not serve (no facade yet).
UNSERVED = "/scalekit.v1.emails.EmailService/ListEmailTemplates"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def client(emulator: Emulator) -> Iterator[ScalekitClient]:
    with ScalekitClient(emulator.env_url, emulator.client_id, emulator.client_secret) as c:
        yield c


def test_a_served_rpc_through_a_typed_handle(client: ScalekitClient) -> None:
    create = rpc_for(
        "/scalekit.v1.organizations.OrganizationService/CreateOrganization",
        CreateOrganizationRequest,
        CreateOrganizationResponse,
    )
    request = CreateOrganizationRequest(organization=CreateOrganization(display_name="Hatch"))
    created = client.call(create, request)
    assert isinstance(created, CreateOrganizationResponse)
    assert created.organization.display_name == "Hatch"
    # The facade sees what the escape hatch wrote: one service, one store.
    assert client.organization.get_organization(created.organization.id).display_name == "Hatch"


def test_a_path_string_and_the_error_mapping(client: ScalekitClient) -> None:
    with pytest.raises(NotFoundError) as info:
        client.call(
            "/scalekit.v1.organizations.OrganizationService/GetOrganization",
            GetOrganizationRequest(id="org_missing"),
        )
    assert info.value.grpc_code == "NOT_FOUND"


def test_an_rpc_without_a_facade_is_a_typed_unimplemented_error(
    client: ScalekitClient, emulator: Emulator
) -> None:
    before = emulator.counters.token_requests("client_credentials")
    request = ListEmailTemplateRequest(organization_id="org_1")
    with pytest.raises(UnimplementedError) as info:
        client.call(UNSERVED, request, retry=RetryPolicy(max_attempts=3))
    err = info.value
    assert isinstance(err, ServerError)
    assert (err.grpc_code, err.http_status, err.error_code) == ("UNIMPLEMENTED", 501, "UNIMPLEMENTED")
    assert (err.request_id or "").startswith("req_")
    assert UNSERVED in str(err)
    # The call went through the auth interceptor like any facade call (one token for the client).
    assert emulator.counters.token_requests("client_credentials") - before <= 1


def test_an_unserved_rpc_of_a_served_service_is_unimplemented(client: ScalekitClient) -> None:
    from scalekit_api.v1.domains.domains_pb2 import ListAuthorizedDomainRequest

    with pytest.raises(UnimplementedError):
        client.call("/scalekit.v1.domains.DomainService/ListAuthorizedDomains", ListAuthorizedDomainRequest())


def test_async_client_has_the_same_escape_hatch(emulator: Emulator) -> None:
    async def run() -> tuple[str, str | None]:
        async with AsyncScalekitClient(emulator.env_url, emulator.client_id, emulator.client_secret) as c:
            created = await c.call(
                "/scalekit.v1.organizations.OrganizationService/CreateOrganization",
                CreateOrganizationRequest(organization=CreateOrganization(display_name="Async hatch")),
            )
            assert isinstance(created, CreateOrganizationResponse)
            with pytest.raises(UnimplementedError) as info:
                await c.call(UNSERVED, ListEmailTemplateRequest())
            return created.organization.display_name, info.value.grpc_code

    assert asyncio.run(run()) == ("Async hatch", "UNIMPLEMENTED")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("GetOrganization", "an RPC path looks like"),
        ("/scalekit.v1.nope.NopeService/Get", "unknown service"),
        ("/scalekit.v1.organizations.OrganizationService/Nope", "has no RPC 'Nope'"),
    ],
)
def test_a_bad_path_is_a_configuration_error(path: str, reason: str) -> None:
    with pytest.raises(ConfigurationError, match=reason):
        rpc_for(path)


def test_typed_handle_checks_the_message_types() -> None:
    with pytest.raises(ConfigurationError, match="takes request"):
        rpc_for(LIST_TOKENS, CreateOrganizationRequest, CreateOrganizationResponse)


def test_reads_are_idempotent_writes_are_not() -> None:
    assert rpc_for(LIST_TOKENS).idempotent
    assert not rpc_for("/scalekit.v1.tokens.ApiTokenService/CreateToken").idempotent
    assert rpc_for("scalekit.v1.tokens.ApiTokenService.ListTokens").path == LIST_TOKENS


def test_a_wrong_request_type_is_refused_before_the_network(client: ScalekitClient) -> None:
    with pytest.raises(TypeError, match="expects ListTokensRequest"):
        client.call(LIST_TOKENS, GetOrganizationRequest())
