"""ClientService handlers of API resources and their connections; part of :class:`.clients.ClientService`.

A resource's ``resource_uri`` is unique in the environment (ALREADY_EXISTS) and is the audience of the
tokens its clients get (the resource id when it has no URI). Deleting a resource deletes its clients
(their secrets stop working) and the consents users gave them.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.empty_pb2 import Empty

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py.emulator import _status, m2m
from scalekit_py.emulator.services._base import (
    Events,
    Service,
    handler,
    has_field,
    new_id,
    require_fields,
)
from scalekit_py.emulator.store import Match, Tx

# UpdateResource fields applied when the request has no update mask and the field is set.
_PLAIN_FIELDS = ("name", "description", "resource_uri", "logo_uri", "provider", "resource_id")
_NUMBER_FIELDS = ("access_token_expiry", "refresh_token_expiry")
_FLAG_FIELDS = (
    "disable_dynamic_client_registration",
    "intersect_scopes_user_permission",
    "enable_cimd",
    "xaa_enabled",
    "cimd_client_allowlist_enabled",
    "resource_scope_selection_allowed",
)


def _scopes(names: list[str]) -> list[pb.Scope]:
    return [pb.Scope(id=new_id("scp"), name=n, enabled=True) for n in dict.fromkeys(names)]


def _unique(resource: pb.Resource) -> dict[str, str]:
    return {"resource_uri": resource.resource_uri}


def delete_resource_clients(tx: Tx, resource_id: str) -> list[str]:
    """Delete every client of a resource (with its secrets) and every consent; return the client ids."""
    removed = []
    for client in tx.all(m2m.CLIENT, pb.M2MClient, parent=resource_id):
        m2m.drop_secrets(tx, client.secrets)
        tx.delete(m2m.CLIENT, client.client_id)
        removed.append(client.client_id)
    for consent in tx.all(m2m.CONSENT, pb.ResourceUserConsent, parent=resource_id):
        tx.delete(m2m.CONSENT, consent.id)
    return removed


def find_resource(tx: Tx, resource_id: str) -> pb.Resource:
    """The stored resource; NOT_FOUND when there is none."""
    resource = tx.get(m2m.RESOURCE, resource_id, pb.Resource)
    if resource is None:
        raise _status.not_found("resource", resource_id)
    return resource


class _ResourceHandlers(Service):
    @handler
    async def create_resource(
        self, request: pb.CreateResourceRequest, ctx: Any, events: Events
    ) -> pb.CreateResourceResponse:
        body = request.resource
        require_fields(**{"resource.name": body.name.strip()})
        if body.access_token_expiry < 0 or body.refresh_token_expiry < 0:
            raise _status.invalid_argument([("resource.access_token_expiry", "must not be negative", "gte")])
        now = self.now()
        resource = pb.Resource(
            id=new_id("res"),
            name=body.name,
            resource_uri=body.resource_uri,
            description=body.description,
            resource_type=body.resource_type,
            disable_dynamic_client_registration=body.disable_dynamic_client_registration,
            logo_uri=body.logo_uri,
            access_token_expiry=body.access_token_expiry,
            refresh_token_expiry=body.refresh_token_expiry,
            provider=body.provider,
            resource_id=body.resource_id,
            scopes=_scopes(list(body.scopes)),
            intersect_scopes_user_permission=body.intersect_scopes_user_permission,
            enable_cimd=body.enable_cimd,
            xaa_enabled=body.xaa_enabled,
            cimd_client_allowlist=body.cimd_client_allowlist,
            cimd_client_allowlist_enabled=body.cimd_client_allowlist_enabled,
            resource_scope_selection_allowed=body.resource_scope_selection_allowed,
        )
        resource.create_time.CopyFrom(now)
        resource.update_time.CopyFrom(now)
        with self.state.store.transaction() as tx:
            tx.insert(m2m.RESOURCE, resource.id, resource, unique=_unique(resource))
        events.append(("resource.created", {"resource_id": resource.id}))
        return pb.CreateResourceResponse(resource=resource)

    @handler
    async def get_resource(
        self, request: pb.GetResourceRequest, ctx: Any, events: Events
    ) -> pb.GetResourceResponse:
        with self.state.store.transaction() as tx:
            return pb.GetResourceResponse(resource=find_resource(tx, request.resource_id))

    @handler
    async def list_resources(
        self, request: pb.ListResourcesRequest, ctx: Any, events: Events
    ) -> pb.ListResourcesResponse:
        wanted = request.resource_type
        with self.state.store.transaction() as tx:
            page = tx.page(
                m2m.RESOURCE,
                pb.Resource,
                page_size=request.page_size,
                page_token=request.page_token,
                match=Match(f"type:{wanted}"),
                max_size=30,
            )
        return pb.ListResourcesResponse(resources=page.items, **page.cursor())  # type: ignore[arg-type]

    @handler
    async def update_resource(
        self, request: pb.UpdateResourceRequest, ctx: Any, events: Events
    ) -> pb.UpdateResourceResponse:
        body = request.resource
        mask = set(request.update_mask.paths)
        with self.state.store.transaction() as tx:
            resource = find_resource(tx, request.resource_id)
            for name in (*_PLAIN_FIELDS, *_NUMBER_FIELDS):
                if name in mask or (not mask and getattr(body, name)):
                    setattr(resource, name, getattr(body, name))
            for name in _FLAG_FIELDS:
                if has_field(body, name):
                    setattr(resource, name, getattr(body, name).value)
            if "scopes" in mask or (not mask and body.scopes):
                kept = {s.name: s for s in resource.scopes}
                new = [kept.get(n) or _scopes([n])[0] for n in dict.fromkeys(body.scopes)]
                del resource.scopes[:]
                resource.scopes.extend(new)
            if "cimd_client_allowlist" in mask or (not mask and body.cimd_client_allowlist):
                del resource.cimd_client_allowlist[:]
                resource.cimd_client_allowlist.extend(body.cimd_client_allowlist)
            if body.HasField("custom_connection_settings"):
                self._ensure_connection(resource)
                resource.connection_details.settings.update(
                    {"authorize_uri": body.custom_connection_settings.authorize_uri}
                )
            if not resource.name.strip():
                raise _status.invalid_argument([("resource.name", "is required", "required")])
            resource.update_time.CopyFrom(self.now())
            tx.update(m2m.RESOURCE, resource.id, resource, unique=_unique(resource))
        events.append(("resource.updated", {"resource_id": resource.id}))
        return pb.UpdateResourceResponse(resource=resource)

    @handler
    async def delete_resource(self, request: pb.DeleteResourceRequest, ctx: Any, events: Events) -> Empty:
        with self.state.store.transaction() as tx:
            resource = find_resource(tx, request.resource_id)
            removed = delete_resource_clients(tx, resource.id)
            tx.delete(m2m.RESOURCE, resource.id)
        for client_id in removed:
            events.append(("resource.client_deleted", {"resource_id": resource.id, "client_id": client_id}))
        events.append(("resource.deleted", {"resource_id": resource.id}))
        return Empty()

    @handler
    async def delete_resource_provider(
        self, request: pb.DeleteResourceProviderRequest, ctx: Any, events: Events
    ) -> pb.GetResourceResponse:
        with self.state.store.transaction() as tx:
            resource = find_resource(tx, request.resource_id)
            if not resource.provider and not resource.HasField("connection_details"):
                raise _status.failed_precondition(
                    f"resource {resource.id!r} has no provider", error_code="PROVIDER_NOT_FOUND"
                )
            resource.provider = ""
            resource.ClearField("connection_details")
            resource.update_time.CopyFrom(self.now())
            tx.update(m2m.RESOURCE, resource.id, resource)
        events.append(("resource.updated", {"resource_id": resource.id}))
        return pb.GetResourceResponse(resource=resource)

    def _ensure_connection(self, resource: pb.Resource) -> bool:
        """Give the resource a connection when it has none; True when one was created."""
        if resource.HasField("connection_details"):
            return False
        resource.connection_details.CopyFrom(
            pb.ResourceConnection(
                id=new_id("conn"),
                type=pb.CUSTOM,
                status="CONFIGURED",
                enabled=True,
                provider=resource.provider,
            )
        )
        return True

    @handler
    async def ensure_resource_connection(
        self, request: pb.EnsureResourceConnectionRequest, ctx: Any, events: Events
    ) -> pb.EnsureResourceConnectionResponse:
        with self.state.store.transaction() as tx:
            resource = find_resource(tx, request.resource_id)
            if self._ensure_connection(resource):
                resource.update_time.CopyFrom(self.now())
                tx.update(m2m.RESOURCE, resource.id, resource)
                events.append(("resource.updated", {"resource_id": resource.id}))
        return pb.EnsureResourceConnectionResponse(connection=resource.connection_details)
