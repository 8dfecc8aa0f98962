"""``client.m2m_client``: organization (M2M) clients against the emulator, in both flavours, and what
their credentials can do: get tokens at ``/oauth/token`` that validate with their scopes and audience,
and nothing on the admin API (PERMISSION_DENIED)."""

from __future__ import annotations

from typing import Any, cast

import httpx
import pytest

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import BadRequestError, ForbiddenError, NotFoundError, TokenValidationError
from scalekit_py.oauth import TokenValidationOptions
from tests.e2e._m2m import access_token, token_response, validate
from tests.e2e._support import (
    FLAVOURS,
    CallRecorder,
    api_error,
    assert_no_secret,
    connected,
    register_secret,
    returns_none,
    unique,
)

MISSING_CLIENT = "m2morg_999999999999"


def new_client(client: ScalekitClient, org_id: str, **kwargs: Any) -> pb.CreateOrganizationClientResponse:
    created = client.m2m_client.create_organization_client(org_id, name=unique("m2m"), **kwargs)
    register_secret(created.plain_secret)
    return created


@pytest.fixture(scope="module")
def org_id(emulator: Emulator) -> str:
    assert emulator.seeded is not None
    return emulator.seeded.organization_id


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_create_get_update_list_delete(client: ScalekitClient, org_id: str) -> None:
    created = new_client(
        client,
        org_id,
        description="deploys",
        scopes=["deploy:apps", "read:apps"],
        audience=["https://api.example.com"],
        custom_claims={"team": "ops"},
        expiry=600,
    )
    assert isinstance(created, pb.CreateOrganizationClientResponse)
    m2m = created.client
    assert m2m.client_id.startswith("m2morg_")
    assert (m2m.organization_id, m2m.description, m2m.expiry) == (org_id, "deploys", 600)
    assert list(m2m.scopes) == ["deploy:apps", "read:apps"]
    assert list(m2m.audience) == ["https://api.example.com"]
    assert [(c.key, c.value) for c in m2m.custom_claims] == [("team", "ops")]
    assert created.plain_secret
    assert len(m2m.secrets) == 1
    assert m2m.secrets[0].secret_suffix == created.plain_secret[-4:]

    # The secret is shown once: reads show only its suffix.
    fetched = client.m2m_client.get_organization_client(org_id, m2m.client_id)
    assert isinstance(fetched, pb.M2MClient)
    assert fetched.client_id == m2m.client_id
    assert_no_secret(str(fetched), created.plain_secret)
    assert not fetched.secrets[0].HasField("plain_secret")

    updated = client.m2m_client.update_organization_client(
        org_id, m2m.client_id, name="renamed", scopes=["read:apps"], expiry=120
    )
    assert isinstance(updated, pb.M2MClient)
    assert (updated.name, list(updated.scopes), updated.expiry) == ("renamed", ["read:apps"], 120)
    assert client.m2m_client.get_organization_client(org_id, m2m.client_id).name == "renamed"

    page = client.m2m_client.list_organization_clients(org_id, page_size=100)
    assert isinstance(page, pb.ListOrganizationClientsResponse)
    assert m2m.client_id in {c.client_id for c in page.clients}
    assert page.total_size == len(page.clients)
    listed = [c.client_id for c in client.m2m_client.iter_organization_clients(org_id, page_size=1)]
    assert m2m.client_id in listed
    assert len(listed) == page.total_size

    returns_none(lambda: client.m2m_client.delete_organization_client(org_id, m2m.client_id))
    api_error(
        NotFoundError,
        lambda: client.m2m_client.get_organization_client(org_id, m2m.client_id),
        grpc_code="NOT_FOUND",
    )


def test_org_client_token_carries_org_scopes_audience_claims_and_lifetime(
    client: ScalekitClient, emulator: Emulator, org_id: str
) -> None:
    created = new_client(
        client,
        org_id,
        scopes=["deploy:apps", "read:apps"],
        audience=["https://api.example.com"],
        custom_claims={"team": "ops"},
        expiry=900,
    )
    client_id = created.client.client_id
    response = token_response(emulator.env_url, client_id, created.plain_secret)
    assert response.status_code == 200, response.text
    assert response.json()["expires_in"] == 900
    token = response.json()["access_token"]

    claims = validate(
        client, token, audience=["https://api.example.com"], required_scopes=["deploy:apps", "read:apps"]
    )
    assert (claims["oid"], claims["client_id"], claims["sub"]) == (org_id, client_id, client_id)
    assert claims["aud"] == ["https://api.example.com"]
    assert claims["scopes"] == ["deploy:apps", "read:apps"]
    assert claims["team"] == "ops"
    assert claims["exp"] - claims["iat"] == 900
    assert claims["iss"] == emulator.env_url

    # Refused for a scope it lacks or an audience it is not for.
    with pytest.raises(TokenValidationError):
        validate(client, token, audience=["https://api.example.com"], required_scopes=["admin:all"])
    with pytest.raises(TokenValidationError):
        validate(client, token, audience=["https://other.example.com"])
    assert (
        cast(Any, client).resolve(
            client.validate_access_token(
                token, TokenValidationOptions(audience=["https://other.example.com"])
            )
        )
        is False
    )

    # A subset of its scopes may be asked for; a scope it does not have may not.
    narrow = access_token(emulator.env_url, client_id, created.plain_secret, scope="read:apps")
    assert validate(client, narrow, audience=["https://api.example.com"])["scopes"] == ["read:apps"]
    refused = token_response(emulator.env_url, client_id, created.plain_secret, scope="admin:all")
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_scope")


def test_org_client_is_not_an_admin(
    flavour: str, emulator: Emulator, org_id: str, recorder: CallRecorder
) -> None:
    """An organization client's credentials work at the token endpoint but not on the admin API."""
    with connected(flavour, recorder, emulator.env_url, emulator.client_id, emulator.client_secret) as admin:
        created = new_client(admin, org_id, scopes=["read:apps"])
    client_id, secret = created.client.client_id, created.plain_secret
    with connected(flavour, recorder, emulator.env_url, client_id, secret) as as_org_client:
        err = api_error(
            ForbiddenError,
            lambda: as_org_client.organization.get_organization(org_id),
            grpc_code="PERMISSION_DENIED",
            error_code="PERMISSION_DENIED",
            secrets=(secret,),
        )
        assert "admin API" in err.message
        api_error(
            ForbiddenError,
            lambda: as_org_client.m2m_client.list_organization_clients(org_id),
            grpc_code="PERMISSION_DENIED",
            secrets=(secret,),
        )


def test_secrets_rotate_and_a_removed_secret_stops_working(
    client: ScalekitClient, emulator: Emulator, org_id: str
) -> None:
    created = new_client(client, org_id)
    client_id, first = created.client.client_id, created.plain_secret
    first_id = created.client.secrets[0].id
    added = client.m2m_client.add_organization_client_secret(org_id, client_id)
    assert isinstance(added, pb.CreateOrganizationClientSecretResponse)
    register_secret(added.plain_secret)
    assert added.plain_secret != first
    assert added.secret.secret_suffix == added.plain_secret[-4:]
    assert access_token(emulator.env_url, client_id, first)
    assert access_token(emulator.env_url, client_id, added.plain_secret)

    returns_none(lambda: client.m2m_client.remove_organization_client_secret(org_id, client_id, first_id))
    refused = token_response(emulator.env_url, client_id, first)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert access_token(emulator.env_url, client_id, added.plain_secret)
    remaining = client.m2m_client.get_organization_client(org_id, client_id).secrets
    assert [s.id for s in remaining] == [added.secret.id]
    assert remaining[0].HasField("last_used_time"), "a use at the token endpoint is recorded"
    assert not added.secret.HasField("last_used_time")
    api_error(
        NotFoundError,
        lambda: client.m2m_client.remove_organization_client_secret(org_id, client_id, first_id),
        grpc_code="NOT_FOUND",
    )


def introspect(emulator: Emulator, token: str) -> dict[str, Any]:
    answer = httpx.post(
        f"{emulator.env_url}/oauth/introspect",
        data={"token": token},
        auth=(emulator.client_id, emulator.client_secret),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_deleted_client_stops_working(client: ScalekitClient, emulator: Emulator, org_id: str) -> None:
    created = new_client(client, org_id)
    client_id, secret = created.client.client_id, created.plain_secret
    token = access_token(emulator.env_url, client_id, secret)
    before = introspect(emulator, token)
    assert (before["active"], before["client_id"], before["oid"]) == (True, client_id, org_id)
    client.m2m_client.delete_organization_client(org_id, client_id)
    refused = token_response(emulator.env_url, client_id, secret)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert introspect(emulator, token) == {"active": False}, "its tokens are no longer active"


def test_validation_and_unknown_ids(client: ScalekitClient, org_id: str) -> None:
    err = api_error(
        BadRequestError,
        lambda: client.m2m_client.create_organization_client("acme", name="x"),
        grpc_code="INVALID_ARGUMENT",
    )
    assert "organization_id" in {v.field for v in err.field_violations}
    api_error(
        BadRequestError,
        lambda: client.m2m_client.create_organization_client(org_id, custom_claims={"oid": "org_other"}),
        grpc_code="INVALID_ARGUMENT",
    )
    api_error(
        NotFoundError,
        lambda: client.m2m_client.create_organization_client("org_999999999999", name="x"),
        grpc_code="NOT_FOUND",
    )
    for call in (
        lambda: client.m2m_client.get_organization_client(org_id, MISSING_CLIENT),
        lambda: client.m2m_client.update_organization_client(org_id, MISSING_CLIENT, name="x"),
        lambda: client.m2m_client.delete_organization_client(org_id, MISSING_CLIENT),
        lambda: client.m2m_client.add_organization_client_secret(org_id, MISSING_CLIENT),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND")
    api_error(
        NotFoundError,
        lambda: client.m2m_client.list_organization_clients("org_999999999999"),
        grpc_code="NOT_FOUND",
    )
