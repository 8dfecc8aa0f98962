"""The official SDK's ``*_by_external_id`` user and membership methods, kept for a drop-in move.

Each one names the user by the external id you gave it and calls the facade method that takes
``external_id=`` (no RPC of its own). They are part of
:class:`~scalekit_py.services._async.users.AsyncUserService` (``client.user`` / ``client.users``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from scalekit_api.v1.users import users_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._caller import RetryArg, Timeout

if TYPE_CHECKING:
    from scalekit_py.services._async.users import AsyncUserService


class _AsyncUserByExternalIdMethods:
    def _users(self) -> AsyncUserService:
        return cast("AsyncUserService", self)

    async def get_user_by_external_id(
        self, external_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.User:
        """Fetch a user by external id; same as ``get_user(external_id=...)``.

        Raises:
            NotFoundError: no user has this external id.
        """
        return await self._users().get_user(external_id=external_id, timeout=timeout, retry=retry)

    async def update_user_by_external_id(
        self,
        external_id: str,
        *,
        user: pb.UpdateUser,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.User:
        """Update a user named by external id; same as ``update_user(external_id=..., user=...)``.

        Raises:
            NotFoundError: no user has this external id.
        """
        return await self._users().update_user(
            external_id=external_id, user=user, timeout=timeout, retry=retry
        )

    async def delete_user_by_external_id(
        self, external_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> None:
        """Delete a user named by external id; same as ``delete_user(external_id=...)``.

        Raises:
            NotFoundError: no user has this external id.
        """
        await self._users().delete_user(external_id=external_id, timeout=timeout, retry=retry)

    async def create_membership_by_external_id(
        self,
        organization_id: str,
        external_id: str,
        *,
        membership: pb.CreateMembership | None = None,
        send_invitation_email: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.User:
        """Add a user named by external id to an organization; see ``create_membership``.

        Raises:
            NotFoundError: no such organization or user.
            ConflictError: the user is already a member.
        """
        return await self._users().create_membership(
            organization_id,
            external_id=external_id,
            membership=membership,
            send_invitation_email=send_invitation_email,
            timeout=timeout,
            retry=retry,
        )

    async def update_membership_by_external_id(
        self,
        organization_id: str,
        external_id: str,
        *,
        membership: pb.UpdateMembership,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.User:
        """Change the membership of a user named by external id; see ``update_membership``.

        Raises:
            NotFoundError: no such organization, user or membership.
        """
        return await self._users().update_membership(
            organization_id, external_id=external_id, membership=membership, timeout=timeout, retry=retry
        )

    async def delete_membership_by_external_id(
        self,
        organization_id: str,
        external_id: str,
        *,
        cascade: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Remove a user named by external id from an organization; see ``delete_membership``.

        Raises:
            NotFoundError: no such organization, user or membership.
        """
        await self._users().delete_membership(
            organization_id, external_id=external_id, cascade=cascade, timeout=timeout, retry=retry
        )
