"""PasswordlessService through the generated gRPC stubs: codes and magic links read from the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest
from google.protobuf.wrappers_pb2 import BoolValue, UInt32Value

from scalekit_api.v1.auth import passwordless_pb2 as pb
from scalekit_api.v1.auth import passwordless_pb2_grpc
from scalekit_api.v1.connections import connections_pb2
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error
from scalekit_py.emulator.services.passwordless import DEFAULT_EXPIRES_IN, MAX_ATTEMPTS, MAX_RESENDS
from scalekit_py.emulator.state import OutboxMessage
from scalekit_py.emulator.store import new_id

Stub = passwordless_pb2_grpc.PasswordlessServiceStub
MAGIC = "https://app.example.com/passwordless/verify"


@pytest.fixture
def stub(grpc_channel: grpc.Channel) -> Stub:
    return passwordless_pb2_grpc.PasswordlessServiceStub(grpc_channel)


def fails(call: Callable[[Any], Any], request: Any) -> errors.APIError:
    """The SDK error a failing call maps to (the test fails if the call succeeds)."""
    with pytest.raises(grpc.RpcError) as info:
        call(request)
    mapped = from_rpc_error(info.value)
    assert isinstance(mapped, errors.APIError)
    return mapped


def violated(err: errors.APIError) -> set[str]:
    return {v.field for v in err.field_violations}


def email() -> str:
    return f"pl{uuid.uuid4().hex[:10]}@example.com"


def last_mail(emulator: Any, to: str) -> OutboxMessage:
    mails = emulator.mail_to(to)
    assert mails, f"nothing was sent to {to}"
    last: OutboxMessage = mails[-1]
    return last


def link_token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["link_token"][0]


def verify_code(stub: Stub, rid: str, code: str) -> pb.VerifyPasswordLessResponse:
    return stub.VerifyPasswordlessEmail(pb.VerifyPasswordLessRequest(auth_request_id=rid, code=code))


def test_send_and_verify_code(stub: Stub, emulator: Any) -> None:
    to = email()
    before = int(emulator.state.clock())
    sent = stub.SendPasswordlessEmail(
        pb.SendPasswordlessRequest(email=to, template_variables={"app": "Demo"})
    )
    assert sent.passwordless_type == pb.OTP
    assert sent.expires_in == DEFAULT_EXPIRES_IN
    assert before + DEFAULT_EXPIRES_IN <= sent.expires_at <= int(emulator.state.clock()) + DEFAULT_EXPIRES_IN
    mail = last_mail(emulator, to)
    assert (mail.kind, mail.auth_request_id, mail.link) == ("passwordless", sent.auth_request_id, "")
    assert mail.code.isdigit()
    assert len(mail.code) == 6
    assert mail.extra["template"] == "SIGNIN"
    assert mail.extra["var.app"] == "Demo"

    verified = verify_code(stub, sent.auth_request_id, mail.code)
    assert (verified.email, verified.template, verified.passwordless_type) == (to, pb.SIGNIN, pb.OTP)
    assert not verified.HasField("state")
    used = fails(
        stub.VerifyPasswordlessEmail,
        pb.VerifyPasswordLessRequest(auth_request_id=sent.auth_request_id, code=mail.code),
    )
    assert (used.grpc_code, used.error_code) == ("FAILED_PRECONDITION", "PASSWORDLESS_ALREADY_USED")


def test_magic_link_with_state_and_signup_template(stub: Stub, emulator: Any) -> None:
    to = email()
    sent = stub.SendPasswordlessEmail(
        pb.SendPasswordlessRequest(
            email=to, template=pb.SIGNUP, magiclink_auth_uri=f"{MAGIC}?x=1", state="st-1", expires_in=120
        )
    )
    assert (sent.passwordless_type, sent.expires_in) == (pb.LINK_OTP, 120)
    mail = last_mail(emulator, to)
    assert mail.link.startswith(f"{MAGIC}?x=1&link_token=")
    assert mail.code
    token = link_token(mail.link)
    verified = stub.VerifyPasswordlessEmail(pb.VerifyPasswordLessRequest(link_token=token))
    assert (verified.email, verified.state, verified.template) == (to, "st-1", pb.SIGNUP)
    used = fails(stub.VerifyPasswordlessEmail, pb.VerifyPasswordLessRequest(link_token=token))
    assert used.error_code == "PASSWORDLESS_ALREADY_USED"
    code_after_link = fails(
        stub.VerifyPasswordlessEmail,
        pb.VerifyPasswordLessRequest(auth_request_id=sent.auth_request_id, code=mail.code),
    )
    assert code_after_link.error_code == "PASSWORDLESS_ALREADY_USED"
    unknown = fails(stub.VerifyPasswordlessEmail, pb.VerifyPasswordLessRequest(link_token="not-a-token"))
    assert (unknown.grpc_code, unknown.error_code) == ("INVALID_ARGUMENT", "INVALID_LINK_TOKEN")
    assert violated(unknown) == {"link_token"}


def test_wrong_codes_lock_the_request_until_resent(stub: Stub, emulator: Any) -> None:
    to = email()
    rid = stub.SendPasswordlessEmail(pb.SendPasswordlessRequest(email=to)).auth_request_id
    code = last_mail(emulator, to).code
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        err = fails(
            stub.VerifyPasswordlessEmail, pb.VerifyPasswordLessRequest(auth_request_id=rid, code=wrong)
        )
        assert (err.grpc_code, err.error_code) == ("INVALID_ARGUMENT", "INVALID_CODE")
        assert violated(err) == {"code"}
    locked = fails(stub.VerifyPasswordlessEmail, pb.VerifyPasswordLessRequest(auth_request_id=rid, code=code))
    assert (locked.grpc_code, locked.error_code) == ("FAILED_PRECONDITION", "TOO_MANY_ATTEMPTS")

    resent = stub.ResendPasswordlessEmail(pb.ResendPasswordlessRequest(auth_request_id=rid))
    assert resent.auth_request_id == rid
    new_code = last_mail(emulator, to).code
    assert len(emulator.mail_to(to)) == 2
    if new_code != code:  # the old code stops working (a 1-in-a-million draw may repeat it)
        stale = fails(
            stub.VerifyPasswordlessEmail, pb.VerifyPasswordLessRequest(auth_request_id=rid, code=code)
        )
        assert stale.error_code == "INVALID_CODE"
    assert verify_code(stub, rid, new_code).email == to


def test_expired_code(stub: Stub, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    to = email()
    rid = stub.SendPasswordlessEmail(pb.SendPasswordlessRequest(email=to, expires_in=60)).auth_request_id
    code = last_mail(emulator, to).code
    real_clock = emulator.state.clock
    monkeypatch.setattr(emulator.state, "clock", lambda: real_clock() + 61)
    expired = fails(
        stub.VerifyPasswordlessEmail, pb.VerifyPasswordLessRequest(auth_request_id=rid, code=code)
    )
    assert (expired.grpc_code, expired.error_code) == ("FAILED_PRECONDITION", "PASSWORDLESS_EXPIRED")
    resent = stub.ResendPasswordlessEmail(pb.ResendPasswordlessRequest(auth_request_id=rid))
    assert resent.expires_at >= int(real_clock()) + 61 + 60 - 1
    assert verify_code(stub, rid, last_mail(emulator, to).code).email == to


def test_resend_limit_and_errors(stub: Stub, emulator: Any) -> None:
    to = email()
    rid = stub.SendPasswordlessEmail(pb.SendPasswordlessRequest(email=to)).auth_request_id
    for _ in range(MAX_RESENDS):
        assert (
            stub.ResendPasswordlessEmail(pb.ResendPasswordlessRequest(auth_request_id=rid)).auth_request_id
            == rid
        )
    limited = fails(stub.ResendPasswordlessEmail, pb.ResendPasswordlessRequest(auth_request_id=rid))
    assert (limited.grpc_code, limited.error_code) == ("RESOURCE_EXHAUSTED", "RESEND_LIMIT_EXCEEDED")
    assert len(emulator.mail_to(to)) == 1 + MAX_RESENDS
    verify_code(stub, rid, last_mail(emulator, to).code)
    done = fails(stub.ResendPasswordlessEmail, pb.ResendPasswordlessRequest(auth_request_id=rid))
    assert done.error_code == "PASSWORDLESS_ALREADY_USED"
    missing = fails(stub.ResendPasswordlessEmail, pb.ResendPasswordlessRequest(auth_request_id="pwl_nope"))
    assert missing.grpc_code == "NOT_FOUND"
    assert violated(fails(stub.ResendPasswordlessEmail, pb.ResendPasswordlessRequest())) == {
        "auth_request_id"
    }


def test_request_validation(stub: Stub) -> None:
    send, verify = stub.SendPasswordlessEmail, stub.VerifyPasswordlessEmail
    assert violated(fails(send, pb.SendPasswordlessRequest())) == {"email"}
    assert violated(fails(send, pb.SendPasswordlessRequest(email="not-an-email"))) == {"email"}
    assert violated(fails(send, pb.SendPasswordlessRequest(email=email(), expires_in=0))) == {"expires_in"}
    too_many = {f"key{i}": "v" for i in range(31)}
    assert violated(fails(send, pb.SendPasswordlessRequest(email=email(), template_variables=too_many))) == {
        "template_variables"
    }
    assert fails(verify, pb.VerifyPasswordLessRequest()).grpc_code == "INVALID_ARGUMENT"
    assert violated(fails(verify, pb.VerifyPasswordLessRequest(code="123456"))) == {"auth_request_id"}
    assert violated(fails(verify, pb.VerifyPasswordLessRequest(auth_request_id="x", code="1" * 21))) == {
        "code"
    }
    missing = fails(verify, pb.VerifyPasswordLessRequest(auth_request_id="pwl_nope", code="123456"))
    assert missing.grpc_code == "NOT_FOUND"


@pytest.fixture
def link_only_connection(emulator: Any) -> Iterator[None]:
    """An environment passwordless connection: links only, same-browser verification enforced."""
    conn = connections_pb2.Connection(
        id=new_id("conn"),
        type=connections_pb2.PASSWORDLESS,
        enabled=True,
        passwordless_config=connections_pb2.PasswordLessConfig(
            type=connections_pb2.LINK,
            validity=UInt32Value(value=900),
            enforce_same_browser_origin=BoolValue(value=True),
        ),
    )
    with emulator.state.store.transaction() as tx:
        tx.insert("connection", conn.id, conn)
    yield
    with emulator.state.store.transaction() as tx:
        tx.delete("connection", conn.id)


@pytest.mark.usefixtures("link_only_connection")
def test_connection_config_decides_type_and_validity(stub: Stub, emulator: Any) -> None:
    to = email()
    needs_uri = fails(stub.SendPasswordlessEmail, pb.SendPasswordlessRequest(email=to))
    assert violated(needs_uri) == {"magiclink_auth_uri"}
    sent = stub.SendPasswordlessEmail(pb.SendPasswordlessRequest(email=to, magiclink_auth_uri=MAGIC))
    assert (sent.passwordless_type, sent.expires_in) == (pb.LINK, 900)
    mail = last_mail(emulator, to)
    assert mail.code == ""
    token = link_token(mail.link)
    no_code = fails(
        stub.VerifyPasswordlessEmail,
        pb.VerifyPasswordLessRequest(auth_request_id=sent.auth_request_id, code="123456"),
    )
    assert no_code.error_code == "CODE_NOT_ISSUED"
    other_browser = fails(stub.VerifyPasswordlessEmail, pb.VerifyPasswordLessRequest(link_token=token))
    assert (other_browser.grpc_code, other_browser.error_code) == (
        "FAILED_PRECONDITION",
        "SAME_BROWSER_REQUIRED",
    )
    ok = stub.VerifyPasswordlessEmail(
        pb.VerifyPasswordLessRequest(link_token=token, auth_request_id=sent.auth_request_id)
    )
    assert (ok.email, ok.passwordless_type) == (to, pb.LINK)
