"""Organizations: create, read, update, delete, list, search, and admin-portal links.

Settings, session policies and branding of an organization are in
:mod:`scalekit_py.services._async._organization_settings`; both are on
:class:`AsyncOrganizationService` (``client.organization``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scalekit_api.v1.commons import commons_pb2
from scalekit_api.v1.organizations import organizations_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._organization_settings import _AsyncOrganizationSettingsMethods
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import organizations as rpcs

__all__ = ["AsyncOrganizationService"]


class AsyncOrganizationService(_AsyncOrganizationSettingsMethods):
    """``client.organization``: the RPCs of ``scalekit.v1.organizations.OrganizationService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_organization(
        self,
        display_name: str | None = None,
        *,
        external_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        region_code: commons_pb2.RegionCode.ValueType | None = None,
        slug: str | None = None,
        logo_url: str | None = None,
        organization: pb.CreateOrganization | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Organization:
        """Create an organization (one of your customers).

        Pass the fields as arguments, or a prebuilt ``organization`` message; arguments given
        alongside the message override its fields.

        Args:
            display_name: the name shown to users.
            external_id: your own id for the organization.
            metadata: string pairs stored with the organization.
            region_code: data residency region.
            slug: URL-friendly unique name.
            logo_url: URL of the organization's logo.
            organization: a prebuilt ``CreateOrganization`` message.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new organization.

        Raises:
            BadRequestError: a field is missing or invalid.
            ConflictError: the external id is already used.
            APIError: any other error reported by the service.

        Example:
            >>> org = await client.organization.create_organization("Acme", external_id="acme-1")
        """
        body = fill(
            merged(organization, pb.CreateOrganization),
            display_name=display_name,
            external_id=external_id,
            metadata=metadata,
            region_code=region_code,
            slug=slug,
            logo_url=logo_url,
        )
        request = pb.CreateOrganizationRequest(organization=body)
        response = await self._caller.call(rpcs.CREATE_ORGANIZATION, request, timeout=timeout, retry=retry)
        return response.organization

    async def update_organization(
        self,
        organization_id: str | None = None,
        *,
        external_id: str | None = None,
        display_name: str | None = None,
        metadata: Mapping[str, str] | None = None,
        slug: str | None = None,
        logo_url: str | None = None,
        organization: pb.UpdateOrganization | None = None,
        update_mask: Sequence[str] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Organization:
        """Change an organization, found by its id or by its external id.

        ``external_id`` here *selects* the organization; to change an organization's external id,
        pass ``organization=UpdateOrganization(external_id=...)``.

        Args:
            organization_id: the organization's id (or pass ``external_id``).
            external_id: the organization's external id, instead of ``organization_id``.
            display_name: new display name.
            metadata: new metadata (replaces the stored pairs).
            slug: new slug.
            logo_url: new logo URL.
            organization: a prebuilt ``UpdateOrganization`` message; arguments override its fields.
            update_mask: field paths to update (``None``: those that are set).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated organization.

        Raises:
            TypeError: both ``organization_id`` and ``external_id`` were given.
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> org = await client.organization.update_organization("org_1", display_name="Acme Inc")
        """
        body = fill(
            merged(organization, pb.UpdateOrganization),
            display_name=display_name,
            metadata=metadata,
            slug=slug,
            logo_url=logo_url,
        )
        request = fill(
            pb.UpdateOrganizationRequest(organization=body),
            id=organization_id,
            external_id=external_id,
            update_mask=update_mask,
        )
        response = await self._caller.call(rpcs.UPDATE_ORGANIZATION, request, timeout=timeout, retry=retry)
        return response.organization

    async def update_organization_by_external_id(
        self,
        external_id: str,
        *,
        organization: pb.UpdateOrganization,
        update_mask: Sequence[str] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Organization:
        """Change an organization named by external id; same as ``update_organization(external_id=...)``.

        Raises:
            NotFoundError: no organization has this external id.
        """
        return await self.update_organization(
            external_id=external_id,
            organization=organization,
            update_mask=update_mask,
            timeout=timeout,
            retry=retry,
        )

    async def get_organization(
        self, organization_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.Organization:
        """Fetch one organization by its id.

        Args:
            organization_id: the organization's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The organization.

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> org = await client.organization.get_organization("org_1")
        """
        request = pb.GetOrganizationRequest(id=organization_id)
        response = await self._caller.call(rpcs.GET_ORGANIZATION, request, timeout=timeout, retry=retry)
        return response.organization

    async def get_organization_by_external_id(
        self, external_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.Organization:
        """Fetch one organization by the external id you gave it.

        Args:
            external_id: the organization's external id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The organization.

        Raises:
            NotFoundError: no organization has this external id.
            APIError: any other error reported by the service.

        Example:
            >>> org = await client.organization.get_organization_by_external_id("acme-1")
        """
        request = pb.GetOrganizationRequest(external_id=external_id)
        response = await self._caller.call(
            rpcs.GET_ORGANIZATION_BY_EXTERNAL_ID, request, timeout=timeout, retry=retry
        )
        return response.organization

    async def list_organizations(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        external_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListOrganizationsResponse:
        """Fetch one page of organizations (see :meth:`iter_organizations` for all of them).

        Args:
            page_size: organizations per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            external_id: only the organization with this external id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``organizations``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the page token or size is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.organization.list_organizations(page_size=10)
        """
        request = fill(
            pb.ListOrganizationsRequest(), page_size=page_size, page_token=page_token, external_id=external_id
        )
        return await self._caller.call(rpcs.LIST_ORGANIZATION, request, timeout=timeout, retry=retry)

    def iter_organizations(
        self,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        external_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListOrganizationsResponse, pb.Organization]:
        """Iterate over all organizations, fetching pages lazily.

        Args:
            page_size: organizations per page (``None``: the service's default).
            limit: stop after this many organizations (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            external_id: only the organization with this external id.
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``Organization`` messages; its ``pages()`` yields whole responses.

        Example:
            >>> async for org in client.organization.iter_organizations(limit=100):
            ...     print(org.display_name)
        """

        async def fetch(token: str, size: int) -> pb.ListOrganizationsResponse:
            return await self.list_organizations(
                page_size=size, page_token=token, external_id=external_id, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.organizations,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListOrganizationsRequest),
        )

    async def search_organizations(
        self,
        query: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.SearchOrganizationsResponse:
        """Fetch one page of organizations matching a search text.

        Args:
            query: text matched against names, ids and external ids.
            page_size: organizations per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``organizations``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the query is too short or the token invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.organization.search_organizations("acme")
        """
        request = fill(pb.SearchOrganizationsRequest(query=query), page_size=page_size, page_token=page_token)
        return await self._caller.call(rpcs.SEARCH_ORGANIZATION, request, timeout=timeout, retry=retry)

    def iter_search_organizations(
        self,
        query: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.SearchOrganizationsResponse, pb.Organization]:
        """Iterate over all organizations matching a search text, fetching pages lazily.

        Args:
            query: text matched against names, ids and external ids.
            page_size: organizations per page (``None``: the service's default).
            limit: stop after this many organizations (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``Organization`` messages.

        Example:
            >>> async for org in client.organization.iter_search_organizations("acme"):
            ...     print(org.id)
        """

        async def fetch(token: str, size: int) -> pb.SearchOrganizationsResponse:
            return await self.search_organizations(
                query, page_size=size, page_token=token, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.organizations,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.SearchOrganizationsRequest),
        )

    async def delete_organization(
        self,
        organization_id: str | None = None,
        *,
        external_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Delete an organization, found by its id or by its external id.

        Args:
            organization_id: the organization's id (or pass ``external_id``).
            external_id: the organization's external id, instead of ``organization_id``.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            TypeError: both ``organization_id`` and ``external_id`` were given.
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> await client.organization.delete_organization("org_1")
        """
        request = fill(pb.DeleteOrganizationRequest(), id=organization_id, external_id=external_id)
        await self._caller.call(rpcs.DELETE_ORGANIZATION, request, timeout=timeout, retry=retry)

    async def generate_portal_link(
        self,
        organization_id: str,
        *,
        features: Sequence[pb.Feature.ValueType] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Link:
        """Create a link to the admin portal where the organization's IT admin configures SSO or SCIM.

        Args:
            organization_id: the organization's id.
            features: portal sections to show (``Feature.sso``, ``Feature.dir_sync``; ``None``: all).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The link (``location``, ``expire_time``).

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> link = await client.organization.generate_portal_link("org_1")
        """
        request = fill(pb.GeneratePortalLinkRequest(id=organization_id), features=features)
        response = await self._caller.call(rpcs.GENERATE_PORTAL_LINK, request, timeout=timeout, retry=retry)
        return response.link

    async def delete_portal_link(
        self,
        organization_id: str,
        link_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Revoke one admin-portal link before it expires.

        Args:
            organization_id: the organization's id.
            link_id: the link's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such organization or link.
            APIError: any other error reported by the service.

        Example:
            >>> await client.organization.delete_portal_link("org_1", "lnk_1")
        """
        request = pb.DeletePortalLinkByIdRequest(id=organization_id, link_id=link_id)
        await self._caller.call(rpcs.DELETE_PORTAL_LINK_BY_ID, request, timeout=timeout, retry=retry)
