"""WebAuthnService through the generated gRPC stubs: the registration ceremony and credential management.

The acting user travels in the ``x-scalekit-user-id`` metadata header (admin tokens carry no user).
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import grpc
import pytest
from google.protobuf.json_format import MessageToDict

from scalekit_api.v1.auth import webauthn_pb2 as pb
from scalekit_api.v1.auth import webauthn_pb2_grpc
from scalekit_api.v1.users import users_pb2
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error
from scalekit_py.emulator.services.webauthn import USER_HEADER
from scalekit_py.emulator.store import new_id

Stub = webauthn_pb2_grpc.WebAuthnServiceStub


@pytest.fixture
def stub(grpc_channel: grpc.Channel) -> Stub:
    return webauthn_pb2_grpc.WebAuthnServiceStub(grpc_channel)


def fails(call: Callable[..., Any], request: Any, user_id: str = "") -> errors.APIError:
    """The SDK error a failing call maps to (the test fails if the call succeeds)."""
    with pytest.raises(grpc.RpcError) as info:
        call(request, metadata=as_user(user_id))
    mapped = from_rpc_error(info.value)
    assert isinstance(mapped, errors.APIError)
    return mapped


def violated(err: errors.APIError) -> set[str]:
    return {v.field for v in err.field_violations}


def as_user(user_id: str) -> tuple[tuple[str, str | bytes], ...]:
    return ((USER_HEADER, user_id),) if user_id else ()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def make_user(emulator: Any) -> str:
    user = users_pb2.User(id=new_id("usr"), email=f"wa{uuid.uuid4().hex[:10]}@example.com")
    user.user_profile.name = "Passkey Person"
    with emulator.state.store.transaction() as tx:
        tx.insert("user", user.id, user, unique={"email": user.email})
    return user.id


def begin(stub: Stub, user_id: str) -> dict[str, Any]:
    options = stub.BeginRegistration(pb.BeginRegistrationRequest(), metadata=as_user(user_id)).options
    public_key: dict[str, Any] = MessageToDict(options)["publicKey"]
    return public_key


def client_data(challenge: str, emulator: Any, **overrides: Any) -> bytes:
    data = {"type": "webauthn.create", "challenge": challenge, "origin": emulator.env_url, **overrides}
    return json.dumps(data).encode()


def finish_request(data: bytes, credential_id: bytes = b"") -> pb.FinishRegistrationRequest:
    return pb.FinishRegistrationRequest(
        credential_id=credential_id or secrets.token_bytes(16),
        attestation_object=b"\xa3cfmtdnone",
        client_data_json=data,
        type="public-key",
        transports=["internal", "hybrid"],
        authenticator_attachment="platform",
    )


def register(stub: Stub, emulator: Any, user_id: str, credential_id: bytes = b"") -> bytes:
    credential_id = credential_id or secrets.token_bytes(16)
    challenge = begin(stub, user_id)["challenge"]
    request = finish_request(client_data(challenge, emulator), credential_id)
    assert stub.FinishRegistration(request, metadata=as_user(user_id)).success
    return credential_id


def credentials(stub: Stub, user_id: str) -> list[pb.WebAuthnCredential]:
    return list(stub.ListCredentials(pb.ListCredentialsRequest(user_id=user_id)).credentials)


def test_begin_registration_options(stub: Stub, emulator: Any) -> None:
    user_id = make_user(emulator)
    existing = register(stub, emulator, user_id)
    options = begin(stub, user_id)
    assert options["rp"]["id"] == urlsplit(emulator.env_url).hostname
    assert options["user"] == {
        "id": b64url(user_id.encode()),
        "name": options["user"]["name"],
        "displayName": "Passkey Person",
    }
    assert options["user"]["name"].endswith("@example.com")
    assert len(base64.urlsafe_b64decode(options["challenge"] + "==")) == 32
    assert options["challenge"] != begin(stub, user_id)["challenge"]
    assert {p["alg"] for p in options["pubKeyCredParams"]} == {-7, -257}
    assert [c["id"] for c in options["excludeCredentials"]] == [b64url(existing)]
    unknown = fails(stub.BeginRegistration, pb.BeginRegistrationRequest(), new_id("usr"))
    assert unknown.grpc_code == "NOT_FOUND"


def test_begin_registration_defaults_to_the_first_user(stub: Stub, emulator: Any) -> None:
    with emulator.state.store.transaction() as tx:
        first = tx.page("user", users_pb2.User, page_size=1).items
    make_user(emulator)
    options = begin(stub, "")
    assert options["user"]["id"] == b64url(first[0].id.encode())


def test_finish_registration_stores_a_credential(stub: Stub, emulator: Any) -> None:
    user_id = make_user(emulator)
    raw_id = register(stub, emulator, user_id)
    [cred] = credentials(stub, user_id)
    assert cred.id.startswith("wac_")
    assert (cred.user_id, cred.credential_id, cred.attestation_type) == (user_id, raw_id, "none")
    assert list(cred.transports) == ["internal", "hybrid"]
    assert cred.authenticator.attachment == "platform"
    assert cred.created_at.seconds > 0
    assert cred.user_agent.raw.startswith("grpc-python")
    listed = stub.ListCredentials(pb.ListCredentialsRequest(user_id=user_id))
    accepted = listed.all_accepted_credentials_options
    assert (accepted.rp_id, accepted.user_id) == (
        urlsplit(emulator.env_url).hostname,
        b64url(user_id.encode()),
    )
    assert list(accepted.all_accepted_credential_ids) == [b64url(raw_id)]
    by_header = stub.ListCredentials(pb.ListCredentialsRequest(), metadata=as_user(user_id))
    assert [c.id for c in by_header.credentials] == [cred.id]

    duplicate = finish_request(client_data(begin(stub, user_id)["challenge"], emulator), raw_id)
    assert fails(stub.FinishRegistration, duplicate, user_id).grpc_code == "ALREADY_EXISTS"
    assert len(credentials(stub, user_id)) == 1
    missing = fails(stub.ListCredentials, pb.ListCredentialsRequest(user_id=new_id("usr")))
    assert missing.grpc_code == "NOT_FOUND"


def test_finish_registration_checks_client_data(stub: Stub, emulator: Any) -> None:
    user_id = make_user(emulator)
    challenge = begin(stub, user_id)["challenge"]
    cases = {
        b"not json": "INVALID_CLIENT_DATA",
        b"[1, 2]": "INVALID_CLIENT_DATA",
        client_data(challenge, emulator, type="webauthn.get"): "INVALID_CLIENT_DATA",
        client_data(challenge, emulator, origin="https://evil.example"): "ORIGIN_MISMATCH",
    }
    for data, code in cases.items():
        err = fails(stub.FinishRegistration, finish_request(data), user_id)
        assert (err.grpc_code, err.error_code) == ("INVALID_ARGUMENT", code)
        assert violated(err) == {"client_data_json"}
    wrong_type = finish_request(client_data(challenge, emulator))
    wrong_type.type = "password"
    assert violated(fails(stub.FinishRegistration, wrong_type, user_id)) == {"type"}
    assert violated(fails(stub.FinishRegistration, pb.FinishRegistrationRequest())) == {
        "credential_id",
        "attestation_object",
        "client_data_json",
    }
    never_issued = fails(stub.FinishRegistration, finish_request(client_data(b64url(b"x" * 32), emulator)))
    assert (never_issued.grpc_code, never_issued.error_code) == ("FAILED_PRECONDITION", "INVALID_CHALLENGE")
    someone_else = fails(
        stub.FinishRegistration, finish_request(client_data(challenge, emulator)), make_user(emulator)
    )
    assert someone_else.error_code == "INVALID_CHALLENGE"

    assert stub.FinishRegistration(
        finish_request(client_data(challenge, emulator)), metadata=as_user(user_id)
    ).success
    replay = fails(stub.FinishRegistration, finish_request(client_data(challenge, emulator)), user_id)
    assert replay.error_code == "INVALID_CHALLENGE"


def test_expired_challenge(stub: Stub, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    user_id = make_user(emulator)
    challenge = begin(stub, user_id)["challenge"]
    real_clock = emulator.state.clock
    monkeypatch.setattr(emulator.state, "clock", lambda: real_clock() + 301)
    expired = fails(stub.FinishRegistration, finish_request(client_data(challenge, emulator)), user_id)
    assert (expired.grpc_code, expired.error_code) == ("FAILED_PRECONDITION", "CHALLENGE_EXPIRED")
    monkeypatch.setattr(emulator.state, "clock", real_clock)
    consumed = fails(stub.FinishRegistration, finish_request(client_data(challenge, emulator)), user_id)
    assert consumed.error_code == "INVALID_CHALLENGE"
    assert credentials(stub, user_id) == []


def test_update_credential(stub: Stub, emulator: Any) -> None:
    user_id = make_user(emulator)
    register(stub, emulator, user_id)
    [cred] = credentials(stub, user_id)
    req = pb.UpdateCredentialRequest
    updated = stub.UpdateCredential(
        req(credential_id=cred.id, display_name="Work laptop"), metadata=as_user(user_id)
    )
    assert updated.credential.display_name == "Work laptop"
    assert updated.credential.updated_at.ToNanoseconds() >= cred.updated_at.ToNanoseconds()
    assert credentials(stub, user_id)[0].display_name == "Work laptop"

    by_raw_id = stub.UpdateCredential(req(credential_id=b64url(cred.credential_id), display_name="Phone"))
    assert by_raw_id.credential.id == cred.id
    stranger = fails(stub.UpdateCredential, req(credential_id=cred.id, display_name="x"), make_user(emulator))
    assert stranger.grpc_code == "NOT_FOUND"
    assert fails(stub.UpdateCredential, req(credential_id="wac_1", display_name="x")).grpc_code == "NOT_FOUND"
    assert violated(fails(stub.UpdateCredential, req(credential_id=cred.id))) == {"display_name"}
    assert violated(fails(stub.UpdateCredential, req(credential_id=cred.id, display_name="x" * 121))) == {
        "display_name"
    }
    assert violated(fails(stub.UpdateCredential, req(display_name="x"))) == {"credential_id"}


def test_delete_credential(stub: Stub, emulator: Any) -> None:
    user_id = make_user(emulator)
    keep, drop = register(stub, emulator, user_id), register(stub, emulator, user_id)
    by_raw = {c.credential_id: c for c in credentials(stub, user_id)}
    req = pb.DeleteCredentialRequest
    stranger = fails(stub.DeleteCredential, req(credential_id=by_raw[drop].id), make_user(emulator))
    assert stranger.grpc_code == "NOT_FOUND"
    deleted = stub.DeleteCredential(req(credential_id=by_raw[drop].id), metadata=as_user(user_id))
    assert deleted.success
    assert deleted.unknown_credential_options.credential_id == b64url(drop)
    assert deleted.unknown_credential_options.rp_id == urlsplit(emulator.env_url).hostname
    assert [c.credential_id for c in credentials(stub, user_id)] == [keep]
    assert fails(stub.DeleteCredential, req(credential_id=by_raw[drop].id)).grpc_code == "NOT_FOUND"
    assert violated(fails(stub.DeleteCredential, req())) == {"credential_id"}
