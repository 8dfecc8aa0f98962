"""ClientService handlers of resource clients and user consents; part of :class:`.clients.ClientService`.

A resource client's audience is its resource (set by the service, whatever the request says); its
scopes must be among the resource's scopes when the resource defines any. A consent is recorded when a
user authorises a resource client at ``/oauth/authorize`` (``m2m.record_consent``) and removed by
``RevokeUserConsent`` or with the client.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py.emulator import _status, m2m
from scalekit_py.emulator.services._base import Events, Service, handler, listing_key, new_id
from scalekit_py.emulator.services._org_clients import apply_client_fields
from scalekit_py.emulator.services._resources import find_resource
from scalekit_py.emulator.store import Tx

_MASKABLE = {"name", "description", "scopes", "custom_claims", "expiry", "redirect_uris"}


def _check(resource: pb.Resource, body: pb.ResourceClient) -> None:
    """INVALID_ARGUMENT for scopes the resource does not define or redirect URIs that are no URLs."""
    defined = {s.name for s in resource.scopes}
    unknown = [s for s in body.scopes if defined and s not in defined]
    if unknown:
        raise _status.invalid_argument(
            [("client.scopes", f"scope {unknown[0]!r} is not defined by the resource", "scopes.in")]
        )
    for uri in body.redirect_uris:
        parts = urllib.parse.urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _status.invalid_argument(
                [("client.redirect_uris", f"{uri!r} is not an http(s) URL", "string.uri")]
            )


class _ResourceClientHandlers(Service):
    def _resource_client(self, tx: Tx, resource_id: str, client_id: str) -> tuple[pb.Resource, pb.M2MClient]:
        resource = find_resource(tx, resource_id)
        client = tx.get(m2m.CLIENT, client_id, pb.M2MClient)
        if client is None or client.resource_id != resource.id:
            raise _status.not_found("client", client_id)
        return resource, client

    @handler
    async def create_resource_client(
        self, request: pb.CreateResourceClientRequest, ctx: Any, events: Events
    ) -> pb.CreateResourceClientResponse:
        with self.state.store.transaction() as tx:
            resource = find_resource(tx, request.resource_id)
            _check(resource, request.client)
            now = self.now()
            client = pb.M2MClient(client_id=new_id("m2m"), resource_id=resource.id)
            apply_client_fields(client, request.client)
            client.redirect_uris[:] = list(request.client.redirect_uris)
            client.audience[:] = [resource.resource_uri or resource.id]
            client.create_time.CopyFrom(now)
            client.update_time.CopyFrom(now)
            plain = m2m.add_secret(tx, client.client_id, client.secrets, now)
            tx.insert(m2m.CLIENT, client.client_id, client, parent=resource.id)
        events.append(
            ("resource.client_created", {"resource_id": resource.id, "client_id": client.client_id})
        )
        return pb.CreateResourceClientResponse(client=client, plain_secret=plain)

    @handler
    async def update_resource_client(
        self, request: pb.UpdateResourceClientRequest, ctx: Any, events: Events
    ) -> pb.UpdateResourceClientResponse:
        body = request.client
        mask = set(request.update_mask.paths)
        unknown = sorted(mask - _MASKABLE)
        if unknown:
            raise _status.invalid_argument([("update_mask", f"{unknown[0]!r} cannot be updated", "paths.in")])
        with self.state.store.transaction() as tx:
            resource, client = self._resource_client(tx, request.resource_id, request.client_id)
            _check(resource, body)
            merged = pb.ResourceClient(
                name=body.name or client.name,
                description=body.description or client.description,
                scopes=body.scopes if "scopes" in mask or (not mask and body.scopes) else client.scopes,
                custom_claims=(
                    body.custom_claims
                    if "custom_claims" in mask or (not mask and body.custom_claims)
                    else client.custom_claims
                ),
                expiry=body.expiry if "expiry" in mask or (not mask and body.expiry) else client.expiry,
            )
            apply_client_fields(client, merged)
            if "redirect_uris" in mask or (not mask and body.redirect_uris):
                client.redirect_uris[:] = list(body.redirect_uris)
            client.update_time.CopyFrom(self.now())
            tx.update(m2m.CLIENT, client.client_id, client)
        events.append(
            ("resource.client_updated", {"resource_id": resource.id, "client_id": client.client_id})
        )
        return pb.UpdateResourceClientResponse(client=client)

    @handler
    async def get_resource_client(
        self, request: pb.GetResourceClientRequest, ctx: Any, events: Events
    ) -> pb.GetResourceClientResponse:
        with self.state.store.transaction() as tx:
            resource, client = self._resource_client(tx, request.resource_id, request.client_id)
            consents = [
                pb.ConsentedUser(consent_id=c.id, external_user_id=c.external_user_id, scopes=c.scopes)
                for c in tx.all(m2m.CONSENT, pb.ResourceUserConsent, parent=resource.id)
                if c.client_id == client.client_id
            ]
        return pb.GetResourceClientResponse(client=client, consented_users=consents)

    @handler
    async def list_resource_clients(
        self, request: pb.ListResourceClientsRequest, ctx: Any, events: Events
    ) -> pb.ListResourceClientsResponse:
        with self.state.store.transaction() as tx:
            resource = find_resource(tx, request.resource_id)
            clients = tx.all(m2m.CLIENT, pb.M2MClient, parent=resource.id)
        dcr = sum(1 for c in clients if c.is_dcr)
        return pb.ListResourceClientsResponse(
            clients=clients, total_dcr_clients=dcr, total_static_clients=len(clients) - dcr
        )

    @handler
    async def delete_resource_client(
        self, request: pb.DeleteResourceClientRequest, ctx: Any, events: Events
    ) -> pb.DeleteResourceClientResponse:
        with self.state.store.transaction() as tx:
            resource, client = self._resource_client(tx, request.resource_id, request.client_id)
            m2m.drop_secrets(tx, client.secrets)
            tx.delete(m2m.CLIENT, client.client_id)
            for consent in tx.all(m2m.CONSENT, pb.ResourceUserConsent, parent=resource.id):
                if consent.client_id == client.client_id:
                    tx.delete(m2m.CONSENT, consent.id)
        events.append(
            ("resource.client_deleted", {"resource_id": resource.id, "client_id": client.client_id})
        )
        return pb.DeleteResourceClientResponse()

    @handler
    async def list_resource_user_consents(
        self, request: pb.ListResourceUserConsentsRequest, ctx: Any, events: Events
    ) -> pb.ListResourceUserConsentsResponse:
        exact = set(request.filter.external_user_id)
        search = request.search.strip().lower()

        def matches(consent: pb.ResourceUserConsent) -> bool:
            if exact:  # exact ids win over the search text
                return consent.external_user_id in exact
            return search in consent.external_user_id.lower()

        with self.state.store.transaction() as tx:
            resource = find_resource(tx, request.resource_id)
            page = tx.page(
                m2m.CONSENT,
                pb.ResourceUserConsent,
                parent=resource.id,
                page_size=request.page_size,
                page_token=request.page_token,
                where=matches,
                key=listing_key(request),
                max_size=30,
            )
        return pb.ListResourceUserConsentsResponse(consents=page.items, **page.cursor())  # type: ignore[arg-type]

    @handler
    async def revoke_user_consent(
        self, request: pb.RevokeUserConsentRequest, ctx: Any, events: Events
    ) -> pb.RevokeUserConsentResponse:
        with self.state.store.transaction() as tx:
            client = tx.get(m2m.CLIENT, request.client_id, pb.M2MClient)
            if client is None or not client.resource_id:
                raise _status.not_found("client", request.client_id)
            consent = tx.get(m2m.CONSENT, request.consent_id, pb.ResourceUserConsent)
            if consent is None or consent.client_id != client.client_id:
                raise _status.not_found("consent", request.consent_id)
            tx.delete(m2m.CONSENT, consent.id)
        events.append(
            (
                "resource.consent_revoked",
                {"resource_id": client.resource_id, "client_id": client.client_id, "consent_id": consent.id},
            )
        )
        return pb.RevokeUserConsentResponse()
