"""MCP instances: a configuration bound to one user identifier, and its auth state.

Part of :class:`~scalekit_py.services._async.mcp.AsyncMcpService` (``client.mcp``); kept here so
each module stays small.
"""

from __future__ import annotations

from scalekit_api.v1.mcp import mcp_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import mcp as rpcs


class _AsyncMcpInstances:
    """Mixed into the facade class, which sets ``_caller``."""

    _caller: AsyncCaller

    async def ensure_instance(
        self,
        config_name: str,
        user_identifier: str,
        *,
        name: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.McpInstance:
        """The instance of a configuration for a user, created when it does not exist yet.

        Args:
            config_name: the configuration's name.
            user_identifier: the user's identifier (their connected accounts back the tools).
            name: the instance's name (default: derived from the configuration and user).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The instance, with its ``url``.

        Raises:
            NotFoundError: no such configuration.
            APIError: any other error reported by the service.

        Example:
            >>> inst = await client.mcp.ensure_instance("notes-bot", "user_1")
        """
        request = fill(
            pb.EnsureMcpInstanceRequest(config_name=config_name, user_identifier=user_identifier), name=name
        )
        response = await self._caller.call(rpcs.ENSURE_MCP_INSTANCE, request, timeout=timeout, retry=retry)
        return response.instance

    async def list_instances(
        self,
        *,
        filter_id: str | None = None,
        filter_name: str | None = None,
        filter_config_name: str | None = None,
        filter_user_identifier: str | None = None,
        search: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListMcpInstancesResponse:
        """Fetch one page of MCP instances.

        Args:
            filter_id: only the instance of this id.
            filter_name: only the instance of this name.
            filter_config_name: only instances of this configuration.
            filter_user_identifier: only instances of this user.
            search: text matched against instance names.
            page_size: instances per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``instances``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the token is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.mcp.list_instances(filter_user_identifier="user_1")
        """
        body = fill(
            pb.ListMcpInstancesRequest.Filter(),
            id=filter_id,
            name=filter_name,
            config_name=filter_config_name,
            user_identifier=filter_user_identifier,
        )
        request = fill(
            pb.ListMcpInstancesRequest(filter=body), search=search, page_size=page_size, page_token=page_token
        )
        return await self._caller.call(rpcs.LIST_MCP_INSTANCES, request, timeout=timeout, retry=retry)

    def iter_instances(
        self,
        *,
        filter_id: str | None = None,
        filter_name: str | None = None,
        filter_config_name: str | None = None,
        filter_user_identifier: str | None = None,
        search: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListMcpInstancesResponse, pb.McpInstance]:
        """Iterate over MCP instances, fetching pages lazily (filters as :meth:`list_instances`).

        Args:
            filter_id: only the instance of this id.
            filter_name: only the instance of this name.
            filter_config_name: only instances of this configuration.
            filter_user_identifier: only instances of this user.
            search: text matched against instance names.
            page_size: instances per page (``None``: the service's default).
            limit: stop after this many instances (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``McpInstance`` messages.

        Example:
            >>> async for inst in client.mcp.iter_instances(filter_config_name="notes-bot"):
            ...     print(inst.user_identifier, inst.url)
        """

        async def fetch(token: str, size: int) -> pb.ListMcpInstancesResponse:
            return await self.list_instances(
                filter_id=filter_id,
                filter_name=filter_name,
                filter_config_name=filter_config_name,
                filter_user_identifier=filter_user_identifier,
                search=search,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.instances,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListMcpInstancesRequest),
        )

    async def delete_instance(
        self,
        instance_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.DeleteMcpInstanceResponse:
        """Delete an MCP instance.

        Args:
            instance_id: the instance's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The (empty) response.

        Raises:
            NotFoundError: no such instance.
            APIError: any other error reported by the service.

        Example:
            >>> await client.mcp.delete_instance("inst_1")
        """
        request = pb.DeleteMcpInstanceRequest(instance_id=instance_id)
        return await self._caller.call(rpcs.DELETE_MCP_INSTANCE, request, timeout=timeout, retry=retry)

    async def update_instance(
        self,
        instance_id: str,
        *,
        name: str | None = None,
        config_name: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.McpInstance:
        """Rename an MCP instance or move it to another configuration.

        Args:
            instance_id: the instance's id.
            name: the new name.
            config_name: the name of the configuration to use from now on.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated instance.

        Raises:
            NotFoundError: no such instance or configuration.
            APIError: any other error reported by the service.

        Example:
            >>> inst = await client.mcp.update_instance("inst_1", name="jane-notes")
        """
        request = fill(
            pb.UpdateMcpInstanceRequest(instance_id=instance_id), name=name, config_name=config_name
        )
        response = await self._caller.call(rpcs.UPDATE_MCP_INSTANCE, request, timeout=timeout, retry=retry)
        return response.instance

    async def get_instance(
        self,
        instance_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.McpInstance:
        """Fetch an MCP instance.

        Args:
            instance_id: the instance's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The instance.

        Raises:
            NotFoundError: no such instance.
            APIError: any other error reported by the service.

        Example:
            >>> inst = await client.mcp.get_instance("inst_1")
        """
        request = pb.GetMcpInstanceRequest(instance_id=instance_id)
        response = await self._caller.call(rpcs.GET_MCP_INSTANCE, request, timeout=timeout, retry=retry)
        return response.instance

    async def get_instance_auth_state(
        self,
        instance_id: str,
        *,
        include_auth_links: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.GetMcpInstanceAuthStateResponse:
        """The state of the user's connected account on each connection of an instance.

        Args:
            instance_id: the instance's id.
            include_auth_links: ``True``: add an authentication link per connection.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``connections`` holds one auth state per connection.

        Raises:
            NotFoundError: no such instance.
            APIError: any other error reported by the service.

        Example:
            >>> states = (await client.mcp.get_instance_auth_state("inst_1")).connections
        """
        request = fill(
            pb.GetMcpInstanceAuthStateRequest(instance_id=instance_id), include_auth_links=include_auth_links
        )
        return await self._caller.call(
            rpcs.GET_MCP_INSTANCE_AUTH_STATE, request, timeout=timeout, retry=retry
        )
