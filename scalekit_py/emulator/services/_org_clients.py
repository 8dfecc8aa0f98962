"""ClientService handlers of organization (M2M) clients; part of :class:`.clients.ClientService`.

A client's secret is returned in plain text once (create / add secret); reads show the secrets'
suffixes only. Deleting a client or a secret removes the stored digest, so the credential stops
working at the token endpoint at once. Credentials and tokens: :mod:`scalekit_py.emulator.m2m`.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.empty_pb2 import Empty

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py.emulator import _status, m2m
from scalekit_py.emulator.services._base import Events, Service, handler, new_id, org_id_for
from scalekit_py.emulator.store import Tx


def apply_client_fields(client: pb.M2MClient, body: pb.OrganizationClient | pb.ResourceClient) -> None:
    """Copy the settable fields of a create/update body onto a stored client (repeated ones replaced).

    Raises:
        ConnectError: INVALID_ARGUMENT for a negative expiry or a custom claim naming a reserved claim.
    """
    if body.expiry < 0:
        raise _status.invalid_argument([("client.expiry", "must not be negative", "int64.gte")])
    reserved = [c.key for c in body.custom_claims if c.key in m2m.RESERVED_CLAIMS]
    if reserved:
        raise _status.invalid_argument(
            [("client.custom_claims", f"{reserved[0]!r} is a reserved claim", "custom_claims.key")]
        )
    client.name = body.name
    client.description = body.description
    client.scopes[:] = list(body.scopes)
    del client.custom_claims[:]
    client.custom_claims.extend(body.custom_claims)
    client.expiry = body.expiry


class _OrgClientHandlers(Service):
    def _org_client(self, tx: Tx, org_id: str, client_id: str) -> pb.M2MClient:
        org_id_for(tx, org_id)
        client = tx.get(m2m.CLIENT, client_id, pb.M2MClient)
        if client is None or client.organization_id != org_id:
            raise _status.not_found("client", client_id)
        return client

    @handler
    async def create_organization_client(
        self, request: pb.CreateOrganizationClientRequest, ctx: Any, events: Events
    ) -> pb.CreateOrganizationClientResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id)
            now = self.now()
            client = pb.M2MClient(client_id=new_id("m2morg"), organization_id=org_id)
            apply_client_fields(client, request.client)
            client.audience[:] = list(request.client.audience)
            client.create_time.CopyFrom(now)
            client.update_time.CopyFrom(now)
            plain = m2m.add_secret(tx, client.client_id, client.secrets, now)
            tx.insert(m2m.CLIENT, client.client_id, client, parent=org_id)
        events.append(
            ("organization.client_created", {"organization_id": org_id, "client_id": client.client_id})
        )
        return pb.CreateOrganizationClientResponse(client=client, plain_secret=plain)

    @handler
    async def get_organization_client(
        self, request: pb.GetOrganizationClientRequest, ctx: Any, events: Events
    ) -> pb.GetOrganizationClientResponse:
        with self.state.store.transaction() as tx:
            client = self._org_client(tx, request.organization_id, request.client_id)
        return pb.GetOrganizationClientResponse(client=client)

    @handler
    async def update_organization_client(
        self, request: pb.UpdateOrganizationClientRequest, ctx: Any, events: Events
    ) -> pb.UpdateOrganizationClientResponse:
        with self.state.store.transaction() as tx:
            client = self._org_client(tx, request.organization_id, request.client_id)
            apply_client_fields(client, request.client)
            client.audience[:] = list(request.client.audience)
            client.update_time.CopyFrom(self.now())
            tx.update(m2m.CLIENT, client.client_id, client)
        events.append(
            (
                "organization.client_updated",
                {"organization_id": client.organization_id, "client_id": client.client_id},
            )
        )
        return pb.UpdateOrganizationClientResponse(client=client)

    @handler
    async def delete_organization_client(
        self, request: pb.DeleteOrganizationClientRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            client = self._org_client(tx, request.organization_id, request.client_id)
            m2m.drop_secrets(tx, client.secrets)
            tx.delete(m2m.CLIENT, client.client_id)
        events.append(
            (
                "organization.client_deleted",
                {"organization_id": client.organization_id, "client_id": client.client_id},
            )
        )
        return Empty()

    @handler
    async def create_organization_client_secret(
        self, request: pb.CreateOrganizationClientSecretRequest, ctx: Any, events: Events
    ) -> pb.CreateOrganizationClientSecretResponse:
        with self.state.store.transaction() as tx:
            client = self._org_client(tx, request.organization_id, request.client_id)
            now = self.now()
            plain = m2m.add_secret(tx, client.client_id, client.secrets, now)
            client.update_time.CopyFrom(now)
            tx.update(m2m.CLIENT, client.client_id, client)
        secret = client.secrets[-1]
        events.append(
            (
                "organization.client_secret_created",
                {
                    "organization_id": client.organization_id,
                    "client_id": client.client_id,
                    "secret_id": secret.id,
                },
            )
        )
        return pb.CreateOrganizationClientSecretResponse(plain_secret=plain, secret=secret)

    @handler
    async def delete_organization_client_secret(
        self, request: pb.DeleteOrganizationClientSecretRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            client = self._org_client(tx, request.organization_id, request.client_id)
            m2m.remove_secret(tx, client.secrets, request.secret_id, keep_one=False)
            client.update_time.CopyFrom(self.now())
            tx.update(m2m.CLIENT, client.client_id, client)
        events.append(
            (
                "organization.client_secret_deleted",
                {
                    "organization_id": client.organization_id,
                    "client_id": client.client_id,
                    "secret_id": request.secret_id,
                },
            )
        )
        return Empty()

    @handler
    async def list_organization_clients(
        self, request: pb.ListOrganizationClientsRequest, ctx: Any, events: Events
    ) -> pb.ListOrganizationClientsResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id)
            page = tx.page(
                m2m.CLIENT,
                pb.M2MClient,
                parent=org_id,
                page_size=request.page_size,
                page_token=request.page_token,
            )
        return pb.ListOrganizationClientsResponse(
            clients=page.items,  # type: ignore[arg-type]
            **page.cursor(),
        )
