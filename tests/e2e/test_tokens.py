"""``client.tokens`` (alias ``client.token``) against the emulator, in both flavours."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from scalekit_api.v1.tokens import tokens_pb2 as pb
from scalekit_api.v1.users import users_pb2
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import BadRequestError, NotFoundError
from tests.e2e._support import api_error, returns_none, unique, violated_fields

MISSING_ORG = "org_999999999999"
MISSING_USER = "usr_999999999999999999"


def new_org(client: ScalekitClient) -> str:
    return client.organization.create_organization(unique("Org")).id


def new_member(client: ScalekitClient, org_id: str) -> users_pb2.User:
    user = users_pb2.CreateUser(email=f"{unique('tok')}@example.com")
    return client.user.create_user_and_membership(org_id, user=user)


def test_create_validate_invalidate(client: ScalekitClient, emulator: Emulator) -> None:
    org_id = new_org(client)
    member = new_member(client, org_id)
    created = client.tokens.create_token(
        org_id, user_id=member.id, custom_claims={"env": "ci", "team": "core"}, description="CI pipeline"
    )
    assert isinstance(created, pb.CreateTokenResponse)
    secret = created.token
    assert secret
    assert created.token_id.startswith("apit_")
    assert created.token_info.token_id == created.token_id
    assert created.token_info.token_suffix == secret[-4:]
    # The store keeps only a digest: the opaque string is nowhere in the emulator's data.
    dump = "\n".join(emulator.state.store.snapshot().iterdump())
    assert secret not in dump
    assert secret[:-4] not in dump

    for name in (secret, created.token_id):  # the opaque string or the id
        info = client.tokens.validate_token(name)
        assert isinstance(info, pb.Token)
        assert (info.organization_id, info.user_id, info.email) == (org_id, member.id, member.email)
        assert dict(info.custom_claims) == {"env": "ci", "team": "core"}
        assert info.description == "CI pipeline"
        assert not info.HasField("expiry")
        assert list(info.roles) == [r.name for r in member.memberships[0].roles]

    returns_none(lambda: client.tokens.invalidate_token(secret))
    err = api_error(NotFoundError, lambda: client.tokens.validate_token(secret), grpc_code="NOT_FOUND",
                    error_code="NOT_FOUND", secrets=(secret,))  # fmt: skip
    assert "invalidated" in err.message
    api_error(NotFoundError, lambda: client.tokens.validate_token(created.token_id), grpc_code="NOT_FOUND")
    returns_none(lambda: client.tokens.invalidate_token(created.token_id))  # idempotent
    api_error(
        NotFoundError, lambda: client.tokens.update_token(secret, description="x"), grpc_code="NOT_FOUND"
    )
    assert client.tokens.list_tokens(org_id).tokens == []


def test_an_expired_token_fails(client: ScalekitClient) -> None:
    org_id = new_org(client)
    soon = datetime.now(timezone.utc) + timedelta(seconds=1)
    created = client.tokens.create_token(org_id, expiry=soon)
    info = client.tokens.validate_token(created.token)
    assert info.expiry.ToDatetime(tzinfo=timezone.utc) == soon
    assert info.organization_id == org_id
    assert not info.HasField("user_id")
    time.sleep(1.2)
    err = api_error(NotFoundError, lambda: client.tokens.validate_token(created.token), grpc_code="NOT_FOUND",
                    secrets=(created.token,))  # fmt: skip
    assert "expired" in err.message
    assert client.tokens.list_tokens(org_id).total_count == 0
    returns_none(lambda: client.tokens.invalidate_token(created.token))  # still revocable


def test_update_changes_claims_and_description(client: ScalekitClient) -> None:
    org_id = new_org(client)
    created = client.tokens.create_token(org_id, custom_claims={"a": "1", "b": "2"}, description="old")
    updated = client.tokens.update_token(created.token_id, custom_claims={"c": "3"}, description="new")
    assert isinstance(updated, pb.Token)
    assert dict(updated.custom_claims) == {"c": "3"}  # replaced as a whole
    assert updated.description == "new"
    kept = client.tokens.update_token(created.token, description="")
    assert dict(kept.custom_claims) == {"c": "3"}
    assert not kept.HasField("description")
    info = client.tokens.validate_token(created.token)
    assert dict(info.custom_claims) == {"c": "3"}
    assert not info.HasField("description")
    err = api_error(
        BadRequestError,
        lambda: client.tokens.update_token(created.token, custom_claims={"k": ""}),
        grpc_code="INVALID_ARGUMENT",
    )
    assert any(f.startswith("custom_claims") for f in violated_fields(err))


def test_list_per_organization_and_user_pages_stably(client: ScalekitClient) -> None:
    org_id = new_org(client)
    alice, bob = new_member(client, org_id), new_member(client, org_id)
    ids = [
        client.tokens.create_token(org_id, user_id=alice.id, description=f"a{i}").token_id for i in range(5)
    ]
    bob_ids = [client.tokens.create_token(org_id, user_id=bob.id).token_id for _ in range(2)]
    org_only = client.tokens.create_token(org_id).token_id

    first = client.tokens.list_tokens(org_id, user_id=alice.id, page_size=2)
    assert first.total_count == 5
    assert [t.token_id for t in first.tokens] == ids[:2]
    # A token created between pages does not shift the pages that follow.
    late = client.tokens.create_token(org_id, user_id=alice.id).token_id
    second = client.tokens.list_tokens(
        org_id, user_id=alice.id, page_size=2, page_token=first.next_page_token
    )
    assert [t.token_id for t in second.tokens] == ids[2:4]
    assert all(t.token_suffix and t.user_id == alice.id for t in second.tokens)

    assert [t.token_id for t in client.tokens.iter_tokens(org_id, user_id=alice.id, page_size=2)] == [
        *ids,
        late,
    ]
    assert [t.token_id for t in client.tokens.iter_tokens(org_id, user_id=bob.id)] == bob_ids
    everything = [t.token_id for t in client.tokens.iter_tokens(org_id, page_size=3, limit=100)]
    assert everything == [*ids, *bob_ids, org_only, late]
    limited = client.tokens.iter_tokens(org_id, limit=4)
    assert len(list(limited)) == 4
    assert limited.next_page_token


def test_token_errors(client: ScalekitClient) -> None:
    org_id = new_org(client)
    other_org = new_org(client)
    outsider = new_member(client, other_org)
    api_error(NotFoundError, lambda: client.tokens.create_token(MISSING_ORG), grpc_code="NOT_FOUND")
    api_error(
        NotFoundError, lambda: client.tokens.create_token(org_id, user_id=MISSING_USER), grpc_code="NOT_FOUND"
    )
    api_error(
        NotFoundError, lambda: client.tokens.create_token(org_id, user_id=outsider.id), grpc_code="NOT_FOUND"
    )
    err = api_error(BadRequestError, lambda: client.tokens.create_token(None), grpc_code="INVALID_ARGUMENT")
    assert "token.organization_id" in violated_fields(err)
    past = datetime.now(timezone.utc) - timedelta(days=1)
    err = api_error(BadRequestError, lambda: client.tokens.create_token(org_id, expiry=past),
                    grpc_code="INVALID_ARGUMENT")  # fmt: skip
    assert violated_fields(err) == {"token.expiry"}
    err = api_error(BadRequestError, lambda: client.tokens.create_token(org_id, description="x" * 256),
                    grpc_code="INVALID_ARGUMENT")  # fmt: skip
    assert violated_fields(err) == {"token.description"}

    api_error(
        NotFoundError, lambda: client.tokens.validate_token("skapi_never_issued"), grpc_code="NOT_FOUND"
    )
    api_error(NotFoundError, lambda: client.tokens.invalidate_token("apit_404"), grpc_code="NOT_FOUND")
    api_error(BadRequestError, lambda: client.tokens.validate_token(""), grpc_code="INVALID_ARGUMENT")

    api_error(NotFoundError, lambda: client.tokens.list_tokens(MISSING_ORG), grpc_code="NOT_FOUND")
    api_error(
        NotFoundError, lambda: client.tokens.list_tokens(org_id, user_id=MISSING_USER), grpc_code="NOT_FOUND"
    )
    err = api_error(BadRequestError, lambda: client.tokens.list_tokens("acme"), grpc_code="INVALID_ARGUMENT")
    assert violated_fields(err) == {"organization_id"}
    err = api_error(BadRequestError, lambda: client.tokens.list_tokens(org_id, page_size=31),
                    grpc_code="INVALID_ARGUMENT")  # fmt: skip
    assert violated_fields(err) == {"page_size"}
    err = api_error(BadRequestError, lambda: client.tokens.list_tokens(org_id, page_token="garbage"),
                    grpc_code="INVALID_ARGUMENT")  # fmt: skip
    assert violated_fields(err) == {"page_token"}


def test_tokens_stop_validating_when_their_owner_goes(client: ScalekitClient) -> None:
    org_id = new_org(client)
    member = new_member(client, org_id)
    user_token = client.tokens.create_token(org_id, user_id=member.id).token
    org_token = client.tokens.create_token(org_id).token
    client.user.delete_membership(org_id, member.id)
    api_error(NotFoundError, lambda: client.tokens.validate_token(user_token), grpc_code="NOT_FOUND")
    assert client.tokens.validate_token(org_token).organization_id == org_id
    client.organization.delete_organization(org_id)
    api_error(NotFoundError, lambda: client.tokens.validate_token(org_token), grpc_code="NOT_FOUND")
