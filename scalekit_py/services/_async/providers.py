"""Providers (AgentKit): the third-party services connectors are built on.

Built-in providers come with the catalogue; *custom* providers are yours: an upstream API
(``proxy_url``) plus the auth patterns its credentials follow, reachable through the AgentKit proxy
with a connected account's stored credentials. ``auth_patterns`` is a list of JSON objects, e.g.
``[{"type": "BEARER", "display_name": "Token", "fields": [...]}]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scalekit_api.v1.providers import providers_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import providers as rpcs

__all__ = ["AsyncProviderService"]

AuthPatterns = Sequence[Mapping[str, object]]


class AsyncProviderService:
    """``client.providers``: the RPCs of ``scalekit.v1.providers.ProviderService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_provider(
        self,
        identifier: str | None = None,
        *,
        display_name: str | None = None,
        description: str | None = None,
        categories: Sequence[str] | None = None,
        auth_patterns: AuthPatterns | None = None,
        icon_src: str | None = None,
        display_priority: int | None = None,
        coming_soon: bool | None = None,
        proxy_url: str | None = None,
        proxy_enabled: bool | None = None,
        provider: pb.CreateProvider | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Provider:
        """Add a built-in provider to the catalogue (a platform operation).

        Args:
            identifier: the provider's unique identifier, e.g. ``"NOTES"`` (or in ``provider``).
            display_name: the name shown to users.
            description: what the provider is.
            categories: catalogue categories.
            auth_patterns: the ways its credentials can be given (JSON objects).
            icon_src: URL of its icon.
            display_priority: ordering weight in the catalogue.
            coming_soon: listed but not usable yet.
            proxy_url: base URL of its API, for proxied requests.
            proxy_enabled: whether requests may be proxied to it.
            provider: a prebuilt ``CreateProvider``; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new provider.

        Raises:
            ConflictError: the identifier is taken.
            BadRequestError: a value is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> p = await client.providers.create_provider("NOTES", display_name="Notes")
        """
        body = fill(
            merged(provider, pb.CreateProvider),
            identifier=identifier,
            display_name=display_name,
            description=description,
            categories=categories,
            auth_patterns=auth_patterns,
            icon_src=icon_src,
            display_priority=display_priority,
            coming_soon=coming_soon,
            proxy_url=proxy_url,
            proxy_enabled=proxy_enabled,
        )
        response = await self._caller.call(
            rpcs.CREATE_PROVIDER, pb.CreateProviderRequest(provider=body), timeout=timeout, retry=retry
        )
        return response.provider

    async def create_custom_provider(
        self,
        display_name: str | None = None,
        *,
        proxy_url: str | None = None,
        proxy_enabled: bool | None = None,
        description: str | None = None,
        auth_patterns: AuthPatterns | None = None,
        icon_src: str | None = None,
        metadata: Mapping[str, str] | None = None,
        provider: pb.CreateCustomProvider | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Provider:
        """Register your own upstream API as a provider.

        Args:
            display_name: the name shown to users (or in ``provider``); the identifier is derived from it.
            proxy_url: base URL of the upstream API, e.g. ``https://api.example.com/v1``.
            proxy_enabled: whether requests may be proxied to it.
            description: what the provider is.
            auth_patterns: how its credentials are given (JSON objects with a ``type`` of
                ``OAUTH``, ``BEARER``, ``API_KEY`` or ``BASIC``).
            icon_src: URL of its icon.
            metadata: free-form string metadata.
            provider: a prebuilt ``CreateCustomProvider``; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new provider (``is_custom`` set), with its ``identifier``.

        Raises:
            ConflictError: a provider with that name exists.
            BadRequestError: the proxy URL or an auth pattern is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> p = await client.providers.create_custom_provider(
            ...     "Acme CRM", proxy_url="https://crm.acme.test/api", proxy_enabled=True,
            ...     auth_patterns=[{"type": "BEARER"}])
        """
        body = fill(
            merged(provider, pb.CreateCustomProvider),
            display_name=display_name,
            proxy_url=proxy_url,
            proxy_enabled=proxy_enabled,
            description=description,
            auth_patterns=auth_patterns,
            icon_src=icon_src,
            metadata=metadata,
        )
        response = await self._caller.call(
            rpcs.CREATE_CUSTOM_PROVIDER,
            pb.CreateCustomProviderRequest(provider=body),
            timeout=timeout,
            retry=retry,
        )
        return response.provider

    async def update_provider(
        self,
        identifier: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        categories: Sequence[str] | None = None,
        auth_patterns: AuthPatterns | None = None,
        icon_src: str | None = None,
        display_priority: int | None = None,
        coming_soon: bool | None = None,
        proxy_url: str | None = None,
        proxy_enabled: bool | None = None,
        provider: pb.UpdateProvider | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Provider:
        """Change a built-in provider (a platform operation).

        Args:
            identifier: the provider's identifier.
            display_name: the new display name.
            description: the new description.
            categories: the new categories.
            auth_patterns: the new auth patterns.
            icon_src: the new icon URL.
            display_priority: the new ordering weight.
            coming_soon: listed but not usable yet.
            proxy_url: the new API base URL.
            proxy_enabled: whether requests may be proxied to it.
            provider: a prebuilt ``UpdateProvider``; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated provider.

        Raises:
            NotFoundError: no such provider.
            APIError: any other error reported by the service.

        Example:
            >>> p = await client.providers.update_provider("NOTES", description="Notes and tasks")
        """
        body = fill(
            merged(provider, pb.UpdateProvider),
            display_name=display_name,
            description=description,
            categories=categories,
            auth_patterns=auth_patterns,
            icon_src=icon_src,
            display_priority=display_priority,
            coming_soon=coming_soon,
            proxy_url=proxy_url,
            proxy_enabled=proxy_enabled,
        )
        request = pb.UpdateProviderRequest(identifier=identifier, provider=body)
        response = await self._caller.call(rpcs.UPDATE_PROVIDER, request, timeout=timeout, retry=retry)
        return response.provider

    async def update_custom_provider(
        self,
        identifier: str,
        *,
        display_name: str | None = None,
        proxy_url: str | None = None,
        proxy_enabled: bool | None = None,
        description: str | None = None,
        auth_patterns: AuthPatterns | None = None,
        icon_src: str | None = None,
        metadata: Mapping[str, str] | None = None,
        provider: pb.UpdateCustomProvider | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Provider:
        """Change one of your custom providers.

        Args:
            identifier: the provider's identifier.
            display_name: the new display name.
            proxy_url: the new upstream base URL.
            proxy_enabled: whether requests may be proxied to it.
            description: the new description.
            auth_patterns: the new auth patterns.
            icon_src: the new icon URL.
            metadata: the new metadata (replaces the old).
            provider: a prebuilt ``UpdateCustomProvider``; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated provider.

        Raises:
            NotFoundError: no such custom provider.
            BadRequestError: a value is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> p = await client.providers.update_custom_provider("ACME_CRM", proxy_url="https://new.test")
        """
        body = fill(
            merged(provider, pb.UpdateCustomProvider),
            display_name=display_name,
            proxy_url=proxy_url,
            proxy_enabled=proxy_enabled,
            description=description,
            auth_patterns=auth_patterns,
            icon_src=icon_src,
            metadata=metadata,
        )
        request = pb.UpdateCustomProviderRequest(identifier=identifier, provider=body)
        response = await self._caller.call(rpcs.UPDATE_CUSTOM_PROVIDER, request, timeout=timeout, retry=retry)
        return response.provider

    async def delete_provider(
        self,
        identifier: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.DeleteProviderResponse:
        """Remove a built-in provider from the catalogue (a platform operation).

        Args:
            identifier: the provider's identifier.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The (empty) response.

        Raises:
            NotFoundError: no such provider.
            APIError: any other error reported by the service.

        Example:
            >>> await client.providers.delete_provider("NOTES")
        """
        request = pb.DeleteProviderRequest(identifier=identifier)
        return await self._caller.call(rpcs.DELETE_PROVIDER, request, timeout=timeout, retry=retry)

    async def delete_custom_provider(
        self,
        identifier: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.DeleteProviderResponse:
        """Delete one of your custom providers (permanent).

        Args:
            identifier: the provider's identifier.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The (empty) response.

        Raises:
            NotFoundError: no such custom provider.
            PreconditionFailedError: connected accounts still use it.
            APIError: any other error reported by the service.

        Example:
            >>> await client.providers.delete_custom_provider("ACME_CRM")
        """
        request = pb.DeleteProviderRequest(identifier=identifier)
        return await self._caller.call(rpcs.DELETE_CUSTOM_PROVIDER, request, timeout=timeout, retry=retry)

    async def list_providers(
        self,
        *,
        identifier: str | None = None,
        provider_type: pb.ProviderType.ValueType | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListProvidersResponse:
        """Fetch one page of providers.

        Args:
            identifier: only the provider of this identifier.
            provider_type: ``providers_pb2.DEFAULT`` (built-in), ``CUSTOM`` or ``ALL`` (``None``: all).
            page_size: providers per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``providers``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the token is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.providers.list_providers(provider_type=providers_pb2.CUSTOM)
        """
        kind = None if provider_type is None else pb.ListProvidersRequest.Filter(provider_type=provider_type)
        request = fill(
            pb.ListProvidersRequest(),
            identifier=identifier,
            filter=kind,
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.LIST_PROVIDERS, request, timeout=timeout, retry=retry)

    def iter_providers(
        self,
        *,
        identifier: str | None = None,
        provider_type: pb.ProviderType.ValueType | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListProvidersResponse, pb.Provider]:
        """Iterate over providers, fetching pages lazily (filters as :meth:`list_providers`).

        Args:
            identifier: only the provider of this identifier.
            provider_type: ``DEFAULT`` (built-in), ``CUSTOM`` or ``ALL``.
            page_size: providers per page (``None``: the service's default).
            limit: stop after this many providers (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``Provider`` messages.

        Example:
            >>> async for p in client.providers.iter_providers():
            ...     print(p.identifier)
        """

        async def fetch(token: str, size: int) -> pb.ListProvidersResponse:
            return await self.list_providers(
                identifier=identifier,
                provider_type=provider_type,
                page_size=size,
                page_token=token,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.providers,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListProvidersRequest),
        )
