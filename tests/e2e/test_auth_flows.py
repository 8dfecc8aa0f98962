"""``client.passwordless``, ``client.webauthn`` and ``client.auth`` against the emulator, in both flavours.

What only a user's browser or inbox could do is played by the emulator: codes and links are read from
its outbox (``mail_to``), login requests are opened with ``create_login_request``, and the WebAuthn
attestation is a client-data JSON answering the issued challenge (the emulator checks no signature).
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from google.protobuf.json_format import MessageToDict
from google.protobuf.struct_pb2 import Struct

from scalekit_api.v1.auth import auth_pb2, passwordless_pb2, webauthn_pb2
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.services.auth import create_login_request, login_request_user
from scalekit_py.errors import BadRequestError, NotFoundError, PreconditionFailedError, RateLimitError
from tests.e2e._support import api_error, unique, violated_fields

MAGIC_URI = "https://app.example.com/magic"


def inbox_code(emulator: Emulator, email: str) -> str:
    return emulator.mail_to(email)[-1].code


# --- passwordless ---------------------------------------------------------------------------------------


def test_code_flow(client: ScalekitClient, emulator: Emulator) -> None:
    email = f"{unique('pwl')}@example.com"
    sent = client.passwordless.send_passwordless_email(
        email, state="st-1", expires_in=120, template_variables={"app_name": "E2E"}
    )
    assert isinstance(sent, passwordless_pb2.SendPasswordlessResponse)
    assert sent.auth_request_id
    assert sent.passwordless_type == passwordless_pb2.OTP
    assert sent.expires_in == 120
    assert sent.expires_at > 0
    mail = emulator.mail_to(email)[-1]
    assert (mail.kind, mail.auth_request_id, mail.extra["var.app_name"]) == (
        "passwordless",
        sent.auth_request_id,
        "E2E",
    )

    wrong = "000000" if mail.code != "000000" else "111111"
    err = api_error(
        BadRequestError,
        lambda: client.passwordless.verify_passwordless_email(
            code=wrong, auth_request_id=sent.auth_request_id
        ),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_CODE",
        secrets=(mail.code,),
    )
    assert violated_fields(err) == {"code"}

    verified = client.passwordless.verify_passwordless_email(
        code=mail.code, auth_request_id=sent.auth_request_id
    )
    assert isinstance(verified, passwordless_pb2.VerifyPasswordLessResponse)
    assert (verified.email, verified.state, verified.passwordless_type) == (
        email,
        "st-1",
        passwordless_pb2.OTP,
    )
    api_error(
        PreconditionFailedError,
        lambda: client.passwordless.verify_passwordless_email(
            code=mail.code, auth_request_id=sent.auth_request_id
        ),
        grpc_code="FAILED_PRECONDITION",
        error_code="PASSWORDLESS_ALREADY_USED",
    )


def test_link_flow_and_resend(client: ScalekitClient, emulator: Emulator) -> None:
    email = f"{unique('link')}@example.com"
    sent = client.passwordless.send_passwordless_email(
        email, template=passwordless_pb2.SIGNUP, magiclink_auth_uri=MAGIC_URI
    )
    assert sent.passwordless_type == passwordless_pb2.LINK_OTP
    first = emulator.mail_to(email)[-1]
    assert first.link.startswith(MAGIC_URI)
    assert first.code

    again = client.passwordless.resend_passwordless_email(sent.auth_request_id)
    assert isinstance(again, passwordless_pb2.SendPasswordlessResponse)
    assert again.auth_request_id == sent.auth_request_id
    fresh = emulator.mail_to(email)[-1]
    assert fresh.link != first.link
    old_token = parse_qs(urlsplit(first.link).query)["link_token"][0]
    err = api_error(
        BadRequestError,
        lambda: client.passwordless.verify_passwordless_email(link_token=old_token),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_LINK_TOKEN",
        secrets=(old_token,),
    )
    assert violated_fields(err) == {"link_token"}

    token = parse_qs(urlsplit(fresh.link).query)["link_token"][0]
    verified = client.passwordless.verify_passwordless_email(link_token=token)
    assert (verified.email, verified.template) == (email, passwordless_pb2.SIGNUP)
    api_error(
        PreconditionFailedError,
        lambda: client.passwordless.resend_passwordless_email(sent.auth_request_id),
        grpc_code="FAILED_PRECONDITION",
        error_code="PASSWORDLESS_ALREADY_USED",
    )


def test_passwordless_errors(client: ScalekitClient) -> None:
    sent = client.passwordless.send_passwordless_email(f"{unique('lim')}@example.com")
    for _ in range(3):
        client.passwordless.resend_passwordless_email(sent.auth_request_id)
    api_error(
        RateLimitError,
        lambda: client.passwordless.resend_passwordless_email(sent.auth_request_id),
        grpc_code="RESOURCE_EXHAUSTED",
        error_code="RESEND_LIMIT_EXCEEDED",
    )
    for call in (
        lambda: client.passwordless.resend_passwordless_email("pwl_missing"),
        lambda: client.passwordless.verify_passwordless_email(code="123456", auth_request_id="pwl_missing"),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")
    err = api_error(
        BadRequestError,
        lambda: client.passwordless.send_passwordless_email("not-an-email"),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"email"}
    err = api_error(
        BadRequestError,
        lambda: client.passwordless.send_passwordless_email(
            f"{unique('x')}@example.com", template=passwordless_pb2.SIGNIN, expires_in=0
        ),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"expires_in"}
    err = api_error(
        BadRequestError,
        lambda: client.passwordless.verify_passwordless_email(code="123456"),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"auth_request_id"}


# --- webauthn -------------------------------------------------------------------------------------------


def begin(client: ScalekitClient) -> dict[str, Any]:
    options = client.webauthn.begin_registration()
    assert isinstance(options, Struct)
    public_key: dict[str, Any] = MessageToDict(options)["publicKey"]
    return public_key


def client_data(challenge: str, origin: str, kind: str = "webauthn.create") -> bytes:
    return json.dumps({"type": kind, "challenge": challenge, "origin": origin}).encode()


def test_passkey_registration(client: ScalekitClient, emulator: Emulator) -> None:
    assert emulator.seeded is not None
    admin = emulator.seeded.admin_user_id  # an admin token carries no user: the first user is used
    options = begin(client)
    assert options["rp"]["id"] == urlsplit(emulator.env_url).hostname
    assert options["user"]["name"] == emulator.seeded.admin_email
    assert options["challenge"]
    credential_id = secrets.token_bytes(16)
    finished = client.webauthn.finish_registration(
        credential_id=credential_id,
        attestation_object=b"\xa3cfmtdnone",
        client_data_json=client_data(options["challenge"], emulator.env_url),
        transports=["internal"],
        authenticator_attachment="platform",
        client_extension_results={"credProps": {"rk": True}},
    )
    assert isinstance(finished, webauthn_pb2.FinishRegistrationResponse)
    assert finished.success is True

    listed = client.webauthn.list_credentials(admin)
    assert isinstance(listed, webauthn_pb2.ListCredentialsResponse)
    mine = next(c for c in listed.credentials if c.credential_id == credential_id)
    assert (mine.user_id, list(mine.transports)) == (admin, ["internal"])
    assert listed.all_accepted_credentials_options.user_id

    renamed = client.webauthn.update_credential(mine.id, display_name="My laptop")
    assert isinstance(renamed, webauthn_pb2.WebAuthnCredential)
    assert (renamed.id, renamed.display_name) == (mine.id, "My laptop")

    deleted = client.webauthn.delete_credential(mine.id)
    assert isinstance(deleted, webauthn_pb2.DeleteCredentialResponse)
    assert deleted.success is True
    assert deleted.unknown_credential_options.credential_id
    assert mine.id not in {c.id for c in client.webauthn.list_credentials(admin).credentials}
    for call in (
        lambda: client.webauthn.delete_credential(mine.id),
        lambda: client.webauthn.update_credential(mine.id, display_name="Gone"),
        lambda: client.webauthn.list_credentials("usr_999999999999999999"),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")


def test_passkey_errors(client: ScalekitClient, emulator: Emulator) -> None:
    challenge = begin(client)["challenge"]
    err = api_error(
        BadRequestError,
        lambda: client.webauthn.finish_registration(
            credential_id=b"c1",
            attestation_object=b"a",
            client_data_json=client_data(challenge, emulator.env_url, kind="webauthn.get"),
        ),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_CLIENT_DATA",
    )
    assert violated_fields(err) == {"client_data_json"}
    api_error(
        PreconditionFailedError,
        lambda: client.webauthn.finish_registration(
            credential_id=b"c2",
            attestation_object=b"a",
            client_data_json=client_data("never-issued", emulator.env_url),
        ),
        grpc_code="FAILED_PRECONDITION",
        error_code="INVALID_CHALLENGE",
    )
    err = api_error(
        BadRequestError,
        lambda: client.webauthn.finish_registration(
            credential_id=b"", attestation_object=b"", client_data_json=b""
        ),
        grpc_code="INVALID_ARGUMENT",
    )
    assert {"credential_id", "attestation_object", "client_data_json"} <= violated_fields(err)
    err = api_error(
        BadRequestError,
        lambda: client.webauthn.update_credential("wac_1", display_name=""),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"display_name"}


# --- auth (login requests of a custom connection) -------------------------------------------------------


def test_login_requests(client: ScalekitClient, emulator: Emulator) -> None:
    conn_id = "conn_777000777000"
    request_id = create_login_request(
        emulator.state,
        conn_id,
        client_id=emulator.client_id,
        client_name="E2E App",
        scopes=["openid", "email"],
    )
    details = client.auth.get_login_request_details(request_id)
    assert isinstance(details, auth_pb2.GetLoginRequestDetailsResponse)
    assert details.auth_request.id == request_id
    assert list(details.auth_request.scopes) == ["openid", "email"]
    assert (details.client.client_id, details.client.client_name) == (emulator.client_id, "E2E App")

    email = f"{unique('login')}@example.com"
    user = auth_pb2.User(sub="ext-42", email=email, given_name="Lin", email_verified=True)
    done = client.auth.update_login_user_details(conn_id, request_id, user=user)
    assert isinstance(done, auth_pb2.UpdateLoginUserDetailsResponse)
    assert done.auth_request_id == request_id
    posted = login_request_user(emulator.state, request_id)
    assert posted is not None
    assert (posted.email, posted.sub) == (email, "ext-42")
    api_error(
        PreconditionFailedError,
        lambda: client.auth.update_login_user_details(conn_id, request_id, user=user),
        grpc_code="FAILED_PRECONDITION",
        error_code="LOGIN_REQUEST_COMPLETED",
    )


def test_login_request_errors(client: ScalekitClient, emulator: Emulator) -> None:
    conn_id = "conn_777000777001"
    request_id = create_login_request(emulator.state, conn_id)
    err = api_error(
        BadRequestError,
        lambda: client.auth.update_login_user_details(conn_id, request_id, user=auth_pb2.User(sub="x")),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"user.email"}
    user = auth_pb2.User(email=f"{unique('x')}@example.com")
    for call in (
        lambda: client.auth.get_login_request_details("lri_missing"),
        lambda: client.auth.update_login_user_details(
            "conn_777000777002", request_id, user=user
        ),  # wrong one
        lambda: client.auth.update_login_user_details(conn_id, "lri_missing", user=user),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")
    failed = client.auth.update_login_user_details(conn_id, request_id, user=auth_pb2.User(login_failed=True))
    assert failed.auth_request_id == request_id
