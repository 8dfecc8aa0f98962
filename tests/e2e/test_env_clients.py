"""``client.clients``: environment clients, their secrets and the environment's login URIs against the
emulator, in both flavours. An environment client's credentials are an admin principal."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.wrappers_pb2 import BoolValue

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import BadRequestError, ConflictError, ForbiddenError, NotFoundError
from tests.e2e._m2m import access_token, token_response
from tests.e2e._support import (
    FLAVOURS,
    api_error,
    assert_no_secret,
    connected,
    register_secret,
    returns_none,
    unique,
)

MISSING = "skc_999999999999"


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def new_env_client(client: ScalekitClient, **kwargs: Any) -> tuple[pb.Client, str]:
    created = client.clients.create_client(name=unique("backend"), client_type="API", **kwargs)
    plain = created.secrets[0].plain_secret
    register_secret(plain)
    return created, plain


def test_environment_client_lifecycle(client: ScalekitClient, emulator: Emulator) -> None:
    created, plain = new_env_client(
        client, scopes=["read"], custom_claims={"tier": "gold"}, access_token_expiry=200
    )
    assert isinstance(created, pb.Client)
    assert created.id.startswith("skc_")
    assert plain
    assert (created.client_type, list(created.scopes), created.access_token_expiry) == ("API", ["read"], 200)

    fetched = client.clients.get_client(created.id)
    assert isinstance(fetched, pb.Client)
    assert not fetched.secrets[0].HasField("plain_secret"), "the secret is shown once"
    assert_no_secret(str(fetched), plain)

    updated = client.clients.update_client(created.id, name="backend-v2", scopes=["read", "write"])
    assert isinstance(updated, pb.Client)
    assert (updated.name, list(updated.scopes), updated.client_type) == (
        "backend-v2",
        ["read", "write"],
        "API",
    )

    page = client.clients.list_clients(page_size=30)
    assert isinstance(page, pb.ListClientsResponse)
    assert created.id in {c.id for c in page.clients}
    assert created.id in {c.id for c in client.clients.iter_clients(client_types=["API"], page_size=1)}
    assert client.clients.list_clients(client_types=["NOPE"]).total_size == 0

    token = access_token(emulator.env_url, created.id, plain)
    assert token

    returns_none(lambda: client.clients.delete_client(created.id))
    assert token_response(emulator.env_url, created.id, plain).status_code == 401
    api_error(NotFoundError, lambda: client.clients.get_client(created.id), grpc_code="NOT_FOUND")


def test_secrets_rotate_deactivate_and_delete(client: ScalekitClient, emulator: Emulator) -> None:
    created, first = new_env_client(client)
    added = client.clients.create_client_secret(created.id)
    assert isinstance(added, pb.CreateClientSecretResponse)
    register_secret(added.plain_secret)
    assert access_token(emulator.env_url, created.id, added.plain_secret)

    inactive = client.clients.update_client_secret(created.id, created.secrets[0].id, status=pb.INACTIVE)
    assert isinstance(inactive, pb.ClientSecret)
    assert inactive.status == pb.INACTIVE
    assert token_response(emulator.env_url, created.id, first).status_code == 401
    client.clients.update_client_secret(created.id, created.secrets[0].id, status=pb.ACTIVE)
    assert access_token(emulator.env_url, created.id, first)

    returns_none(lambda: client.clients.delete_client_secret(created.id, created.secrets[0].id))
    assert token_response(emulator.env_url, created.id, first).status_code == 401
    api_error(
        BadRequestError,
        lambda: client.clients.delete_client_secret(created.id, added.secret.id),
        grpc_code="INVALID_ARGUMENT",
    )
    for _ in range(4):
        register_secret(client.clients.create_client_secret(created.id).plain_secret)
    api_error(
        BadRequestError, lambda: client.clients.create_client_secret(created.id), grpc_code="INVALID_ARGUMENT"
    )
    api_error(
        NotFoundError,
        lambda: client.clients.update_client_secret(created.id, "sec_999999999999", status=pb.INACTIVE),
        grpc_code="NOT_FOUND",
    )


def test_environment_client_is_an_admin_unless_api_access_is_disallowed(
    flavour: str, emulator: Emulator, recorder: Any
) -> None:
    assert emulator.seeded is not None
    org_id = emulator.seeded.organization_id
    with connected(flavour, recorder, emulator.env_url, emulator.client_id, emulator.client_secret) as admin:
        env_client, secret = new_env_client(admin)
        app = admin.clients.create_client(
            pb.CreateClient(disallow_scalekit_api_access=BoolValue(value=True)), name="app", client_type="APP"
        )
        app_secret = app.secrets[0].plain_secret
        register_secret(app_secret)
    with connected(flavour, recorder, emulator.env_url, env_client.id, secret) as as_env_client:
        assert as_env_client.organization.get_organization(org_id).id == org_id
    with connected(flavour, recorder, emulator.env_url, app.id, app_secret) as as_app:
        api_error(
            ForbiddenError,
            lambda: as_app.organization.get_organization(org_id),
            grpc_code="PERMISSION_DENIED",
            secrets=(app_secret,),
        )


def test_environment_login_uris(client: ScalekitClient, emulator: Emulator) -> None:
    uri = f"https://{unique('app').replace('_', '-')}.example.com/callback"
    added = client.clients.add_environment_redirect_uri(uri)
    assert isinstance(added, pb.EnvironmentLoginUrisResponse)
    assert uri in added.redirect_uris
    assert added.client_id == emulator.client_id
    api_error(
        ConflictError, lambda: client.clients.add_environment_redirect_uri(uri), grpc_code="ALREADY_EXISTS"
    )
    api_error(
        BadRequestError,
        lambda: client.clients.add_environment_redirect_uri("not a url"),
        grpc_code="INVALID_ARGUMENT",
    )
    login = client.clients.set_environment_initiate_login_uri("https://app.example.com/login")
    assert isinstance(login, pb.EnvironmentLoginUrisResponse)
    assert login.initiate_login_uri == "https://app.example.com/login"
    assert uri in login.redirect_uris
    removed = client.clients.remove_environment_redirect_uri(uri)
    assert uri not in removed.redirect_uris
    api_error(
        NotFoundError, lambda: client.clients.remove_environment_redirect_uri(uri), grpc_code="NOT_FOUND"
    )


def test_validation_and_unknown_ids(client: ScalekitClient) -> None:
    err = api_error(
        BadRequestError, lambda: client.clients.create_client(name="x"), grpc_code="INVALID_ARGUMENT"
    )
    assert "client.client_type" in {v.field for v in err.field_violations}
    api_error(
        BadRequestError,
        lambda: client.clients.create_client(name="x", client_type="API", custom_claims={"sub": "me"}),
        grpc_code="INVALID_ARGUMENT",
    )
    for call in (
        lambda: client.clients.get_client(MISSING),
        lambda: client.clients.update_client(MISSING, name="x"),
        lambda: client.clients.delete_client(MISSING),
        lambda: client.clients.create_client_secret(MISSING),
        lambda: client.clients.delete_client_secret(MISSING, "sec_1"),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND")
