"""``client.connected_accounts`` against the emulator's AgentKit, in both flavours: the whole lifecycle
(create -> magic link -> consent page -> ACTIVE -> use -> token refresh -> disconnect -> delete), the
user-verify flow, selection by id / connector + identifier / owner, listing, searching and errors."""

from __future__ import annotations

import time
import urllib.parse

import httpx

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as pb
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.agentkit.accounts import expire_token
from scalekit_py.errors import BadRequestError, ConflictError, NotFoundError, PreconditionFailedError
from tests.e2e._agentkit import approve, as_dict
from tests.e2e._support import api_error, unique


def test_connect_consent_use_refresh_disconnect_delete(client: ScalekitClient, emulator: Emulator) -> None:
    who = unique("user")
    created = client.connected_accounts.create_connected_account("notes", who)
    assert isinstance(created, pb.ConnectedAccount)
    assert created.id.startswith("ca_")
    assert (created.status, created.connector, created.provider) == (pb.PENDING_AUTH, "notes", "NOTES")
    assert created.authorization_type == pb.OAUTH
    assert not created.authorization_details.HasField("oauth_token")

    fetched = client.connected_accounts.get_connected_account(created.id)
    assert (fetched.id, fetched.status) == (created.id, pb.PENDING_AUTH)

    magic = client.connected_accounts.get_magic_link_for_connected_account("notes", who)
    assert isinstance(magic, pb.GetMagicLinkForConnectedAccountResponse)
    assert magic.link.startswith(f"{emulator.env_url}/agentkit/connect/")
    assert magic.expiry.seconds > time.time()
    page = httpx.get(magic.link, timeout=10)
    assert page.status_code == 200
    assert who in page.text
    assert "Approve" in page.text
    assert approve(magic.link).status_code == 200
    assert approve(magic.link).status_code == 410, "a magic link is single use"

    with_auth = client.connected_accounts.get_connected_account_by_identifier("notes", who)
    token = with_auth.authorization_details.oauth_token
    assert with_auth.status == pb.ACTIVE
    assert token.access_token.startswith("ak_at_")
    assert token.refresh_token.startswith("ak_rt_")
    assert with_auth.token_expires_at.seconds > time.time() + 3000
    details = client.connected_accounts.get_connected_account_details_by_identifier("notes", who)
    assert details.status == pb.ACTIVE
    assert not details.HasField("authorization_details"), "details never carry credentials"

    note = as_dict(client.tools.execute_tool("notes_create", who, params={"title": "first"}).data)
    assert note["title"] == "first"

    # The third party's token expires: the next use refreshes it (new access token, same refresh token).
    expire_token(emulator.state, created.id)
    listed = client.tools.execute_tool("notes_list", who, params={})
    assert [n["title"] for n in as_dict(listed.data)["notes"]] == ["first"]
    refreshed = client.connected_accounts.get_connected_account_by_identifier(connected_account_id=created.id)
    new_token = refreshed.authorization_details.oauth_token
    assert new_token.access_token != token.access_token
    assert new_token.refresh_token == token.refresh_token
    assert refreshed.token_expires_at.seconds > time.time() + 3000
    assert refreshed.HasField("last_used_at")

    gone = client.connected_accounts.disconnect_connected_account(created.id)
    assert gone.status == pb.DISCONNECTED
    assert not gone.authorization_details.HasField("oauth_token")
    err = api_error(
        PreconditionFailedError,
        lambda: client.tools.execute_tool("notes_list", who, params={}),
        grpc_code="FAILED_PRECONDITION",
        error_code="CONNECTED_ACCOUNT_NOT_ACTIVE",
    )
    assert "DISCONNECTED" in err.message

    deleted = client.connected_accounts.delete_connected_account("notes", who)
    assert isinstance(deleted, pb.DeleteConnectedAccountResponse)
    api_error(
        NotFoundError,
        lambda: client.connected_accounts.get_connected_account(created.id),
        grpc_code="NOT_FOUND",
    )


def test_magic_link_creates_the_account_and_auto_approve_activates_it(client: ScalekitClient) -> None:
    who = unique("user")
    link = client.connected_accounts.get_magic_link_for_connected_account("toolbox", who).link
    pending = client.connected_accounts.get_connected_account_details_by_identifier("toolbox", who)
    assert pending.status == pb.PENDING_AUTH
    answer = httpx.get(link + "?auto_approve=1", timeout=10)
    assert answer.status_code == 200
    assert "ACTIVE" in answer.text
    active = client.connected_accounts.get_connected_account(pending.id)
    assert active.status == pb.ACTIVE

    denied_who = unique("user")
    link = client.connected_accounts.get_magic_link_for_connected_account("toolbox", denied_who).link
    assert httpx.post(link, data={"action": "deny"}, timeout=10).status_code == 403
    still = client.connected_accounts.get_connected_account_details_by_identifier("toolbox", denied_who)
    assert still.status == pb.PENDING_AUTH


def test_user_verify_flow(client: ScalekitClient) -> None:
    who = unique("user")
    link = client.connected_accounts.get_magic_link_for_connected_account(
        "notes", who, state="st_42", user_verify_url="https://app.example.test/verify?x=1"
    ).link
    answer = approve(link)
    assert answer.status_code == 302
    target = urllib.parse.urlsplit(answer.headers["location"])
    query = dict(urllib.parse.parse_qsl(target.query))
    assert (target.netloc, target.path, query["x"], query["state"]) == (
        "app.example.test",
        "/verify",
        "1",
        "st_42",
    )
    request_id = query["auth_request_id"]
    pending = client.connected_accounts.get_connected_account_details_by_identifier("notes", who)
    assert pending.status == pb.PENDING_VERIFICATION

    err = api_error(
        BadRequestError,
        lambda: client.connected_accounts.verify_connected_account_user(request_id, "someone-else"),
        grpc_code="INVALID_ARGUMENT",
    )
    assert {v.field for v in err.field_violations} == {"identifier"}
    done = client.connected_accounts.verify_connected_account_user(request_id, who)
    assert isinstance(done, pb.VerifyConnectedAccountUserResponse)
    assert done.post_user_verify_redirect_url.endswith(f"/agentkit/connected/{pending.id}")
    assert httpx.get(done.post_user_verify_redirect_url, timeout=10).status_code == 200
    assert client.connected_accounts.get_connected_account(pending.id).status == pb.ACTIVE
    api_error(
        BadRequestError,
        lambda: client.connected_accounts.verify_connected_account_user(request_id, who),
        grpc_code="INVALID_ARGUMENT",
    )


def test_credentials_owner_selection_and_update(client: ScalekitClient) -> None:
    who = unique("user")
    oauth = pb.AuthorizationDetails(
        oauth_token=pb.OauthToken(access_token="at_given", refresh_token="rt_given")
    )
    account = client.connected_accounts.create_connected_account(
        "notes",
        who,
        organization_id="org_ak1",
        user_id="usr_ak1",
        authorization_details=oauth,
        api_config={"region": "eu"},
    )
    assert account.status == pb.ACTIVE, "credentials given at creation make it usable at once"
    assert as_dict(account.api_config)["region"] == "eu"
    narrowed = client.connected_accounts.get_connected_account_by_identifier(
        "notes", who, organization_id="org_ak1", user_id="usr_ak1"
    )
    assert narrowed.authorization_details.oauth_token.access_token == "at_given"
    api_error(
        NotFoundError,
        lambda: client.connected_accounts.get_connected_account_by_identifier(
            "notes", who, organization_id="org_other"
        ),
        grpc_code="NOT_FOUND",
    )
    listed = client.connected_accounts.list_connected_accounts(organization_id="org_ak1", user_id="usr_ak1")
    assert [a.id for a in listed.connected_accounts] == [account.id]

    updated = client.connected_accounts.update_connected_account(
        connected_account_id=account.id, api_config={"region": "us"}
    )
    assert as_dict(updated.api_config)["region"] == "us"
    rotated = client.connected_accounts.update_connected_account(
        "notes",
        who,
        connected_account=pb.UpdateConnectedAccount(
            authorization_details=pb.AuthorizationDetails(oauth_token=pb.OauthToken(access_token="at_new"))
        ),
    )
    assert rotated.authorization_details.oauth_token.access_token == "at_new"
    client.connected_accounts.delete_connected_account(connected_account_id=account.id)


def test_list_search_and_pagers(client: ScalekitClient) -> None:
    prefix = unique("lst")
    ids = [
        client.connected_accounts.create_connected_account("toolbox", f"{prefix}-{i}").id for i in range(3)
    ]

    first = client.connected_accounts.list_connected_accounts(query=prefix, page_size=2)
    assert isinstance(first, pb.ListConnectedAccountsResponse)
    assert first.total_size == 3
    assert len(first.connected_accounts) == 2
    assert first.next_page_token
    second = client.connected_accounts.list_connected_accounts(query=prefix, page_token=first.next_page_token)
    assert [a.id for a in [*first.connected_accounts, *second.connected_accounts]] == ids
    every = list(
        client.connected_accounts.iter_connected_accounts(query=prefix, connector="toolbox", page_size=1)
    )
    assert [a.id for a in every] == ids
    assert (
        list(client.connected_accounts.iter_connected_accounts(query=prefix, connection_names=["notes"]))
        == []
    )
    assert all(a.status == pb.PENDING_AUTH for a in every)

    found = client.connected_accounts.search_connected_accounts(prefix, page_size=2)
    assert isinstance(found, pb.SearchConnectedAccountsResponse)
    assert found.total_size == 3
    searched = client.connected_accounts.iter_search_connected_accounts(
        prefix, connection_id="conn_ak_toolbox"
    )
    assert [a.id for a in searched] == ids
    api_error(
        BadRequestError,
        lambda: client.connected_accounts.list_connected_accounts(page_token="bogus"),
        grpc_code="INVALID_ARGUMENT",
    )


def test_errors(client: ScalekitClient) -> None:
    who = unique("user")
    api_error(
        NotFoundError,
        lambda: client.connected_accounts.create_connected_account("no_such_connector", who),
        grpc_code="NOT_FOUND",
    )
    client.connected_accounts.create_connected_account("notes", who)
    api_error(
        ConflictError,
        lambda: client.connected_accounts.create_connected_account("notes", who),
        grpc_code="ALREADY_EXISTS",
    )
    api_error(
        BadRequestError,
        lambda: client.connected_accounts.get_connected_account_details_by_identifier(),
        grpc_code="INVALID_ARGUMENT",
    )
    api_error(
        NotFoundError,
        lambda: client.connected_accounts.get_magic_link_for_connected_account(connected_account_id="ca_404"),
        grpc_code="NOT_FOUND",
    )
    api_error(
        NotFoundError,
        lambda: client.connected_accounts.disconnect_connected_account("ca_404"),
        grpc_code="NOT_FOUND",
    )
    bad_link = f"{client.env_url}/agentkit/connect/not-a-token"
    assert httpx.get(bad_link, timeout=10).status_code == 410
    assert approve(bad_link).status_code == 410


def test_seeded_demo_runs_with_no_setup(client: ScalekitClient, emulator: Emulator) -> None:
    seeded = emulator.seeded
    assert seeded is not None
    account = client.connected_accounts.get_connected_account(seeded.agentkit_account_id)
    assert (account.connector, account.identifier, account.status) == ("notes", seeded.admin_email, pb.ACTIVE)
    title = unique("seeded")
    client.tools.execute_tool("notes_create", seeded.agentkit_identifier, params={"title": title})
    notes = as_dict(client.tools.execute_tool("notes_list", seeded.agentkit_identifier, params={}).data)[
        "notes"
    ]
    assert notes[0]["title"] == title
    demo = client.providers.list_providers(identifier=seeded.agentkit_provider).providers
    assert [(p.display_name, p.is_custom, p.proxy_enabled) for p in demo] == [("Demo API", True, False)]
