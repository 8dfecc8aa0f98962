"""The largest ``page_size`` each paginated request accepts, from the API's field rules.

Pagers never ask for more than this, whatever ``limit`` the caller gives; a test compares the table with
the wire contract so it cannot drift.
"""

from __future__ import annotations

from google.protobuf.message import Message

__all__ = ["PAGE_SIZE_LIMITS", "page_limit"]

PAGE_SIZE_LIMITS: dict[str, int] = {
    "scalekit.v1.connections.ListAppConnectionsRequest": 30,
    "scalekit.v1.connections.ListOrganizationConnectionsRequest": 30,
    "scalekit.v1.connections.SearchOrganizationConnectionsRequest": 30,
    "scalekit.v1.directories.ListDirectoryGroupsRequest": 30,
    "scalekit.v1.directories.ListDirectoryUsersRequest": 30,
    "scalekit.v1.organizations.SearchOrganizationsRequest": 30,
    "scalekit.v1.roles.ListPermissionsRequest": 100,
    "scalekit.v1.users.ListOrganizationUsersRequest": 100,
    "scalekit.v1.users.SearchOrganizationUsersRequest": 30,
    "scalekit.v1.users.SearchUsersRequest": 30,
    "scalekit.v1.connected_accounts.SearchConnectedAccountsRequest": 30,
    "scalekit.v1.mcp.ListMcpConfigsRequest": 30,
    "scalekit.v1.mcp.ListMcpInstancesRequest": 30,
}


def page_limit(request_type: type[Message]) -> int | None:
    """The page-size cap of a request type (``None``: the contract sets none)."""
    return PAGE_SIZE_LIMITS.get(request_type.DESCRIPTOR.full_name)
