"""``client.resources``: API resources, resource clients, their secrets and user consents against the
emulator, in both flavours. A consent is recorded by a real authorisation at ``/oauth/authorize``."""

from __future__ import annotations

import urllib.parse
from typing import Any

import httpx
import pytest

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PreconditionFailedError,
)
from tests.e2e._m2m import access_token, token_response, validate
from tests.e2e._support import FLAVOURS, api_error, connected, register_secret, returns_none, unique

REDIRECT = "http://127.0.0.1:9/callback"


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def new_resource(client: ScalekitClient, **kwargs: Any) -> pb.Resource:
    uri = f"https://{unique('mcp').replace('_', '-')}.example.com"
    return client.resources.create_resource(
        resource_type=pb.MCP_SERVER, name=unique("res"), resource_uri=uri, **kwargs
    )


def new_resource_client(
    client: ScalekitClient, resource_id: str, **kwargs: Any
) -> pb.CreateResourceClientResponse:
    created = client.resources.create_resource_client(resource_id, name=unique("agent"), **kwargs)
    register_secret(created.plain_secret)
    return created


def authorize(emulator: Emulator, client_id: str, scope: str) -> httpx.Response:
    """The seeded admin user authorises ``client_id`` at ``/oauth/authorize`` (auto-approved)."""
    assert emulator.seeded is not None
    query = {
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": scope,
        "login_hint": emulator.seeded.admin_email,
        "state": "s1",
    }
    return httpx.get(f"{emulator.env_url}/oauth/authorize", params=query, timeout=10)


def test_resource_lifecycle(client: ScalekitClient) -> None:
    res = new_resource(
        client, description="docs", scopes=["docs:read", "docs:write"], access_token_expiry=300
    )
    assert isinstance(res, pb.Resource)
    assert res.id.startswith("res_")
    assert res.resource_type == pb.MCP_SERVER
    assert [s.name for s in res.scopes] == ["docs:read", "docs:write"]
    assert client.resources.get_resource(res.id) == res

    updated = client.resources.update_resource(res.id, description="search", scopes=["docs:read"])
    assert isinstance(updated, pb.Resource)
    assert (updated.description, [s.name for s in updated.scopes]) == ("search", ["docs:read"])
    assert updated.scopes[0].id == res.scopes[0].id, "a kept scope keeps its id"
    assert updated.name == res.name

    page = client.resources.list_resources(pb.MCP_SERVER, page_size=30)
    assert isinstance(page, pb.ListResourcesResponse)
    assert res.id in {r.id for r in page.resources}
    assert all(r.resource_type == pb.MCP_SERVER for r in page.resources)
    assert res.id not in {r.id for r in client.resources.list_resources(pb.WEB).resources}
    assert res.id in {r.id for r in client.resources.iter_resources(pb.MCP_SERVER, page_size=1)}

    connection = client.resources.ensure_resource_connection(res.id)
    assert isinstance(connection, pb.ResourceConnection)
    assert connection.id.startswith("conn_")
    assert client.resources.ensure_resource_connection(res.id).id == connection.id, "created once"
    assert client.resources.get_resource(res.id).connection_details.id == connection.id
    without = client.resources.delete_resource_provider(res.id)
    assert isinstance(without, pb.Resource)
    assert not without.HasField("connection_details")
    api_error(
        PreconditionFailedError,
        lambda: client.resources.delete_resource_provider(res.id),
        grpc_code="FAILED_PRECONDITION",
    )

    returns_none(lambda: client.resources.delete_resource(res.id))
    api_error(NotFoundError, lambda: client.resources.get_resource(res.id), grpc_code="NOT_FOUND")


def test_resource_validation(client: ScalekitClient) -> None:
    err = api_error(
        BadRequestError,
        lambda: client.resources.create_resource(resource_type=pb.MCP_SERVER, name=""),
        grpc_code="INVALID_ARGUMENT",
    )
    assert "resource.name" in {v.field for v in err.field_violations}
    res = new_resource(client)
    api_error(
        ConflictError,
        lambda: client.resources.create_resource(
            resource_type=pb.MCP_SERVER, name="dup", resource_uri=res.resource_uri
        ),
        grpc_code="ALREADY_EXISTS",
    )
    for call in (
        lambda: client.resources.get_resource("res_999999999999"),
        lambda: client.resources.update_resource("res_999999999999", name="x"),
        lambda: client.resources.delete_resource("res_999999999999"),
        lambda: client.resources.list_resource_clients("res_999999999999"),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND")


def test_resource_clients_and_their_secrets(client: ScalekitClient, emulator: Emulator) -> None:
    res = new_resource(client, scopes=["docs:read", "docs:write"], access_token_expiry=300)
    created = new_resource_client(
        client, res.id, scopes=["docs:read"], custom_claims={"agent": "yes"}, redirect_uris=[REDIRECT]
    )
    assert isinstance(created, pb.CreateResourceClientResponse)
    rc = created.client
    assert rc.client_id.startswith("m2m_")
    assert (rc.resource_id, list(rc.audience)) == (res.id, [res.resource_uri])
    assert list(rc.redirect_uris) == [REDIRECT]

    # Its credentials get a token for the resource, with the resource's lifetime.
    token = access_token(emulator.env_url, rc.client_id, created.plain_secret)
    claims = validate(client, token, audience=[res.resource_uri], required_scopes=["docs:read"])
    assert (claims["agent"], claims["exp"] - claims["iat"]) == ("yes", 300)
    assert "oid" not in claims

    found = client.resources.get_resource_client(res.id, rc.client_id)
    assert isinstance(found, pb.GetResourceClientResponse)
    assert found.client.client_id == rc.client_id
    listing = client.resources.list_resource_clients(res.id)
    assert isinstance(listing, pb.ListResourceClientsResponse)
    assert [c.client_id for c in listing.clients] == [rc.client_id]
    assert (listing.total_static_clients, listing.total_dcr_clients) == (1, 0)

    changed = client.resources.update_resource_client(res.id, rc.client_id, scopes=["docs:write"], expiry=60)
    assert isinstance(changed, pb.M2MClient)
    assert (list(changed.scopes), changed.expiry, list(changed.redirect_uris)) == (
        ["docs:write"],
        60,
        [REDIRECT],
    )
    api_error(
        BadRequestError,
        lambda: client.resources.update_resource_client(res.id, rc.client_id, scopes=["nope"]),
        grpc_code="INVALID_ARGUMENT",
    )

    # Secrets through the official names (which check the client belongs to the resource).
    added = client.resources.create_resource_client_secret(res.id, rc.client_id)
    assert isinstance(added, pb.CreateClientSecretResponse)
    register_secret(added.plain_secret)
    assert access_token(emulator.env_url, rc.client_id, added.plain_secret)
    other = new_resource(client)
    api_error(
        NotFoundError,
        lambda: client.resources.create_resource_client_secret(other.id, rc.client_id),
        grpc_code="NOT_FOUND",
    )
    returns_none(
        lambda: client.resources.delete_resource_client_secret(res.id, rc.client_id, rc.secrets[0].id)
    )
    refused = token_response(emulator.env_url, rc.client_id, created.plain_secret)
    assert refused.status_code == 401
    api_error(
        BadRequestError,
        lambda: client.resources.delete_resource_client_secret(res.id, rc.client_id, added.secret.id),
        grpc_code="INVALID_ARGUMENT",
    )

    deleted = client.resources.delete_resource_client(res.id, rc.client_id)
    assert isinstance(deleted, pb.DeleteResourceClientResponse)
    assert token_response(emulator.env_url, rc.client_id, added.plain_secret).status_code == 401
    api_error(
        NotFoundError,
        lambda: client.resources.get_resource_client(res.id, rc.client_id),
        grpc_code="NOT_FOUND",
    )


def test_consents_are_recorded_at_authorize_listed_and_revocable(
    client: ScalekitClient, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = new_resource(client, scopes=["docs:read"])
    rc = new_resource_client(client, res.id, scopes=["docs:read"], redirect_uris=[REDIRECT]).client
    emitted: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(emulator.state, "emit", lambda kind, data: emitted.append((kind, data)))
    refused = httpx.get(
        f"{emulator.env_url}/oauth/authorize",
        params={
            "client_id": rc.client_id,
            "redirect_uri": "http://127.0.0.1:9/other",
            "response_type": "code",
        },
        timeout=10,
    )
    assert refused.status_code == 400, "only the client's own redirect URIs are accepted"
    answer = authorize(emulator, rc.client_id, "openid docs:read")
    assert answer.status_code == 302, answer.text
    location = urllib.parse.urlsplit(answer.headers["location"])
    assert urllib.parse.parse_qs(location.query)["code"]
    assert emulator.seeded is not None
    user_id = emulator.seeded.admin_user_id

    page = client.resources.list_user_consents(res.id)
    assert isinstance(page, pb.ListResourceUserConsentsResponse)
    assert [(c.client_id, c.external_user_id) for c in page.consents] == [(rc.client_id, user_id)]
    consent = page.consents[0]
    assert consent.id.startswith("usrcnst_")
    assert ("resource.consent_granted", {"consent_id": consent.id, "client_id": rc.client_id}) in emitted
    assert list(consent.scopes) == ["openid", "docs:read"]
    assert consent.client_name == rc.name
    assert [c.id for c in client.resources.iter_user_consents(res.id, user_ids=[user_id])] == [consent.id]
    assert client.resources.list_user_consents(res.id, search=user_id[-6:].upper()).total_size == 1
    assert client.resources.list_user_consents(res.id, user_ids=["someone-else"]).total_size == 0
    found = client.resources.get_resource_client(res.id, rc.client_id)
    assert [u.consent_id for u in found.consented_users] == [consent.id]

    # Authorising again renews the same consent.
    assert authorize(emulator, rc.client_id, "docs:read").status_code == 302
    assert client.resources.list_user_consents(res.id).total_size == 1

    revoked = client.resources.revoke_user_consent(rc.client_id, consent.id)
    assert isinstance(revoked, pb.RevokeUserConsentResponse)
    assert client.resources.list_user_consents(res.id).total_size == 0
    api_error(
        NotFoundError,
        lambda: client.resources.revoke_user_consent(rc.client_id, consent.id),
        grpc_code="NOT_FOUND",
    )


def test_resource_client_is_not_an_admin(flavour: str, emulator: Emulator, recorder: Any) -> None:
    with connected(flavour, recorder, emulator.env_url, emulator.client_id, emulator.client_secret) as admin:
        res = new_resource(admin)
        created = new_resource_client(admin, res.id)
    with connected(flavour, recorder, emulator.env_url, created.client.client_id, created.plain_secret) as rc:
        api_error(
            ForbiddenError,
            lambda: rc.resources.get_resource(res.id),
            grpc_code="PERMISSION_DENIED",
            secrets=(created.plain_secret,),
        )
