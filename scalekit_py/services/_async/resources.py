"""API resources (e.g. MCP servers) of an environment and their connections.

A resource's clients (credentials that get tokens for it) and the consents users gave them are in
:mod:`scalekit_py.services._async._resource_clients`; both are on :class:`AsyncResourceService`
(``client.resources``).
"""

from __future__ import annotations

from collections.abc import Sequence

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._async._resource_clients import _AsyncResourceClientMethods
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import resources as rpcs

__all__ = ["AsyncResourceService"]


class AsyncResourceService(_AsyncResourceClientMethods):
    """``client.resources``: API resources, their clients and user consents (``ClientService``)."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_resource(
        self,
        resource: pb.CreateResource | None = None,
        *,
        resource_type: pb.ResourceType.ValueType | None = None,
        name: str | None = None,
        description: str | None = None,
        resource_uri: str | None = None,
        access_token_expiry: int | None = None,
        refresh_token_expiry: int | None = None,
        scopes: Sequence[str] | None = None,
        provider: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Resource:
        """Register an API resource (e.g. an MCP server) that clients get tokens for.

        Args:
            resource: a prebuilt ``CreateResource`` message; the keywords override its fields.
            resource_type: ``clients_pb2.MCP_SERVER``, ``WEB``, ``SERVER``, ...
            name: the resource's name (required).
            description: what the resource is.
            resource_uri: the resource's URI; the ``aud`` of tokens issued for it.
            access_token_expiry: lifetime of its access tokens, in seconds.
            refresh_token_expiry: lifetime of its refresh tokens, in seconds.
            scopes: the scopes the resource defines.
            provider: the identity provider that authenticates its users.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new resource.

        Raises:
            BadRequestError: a field is missing or invalid.
            ConflictError: a resource with this URI exists.
            APIError: any other error reported by the service.

        Example:
            >>> res = await client.resources.create_resource(
            ...     resource_type=clients_pb2.MCP_SERVER, name="Docs", resource_uri="https://mcp.example.com"
            ... )
        """
        body = fill(
            merged(resource, pb.CreateResource),
            resource_type=resource_type,
            name=name,
            description=description,
            resource_uri=resource_uri,
            access_token_expiry=access_token_expiry,
            refresh_token_expiry=refresh_token_expiry,
            scopes=scopes,
            provider=provider,
        )
        request = pb.CreateResourceRequest(resource=body)
        response = await self._caller.call(rpcs.CREATE_RESOURCE, request, timeout=timeout, retry=retry)
        return response.resource

    async def get_resource(
        self, resource_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.Resource:
        """Fetch one resource.

        Args:
            resource_id: the resource's id (``res_...``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The resource.

        Raises:
            NotFoundError: no such resource.
            APIError: any other error reported by the service.

        Example:
            >>> res = await client.resources.get_resource("res_1")
        """
        request = pb.GetResourceRequest(resource_id=resource_id)
        response = await self._caller.call(rpcs.GET_RESOURCE, request, timeout=timeout, retry=retry)
        return response.resource

    async def list_resources(
        self,
        resource_type: pb.ResourceType.ValueType,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListResourcesResponse:
        """Fetch one page of the environment's resources of one type.

        Args:
            resource_type: the type to list (the API lists one type at a time).
            page_size: resources per page (at most 30; ``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``resources``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the type is missing, or the page token or size is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.resources.list_resources(clients_pb2.MCP_SERVER)
        """
        request = fill(
            pb.ListResourcesRequest(resource_type=resource_type), page_size=page_size, page_token=page_token
        )
        return await self._caller.call(rpcs.LIST_RESOURCES, request, timeout=timeout, retry=retry)

    def iter_resources(
        self,
        resource_type: pb.ResourceType.ValueType,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListResourcesResponse, pb.Resource]:
        """Iterate over the environment's resources of one type, fetching pages lazily.

        Args:
            resource_type: the type to list.
            page_size: resources per page (``None``: the service's default).
            limit: stop after this many resources (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``Resource`` messages.

        Example:
            >>> async for res in client.resources.iter_resources(clients_pb2.MCP_SERVER):
            ...     print(res.name)
        """

        async def fetch(token: str, size: int) -> pb.ListResourcesResponse:
            return await self.list_resources(
                resource_type, page_size=size, page_token=token, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.resources,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListResourcesRequest),
        )

    async def update_resource(
        self,
        resource_id: str,
        resource: pb.UpdateResource | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        resource_uri: str | None = None,
        access_token_expiry: int | None = None,
        refresh_token_expiry: int | None = None,
        scopes: Sequence[str] | None = None,
        provider: str | None = None,
        update_mask: Sequence[str] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Resource:
        """Change a resource.

        Args:
            resource_id: the resource's id.
            resource: a prebuilt ``UpdateResource`` message; the keywords override its fields.
            name: new name.
            description: new description.
            resource_uri: new URI.
            access_token_expiry: new access-token lifetime, in seconds.
            refresh_token_expiry: new refresh-token lifetime, in seconds.
            scopes: new scopes (replace the old ones).
            provider: new identity provider.
            update_mask: field paths to update (``None``: every field that is set).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated resource.

        Raises:
            NotFoundError: no such resource.
            BadRequestError: a field is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> res = await client.resources.update_resource("res_1", description="Docs search")
        """
        body = fill(
            merged(resource, pb.UpdateResource),
            name=name,
            description=description,
            resource_uri=resource_uri,
            access_token_expiry=access_token_expiry,
            refresh_token_expiry=refresh_token_expiry,
            scopes=scopes,
            provider=provider,
        )
        request = fill(
            pb.UpdateResourceRequest(resource_id=resource_id, resource=body), update_mask=update_mask
        )
        response = await self._caller.call(rpcs.UPDATE_RESOURCE, request, timeout=timeout, retry=retry)
        return response.resource

    async def delete_resource(
        self, resource_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> None:
        """Delete a resource with its clients and consents; their credentials stop working.

        Args:
            resource_id: the resource's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such resource.
            APIError: any other error reported by the service.

        Example:
            >>> await client.resources.delete_resource("res_1")
        """
        request = pb.DeleteResourceRequest(resource_id=resource_id)
        await self._caller.call(rpcs.DELETE_RESOURCE, request, timeout=timeout, retry=retry)

    async def delete_resource_provider(
        self, resource_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.Resource:
        """Detach the identity provider of a resource (and its connection).

        Args:
            resource_id: the resource's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The resource, without a provider.

        Raises:
            NotFoundError: no such resource.
            APIError: any other error reported by the service.

        Example:
            >>> res = await client.resources.delete_resource_provider("res_1")
        """
        request = pb.DeleteResourceProviderRequest(resource_id=resource_id)
        response = await self._caller.call(
            rpcs.DELETE_RESOURCE_PROVIDER, request, timeout=timeout, retry=retry
        )
        return response.resource

    async def ensure_resource_connection(
        self, resource_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ResourceConnection:
        """Make sure a resource has its connection (created on first call, returned afterwards).

        Args:
            resource_id: the resource's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The resource's connection.

        Raises:
            NotFoundError: no such resource.
            APIError: any other error reported by the service.

        Example:
            >>> conn = await client.resources.ensure_resource_connection("res_1")
        """
        request = pb.EnsureResourceConnectionRequest(resource_id=resource_id)
        response = await self._caller.call(
            rpcs.ENSURE_RESOURCE_CONNECTION, request, timeout=timeout, retry=retry
        )
        return response.connection
