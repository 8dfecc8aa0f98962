"""Roles of the environment (shared by all organizations) and their defaults.

Roles defined by one organization are in :mod:`scalekit_py.services._async._organization_roles`;
permissions are on ``client.permission``. Both role modules are on :class:`AsyncRoleService`
(``client.role``).
"""

from __future__ import annotations

from collections.abc import Sequence

from scalekit_api.v1.roles import roles_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._organization_roles import _AsyncOrganizationRoleMethods
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import roles as rpcs

__all__ = ["AsyncRoleService"]


class AsyncRoleService(_AsyncOrganizationRoleMethods):
    """``client.role``: the role RPCs of ``scalekit.v1.roles.RolesService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_role(
        self,
        name: str | None = None,
        *,
        display_name: str | None = None,
        description: str | None = None,
        extends: str | None = None,
        permissions: Sequence[str] | None = None,
        role: pb.CreateRole | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Role:
        """Create an environment role.

        Args:
            name: unique name used in tokens and API calls (e.g. ``billing_admin``).
            display_name: name shown to people.
            description: what the role is for.
            extends: name of a role whose permissions this one inherits.
            permissions: names of the permissions the role grants.
            role: a prebuilt ``CreateRole`` message; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new role.

        Raises:
            BadRequestError: a field is missing or invalid.
            ConflictError: a role with this name exists.
            APIError: any other error reported by the service.

        Example:
            >>> role = await client.role.create_role("viewer", display_name="Viewer", permissions=["read"])
        """
        body = fill(
            merged(role, pb.CreateRole),
            name=name,
            display_name=display_name,
            description=description,
            extends=extends,
            permissions=permissions,
        )
        request = pb.CreateRoleRequest(role=body)
        response = await self._caller.call(rpcs.CREATE_ROLE, request, timeout=timeout, retry=retry)
        return response.role

    async def update_role(
        self,
        role_name: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        extends: str | None = None,
        permissions: Sequence[str] | None = None,
        role: pb.UpdateRole | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Role:
        """Change an environment role.

        Args:
            role_name: the role's name.
            display_name: new display name.
            description: new description.
            extends: new base role.
            permissions: the permissions the role grants (replaces the current list).
            role: a prebuilt ``UpdateRole`` message; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated role.

        Raises:
            NotFoundError: no such role.
            APIError: any other error reported by the service.

        Example:
            >>> role = await client.role.update_role("viewer", description="Read-only access")
        """
        body = fill(
            merged(role, pb.UpdateRole),
            display_name=display_name,
            description=description,
            extends=extends,
            permissions=permissions,
        )
        request = pb.UpdateRoleRequest(role_name=role_name, role=body)
        response = await self._caller.call(rpcs.UPDATE_ROLE, request, timeout=timeout, retry=retry)
        return response.role

    async def get_role(
        self,
        role_name: str,
        *,
        include: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Role:
        """Fetch one environment role.

        Args:
            role_name: the role's name.
            include: extra data to include (e.g. ``permissions``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The role.

        Raises:
            NotFoundError: no such role.
            APIError: any other error reported by the service.

        Example:
            >>> role = await client.role.get_role("viewer")
        """
        request = fill(pb.GetRoleRequest(role_name=role_name), include=include)
        response = await self._caller.call(rpcs.GET_ROLE, request, timeout=timeout, retry=retry)
        return response.role

    async def list_roles(
        self, *, include: str | None = None, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ListRolesResponse:
        """List the environment's roles.

        Args:
            include: extra data to include (e.g. ``permissions``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``roles`` holds the list.

        Raises:
            APIError: the service reported an error.

        Example:
            >>> roles = (await client.role.list_roles()).roles
        """
        request = fill(pb.ListRolesRequest(), include=include)
        return await self._caller.call(rpcs.LIST_ROLES, request, timeout=timeout, retry=retry)

    async def delete_role(
        self,
        role_name: str,
        *,
        reassign_role_name: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Delete an environment role.

        Args:
            role_name: the role's name.
            reassign_role_name: give this role to the users who held the deleted one.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such role.
            PreconditionFailedError: the role is still used and no replacement was given.
            APIError: any other error reported by the service.

        Example:
            >>> await client.role.delete_role("viewer", reassign_role_name="member")
        """
        request = fill(pb.DeleteRoleRequest(role_name=role_name), reassign_role_name=reassign_role_name)
        await self._caller.call(rpcs.DELETE_ROLE, request, timeout=timeout, retry=retry)

    async def get_role_users_count(
        self, role_name: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.GetRoleUsersCountResponse:
        """Count the users who hold an environment role.

        Args:
            role_name: the role's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``count`` is the number of users.

        Raises:
            NotFoundError: no such role.
            APIError: any other error reported by the service.

        Example:
            >>> n = (await client.role.get_role_users_count("viewer")).count
        """
        request = pb.GetRoleUsersCountRequest(role_name=role_name)
        return await self._caller.call(rpcs.GET_ROLE_USERS_COUNT, request, timeout=timeout, retry=retry)

    async def update_default_roles(
        self,
        *,
        default_creator_role: str | None = None,
        default_member_role: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.UpdateDefaultRolesResponse:
        """Choose the roles given to an organization's creator and to new members.

        Args:
            default_creator_role: name of the role given to whoever creates an organization.
            default_member_role: name of the role given to new members.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``default_creator`` and ``default_member`` roles.

        Raises:
            NotFoundError: no such role.
            APIError: any other error reported by the service.

        Example:
            >>> resp = await client.role.update_default_roles(default_member_role="member")
        """
        request = fill(
            pb.UpdateDefaultRolesRequest(),
            default_creator_role=default_creator_role,
            default_member_role=default_member_role,
        )
        return await self._caller.call(rpcs.UPDATE_DEFAULT_ROLES, request, timeout=timeout, retry=retry)

    async def list_dependent_roles(
        self, role_name: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ListDependentRolesResponse:
        """List the roles that extend an environment role.

        Args:
            role_name: the base role's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``roles`` holds the dependent roles.

        Raises:
            NotFoundError: no such role.
            APIError: any other error reported by the service.

        Example:
            >>> deps = (await client.role.list_dependent_roles("member")).roles
        """
        request = pb.ListDependentRolesRequest(role_name=role_name)
        return await self._caller.call(rpcs.LIST_DEPENDENT_ROLES, request, timeout=timeout, retry=retry)

    async def delete_role_base(
        self, role_name: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> None:
        """Stop an environment role from extending its base role.

        Args:
            role_name: the role's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such role.
            APIError: any other error reported by the service.

        Example:
            >>> await client.role.delete_role_base("billing_admin")
        """
        request = pb.DeleteRoleBaseRequest(role_name=role_name)
        await self._caller.call(rpcs.DELETE_ROLE_BASE, request, timeout=timeout, retry=retry)
