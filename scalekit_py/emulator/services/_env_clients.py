"""ClientService handlers of environment clients, client secrets and the environment's login URIs;
part of :class:`.clients.ClientService`.

An environment client is created with one secret, returned in plain text in that response only. Its
credentials get tokens at ``/oauth/token`` and, unless ``disallow_scalekit_api_access`` is set, may
call the admin API like the emulator's own client. ``CreateClientSecret`` / ``UpdateClientSecret`` /
``DeleteClientSecret`` serve environment clients and resource clients; a client keeps at least one
secret, at most :data:`~scalekit_py.emulator.m2m.MAX_SECRETS`, and an ``INACTIVE`` secret is refused.
The plain secrets are never stored, so ``ListClient(include_plain_secret=true)`` cannot show them.
"""

from __future__ import annotations

import urllib.parse
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

_ENV_DOC = "environment"
_REPEATED = (
    "back_channel_logout_uris",
    "post_logout_redirect_uris",
    "post_login_uris",
    "scopes",
    "grant_types",
)
_FLAGS = ("disallow_scalekit_api_access", "enforce_pkce")


def _require_url(field: str, value: str) -> None:
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _status.invalid_argument([(field, f"{value!r} is not an http(s) URL", "string.uri")])


def _apply(client: pb.Client, body: pb.CreateClient | pb.UpdateClient) -> None:
    """Set on ``client`` every field of ``body`` that is given (repeated fields are replaced)."""
    if body.name:
        client.name = body.name
    for name in _REPEATED:
        if getattr(body, name):
            getattr(client, name)[:] = list(getattr(body, name))
    if body.custom_claims:
        reserved = [c.key for c in body.custom_claims if c.key in m2m.RESERVED_CLAIMS]
        if reserved:
            raise _status.invalid_argument(
                [("client.custom_claims", f"{reserved[0]!r} is a reserved claim", "custom_claims.key")]
            )
        del client.custom_claims[:]
        client.custom_claims.extend(body.custom_claims)
    if body.HasField("initiate_login_uri"):
        if body.initiate_login_uri:
            _require_url("client.initiate_login_uri", body.initiate_login_uri)
        client.initiate_login_uri = body.initiate_login_uri
    if body.access_token_expiry < 0:
        raise _status.invalid_argument([("client.access_token_expiry", "must not be negative", "int64.gte")])
    if body.access_token_expiry:
        client.access_token_expiry = body.access_token_expiry
    for flag in _FLAGS:
        if has_field(body, flag):
            setattr(client, flag, getattr(body, flag).value)
    if body.HasField("ip_allowlist"):
        client.ip_allowlist.CopyFrom(body.ip_allowlist)


class _EnvClientHandlers(Service):
    def _env_client(self, tx: Tx, client_id: str) -> pb.Client:
        client = tx.get(m2m.ENV_CLIENT, client_id, pb.Client)
        if client is None:
            raise _status.not_found("client", client_id)
        return client

    def _secret_holder(self, tx: Tx, client_id: str) -> pb.Client | pb.M2MClient:
        """The environment client or resource client ``client_id`` (whose secrets these RPCs manage)."""
        env = tx.get(m2m.ENV_CLIENT, client_id, pb.Client)
        if env is not None:
            return env
        res = tx.get(m2m.CLIENT, client_id, pb.M2MClient)
        if res is None or not res.resource_id:
            raise _status.not_found("client", client_id)
        return res

    def _save_holder(self, tx: Tx, holder: pb.Client | pb.M2MClient) -> str:
        holder.update_time.CopyFrom(self.now())
        if isinstance(holder, pb.Client):
            tx.update(m2m.ENV_CLIENT, holder.id, holder)
            return holder.id
        tx.update(m2m.CLIENT, holder.client_id, holder)
        return holder.client_id

    @handler
    async def list_client(
        self, request: pb.ListClientsRequest, ctx: Any, events: Events
    ) -> pb.ListClientsResponse:
        types = set(request.filter.client_type)
        with self.state.store.transaction() as tx:
            page = tx.page(
                m2m.ENV_CLIENT,
                pb.Client,
                page_size=request.page_size,
                page_token=request.page_token,
                match=Match("", any_of=frozenset(str(t) for t in types)) if types else None,
                max_size=30,
            )
        return pb.ListClientsResponse(clients=page.items, **page.cursor())  # type: ignore[arg-type]

    @handler
    async def create_client(
        self, request: pb.CreateClientRequest, ctx: Any, events: Events
    ) -> pb.CreateClientResponse:
        require_fields(
            **{"client.name": request.client.name.strip(), "client.client_type": request.client.client_type}
        )
        now = self.now()
        client = pb.Client(id=new_id("skc"), client_type=request.client.client_type)
        _apply(client, request.client)
        client.create_time.CopyFrom(now)
        client.update_time.CopyFrom(now)
        with self.state.store.transaction() as tx:
            plain = m2m.add_secret(tx, client.id, client.secrets, now)
            tx.insert(m2m.ENV_CLIENT, client.id, client)
        shown = pb.Client()
        shown.CopyFrom(client)
        shown.secrets[-1].plain_secret = plain  # in this response only; never stored
        events.append(("environment.client_created", {"client_id": client.id}))
        return pb.CreateClientResponse(client=shown)

    @handler
    async def get_client(
        self, request: pb.GetClientRequest, ctx: Any, events: Events
    ) -> pb.GetClientResponse:
        with self.state.store.transaction() as tx:
            return pb.GetClientResponse(client=self._env_client(tx, request.client_id))

    @handler
    async def update_client(
        self, request: pb.UpdateClientRequest, ctx: Any, events: Events
    ) -> pb.UpdateClientResponse:
        with self.state.store.transaction() as tx:
            client = self._env_client(tx, request.client_id)
            _apply(client, request.client)
            self._save_holder(tx, client)
        events.append(("environment.client_updated", {"client_id": client.id}))
        return pb.UpdateClientResponse(client=client)

    @handler
    async def delete_client(self, request: pb.DeleteClientRequest, ctx: Any, events: Events) -> Empty:
        with self.state.store.transaction() as tx:
            client = self._env_client(tx, request.client_id)
            m2m.drop_secrets(tx, client.secrets)
            tx.delete(m2m.ENV_CLIENT, client.id)
        events.append(("environment.client_deleted", {"client_id": client.id}))
        return Empty()

    @handler
    async def create_client_secret(
        self, request: pb.CreateClientSecretRequest, ctx: Any, events: Events
    ) -> pb.CreateClientSecretResponse:
        with self.state.store.transaction() as tx:
            holder = self._secret_holder(tx, request.client_id)
            plain = m2m.add_secret(tx, request.client_id, holder.secrets, self.now())
            self._save_holder(tx, holder)
        secret = holder.secrets[-1]
        events.append(("client.secret_created", {"client_id": request.client_id, "secret_id": secret.id}))
        return pb.CreateClientSecretResponse(plain_secret=plain, secret=secret)

    @handler
    async def update_client_secret(
        self, request: pb.UpdateClientSecretRequest, ctx: Any, events: Events
    ) -> pb.UpdateClientSecretResponse:
        with self.state.store.transaction() as tx:
            holder = self._secret_holder(tx, request.client_id)
            secret = next((s for s in holder.secrets if s.id == request.secret_id), None)
            if secret is None:
                raise _status.not_found("client secret", request.secret_id)
            if not request.mask.paths or "status" in request.mask.paths:
                secret.status = request.secret.status
            secret.update_time.CopyFrom(self.now())
            self._save_holder(tx, holder)
        events.append(("client.secret_updated", {"client_id": request.client_id, "secret_id": secret.id}))
        return pb.UpdateClientSecretResponse(secret=secret)

    @handler
    async def delete_client_secret(
        self, request: pb.DeleteClientSecretRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            holder = self._secret_holder(tx, request.client_id)
            m2m.remove_secret(tx, holder.secrets, request.secret_id, keep_one=True)
            self._save_holder(tx, holder)
        events.append(
            ("client.secret_deleted", {"client_id": request.client_id, "secret_id": request.secret_id})
        )
        return Empty()

    # -- the environment's login URIs --------------------------------------------------------------

    def _login_uris(self, tx: Tx) -> pb.EnvironmentLoginUrisResponse:
        doc = tx.get(m2m.LOGIN_URIS, _ENV_DOC, pb.EnvironmentLoginUrisResponse)
        if doc is None:
            doc = pb.EnvironmentLoginUrisResponse(client_id=self.state.client_id)
            tx.insert(m2m.LOGIN_URIS, _ENV_DOC, doc)
        return doc

    @handler
    async def add_environment_redirect_uri(
        self, request: pb.AddEnvironmentRedirectUriRequest, ctx: Any, events: Events
    ) -> pb.EnvironmentLoginUrisResponse:
        _require_url("redirect_uri", request.redirect_uri)
        with self.state.store.transaction() as tx:
            doc = self._login_uris(tx)
            if request.redirect_uri in doc.redirect_uris:
                raise _status.already_exists("redirect uri", repr(request.redirect_uri))
            doc.redirect_uris.append(request.redirect_uri)
            tx.update(m2m.LOGIN_URIS, _ENV_DOC, doc)
        events.append(("environment.redirect_uri_added", {"redirect_uri": request.redirect_uri}))
        return doc

    @handler
    async def remove_environment_redirect_uri(
        self, request: pb.RemoveEnvironmentRedirectUriRequest, ctx: Any, events: Events
    ) -> pb.EnvironmentLoginUrisResponse:
        with self.state.store.transaction() as tx:
            doc = self._login_uris(tx)
            if request.redirect_uri not in doc.redirect_uris:
                raise _status.not_found("redirect uri", request.redirect_uri)
            doc.redirect_uris.remove(request.redirect_uri)
            tx.update(m2m.LOGIN_URIS, _ENV_DOC, doc)
        events.append(("environment.redirect_uri_removed", {"redirect_uri": request.redirect_uri}))
        return doc

    @handler
    async def set_environment_initiate_login_uri(
        self, request: pb.SetEnvironmentInitiateLoginUriRequest, ctx: Any, events: Events
    ) -> pb.EnvironmentLoginUrisResponse:
        _require_url("initiate_login_uri", request.initiate_login_uri)
        with self.state.store.transaction() as tx:
            doc = self._login_uris(tx)
            doc.initiate_login_uri = request.initiate_login_uri
            tx.update(m2m.LOGIN_URIS, _ENV_DOC, doc)
        events.append(
            ("environment.initiate_login_uri_updated", {"initiate_login_uri": request.initiate_login_uri})
        )
        return doc
