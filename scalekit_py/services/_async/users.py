"""Users: read, update, delete, list and search, and create a user inside an organization.

Memberships, invitations and a member's roles and permissions are in
:mod:`scalekit_py.services._async._memberships`; both are on :class:`AsyncUserService`
(``client.user``). A user is named by its id (first argument) or by ``external_id=``.
"""

from __future__ import annotations

from scalekit_api.v1.users import users_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._memberships import _AsyncMembershipMethods
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._async._users_by_external_id import _AsyncUserByExternalIdMethods
from scalekit_py.services._build import fill
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._page_limits import page_limit
from scalekit_py.services._rpcs import users as rpcs

__all__ = ["AsyncUserService"]


class AsyncUserService(_AsyncMembershipMethods, _AsyncUserByExternalIdMethods):
    """``client.user``: the RPCs of ``scalekit.v1.users.UserService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def get_user(
        self,
        user_id: str | None = None,
        *,
        external_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.User:
        """Fetch one user by id or by external id.

        Args:
            user_id: the user's id (or pass ``external_id``).
            external_id: the user's external id, instead of ``user_id``.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The user, with their memberships.

        Raises:
            TypeError: both ``user_id`` and ``external_id`` were given.
            NotFoundError: no such user.
            APIError: any other error reported by the service.

        Example:
            >>> user = await client.user.get_user("usr_1")
        """
        request = fill(pb.GetUserRequest(), id=user_id, external_id=external_id)
        response = await self._caller.call(rpcs.GET_USER, request, timeout=timeout, retry=retry)
        return response.user

    async def list_users(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListUsersResponse:
        """Fetch one page of the environment's users.

        Args:
            page_size: users per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``users``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the page token or size is invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.user.list_users(page_size=100)
        """
        request = fill(pb.ListUsersRequest(), page_size=page_size, page_token=page_token)
        return await self._caller.call(rpcs.LIST_USERS, request, timeout=timeout, retry=retry)

    def iter_users(
        self,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListUsersResponse, pb.User]:
        """Iterate over the environment's users, fetching pages lazily.

        Args:
            page_size: users per page (``None``: the service's default).
            limit: stop after this many users (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``User`` messages.

        Example:
            >>> async for user in client.user.iter_users():
            ...     print(user.email)
        """

        async def fetch(token: str, size: int) -> pb.ListUsersResponse:
            return await self.list_users(page_size=size, page_token=token, timeout=timeout, retry=retry)

        return AsyncPager(
            fetch,
            lambda page: page.users,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListUsersRequest),
        )

    async def search_users(
        self,
        query: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.SearchUsersResponse:
        """Fetch one page of the environment's users matching a search text.

        Args:
            query: text matched against email, name, id and external id.
            page_size: users per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``users``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: the query is too short or the token invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.user.search_users("jane@")
        """
        request = fill(pb.SearchUsersRequest(query=query), page_size=page_size, page_token=page_token)
        return await self._caller.call(rpcs.SEARCH_USERS, request, timeout=timeout, retry=retry)

    def iter_search_users(
        self,
        query: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.SearchUsersResponse, pb.User]:
        """Iterate over the environment's users matching a search text, fetching pages lazily.

        Args:
            query: text matched against email, name, id and external id.
            page_size: users per page (``None``: the service's default).
            limit: stop after this many users (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``User`` messages.

        Example:
            >>> async for user in client.user.iter_search_users("acme.com"):
            ...     print(user.id)
        """

        async def fetch(token: str, size: int) -> pb.SearchUsersResponse:
            return await self.search_users(
                query, page_size=size, page_token=token, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.users,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.SearchUsersRequest),
        )

    async def search_organization_users(
        self,
        organization_id: str,
        query: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.SearchOrganizationUsersResponse:
        """Fetch one page of an organization's members matching a search text.

        Args:
            organization_id: the organization's id.
            query: text matched against email, name, id and external id.
            page_size: users per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``users``, ``next_page_token``, ``total_size``.

        Raises:
            NotFoundError: no such organization.
            BadRequestError: the query is too short or the token invalid.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.user.search_organization_users("org_1", "jane")
        """
        request = fill(
            pb.SearchOrganizationUsersRequest(organization_id=organization_id, query=query),
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.SEARCH_ORGANIZATION_USERS, request, timeout=timeout, retry=retry)

    def iter_search_organization_users(
        self,
        organization_id: str,
        query: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.SearchOrganizationUsersResponse, pb.User]:
        """Iterate over an organization's members matching a search text, fetching pages lazily.

        Args:
            organization_id: the organization's id.
            query: text matched against email, name, id and external id.
            page_size: users per page (``None``: the service's default).
            limit: stop after this many users (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``User`` messages.

        Example:
            >>> async for user in client.user.iter_search_organization_users("org_1", "jane"):
            ...     print(user.id)
        """

        async def fetch(token: str, size: int) -> pb.SearchOrganizationUsersResponse:
            return await self.search_organization_users(
                organization_id, query, page_size=size, page_token=token, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.users,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.SearchOrganizationUsersRequest),
        )

    async def list_organization_users(
        self,
        organization_id: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ListOrganizationUsersResponse:
        """Fetch one page of an organization's members.

        Args:
            organization_id: the organization's id.
            page_size: users per page (``None``: the service's default).
            page_token: ``next_page_token`` of the previous page (``None``: the first page).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The page: ``users``, ``next_page_token``, ``total_size``.

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> page = await client.user.list_organization_users("org_1")
        """
        request = fill(
            pb.ListOrganizationUsersRequest(organization_id=organization_id),
            page_size=page_size,
            page_token=page_token,
        )
        return await self._caller.call(rpcs.LIST_ORGANIZATION_USERS, request, timeout=timeout, retry=retry)

    def iter_organization_users(
        self,
        organization_id: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> AsyncPager[pb.ListOrganizationUsersResponse, pb.User]:
        """Iterate over an organization's members, fetching pages lazily.

        Args:
            organization_id: the organization's id.
            page_size: users per page (``None``: the service's default).
            limit: stop after this many users (``None``: all of them).
            page_token: resume from this token (e.g. a pager's ``next_page_token``).
            timeout: seconds for each page's call (``None``: no deadline; default: the client's).
            retry: retry policy for each page's call (``None``: no retry; default: the client's).

        Returns:
            A pager over ``User`` messages.

        Example:
            >>> async for user in client.user.iter_organization_users("org_1", page_size=100):
            ...     print(user.email)
        """

        async def fetch(token: str, size: int) -> pb.ListOrganizationUsersResponse:
            return await self.list_organization_users(
                organization_id, page_size=size, page_token=token, timeout=timeout, retry=retry
            )

        return AsyncPager(
            fetch,
            lambda page: page.users,
            page_size=page_size,
            limit=limit,
            page_token=page_token,
            max_page_size=page_limit(pb.ListOrganizationUsersRequest),
        )

    async def update_user(
        self,
        user_id: str | None = None,
        *,
        external_id: str | None = None,
        user: pb.UpdateUser,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.User:
        """Change a user's profile, metadata or external id.

        Args:
            user_id: the user's id (or pass ``external_id``).
            external_id: the user's external id, instead of ``user_id``.
            user: the new values (``UpdateUser`` with ``user_profile`` and/or ``metadata``).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated user.

        Raises:
            TypeError: both ``user_id`` and ``external_id`` were given.
            NotFoundError: no such user.
            APIError: any other error reported by the service.

        Example:
            >>> user = await client.user.update_user(
            ...     "usr_1", user=UpdateUser(user_profile=UpdateUserProfile(given_name="Jane")))
        """
        request = fill(pb.UpdateUserRequest(user=user), id=user_id, external_id=external_id)
        response = await self._caller.call(rpcs.UPDATE_USER, request, timeout=timeout, retry=retry)
        return response.user

    async def delete_user(
        self,
        user_id: str | None = None,
        *,
        external_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> None:
        """Delete a user and all their memberships.

        Args:
            user_id: the user's id (or pass ``external_id``).
            external_id: the user's external id, instead of ``user_id``.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Raises:
            TypeError: both ``user_id`` and ``external_id`` were given.
            NotFoundError: no such user.
            APIError: any other error reported by the service.

        Example:
            >>> await client.user.delete_user("usr_1")
        """
        request = fill(pb.DeleteUserRequest(), id=user_id, external_id=external_id)
        await self._caller.call(rpcs.DELETE_USER, request, timeout=timeout, retry=retry)

    async def create_user_and_membership(
        self,
        organization_id: str,
        *,
        user: pb.CreateUser,
        send_invitation_email: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.User:
        """Create a user as a member of an organization.

        Args:
            organization_id: the organization's id.
            user: email, profile, metadata and membership of the new user.
            send_invitation_email: email the user an invitation (``None``: the service's default).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new user, with the membership.

        Raises:
            NotFoundError: no such organization.
            ConflictError: a user with this email or external id exists.
            APIError: any other error reported by the service.

        Example:
            >>> user = await client.user.create_user_and_membership(
            ...     "org_1", user=CreateUser(email="jane@acme.com"))
        """
        request = fill(
            pb.CreateUserAndMembershipRequest(organization_id=organization_id, user=user),
            send_invitation_email=send_invitation_email,
        )
        response = await self._caller.call(
            rpcs.CREATE_USER_AND_MEMBERSHIP, request, timeout=timeout, retry=retry
        )
        return response.user
