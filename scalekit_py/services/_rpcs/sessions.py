"""RPC handles of ``scalekit.v1.sessions.SessionService``."""

from __future__ import annotations

from scalekit_api.v1.sessions import sessions_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.sessions.SessionService"

GET_SESSION = rpc(_SERVICE, "GetSession", pb.SessionDetailsRequest, pb.SessionDetails)
REVOKE_SESSION = rpc(_SERVICE, "RevokeSession", pb.RevokeSessionRequest, pb.RevokeSessionResponse)
GET_USER_SESSIONS = rpc(_SERVICE, "GetUserSessions", pb.UserSessionDetailsRequest, pb.UserSessionDetails)
REVOKE_ALL_USER_SESSIONS = rpc(
    _SERVICE, "RevokeAllUserSessions", pb.RevokeAllUserSessionsRequest, pb.RevokeAllUserSessionsResponse
)
