"""Listing and searching connected accounts, with their pagers.

Part of :class:`~scalekit_py.services._async.connected_accounts.AsyncConnectedAccountService`
(``client.connected_accounts``); kept here so each module stays small.
"""

from __future__ import annotations

from collections.abc import Sequence

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import connected_accounts as rpcs


class _AsyncConnectedAccountQueries:
    """Mixed into the facade class, which sets ``_caller``."""

    _caller: AsyncCaller

    async def list_connected_accounts(
        self,
        *,
        organization_id: str | None = None,
        user_id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        provider: str | None = None,
        query: str | None = None,
        connection_names: Sequence[str] | None = None,
        is_org_wide_credential: bool | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListConnectedAccountsResponse:
        """Fetch one page of connected accounts, optionally filtered.

        Args:
            organization_id: only accounts of this organization.
            user_id: only accounts of this user.
            connector: only accounts of this connection name (e.g. ``"gmail"``).
            identifier: only accounts of this owner identifier.
            provider: only accounts of this provider (e.g. ``"GOOGLE"``).
            query: text matched against identifiers and connectors.
            connection_names: only accounts of these connection names.
            is_org_wide_credential: only organization-wide (``True``) or per-user (``False``) accounts.
            page_size: accounts per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``connected_accounts``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: a filter or the token is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.connected_accounts.list_connected_accounts(identifier="user_1")
        """
        request = fill(
            pb.ListConnectedAccountsRequest(),
            organization_id=organization_id,
            user_id=user_id,
            connector=connector,
            identifier=identifier,
            provider=provider,
            query=query,
            connection_names=connection_names,
            is_org_wide_credential=is_org_wide_credential,
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.LIST_CONNECTED_ACCOUNTS, request, timeout=timeout, retry=retry)

    def iter_connected_accounts(
        self,
        *,
        organization_id: str | None = None,
        user_id: str | None = None,
        connector: str | None = None,
        identifier: str | None = None,
        provider: str | None = None,
        query: str | None = None,
        connection_names: Sequence[str] | None = None,
        is_org_wide_credential: bool | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListConnectedAccountsResponse, pb.ConnectedAccountForList]:
        """Iterate over connected accounts, fetching pages lazily (filters: :meth:`list_connected_accounts`).

        Args:
            organization_id: only accounts of this organization.
            user_id: only accounts of this user.
            connector: only accounts of this connection name.
            identifier: only accounts of this owner identifier.
            provider: only accounts of this provider.
            query: text matched against identifiers and connectors.
            connection_names: only accounts of these connection names.
            is_org_wide_credential: only organization-wide or per-user accounts.
            page_size: accounts per page (``None``: the service's default).
            limit: stop after this many accounts (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``ConnectedAccountForList`` messages.

        Example:
            >>> async for acc in client.connected_accounts.iter_connected_accounts(connector="gmail"):
            ...     print(acc.identifier, acc.status)
        """

        async def fetch(token: str, size: int) -> pb.ListConnectedAccountsResponse:
            return await self.list_connected_accounts(
                organization_id=organization_id,
                user_id=user_id,
                connector=connector,
                identifier=identifier,
                provider=provider,
                query=query,
                connection_names=connection_names,
                is_org_wide_credential=is_org_wide_credential,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.connected_accounts,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListConnectedAccountsRequest),
        )

    async def search_connected_accounts(
        self,
        query: str,
        *,
        connection_id: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.SearchConnectedAccountsResponse:
        """Fetch one page of connected accounts matching a search text.

        Args:
            query: text matched against the accounts' identifiers and ids.
            connection_id: only accounts of this connection.
            page_size: accounts per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``connected_accounts``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the query or the token is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.connected_accounts.search_connected_accounts("jane")
        """
        request = fill(
            pb.SearchConnectedAccountsRequest(query=query),
            connection_id=connection_id,
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.SEARCH_CONNECTED_ACCOUNTS, request, timeout=timeout, retry=retry)

    def iter_search_connected_accounts(
        self,
        query: str,
        *,
        connection_id: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.SearchConnectedAccountsResponse, pb.ConnectedAccountForList]:
        """Iterate over the connected accounts matching a search text, fetching pages lazily.

        Args:
            query: text matched against the accounts' identifiers and ids.
            connection_id: only accounts of this connection.
            page_size: accounts per page (``None``: the service's default).
            limit: stop after this many accounts (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``ConnectedAccountForList`` messages.

        Example:
            >>> async for acc in client.connected_accounts.iter_search_connected_accounts("jane"):
            ...     print(acc.id)
        """

        async def fetch(token: str, size: int) -> pb.SearchConnectedAccountsResponse:
            return await self.search_connected_accounts(
                query,
                connection_id=connection_id,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.connected_accounts,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.SearchConnectedAccountsRequest),
        )
