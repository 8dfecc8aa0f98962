"""Directories (SCIM and other user-provisioning sources) of an organization.

Synced users and groups, directory secrets and sync triggers are in
:mod:`scalekit_py.services._async._directory_sync`; both are on :class:`AsyncDirectoryService`
(``client.directory``).
"""

from __future__ import annotations

from collections.abc import Sequence

from scalekit_api.v1.directories import directories_pb2 as pb
from scalekit_py import errors
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._directory_sync import _AsyncDirectorySyncMethods
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import directories as rpcs

__all__ = ["AsyncDirectoryService"]


class AsyncDirectoryService(_AsyncDirectorySyncMethods):
    """``client.directory``: the RPCs of ``scalekit.v1.directories.DirectoryService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_directory(
        self,
        organization_id: str,
        *,
        directory_type: pb.DirectoryType.ValueType | None = None,
        directory_provider: pb.DirectoryProvider.ValueType | None = None,
        directory: pb.CreateDirectory | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Directory:
        """Create a directory for an organization.

        Args:
            organization_id: the organization's id.
            directory_type: how users are provisioned (e.g. ``SCIM``).
            directory_provider: the identity provider (e.g. ``OKTA``).
            directory: a prebuilt ``CreateDirectory`` message; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new directory.

        Raises:
            NotFoundError: no such organization.
            BadRequestError: the type or provider is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> d = await client.directory.create_directory(
            ...     "org_1", directory_type=DirectoryType.SCIM, directory_provider=DirectoryProvider.OKTA)
        """
        body = fill(
            merged(directory, pb.CreateDirectory),
            directory_type=directory_type,
            directory_provider=directory_provider,
        )
        request = pb.CreateDirectoryRequest(organization_id=organization_id, directory=body)
        response = await self._caller.call(rpcs.CREATE_DIRECTORY, request, timeout=timeout, retry=retry)
        return response.directory

    async def delete_directory(
        self,
        organization_id: str,
        directory_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Delete a directory of an organization.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> await client.directory.delete_directory("org_1", "dir_1")
        """
        request = pb.DeleteDirectoryRequest(organization_id=organization_id, id=directory_id)
        await self._caller.call(rpcs.DELETE_DIRECTORY, request, timeout=timeout, retry=retry)

    async def update_directory(
        self,
        organization_id: str,
        directory_id: str,
        *,
        directory: pb.UpdateDirectory,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Directory:
        """Change a directory's name, provider, mappings or synced groups.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            directory: the new values.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated directory.

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> d = await client.directory.update_directory(
            ...     "org_1", "dir_1", directory=UpdateDirectory(name="Okta users"))
        """
        request = pb.UpdateDirectoryRequest(
            organization_id=organization_id, id=directory_id, directory=directory
        )
        response = await self._caller.call(rpcs.UPDATE_DIRECTORY, request, timeout=timeout, retry=retry)
        return response.directory

    async def assign_groups_for_directory(
        self,
        organization_id: str,
        directory_id: str,
        *,
        external_ids: Sequence[str],
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Choose which of the provider's groups the directory syncs.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            external_ids: the provider's ids of the groups to sync.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> await client.directory.assign_groups_for_directory("org_1", "dir_1", external_ids=["00g1"])
        """
        request = pb.AssignGroupsForDirectoryRequest(
            organization_id=organization_id, id=directory_id, external_ids=external_ids
        )
        await self._caller.call(rpcs.ASSIGN_GROUPS_FOR_DIRECTORY, request, timeout=timeout, retry=retry)

    async def assign_roles(
        self,
        organization_id: str,
        directory_id: str,
        *,
        assignments: Sequence[pb.RoleAssignment] | None = None,
        role_assignments: pb.RoleAssignments | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.RoleAssignments:
        """Map directory groups to roles: members of a group get its role.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            assignments: group -> role assignments; replaces those of ``role_assignments``.
            role_assignments: a prebuilt ``RoleAssignments`` message.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The directory's role assignments.

        Raises:
            NotFoundError: no such organization, directory, group or role.
            APIError: any other error reported by the service.

        Example:
            >>> await client.directory.assign_roles(
            ...     "org_1", "dir_1", assignments=[RoleAssignment(group_id="dirgroup_1", role_name="admin")])
        """
        body = fill(merged(role_assignments, pb.RoleAssignments), assignments=assignments)
        request = pb.AssignRolesRequest(
            organization_id=organization_id, id=directory_id, role_assignments=body
        )
        response = await self._caller.call(rpcs.ASSIGN_ROLES, request, timeout=timeout, retry=retry)
        return response.role_assignments

    async def update_attributes(
        self,
        organization_id: str,
        directory_id: str,
        *,
        attributes: Sequence[pb.AttributeMapping] | None = None,
        attribute_mapping: pb.AttributeMappings | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.AttributeMappings:
        """Set how the provider's user attributes map onto Scalekit user fields.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            attributes: key -> map_to pairs; replaces those of ``attribute_mapping``.
            attribute_mapping: a prebuilt ``AttributeMappings`` message.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The directory's attribute mappings.

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> await client.directory.update_attributes(
            ...     "org_1", "dir_1", attributes=[AttributeMapping(key="email", map_to="mail")])
        """
        body = fill(merged(attribute_mapping, pb.AttributeMappings), attributes=attributes)
        request = pb.UpdateAttributesRequest(
            organization_id=organization_id, id=directory_id, attribute_mapping=body
        )
        response = await self._caller.call(rpcs.UPDATE_ATTRIBUTES, request, timeout=timeout, retry=retry)
        return response.attribute_mappings

    async def get_directory(
        self,
        organization_id: str,
        directory_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Directory:
        """Fetch one directory of an organization.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The directory.

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> d = await client.directory.get_directory("org_1", "dir_1")
        """
        request = pb.GetDirectoryRequest(organization_id=organization_id, id=directory_id)
        response = await self._caller.call(rpcs.GET_DIRECTORY, request, timeout=timeout, retry=retry)
        return response.directory

    async def list_directories(
        self, organization_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ListDirectoriesResponse:
        """List the directories of an organization.

        Args:
            organization_id: the organization's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``directories`` holds the list.

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> dirs = (await client.directory.list_directories("org_1")).directories
        """
        request = pb.ListDirectoriesRequest(organization_id=organization_id)
        return await self._caller.call(rpcs.LIST_DIRECTORIES, request, timeout=timeout, retry=retry)

    async def get_primary_directory_by_organization_id(
        self, organization_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.Directory:
        """The organization's first directory (from ``list_directories``).

        Raises:
            NotFoundError: the organization has no directory (or does not exist).
        """
        listed = await self.list_directories(organization_id, timeout=timeout, retry=retry)
        if not listed.directories:
            raise errors.NotFoundError(
                f"organization {organization_id!r} has no directory", grpc_code="NOT_FOUND", http_status=404
            )
        return listed.directories[0]

    async def enable_directory(
        self,
        organization_id: str,
        directory_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ToggleDirectoryResponse:
        """Enable a directory so it starts syncing users and groups.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``enabled`` and, when it could not be enabled, ``error_message``.

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> result = await client.directory.enable_directory("org_1", "dir_1")
        """
        request = pb.ToggleDirectoryRequest(organization_id=organization_id, id=directory_id)
        return await self._caller.call(rpcs.ENABLE_DIRECTORY, request, timeout=timeout, retry=retry)

    async def disable_directory(
        self,
        organization_id: str,
        directory_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ToggleDirectoryResponse:
        """Disable a directory; it stops syncing.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``enabled`` (now false) and, when it could not be disabled, ``error_message``.

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> result = await client.directory.disable_directory("org_1", "dir_1")
        """
        request = pb.ToggleDirectoryRequest(organization_id=organization_id, id=directory_id)
        return await self._caller.call(rpcs.DISABLE_DIRECTORY, request, timeout=timeout, retry=retry)
