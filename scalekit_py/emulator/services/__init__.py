"""The emulator's gRPC services: one module per service, each exposing ``create_app(state, interceptors)``."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from scalekit_py.emulator.state import EmulatorState

__all__ = ["SERVICE_MODULES", "build_apps", "served_paths"]

# gRPC service full name -> module in this package.
SERVICE_MODULES: dict[str, str] = {
    "scalekit.v1.organizations.OrganizationService": "organizations",
    "scalekit.v1.connections.ConnectionService": "connections",
    "scalekit.v1.domains.DomainService": "domains",
    "scalekit.v1.directories.DirectoryService": "directories",
    "scalekit.v1.users.UserService": "users",
    "scalekit.v1.sessions.SessionService": "sessions",
    "scalekit.v1.roles.RolesService": "roles",
    "scalekit.v1.auth.AuthService": "auth",
    "scalekit.v1.auth.passwordless.PasswordlessService": "passwordless",
    "scalekit.v1.auth.webauthn.WebAuthnService": "webauthn",
    "scalekit.v1.connected_accounts.ConnectedAccountService": "connected_accounts",
    "scalekit.v1.tools.ToolService": "tools",
    "scalekit.v1.mcp.McpService": "mcp",
    "scalekit.v1.providers.ProviderService": "providers",
}


def build_apps(state: EmulatorState, interceptors: Sequence[Any] = ()) -> dict[str, Any]:
    """ASGI apps keyed by their path prefix ``/<service full name>/``.

    A service whose module is not written yet is left out; ``tests/emulator/test_coverage.py`` fails
    until every in-scope RPC has a handler.
    """
    apps: dict[str, Any] = {}
    for service, module_name in SERVICE_MODULES.items():
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module_name}":
                continue
            raise
        apps[f"/{service}/"] = module.create_app(state, interceptors)
    return apps


def served_paths(apps: dict[str, Any]) -> frozenset[str]:
    """The ``/<service>/<Method>`` paths that have a handler written for the emulator.

    A generated service protocol answers every RPC it has no handler for with a bare UNIMPLEMENTED;
    the router answers those paths itself, with an ``ErrorInfo``, before they reach the app.
    """
    paths = set()
    for app in apps.values():
        # connectrpc 0.13 (pinned) keeps the service object and the path -> endpoint factory.
        for path, endpoint in app._endpoints(app._service).items():
            function = getattr(endpoint, "function", None)
            if (getattr(function, "__module__", "") or "").startswith("scalekit_py.emulator."):
                paths.add(path)
    return frozenset(paths)
