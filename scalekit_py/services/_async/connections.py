"""Connections (SSO, social, passwordless): organization connections, listings and search.

Environment-level connections and test results are in
:mod:`scalekit_py.services._async._environment_connections`; both are on
:class:`AsyncConnectionService` (``client.connection``).
"""

from __future__ import annotations

from collections.abc import Sequence

from scalekit_api.v1.connections import connections_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._environment_connections import _AsyncEnvironmentConnectionMethods
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import connections as rpcs

__all__ = ["AsyncConnectionService"]


class AsyncConnectionService(_AsyncEnvironmentConnectionMethods):
    """``client.connection``: the RPCs of ``scalekit.v1.connections.ConnectionService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_connection(
        self,
        organization_id: str,
        *,
        connection: pb.CreateConnection,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Connection:
        """Create an SSO connection for an organization.

        Args:
            organization_id: the organization's id.
            connection: provider (e.g. ``OKTA``) and type (e.g. ``SAML``) of the connection.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new connection (disabled until configured and enabled).

        Raises:
            NotFoundError: no such organization.
            BadRequestError: the provider or type is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> conn = await client.connection.create_connection(
            ...     "org_1",
            ...     connection=CreateConnection(provider=ConnectionProvider.OKTA, type=ConnectionType.SAML))
        """
        request = pb.CreateConnectionRequest(organization_id=organization_id, connection=connection)
        response = await self._caller.call(rpcs.CREATE_CONNECTION, request, timeout=timeout, retry=retry)
        return response.connection

    async def assign_domains_to_connection(
        self,
        organization_id: str,
        connection_id: str,
        *,
        domain_ids: Sequence[str],
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Connection:
        """Route sign-ins from some of the organization's domains to this connection.

        Args:
            organization_id: the organization's id.
            connection_id: the connection's id.
            domain_ids: ids of the organization's domains (replaces the current assignment).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The connection with its domains.

        Raises:
            NotFoundError: no such organization, connection or domain.
            APIError: any other error reported by the service.

        Example:
            >>> conn = await client.connection.assign_domains_to_connection(
            ...     "org_1", "conn_1", domain_ids=["dom_1"])
        """
        request = pb.AssignDomainsToConnectionRequest(
            organization_id=organization_id, connection_id=connection_id, domain_ids=domain_ids
        )
        response = await self._caller.call(
            rpcs.ASSIGN_DOMAINS_TO_CONNECTION, request, timeout=timeout, retry=retry
        )
        return response.connection

    async def get_connection(
        self,
        organization_id: str,
        connection_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Connection:
        """Fetch one connection of an organization.

        Args:
            organization_id: the organization's id.
            connection_id: the connection's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The connection.

        Raises:
            NotFoundError: no such organization or connection.
            APIError: any other error reported by the service.

        Example:
            >>> conn = await client.connection.get_connection("org_1", "conn_1")
        """
        request = pb.GetConnectionRequest(organization_id=organization_id, id=connection_id)
        response = await self._caller.call(rpcs.GET_CONNECTION, request, timeout=timeout, retry=retry)
        return response.connection

    async def list_connections(
        self,
        organization_id: str | None = None,
        *,
        domain: str | None = None,
        include: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListConnectionsResponse:
        """List the connections of an organization, or those that serve an email domain.

        Args:
            organization_id: only this organization's connections.
            domain: only connections assigned to this domain (e.g. ``acme.com``).
            include: which connections to include (e.g. ``all`` for disabled ones too).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``connections`` holds the list.

        Raises:
            BadRequestError: neither ``organization_id`` nor ``domain`` was given.
            APIError: any other error reported by the service.

        Example:
            >>> conns = (await client.connection.list_connections("org_1")).connections
        """
        request = fill(
            pb.ListConnectionsRequest(), organization_id=organization_id, domain=domain, include=include
        )
        return await self._caller.call(rpcs.LIST_CONNECTIONS, request, timeout=timeout, retry=retry)

    async def list_connections_by_domain(
        self,
        domain: str,
        *,
        include: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListConnectionsResponse:
        """The connections that serve an email domain; same as ``list_connections(domain=...)``.

        Example:
            >>> conns = (await client.connection.list_connections_by_domain("acme.com")).connections
        """
        return await self.list_connections(domain=domain, include=include, timeout=timeout, retry=retry)

    async def list_organization_connections(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListOrganizationConnectionsResponse:
        """Fetch one page of the connections of all organizations.

        Args:
            page_size: connections per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``connections``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the page token or size is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.connection.list_organization_connections(page_size=20)
        """
        request = fill(pb.ListOrganizationConnectionsRequest(), page_size=page_size, page_token=page_token)
        return await self._caller.call(
            rpcs.LIST_ORGANIZATION_CONNECTIONS, request, timeout=timeout, retry=retry
        )

    def iter_organization_connections(
        self,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListOrganizationConnectionsResponse, pb.ListConnection]:
        """Iterate over the connections of all organizations, fetching pages lazily.

        Args:
            page_size: connections per page (``None``: the service's default).
            limit: stop after this many connections (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``ListConnection`` messages.

        Example:
            >>> async for conn in client.connection.iter_organization_connections():
            ...     print(conn.id, conn.organization_id)
        """

        async def fetch(token: str, size: int) -> pb.ListOrganizationConnectionsResponse:
            return await self.list_organization_connections(
                page_size=size, page_token=token, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.connections,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListOrganizationConnectionsRequest),
        )

    async def search_organization_connections(
        self,
        *,
        query: str | None = None,
        provider: str | None = None,
        status: pb.ConnectionStatus.ValueType | None = None,
        connection_type: pb.ConnectionType.ValueType | None = None,
        enabled: bool | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.SearchOrganizationConnectionsResponse:
        """Fetch one page of organization connections matching filters.

        Args:
            query: text matched against connection and organization names and ids.
            provider: only this provider (e.g. ``OKTA``).
            status: only connections in this configuration status.
            connection_type: only this type (e.g. ``SAML``).
            enabled: only enabled (``True``) or disabled (``False``) connections.
            page_size: connections per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``connections``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: a filter or the page token is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.connection.search_organization_connections(enabled=True)
        """
        request = fill(
            pb.SearchOrganizationConnectionsRequest(),
            query=query,
            provider=provider,
            status=status,
            connection_type=connection_type,
            enabled=enabled,
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(
            rpcs.SEARCH_ORGANIZATION_CONNECTIONS, request, timeout=timeout, retry=retry
        )

    def iter_search_organization_connections(
        self,
        *,
        query: str | None = None,
        provider: str | None = None,
        status: pb.ConnectionStatus.ValueType | None = None,
        connection_type: pb.ConnectionType.ValueType | None = None,
        enabled: bool | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.SearchOrganizationConnectionsResponse, pb.ListConnection]:
        """Iterate over the organization connections matching filters, fetching pages lazily.

        Args:
            query: text matched against connection and organization names and ids.
            provider: only this provider (e.g. ``OKTA``).
            status: only connections in this configuration status.
            connection_type: only this type (e.g. ``SAML``).
            enabled: only enabled (``True``) or disabled (``False``) connections.
            page_size: connections per page (``None``: the service's default).
            limit: stop after this many connections (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``ListConnection`` messages.

        Example:
            >>> async for conn in client.connection.iter_search_organization_connections(query="okta"):
            ...     print(conn.id)
        """

        async def fetch(token: str, size: int) -> pb.SearchOrganizationConnectionsResponse:
            return await self.search_organization_connections(
                query=query,
                provider=provider,
                status=status,
                connection_type=connection_type,
                enabled=enabled,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.connections,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.SearchOrganizationConnectionsRequest),
        )

    async def update_connection(
        self,
        organization_id: str,
        connection_id: str,
        *,
        connection: pb.UpdateConnection,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Connection:
        """Change the settings of an organization's connection (e.g. its SAML or OIDC configuration).

        Args:
            organization_id: the organization's id.
            connection_id: the connection's id.
            connection: the new settings.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated connection.

        Raises:
            NotFoundError: no such organization or connection.
            BadRequestError: the settings are invalid.
            APIError: any other error reported by the service.

        Example:
            >>> conn = await client.connection.update_connection(
            ...     "org_1", "conn_1", connection=UpdateConnection(oidc_config=OIDCConnectionConfig(...)))
        """
        request = pb.UpdateConnectionRequest(
            organization_id=organization_id, id=connection_id, connection=connection
        )
        response = await self._caller.call(rpcs.UPDATE_CONNECTION, request, timeout=timeout, retry=retry)
        return response.connection

    async def delete_connection(
        self,
        organization_id: str,
        connection_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Delete a connection of an organization.

        Args:
            organization_id: the organization's id.
            connection_id: the connection's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such organization or connection.
            APIError: any other error reported by the service.

        Example:
            >>> await client.connection.delete_connection("org_1", "conn_1")
        """
        request = pb.DeleteConnectionRequest(organization_id=organization_id, id=connection_id)
        await self._caller.call(rpcs.DELETE_CONNECTION, request, timeout=timeout, retry=retry)

    async def enable_connection(
        self,
        organization_id: str,
        connection_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ToggleConnectionResponse:
        """Enable a connection of an organization so its users can sign in with it.

        Args:
            organization_id: the organization's id.
            connection_id: the connection's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``enabled`` and, when it could not be enabled, ``error_message``.

        Raises:
            NotFoundError: no such organization or connection.
            APIError: any other error reported by the service.

        Example:
            >>> result = await client.connection.enable_connection("org_1", "conn_1")
        """
        request = pb.ToggleConnectionRequest(organization_id=organization_id, id=connection_id)
        return await self._caller.call(rpcs.ENABLE_CONNECTION, request, timeout=timeout, retry=retry)

    async def disable_connection(
        self,
        organization_id: str,
        connection_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ToggleConnectionResponse:
        """Disable a connection of an organization.

        Args:
            organization_id: the organization's id.
            connection_id: the connection's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``enabled`` (now false) and, when it could not be disabled, ``error_message``.

        Raises:
            NotFoundError: no such organization or connection.
            APIError: any other error reported by the service.

        Example:
            >>> result = await client.connection.disable_connection("org_1", "conn_1")
        """
        request = pb.ToggleConnectionRequest(organization_id=organization_id, id=connection_id)
        return await self._caller.call(rpcs.DISABLE_CONNECTION, request, timeout=timeout, retry=retry)
