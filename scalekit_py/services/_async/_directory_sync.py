"""What a directory synced: its users and groups; plus its secrets and on-demand syncs.

These methods are part of :class:`~scalekit_py.services._async.directories.AsyncDirectoryService`
(``client.directory``); they live here to keep each module small.
"""

from __future__ import annotations

from datetime import datetime

from google.protobuf import timestamp_pb2

from scalekit_api.v1.directories import directories_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._build import fill
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import directories as rpcs


class _AsyncDirectorySyncMethods:
    _caller: AsyncCaller

    async def list_directory_users(
        self,
        organization_id: str,
        directory_id: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        include_detail: bool | None = None,
        directory_group_id: str | None = None,
        updated_after: datetime | timestamp_pb2.Timestamp | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListDirectoryUsersResponse:
        """Fetch one page of the users a directory synced.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            page_size: users per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            include_detail: include the provider's raw user payload.
            directory_group_id: only members of this group.
            updated_after: only users changed after this instant (naive means UTC).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``users``, ``next_page_token``, ``total_size``.

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.directory.list_directory_users("org_1", "dir_1", page_size=50)
        """
        request = fill(
            pb.ListDirectoryUsersRequest(organization_id=organization_id, directory_id=directory_id),
            page_size=page_size,
            page_token=page_token,
            include_detail=include_detail,
            directory_group_id=directory_group_id,
            updated_after=updated_after,
        )
        return await self._caller.call(rpcs.LIST_DIRECTORY_USERS, request, timeout=timeout, retry=retry)

    def iter_directory_users(
        self,
        organization_id: str,
        directory_id: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        include_detail: bool | None = None,
        directory_group_id: str | None = None,
        updated_after: datetime | timestamp_pb2.Timestamp | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListDirectoryUsersResponse, pb.DirectoryUser]:
        """Iterate over the users a directory synced, fetching pages lazily.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            page_size: users per page (``None``: the service's default).
            limit: stop after this many users (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            include_detail: include the provider's raw user payload.
            directory_group_id: only members of this group.
            updated_after: only users changed after this instant (naive means UTC).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``DirectoryUser`` messages.

        Example:
            >>> async for user in client.directory.iter_directory_users("org_1", "dir_1"):
            ...     print(user.email)
        """

        async def fetch(token: str, size: int) -> pb.ListDirectoryUsersResponse:
            return await self.list_directory_users(
                organization_id,
                directory_id,
                page_size=size,
                page_token=token,
                include_detail=include_detail,
                directory_group_id=directory_group_id,
                updated_after=updated_after,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.users,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListDirectoryUsersRequest),
        )

    async def list_directory_groups(
        self,
        organization_id: str,
        directory_id: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        updated_after: datetime | timestamp_pb2.Timestamp | None = None,
        include_detail: bool | None = None,
        include_external_groups: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListDirectoryGroupsResponse:
        """Fetch one page of the groups a directory synced.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            page_size: groups per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            updated_after: only groups changed after this instant (naive means UTC).
            include_detail: include the provider's raw group payload.
            include_external_groups: include the provider's groups that are not synced.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``groups``, ``next_page_token``, ``total_size``.

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.directory.list_directory_groups("org_1", "dir_1")
        """
        request = fill(
            pb.ListDirectoryGroupsRequest(organization_id=organization_id, directory_id=directory_id),
            page_size=page_size,
            page_token=page_token,
            updated_after=updated_after,
            include_detail=include_detail,
            include_external_groups=include_external_groups,
        )
        return await self._caller.call(rpcs.LIST_DIRECTORY_GROUPS, request, timeout=timeout, retry=retry)

    def iter_directory_groups(
        self,
        organization_id: str,
        directory_id: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        updated_after: datetime | timestamp_pb2.Timestamp | None = None,
        include_detail: bool | None = None,
        include_external_groups: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListDirectoryGroupsResponse, pb.DirectoryGroup]:
        """Iterate over the groups a directory synced, fetching pages lazily.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            page_size: groups per page (``None``: the service's default).
            limit: stop after this many groups (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            updated_after: only groups changed after this instant (naive means UTC).
            include_detail: include the provider's raw group payload.
            include_external_groups: include the provider's groups that are not synced.
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``DirectoryGroup`` messages.

        Example:
            >>> async for group in client.directory.iter_directory_groups("org_1", "dir_1"):
            ...     print(group.display_name)
        """

        async def fetch(token: str, size: int) -> pb.ListDirectoryGroupsResponse:
            return await self.list_directory_groups(
                organization_id,
                directory_id,
                page_size=size,
                page_token=token,
                updated_after=updated_after,
                include_detail=include_detail,
                include_external_groups=include_external_groups,
                timeout=timeout,
                retry=retry,
            )

        return AsyncPager(
            fetch,
            lambda page: page.groups,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListDirectoryGroupsRequest),
        )

    async def list_directory_groups_summary(
        self,
        organization_id: str,
        directory_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListDirectoryGroupsResponse:
        """List all groups of a directory in brief (no pagination).

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``groups`` holds the list.

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> groups = (await client.directory.list_directory_groups_summary("org_1", "dir_1")).groups
        """
        request = pb.ListDirectoryGroupsSummaryRequest(
            organization_id=organization_id, directory_id=directory_id
        )
        return await self._caller.call(
            rpcs.LIST_DIRECTORY_GROUPS_SUMMARY, request, timeout=timeout, retry=retry
        )

    async def create_directory_secret(
        self,
        organization_id: str,
        directory_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.CreateDirectorySecretResponse:
        """Create the bearer secret the provider uses to push SCIM changes.

        The plain secret is returned only here: store it in the provider, and do not log it.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``plain_secret`` and the stored ``secret`` (id, suffix, expiry).

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> created = await client.directory.create_directory_secret("org_1", "dir_1")
        """
        request = pb.CreateDirectorySecretRequest(organization_id=organization_id, directory_id=directory_id)
        return await self._caller.call(rpcs.CREATE_DIRECTORY_SECRET, request, timeout=timeout, retry=retry)

    async def regenerate_directory_secret(
        self,
        organization_id: str,
        directory_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.RegenerateDirectorySecretResponse:
        """Replace a directory's secret; the old one stops working.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``plain_secret`` and the stored ``secret``.

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> created = await client.directory.regenerate_directory_secret("org_1", "dir_1")
        """
        request = pb.RegenerateDirectorySecretRequest(
            organization_id=organization_id, directory_id=directory_id
        )
        return await self._caller.call(
            rpcs.REGENERATE_DIRECTORY_SECRET, request, timeout=timeout, retry=retry
        )

    async def trigger_directory_sync(
        self,
        organization_id: str,
        directory_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Ask the directory to sync now instead of at its next scheduled run.

        Args:
            organization_id: the organization's id.
            directory_id: the directory's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            NotFoundError: no such organization or directory.
            APIError: any other error reported by the service.

        Example:
            >>> await client.directory.trigger_directory_sync("org_1", "dir_1")
        """
        request = pb.TriggerDirectorySyncRequest(organization_id=organization_id, directory_id=directory_id)
        await self._caller.call(rpcs.TRIGGER_DIRECTORY_SYNC, request, timeout=timeout, retry=retry)
