"""API tokens: opaque, long-lived credentials scoped to an organization and optionally one of its users.

The opaque token string is returned once, by :meth:`AsyncTokenService.create_token`; every later call
names a token by that string or by its id (``apit_...``). Your backend checks a token a caller presents
with :meth:`AsyncTokenService.validate_token`, which returns the organization, user and custom claims
the token carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from google.protobuf import timestamp_pb2

from scalekit_api.v1.tokens import tokens_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import tokens as rpcs

__all__ = ["AsyncTokenService"]


class AsyncTokenService:
    """``client.tokens`` (alias ``client.token``): the RPCs of ``scalekit.v1.tokens.ApiTokenService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_token(
        self,
        organization_id: str | None,
        *,
        user_id: str | None = None,
        custom_claims: Mapping[str, str] | None = None,
        expiry: datetime | timestamp_pb2.Timestamp | None = None,
        description: str | None = None,
        token: pb.CreateToken | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.CreateTokenResponse:
        """Create an API token for an organization, or for one user of it.

        Args:
            organization_id: the organization the token acts for (``None``: taken from ``token``).
            user_id: scope the token to this member of the organization.
            custom_claims: string claims returned whenever the token is validated (at most 20).
            expiry: when the token stops validating (``datetime``, naive means UTC); ``None``: never.
            description: a label for people, e.g. ``"CI pipeline"`` (at most 255 characters).
            token: a prebuilt ``CreateToken`` message; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``token`` (the opaque string, shown only this once: store it now),
            ``token_id`` and ``token_info``.

        Raises:
            BadRequestError: a missing organization id or an invalid claim / description.
            NotFoundError: no such organization, or no such user in it.
            APIError: any other error reported by the service.

        Example:
            >>> created = await client.tokens.create_token("org_1", description="CI")
            >>> secret = created.token  # give it to the caller; it cannot be read again
        """
        body = fill(
            merged(token, pb.CreateToken),
            organization_id=organization_id,
            user_id=user_id,
            custom_claims=custom_claims,
            expiry=expiry,
            description=description,
        )
        request = pb.CreateTokenRequest(token=body)
        return await self._caller.call(rpcs.CREATE_TOKEN, request, timeout=timeout, retry=retry)

    async def validate_token(
        self, token: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.Token:
        """Check an API token a caller presented and read what it grants.

        Args:
            token: the opaque token string (or its id, ``apit_...``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The token's details: organization, user, custom claims, expiry.

        Raises:
            NotFoundError: the token is unknown, invalidated or expired.
            BadRequestError: ``token`` is empty.
            APIError: any other error reported by the service.

        Example:
            >>> info = await client.tokens.validate_token(presented)
            >>> org_id = info.organization_id
        """
        request = pb.ValidateTokenRequest(token=token)
        response = await self._caller.call(rpcs.VALIDATE_TOKEN, request, timeout=timeout, retry=retry)
        return response.token_info

    async def invalidate_token(
        self, token: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> None:
        """Revoke an API token for good; it never validates again. Revoking twice is not an error.

        Args:
            token: the opaque token string or its id (``apit_...``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no token has this string or id.
            APIError: any other error reported by the service.

        Example:
            >>> await client.tokens.invalidate_token("apit_1")
        """
        request = pb.InvalidateTokenRequest(token=token)
        await self._caller.call(rpcs.INVALIDATE_TOKEN, request, timeout=timeout, retry=retry)

    async def list_tokens(
        self,
        organization_id: str,
        *,
        user_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListTokensResponse:
        """Fetch one page of an organization's active API tokens (never their secret strings).

        Args:
            organization_id: the organization's id.
            user_id: only the tokens of this user.
            page_size: tokens per page, at most 30 (``None``: the service's default, 10).
            page_token: the ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``tokens``, ``total_count`` and the page tokens.

        Raises:
            BadRequestError: a bad organization id, page size or page token.
            NotFoundError: no such organization or user.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.tokens.list_tokens("org_1", page_size=30)
        """
        request = fill(
            pb.ListTokensRequest(organization_id=organization_id),
            user_id=user_id,
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.LIST_TOKENS, request, timeout=timeout, retry=retry)

    def iter_tokens(
        self,
        organization_id: str,
        *,
        user_id: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListTokensResponse, pb.Token]:
        """Iterate over an organization's active API tokens, fetching pages lazily.

        Args:
            organization_id: the organization's id.
            user_id: only the tokens of this user.
            page_size: tokens per page, at most 30 (``None``: the service's default).
            limit: stop after this many tokens (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``Token`` messages.

        Example:
            >>> async for info in client.tokens.iter_tokens("org_1", user_id="usr_1"):
            ...     print(info.token_id, info.description)
        """

        async def fetch(token: str, size: int) -> pb.ListTokensResponse:
            return await self.list_tokens(
                organization_id,
                user_id=user_id,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.tokens,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListTokensRequest),
        )

    async def update_token(
        self,
        token: str,
        *,
        custom_claims: Mapping[str, str] | None = None,
        description: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Token:
        """Change an API token's custom claims and/or description.

        Args:
            token: the opaque token string or its id (``apit_...``).
            custom_claims: the new claims; they replace the current ones as a whole (``None`` or an
                empty mapping: unchanged).
            description: the new description (``""`` clears it; ``None``: unchanged).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated token's details.

        Raises:
            NotFoundError: the token is unknown, invalidated or expired.
            BadRequestError: an invalid claim or description.
            APIError: any other error reported by the service.

        Example:
            >>> info = await client.tokens.update_token("apit_1", custom_claims={"env": "prod"})
        """
        request = fill(
            pb.UpdateTokenRequest(token=token), custom_claims=custom_claims, description=description
        )
        response = await self._caller.call(rpcs.UPDATE_TOKEN, request, timeout=timeout, retry=retry)
        return response.token_info
