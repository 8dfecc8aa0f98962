"""MCP servers (AgentKit): configurations mapping connections to tools, and per-user instances.

An MCP *configuration* names, per connection, the tools an MCP server exposes; an *instance* is a
configuration bound to one user identifier, with its own URL and the auth state of that user's
connected accounts. :meth:`AsyncMcpService.create_session_token` mints the bearer token an MCP client
sends to the server. ``create_mcp`` / ``get_mcp`` / ``list_mcp`` / ``delete_mcp`` manage the older
single-user MCP servers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from scalekit_api.v1.mcp import mcp_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._mcp_instances import _AsyncMcpInstances
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import mcp as rpcs

__all__ = ["AsyncMcpService"]


class AsyncMcpService(_AsyncMcpInstances):
    """``client.mcp``: the RPCs of ``scalekit.v1.mcp.McpService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_mcp(
        self,
        *,
        connected_account_identifier: str | None = None,
        tool_mappings: Sequence[pb.ToolMapping] | None = None,
        mcp: pb.Mcp | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Mcp:
        """Create a single-user MCP server exposing tools of an identifier's connections.

        Args:
            connected_account_identifier: the identifier whose connected accounts the tools use.
            tool_mappings: per connection name, the tools to expose.
            mcp: a prebuilt ``Mcp``; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new MCP server, with its ``url``.

        Raises:
            BadRequestError: a mapping names an unknown connection or tool.
            APIError: any other error reported by the service.

        Example:
            >>> m = await client.mcp.create_mcp(connected_account_identifier="user_1",
            ...     tool_mappings=[ToolMapping(connection_name="notes", tool_names=["notes_list"])])
        """
        body = fill(
            merged(mcp, pb.Mcp),
            connected_account_identifier=connected_account_identifier,
            tool_mappings=tool_mappings,
        )
        response = await self._caller.call(
            rpcs.CREATE_MCP, pb.CreateMcpRequest(mcp=body), timeout=timeout, retry=retry
        )
        return response.mcp

    async def get_mcp(
        self,
        mcp_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Mcp:
        """Fetch a single-user MCP server.

        Args:
            mcp_id: the MCP server's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The MCP server.

        Raises:
            NotFoundError: no such MCP server.
            APIError: any other error reported by the service.

        Example:
            >>> m = await client.mcp.get_mcp("mcp_1")
        """
        response = await self._caller.call(
            rpcs.GET_MCP, pb.GetMcpRequest(mcp_id=mcp_id), timeout=timeout, retry=retry
        )
        return response.mcp

    async def list_mcp(
        self,
        *,
        connected_account_identifier: str | None = None,
        link_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListMcpResponse:
        """List single-user MCP servers.

        Args:
            connected_account_identifier: only servers of this identifier.
            link_token: only the server of this link token.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``mcps`` holds the servers.

        Raises:
            APIError: an error reported by the service.

        Example:
            >>> servers = (await client.mcp.list_mcp(connected_account_identifier="user_1")).mcps
        """
        body = fill(
            pb.ListMcpRequest.Filter(),
            connected_account_identifier=connected_account_identifier,
            link_token=link_token,
        )
        return await self._caller.call(
            rpcs.LIST_MCP, pb.ListMcpRequest(filter=body), timeout=timeout, retry=retry
        )

    async def delete_mcp(
        self,
        mcp_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.DeleteMcpResponse:
        """Delete a single-user MCP server.

        Args:
            mcp_id: the MCP server's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The (empty) response.

        Raises:
            NotFoundError: no such MCP server.
            APIError: any other error reported by the service.

        Example:
            >>> await client.mcp.delete_mcp("mcp_1")
        """
        return await self._caller.call(
            rpcs.DELETE_MCP, pb.DeleteMcpRequest(mcp_id=mcp_id), timeout=timeout, retry=retry
        )

    async def create_config(
        self,
        *,
        name: str | None = None,
        description: str | None = None,
        connection_tool_mappings: Sequence[pb.McpConfigConnectionToolMapping] | None = None,
        config: pb.McpConfig | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.McpConfig:
        """Create an MCP configuration: the tools an MCP server exposes, per connection.

        Args:
            name: the configuration's unique name.
            description: what the server is for.
            connection_tool_mappings: per connection, the tools to expose.
            config: a prebuilt ``McpConfig``; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new configuration, with its ``mcp_server_url``.

        Raises:
            BadRequestError: the name is missing, or a mapping names an unknown connection or tool.
            ConflictError: a configuration of that name exists.
            APIError: any other error reported by the service.

        Example:
            >>> cfg = await client.mcp.create_config(name="notes-bot", connection_tool_mappings=[
            ...     McpConfigConnectionToolMapping(connection_name="notes", tools=["notes_list"])])
        """
        body = fill(
            merged(config, pb.McpConfig),
            name=name,
            description=description,
            connection_tool_mappings=connection_tool_mappings,
        )
        response = await self._caller.call(
            rpcs.CREATE_MCP_CONFIG, pb.CreateMcpConfigRequest(config=body), timeout=timeout, retry=retry
        )
        return response.config

    async def update_config(
        self,
        config_id: str,
        *,
        description: str | None = None,
        connection_tool_mappings: Sequence[pb.McpConfigConnectionToolMapping] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.McpConfig:
        """Change an MCP configuration's description or tool mappings.

        Args:
            config_id: the configuration's id.
            description: the new description.
            connection_tool_mappings: the new mappings (replace the old ones).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated configuration.

        Raises:
            NotFoundError: no such configuration.
            BadRequestError: a mapping names an unknown connection or tool.
            APIError: any other error reported by the service.

        Example:
            >>> cfg = await client.mcp.update_config("cfg_1", description="Notes for agents")
        """
        request = fill(
            pb.UpdateMcpConfigRequest(config_id=config_id),
            description=description,
            connection_tool_mappings=connection_tool_mappings,
        )
        response = await self._caller.call(rpcs.UPDATE_MCP_CONFIG, request, timeout=timeout, retry=retry)
        return response.config

    async def list_configs(
        self,
        *,
        filter_id: str | None = None,
        filter_name: str | None = None,
        filter_provider: str | None = None,
        filter_mcp_server_url: str | None = None,
        search: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListMcpConfigsResponse:
        """Fetch one page of MCP configurations.

        Args:
            filter_id: only the configuration of this id.
            filter_name: only the configuration of this name.
            filter_provider: only configurations using this provider.
            filter_mcp_server_url: only the configuration served at this URL.
            search: text matched against names and descriptions.
            page_size: configurations per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``configs``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the token is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.mcp.list_configs(search="notes")
        """
        body = fill(
            pb.ListMcpConfigsRequest.Filter(),
            id=filter_id,
            name=filter_name,
            provider=filter_provider,
            mcp_server_url=filter_mcp_server_url,
        )
        request = fill(
            pb.ListMcpConfigsRequest(filter=body), search=search, page_size=page_size, page_token=page_token
        )
        return await self._caller.call(rpcs.LIST_MCP_CONFIGS, request, timeout=timeout, retry=retry)

    def iter_configs(
        self,
        *,
        filter_id: str | None = None,
        filter_name: str | None = None,
        filter_provider: str | None = None,
        filter_mcp_server_url: str | None = None,
        search: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListMcpConfigsResponse, pb.McpConfig]:
        """Iterate over MCP configurations, fetching pages lazily (filters as :meth:`list_configs`).

        Args:
            filter_id: only the configuration of this id.
            filter_name: only the configuration of this name.
            filter_provider: only configurations using this provider.
            filter_mcp_server_url: only the configuration served at this URL.
            search: text matched against names and descriptions.
            page_size: configurations per page (``None``: the service's default).
            limit: stop after this many configurations (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``McpConfig`` messages.

        Example:
            >>> async for cfg in client.mcp.iter_configs():
            ...     print(cfg.name)
        """

        async def fetch(token: str, size: int) -> pb.ListMcpConfigsResponse:
            return await self.list_configs(
                filter_id=filter_id,
                filter_name=filter_name,
                filter_provider=filter_provider,
                filter_mcp_server_url=filter_mcp_server_url,
                search=search,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.configs,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListMcpConfigsRequest),
        )

    async def get_config(
        self,
        config_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.McpConfig:
        """Fetch an MCP configuration.

        Args:
            config_id: the configuration's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The configuration.

        Raises:
            NotFoundError: no such configuration.
            APIError: any other error reported by the service.

        Example:
            >>> cfg = await client.mcp.get_config("cfg_1")
        """
        response = await self._caller.call(
            rpcs.GET_MCP_CONFIG, pb.GetMcpConfigRequest(config_id=config_id), timeout=timeout, retry=retry
        )
        return response.config

    async def delete_config(
        self,
        config_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.DeleteMcpConfigResponse:
        """Delete an MCP configuration and its instances.

        Args:
            config_id: the configuration's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The (empty) response.

        Raises:
            NotFoundError: no such configuration.
            APIError: any other error reported by the service.

        Example:
            >>> await client.mcp.delete_config("cfg_1")
        """
        request = pb.DeleteMcpConfigRequest(config_id=config_id)
        return await self._caller.call(rpcs.DELETE_MCP_CONFIG, request, timeout=timeout, retry=retry)

    async def create_session_token(
        self,
        mcp_config_id: str | None,
        identifier: str,
        *,
        connection_name: str | None = None,
        expiry: timedelta | None = None,
        access_level: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.CreateMcpSessionTokenResponse:
        """Mint a short-lived bearer token for an MCP client acting as a user.

        The token is for one MCP configuration's server (``mcp_config_id``) or, with
        ``mcp_config_id=None``, for one connection's own MCP server (``connection_name=``).

        Args:
            mcp_config_id: the configuration's id (``None`` with ``connection_name``).
            identifier: the user identifier the token acts as.
            connection_name: the connection whose MCP server the token is for, instead.
            expiry: the token's lifetime (``None``: the service's default).
            access_level: ``"READ_ONLY"`` or ``"FULL"`` (``None``: full).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``token`` and ``expires_at``.

        Raises:
            TypeError: both ``mcp_config_id`` and ``connection_name`` were given.
            NotFoundError: no such configuration or connection.
            BadRequestError: the identifier, expiry or access level is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> tok = (await client.mcp.create_session_token("cfg_1", "user_1")).token
        """
        if mcp_config_id is not None and connection_name is not None:
            raise TypeError("mcp_config_id and connection_name are alternatives: pass only one")
        request = fill(
            pb.CreateMcpSessionTokenRequest(identifier=identifier),
            mcp_config_id=mcp_config_id,
            key_id=connection_name,
            expiry=expiry,
            access_level=access_level,
        )
        return await self._caller.call(rpcs.CREATE_MCP_SESSION_TOKEN, request, timeout=timeout, retry=retry)

    async def list_mcp_connected_accounts(
        self,
        config_id: str,
        identifier: str,
        *,
        include_auth_link: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListMcpConnectedAccountsResponse:
        """The state of a user's connected account on each connection of a configuration.

        Args:
            config_id: the configuration's id.
            identifier: the user identifier.
            include_auth_link: ``True``: add an authentication link per connection.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``connected_accounts`` holds one auth state per connection.

        Raises:
            NotFoundError: no such configuration.
            APIError: any other error reported by the service.

        Example:
            >>> states = (await client.mcp.list_mcp_connected_accounts("cfg_1", "user_1")).connected_accounts
        """
        request = fill(
            pb.ListMcpConnectedAccountsRequest(config_id=config_id, identifier=identifier),
            include_auth_link=include_auth_link,
        )
        return await self._caller.call(
            rpcs.LIST_MCP_CONNECTED_ACCOUNTS, request, timeout=timeout, retry=retry
        )
