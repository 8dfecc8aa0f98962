"""RPC handles of ``scalekit.v1.auth.AuthService``."""

from __future__ import annotations

from scalekit_api.v1.auth import auth_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.auth.AuthService"

UPDATE_LOGIN_USER_DETAILS = rpc(
    _SERVICE, "UpdateLoginUserDetails", pb.UpdateLoginUserDetailsRequest, pb.UpdateLoginUserDetailsResponse
)
GET_LOGIN_REQUEST_DETAILS = rpc(
    _SERVICE, "GetLoginRequestDetails", pb.GetLoginRequestDetailsRequest, pb.GetLoginRequestDetailsResponse
)
