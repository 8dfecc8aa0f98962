"""ConnectionService: organization SSO connections and environment (social, passwordless, app) connections.

Connections are ``connection`` documents whose parent is the organization id, or ``''`` for environment
connections (unique ``key_id``). A connection's ``domains`` are stored as bare domain ids and filled in
from the ``domain`` documents on every read, so a deleted domain simply drops out. The status follows
the configuration (DRAFT → IN_PROGRESS → COMPLETED) and only a COMPLETED connection can be enabled.

Kinds owned here besides ``connection``:
  * ``connection_flags`` — :class:`Flags` of an environment connection (id = connection id);
  * ``connection_test`` — a :class:`GetConnectionTestResultResponse` (id ``test_…``, parent = connection
    id), written by :func:`record_connection_test` when a test login finishes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from google.protobuf.empty_pb2 import Empty
from google.protobuf.message import Message

from scalekit_api.v1.connections import connections_connect
from scalekit_api.v1.connections import connections_pb2 as pb
from scalekit_api.v1.domains import domains_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.services._app_providers import APP_PROVIDERS, app_key_id
from scalekit_py.emulator.services._base import (
    Events,
    Service,
    handler,
    listing_key,
    new_id,
    org_id_for,
    require_fields,
    timestamp,
)
from scalekit_py.emulator.services._connection_model import (
    _SECRET_FIELDS,
    _SUMMARY_FIELDS,
    FLAGS,
    KIND,
    SETTINGS_FOR_TYPE,
    TEST,
    R,
    _mask,
    _matches,
    _merge,
    _refresh_status,
    delete_connection_tree,
    record_connection_test,
)
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Tx

__all__ = ["ConnectionService", "create_app", "delete_connection_tree", "record_connection_test"]


class ConnectionService(Service, connections_connect.ConnectionService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    # --- helpers ---------------------------------------------------------------------------------------

    def _new(self, src: pb.CreateConnection, org_id: str) -> pb.Connection:
        now = self.now()
        conn = pb.Connection(
            id=new_id("conn"),
            provider=src.provider or pb.CUSTOM,
            type=src.type,
            enabled=False,
            provider_key=src.provider_key,
            auth_mode=src.auth_mode,
            create_time=now,
            update_time=now,
        )
        if org_id:
            conn.organization_id = org_id
        if src.HasField("key_id") and src.key_id:
            conn.key_id = src.key_id
        base = self.state.env_url
        conn.test_connection_uri = f"{base}/sso/v1/connections/{conn.id}/test"
        setting = SETTINGS_FOR_TYPE.get(conn.type, "static_config")
        if setting == "oidc_config":
            conn.oidc_config.redirect_uri = f"{base}/sso/v1/oidc/callback"
        elif setting == "saml_config":
            sp = f"{base}/sso/v1/saml/{conn.id}"
            conn.saml_config.sp_entity_id = sp
            conn.saml_config.sp_assertion_url = f"{sp}/acs"
            conn.saml_config.sp_metadata_url = f"{sp}/metadata"
            conn.saml_config.sp_slo_url.value = f"{sp}/slo"
        elif setting == "oauth_config":
            conn.oauth_config.redirect_uri = f"{base}/sso/v1/oauth/{conn.id}/callback"
            if conn.type == pb.OAUTH:
                conn.oauth_config.use_platform_creds.value = True
        else:
            getattr(conn, setting).SetInParent()
        _refresh_status(conn)
        return conn

    def _hydrate(self, tx: Tx, conn: pb.Connection) -> pb.Connection:
        """The connection as clients see it: domains filled in, secrets masked."""
        out = pb.Connection()
        out.CopyFrom(conn)
        del out.domains[:]
        for ref in conn.domains:
            domain = tx.get("domain", ref.id, domains_pb2.Domain)
            if domain is not None:
                out.domains.append(domain)
        setting = out.WhichOneof("settings")
        for name in _SECRET_FIELDS.get(setting or "", ()):
            wrapper = getattr(getattr(out, setting or ""), name)
            if wrapper.value:
                wrapper.value = _mask(wrapper.value)
        if setting == "google_dwd_config":
            out.google_dwd_config.ClearField("service_account_json")
        return out

    def _summaries(self, tx: Tx, conns: Sequence[Message]) -> list[pb.ListConnection]:
        names: dict[str, str] = {}
        out = []
        for c in conns:
            assert isinstance(c, pb.Connection)
            if c.organization_id not in names:
                org = tx.get("organization", c.organization_id, organizations_pb2.Organization)
                names[c.organization_id] = org.display_name if org else ""
            domains = [d.domain for d in self._hydrate(tx, c).domains]
            item = pb.ListConnection(organization_name=names[c.organization_id], domains=domains)
            item.created_at.CopyFrom(c.create_time)
            for name in _SUMMARY_FIELDS:
                setattr(item, name, getattr(c, name))
            out.append(item)
        return out

    def _listing(
        self,
        tx: Tx,
        cls: Callable[..., R],
        request: Any,
        match: Match,
        where: Callable[[pb.Connection], bool] | None = None,
        reads: Sequence[str] = (),
    ) -> R:
        page = tx.page(
            KIND, pb.Connection, page_size=request.page_size, page_token=request.page_token, match=match,
            where=where, key=listing_key(request), reads=reads, max_size=30,
        )  # fmt: skip
        return cls(
            connections=self._summaries(tx, page.items),
            **page.cursor(),
        )

    def _org_conn(self, tx: Tx, org_id: str, conn_id: str) -> pb.Connection:
        require_fields(id=conn_id)
        org_id = org_id_for(tx, org_id)
        conn = tx.get(KIND, conn_id, pb.Connection)
        if conn is None or conn.organization_id != org_id:
            raise _status.not_found("connection", conn_id)
        return conn

    def _env_conn(self, tx: Tx, conn_id: str) -> pb.Connection:
        require_fields(connection_id=conn_id)
        conn = tx.get(KIND, conn_id, pb.Connection)
        if conn is None or conn.HasField("organization_id"):
            raise _status.not_found("connection", conn_id)
        return conn

    def _event(self, events: Events, name: str, conn: pb.Connection) -> None:
        # The service's names for organization connections (``organization.sso_created``, ...); an
        # environment connection belongs to no organization.
        kind = "organization.sso_" if conn.organization_id else "connection."
        events.append((kind + name, {"connection_id": conn.id, "organization_id": conn.organization_id}))

    def _update(self, tx: Tx, conn: pb.Connection, src: pb.UpdateConnection, events: Events) -> pb.Connection:
        if src.type and src.type != conn.type:
            fresh = self._new(
                pb.CreateConnection(type=src.type, provider=conn.provider), conn.organization_id
            )
            conn.type = src.type
            setting = fresh.WhichOneof("settings") or "static_config"
            getattr(conn, setting).CopyFrom(getattr(fresh, setting))
        if src.provider:
            conn.provider = src.provider
        if src.HasField("debug_enabled"):
            conn.debug_enabled = src.debug_enabled.value
        if src.HasField("ui_button_title"):
            conn.ui_button_title = src.ui_button_title.value
        if src.configuration_type:
            conn.configuration_type = src.configuration_type
        if src.attribute_mapping:
            conn.attribute_mapping.clear()
            conn.attribute_mapping.update(src.attribute_mapping)
        if src.provider_key:
            conn.provider_key = src.provider_key
        if src.HasField("key_id"):
            conn.key_id = src.key_id
        sent = src.WhichOneof("settings")
        if sent:
            expected = SETTINGS_FOR_TYPE.get(conn.type, "static_config")
            if sent != expected:
                why = f"a {pb.ConnectionType.Name(conn.type)} connection takes {expected}"
                raise _status.invalid_argument([(f"connection.{sent}", why, "settings")])
            if sent == "saml_config":
                self._merge_saml(conn.saml_config, src.saml_config)
            else:
                _merge(getattr(conn, sent), getattr(src, sent))
        _refresh_status(conn)
        conn.update_time.CopyFrom(self.now())
        tx.update(KIND, conn.id, conn, unique={"key_id": conn.key_id})
        self._event(events, "updated", conn)
        return self._hydrate(tx, conn)

    def _merge_saml(self, dst: pb.SAMLConnectionConfigResponse, src: pb.SAMLConnectionConfigRequest) -> None:
        fields = dst.DESCRIPTOR.fields_by_name
        for f, value in src.ListFields():
            if f.name == "idp_certificate":
                if value.value and all(c.certificate != value.value for c in dst.idp_certificates):
                    now = self.state.clock()
                    dst.idp_certificates.add(
                        id=new_id("cert"),
                        certificate=value.value,
                        create_time=timestamp(now),
                        expiry_time=timestamp(now + 365 * 24 * 3600),
                        issuer=src.idp_entity_id.value or dst.idp_entity_id.value,
                    )
            elif f.name in fields:
                target = fields[f.name]
                if target.message_type is None and isinstance(value, Message):
                    setattr(dst, f.name, cast(Any, value).value)
                elif isinstance(value, Message):
                    getattr(dst, f.name).CopyFrom(value)
                else:
                    setattr(dst, f.name, value)

    def _toggle(
        self, tx: Tx, conn: pb.Connection, enabled: bool, events: Events
    ) -> pb.ToggleConnectionResponse:
        if enabled and conn.status != pb.COMPLETED:
            raise _status.failed_precondition(
                f"connection {conn.id} is not fully configured ({pb.ConnectionStatus.Name(conn.status)})",
                "CONNECTION_NOT_CONFIGURED",
            )
        if conn.enabled != enabled:
            conn.enabled = enabled
            conn.update_time.CopyFrom(self.now())
            tx.update(KIND, conn.id, conn)
            self._event(events, "enabled" if enabled else "disabled", conn)
        return pb.ToggleConnectionResponse(enabled=conn.enabled)

    # --- create / read ---------------------------------------------------------------------------------

    @handler
    async def create_connection(
        self, request: pb.CreateConnectionRequest, ctx: Any, events: Events
    ) -> pb.CreateConnectionResponse:
        if not request.connection.type:
            raise _status.invalid_argument([("connection.type", "is required", "required")])
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id)
            conn = self._new(request.connection, org_id)
            tx.insert(KIND, conn.id, conn, parent=org_id, unique={"key_id": conn.key_id})
            out = self._hydrate(tx, conn)
        self._event(events, "created", conn)
        return pb.CreateConnectionResponse(connection=out)

    @handler
    async def create_environment_connection(
        self, request: pb.CreateEnvironmentConnectionRequest, ctx: Any, events: Events
    ) -> pb.CreateConnectionResponse:
        if not request.connection.type:
            raise _status.invalid_argument([("connection.type", "is required", "required")])
        conn = self._new(request.connection, "")
        is_app = request.flags.is_app and conn.type == pb.OAUTH
        app = APP_PROVIDERS.get(conn.provider_key.lower()) if is_app else None
        if app is not None:
            if not conn.key_id:
                conn.key_id = app_key_id(conn.provider_key)
            conn.enabled = True
            conn.oauth_config.authorize_uri.value = app.authorize_uri
            conn.oauth_config.token_uri.value = app.token_uri
        with self.state.store.transaction() as tx:
            tx.insert(KIND, conn.id, conn, unique={"key_id": conn.key_id})
            tx.insert(FLAGS, conn.id, request.flags)
            out = self._hydrate(tx, conn)
        self._event(events, "created", conn)
        return pb.CreateConnectionResponse(connection=out)

    @handler
    async def get_connection(
        self, request: pb.GetConnectionRequest, ctx: Any, events: Events
    ) -> pb.GetConnectionResponse:
        with self.state.store.transaction() as tx:
            conn = self._org_conn(tx, request.organization_id, request.id)
            return pb.GetConnectionResponse(connection=self._hydrate(tx, conn))

    @handler
    async def get_environment_connection(
        self, request: pb.GetEnvironmentConnectionRequest, ctx: Any, events: Events
    ) -> pb.GetConnectionResponse:
        with self.state.store.transaction() as tx:
            conn = self._env_conn(tx, request.connection_id)
            return pb.GetConnectionResponse(connection=self._hydrate(tx, conn))

    @handler
    async def assign_domains_to_connection(
        self, request: pb.AssignDomainsToConnectionRequest, ctx: Any, events: Events
    ) -> pb.AssignDomainsToConnectionResponse:
        with self.state.store.transaction() as tx:
            conn = self._org_conn(tx, request.organization_id, request.connection_id)
            for domain_id in request.domain_ids:
                domain = tx.get("domain", domain_id, domains_pb2.Domain)
                if domain is None or domain.organization_id != conn.organization_id:
                    raise _status.not_found("domain", domain_id)
            del conn.domains[:]
            conn.domains.extend(domains_pb2.Domain(id=d) for d in dict.fromkeys(request.domain_ids))
            conn.update_time.CopyFrom(self.now())
            tx.update(KIND, conn.id, conn)
            out = self._hydrate(tx, conn)
        self._event(events, "updated", conn)
        return pb.AssignDomainsToConnectionResponse(connection=out)

    # --- listings --------------------------------------------------------------------------------------

    @handler
    async def list_connections(
        self, request: pb.ListConnectionsRequest, ctx: Any, events: Events
    ) -> pb.ListConnectionsResponse:
        include = request.include if request.HasField("include") else ""
        if include not in ("", "all"):
            raise _status.invalid_argument([("include", "must be 'all' or empty", "in")])
        with self.state.store.transaction() as tx:
            conns: list[pb.Connection]
            if request.HasField("organization_id"):
                conns = tx.all(KIND, pb.Connection, parent=org_id_for(tx, request.organization_id))
            else:
                conns = tx.all(KIND, pb.Connection)
            if request.HasField("domain"):
                domain = tx.find("domain", "domain", request.domain.lower(), domains_pb2.Domain)
                conns = [
                    c
                    for c in conns
                    if domain is not None
                    and c.organization_id == domain.organization_id
                    and (not c.domains or any(d.id == domain.id for d in c.domains))
                ]
            if include != "all":
                conns = [c for c in conns if c.enabled]
            return pb.ListConnectionsResponse(connections=self._summaries(tx, conns))

    @handler
    async def list_organization_connections(
        self, request: pb.ListOrganizationConnectionsRequest, ctx: Any, events: Events
    ) -> pb.ListOrganizationConnectionsResponse:
        with self.state.store.transaction() as tx:
            return self._listing(tx, pb.ListOrganizationConnectionsResponse, request, Match("org"))

    @handler
    async def search_organization_connections(
        self, request: pb.SearchOrganizationConnectionsRequest, ctx: Any, events: Events
    ) -> pb.SearchOrganizationConnectionsResponse:
        query, provider, r = request.query.lower(), request.provider.lower(), request
        with self.state.store.transaction() as tx:
            names: dict[str, str] = {}

            def org_name(org_id: str) -> str:  # only the organizations that own a connection are read
                if org_id not in names:
                    org = tx.get("organization", org_id, organizations_pb2.Organization)
                    names[org_id] = org.display_name if org is not None else ""
                return names[org_id]

            def matches(c: pb.Connection) -> bool:
                return (
                    (not r.HasField("status") or c.status == r.status)
                    and (not r.HasField("connection_type") or c.type == r.connection_type)
                    and (not r.HasField("enabled") or c.enabled == r.enabled)
                    and _matches(c, query, provider, c.organization_id, org_name(c.organization_id))
                )

            return self._listing(
                tx, pb.SearchOrganizationConnectionsResponse, r, Match("org"), matches, ("organization",)
            )

    @handler
    async def list_app_connections(
        self, request: pb.ListAppConnectionsRequest, ctx: Any, events: Events
    ) -> pb.ListAppConnectionsResponse:
        query, provider = request.query.lower(), request.provider.lower()
        with self.state.store.transaction() as tx:

            def app(c: pb.Connection) -> bool:
                flags = tx.get(FLAGS, c.id, pb.Flags)
                return flags is not None and flags.is_app and _matches(c, query, provider)

            return self._listing(tx, pb.ListAppConnectionsResponse, request, Match("env"), app, (FLAGS,))

    # --- update / delete / toggle ----------------------------------------------------------------------

    @handler
    async def update_connection(
        self, request: pb.UpdateConnectionRequest, ctx: Any, events: Events
    ) -> pb.UpdateConnectionResponse:
        with self.state.store.transaction() as tx:
            conn = self._org_conn(tx, request.organization_id, request.id)
            return pb.UpdateConnectionResponse(connection=self._update(tx, conn, request.connection, events))

    @handler
    async def update_environment_connection(
        self, request: pb.UpdateEnvironmentConnectionRequest, ctx: Any, events: Events
    ) -> pb.UpdateConnectionResponse:
        with self.state.store.transaction() as tx:
            conn = self._env_conn(tx, request.connection_id)
            return pb.UpdateConnectionResponse(connection=self._update(tx, conn, request.connection, events))

    @handler
    async def delete_connection(self, request: pb.DeleteConnectionRequest, ctx: Any, events: Events) -> Empty:
        with self.state.store.transaction() as tx:
            conn = self._org_conn(tx, request.organization_id, request.id)
            delete_connection_tree(tx, conn.id)
        self._event(events, "deleted", conn)
        return Empty()

    @handler
    async def delete_environment_connection(
        self, request: pb.DeleteEnvironmentConnectionRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            conn = self._env_conn(tx, request.connection_id)
            delete_connection_tree(tx, conn.id)
        self._event(events, "deleted", conn)
        return Empty()

    @handler
    async def enable_connection(
        self, request: pb.ToggleConnectionRequest, ctx: Any, events: Events
    ) -> pb.ToggleConnectionResponse:
        with self.state.store.transaction() as tx:
            return self._toggle(tx, self._org_conn(tx, request.organization_id, request.id), True, events)

    @handler
    async def disable_connection(
        self, request: pb.ToggleConnectionRequest, ctx: Any, events: Events
    ) -> pb.ToggleConnectionResponse:
        with self.state.store.transaction() as tx:
            return self._toggle(tx, self._org_conn(tx, request.organization_id, request.id), False, events)

    @handler
    async def enable_environment_connection(
        self, request: pb.ToggleEnvironmentConnectionRequest, ctx: Any, events: Events
    ) -> pb.ToggleConnectionResponse:
        with self.state.store.transaction() as tx:
            return self._toggle(tx, self._env_conn(tx, request.connection_id), True, events)

    @handler
    async def disable_environment_connection(
        self, request: pb.ToggleEnvironmentConnectionRequest, ctx: Any, events: Events
    ) -> pb.ToggleConnectionResponse:
        with self.state.store.transaction() as tx:
            return self._toggle(tx, self._env_conn(tx, request.connection_id), False, events)

    @handler
    async def get_connection_test_result(
        self, request: pb.GetConnectionTestResultRequest, ctx: Any, events: Events
    ) -> pb.GetConnectionTestResultResponse:
        with self.state.store.transaction() as tx:
            if tx.get(KIND, request.connection_id, pb.Connection) is None:
                raise _status.not_found("connection", request.connection_id)
            result = tx.get(TEST, request.test_request_id, pb.GetConnectionTestResultResponse)
            if result is None or tx.parent_of(TEST, request.test_request_id) != request.connection_id:
                raise _status.not_found("connection_test", request.test_request_id)
        return result


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return connections_connect.ConnectionServiceASGIApplication(
        ConnectionService(state), interceptors=interceptors
    )
