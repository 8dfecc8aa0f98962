"""ProviderService: the AgentKit provider catalogue (built-in connectors plus created providers).

Built-in providers (:mod:`scalekit_py.emulator.agentkit.catalogue`) are read-only here. Custom providers
get their identifier from the display name (``"Acme CRM"`` -> ``ACME_CRM``, connector ``acme_crm``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from google.protobuf import struct_pb2

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.providers import providers_connect
from scalekit_api.v1.providers import providers_pb2 as pb
from scalekit_api.v1.tools import tools_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.agentkit import accounts, catalogue, paging, upstream
from scalekit_py.emulator.services._base import Events, Service, handler, new_id, require_fields
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Tx

KIND = catalogue.PROVIDER_KIND
_PATTERN_TYPES = {"OAUTH", "BEARER", "API_KEY", "BASIC", "NO_AUTH", "OAUTH_M2M"}


def _check_patterns(patterns: struct_pb2.ListValue) -> None:
    bad = [
        (f"provider.auth_patterns[{i}]", "must be an object with a known type", "auth_pattern")
        for i, item in enumerate(patterns.values)
        if not item.HasField("struct_value")
        or str(item.struct_value.fields["type"].string_value).upper() not in _PATTERN_TYPES
    ]
    if bad:
        raise _status.invalid_argument(bad)


def _check_proxy_url(url: str) -> None:
    if url:
        try:
            upstream.target_url(url, "/")
        except ValueError:
            raise _status.invalid_argument(
                [("provider.proxy_url", "must be an http(s) URL", "uri")]
            ) from None


def _stored(tx: Tx, identifier: str, custom: bool) -> pb.Provider:
    """A created provider of the given kind; built-ins are read-only (FAILED_PRECONDITION)."""
    provider = catalogue.provider_named(tx, identifier)
    if provider is None or provider.is_custom != custom:
        raise _status.not_found("custom provider" if custom else "provider", identifier)
    if tx.get(KIND, provider.id, pb.Provider) is None:
        raise _status.failed_precondition(f"{provider.identifier} is a built-in provider: it cannot change")
    return provider


def _insert(tx: Tx, provider: pb.Provider) -> None:
    if catalogue.provider_named(tx, provider.identifier) is not None:
        raise _status.already_exists("provider", f"with identifier {provider.identifier!r}")
    tx.insert(KIND, provider.id, provider, unique={"identifier": provider.identifier})


class ProviderService(Service, providers_connect.ProviderService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    @handler
    async def create_provider(
        self, request: pb.CreateProviderRequest, ctx: Any, events: Events
    ) -> pb.CreateProviderResponse:
        body = request.provider
        require_fields(**{"provider.identifier": body.identifier})
        _check_patterns(body.auth_patterns)
        _check_proxy_url(body.proxy_url)
        provider = pb.Provider(
            id=new_id("prv"),
            identifier=body.identifier.upper(),
            display_name=body.display_name,
            description=body.description,
            categories=list(body.categories),
            auth_patterns=body.auth_patterns,
            icon_src=body.icon_src,
            display_priority=body.display_priority,
            coming_soon=body.coming_soon,
            proxy_url=body.proxy_url,
            proxy_enabled=body.proxy_enabled,
        )
        with self.state.store.transaction() as tx:
            _insert(tx, provider)
        return pb.CreateProviderResponse(provider=provider)

    @handler
    async def create_custom_provider(
        self, request: pb.CreateCustomProviderRequest, ctx: Any, events: Events
    ) -> pb.CreateProviderResponse:
        body = request.provider
        identifier = re.sub(r"[^A-Z0-9]+", "_", body.display_name.upper()).strip("_")
        if not identifier:
            raise _status.invalid_argument(
                [("provider.display_name", "must contain letters or digits", "required")]
            )
        _check_patterns(body.auth_patterns)
        _check_proxy_url(body.proxy_url)
        provider = pb.Provider(
            id=new_id("prv"),
            identifier=identifier,
            display_name=body.display_name,
            description=body.description,
            auth_patterns=body.auth_patterns,
            icon_src=body.icon_src,
            proxy_url=body.proxy_url,
            proxy_enabled=body.proxy_enabled,
            is_custom=True,
            metadata=dict(body.metadata),
        )
        with self.state.store.transaction() as tx:
            _insert(tx, provider)
        return pb.CreateProviderResponse(provider=provider)

    @handler
    async def update_provider(
        self, request: pb.UpdateProviderRequest, ctx: Any, events: Events
    ) -> pb.UpdateProviderResponse:
        body = request.provider
        _check_patterns(body.auth_patterns)
        _check_proxy_url(body.proxy_url)
        with self.state.store.transaction() as tx:
            provider = _stored(tx, request.identifier, custom=False)
            for name in ("display_name", "description", "icon_src", "proxy_url", "display_priority"):
                if getattr(body, name):
                    setattr(provider, name, getattr(body, name))
            if body.categories:
                provider.categories[:] = list(body.categories)
            if body.auth_patterns.values:
                provider.auth_patterns.CopyFrom(body.auth_patterns)
            if body.HasField("coming_soon"):
                provider.coming_soon = body.coming_soon.value
            if body.HasField("proxy_enabled"):
                provider.proxy_enabled = body.proxy_enabled.value
            tx.update(KIND, provider.id, provider)
        return pb.UpdateProviderResponse(provider=provider)

    @handler
    async def update_custom_provider(
        self, request: pb.UpdateCustomProviderRequest, ctx: Any, events: Events
    ) -> pb.UpdateProviderResponse:
        body = request.provider
        _check_patterns(body.auth_patterns)
        _check_proxy_url(body.proxy_url)
        with self.state.store.transaction() as tx:
            provider = _stored(tx, request.identifier, custom=True)
            for name in ("display_name", "description", "icon_src", "proxy_url"):
                if getattr(body, name):
                    setattr(provider, name, getattr(body, name))
            if body.auth_patterns.values:
                provider.auth_patterns.CopyFrom(body.auth_patterns)
            if body.proxy_enabled:  # proto3 cannot tell false from unset: false leaves it as it is
                provider.proxy_enabled = True
            if body.metadata:
                provider.metadata.clear()
                provider.metadata.update(dict(body.metadata))
            tx.update(KIND, provider.id, provider)
        return pb.UpdateProviderResponse(provider=provider)

    async def _delete(self, identifier: str, custom: bool) -> pb.DeleteProviderResponse:
        with self.state.store.transaction() as tx:
            provider = _stored(tx, identifier, custom)
            connector = catalogue.connector_of(provider)
            if tx.all(accounts.KIND, ca_pb.ConnectedAccount, parent=connector):
                raise _status.failed_precondition(
                    f"connected accounts still use {provider.identifier}: delete them first",
                    "PROVIDER_IN_USE",
                )
            for tool in tx.all(catalogue.TOOL_KIND, tools_pb2.Tool, parent=provider.identifier):
                tx.delete(catalogue.TOOL_KIND, tool.id)
            tx.delete(KIND, provider.id)
        return pb.DeleteProviderResponse()

    @handler
    async def delete_provider(
        self, request: pb.DeleteProviderRequest, ctx: Any, events: Events
    ) -> pb.DeleteProviderResponse:
        return await self._delete(request.identifier, custom=False)

    @handler
    async def delete_custom_provider(
        self, request: pb.DeleteProviderRequest, ctx: Any, events: Events
    ) -> pb.DeleteProviderResponse:
        return await self._delete(request.identifier, custom=True)

    @handler
    async def list_providers(
        self, request: pb.ListProvidersRequest, ctx: Any, events: Events
    ) -> pb.ListProvidersResponse:
        kind = request.filter.provider_type if request.HasField("filter") else pb.ALL
        ident = request.identifier.upper()

        def wanted(p: pb.Provider) -> bool:
            return (kind == pb.ALL or p.is_custom == (kind == pb.CUSTOM)) and (
                not ident or p.identifier.upper() == ident
            )

        with self.state.store.transaction() as tx:
            stored: paging.Segment
            if ident:  # identifiers are a unique key: at most one stored provider
                found = tx.find(KIND, "identifier", ident, pb.Provider)
                stored = paging.Items([found] if found is not None and wanted(found) else [])
            else:
                tag = {pb.ALL: "", pb.CUSTOM: "type:custom"}.get(kind, "type:default")
                stored = paging.Stored(KIND, pb.Provider, (Match(tag),))
            builtins = paging.Items([p for p in catalogue.BUILTIN_PROVIDERS if wanted(p)])
            page = paging.page(tx, [builtins, stored], request.page_size, request.page_token)
        return pb.ListProvidersResponse(providers=page.items, **page.cursor())  # type: ignore[arg-type]


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return providers_connect.ProviderServiceASGIApplication(ProviderService(state), interceptors=interceptors)
