"""Tools (AgentKit): the catalogue of connector tools and their execution with a connected account.

A tool failure reported by the third party raises :class:`scalekit_py.errors.ToolExecutionError`
(with the tool's error code, message and execution id); it is never retried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scalekit_api.v1.tools import tools_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import tools as rpcs

__all__ = ["AsyncToolService"]


def _tool(
    base: pb.Tool | None,
    tool_id: str | None,
    provider: str | None,
    definition: Mapping[str, object] | None,
    metadata: Mapping[str, object] | None,
    tags: Sequence[str] | None,
) -> pb.Tool:
    return fill(
        merged(base, pb.Tool),
        id=tool_id,
        provider=provider,
        definition=definition,
        metadata=metadata,
        tags=tags,
    )


class AsyncToolService:
    """``client.tools``: the RPCs of ``scalekit.v1.tools.ToolService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_tool(
        self,
        *,
        provider: str | None = None,
        definition: Mapping[str, object] | None = None,
        metadata: Mapping[str, object] | None = None,
        tags: Sequence[str] | None = None,
        tool: pb.Tool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Tool:
        """Add a tool to a provider's catalogue.

        Args:
            provider: the provider the tool belongs to, e.g. ``"NOTES"``.
            definition: the tool definition: ``name``, ``description`` and ``input_schema`` (JSON Schema).
            metadata: free-form metadata (JSON object).
            tags: tags used by search and filters.
            tool: a prebuilt ``Tool``; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new tool.

        Raises:
            BadRequestError: the definition is invalid.
            ConflictError: the provider already has a tool of that name.
            APIError: any other error reported by the service.

        Example:
            >>> t = await client.tools.create_tool(provider="NOTES", definition={"name": "notes_count"})
        """
        request = pb.CreateToolRequest(tool=_tool(tool, None, provider, definition, metadata, tags))
        response = await self._caller.call(rpcs.CREATE_TOOL, request, timeout=timeout, retry=retry)
        return response.tool

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

    async def search_tools(
        self,
        query: str,
        *,
        identifier: str | None = None,
        top_k: int | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.SearchToolsResponse:
        """Rank the catalogue's tools by how well they match a description of the job.

        Args:
            query: keywords or a sentence describing the job, e.g. ``"add a note"``.
            identifier: annotate each result with this identifier's connections and their readiness.
            top_k: at most this many results (``None``: the service's default).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``tools`` holds ``SearchedTool`` results, best first.

        Raises:
            BadRequestError: the query is empty or ``top_k`` out of range.
            APIError: any other error reported by the service.

        Example:
            >>> best = (await client.tools.search_tools("add a note", identifier="user_1")).tools[0]
        """
        request = fill(pb.SearchToolsRequest(query=query), identifier=identifier, top_k=top_k)
        return await self._caller.call(rpcs.SEARCH_TOOLS, request, timeout=timeout, retry=retry)

    async def set_tool_default(
        self,
        name: str,
        *,
        schema_version: str | None = None,
        tool_version: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Tool:
        """Make one version of a tool the default one.

        Args:
            name: the tool's name.
            schema_version: the schema version to make default.
            tool_version: the tool version to make default.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The tool now marked default.

        Raises:
            NotFoundError: no such tool (or version).
            APIError: any other error reported by the service.

        Example:
            >>> t = await client.tools.set_tool_default("notes_create", tool_version="2")
        """
        request = fill(
            pb.SetToolDefaultRequest(name=name), schema_version=schema_version, tool_version=tool_version
        )
        response = await self._caller.call(rpcs.SET_TOOL_DEFAULT, request, timeout=timeout, retry=retry)
        return response.tool

    async def update_tool(
        self,
        tool_id: str,
        *,
        provider: str | None = None,
        definition: Mapping[str, object] | None = None,
        metadata: Mapping[str, object] | None = None,
        tags: Sequence[str] | None = None,
        tool: pb.Tool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Tool:
        """Replace a tool's definition, metadata or tags.

        Args:
            tool_id: the tool's id.
            provider: the provider the tool belongs to.
            definition: the new definition (``name``, ``description``, ``input_schema``).
            metadata: new metadata (JSON object).
            tags: new tags.
            tool: a prebuilt ``Tool``; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated tool.

        Raises:
            NotFoundError: no such tool.
            BadRequestError: the definition is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> t = await client.tools.update_tool("tool_1", tags=["notes", "write"])
        """
        request = pb.UpdateToolRequest(tool=_tool(tool, tool_id, provider, definition, metadata, tags))
        response = await self._caller.call(rpcs.UPDATE_TOOL, request, timeout=timeout, retry=retry)
        return response.tool

    async def delete_tool(
        self,
        tool_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Remove a tool from the catalogue.

        Args:
            tool_id: the tool's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such tool.
            APIError: any other error reported by the service.

        Example:
            >>> await client.tools.delete_tool("tool_1")
        """
        await self._caller.call(
            rpcs.DELETE_TOOL, pb.DeleteToolRequest(id=tool_id), timeout=timeout, retry=retry
        )

    async def execute_tool(
        self,
        tool_name: str,
        identifier: str | None = None,
        *,
        params: Mapping[str, object] | None = None,
        connected_account_id: str | None = None,
        connector: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        agent_run_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ExecuteToolResponse:
        """Run a tool with a connected account and return its output.

        The account is the identifier's on the tool's connector (``connector=`` picks one when the
        identifier has several), or the one named by ``connected_account_id``.

        Args:
            tool_name: the tool's name, e.g. ``"notes_create"``.
            identifier: the connected-account identifier (e.g. a user id).
            params: the tool's input (JSON object), checked against its ``input_schema``.
            connected_account_id: the account to use, instead of the identifier.
            connector: the connection name to use (the official SDK's ``connection_name``).
            organization_id: narrows the account lookup to this organization.
            user_id: narrows the account lookup to this user.
            agent_run_id: your agent run's id, recorded with the execution.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: the tool's output in ``data`` and the ``execution_id``.

        Raises:
            BadRequestError: the input does not match the tool's schema (``field_violations`` say where).
            NotFoundError: no such tool or connected account.
            PreconditionFailedError: the connected account is not ``ACTIVE``.
            ToolExecutionError: the tool ran and failed (``tool_error_code``, ``tool_error_message``).
            APIError: any other error reported by the service.

        Example:
            >>> out = await client.tools.execute_tool(
            ...     "notes_create", "user_1", params={"title": "Hi", "body": "..."})
            >>> note_id = out.data["id"]
        """
        request = fill(
            pb.ExecuteToolRequest(tool_name=tool_name),
            identifier=identifier,
            params=params,
            connected_account_id=connected_account_id,
            connector=connector,
            organization_id=organization_id,
            user_id=user_id,
            agent_run_id=agent_run_id,
        )
        return await self._caller.call(rpcs.EXECUTE_TOOL, request, timeout=timeout, retry=retry)

    async def refresh_tools(
        self,
        *,
        identifier: str | None = None,
        connected_account_id: str | None = None,
        connector: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.RefreshToolsResponse:
        """Reload the tool list of a connected account's connector (e.g. a custom MCP connector).

        Args:
            identifier: the connected-account identifier.
            connected_account_id: the account, instead of the identifier.
            connector: the connection name.
            organization_id: narrows the account lookup to this organization.
            user_id: narrows the account lookup to this user.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: the refreshed ``tools`` and ``total_size``.

        Raises:
            NotFoundError: no such connected account.
            APIError: any other error reported by the service.

        Example:
            >>> tools = (await client.tools.refresh_tools(identifier="user_1", connector="notes")).tools
        """
        request = fill(
            pb.RefreshToolsRequest(),
            identifier=identifier,
            connected_account_id=connected_account_id,
            connector=connector,
            organization_id=organization_id,
            user_id=user_id,
        )
        return await self._caller.call(rpcs.REFRESH_TOOLS, request, timeout=timeout, retry=retry)
