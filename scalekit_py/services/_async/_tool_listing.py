"""Listing the tool catalogue: all tools, an identifier's scoped tools and available tools, with pagers.

Part of :class:`~scalekit_py.services._async.tools.AsyncToolService` (``client.tools``); kept here
so each module stays small.
"""

from __future__ import annotations

from collections.abc import Sequence

from scalekit_api.v1.tools import tools_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import tools as rpcs


class _AsyncToolListing:
    """Mixed into the facade class, which sets ``_caller``."""

    _caller: AsyncCaller

    async def list_tools(
        self,
        *,
        provider: str | None = None,
        identifier: str | None = None,
        tool_names: Sequence[str] | None = None,
        query: str | None = None,
        connector: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        connected_account_id: str | None = None,
        summary: bool | None = None,
        filter: pb.Filter | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListToolsResponse:
        """Fetch one page of tools, optionally filtered.

        Args:
            provider: only tools of this provider.
            identifier: only tools usable by this connected-account identifier.
            tool_names: only these tools.
            query: text matched against tool names and descriptions.
            connector: only tools of this connection name.
            organization_id: only tools of this organization's connected accounts.
            user_id: only tools of this user's connected accounts.
            connected_account_id: only tools of this connected account.
            summary: ``True``: fill ``tool_names`` only, not the full ``tools``.
            filter: a prebuilt ``Filter``; arguments override its fields.
            page_size: tools per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``tools`` (or ``tool_names``), ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: a filter or the token is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.tools.list_tools(provider="NOTES")
        """
        body = fill(
            merged(filter, pb.Filter),
            provider=provider,
            identifier=identifier,
            tool_name=tool_names,
            query=query,
            connector=connector,
            organization_id=organization_id,
            user_id=user_id,
            connected_account_id=connected_account_id,
            summary=summary,
        )
        request = fill(pb.ListToolsRequest(filter=body), page_size=page_size, page_token=page_token)
        return await self._caller.call(rpcs.LIST_TOOLS, request, timeout=timeout, retry=retry)

    def iter_tools(
        self,
        *,
        provider: str | None = None,
        identifier: str | None = None,
        tool_names: Sequence[str] | None = None,
        query: str | None = None,
        connector: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        connected_account_id: str | None = None,
        summary: bool | None = None,
        filter: pb.Filter | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListToolsResponse, pb.Tool]:
        """Iterate over tools, fetching pages lazily (filters as :meth:`list_tools`).

        Args:
            provider: only tools of this provider.
            identifier: only tools usable by this connected-account identifier.
            tool_names: only these tools.
            query: text matched against tool names and descriptions.
            connector: only tools of this connection name.
            organization_id: only tools of this organization's connected accounts.
            user_id: only tools of this user's connected accounts.
            connected_account_id: only tools of this connected account.
            summary: ``True``: pages hold ``tool_names`` only (the pager then yields nothing).
            filter: a prebuilt ``Filter``; arguments override its fields.
            page_size: tools per page (``None``: the service's default).
            limit: stop after this many tools (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``Tool`` messages.

        Example:
            >>> async for tool in client.tools.iter_tools(provider="NOTES"):
            ...     print(tool.definition["name"])
        """

        async def fetch(token: str, size: int) -> pb.ListToolsResponse:
            return await self.list_tools(
                provider=provider,
                identifier=identifier,
                tool_names=tool_names,
                query=query,
                connector=connector,
                organization_id=organization_id,
                user_id=user_id,
                connected_account_id=connected_account_id,
                summary=summary,
                filter=filter,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.tools,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListToolsRequest),
        )

    async def list_scoped_tools(
        self,
        identifier: str,
        *,
        providers: Sequence[str] | None = None,
        tool_names: Sequence[str] | None = None,
        connection_names: Sequence[str] | None = None,
        filter: pb.ScopedToolFilter | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListScopedToolsResponse:
        """Fetch one page of the tools an identifier can run, each with the connected account it uses.

        Args:
            identifier: the connected-account identifier (e.g. a user id).
            providers: only tools of these providers.
            tool_names: only these tools.
            connection_names: only tools of these connection names.
            filter: a prebuilt ``ScopedToolFilter``; arguments override its fields.
            page_size: tools per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``tools`` (``ScopedTool``: tool, identifier, connected account id),
            ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the identifier is empty or the token invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.tools.list_scoped_tools("user_1", connection_names=["notes"])
        """
        body = fill(
            merged(filter, pb.ScopedToolFilter),
            providers=providers,
            tool_names=tool_names,
            connection_names=connection_names,
        )
        request = fill(
            pb.ListScopedToolsRequest(identifier=identifier, filter=body),
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.LIST_SCOPED_TOOLS, request, timeout=timeout, retry=retry)

    def iter_scoped_tools(
        self,
        identifier: str,
        *,
        providers: Sequence[str] | None = None,
        tool_names: Sequence[str] | None = None,
        connection_names: Sequence[str] | None = None,
        filter: pb.ScopedToolFilter | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListScopedToolsResponse, pb.ScopedTool]:
        """Iterate over the tools an identifier can run, fetching pages lazily.

        Args:
            identifier: the connected-account identifier (e.g. a user id).
            providers: only tools of these providers.
            tool_names: only these tools.
            connection_names: only tools of these connection names.
            filter: a prebuilt ``ScopedToolFilter``; arguments override its fields.
            page_size: tools per page (``None``: the service's default).
            limit: stop after this many tools (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``ScopedTool`` messages.

        Example:
            >>> async for scoped in client.tools.iter_scoped_tools("user_1"):
            ...     print(scoped.tool.definition["name"], scoped.connected_account_id)
        """

        async def fetch(token: str, size: int) -> pb.ListScopedToolsResponse:
            return await self.list_scoped_tools(
                identifier,
                providers=providers,
                tool_names=tool_names,
                connection_names=connection_names,
                filter=filter,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.tools,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListScopedToolsRequest),
        )

    async def list_available_tools(
        self,
        identifier: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListAvailableToolsResponse:
        """Fetch one page of the tools of the connectors an identifier has an active account on.

        Args:
            identifier: the connected-account identifier (e.g. a user id).
            page_size: tools per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``tools``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the identifier is empty or the token invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.tools.list_available_tools("user_1")
        """
        request = fill(
            pb.ListAvailableToolsRequest(identifier=identifier), page_size=page_size, page_token=page_token
        )
        return await self._caller.call(rpcs.LIST_AVAILABLE_TOOLS, request, timeout=timeout, retry=retry)

    def iter_available_tools(
        self,
        identifier: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListAvailableToolsResponse, pb.Tool]:
        """Iterate over the tools available to an identifier, fetching pages lazily.

        Args:
            identifier: the connected-account identifier (e.g. a user id).
            page_size: tools per page (``None``: the service's default).
            limit: stop after this many tools (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``Tool`` messages.

        Example:
            >>> names = [t.definition["name"] async for t in client.tools.iter_available_tools("user_1")]
        """

        async def fetch(token: str, size: int) -> pb.ListAvailableToolsResponse:
            return await self.list_available_tools(
                identifier, page_size=size, page_token=token, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.tools,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListAvailableToolsRequest),
        )
