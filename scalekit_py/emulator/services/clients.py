"""ClientService: environment clients, organization (M2M) clients, API resources, resource clients and
user consents. The handlers live in one module per concern; this class puts them together.

* :mod:`._env_clients`: environment clients, client secrets, the environment's login URIs;
* :mod:`._org_clients`: organization clients and their secrets;
* :mod:`._resources`: API resources and their connections;
* :mod:`._resource_clients`: resource clients and user consents.

Credentials of the clients created here work at ``/oauth/token``; see :mod:`scalekit_py.emulator.m2m`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scalekit_api.v1.clients import clients_connect
from scalekit_py.emulator.services._env_clients import _EnvClientHandlers
from scalekit_py.emulator.services._org_clients import _OrgClientHandlers
from scalekit_py.emulator.services._resource_clients import _ResourceClientHandlers
from scalekit_py.emulator.services._resources import _ResourceHandlers
from scalekit_py.emulator.state import EmulatorState

__all__ = ["ClientService", "create_app"]


class ClientService(
    _EnvClientHandlers,
    _OrgClientHandlers,
    _ResourceHandlers,
    _ResourceClientHandlers,
    clients_connect.ClientService,
):
    """RPCs without a handler (session-user and public ones) fall back to the generated protocol."""


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return clients_connect.ClientServiceASGIApplication(ClientService(state), interceptors=interceptors)
