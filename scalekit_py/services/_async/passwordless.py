"""Passwordless email sign-in: send a one-time code or magic link, verify it, resend it."""

from __future__ import annotations

from collections.abc import Mapping

from scalekit_api.v1.auth import passwordless_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._build import fill
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import passwordless as rpcs

__all__ = ["AsyncPasswordlessService"]


class AsyncPasswordlessService:
    """``client.passwordless``: the RPCs of ``scalekit.v1.auth.passwordless.PasswordlessService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def send_passwordless_email(
        self,
        email: str,
        *,
        template: pb.TemplateType.ValueType | None = None,
        magiclink_auth_uri: str | None = None,
        state: str | None = None,
        expires_in: int | None = None,
        template_variables: Mapping[str, str] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.SendPasswordlessResponse:
        """Email a one-time code and/or magic link to a user.

        Args:
            email: where to send it.
            template: ``SIGNIN`` or ``SIGNUP`` wording.
            magiclink_auth_uri: your URL the magic link points to (it receives ``link_token``).
            state: opaque value returned to you on verification.
            expires_in: seconds the code or link stays valid.
            template_variables: extra values for your email template.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``auth_request_id`` (keep it to verify or resend), expiry and passwordless type.

        Raises:
            BadRequestError: the email or a field is invalid.
            RateLimitError: too many emails to this address.
            APIError: any other error reported by the service.

        Example:
            >>> sent = await client.passwordless.send_passwordless_email("jane@acme.com")
        """
        request = fill(
            pb.SendPasswordlessRequest(email=email),
            template=template,
            magiclink_auth_uri=magiclink_auth_uri,
            state=state,
            expires_in=expires_in,
            template_variables=template_variables,
        )
        return await self._caller.call(rpcs.SEND_PASSWORDLESS_EMAIL, request, timeout=timeout, retry=retry)

    async def verify_passwordless_email(
        self,
        *,
        code: str | None = None,
        link_token: str | None = None,
        auth_request_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.VerifyPasswordLessResponse:
        """Check the code the user typed, or the token of the magic link they followed.

        Args:
            code: the one-time code (with ``auth_request_id``).
            link_token: the magic link's token, instead of ``code``.
            auth_request_id: the id returned by :meth:`send_passwordless_email`.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The verified ``email``, your ``state`` and the template used.

        Raises:
            TypeError: both ``code`` and ``link_token`` were given.
            BadRequestError: the code or token is wrong or expired.
            APIError: any other error reported by the service.

        Example:
            >>> who = await client.passwordless.verify_passwordless_email(code="123456", auth_request_id=rid)
        """
        request = fill(
            pb.VerifyPasswordLessRequest(),
            code=code,
            link_token=link_token,
            auth_request_id=auth_request_id,
        )
        return await self._caller.call(rpcs.VERIFY_PASSWORDLESS_EMAIL, request, timeout=timeout, retry=retry)

    async def resend_passwordless_email(
        self, auth_request_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.SendPasswordlessResponse:
        """Send the passwordless email of a pending request again, with a fresh code or link.

        Args:
            auth_request_id: the id returned by :meth:`send_passwordless_email`.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The request's id, new expiry and passwordless type.

        Raises:
            NotFoundError: no such pending request.
            RateLimitError: too many resends.
            APIError: any other error reported by the service.

        Example:
            >>> sent = await client.passwordless.resend_passwordless_email(rid)
        """
        request = pb.ResendPasswordlessRequest(auth_request_id=auth_request_id)
        return await self._caller.call(rpcs.RESEND_PASSWORDLESS_EMAIL, request, timeout=timeout, retry=retry)
