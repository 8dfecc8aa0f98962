"""Environment-level connections (not tied to one organization), app connections, test results.

These methods are part of :class:`~scalekit_py.services._async.connections.AsyncConnectionService`
(``client.connection``); they live here to keep each module small.
"""

from __future__ import annotations

from scalekit_api.v1.connections import connections_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import connections as rpcs


class _AsyncEnvironmentConnectionMethods:
    _caller: AsyncCaller

    async def create_environment_connection(
        self,
        *,
        connection: pb.CreateConnection,
        flags: pb.Flags | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Connection:
        """Create a connection for the whole environment (e.g. a social login or passwordless).

        Args:
            connection: provider, type and settings of the new connection.
            flags: whether it is used for login (``is_login``) and/or apps (``is_app``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new connection.

        Raises:
            BadRequestError: the provider or type is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> conn = await client.connection.create_environment_connection(
            ...     connection=CreateConnection(provider=ConnectionProvider.GOOGLE,
            ...                                 type=ConnectionType.OAUTH))
        """
        request = fill(pb.CreateEnvironmentConnectionRequest(connection=connection), flags=flags)
        response = await self._caller.call(
            rpcs.CREATE_ENVIRONMENT_CONNECTION, request, timeout=timeout, retry=retry
        )
        return response.connection

    async def get_environment_connection(
        self, connection_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.Connection:
        """Fetch one environment-level connection.

        Args:
            connection_id: the connection's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The connection.

        Raises:
            NotFoundError: no such connection.
            APIError: any other error reported by the service.

        Example:
            >>> conn = await client.connection.get_environment_connection("conn_1")
        """
        request = pb.GetEnvironmentConnectionRequest(connection_id=connection_id)
        response = await self._caller.call(
            rpcs.GET_ENVIRONMENT_CONNECTION, request, timeout=timeout, retry=retry
        )
        return response.connection

    async def update_environment_connection(
        self,
        connection_id: str,
        *,
        connection: pb.UpdateConnection,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Connection:
        """Change the settings of an environment-level connection.

        Args:
            connection_id: the connection's id.
            connection: the new settings.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated connection.

        Raises:
            NotFoundError: no such connection.
            APIError: any other error reported by the service.

        Example:
            >>> conn = await client.connection.update_environment_connection(
            ...     "conn_1", connection=UpdateConnection(key_id="my-google"))
        """
        request = pb.UpdateEnvironmentConnectionRequest(connection_id=connection_id, connection=connection)
        response = await self._caller.call(
            rpcs.UPDATE_ENVIRONMENT_CONNECTION, request, timeout=timeout, retry=retry
        )
        return response.connection

    async def delete_environment_connection(
        self, connection_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> None:
        """Delete an environment-level connection.

        Args:
            connection_id: the connection's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such connection.
            APIError: any other error reported by the service.

        Example:
            >>> await client.connection.delete_environment_connection("conn_1")
        """
        request = pb.DeleteEnvironmentConnectionRequest(connection_id=connection_id)
        await self._caller.call(rpcs.DELETE_ENVIRONMENT_CONNECTION, request, timeout=timeout, retry=retry)

    async def enable_environment_connection(
        self, connection_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ToggleConnectionResponse:
        """Enable an environment-level connection so users can sign in with it.

        Args:
            connection_id: the connection's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``enabled`` and, when it could not be enabled, ``error_message``.

        Raises:
            NotFoundError: no such connection.
            APIError: any other error reported by the service.

        Example:
            >>> result = await client.connection.enable_environment_connection("conn_1")
        """
        request = pb.ToggleEnvironmentConnectionRequest(connection_id=connection_id)
        return await self._caller.call(
            rpcs.ENABLE_ENVIRONMENT_CONNECTION, request, timeout=timeout, retry=retry
        )

    async def disable_environment_connection(
        self, connection_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ToggleConnectionResponse:
        """Disable an environment-level connection.

        Args:
            connection_id: the connection's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``enabled`` (now false) and, when it could not be disabled, ``error_message``.

        Raises:
            NotFoundError: no such connection.
            APIError: any other error reported by the service.

        Example:
            >>> result = await client.connection.disable_environment_connection("conn_1")
        """
        request = pb.ToggleEnvironmentConnectionRequest(connection_id=connection_id)
        return await self._caller.call(
            rpcs.DISABLE_ENVIRONMENT_CONNECTION, request, timeout=timeout, retry=retry
        )

    async def get_connection_test_result(
        self,
        connection_id: str,
        test_request_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.GetConnectionTestResultResponse:
        """Fetch the outcome of a test sign-in through a connection.

        Args:
            connection_id: the connection's id.
            test_request_id: the id of the test request.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``status`` (``PENDING``, ``SUCCESS``, ``FAILURE``) with the user info or error details.

        Raises:
            NotFoundError: no such connection or test request.
            APIError: any other error reported by the service.

        Example:
            >>> result = await client.connection.get_connection_test_result("conn_1", "test_1")
        """
        request = pb.GetConnectionTestResultRequest(
            connection_id=connection_id, test_request_id=test_request_id
        )
        return await self._caller.call(rpcs.GET_CONNECTION_TEST_RESULT, request, timeout=timeout, retry=retry)

    async def list_app_connections(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        provider: str | None = None,
        query: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListAppConnectionsResponse:
        """Fetch one page of the environment's app connections (connections used by apps and agents).

        Args:
            page_size: connections per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            provider: only this provider.
            query: text matched against connection names.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``connections``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the page token or size is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.connection.list_app_connections(provider="GOOGLE")
        """
        request = fill(
            pb.ListAppConnectionsRequest(),
            page_size=page_size,
            page_token=page_token,
            provider=provider,
            query=query,
        )
        return await self._caller.call(rpcs.LIST_APP_CONNECTIONS, request, timeout=timeout, retry=retry)

    def iter_app_connections(
        self,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        provider: str | None = None,
        query: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListAppConnectionsResponse, pb.ListConnection]:
        """Iterate over the environment's app connections, fetching pages lazily.

        Args:
            page_size: connections per page (``None``: the service's default).
            limit: stop after this many connections (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            provider: only this provider.
            query: text matched against connection names.
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``ListConnection`` messages.

        Example:
            >>> async for conn in client.connection.iter_app_connections():
            ...     print(conn.id)
        """

        async def fetch(token: str, size: int) -> pb.ListAppConnectionsResponse:
            return await self.list_app_connections(
                page_size=size, page_token=token, provider=provider, query=query, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.connections,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListAppConnectionsRequest),
        )
