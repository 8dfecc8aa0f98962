"""What the parts of ``client.actions`` share: the client's AgentKit facades they compose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from scalekit_py.services._async.connected_accounts import AsyncConnectedAccountService
    from scalekit_py.services._async.mcp import AsyncMcpService
    from scalekit_py.services._async.providers import AsyncProviderService
    from scalekit_py.services._async.tools import AsyncToolService

__all__ = ["_AsyncActionsBase", "_AsyncFacades"]


class _AsyncFacades(Protocol):
    """The client's AgentKit facades (the client itself provides them)."""

    @property
    def connected_accounts(self) -> AsyncConnectedAccountService: ...
    @property
    def tools(self) -> AsyncToolService: ...
    @property
    def mcp(self) -> AsyncMcpService: ...
    @property
    def providers(self) -> AsyncProviderService: ...


class _AsyncActionsBase:
    """Base of the actions client and its parts."""

    _facades: _AsyncFacades
