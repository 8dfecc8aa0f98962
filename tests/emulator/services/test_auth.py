"""AuthService through the generated gRPC stubs: login requests of a custom-authentication connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest

from scalekit_api.v1.auth import auth_pb2 as pb
from scalekit_api.v1.auth import auth_pb2_grpc
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error
from scalekit_py.emulator.services.auth import create_login_request, login_request_user
from scalekit_py.emulator.store import new_id
from tests.emulator._helpers import error_info

Stub = auth_pb2_grpc.AuthServiceStub


@pytest.fixture
def stub(grpc_channel: grpc.Channel) -> Stub:
    return auth_pb2_grpc.AuthServiceStub(grpc_channel)


def fails(call: Callable[[Any], Any], request: Any) -> errors.APIError:
    """The SDK error a failing call maps to (the test fails if the call succeeds)."""
    with pytest.raises(grpc.RpcError) as info:
        call(request)
    mapped = from_rpc_error(info.value)
    assert isinstance(mapped, errors.APIError)
    return mapped


def violated(err: errors.APIError) -> set[str]:
    return {v.field for v in err.field_violations}


def test_get_login_request_details(stub: Stub, emulator: Any) -> None:
    conn = new_id("conn")
    rid = create_login_request(
        emulator.state,
        conn,
        client_id="skc_1",
        client_name="Demo app",
        resource_id="res_1",
        resource_name="MCP",
    )
    details = stub.GetLoginRequestDetails(pb.GetLoginRequestDetailsRequest(login_request_id=rid))
    assert details.auth_request.id == rid
    assert list(details.auth_request.scopes) == ["openid", "profile", "email"]
    assert (details.client.client_id, details.client.client_name) == ("skc_1", "Demo app")
    assert (details.resource.id, details.resource.name) == ("res_1", "MCP")

    missing = fails(stub.GetLoginRequestDetails, pb.GetLoginRequestDetailsRequest(login_request_id="lri_404"))
    assert missing.grpc_code == "NOT_FOUND"
    with pytest.raises(grpc.RpcError) as info:
        stub.GetLoginRequestDetails(pb.GetLoginRequestDetailsRequest())
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in error_info(info.value).validation_error_info.field_violations] == [
        "login_request_id"
    ]


def test_update_login_user_details_completes_once(stub: Stub, emulator: Any) -> None:
    conn = new_id("conn")
    rid = create_login_request(emulator.state, conn)
    assert login_request_user(emulator.state, rid) is None
    user = pb.User(sub="ext-42", email="jo@example.com", given_name="Jo", groups=["eng"])
    done = stub.UpdateLoginUserDetails(
        pb.UpdateLoginUserDetailsRequest(connection_id=conn, login_request_id=rid, user=user)
    )
    assert done.auth_request_id == rid
    assert login_request_user(emulator.state, rid) == user

    again = fails(
        stub.UpdateLoginUserDetails,
        pb.UpdateLoginUserDetailsRequest(connection_id=conn, login_request_id=rid, user=user),
    )
    assert (again.grpc_code, again.error_code) == ("FAILED_PRECONDITION", "LOGIN_REQUEST_COMPLETED")


def test_update_login_user_details_errors(stub: Stub, emulator: Any) -> None:
    conn = new_id("conn")
    rid = create_login_request(emulator.state, conn)
    user = pb.User(email="jo@example.com")
    req = pb.UpdateLoginUserDetailsRequest
    wrong_conn = fails(
        stub.UpdateLoginUserDetails, req(connection_id=new_id("conn"), login_request_id=rid, user=user)
    )
    assert wrong_conn.grpc_code == "NOT_FOUND"
    unknown = fails(stub.UpdateLoginUserDetails, req(connection_id=conn, login_request_id="lri_1", user=user))
    assert unknown.grpc_code == "NOT_FOUND"
    no_email = fails(
        stub.UpdateLoginUserDetails, req(connection_id=conn, login_request_id=rid, user=pb.User())
    )
    assert violated(no_email) == {"user.email"}
    too_long = fails(
        stub.UpdateLoginUserDetails, req(connection_id="c" * 33, login_request_id=rid, user=user)
    )
    assert violated(too_long) == {"connection_id"}
    assert violated(fails(stub.UpdateLoginUserDetails, req(connection_id=conn, user=user))) == {
        "login_request_id"
    }
    assert violated(fails(stub.UpdateLoginUserDetails, req(login_request_id=rid, user=user))) == {
        "connection_id"
    }
    assert login_request_user(emulator.state, rid) is None
    failed_login = req(connection_id=conn, login_request_id=rid, user=pb.User(login_failed=True))
    assert stub.UpdateLoginUserDetails(failed_login).auth_request_id == rid
    posted = login_request_user(emulator.state, rid)
    assert posted is not None
    assert posted.login_failed
