"""The connected-account part of ``client.actions``: the official ``ActionClient`` names over
``client.connected_accounts`` (``connection_name`` is the facade's ``connector``), plus get-or-create."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py._transport.call import RetryArg, Timeout
from scalekit_py.agentkit import _convert
from scalekit_py.errors import ConflictError, NotFoundError
from scalekit_py.services._async._actions_base import _AsyncActionsBase

__all__ = ["_AsyncAccountActions"]

AuthDetails = ca_pb.AuthorizationDetails | Mapping[str, Any] | None


class _AsyncAccountActions(_AsyncActionsBase):
    async def get_authorization_link(
        self,
        *,
        identifier: str | None = None,
        connection_name: str | None = None,
        connected_account_id: str | None = None,
        state: str | None = None,
        user_verify_url: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> ca_pb.GetMagicLinkForConnectedAccountResponse:
        """A link the user opens to authorize their account on a connection (created ``PENDING_AUTH``
        when the identifier has none yet); after consent the account is ``ACTIVE``.

        Args:
            identifier: the user's identifier (with ``connection_name``).
            connection_name: the connection, e.g. ``"gmail"``.
            connected_account_id: the account, instead of the two above.
            state: opaque value handed back to ``user_verify_url``.
            user_verify_url: your page that verifies the user after consent.
            timeout: seconds for the call. retry: retry policy.

        Returns:
            The response: ``link`` and its ``expiry``.

        Raises:
            NotFoundError: no such connection or account.
        """
        return await self._facades.connected_accounts.get_magic_link_for_connected_account(
            connection_name,
            identifier,
            connected_account_id=connected_account_id,
            state=state,
            user_verify_url=user_verify_url,
            timeout=timeout,
            retry=retry,
        )

    async def verify_connected_account_user(
        self,
        *,
        auth_request_id: str,
        identifier: str,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> ca_pb.VerifyConnectedAccountUserResponse:
        """Finish a connection after consent: confirm the user your verify URL saw is the owner.

        Args:
            auth_request_id: the ``auth_request_id`` your ``user_verify_url`` received.
            identifier: the identifier of the user you verified.
            timeout: seconds for the call. retry: retry policy.

        Returns:
            The response; ``post_user_verify_redirect_url`` is where to send the user next.

        Raises:
            ValueError: an argument is empty. BadRequestError: unknown or expired request, other user.
        """
        _convert.required("auth_request_id", auth_request_id)
        _convert.required("identifier", identifier)
        return await self._facades.connected_accounts.verify_connected_account_user(
            auth_request_id, identifier, timeout=timeout, retry=retry
        )

    async def list_connected_accounts(
        self,
        *,
        connection_name: str | None = None,
        identifier: str | None = None,
        provider: str | None = None,
        connection_names: Sequence[str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> ca_pb.ListConnectedAccountsResponse:
        """One page of connected accounts, optionally filtered.

        Args:
            connection_name: only accounts of this connection.
            identifier: only accounts of this user.
            provider: only accounts of this provider.
            connection_names: only accounts of any of these connections.
            page_size: accounts per page. page_token: ``next_page_token`` of the previous page.
            timeout: seconds for the call. retry: retry policy.

        Returns:
            The page: ``connected_accounts``, ``next_page_token``, ``total_size``.

        Raises:
            BadRequestError: a filter or the page token is invalid.
        """
        return await self._facades.connected_accounts.list_connected_accounts(
            connector=connection_name,
            identifier=identifier,
            provider=provider,
            connection_names=connection_names,
            page_size=page_size,
            page_token=page_token,
            timeout=timeout,
            retry=retry,
        )

    async def get_connected_account(
        self,
        *,
        connection_name: str | None = None,
        identifier: str | None = None,
        connected_account_id: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> ca_pb.ConnectedAccount:
        """A connected account *with* its credentials (an expired OAuth token is refreshed first).

        Args:
            connection_name: the connection (with ``identifier``).
            identifier: the user's identifier.
            connected_account_id: the account, instead of the two above.
            organization_id: narrows the lookup. user_id: narrows the lookup.
            timeout: seconds for the call. retry: retry policy.

        Returns:
            The account, ``authorization_details`` included.

        Raises:
            NotFoundError: no such account.
        """
        return await self._facades.connected_accounts.get_connected_account_by_identifier(
            connection_name,
            identifier,
            connected_account_id=connected_account_id,
            organization_id=organization_id,
            user_id=user_id,
            timeout=timeout,
            retry=retry,
        )

    async def get_connected_account_details(
        self,
        *,
        connection_name: str | None = None,
        identifier: str | None = None,
        connected_account_id: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> ca_pb.ConnectedAccount:
        """A connected account *without* its credentials (status, connector, ``api_config``, ...).

        Raises:
            NotFoundError: no such account.
        """
        return await self._facades.connected_accounts.get_connected_account_details_by_identifier(
            connection_name,
            identifier,
            connected_account_id=connected_account_id,
            organization_id=organization_id,
            user_id=user_id,
            timeout=timeout,
            retry=retry,
        )

    async def create_connected_account(
        self,
        *,
        connection_name: str,
        identifier: str,
        authorization_details: AuthDetails = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        api_config: Mapping[str, Any] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> ca_pb.ConnectedAccount:
        """Create a connected account: ``PENDING_AUTH`` without credentials, usable with them.

        Args:
            connection_name: the connection, e.g. ``"notes"``.
            identifier: the user's identifier.
            authorization_details: credentials, as ``AuthorizationDetails`` or its JSON form, e.g.
                ``{"static_auth": {"details": {"api_key": "..."}}}``.
            organization_id: the account's organization. user_id: the account's user.
            api_config: connection-specific settings.
            timeout: seconds for the call. retry: retry policy (a write: not retried by default).

        Returns:
            The new account.

        Raises:
            ValueError: an argument is empty or ``authorization_details`` is malformed.
            ConflictError: the user already has an account on the connection.
            NotFoundError: no such connection.
        """
        return await self._facades.connected_accounts.create_connected_account(
            _convert.required("connection_name", connection_name),
            _convert.required("identifier", identifier),
            authorization_details=_convert.authorization_details(authorization_details),
            organization_id=organization_id,
            user_id=user_id,
            api_config=api_config,
            timeout=timeout,
            retry=retry,
        )

    async def update_connected_account(
        self,
        *,
        connection_name: str,
        identifier: str,
        authorization_details: AuthDetails = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        connected_account_id: str | None = None,
        api_config: Mapping[str, Any] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> ca_pb.ConnectedAccount:
        """Replace a connected account's credentials and/or settings.

        Returns:
            The updated account.

        Raises:
            ValueError: an argument is empty or ``authorization_details`` is malformed.
            NotFoundError: no such account.
        """
        return await self._facades.connected_accounts.update_connected_account(
            _convert.required("connection_name", connection_name),
            _convert.required("identifier", identifier),
            connected_account_id=connected_account_id,
            authorization_details=_convert.authorization_details(authorization_details),
            organization_id=organization_id,
            user_id=user_id,
            api_config=api_config,
            timeout=timeout,
            retry=retry,
        )

    async def delete_connected_account(
        self,
        *,
        connection_name: str | None = None,
        identifier: str | None = None,
        connected_account_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> ca_pb.DeleteConnectedAccountResponse:
        """Delete a connected account and its credentials.

        Raises:
            NotFoundError: no such account.
        """
        return await self._facades.connected_accounts.delete_connected_account(
            connection_name,
            identifier,
            connected_account_id=connected_account_id,
            timeout=timeout,
            retry=retry,
        )

    async def get_or_create_connected_account(
        self,
        *,
        connection_name: str,
        identifier: str,
        authorization_details: AuthDetails = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        api_config: Mapping[str, Any] | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> ca_pb.ConnectedAccount:
        """The user's account on a connection: created when missing; given credentials are stored
        either way (whatever the account's status), so this is an upsert.

        A create that loses a race with another creator (``ConflictError``) reads the winner's account.

        Args:
            connection_name: the connection.
            identifier: the user's identifier.
            authorization_details: credentials to store (see :meth:`create_connected_account`).
            organization_id: the account's organization. user_id: the account's user.
            api_config: settings (stored on create, and on update when credentials are given).
            timeout: seconds for each call. retry: retry policy.

        Returns:
            The account (without credentials when it existed and none were given).

        Raises:
            ValueError: an argument is empty or ``authorization_details`` is malformed.
            NotFoundError: no such connection.
        """
        details = _convert.authorization_details(authorization_details)
        common: dict[str, Any] = {
            "connection_name": _convert.required("connection_name", connection_name),
            "identifier": _convert.required("identifier", identifier),
            "organization_id": organization_id,
            "user_id": user_id,
            "timeout": timeout,
            "retry": retry,
        }
        try:
            existing = await self.get_connected_account_details(**common)
        except NotFoundError:
            try:
                return await self.create_connected_account(
                    authorization_details=details, api_config=api_config, **common
                )
            except ConflictError:
                existing = await self.get_connected_account_details(**common)
        if details is None:
            return existing
        return await self.update_connected_account(
            authorization_details=details, api_config=api_config, **common
        )

    upsert_connected_account = get_or_create_connected_account
