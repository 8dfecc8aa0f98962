"""The MCP part of ``client.actions``: configurations and per-user instances, as the official SDK's
``ActionClient`` exposes them (thin forwards to ``client.mcp``, which also has session tokens and more)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py._transport.call import RetryArg, Timeout
from scalekit_py.services._async._actions_base import _AsyncActionsBase

if TYPE_CHECKING:
    from scalekit_api.v1.mcp import mcp_pb2 as pb

__all__ = ["_AsyncMcpActions"]


class _AsyncMcpActions(_AsyncActionsBase):
    async def create_config(
        self,
        *,
        name: str,
        description: str | None = None,
        connection_tool_mappings: Sequence[pb.McpConfigConnectionToolMapping] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.McpConfig:
        """Create an MCP configuration: which tools of which connections an MCP server exposes.

        Args:
            name: the configuration's unique name.
            description: what it is for.
            connection_tool_mappings: per connection, the tools to expose.
            timeout: seconds for the call. retry: retry policy (a write: not retried by default).

        Returns:
            The new configuration.

        Raises:
            ConflictError: the name is taken. BadRequestError: a mapping is invalid.
        """
        return await self._facades.mcp.create_config(
            name=name,
            description=description,
            connection_tool_mappings=connection_tool_mappings,
            timeout=timeout,
            retry=retry,
        )

    async def list_configs(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        filter_id: str | None = None,
        filter_provider: str | None = None,
        filter_name: str | None = None,
        filter_mcp_server_url: str | None = None,
        search: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListMcpConfigsResponse:
        """One page of MCP configurations, optionally filtered (see ``client.mcp.list_configs``).

        Returns:
            The page: ``configs`` and ``next_page_token``.

        Raises:
            BadRequestError: a filter or the page token is invalid.
        """
        return await self._facades.mcp.list_configs(
            filter_id=filter_id,
            filter_name=filter_name,
            filter_provider=filter_provider,
            filter_mcp_server_url=filter_mcp_server_url,
            search=search,
            page_size=page_size,
            page_token=page_token,
            timeout=timeout,
            retry=retry,
        )

    async def update_config(
        self,
        *,
        config_id: str,
        description: str | None = None,
        connection_tool_mappings: Sequence[pb.McpConfigConnectionToolMapping] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.McpConfig:
        """Change an MCP configuration's description and/or tool mappings.

        Returns:
            The updated configuration.

        Raises:
            NotFoundError: no such configuration.
        """
        return await self._facades.mcp.update_config(
            config_id,
            description=description,
            connection_tool_mappings=connection_tool_mappings,
            timeout=timeout,
            retry=retry,
        )

    async def delete_config(
        self, *, config_id: str, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.DeleteMcpConfigResponse:
        """Delete an MCP configuration.

        Raises:
            NotFoundError: no such configuration.
        """
        return await self._facades.mcp.delete_config(config_id, timeout=timeout, retry=retry)

    async def ensure_instance(
        self,
        *,
        config_name: str,
        user_identifier: str,
        name: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.McpInstance:
        """The user's MCP instance of a configuration, created when it does not exist yet.

        Args:
            config_name: the configuration's name.
            user_identifier: the user's identifier (the connected accounts' identifier).
            name: a name for a new instance.
            timeout: seconds for the call. retry: retry policy.

        Returns:
            The instance (with its server URL).

        Raises:
            NotFoundError: no such configuration.
        """
        return await self._facades.mcp.ensure_instance(
            config_name, user_identifier, name=name, timeout=timeout, retry=retry
        )

    async def get_instance(
        self, *, instance_id: str, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.McpInstance:
        """An MCP instance by id.

        Raises:
            NotFoundError: no such instance.
        """
        return await self._facades.mcp.get_instance(instance_id, timeout=timeout, retry=retry)

    async def list_instances(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        filter_id: str | None = None,
        filter_name: str | None = None,
        filter_config_name: str | None = None,
        filter_user_identifier: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListMcpInstancesResponse:
        """One page of MCP instances, optionally filtered.

        Returns:
            The page: ``instances`` and ``next_page_token``.

        Raises:
            BadRequestError: a filter or the page token is invalid.
        """
        return await self._facades.mcp.list_instances(
            filter_id=filter_id,
            filter_name=filter_name,
            filter_config_name=filter_config_name,
            filter_user_identifier=filter_user_identifier,
            page_size=page_size,
            page_token=page_token,
            timeout=timeout,
            retry=retry,
        )

    async def update_instance(
        self,
        *,
        instance_id: str,
        name: str | None = None,
        config_name: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.McpInstance:
        """Rename an MCP instance or move it to another configuration.

        Raises:
            NotFoundError: no such instance or configuration.
        """
        return await self._facades.mcp.update_instance(
            instance_id, name=name, config_name=config_name, timeout=timeout, retry=retry
        )

    async def delete_instance(
        self, *, instance_id: str, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.DeleteMcpInstanceResponse:
        """Delete an MCP instance.

        Raises:
            NotFoundError: no such instance.
        """
        return await self._facades.mcp.delete_instance(instance_id, timeout=timeout, retry=retry)

    async def get_instance_auth_state(
        self,
        *,
        instance_id: str,
        include_auth_links: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.GetMcpInstanceAuthStateResponse:
        """Whether the user has authorized each connection an MCP instance uses.

        Args:
            instance_id: the instance.
            include_auth_links: also return a fresh authorization link per connection.
            timeout: seconds for the call. retry: retry policy.

        Returns:
            The per-connection states (and links).

        Raises:
            NotFoundError: no such instance.
        """
        return await self._facades.mcp.get_instance_auth_state(
            instance_id, include_auth_links=include_auth_links, timeout=timeout, retry=retry
        )
