"""Memberships of users in organizations, invitations, and a member's roles and permissions.

These methods are part of :class:`~scalekit_py.services._async.users.AsyncUserService`
(``client.user``); they live here to keep each module small.
"""

from __future__ import annotations

from collections.abc import Sequence

from scalekit_api.v1.users import users_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import users as rpcs


class _AsyncMembershipMethods:
    _caller: AsyncCaller

    async def create_membership(
        self,
        organization_id: str,
        user_id: str | None = None,
        *,
        external_id: str | None = None,
        membership: pb.CreateMembership | None = None,
        send_invitation_email: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.User:
        """Add an existing user to an organization.

        Args:
            organization_id: the organization's id.
            user_id: the user's id (or pass ``external_id``).
            external_id: the user's external id, instead of ``user_id``.
            membership: roles, metadata and inviter of the membership (``None``: defaults).
            send_invitation_email: email the user an invitation (``None``: the service's default).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The user, with the new membership.

        Raises:
            TypeError: both ``user_id`` and ``external_id`` were given.
            NotFoundError: no such organization or user.
            ConflictError: the user is already a member.
            APIError: any other error reported by the service.

        Example:
            >>> user = await client.user.create_membership("org_1", "usr_1")
        """
        request = fill(
            pb.CreateMembershipRequest(
                organization_id=organization_id, membership=merged(membership, pb.CreateMembership)
            ),
            id=user_id,
            external_id=external_id,
            send_invitation_email=send_invitation_email,
        )
        response = await self._caller.call(rpcs.CREATE_MEMBERSHIP, request, timeout=timeout, retry=retry)
        return response.user

    async def delete_membership(
        self,
        organization_id: str,
        user_id: str | None = None,
        *,
        external_id: str | None = None,
        cascade: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Remove a user from an organization.

        Args:
            organization_id: the organization's id.
            user_id: the user's id (or pass ``external_id``).
            external_id: the user's external id, instead of ``user_id``.
            cascade: also delete the user when this was their last membership.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            TypeError: both ``user_id`` and ``external_id`` were given.
            NotFoundError: no such organization, user or membership.
            APIError: any other error reported by the service.

        Example:
            >>> await client.user.delete_membership("org_1", "usr_1")
        """
        request = fill(
            pb.DeleteMembershipRequest(organization_id=organization_id),
            id=user_id,
            external_id=external_id,
            cascade=cascade,
        )
        await self._caller.call(rpcs.DELETE_MEMBERSHIP, request, timeout=timeout, retry=retry)

    async def update_membership(
        self,
        organization_id: str,
        user_id: str | None = None,
        *,
        external_id: str | None = None,
        membership: pb.UpdateMembership,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.User:
        """Change a user's roles or metadata in one organization.

        Args:
            organization_id: the organization's id.
            user_id: the user's id (or pass ``external_id``).
            external_id: the user's external id, instead of ``user_id``.
            membership: the new roles and/or metadata.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The user, with the updated membership.

        Raises:
            TypeError: both ``user_id`` and ``external_id`` were given.
            NotFoundError: no such organization, user or membership.
            APIError: any other error reported by the service.

        Example:
            >>> user = await client.user.update_membership(
            ...     "org_1", "usr_1", membership=UpdateMembership(roles=[Role(name="admin")]))
        """
        request = fill(
            pb.UpdateMembershipRequest(organization_id=organization_id, membership=membership),
            id=user_id,
            external_id=external_id,
        )
        response = await self._caller.call(rpcs.UPDATE_MEMBERSHIP, request, timeout=timeout, retry=retry)
        return response.user

    async def resend_invite(
        self,
        organization_id: str,
        user_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Invite:
        """Send a pending member's invitation email again.

        Args:
            organization_id: the organization's id.
            user_id: the invited user's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The invitation, with its new expiry and resend count.

        Raises:
            NotFoundError: no such organization, user or pending invitation.
            APIError: any other error reported by the service.

        Example:
            >>> invite = await client.user.resend_invite("org_1", "usr_1")
        """
        request = pb.ResendInviteRequest(organization_id=organization_id, id=user_id)
        response = await self._caller.call(rpcs.RESEND_INVITE, request, timeout=timeout, retry=retry)
        return response.invite

    async def list_user_roles(
        self,
        organization_id: str,
        user_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListUserRolesResponse:
        """List the roles a user holds in an organization.

        Args:
            organization_id: the organization's id.
            user_id: the user's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``roles`` holds the list.

        Raises:
            NotFoundError: no such organization, user or membership.
            APIError: any other error reported by the service.

        Example:
            >>> roles = (await client.user.list_user_roles("org_1", "usr_1")).roles
        """
        request = pb.ListUserRolesRequest(organization_id=organization_id, user_id=user_id)
        return await self._caller.call(rpcs.LIST_USER_ROLES, request, timeout=timeout, retry=retry)

    async def assign_user_roles(
        self,
        organization_id: str,
        user_id: str,
        *,
        role_names: Sequence[str] | None = None,
        roles: Sequence[pb.AssignRoleRequest] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.AssignUserRolesResponse:
        """Give a member more roles in an organization.

        Args:
            organization_id: the organization's id.
            user_id: the user's id.
            role_names: names of the roles to add.
            roles: prebuilt ``AssignRoleRequest`` entries; sent before those of ``role_names``.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``roles`` holds the member's roles.

        Raises:
            NotFoundError: no such organization, user or role.
            APIError: any other error reported by the service.

        Example:
            >>> resp = await client.user.assign_user_roles("org_1", "usr_1", role_names=["admin"])
        """
        entries = [*(roles or ()), *(pb.AssignRoleRequest(role_name=name) for name in role_names or ())]
        request = pb.AssignUserRolesRequest(organization_id=organization_id, user_id=user_id, roles=entries)
        return await self._caller.call(rpcs.ASSIGN_USER_ROLES, request, timeout=timeout, retry=retry)

    async def remove_user_role(
        self,
        organization_id: str,
        user_id: str,
        role_name: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Take one role away from a member of an organization.

        Args:
            organization_id: the organization's id.
            user_id: the user's id.
            role_name: the role's name.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such organization, user or role assignment.
            APIError: any other error reported by the service.

        Example:
            >>> await client.user.remove_user_role("org_1", "usr_1", "admin")
        """
        request = pb.RemoveUserRoleRequest(
            organization_id=organization_id, user_id=user_id, role_name=role_name
        )
        await self._caller.call(rpcs.REMOVE_USER_ROLE, request, timeout=timeout, retry=retry)

    async def list_user_permissions(
        self,
        organization_id: str,
        user_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListUserPermissionsResponse:
        """List the permissions a member has in an organization, through all their roles.

        Args:
            organization_id: the organization's id.
            user_id: the user's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``permissions`` holds the list.

        Raises:
            NotFoundError: no such organization, user or membership.
            APIError: any other error reported by the service.

        Example:
            >>> perms = (await client.user.list_user_permissions("org_1", "usr_1")).permissions
        """
        request = pb.ListUserPermissionsRequest(organization_id=organization_id, user_id=user_id)
        return await self._caller.call(rpcs.LIST_USER_PERMISSIONS, request, timeout=timeout, retry=retry)
