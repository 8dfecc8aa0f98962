"""McpService: MCP configurations, per-user instances, session tokens, and the single-user MCP servers.

Rules in :mod:`scalekit_py.emulator.agentkit.mcp`. URLs: a configuration is served at
``<env_url>/mcp/configs/<id>``, an instance at ``<env_url>/mcp/instances/<id>`` and a single-user server
at ``<env_url>/mcp/servers/<id>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectrpc.errors import ConnectError

from scalekit_api.v1.mcp import mcp_connect
from scalekit_api.v1.mcp import mcp_pb2 as pb
from scalekit_py.emulator import _status
from scalekit_py.emulator.agentkit import accounts
from scalekit_py.emulator.agentkit import mcp as model
from scalekit_py.emulator.services._base import (
    Events,
    Service,
    handler,
    listing_key,
    new_id,
    require_fields,
    timestamp,
)
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Tx


def _get(tx: Tx, kind: str, doc_id: str, cls: type[Any], what: str) -> Any:
    doc = tx.get(kind, doc_id, cls)
    if doc is None:
        raise _status.not_found(what, doc_id)
    return doc


def _server_status(tx: Tx, mcp: pb.Mcp) -> pb.Mcp:
    """The server with each mapping's status: its identifier's account status, or ``NOT_CONNECTED``."""
    out = pb.Mcp()
    out.CopyFrom(mcp)
    for mapping in out.tool_mappings:
        try:
            account = accounts.select(
                tx, connector=mapping.connection_name, identifier=mcp.connected_account_identifier
            )
            mapping.status = accounts.status_name(account.status)
        except ConnectError:
            mapping.status = "NOT_CONNECTED"
    return out


class McpService(Service, mcp_connect.McpService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    def _config_url(self, config_id: str) -> str:
        return f"{self.state.env_url}/mcp/configs/{config_id}"

    @handler
    async def create_mcp(
        self, request: pb.CreateMcpRequest, ctx: Any, events: Events
    ) -> pb.CreateMcpResponse:
        require_fields(**{"mcp.connected_account_identifier": request.mcp.connected_account_identifier})
        with self.state.store.transaction() as tx:
            as_config = [
                pb.McpConfigConnectionToolMapping(connection_name=m.connection_name, tools=list(m.tool_names))
                for m in request.mcp.tool_mappings
            ]
            checked = model.checked_mappings(tx, as_config, "mcp.tool_mappings")
            server_id = new_id("mcp")
            mcp = pb.Mcp(
                id=server_id,
                connected_account_identifier=request.mcp.connected_account_identifier,
                url=f"{self.state.env_url}/mcp/servers/{server_id}",
                tool_mappings=[
                    pb.ToolMapping(connection_name=m.connection_name, tool_names=m.tools) for m in checked
                ],
            )
            tx.insert(model.MCP_KIND, mcp.id, mcp)
            return pb.CreateMcpResponse(mcp=_server_status(tx, mcp))

    @handler
    async def get_mcp(self, request: pb.GetMcpRequest, ctx: Any, events: Events) -> pb.GetMcpResponse:
        with self.state.store.transaction() as tx:
            mcp = _get(tx, model.MCP_KIND, request.mcp_id, pb.Mcp, "MCP server")
            return pb.GetMcpResponse(mcp=_server_status(tx, mcp))

    @handler
    async def list_mcp(self, request: pb.ListMcpRequest, ctx: Any, events: Events) -> pb.ListMcpResponse:
        f = request.filter
        with self.state.store.transaction() as tx:
            servers = [
                _server_status(tx, m)
                for m in tx.all(model.MCP_KIND, pb.Mcp)
                if (
                    not f.connected_account_identifier
                    or m.connected_account_identifier == f.connected_account_identifier
                )
                and (not f.link_token or m.id == f.link_token)
            ]
        return pb.ListMcpResponse(mcps=servers)

    @handler
    async def delete_mcp(
        self, request: pb.DeleteMcpRequest, ctx: Any, events: Events
    ) -> pb.DeleteMcpResponse:
        with self.state.store.transaction() as tx:
            tx.delete(model.MCP_KIND, _get(tx, model.MCP_KIND, request.mcp_id, pb.Mcp, "MCP server").id)
        return pb.DeleteMcpResponse()

    @handler
    async def create_mcp_config(
        self, request: pb.CreateMcpConfigRequest, ctx: Any, events: Events
    ) -> pb.CreateMcpConfigResponse:
        require_fields(**{"config.name": request.config.name})
        with self.state.store.transaction() as tx:
            config_id = new_id("cfg")
            config = pb.McpConfig(
                id=config_id,
                name=request.config.name,
                description=request.config.description,
                connection_tool_mappings=model.checked_mappings(tx, request.config.connection_tool_mappings),
                mcp_server_url=self._config_url(config_id),
            )
            tx.insert(model.CONFIG_KIND, config.id, config, unique={"name": config.name})
        return pb.CreateMcpConfigResponse(config=config)

    @handler
    async def update_mcp_config(
        self, request: pb.UpdateMcpConfigRequest, ctx: Any, events: Events
    ) -> pb.UpdateMcpConfigResponse:
        with self.state.store.transaction() as tx:
            config = _get(tx, model.CONFIG_KIND, request.config_id, pb.McpConfig, "MCP configuration")
            if request.description:
                config.description = request.description
            if request.connection_tool_mappings:
                mappings = model.checked_mappings(tx, request.connection_tool_mappings)
                del config.connection_tool_mappings[:]
                config.connection_tool_mappings.extend(mappings)
            tx.update(model.CONFIG_KIND, config.id, config)
        return pb.UpdateMcpConfigResponse(config=config)

    @handler
    async def list_mcp_configs(
        self, request: pb.ListMcpConfigsRequest, ctx: Any, events: Events
    ) -> pb.ListMcpConfigsResponse:
        f, search = request.filter, request.search.lower()

        def keep(c: pb.McpConfig) -> bool:
            providers = {m.provider.upper() for m in c.connection_tool_mappings}
            return (
                (not f.id or c.id == f.id)
                and (not f.name or c.name == f.name)
                and (not f.provider or f.provider.upper() in providers)
                and (not f.mcp_server_url or c.mcp_server_url == f.mcp_server_url)
                and (not search or search in f"{c.name} {c.description}".lower())
            )

        with self.state.store.transaction() as tx:
            page = tx.page(
                model.CONFIG_KIND,
                pb.McpConfig,
                page_size=request.page_size,
                page_token=request.page_token,
                where=keep,
                key=listing_key(request),
            )
        return pb.ListMcpConfigsResponse(configs=page.items, **page.cursor())  # type: ignore[arg-type]

    @handler
    async def get_mcp_config(
        self, request: pb.GetMcpConfigRequest, ctx: Any, events: Events
    ) -> pb.GetMcpConfigResponse:
        with self.state.store.transaction() as tx:
            config = _get(tx, model.CONFIG_KIND, request.config_id, pb.McpConfig, "MCP configuration")
        return pb.GetMcpConfigResponse(config=config)

    @handler
    async def delete_mcp_config(
        self, request: pb.DeleteMcpConfigRequest, ctx: Any, events: Events
    ) -> pb.DeleteMcpConfigResponse:
        with self.state.store.transaction() as tx:
            config = _get(tx, model.CONFIG_KIND, request.config_id, pb.McpConfig, "MCP configuration")
            for instance_id in tx.ids(model.INSTANCE_KIND, parent=config.id):
                tx.delete(model.INSTANCE_KIND, instance_id)
            tx.delete(model.CONFIG_KIND, config.id)
        return pb.DeleteMcpConfigResponse()

    @handler
    async def ensure_mcp_instance(
        self, request: pb.EnsureMcpInstanceRequest, ctx: Any, events: Events
    ) -> pb.EnsureMcpInstanceResponse:
        require_fields(config_name=request.config_name, user_identifier=request.user_identifier)
        with self.state.store.transaction() as tx:
            config = model.config_named(tx, request.config_name)
            key = f"{config.id}:{request.user_identifier}"
            instance = tx.find(model.INSTANCE_KIND, "config_user", key, pb.McpInstance)
            if instance is None:
                instance_id = new_id("mcpi")
                instance = pb.McpInstance(
                    id=instance_id,
                    name=request.name or f"{config.name}-{request.user_identifier}",
                    user_identifier=request.user_identifier,
                    updated_at=self.now(),
                    url=f"{self.state.env_url}/mcp/instances/{instance_id}",
                )
                unique = {"name": instance.name, "config_user": key}
                tx.insert(model.INSTANCE_KIND, instance.id, instance, parent=config.id, unique=unique)
            return pb.EnsureMcpInstanceResponse(instance=model.instance_view(tx, instance))

    @handler
    async def list_mcp_instances(
        self, request: pb.ListMcpInstancesRequest, ctx: Any, events: Events
    ) -> pb.ListMcpInstancesResponse:
        f, search = request.filter, request.search.lower()
        with self.state.store.transaction() as tx:
            config_id = model.config_named(tx, f.config_name).id if f.config_name else ""

            def keep(i: pb.McpInstance) -> bool:
                return (
                    (not f.id or i.id == f.id)
                    and (not f.name or i.name == f.name)
                    and (not f.user_identifier or i.user_identifier == f.user_identifier)
                    and (not search or search in i.name.lower())
                )

            page = tx.page(
                model.INSTANCE_KIND,
                pb.McpInstance,
                page_size=request.page_size,
                page_token=request.page_token,
                parent=config_id or None,
                where=keep,
                key=f"{config_id}|{listing_key(request)}",
            )
            items = [model.instance_view(tx, i) for i in page.items]  # type: ignore[arg-type]
        return pb.ListMcpInstancesResponse(instances=items, **page.cursor())

    @handler
    async def delete_mcp_instance(
        self, request: pb.DeleteMcpInstanceRequest, ctx: Any, events: Events
    ) -> pb.DeleteMcpInstanceResponse:
        with self.state.store.transaction() as tx:
            instance = _get(tx, model.INSTANCE_KIND, request.instance_id, pb.McpInstance, "MCP instance")
            tx.delete(model.INSTANCE_KIND, instance.id)
        return pb.DeleteMcpInstanceResponse()

    @handler
    async def update_mcp_instance(
        self, request: pb.UpdateMcpInstanceRequest, ctx: Any, events: Events
    ) -> pb.UpdateMcpInstanceResponse:
        with self.state.store.transaction() as tx:
            instance = _get(tx, model.INSTANCE_KIND, request.instance_id, pb.McpInstance, "MCP instance")
            config_id = tx.parent_of(model.INSTANCE_KIND, instance.id) or ""
            if request.config_name:
                config_id = model.config_named(tx, request.config_name).id
            if request.name:
                instance.name = request.name
            instance.updated_at.CopyFrom(self.now())
            unique = {"name": instance.name, "config_user": f"{config_id}:{instance.user_identifier}"}
            tx.delete(model.INSTANCE_KIND, instance.id)  # re-parented under its (new) configuration
            tx.insert(model.INSTANCE_KIND, instance.id, instance, parent=config_id, unique=unique)
            return pb.UpdateMcpInstanceResponse(instance=model.instance_view(tx, instance))

    @handler
    async def get_mcp_instance(
        self, request: pb.GetMcpInstanceRequest, ctx: Any, events: Events
    ) -> pb.GetMcpInstanceResponse:
        with self.state.store.transaction() as tx:
            instance = _get(tx, model.INSTANCE_KIND, request.instance_id, pb.McpInstance, "MCP instance")
            return pb.GetMcpInstanceResponse(instance=model.instance_view(tx, instance))

    @handler
    async def get_mcp_instance_auth_state(
        self, request: pb.GetMcpInstanceAuthStateRequest, ctx: Any, events: Events
    ) -> pb.GetMcpInstanceAuthStateResponse:
        with self.state.store.transaction() as tx:
            instance = _get(tx, model.INSTANCE_KIND, request.instance_id, pb.McpInstance, "MCP instance")
            config = model.instance_view(tx, instance).config
            states = model.auth_states(
                tx, self.state, config, instance.user_identifier, request.include_auth_links
            )
        connections = [
            pb.McpInstanceConnectionAuthState(
                connection_id=s.connection_id,
                connection_name=s.connection_name,
                provider=s.provider,
                connected_account_id=s.connected_account_id,
                connected_account_status=s.connected_account_status,
                authentication_link=s.authentication_link,
            )
            for s in states
        ]
        return pb.GetMcpInstanceAuthStateResponse(connections=connections)

    @handler
    async def create_mcp_session_token(
        self, request: pb.CreateMcpSessionTokenRequest, ctx: Any, events: Events
    ) -> pb.CreateMcpSessionTokenResponse:
        with self.state.store.transaction() as tx:
            token, exp = model.mint_token(tx, self.state, request)
        return pb.CreateMcpSessionTokenResponse(token=token, expires_at=timestamp(exp))

    @handler
    async def list_mcp_connected_accounts(
        self, request: pb.ListMcpConnectedAccountsRequest, ctx: Any, events: Events
    ) -> pb.ListMcpConnectedAccountsResponse:
        with self.state.store.transaction() as tx:
            config = _get(tx, model.CONFIG_KIND, request.config_id, pb.McpConfig, "MCP configuration")
            states = model.auth_states(tx, self.state, config, request.identifier, request.include_auth_link)
        return pb.ListMcpConnectedAccountsResponse(connected_accounts=states)


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return mcp_connect.McpServiceASGIApplication(McpService(state), interceptors=interceptors)
