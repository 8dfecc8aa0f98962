"""Per-RPC service facades: one typed method per admin RPC, in an asyncio and a blocking flavour.

``client.<attribute>`` holds one facade per service (see :data:`SERVICES`). The asyncio classes in
``scalekit_py.services._async`` are written by hand; the blocking classes in ``scalekit_py.services._sync``
are generated from them by ``tools/unasync.py`` and have the same methods without ``async``/``await``.
:data:`RPC_METHODS` maps every gRPC path to its method (``"<attribute>.<method>"``).

Conventions every method follows:

* **Arguments.** The ids that name what the call acts on come first and may be positional, in the
  order of the REST path (``organization_id`` before ``connection_id``). Everything else is
  keyword-only. ``None`` (the default) means "not sent": the service's default applies.
* **Alternative ids.** Where a request names a resource by id *or* external id, the id is the
  positional argument and the alternative is ``external_id=`` (the resource itself) or
  ``organization_external_id=`` (its organization). Passing both raises ``TypeError``.
* **Bodies.** A request's body message is accepted whole, by the keyword named like the request
  field (``organization=``, ``connection=``, ``user=``, ``role=``, ...). Bodies made of plain fields
  also take those fields as keywords (``create_organization("Acme", external_id="a1")``); keywords
  are applied over a copy of the message, and the caller's message is never changed. Python values
  are converted: ``datetime`` -> ``Timestamp`` (naive means UTC), mappings -> ``Struct``, plain
  numbers and booleans -> ``google.protobuf.*Value`` wrappers.
* **Returns (the unwrap rule).** A ``google.protobuf.Empty`` response returns ``None``. A response
  whose only field is one (non-repeated) message returns that message: ``get_organization`` returns
  the ``Organization``, ``revoke_session`` the ``RevokedSessionDetails``. Every other response (lists,
  searches, several fields, a single scalar field) is returned whole. Results are generated protobuf
  messages, never dicts or tuples.
* **Pagination.** Every list or search RPC whose request has a ``page_token`` also has an ``iter_*``
  method (``list_users`` -> ``iter_users``, ``search_users`` -> ``iter_search_users``,
  ``get_user_sessions`` -> ``iter_user_sessions``) returning a lazy ``AsyncPager``/``Pager``.
* **Per-call options.** ``timeout=`` (seconds; ``None``: no deadline) and ``retry=`` (a
  ``RetryPolicy``; ``None``: no retry) override the client's defaults for one call.
* **Errors.** The facades do not validate values: the service does, and its errors arrive as
  :class:`scalekit_py.errors.APIError` subclasses (``BadRequestError``, ``NotFoundError``, ...).
"""

from __future__ import annotations

__all__ = ["RPC_METHODS", "SERVICES"]

SERVICES: dict[str, tuple[str, str]] = {
    "organization": ("organizations", "OrganizationService"),
    "connection": ("connections", "ConnectionService"),
    "domain": ("domains", "DomainService"),
    "directory": ("directories", "DirectoryService"),
    "user": ("users", "UserService"),
    "session": ("sessions", "SessionService"),
    "role": ("roles", "RoleService"),
    "permission": ("permissions", "PermissionService"),
    "passwordless": ("passwordless", "PasswordlessService"),
    "webauthn": ("webauthn", "WebAuthnService"),
    "auth": ("auth", "AuthService"),
    "connected_accounts": ("connected_accounts", "ConnectedAccountService"),
    "tools": ("tools", "ToolService"),
    "mcp": ("mcp", "McpService"),
    "providers": ("providers", "ProviderService"),
}
"""Client attribute -> (module, class name). The asyncio class is ``Async<name>`` in
``scalekit_py.services._async.<module>``; the blocking one is ``<name>`` in ``..._sync.<module>``."""

_ORGANIZATIONS = "/scalekit.v1.organizations.OrganizationService/"
_CONNECTIONS = "/scalekit.v1.connections.ConnectionService/"
_DOMAINS = "/scalekit.v1.domains.DomainService/"
_DIRECTORIES = "/scalekit.v1.directories.DirectoryService/"
_USERS = "/scalekit.v1.users.UserService/"
_SESSIONS = "/scalekit.v1.sessions.SessionService/"
_ROLES = "/scalekit.v1.roles.RolesService/"
_AUTH = "/scalekit.v1.auth.AuthService/"
_PASSWORDLESS = "/scalekit.v1.auth.passwordless.PasswordlessService/"
_WEBAUTHN = "/scalekit.v1.auth.webauthn.WebAuthnService/"
_ACCOUNTS = "/scalekit.v1.connected_accounts.ConnectedAccountService/"
_TOOLS = "/scalekit.v1.tools.ToolService/"
_MCP = "/scalekit.v1.mcp.McpService/"
_PROVIDERS = "/scalekit.v1.providers.ProviderService/"

RPC_METHODS: dict[str, str] = {
    _ORGANIZATIONS + "CreateOrganization": "organization.create_organization",
    _ORGANIZATIONS + "UpdateOrganization": "organization.update_organization",
    _ORGANIZATIONS + "GetOrganization": "organization.get_organization",
    _ORGANIZATIONS + "GetOrganizationByExternalId": "organization.get_organization_by_external_id",
    _ORGANIZATIONS + "ListOrganization": "organization.list_organizations",
    _ORGANIZATIONS + "SearchOrganization": "organization.search_organizations",
    _ORGANIZATIONS + "DeleteOrganization": "organization.delete_organization",
    _ORGANIZATIONS + "GeneratePortalLink": "organization.generate_portal_link",
    _ORGANIZATIONS + "DeletePortalLinkByID": "organization.delete_portal_link",
    _ORGANIZATIONS + "UpdateOrganizationSettings": "organization.update_organization_settings",
    _ORGANIZATIONS + "UpdateOrganizationSessionPolicy": "organization.update_organization_session_policy",
    _ORGANIZATIONS + "GetOrganizationSessionPolicy": "organization.get_organization_session_policy",
    _ORGANIZATIONS + "GetOrganizationBranding": "organization.get_organization_branding",
    _ORGANIZATIONS + "UpdateOrganizationBranding": "organization.update_organization_branding",
    _ORGANIZATIONS + "UpsertUserManagementSettings": "organization.upsert_user_management_settings",
    _ORGANIZATIONS + "GetOrganizationUserManagementSetting": "organization.get_user_management_settings",
    _ORGANIZATIONS + "GetApplicationSessionPolicy": "organization.get_application_session_policy",
    _CONNECTIONS + "CreateEnvironmentConnection": "connection.create_environment_connection",
    _CONNECTIONS + "CreateConnection": "connection.create_connection",
    _CONNECTIONS + "AssignDomainsToConnection": "connection.assign_domains_to_connection",
    _CONNECTIONS + "GetEnvironmentConnection": "connection.get_environment_connection",
    _CONNECTIONS + "GetConnection": "connection.get_connection",
    _CONNECTIONS + "ListConnections": "connection.list_connections",
    _CONNECTIONS + "ListOrganizationConnections": "connection.list_organization_connections",
    _CONNECTIONS + "SearchOrganizationConnections": "connection.search_organization_connections",
    _CONNECTIONS + "UpdateEnvironmentConnection": "connection.update_environment_connection",
    _CONNECTIONS + "UpdateConnection": "connection.update_connection",
    _CONNECTIONS + "DeleteEnvironmentConnection": "connection.delete_environment_connection",
    _CONNECTIONS + "DeleteConnection": "connection.delete_connection",
    _CONNECTIONS + "EnableEnvironmentConnection": "connection.enable_environment_connection",
    _CONNECTIONS + "EnableConnection": "connection.enable_connection",
    _CONNECTIONS + "DisableEnvironmentConnection": "connection.disable_environment_connection",
    _CONNECTIONS + "DisableConnection": "connection.disable_connection",
    _CONNECTIONS + "GetConnectionTestResult": "connection.get_connection_test_result",
    _CONNECTIONS + "ListAppConnections": "connection.list_app_connections",
    _DOMAINS + "CreateDomain": "domain.create_domain",
    _DOMAINS + "UpdateDomain": "domain.update_domain",
    _DOMAINS + "VerifyDomain": "domain.verify_domain",
    _DOMAINS + "GetDomain": "domain.get_domain",
    _DOMAINS + "DeleteDomain": "domain.delete_domain",
    _DOMAINS + "ListDomains": "domain.list_domains",
    _DIRECTORIES + "CreateDirectory": "directory.create_directory",
    _DIRECTORIES + "DeleteDirectory": "directory.delete_directory",
    _DIRECTORIES + "UpdateDirectory": "directory.update_directory",
    _DIRECTORIES + "AssignGroupsForDirectory": "directory.assign_groups_for_directory",
    _DIRECTORIES + "AssignRoles": "directory.assign_roles",
    _DIRECTORIES + "UpdateAttributes": "directory.update_attributes",
    _DIRECTORIES + "GetDirectory": "directory.get_directory",
    _DIRECTORIES + "ListDirectories": "directory.list_directories",
    _DIRECTORIES + "EnableDirectory": "directory.enable_directory",
    _DIRECTORIES + "DisableDirectory": "directory.disable_directory",
    _DIRECTORIES + "ListDirectoryUsers": "directory.list_directory_users",
    _DIRECTORIES + "ListDirectoryGroups": "directory.list_directory_groups",
    _DIRECTORIES + "ListDirectoryGroupsSummary": "directory.list_directory_groups_summary",
    _DIRECTORIES + "CreateDirectorySecret": "directory.create_directory_secret",
    _DIRECTORIES + "RegenerateDirectorySecret": "directory.regenerate_directory_secret",
    _DIRECTORIES + "TriggerDirectorySync": "directory.trigger_directory_sync",
    _USERS + "GetUser": "user.get_user",
    _USERS + "ListUsers": "user.list_users",
    _USERS + "SearchUsers": "user.search_users",
    _USERS + "SearchOrganizationUsers": "user.search_organization_users",
    _USERS + "UpdateUser": "user.update_user",
    _USERS + "DeleteUser": "user.delete_user",
    _USERS + "CreateMembership": "user.create_membership",
    _USERS + "DeleteMembership": "user.delete_membership",
    _USERS + "UpdateMembership": "user.update_membership",
    _USERS + "CreateUserAndMembership": "user.create_user_and_membership",
    _USERS + "ListOrganizationUsers": "user.list_organization_users",
    _USERS + "ResendInvite": "user.resend_invite",
    _USERS + "ListUserRoles": "user.list_user_roles",
    _USERS + "AssignUserRoles": "user.assign_user_roles",
    _USERS + "RemoveUserRole": "user.remove_user_role",
    _USERS + "ListUserPermissions": "user.list_user_permissions",
    _SESSIONS + "GetSession": "session.get_session",
    _SESSIONS + "RevokeSession": "session.revoke_session",
    _SESSIONS + "GetUserSessions": "session.get_user_sessions",
    _SESSIONS + "RevokeAllUserSessions": "session.revoke_all_user_sessions",
    _ROLES + "CreateRole": "role.create_role",
    _ROLES + "UpdateRole": "role.update_role",
    _ROLES + "GetRole": "role.get_role",
    _ROLES + "ListRoles": "role.list_roles",
    _ROLES + "DeleteRole": "role.delete_role",
    _ROLES + "CreateOrganizationRole": "role.create_organization_role",
    _ROLES + "UpdateOrganizationRole": "role.update_organization_role",
    _ROLES + "GetOrganizationRole": "role.get_organization_role",
    _ROLES + "ListOrganizationRoles": "role.list_organization_roles",
    _ROLES + "DeleteOrganizationRole": "role.delete_organization_role",
    _ROLES + "GetRoleUsersCount": "role.get_role_users_count",
    _ROLES + "GetOrganizationRoleUsersCount": "role.get_organization_role_users_count",
    _ROLES + "UpdateDefaultRoles": "role.update_default_roles",
    _ROLES + "UpdateDefaultOrganizationRoles": "role.update_default_organization_roles",
    _ROLES + "ListDependentRoles": "role.list_dependent_roles",
    _ROLES + "DeleteRoleBase": "role.delete_role_base",
    _ROLES + "DeleteOrganizationRoleBase": "role.delete_organization_role_base",
    _ROLES + "CreatePermission": "permission.create_permission",
    _ROLES + "GetPermission": "permission.get_permission",
    _ROLES + "UpdatePermission": "permission.update_permission",
    _ROLES + "ListPermissions": "permission.list_permissions",
    _ROLES + "DeletePermission": "permission.delete_permission",
    _ROLES + "ListRolePermissions": "permission.list_role_permissions",
    _ROLES + "AddPermissionsToRole": "permission.add_permissions_to_role",
    _ROLES + "RemovePermissionFromRole": "permission.remove_permission_from_role",
    _ROLES + "ListEffectiveRolePermissions": "permission.list_effective_role_permissions",
    _AUTH + "UpdateLoginUserDetails": "auth.update_login_user_details",
    _AUTH + "GetLoginRequestDetails": "auth.get_login_request_details",
    _PASSWORDLESS + "SendPasswordlessEmail": "passwordless.send_passwordless_email",
    _PASSWORDLESS + "VerifyPasswordlessEmail": "passwordless.verify_passwordless_email",
    _PASSWORDLESS + "ResendPasswordlessEmail": "passwordless.resend_passwordless_email",
    _WEBAUTHN + "BeginRegistration": "webauthn.begin_registration",
    _WEBAUTHN + "FinishRegistration": "webauthn.finish_registration",
    _WEBAUTHN + "ListCredentials": "webauthn.list_credentials",
    _WEBAUTHN + "DeleteCredential": "webauthn.delete_credential",
    _WEBAUTHN + "UpdateCredential": "webauthn.update_credential",
    _ACCOUNTS + "ListConnectedAccounts": "connected_accounts.list_connected_accounts",
    _ACCOUNTS + "SearchConnectedAccounts": "connected_accounts.search_connected_accounts",
    _ACCOUNTS + "CreateConnectedAccount": "connected_accounts.create_connected_account",
    _ACCOUNTS + "UpdateConnectedAccount": "connected_accounts.update_connected_account",
    _ACCOUNTS + "DeleteConnectedAccount": "connected_accounts.delete_connected_account",
    _ACCOUNTS + "GetMagicLinkForConnectedAccount": "connected_accounts.get_magic_link_for_connected_account",
    _ACCOUNTS + "GetConnectedAccount": "connected_accounts.get_connected_account",
    _ACCOUNTS + "DisconnectConnectedAccount": "connected_accounts.disconnect_connected_account",
    _ACCOUNTS + "GetConnectedAccountAuth": "connected_accounts.get_connected_account_by_identifier",
    _ACCOUNTS
    + "GetConnectedAccountDetails": "connected_accounts.get_connected_account_details_by_identifier",
    _ACCOUNTS + "VerifyConnectedAccountUser": "connected_accounts.verify_connected_account_user",
    _TOOLS + "CreateTool": "tools.create_tool",
    _TOOLS + "ListTools": "tools.list_tools",
    _TOOLS + "ListScopedTools": "tools.list_scoped_tools",
    _TOOLS + "ListAvailableTools": "tools.list_available_tools",
    _TOOLS + "SearchTools": "tools.search_tools",
    _TOOLS + "SetToolDefault": "tools.set_tool_default",
    _TOOLS + "UpdateTool": "tools.update_tool",
    _TOOLS + "DeleteTool": "tools.delete_tool",
    _TOOLS + "ExecuteTool": "tools.execute_tool",
    _TOOLS + "RefreshTools": "tools.refresh_tools",
    _MCP + "CreateMcp": "mcp.create_mcp",
    _MCP + "GetMcp": "mcp.get_mcp",
    _MCP + "ListMcp": "mcp.list_mcp",
    _MCP + "DeleteMcp": "mcp.delete_mcp",
    _MCP + "CreateMcpConfig": "mcp.create_config",
    _MCP + "UpdateMcpConfig": "mcp.update_config",
    _MCP + "ListMcpConfigs": "mcp.list_configs",
    _MCP + "GetMcpConfig": "mcp.get_config",
    _MCP + "DeleteMcpConfig": "mcp.delete_config",
    _MCP + "EnsureMcpInstance": "mcp.ensure_instance",
    _MCP + "ListMcpInstances": "mcp.list_instances",
    _MCP + "DeleteMcpInstance": "mcp.delete_instance",
    _MCP + "UpdateMcpInstance": "mcp.update_instance",
    _MCP + "GetMcpInstance": "mcp.get_instance",
    _MCP + "GetMcpInstanceAuthState": "mcp.get_instance_auth_state",
    _MCP + "CreateMcpSessionToken": "mcp.create_session_token",
    _MCP + "ListMcpConnectedAccounts": "mcp.list_mcp_connected_accounts",
    _PROVIDERS + "CreateProvider": "providers.create_provider",
    _PROVIDERS + "CreateCustomProvider": "providers.create_custom_provider",
    _PROVIDERS + "UpdateProvider": "providers.update_provider",
    _PROVIDERS + "UpdateCustomProvider": "providers.update_custom_provider",
    _PROVIDERS + "DeleteProvider": "providers.delete_provider",
    _PROVIDERS + "DeleteCustomProvider": "providers.delete_custom_provider",
    _PROVIDERS + "ListProviders": "providers.list_providers",
}
"""gRPC path -> ``"<client attribute>.<method>"``, for every RPC an admin client may call."""
