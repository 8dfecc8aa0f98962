"""The service facades of both clients, as lazily built, cached attributes.

Each attribute imports its facade module on first access (so ``import scalekit_py`` stays cheap) and
builds it once per client with the client's call path. Names follow the official SDKs: the singular ones of
the Node SDK, plus the plural aliases of the Python SDK (``users``, ``roles``, ``permissions``,
``sessions``); where both SDKs have the attribute, the Python SDK's ``tokens`` is the name and the Node
SDK's ``token`` the alias.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from scalekit_py._transport.call import AsyncCaller, SyncCaller
    from scalekit_py.services._async.actions import AsyncActionClient
    from scalekit_py.services._async.auth import AsyncAuthService
    from scalekit_py.services._async.clients import AsyncClientService
    from scalekit_py.services._async.connected_accounts import AsyncConnectedAccountService
    from scalekit_py.services._async.connections import AsyncConnectionService
    from scalekit_py.services._async.directories import AsyncDirectoryService
    from scalekit_py.services._async.domains import AsyncDomainService
    from scalekit_py.services._async.events import AsyncEventService
    from scalekit_py.services._async.m2m_clients import AsyncM2MClientService
    from scalekit_py.services._async.mcp import AsyncMcpService
    from scalekit_py.services._async.organizations import AsyncOrganizationService
    from scalekit_py.services._async.passwordless import AsyncPasswordlessService
    from scalekit_py.services._async.permissions import AsyncPermissionService
    from scalekit_py.services._async.providers import AsyncProviderService
    from scalekit_py.services._async.resources import AsyncResourceService
    from scalekit_py.services._async.roles import AsyncRoleService
    from scalekit_py.services._async.sessions import AsyncSessionService
    from scalekit_py.services._async.tokens import AsyncTokenService
    from scalekit_py.services._async.tools import AsyncToolService
    from scalekit_py.services._async.users import AsyncUserService
    from scalekit_py.services._async.webauthn import AsyncWebAuthnService
    from scalekit_py.services._sync.actions import ActionClient
    from scalekit_py.services._sync.auth import AuthService
    from scalekit_py.services._sync.clients import ClientService
    from scalekit_py.services._sync.connected_accounts import ConnectedAccountService
    from scalekit_py.services._sync.connections import ConnectionService
    from scalekit_py.services._sync.directories import DirectoryService
    from scalekit_py.services._sync.domains import DomainService
    from scalekit_py.services._sync.events import EventService
    from scalekit_py.services._sync.m2m_clients import M2MClientService
    from scalekit_py.services._sync.mcp import McpService
    from scalekit_py.services._sync.organizations import OrganizationService
    from scalekit_py.services._sync.passwordless import PasswordlessService
    from scalekit_py.services._sync.permissions import PermissionService
    from scalekit_py.services._sync.providers import ProviderService
    from scalekit_py.services._sync.resources import ResourceService
    from scalekit_py.services._sync.roles import RoleService
    from scalekit_py.services._sync.sessions import SessionService
    from scalekit_py.services._sync.tokens import TokenService
    from scalekit_py.services._sync.tools import ToolService
    from scalekit_py.services._sync.users import UserService
    from scalekit_py.services._sync.webauthn import WebAuthnService

__all__ = ["AsyncServices", "SyncServices"]

T = TypeVar("T")


class _Host:
    if TYPE_CHECKING:

        def _service(self, name: str, factory: Callable[[], T]) -> T: ...  # provided by the client

    def _proxy_kwargs(self) -> dict[str, Any]:
        """What the proxied-request client takes from the client: environment, identity, defaults."""
        client: Any = self
        return {
            "env_url": client.env_url,
            "user_agent": client._opts.channel.user_agent,
            "tokens": lambda: client.token_source,
            "http": client._http_client,
            "default_timeout": client.timeout,
            "default_retry": client.retry,
        }


class AsyncServices(_Host):
    """The facades of :class:`~scalekit_py.AsyncScalekitClient`."""

    if TYPE_CHECKING:

        @property
        def caller(self) -> AsyncCaller: ...

    @property
    def organization(self) -> AsyncOrganizationService:
        """Organizations: create, get, list, update, delete, portal links, settings, policies."""
        from scalekit_py.services._async.organizations import AsyncOrganizationService as Cls

        return self._service("organization", lambda: Cls(self.caller))

    @property
    def connection(self) -> AsyncConnectionService:
        """SSO connections (SAML / OIDC) of organizations."""
        from scalekit_py.services._async.connections import AsyncConnectionService as Cls

        return self._service("connection", lambda: Cls(self.caller))

    @property
    def domain(self) -> AsyncDomainService:
        """Organization domains."""
        from scalekit_py.services._async.domains import AsyncDomainService as Cls

        return self._service("domain", lambda: Cls(self.caller))

    @property
    def directory(self) -> AsyncDirectoryService:
        """SCIM directories, their users and groups."""
        from scalekit_py.services._async.directories import AsyncDirectoryService as Cls

        return self._service("directory", lambda: Cls(self.caller))

    @property
    def user(self) -> AsyncUserService:
        """Users and organization memberships."""
        from scalekit_py.services._async.users import AsyncUserService as Cls

        return self._service("user", lambda: Cls(self.caller))

    @property
    def session(self) -> AsyncSessionService:
        """User sessions."""
        from scalekit_py.services._async.sessions import AsyncSessionService as Cls

        return self._service("session", lambda: Cls(self.caller))

    @property
    def role(self) -> AsyncRoleService:
        """Environment and organization roles."""
        from scalekit_py.services._async.roles import AsyncRoleService as Cls

        return self._service("role", lambda: Cls(self.caller))

    @property
    def permission(self) -> AsyncPermissionService:
        """Permissions and their assignment to roles."""
        from scalekit_py.services._async.permissions import AsyncPermissionService as Cls

        return self._service("permission", lambda: Cls(self.caller))

    @property
    def passwordless(self) -> AsyncPasswordlessService:
        """Passwordless (magic link / OTP) emails."""
        from scalekit_py.services._async.passwordless import AsyncPasswordlessService as Cls

        return self._service("passwordless", lambda: Cls(self.caller))

    @property
    def webauthn(self) -> AsyncWebAuthnService:
        """WebAuthn (passkey) credentials."""
        from scalekit_py.services._async.webauthn import AsyncWebAuthnService as Cls

        return self._service("webauthn", lambda: Cls(self.caller))

    @property
    def auth(self) -> AsyncAuthService:
        """Authentication-flow RPCs of the admin API."""
        from scalekit_py.services._async.auth import AsyncAuthService as Cls

        return self._service("auth", lambda: Cls(self.caller))

    # Plural aliases: the official Python SDK's attribute names, so code migrates unchanged.
    @property
    def users(self) -> AsyncUserService:
        """Alias of :attr:`user` (the official Python SDK's name)."""
        return self.user

    @property
    def roles(self) -> AsyncRoleService:
        """Alias of :attr:`role` (the official Python SDK's name)."""
        return self.role

    @property
    def permissions(self) -> AsyncPermissionService:
        """Alias of :attr:`permission` (the official Python SDK's name)."""
        return self.permission

    @property
    def sessions(self) -> AsyncSessionService:
        """Alias of :attr:`session` (the official Python SDK's name)."""
        return self.session

    @property
    def tokens(self) -> AsyncTokenService:
        """API tokens of organizations and users: create, validate, list, update, invalidate."""
        from scalekit_py.services._async.tokens import AsyncTokenService as Cls

        return self._service("tokens", lambda: Cls(self.caller))

    @property
    def token(self) -> AsyncTokenService:
        """Alias of :attr:`tokens` (the official Node SDK's name)."""
        return self.tokens

    @property
    def events(self) -> AsyncEventService:
        """The environment's event log (the events webhooks deliver), newest first."""
        from scalekit_py.services._async.events import AsyncEventService as Cls

        return self._service("events", lambda: Cls(self.caller))

    @property
    def m2m_client(self) -> AsyncM2MClientService:
        """Organization (M2M) clients: API credentials of one organization (the official Python name)."""
        from scalekit_py.services._async.m2m_clients import AsyncM2MClientService as Cls

        return self._service("m2m_client", lambda: Cls(self.caller))

    @property
    def m2m(self) -> AsyncM2MClientService:
        """Alias of :attr:`m2m_client` (the official Node SDK's name)."""
        return self.m2m_client

    @property
    def resources(self) -> AsyncResourceService:
        """API resources (e.g. MCP servers), their clients and user consents."""
        from scalekit_py.services._async.resources import AsyncResourceService as Cls

        return self._service("resources", lambda: Cls(self.caller))

    @property
    def clients(self) -> AsyncClientService:
        """Environment clients (API credentials), their secrets and the environment's login URIs."""
        from scalekit_py.services._async.clients import AsyncClientService as Cls

        return self._service("clients", lambda: Cls(self.caller))

    # AgentKit services, under the official Python SDK's attribute names.
    @property
    def connected_accounts(self) -> AsyncConnectedAccountService:
        """Connected accounts (AgentKit): users' authorized third-party accounts."""
        from scalekit_py.services._async.connected_accounts import AsyncConnectedAccountService as Cls

        return self._service("connected_accounts", lambda: Cls(self.caller))

    @property
    def tools(self) -> AsyncToolService:
        """Tools (AgentKit): the tool catalogue and tool execution."""
        from scalekit_py.services._async.tools import AsyncToolService as Cls

        return self._service("tools", lambda: Cls(self.caller))

    @property
    def mcp(self) -> AsyncMcpService:
        """MCP servers (AgentKit): configurations, per-user instances, session tokens."""
        from scalekit_py.services._async.mcp import AsyncMcpService as Cls

        return self._service("mcp", lambda: Cls(self.caller))

    @property
    def providers(self) -> AsyncProviderService:
        """Providers (AgentKit): built-in and custom third-party providers."""
        from scalekit_py.services._async.providers import AsyncProviderService as Cls

        return self._service("providers", lambda: Cls(self.caller))

    @property
    def actions(self) -> AsyncActionClient:
        """AgentKit actions: tools for agents, connected accounts, modifiers, proxied requests."""
        from scalekit_py.services._async._proxy import AsyncProxyClient
        from scalekit_py.services._async.actions import AsyncActionClient as Cls

        return self._service("actions", lambda: Cls(self, AsyncProxyClient(**self._proxy_kwargs())))

    @property
    def connect(self) -> AsyncActionClient:
        """Alias of :attr:`actions` (the official SDKs' other name)."""
        return self.actions


class SyncServices(_Host):
    """The facades of :class:`~scalekit_py.ScalekitClient`."""

    if TYPE_CHECKING:

        @property
        def caller(self) -> SyncCaller: ...

    @property
    def organization(self) -> OrganizationService:
        """Organizations: create, get, list, update, delete, portal links, settings, policies."""
        from scalekit_py.services._sync.organizations import OrganizationService as Cls

        return self._service("organization", lambda: Cls(self.caller))

    @property
    def connection(self) -> ConnectionService:
        """SSO connections (SAML / OIDC) of organizations."""
        from scalekit_py.services._sync.connections import ConnectionService as Cls

        return self._service("connection", lambda: Cls(self.caller))

    @property
    def domain(self) -> DomainService:
        """Organization domains."""
        from scalekit_py.services._sync.domains import DomainService as Cls

        return self._service("domain", lambda: Cls(self.caller))

    @property
    def directory(self) -> DirectoryService:
        """SCIM directories, their users and groups."""
        from scalekit_py.services._sync.directories import DirectoryService as Cls

        return self._service("directory", lambda: Cls(self.caller))

    @property
    def user(self) -> UserService:
        """Users and organization memberships."""
        from scalekit_py.services._sync.users import UserService as Cls

        return self._service("user", lambda: Cls(self.caller))

    @property
    def session(self) -> SessionService:
        """User sessions."""
        from scalekit_py.services._sync.sessions import SessionService as Cls

        return self._service("session", lambda: Cls(self.caller))

    @property
    def role(self) -> RoleService:
        """Environment and organization roles."""
        from scalekit_py.services._sync.roles import RoleService as Cls

        return self._service("role", lambda: Cls(self.caller))

    @property
    def permission(self) -> PermissionService:
        """Permissions and their assignment to roles."""
        from scalekit_py.services._sync.permissions import PermissionService as Cls

        return self._service("permission", lambda: Cls(self.caller))

    @property
    def passwordless(self) -> PasswordlessService:
        """Passwordless (magic link / OTP) emails."""
        from scalekit_py.services._sync.passwordless import PasswordlessService as Cls

        return self._service("passwordless", lambda: Cls(self.caller))

    @property
    def webauthn(self) -> WebAuthnService:
        """WebAuthn (passkey) credentials."""
        from scalekit_py.services._sync.webauthn import WebAuthnService as Cls

        return self._service("webauthn", lambda: Cls(self.caller))

    @property
    def auth(self) -> AuthService:
        """Authentication-flow RPCs of the admin API."""
        from scalekit_py.services._sync.auth import AuthService as Cls

        return self._service("auth", lambda: Cls(self.caller))

    # Plural aliases: the official Python SDK's attribute names, so code migrates unchanged.
    @property
    def users(self) -> UserService:
        """Alias of :attr:`user` (the official Python SDK's name)."""
        return self.user

    @property
    def roles(self) -> RoleService:
        """Alias of :attr:`role` (the official Python SDK's name)."""
        return self.role

    @property
    def permissions(self) -> PermissionService:
        """Alias of :attr:`permission` (the official Python SDK's name)."""
        return self.permission

    @property
    def sessions(self) -> SessionService:
        """Alias of :attr:`session` (the official Python SDK's name)."""
        return self.session

    @property
    def tokens(self) -> TokenService:
        """API tokens of organizations and users: create, validate, list, update, invalidate."""
        from scalekit_py.services._sync.tokens import TokenService as Cls

        return self._service("tokens", lambda: Cls(self.caller))

    @property
    def token(self) -> TokenService:
        """Alias of :attr:`tokens` (the official Node SDK's name)."""
        return self.tokens

    @property
    def events(self) -> EventService:
        """The environment's event log (the events webhooks deliver), newest first."""
        from scalekit_py.services._sync.events import EventService as Cls

        return self._service("events", lambda: Cls(self.caller))

    @property
    def m2m_client(self) -> M2MClientService:
        """Organization (M2M) clients: API credentials of one organization (the official Python name)."""
        from scalekit_py.services._sync.m2m_clients import M2MClientService as Cls

        return self._service("m2m_client", lambda: Cls(self.caller))

    @property
    def m2m(self) -> M2MClientService:
        """Alias of :attr:`m2m_client` (the official Node SDK's name)."""
        return self.m2m_client

    @property
    def resources(self) -> ResourceService:
        """API resources (e.g. MCP servers), their clients and user consents."""
        from scalekit_py.services._sync.resources import ResourceService as Cls

        return self._service("resources", lambda: Cls(self.caller))

    @property
    def clients(self) -> ClientService:
        """Environment clients (API credentials), their secrets and the environment's login URIs."""
        from scalekit_py.services._sync.clients import ClientService as Cls

        return self._service("clients", lambda: Cls(self.caller))

    # AgentKit services, under the official Python SDK's attribute names.
    @property
    def connected_accounts(self) -> ConnectedAccountService:
        """Connected accounts (AgentKit): users' authorized third-party accounts."""
        from scalekit_py.services._sync.connected_accounts import ConnectedAccountService as Cls

        return self._service("connected_accounts", lambda: Cls(self.caller))

    @property
    def tools(self) -> ToolService:
        """Tools (AgentKit): the tool catalogue and tool execution."""
        from scalekit_py.services._sync.tools import ToolService as Cls

        return self._service("tools", lambda: Cls(self.caller))

    @property
    def mcp(self) -> McpService:
        """MCP servers (AgentKit): configurations, per-user instances, session tokens."""
        from scalekit_py.services._sync.mcp import McpService as Cls

        return self._service("mcp", lambda: Cls(self.caller))

    @property
    def providers(self) -> ProviderService:
        """Providers (AgentKit): built-in and custom third-party providers."""
        from scalekit_py.services._sync.providers import ProviderService as Cls

        return self._service("providers", lambda: Cls(self.caller))

    @property
    def actions(self) -> ActionClient:
        """AgentKit actions: tools for agents, connected accounts, modifiers, proxied requests."""
        from scalekit_py.services._sync._proxy import ProxyClient
        from scalekit_py.services._sync.actions import ActionClient as Cls

        return self._service("actions", lambda: Cls(self, ProxyClient(**self._proxy_kwargs())))

    @property
    def connect(self) -> ActionClient:
        """Alias of :attr:`actions` (the official SDKs' other name)."""
        return self.actions
