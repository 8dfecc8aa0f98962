"""AuthService: login requests of a custom ("bring your own") authentication connection.

When a login goes through a connection whose users the application authenticates itself, the service opens
a *login request*; the application reads it (``GetLoginRequestDetails``) and posts the authenticated user
back (``UpdateLoginUserDetails``), after which the login completes. Storage: kind ``"login_request"``
(``GetLoginRequestDetailsResponse``, parent = connection id) and, once the user is posted, the private
kind ``"login_request_user"`` (the ``UpdateLoginUserDetailsRequest``, same id). :func:`create_login_request`
opens one (for the OAuth endpoints and tests); :func:`login_request_user` reads the posted user.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scalekit_api.v1.auth import auth_connect
from scalekit_api.v1.auth import auth_pb2 as pb
from scalekit_py.emulator import _status
from scalekit_py.emulator.services._base import Events, Service, handler, new_id
from scalekit_py.emulator.state import EmulatorState

__all__ = ["create_app", "create_login_request", "login_request_user"]

KIND = "login_request"
USER_KIND = "login_request_user"


def create_login_request(
    state: EmulatorState,
    connection_id: str,
    *,
    client_id: str = "",
    client_name: str = "",
    scopes: Sequence[str] = ("openid", "profile", "email"),
    resource_id: str = "",
    resource_name: str = "",
) -> str:
    """Open a login request on a connection (the connection is not checked: the caller routed to it).

    Args:
        state: the emulator state.
        connection_id: the connection the login goes through.
        client_id: the OAuth client the user is logging in to.
        client_name: that client's display name.
        scopes: the scopes requested.
        resource_id: the protected resource (e.g. an MCP server) the login is for, if any.
        resource_name: that resource's name.

    Returns:
        The login request id.
    """
    request_id = new_id("lri")
    details = pb.GetLoginRequestDetailsResponse(
        auth_request=pb.AuthRequestDetails(id=request_id, scopes=list(scopes)),
        client=pb.AuthRequestClient(client_id=client_id, sk_client_id=client_id, client_name=client_name),
    )
    if resource_id or resource_name:
        details.resource.id, details.resource.name = resource_id, resource_name
    with state.store.transaction() as tx:
        tx.insert(KIND, request_id, details, parent=connection_id)
    return request_id


def login_request_user(state: EmulatorState, login_request_id: str) -> pb.User | None:
    """The user the application posted for a login request, or None when none was posted yet."""
    with state.store.transaction() as tx:
        posted = tx.get(USER_KIND, login_request_id, pb.UpdateLoginUserDetailsRequest)
    return posted.user if posted is not None else None


class AuthService(Service, auth_connect.AuthService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    @handler
    async def get_login_request_details(
        self, request: pb.GetLoginRequestDetailsRequest, ctx: Any, events: Events
    ) -> pb.GetLoginRequestDetailsResponse:
        with self.state.store.transaction() as tx:
            details = tx.get(KIND, request.login_request_id, pb.GetLoginRequestDetailsResponse)
        if details is None:
            raise _status.not_found("login request", request.login_request_id)
        return details

    @handler
    async def update_login_user_details(
        self, request: pb.UpdateLoginUserDetailsRequest, ctx: Any, events: Events
    ) -> pb.UpdateLoginUserDetailsResponse:
        violations = []
        if not request.connection_id:
            violations.append(("connection_id", "is required", "required"))
        if not request.user.login_failed and not request.user.email:
            violations.append(("user.email", "is required unless login_failed is set", "required"))
        if violations:
            raise _status.invalid_argument(violations)
        with self.state.store.transaction() as tx:
            rid = request.login_request_id
            if tx.parent_of(KIND, rid) != request.connection_id:
                raise _status.not_found("login request", rid)
            if tx.get(USER_KIND, rid, pb.UpdateLoginUserDetailsRequest) is not None:
                raise _status.failed_precondition(
                    f"login request {rid} already has its user", error_code="LOGIN_REQUEST_COMPLETED"
                )
            tx.insert(USER_KIND, rid, request, parent=request.connection_id)
        return pb.UpdateLoginUserDetailsResponse(auth_request_id=rid)


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return auth_connect.AuthServiceASGIApplication(AuthService(state), interceptors=interceptors)
