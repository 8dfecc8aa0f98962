"""Login requests of custom (bring-your-own) user authentication flows."""

from __future__ import annotations

from scalekit_api.v1.auth import auth_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import auth as rpcs

__all__ = ["AsyncAuthService"]


class AsyncAuthService:
    """``client.auth``: the RPCs of ``scalekit.v1.auth.AuthService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def update_login_user_details(
        self,
        connection_id: str,
        login_request_id: str,
        *,
        user: pb.User,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.UpdateLoginUserDetailsResponse:
        """Tell Scalekit who signed in, for a login handled by your own authentication.

        Args:
            connection_id: the id of the custom connection that started the login.
            login_request_id: the id of the pending login request.
            user: the authenticated user's claims (``sub``, ``email``, names, ...).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``auth_request_id`` names the auth request to resume.

        Raises:
            NotFoundError: no such connection or login request.
            BadRequestError: the user details are invalid.
            APIError: any other error reported by the service.

        Example:
            >>> resp = await client.auth.update_login_user_details(
            ...     "conn_1", "lr_1", user=User(sub="u-42", email="jane@acme.com"))
        """
        request = pb.UpdateLoginUserDetailsRequest(
            connection_id=connection_id, login_request_id=login_request_id, user=user
        )
        return await self._caller.call(rpcs.UPDATE_LOGIN_USER_DETAILS, request, timeout=timeout, retry=retry)

    async def get_login_request_details(
        self, login_request_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.GetLoginRequestDetailsResponse:
        """Fetch a pending login request: the auth request, the client and the resource asked for.

        Args:
            login_request_id: the id of the login request.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``auth_request``, ``client`` and ``resource``.

        Raises:
            NotFoundError: no such login request.
            APIError: any other error reported by the service.

        Example:
            >>> details = await client.auth.get_login_request_details("lr_1")
        """
        request = pb.GetLoginRequestDetailsRequest(login_request_id=login_request_id)
        return await self._caller.call(rpcs.GET_LOGIN_REQUEST_DETAILS, request, timeout=timeout, retry=retry)
