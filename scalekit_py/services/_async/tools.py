"""Tools (AgentKit): the catalogue of connector tools and their execution with a connected account.

A tool failure reported by the third party raises :class:`scalekit_py.errors.ToolExecutionError`
(with the tool's error code, message and execution id); it is never retried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scalekit_api.v1.tools import tools_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._tool_listing import _AsyncToolListing
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
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


class AsyncToolService(_AsyncToolListing):
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
        schema_version: str,
        tool_version: str,
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
            >>> t = await client.tools.set_tool_default("notes_create", schema_version="1", tool_version="2")
        """
        request = pb.SetToolDefaultRequest(
            name=name, schema_version=schema_version, tool_version=tool_version
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
