"""Permissions, and which permissions a role grants (the permission RPCs of ``RolesService``)."""

from __future__ import annotations

from collections.abc import Sequence

from scalekit_api.v1.roles import roles_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import permissions as rpcs

__all__ = ["AsyncPermissionService"]


class AsyncPermissionService:
    """``client.permission``: the permission RPCs of ``scalekit.v1.roles.RolesService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_permission(
        self,
        name: str | None = None,
        *,
        description: str | None = None,
        permission: pb.CreatePermission | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Permission:
        """Create a permission that roles can grant.

        Args:
            name: unique name (letters, digits, ``_`` and ``:``; e.g. ``invoices:read``).
            description: what the permission allows.
            permission: a prebuilt ``CreatePermission`` message; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new permission.

        Raises:
            BadRequestError: the name is invalid.
            ConflictError: a permission with this name exists.
            APIError: any other error reported by the service.

        Example:
            >>> perm = await client.permission.create_permission("invoices:read", description="Read invoices")
        """
        body = fill(merged(permission, pb.CreatePermission), name=name, description=description)
        request = pb.CreatePermissionRequest(permission=body)
        response = await self._caller.call(rpcs.CREATE_PERMISSION, request, timeout=timeout, retry=retry)
        return response.permission

    async def get_permission(
        self, permission_name: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.Permission:
        """Fetch one permission.

        Args:
            permission_name: the permission's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The permission.

        Raises:
            NotFoundError: no such permission.
            APIError: any other error reported by the service.

        Example:
            >>> perm = await client.permission.get_permission("invoices:read")
        """
        request = pb.GetPermissionRequest(permission_name=permission_name)
        response = await self._caller.call(rpcs.GET_PERMISSION, request, timeout=timeout, retry=retry)
        return response.permission

    async def update_permission(
        self,
        permission_name: str,
        *,
        name: str | None = None,
        description: str | None = None,
        permission: pb.CreatePermission | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Permission:
        """Change a permission.

        Args:
            permission_name: the permission's current name.
            name: the name to store in the permission body.
            description: new description.
            permission: a prebuilt ``CreatePermission`` message; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated permission.

        Raises:
            NotFoundError: no such permission.
            APIError: any other error reported by the service.

        Example:
            >>> perm = await client.permission.update_permission("invoices:read", description="View invoices")
        """
        body = fill(merged(permission, pb.CreatePermission), name=name, description=description)
        request = pb.UpdatePermissionRequest(permission_name=permission_name, permission=body)
        response = await self._caller.call(rpcs.UPDATE_PERMISSION, request, timeout=timeout, retry=retry)
        return response.permission

    async def list_permissions(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        type: pb.PermissionType.ValueType | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListPermissionsResponse:
        """Fetch one page of permissions.

        Args:
            page_size: permissions per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            type: ``ALL`` (default), ``SCALEKIT`` (built-in) or ``ENVIRONMENT`` (yours).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``permissions``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the page token or size is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.permission.list_permissions(type=PermissionType.ENVIRONMENT)
        """
        request = fill(pb.ListPermissionsRequest(), page_size=page_size, page_token=page_token, type=type)
        return await self._caller.call(rpcs.LIST_PERMISSIONS, request, timeout=timeout, retry=retry)

    def iter_permissions(
        self,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        type: pb.PermissionType.ValueType | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListPermissionsResponse, pb.Permission]:
        """Iterate over permissions, fetching pages lazily.

        Args:
            page_size: permissions per page (``None``: the service's default).
            limit: stop after this many permissions (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            type: ``ALL`` (default), ``SCALEKIT`` (built-in) or ``ENVIRONMENT`` (yours).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``Permission`` messages.

        Example:
            >>> async for perm in client.permission.iter_permissions():
            ...     print(perm.name)
        """

        async def fetch(token: str, size: int) -> pb.ListPermissionsResponse:
            # Both are optional fields: an explicit 0 / "" would be a bad request, so leave them unset.
            return await self.list_permissions(
                page_size=size or None, page_token=token or None, type=type, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.permissions,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListPermissionsRequest),
        )

    async def delete_permission(
        self, permission_name: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> None:
        """Delete a permission.

        Args:
            permission_name: the permission's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such permission.
            APIError: any other error reported by the service.

        Example:
            >>> await client.permission.delete_permission("invoices:read")
        """
        request = pb.DeletePermissionRequest(permission_name=permission_name)
        await self._caller.call(rpcs.DELETE_PERMISSION, request, timeout=timeout, retry=retry)

    async def list_role_permissions(
        self, role_name: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ListRolePermissionsResponse:
        """List the permissions a role grants directly (not through its base role).

        Args:
            role_name: the role's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``permissions`` holds the list.

        Raises:
            NotFoundError: no such role.
            APIError: any other error reported by the service.

        Example:
            >>> perms = (await client.permission.list_role_permissions("viewer")).permissions
        """
        request = pb.ListRolePermissionsRequest(role_name=role_name)
        return await self._caller.call(rpcs.LIST_ROLE_PERMISSIONS, request, timeout=timeout, retry=retry)

    async def add_permissions_to_role(
        self,
        role_name: str,
        *,
        permission_names: Sequence[str],
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.AddPermissionsToRoleResponse:
        """Let a role grant more permissions.

        Args:
            role_name: the role's name.
            permission_names: names of the permissions to add.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``permissions`` holds the role's permissions.

        Raises:
            NotFoundError: no such role or permission.
            APIError: any other error reported by the service.

        Example:
            >>> resp = await client.permission.add_permissions_to_role("viewer", permission_names=["read"])
        """
        request = pb.AddPermissionsToRoleRequest(role_name=role_name, permission_names=permission_names)
        return await self._caller.call(rpcs.ADD_PERMISSIONS_TO_ROLE, request, timeout=timeout, retry=retry)

    async def remove_permission_from_role(
        self,
        role_name: str,
        permission_name: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Stop a role from granting one permission.

        Args:
            role_name: the role's name.
            permission_name: the permission's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such role, or the role does not grant the permission.
            APIError: any other error reported by the service.

        Example:
            >>> await client.permission.remove_permission_from_role("viewer", "read")
        """
        request = pb.RemovePermissionFromRoleRequest(role_name=role_name, permission_name=permission_name)
        await self._caller.call(rpcs.REMOVE_PERMISSION_FROM_ROLE, request, timeout=timeout, retry=retry)

    async def list_effective_role_permissions(
        self, role_name: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ListEffectiveRolePermissionsResponse:
        """List every permission a role grants, including those inherited from its base roles.

        Args:
            role_name: the role's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``permissions`` holds the list.

        Raises:
            NotFoundError: no such role.
            APIError: any other error reported by the service.

        Example:
            >>> perms = (await client.permission.list_effective_role_permissions("admin")).permissions
        """
        request = pb.ListEffectiveRolePermissionsRequest(role_name=role_name)
        return await self._caller.call(
            rpcs.LIST_EFFECTIVE_ROLE_PERMISSIONS, request, timeout=timeout, retry=retry
        )
