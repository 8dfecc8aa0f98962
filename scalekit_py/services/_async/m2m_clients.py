"""Organization (machine-to-machine) clients: API credentials that belong to one organization.

An organization client authenticates at the token endpoint with the client-credentials grant; its
access token names the organization (``oid``) and carries the client's scopes, audience and custom
claims. Its secret is returned in plain text once, when it is created (``plain_secret``); later reads
show only its last characters (``secret_suffix``).
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
from scalekit_py.services._rpcs import m2m_clients as rpcs

__all__ = ["AsyncM2MClientService"]


def _body(
    base: pb.OrganizationClient | None,
    name: str | None,
    description: str | None,
    scopes: Sequence[str] | None,
    audience: Sequence[str] | None,
    custom_claims: Mapping[str, str] | None,
    expiry: int | None,
) -> pb.OrganizationClient:
    return fill(
        merged(base, pb.OrganizationClient),
        name=name,
        description=description,
        scopes=scopes,
        audience=audience,
        custom_claims=claims(custom_claims),
        expiry=expiry,
    )


class AsyncM2MClientService:
    """``client.m2m_client`` (alias ``client.m2m``): organization clients of ``ClientService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_organization_client(
        self,
        organization_id: str,
        m2m_client: pb.OrganizationClient | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        scopes: Sequence[str] | None = None,
        audience: Sequence[str] | None = None,
        custom_claims: Mapping[str, str] | None = None,
        expiry: int | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.CreateOrganizationClientResponse:
        """Create an API client for an organization.

        Args:
            organization_id: the organization's id.
            m2m_client: a prebuilt ``OrganizationClient`` message; the keywords override its fields.
            name: the client's name.
            description: what the client is for.
            scopes: scopes granted to the client's tokens.
            audience: ``aud`` values of the client's tokens.
            custom_claims: extra claims put in the client's tokens (name -> value).
            expiry: lifetime of the client's access tokens, in seconds.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``client`` and ``plain_secret`` (shown only this once: store it).

        Raises:
            NotFoundError: no such organization.
            BadRequestError: a field is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> created = await client.m2m_client.create_organization_client("org_1", scopes=["read"])
            >>> created.client.client_id, created.plain_secret
        """
        body = _body(m2m_client, name, description, scopes, audience, custom_claims, expiry)
        request = pb.CreateOrganizationClientRequest(organization_id=organization_id, client=body)
        return await self._caller.call(rpcs.CREATE_ORGANIZATION_CLIENT, request, timeout=timeout, retry=retry)

    async def get_organization_client(
        self,
        organization_id: str,
        client_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.M2MClient:
        """Fetch one client of an organization (its secrets show only their suffix).

        Args:
            organization_id: the organization's id.
            client_id: the client's id (``m2morg_...``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The client.

        Raises:
            NotFoundError: no such organization or client.
            APIError: any other error reported by the service.

        Example:
            >>> m2m = await client.m2m_client.get_organization_client("org_1", "m2morg_1")
        """
        request = pb.GetOrganizationClientRequest(organization_id=organization_id, client_id=client_id)
        response = await self._caller.call(
            rpcs.GET_ORGANIZATION_CLIENT, request, timeout=timeout, retry=retry
        )
        return response.client

    async def update_organization_client(
        self,
        organization_id: str,
        client_id: str,
        m2m_client: pb.OrganizationClient | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        scopes: Sequence[str] | None = None,
        audience: Sequence[str] | None = None,
        custom_claims: Mapping[str, str] | None = None,
        expiry: int | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.M2MClient:
        """Change a client of an organization; tokens issued afterwards use the new settings.

        Args:
            organization_id: the organization's id.
            client_id: the client's id.
            m2m_client: a prebuilt ``OrganizationClient`` message; the keywords override its fields.
            name: new name.
            description: new description.
            scopes: new scopes (replace the old ones).
            audience: new audience (replaces the old one).
            custom_claims: new custom claims (replace the old ones).
            expiry: new access-token lifetime, in seconds.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated client.

        Raises:
            NotFoundError: no such organization or client.
            BadRequestError: a field is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> m2m = await client.m2m_client.update_organization_client("org_1", "m2morg_1", scopes=["a"])
        """
        body = _body(m2m_client, name, description, scopes, audience, custom_claims, expiry)
        request = pb.UpdateOrganizationClientRequest(
            organization_id=organization_id, client_id=client_id, client=body
        )
        response = await self._caller.call(
            rpcs.UPDATE_ORGANIZATION_CLIENT, request, timeout=timeout, retry=retry
        )
        return response.client

    async def delete_organization_client(
        self,
        organization_id: str,
        client_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Delete a client of an organization; its secrets stop working at once.

        Args:
            organization_id: the organization's id.
            client_id: the client's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such organization or client.
            APIError: any other error reported by the service.

        Example:
            >>> await client.m2m_client.delete_organization_client("org_1", "m2morg_1")
        """
        request = pb.DeleteOrganizationClientRequest(organization_id=organization_id, client_id=client_id)
        await self._caller.call(rpcs.DELETE_ORGANIZATION_CLIENT, request, timeout=timeout, retry=retry)

    async def add_organization_client_secret(
        self,
        organization_id: str,
        client_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.CreateOrganizationClientSecretResponse:
        """Add a secret to a client of an organization (e.g. to rotate the old one out).

        Args:
            organization_id: the organization's id.
            client_id: the client's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``plain_secret`` (shown only this once) and ``secret`` (its id and suffix).

        Raises:
            NotFoundError: no such organization or client.
            APIError: any other error reported by the service.

        Example:
            >>> added = await client.m2m_client.add_organization_client_secret("org_1", "m2morg_1")
        """
        request = pb.CreateOrganizationClientSecretRequest(
            organization_id=organization_id, client_id=client_id
        )
        return await self._caller.call(
            rpcs.CREATE_ORGANIZATION_CLIENT_SECRET, request, timeout=timeout, retry=retry
        )

    async def remove_organization_client_secret(
        self,
        organization_id: str,
        client_id: str,
        secret_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Remove a secret of a client of an organization; it stops working at once.

        Args:
            organization_id: the organization's id.
            client_id: the client's id.
            secret_id: the secret's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such organization, client or secret.
            APIError: any other error reported by the service.

        Example:
            >>> await client.m2m_client.remove_organization_client_secret("org_1", "m2morg_1", "sec_1")
        """
        request = pb.DeleteOrganizationClientSecretRequest(
            organization_id=organization_id, client_id=client_id, secret_id=secret_id
        )
        await self._caller.call(rpcs.DELETE_ORGANIZATION_CLIENT_SECRET, request, timeout=timeout, retry=retry)

    async def list_organization_clients(
        self,
        organization_id: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListOrganizationClientsResponse:
        """Fetch one page of an organization's clients.

        Args:
            organization_id: the organization's id.
            page_size: clients per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``clients``, ``next_page_token``, ``total_size``.

        Raises:
            NotFoundError: no such organization.
            BadRequestError: the page token or size is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.m2m_client.list_organization_clients("org_1", page_size=10)
        """
        request = fill(
            pb.ListOrganizationClientsRequest(organization_id=organization_id),
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.LIST_ORGANIZATION_CLIENTS, request, timeout=timeout, retry=retry)

    def iter_organization_clients(
        self,
        organization_id: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListOrganizationClientsResponse, pb.M2MClient]:
        """Iterate over an organization's clients, fetching pages lazily.

        Args:
            organization_id: the organization's id.
            page_size: clients per page (``None``: the service's default).
            limit: stop after this many clients (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``M2MClient`` messages.

        Example:
            >>> async for m2m in client.m2m_client.iter_organization_clients("org_1"):
            ...     print(m2m.client_id)
        """

        async def fetch(token: str, size: int) -> pb.ListOrganizationClientsResponse:
            return await self.list_organization_clients(
                organization_id, page_size=size, page_token=token, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.clients,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListOrganizationClientsRequest),
        )
