"""Roles defined by one organization, on top of the environment's roles.

These methods are part of :class:`~scalekit_py.services._async.roles.AsyncRoleService`
(``client.role``); they live here to keep each module small.
"""

from __future__ import annotations

from collections.abc import Sequence

from scalekit_api.v1.roles import roles_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import roles as rpcs


class _AsyncOrganizationRoleMethods:
    _caller: AsyncCaller

    async def create_organization_role(
        self,
        organization_id: str,
        name: str | None = None,
        *,
        display_name: str | None = None,
        description: str | None = None,
        extends: str | None = None,
        permissions: Sequence[str] | None = None,
        role: pb.CreateOrganizationRole | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Role:
        """Create a role that exists only in one organization.

        Args:
            organization_id: the organization's id.
            name: unique name of the role within the organization.
            display_name: name shown to people.
            description: what the role is for.
            extends: name of a role whose permissions this one inherits.
            permissions: names of the permissions the role grants.
            role: a prebuilt ``CreateOrganizationRole`` message; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new role.

        Raises:
            NotFoundError: no such organization.
            ConflictError: a role with this name exists.
            APIError: any other error reported by the service.

        Example:
            >>> role = await client.role.create_organization_role("org_1", "auditor", display_name="Auditor")
        """
        body = fill(
            merged(role, pb.CreateOrganizationRole),
            name=name,
            display_name=display_name,
            description=description,
            extends=extends,
            permissions=permissions,
        )
        request = pb.CreateOrganizationRoleRequest(org_id=organization_id, role=body)
        response = await self._caller.call(
            rpcs.CREATE_ORGANIZATION_ROLE, request, timeout=timeout, retry=retry
        )
        return response.role

    async def update_organization_role(
        self,
        organization_id: str,
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
        """Change a role of an organization.

        Args:
            organization_id: the organization's id.
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
            NotFoundError: no such organization or role.
            APIError: any other error reported by the service.

        Example:
            >>> role = await client.role.update_organization_role("org_1", "auditor", description="Audits")
        """
        body = fill(
            merged(role, pb.UpdateRole),
            display_name=display_name,
            description=description,
            extends=extends,
            permissions=permissions,
        )
        request = pb.UpdateOrganizationRoleRequest(org_id=organization_id, role_name=role_name, role=body)
        response = await self._caller.call(
            rpcs.UPDATE_ORGANIZATION_ROLE, request, timeout=timeout, retry=retry
        )
        return response.role

    async def get_organization_role(
        self,
        organization_id: str,
        role_name: str,
        *,
        include: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Role:
        """Fetch one role of an organization.

        Args:
            organization_id: the organization's id.
            role_name: the role's name.
            include: extra data to include (e.g. ``permissions``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The role.

        Raises:
            NotFoundError: no such organization or role.
            APIError: any other error reported by the service.

        Example:
            >>> role = await client.role.get_organization_role("org_1", "auditor")
        """
        request = fill(
            pb.GetOrganizationRoleRequest(org_id=organization_id, role_name=role_name), include=include
        )
        response = await self._caller.call(rpcs.GET_ORGANIZATION_ROLE, request, timeout=timeout, retry=retry)
        return response.role

    async def list_organization_roles(
        self,
        organization_id: str,
        *,
        include: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListOrganizationRolesResponse:
        """List the roles available in an organization (its own and the environment's).

        Args:
            organization_id: the organization's id.
            include: extra data to include (e.g. ``permissions``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``roles`` holds the list.

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> roles = (await client.role.list_organization_roles("org_1")).roles
        """
        request = fill(pb.ListOrganizationRolesRequest(org_id=organization_id), include=include)
        return await self._caller.call(rpcs.LIST_ORGANIZATION_ROLES, request, timeout=timeout, retry=retry)

    async def delete_organization_role(
        self,
        organization_id: str,
        role_name: str,
        *,
        reassign_role_name: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Delete a role of an organization.

        Args:
            organization_id: the organization's id.
            role_name: the role's name.
            reassign_role_name: give this role to the members who held the deleted one.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such organization or role.
            PreconditionFailedError: the role is still used and no replacement was given.
            APIError: any other error reported by the service.

        Example:
            >>> await client.role.delete_organization_role("org_1", "auditor")
        """
        request = fill(
            pb.DeleteOrganizationRoleRequest(org_id=organization_id, role_name=role_name),
            reassign_role_name=reassign_role_name,
        )
        await self._caller.call(rpcs.DELETE_ORGANIZATION_ROLE, request, timeout=timeout, retry=retry)

    async def get_organization_role_users_count(
        self,
        organization_id: str,
        role_name: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.GetOrganizationRoleUsersCountResponse:
        """Count the members of an organization who hold a role.

        Args:
            organization_id: the organization's id.
            role_name: the role's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``count`` is the number of members.

        Raises:
            NotFoundError: no such organization or role.
            APIError: any other error reported by the service.

        Example:
            >>> n = (await client.role.get_organization_role_users_count("org_1", "auditor")).count
        """
        request = pb.GetOrganizationRoleUsersCountRequest(org_id=organization_id, role_name=role_name)
        return await self._caller.call(
            rpcs.GET_ORGANIZATION_ROLE_USERS_COUNT, request, timeout=timeout, retry=retry
        )

    async def update_default_organization_roles(
        self,
        organization_id: str,
        *,
        default_member_role: str,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Role:
        """Choose the role given to new members of one organization.

        Args:
            organization_id: the organization's id.
            default_member_role: name of the role.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The organization's default member role.

        Raises:
            NotFoundError: no such organization or role.
            APIError: any other error reported by the service.

        Example:
            >>> role = await client.role.update_default_organization_roles(
            ...     "org_1", default_member_role="viewer")
        """
        request = pb.UpdateDefaultOrganizationRolesRequest(
            org_id=organization_id, default_member_role=default_member_role
        )
        response = await self._caller.call(
            rpcs.UPDATE_DEFAULT_ORGANIZATION_ROLES, request, timeout=timeout, retry=retry
        )
        return response.default_member

    async def delete_organization_role_base(
        self,
        organization_id: str,
        role_name: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Stop an organization's role from extending its base role.

        Args:
            organization_id: the organization's id.
            role_name: the role's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such organization or role.
            APIError: any other error reported by the service.

        Example:
            >>> await client.role.delete_organization_role_base("org_1", "auditor")
        """
        request = pb.DeleteOrganizationRoleBaseRequest(org_id=organization_id, role_name=role_name)
        await self._caller.call(rpcs.DELETE_ORGANIZATION_ROLE_BASE, request, timeout=timeout, retry=retry)
