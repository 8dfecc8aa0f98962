"""Clients of an API resource, their secrets, and the consents users gave them.

These methods are part of :class:`~scalekit_py.services._async.resources.AsyncResourceService`
(``client.resources``); they live here to keep each module small. A resource client's audience is
decided by the service (the resource), so it is not an argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._client_bodies import claims, set_paths
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import clients as client_rpcs
from scalekit_py.services._rpcs import resources as rpcs


class _AsyncResourceClientMethods:
    _caller: AsyncCaller

    async def create_resource_client(
        self,
        resource_id: str,
        client: pb.ResourceClient | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        scopes: Sequence[str] | None = None,
        custom_claims: Mapping[str, str] | None = None,
        expiry: int | None = None,
        redirect_uris: Sequence[str] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.CreateResourceClientResponse:
        """Create a client of a resource.

        Args:
            resource_id: the resource's id.
            client: a prebuilt ``ResourceClient`` message; the keywords override its fields.
            name: the client's name.
            description: what the client is for.
            scopes: scopes granted to the client's tokens (from those the resource defines).
            custom_claims: extra claims put in the client's tokens (name -> value).
            expiry: lifetime of the client's access tokens, in seconds.
            redirect_uris: where users are sent back after authorizing the client.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``client`` and ``plain_secret`` (shown only this once: store it).

        Raises:
            NotFoundError: no such resource.
            BadRequestError: a field is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> created = await client.resources.create_resource_client("res_1", name="agent")
        """
        body = fill(
            merged(client, pb.ResourceClient),
            name=name,
            description=description,
            scopes=scopes,
            custom_claims=claims(custom_claims),
            expiry=expiry,
            redirect_uris=redirect_uris,
        )
        request = pb.CreateResourceClientRequest(resource_id=resource_id, client=body)
        return await self._caller.call(rpcs.CREATE_RESOURCE_CLIENT, request, timeout=timeout, retry=retry)

    async def update_resource_client(
        self,
        resource_id: str,
        client_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        scopes: Sequence[str] | None = None,
        custom_claims: Mapping[str, str] | None = None,
        expiry: int | None = None,
        redirect_uris: Sequence[str] | None = None,
        client: pb.ResourceClient | None = None,
        update_mask: Sequence[str] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.M2MClient:
        """Change a client of a resource: only the fields passed change (an empty list clears one).

        Args:
            resource_id: the resource's id.
            client_id: the client's id.
            name: new name.
            description: new description.
            scopes: new scopes.
            custom_claims: new custom claims.
            expiry: new access-token lifetime, in seconds.
            redirect_uris: new redirect URIs.
            client: a prebuilt ``ResourceClient`` message; the keywords override its fields.
            update_mask: field paths to update (``None``: the keywords passed).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated client.

        Raises:
            NotFoundError: no such resource, or the client is not one of its clients.
            BadRequestError: a field is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> m2m = await client.resources.update_resource_client("res_1", "m2m_1", scopes=["read"])
        """
        body = fill(
            merged(client, pb.ResourceClient),
            name=name,
            description=description,
            scopes=scopes,
            custom_claims=claims(custom_claims),
            expiry=expiry,
            redirect_uris=redirect_uris,
        )
        if update_mask is None:
            update_mask = set_paths(
                name=name,
                description=description,
                scopes=scopes,
                custom_claims=custom_claims,
                expiry=expiry,
                redirect_uris=redirect_uris,
            )
        request = fill(
            pb.UpdateResourceClientRequest(resource_id=resource_id, client_id=client_id, client=body),
            update_mask=update_mask,
        )
        response = await self._caller.call(rpcs.UPDATE_RESOURCE_CLIENT, request, timeout=timeout, retry=retry)
        return response.client

    async def get_resource_client(
        self,
        resource_id: str,
        client_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.GetResourceClientResponse:
        """Fetch one client of a resource, with the users who consented to it.

        Args:
            resource_id: the resource's id.
            client_id: the client's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``client`` and ``consented_users``.

        Raises:
            NotFoundError: no such resource, or the client is not one of its clients.
            APIError: any other error reported by the service.

        Example:
            >>> found = await client.resources.get_resource_client("res_1", "m2m_1")
        """
        request = pb.GetResourceClientRequest(resource_id=resource_id, client_id=client_id)
        return await self._caller.call(rpcs.GET_RESOURCE_CLIENT, request, timeout=timeout, retry=retry)

    async def list_resource_clients(
        self, resource_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ListResourceClientsResponse:
        """List every client of a resource.

        Args:
            resource_id: the resource's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``clients`` and the counts of static and dynamically registered clients.

        Raises:
            NotFoundError: no such resource.
            APIError: any other error reported by the service.

        Example:
            >>> clients = (await client.resources.list_resource_clients("res_1")).clients
        """
        request = pb.ListResourceClientsRequest(resource_id=resource_id)
        return await self._caller.call(rpcs.LIST_RESOURCE_CLIENTS, request, timeout=timeout, retry=retry)

    async def delete_resource_client(
        self,
        resource_id: str,
        client_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.DeleteResourceClientResponse:
        """Delete a client of a resource; its secrets stop working at once.

        Args:
            resource_id: the resource's id.
            client_id: the client's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The (empty) response.

        Raises:
            NotFoundError: no such resource, or the client is not one of its clients.
            APIError: any other error reported by the service.

        Example:
            >>> await client.resources.delete_resource_client("res_1", "m2m_1")
        """
        request = pb.DeleteResourceClientRequest(resource_id=resource_id, client_id=client_id)
        return await self._caller.call(rpcs.DELETE_RESOURCE_CLIENT, request, timeout=timeout, retry=retry)

    async def create_resource_client_secret(
        self,
        resource_id: str,
        client_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.CreateClientSecretResponse:
        """Add a secret to a client of a resource (the official SDK's name; not an RPC of its own).

        The ``CreateClientSecret`` RPC is keyed by the client id alone (its one facade method is
        ``client.clients.create_client_secret``); this first fetches the client through the resource
        so a client of another resource is refused, then calls it.

        Args:
            resource_id: the resource the client must belong to.
            client_id: the client's id.
            timeout: seconds for each call (``None``: no deadline; default: the client's).
            retry: retry policy for each call (``None``: no retry; default: the client's).

        Returns:
            The response: ``plain_secret`` (shown only this once) and ``secret``.

        Raises:
            NotFoundError: no such resource, or the client is not one of its clients.
            APIError: any other error reported by the service.

        Example:
            >>> added = await client.resources.create_resource_client_secret("res_1", "m2m_1")
        """
        await self.get_resource_client(resource_id, client_id, timeout=timeout, retry=retry)
        request = pb.CreateClientSecretRequest(client_id=client_id)
        return await self._caller.call(
            client_rpcs.CREATE_CLIENT_SECRET, request, timeout=timeout, retry=retry
        )

    async def delete_resource_client_secret(
        self,
        resource_id: str,
        client_id: str,
        secret_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Remove a secret of a client of a resource (the official SDK's name; not an RPC of its own).

        Like :meth:`create_resource_client_secret`, this checks that the client belongs to the
        resource, then calls ``DeleteClientSecret`` (whose facade method is
        ``client.clients.delete_client_secret``).

        Args:
            resource_id: the resource the client must belong to.
            client_id: the client's id.
            secret_id: the secret's id.
            timeout: seconds for each call (``None``: no deadline; default: the client's).
            retry: retry policy for each call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such resource, client or secret.
            BadRequestError: it is the client's last secret.
            APIError: any other error reported by the service.

        Example:
            >>> await client.resources.delete_resource_client_secret("res_1", "m2m_1", "sec_1")
        """
        await self.get_resource_client(resource_id, client_id, timeout=timeout, retry=retry)
        request = pb.DeleteClientSecretRequest(client_id=client_id, secret_id=secret_id)
        await self._caller.call(client_rpcs.DELETE_CLIENT_SECRET, request, timeout=timeout, retry=retry)

    async def list_user_consents(
        self,
        resource_id: str,
        *,
        search: str | None = None,
        user_ids: Sequence[str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListResourceUserConsentsResponse:
        """Fetch one page of the consents users gave the clients of a resource.

        Args:
            resource_id: the resource's id.
            search: case-insensitive part of an external user id.
            user_ids: exact external user ids (at most 25; wins over ``search``).
            page_size: consents per page (at most 30; ``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``consents``, ``next_page_token``, ``total_size``.

        Raises:
            NotFoundError: no such resource.
            BadRequestError: the page token or size is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.resources.list_user_consents("res_1", search="alice")
        """
        request = fill(
            pb.ListResourceUserConsentsRequest(resource_id=resource_id),
            search=search,
            filter=None if user_ids is None else pb.ResourceUserConsentFilter(external_user_id=user_ids),
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(
            rpcs.LIST_RESOURCE_USER_CONSENTS, request, timeout=timeout, retry=retry
        )

    def iter_user_consents(
        self,
        resource_id: str,
        *,
        search: str | None = None,
        user_ids: Sequence[str] | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListResourceUserConsentsResponse, pb.ResourceUserConsent]:
        """Iterate over the consents given to a resource's clients, fetching pages lazily.

        Args:
            resource_id: the resource's id.
            search: case-insensitive part of an external user id.
            user_ids: exact external user ids.
            page_size: consents per page (``None``: the service's default).
            limit: stop after this many consents (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``ResourceUserConsent`` messages.

        Example:
            >>> async for consent in client.resources.iter_user_consents("res_1"):
            ...     print(consent.external_user_id)
        """

        async def fetch(token: str, size: int) -> pb.ListResourceUserConsentsResponse:
            return await self.list_user_consents(
                resource_id,
                search=search,
                user_ids=user_ids,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.consents,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListResourceUserConsentsRequest),
        )

    async def revoke_user_consent(
        self,
        client_id: str,
        consent_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.RevokeUserConsentResponse:
        """Revoke the consent a user gave a resource client.

        Args:
            client_id: the client's id (``m2m_...``).
            consent_id: the consent's id (``usrcnst_...``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The (empty) response.

        Raises:
            NotFoundError: no such client or consent.
            APIError: any other error reported by the service.

        Example:
            >>> await client.resources.revoke_user_consent("m2m_1", "usrcnst_1")
        """
        request = pb.RevokeUserConsentRequest(client_id=client_id, consent_id=consent_id)
        return await self._caller.call(rpcs.REVOKE_USER_CONSENT, request, timeout=timeout, retry=retry)
