"""Domains of an organization: email domains that route users to its connections.

The organization is named by its id (first argument) or, with ``organization_id=None``, by its
external id (``organization_external_id=``).
"""

from __future__ import annotations

from scalekit_api.v1.domains import domains_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import domains as rpcs

__all__ = ["AsyncDomainService"]


class AsyncDomainService:
    """``client.domain``: the RPCs of ``scalekit.v1.domains.DomainService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_domain(
        self,
        organization_id: str | None,
        domain_name: str | None = None,
        *,
        organization_external_id: str | None = None,
        domain_type: pb.DomainType.ValueType | None = None,
        connection_id: str | None = None,
        domain: pb.CreateDomain | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Domain:
        """Add a domain to an organization.

        Args:
            organization_id: the organization's id (``None`` with ``organization_external_id``).
            domain_name: the domain, e.g. ``acme.com``.
            organization_external_id: the organization's external id, instead of its id.
            domain_type: ``ORGANIZATION_DOMAIN`` (SSO routing) or ``ALLOWED_EMAIL_DOMAIN``.
            connection_id: attach the domain to this connection.
            domain: a prebuilt ``CreateDomain`` message; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new domain, with its verification TXT record.

        Raises:
            TypeError: both ``organization_id`` and ``organization_external_id`` were given.
            BadRequestError: the domain name is invalid.
            ConflictError: the domain is already registered.
            APIError: any other error reported by the service.

        Example:
            >>> dom = await client.domain.create_domain("org_1", "acme.com")
        """
        body = fill(merged(domain, pb.CreateDomain), domain=domain_name, domain_type=domain_type)
        request = fill(
            pb.CreateDomainRequest(domain=body),
            organization_id=organization_id,
            external_id=organization_external_id,
            connection_id=connection_id,
        )
        response = await self._caller.call(rpcs.CREATE_DOMAIN, request, timeout=timeout, retry=retry)
        return response.domain

    async def update_domain(
        self,
        organization_id: str | None,
        domain_id: str,
        *,
        organization_external_id: str | None = None,
        connection_id: str | None = None,
        domain: pb.UpdateDomain | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Domain:
        """Update a domain of an organization (today: its connection).

        Args:
            organization_id: the organization's id (``None`` with ``organization_external_id``).
            domain_id: the domain's id.
            organization_external_id: the organization's external id, instead of its id.
            connection_id: attach the domain to this connection.
            domain: a prebuilt ``UpdateDomain`` message.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated domain.

        Raises:
            TypeError: both ``organization_id`` and ``organization_external_id`` were given.
            NotFoundError: no such organization or domain.
            APIError: any other error reported by the service.

        Example:
            >>> dom = await client.domain.update_domain("org_1", "dom_1", connection_id="conn_1")
        """
        request = fill(
            pb.UpdateDomainRequest(id=domain_id, domain=merged(domain, pb.UpdateDomain)),
            organization_id=organization_id,
            external_id=organization_external_id,
            connection_id=connection_id,
        )
        response = await self._caller.call(rpcs.UPDATE_DOMAIN, request, timeout=timeout, retry=retry)
        return response.domain

    async def verify_domain(
        self,
        organization_id: str | None,
        domain_id: str,
        *,
        organization_external_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.VerifyDomainResponse:
        """Check the domain's DNS TXT record and mark it verified when it matches.

        Args:
            organization_id: the organization's id (``None`` with ``organization_external_id``).
            domain_id: the domain's id.
            organization_external_id: the organization's external id, instead of its id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``verified`` tells whether the record matched.

        Raises:
            TypeError: both ``organization_id`` and ``organization_external_id`` were given.
            NotFoundError: no such organization or domain.
            APIError: any other error reported by the service.

        Example:
            >>> ok = (await client.domain.verify_domain("org_1", "dom_1")).verified
        """
        request = fill(
            pb.VerifyDomainRequest(id=domain_id),
            organization_id=organization_id,
            external_id=organization_external_id,
        )
        return await self._caller.call(rpcs.VERIFY_DOMAIN, request, timeout=timeout, retry=retry)

    async def get_domain(
        self,
        organization_id: str | None,
        domain_id: str,
        *,
        organization_external_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Domain:
        """Fetch one domain of an organization.

        Args:
            organization_id: the organization's id (``None`` with ``organization_external_id``).
            domain_id: the domain's id.
            organization_external_id: the organization's external id, instead of its id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The domain.

        Raises:
            TypeError: both ``organization_id`` and ``organization_external_id`` were given.
            NotFoundError: no such organization or domain.
            APIError: any other error reported by the service.

        Example:
            >>> dom = await client.domain.get_domain("org_1", "dom_1")
        """
        request = fill(
            pb.GetDomainRequest(id=domain_id),
            organization_id=organization_id,
            external_id=organization_external_id,
        )
        response = await self._caller.call(rpcs.GET_DOMAIN, request, timeout=timeout, retry=retry)
        return response.domain

    async def delete_domain(
        self,
        organization_id: str | None,
        domain_id: str,
        *,
        organization_external_id: str | None = None,
        connection_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Remove a domain from an organization.

        Args:
            organization_id: the organization's id (``None`` with ``organization_external_id``).
            domain_id: the domain's id.
            organization_external_id: the organization's external id, instead of its id.
            connection_id: the connection the domain is attached to, if any.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            TypeError: both ``organization_id`` and ``organization_external_id`` were given.
            NotFoundError: no such organization or domain.
            APIError: any other error reported by the service.

        Example:
            >>> await client.domain.delete_domain("org_1", "dom_1")
        """
        request = fill(
            pb.DeleteDomainRequest(id=domain_id),
            organization_id=organization_id,
            external_id=organization_external_id,
            connection_id=connection_id,
        )
        await self._caller.call(rpcs.DELETE_DOMAIN, request, timeout=timeout, retry=retry)

    async def list_domains(
        self,
        organization_id: str | None = None,
        *,
        organization_external_id: str | None = None,
        domain_type: pb.DomainType.ValueType | None = None,
        connection_id: str | None = None,
        include: str | None = None,
        page_size: int | None = None,
        page_number: int | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListDomainResponse:
        """List the domains of an organization (numbered pages, no page token).

        Args:
            organization_id: the organization's id (or pass ``organization_external_id``).
            organization_external_id: the organization's external id, instead of its id.
            domain_type: only domains of this type.
            connection_id: only domains attached to this connection.
            include: extra data to include.
            page_size: domains per page (``None``: the service's default).
            page_number: 1-based page number (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``domains`` holds the page.

        Raises:
            TypeError: both ``organization_id`` and ``organization_external_id`` were given.
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> domains = (await client.domain.list_domains("org_1")).domains
        """
        request = fill(
            pb.ListDomainRequest(),
            organization_id=organization_id,
            external_id=organization_external_id,
            domain_type=domain_type,
            connection_id=connection_id,
            include=include,
            page_size=page_size,
            page_number=page_number,
        )
        return await self._caller.call(rpcs.LIST_DOMAINS, request, timeout=timeout, retry=retry)
