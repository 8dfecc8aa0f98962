"""Environment clients (the environment's API credentials), their secrets, and its login URIs.

Secrets are returned in plain text once, when created; later reads show only ``secret_suffix``.
``create_client_secret`` / ``delete_client_secret`` also serve resource clients: the official SDK's
``resources.create_resource_client_secret`` / ``delete_resource_client_secret`` call the same RPCs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._client_bodies import claims
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import clients as rpcs

__all__ = ["AsyncClientService"]


class AsyncClientService:
    """``client.clients``: environment clients, secrets and login URIs of ``ClientService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def list_clients(
        self,
        *,
        client_types: Sequence[str] | None = None,
        include_plain_secret: bool | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListClientsResponse:
        """Fetch one page of the environment's clients.

        Args:
            client_types: only clients of these types.
            include_plain_secret: ask for plain secrets (the service shows them only where it keeps them).
            page_size: clients per page (at most 30; ``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``clients``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the page token or size is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.clients.list_clients(page_size=10)
        """
        request = fill(
            pb.ListClientsRequest(),
            include_plain_secret=include_plain_secret,
            filter=None if client_types is None else pb.ListClientsRequest.Filter(client_type=client_types),
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.LIST_CLIENTS, request, timeout=timeout, retry=retry)

    def iter_clients(
        self,
        *,
        client_types: Sequence[str] | None = None,
        include_plain_secret: bool | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListClientsResponse, pb.Client]:
        """Iterate over the environment's clients, fetching pages lazily.

        Args:
            client_types: only clients of these types.
            include_plain_secret: ask for plain secrets.
            page_size: clients per page (``None``: the service's default).
            limit: stop after this many clients (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``Client`` messages.

        Example:
            >>> async for c in client.clients.iter_clients():
            ...     print(c.id)
        """

        async def fetch(token: str, size: int) -> pb.ListClientsResponse:
            return await self.list_clients(
                client_types=client_types,
                include_plain_secret=include_plain_secret,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.clients,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListClientsRequest),
        )

    async def create_client(
        self,
        client: pb.CreateClient | None = None,
        *,
        name: str | None = None,
        client_type: str | None = None,
        scopes: Sequence[str] | None = None,
        custom_claims: Mapping[str, str] | None = None,
        access_token_expiry: int | None = None,
        grant_types: Sequence[str] | None = None,
        post_logout_redirect_uris: Sequence[str] | None = None,
        initiate_login_uri: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Client:
        """Create an environment client (create its first secret with :meth:`create_client_secret`).

        Args:
            client: a prebuilt ``CreateClient`` message; the keywords override its fields.
            name: the client's name (required).
            client_type: the client's type (required), e.g. ``"API"``.
            scopes: scopes granted to the client's tokens.
            custom_claims: extra claims put in the client's tokens (name -> value).
            access_token_expiry: lifetime of the client's access tokens, in seconds.
            grant_types: the OAuth grants the client may use.
            post_logout_redirect_uris: where the browser may go after logout.
            initiate_login_uri: the application's login-start URL.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new client.

        Raises:
            BadRequestError: a field is missing or invalid.
            APIError: any other error reported by the service.

        Example:
            >>> c = await client.clients.create_client(name="backend", client_type="API")
        """
        body = fill(
            merged(client, pb.CreateClient),
            name=name,
            client_type=client_type,
            scopes=scopes,
            custom_claims=claims(custom_claims),
            access_token_expiry=access_token_expiry,
            grant_types=grant_types,
            post_logout_redirect_uris=post_logout_redirect_uris,
            initiate_login_uri=initiate_login_uri,
        )
        request = pb.CreateClientRequest(client=body)
        response = await self._caller.call(rpcs.CREATE_CLIENT, request, timeout=timeout, retry=retry)
        return response.client

    async def get_client(
        self, client_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.Client:
        """Fetch one environment client (its secrets show only their suffix).

        Args:
            client_id: the client's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The client.

        Raises:
            NotFoundError: no such client.
            APIError: any other error reported by the service.

        Example:
            >>> c = await client.clients.get_client("skc_1")
        """
        request = pb.GetClientRequest(client_id=client_id)
        response = await self._caller.call(rpcs.GET_CLIENT, request, timeout=timeout, retry=retry)
        return response.client

    async def update_client(
        self,
        client_id: str,
        client: pb.UpdateClient | None = None,
        *,
        name: str | None = None,
        scopes: Sequence[str] | None = None,
        custom_claims: Mapping[str, str] | None = None,
        access_token_expiry: int | None = None,
        grant_types: Sequence[str] | None = None,
        post_logout_redirect_uris: Sequence[str] | None = None,
        initiate_login_uri: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Client:
        """Change an environment client; only the fields passed (or set in ``client``) change.

        Args:
            client_id: the client's id.
            client: a prebuilt ``UpdateClient`` message; the keywords override its fields.
            name: new name.
            scopes: new scopes.
            custom_claims: new custom claims.
            access_token_expiry: new access-token lifetime, in seconds.
            grant_types: new grant types.
            post_logout_redirect_uris: new post-logout redirect URIs.
            initiate_login_uri: new login-start URL.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated client.

        Raises:
            NotFoundError: no such client.
            BadRequestError: a field is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> c = await client.clients.update_client("skc_1", name="backend-v2")
        """
        body = fill(
            merged(client, pb.UpdateClient),
            name=name,
            scopes=scopes,
            custom_claims=claims(custom_claims),
            access_token_expiry=access_token_expiry,
            grant_types=grant_types,
            post_logout_redirect_uris=post_logout_redirect_uris,
            initiate_login_uri=initiate_login_uri,
        )
        request = pb.UpdateClientRequest(client_id=client_id, client=body)
        response = await self._caller.call(rpcs.UPDATE_CLIENT, request, timeout=timeout, retry=retry)
        return response.client

    async def delete_client(
        self, client_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> None:
        """Delete an environment client; its secrets stop working at once.

        Args:
            client_id: the client's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such client.
            APIError: any other error reported by the service.

        Example:
            >>> await client.clients.delete_client("skc_1")
        """
        request = pb.DeleteClientRequest(client_id=client_id)
        await self._caller.call(rpcs.DELETE_CLIENT, request, timeout=timeout, retry=retry)

    async def create_client_secret(
        self, client_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.CreateClientSecretResponse:
        """Add a secret to an environment client or a resource client.

        Args:
            client_id: the client's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``plain_secret`` (shown only this once) and ``secret``.

        Raises:
            NotFoundError: no such client.
            BadRequestError: the client already has as many secrets as allowed.
            APIError: any other error reported by the service.

        Example:
            >>> added = await client.clients.create_client_secret("skc_1")
        """
        request = pb.CreateClientSecretRequest(client_id=client_id)
        return await self._caller.call(rpcs.CREATE_CLIENT_SECRET, request, timeout=timeout, retry=retry)

    async def update_client_secret(
        self,
        client_id: str,
        secret_id: str,
        *,
        status: pb.ClientSecretStatus.ValueType | None = None,
        secret: pb.UpdateClientSecret | None = None,
        mask: Sequence[str] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ClientSecret:
        """Activate or deactivate a secret (an ``INACTIVE`` secret is refused at the token endpoint).

        Args:
            client_id: the client's id.
            secret_id: the secret's id.
            status: ``clients_pb2.ACTIVE`` or ``clients_pb2.INACTIVE``.
            secret: a prebuilt ``UpdateClientSecret`` message; ``status`` overrides its field.
            mask: field paths to update (``None``: the service's default).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The secret.

        Raises:
            NotFoundError: no such client or secret.
            APIError: any other error reported by the service.

        Example:
            >>> s = await client.clients.update_client_secret("skc_1", "sec_1", status=clients_pb2.INACTIVE)
        """
        body = fill(merged(secret, pb.UpdateClientSecret), status=status)
        request = fill(
            pb.UpdateClientSecretRequest(client_id=client_id, secret_id=secret_id, secret=body), mask=mask
        )
        response = await self._caller.call(rpcs.UPDATE_CLIENT_SECRET, request, timeout=timeout, retry=retry)
        return response.secret

    async def delete_client_secret(
        self,
        client_id: str,
        secret_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Delete a secret of an environment client or a resource client; it stops working at once.

        Args:
            client_id: the client's id.
            secret_id: the secret's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such client or secret.
            BadRequestError: it is the client's last secret.
            APIError: any other error reported by the service.

        Example:
            >>> await client.clients.delete_client_secret("skc_1", "sec_1")
        """
        request = pb.DeleteClientSecretRequest(client_id=client_id, secret_id=secret_id)
        await self._caller.call(rpcs.DELETE_CLIENT_SECRET, request, timeout=timeout, retry=retry)

    async def add_environment_redirect_uri(
        self, redirect_uri: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.EnvironmentLoginUrisResponse:
        """Allow a redirect URI for the environment's logins.

        Args:
            redirect_uri: the URI to allow.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The environment's login URIs after the change.

        Raises:
            BadRequestError: the URI is empty or too long.
            APIError: any other error reported by the service.

        Example:
            >>> uris = await client.clients.add_environment_redirect_uri("https://app.example.com/cb")
        """
        request = pb.AddEnvironmentRedirectUriRequest(redirect_uri=redirect_uri)
        return await self._caller.call(
            rpcs.ADD_ENVIRONMENT_REDIRECT_URI, request, timeout=timeout, retry=retry
        )

    async def remove_environment_redirect_uri(
        self, redirect_uri: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.EnvironmentLoginUrisResponse:
        """Stop allowing a redirect URI for the environment's logins.

        Args:
            redirect_uri: the URI to remove.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The environment's login URIs after the change.

        Raises:
            NotFoundError: the URI is not allowed now.
            APIError: any other error reported by the service.

        Example:
            >>> uris = await client.clients.remove_environment_redirect_uri("https://app.example.com/cb")
        """
        request = pb.RemoveEnvironmentRedirectUriRequest(redirect_uri=redirect_uri)
        return await self._caller.call(
            rpcs.REMOVE_ENVIRONMENT_REDIRECT_URI, request, timeout=timeout, retry=retry
        )

    async def set_environment_initiate_login_uri(
        self, initiate_login_uri: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.EnvironmentLoginUrisResponse:
        """Set the environment's login-start URL (where IdP-initiated logins begin).

        Args:
            initiate_login_uri: the URL.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The environment's login URIs after the change.

        Raises:
            BadRequestError: the URL is empty or too long.
            APIError: any other error reported by the service.

        Example:
            >>> uris = await client.clients.set_environment_initiate_login_uri("https://app.example.com/login")
        """
        request = pb.SetEnvironmentInitiateLoginUriRequest(initiate_login_uri=initiate_login_uri)
        return await self._caller.call(
            rpcs.SET_ENVIRONMENT_INITIATE_LOGIN_URI, request, timeout=timeout, retry=retry
        )
