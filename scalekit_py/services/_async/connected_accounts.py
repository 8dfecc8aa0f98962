"""Connected accounts (AgentKit): a user's authorized link to a third-party connector.

A connected account is named by its id (``connected_account_id=``) or by its connector (connection
name, e.g. ``"gmail"``) plus the identifier of its owner (``identifier=``, e.g. a user id or email),
optionally narrowed by ``organization_id=`` / ``user_id=``. Accounts start ``PENDING_AUTH``; the user
authorizes through :meth:`AsyncConnectedAccountService.get_magic_link_for_connected_account`, after
which the account is ``ACTIVE``.
"""

from __future__ import annotations

from collections.abc import Mapping

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._async._connected_account_queries import _AsyncConnectedAccountQueries
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import connected_accounts as rpcs

__all__ = ["AsyncConnectedAccountService"]


def _by_identifier(
    request: pb.GetConnectedAccountByIdentifierRequest,
    connector: str | None,
    identifier: str | None,
    organization_id: str | None,
    user_id: str | None,
    connected_account_id: str | None,
) -> pb.GetConnectedAccountByIdentifierRequest:
    return fill(
        request,
        connector=connector,
        identifier=identifier,
        organization_id=organization_id,
        user_id=user_id,
        id=connected_account_id,
    )


class AsyncConnectedAccountService(_AsyncConnectedAccountQueries):
    """``client.connected_accounts``: the RPCs of ``ConnectedAccountService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create_connected_account(
        self,
        connector: str,
        identifier: str,
        *,
        organization_id: str | None = None,
        user_id: str | None = None,
        authorization_details: pb.AuthorizationDetails | None = None,
        api_config: Mapping[str, object] | None = None,
        connected_account: pb.CreateConnectedAccount | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ConnectedAccount:
        """Create a connected account for an identifier on a connector.

        Without ``authorization_details`` the account starts ``PENDING_AUTH`` (the user authorizes
        it through a magic link); with credentials (an OAuth token or static API key) it is usable.

        Args:
            connector: the connection name, e.g. ``"gmail"``.
            identifier: the owner's identifier, e.g. a user id or email.
            organization_id: the organization the account belongs to.
            user_id: the Scalekit user the account belongs to.
            authorization_details: credentials to store (``oauth_token`` or ``static_auth``).
            api_config: connector-specific settings (JSON object).
            connected_account: a prebuilt ``CreateConnectedAccount``; arguments override its fields.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new connected account.

        Raises:
            NotFoundError: no such connector.
            ConflictError: the identifier already has an account on the connector.
            APIError: any other error reported by the service.

        Example:
            >>> acc = await client.connected_accounts.create_connected_account("gmail", "user_1")
        """
        body = fill(
            merged(connected_account, pb.CreateConnectedAccount),
            authorization_details=authorization_details,
            api_config=api_config,
        )
        request = fill(
            pb.CreateConnectedAccountRequest(
                connector=connector, identifier=identifier, connected_account=body
            ),
            organization_id=organization_id,
            user_id=user_id,
        )
        response = await self._caller.call(
            rpcs.CREATE_CONNECTED_ACCOUNT, request, timeout=timeout, retry=retry
        )
        return response.connected_account

    async def update_connected_account(
        self,
        connector: str | None = None,
        identifier: str | None = None,
        *,
        connected_account_id: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        authorization_details: pb.AuthorizationDetails | None = None,
        api_config: Mapping[str, object] | None = None,
        connected_account: pb.UpdateConnectedAccount | None = None,
        scope_selection: pb.ScopeSelection | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ConnectedAccount:
        """Replace the credentials or settings of a connected account.

        Args:
            connector: the connection name (with ``identifier``), or ``None`` with ``connected_account_id``.
            identifier: the owner's identifier.
            connected_account_id: the account's id, instead of connector and identifier.
            organization_id: narrows the lookup to this organization.
            user_id: narrows the lookup to this user.
            authorization_details: new credentials.
            api_config: new connector-specific settings (JSON object).
            connected_account: a prebuilt ``UpdateConnectedAccount``; arguments override its fields.
            scope_selection: OAuth scopes to request on the next authorization.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated connected account.

        Raises:
            NotFoundError: no such connected account.
            APIError: any other error reported by the service.

        Example:
            >>> acc = await client.connected_accounts.update_connected_account(
            ...     connected_account_id="ca_1", api_config={"region": "eu"})
        """
        body = fill(
            merged(connected_account, pb.UpdateConnectedAccount),
            authorization_details=authorization_details,
            api_config=api_config,
        )
        request = fill(
            pb.UpdateConnectedAccountRequest(connected_account=body),
            connector=connector,
            identifier=identifier,
            id=connected_account_id,
            organization_id=organization_id,
            user_id=user_id,
            scope_selection=scope_selection,
        )
        response = await self._caller.call(
            rpcs.UPDATE_CONNECTED_ACCOUNT, request, timeout=timeout, retry=retry
        )
        return response.connected_account

    async def delete_connected_account(
        self,
        connector: str | None = None,
        identifier: str | None = None,
        *,
        connected_account_id: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.DeleteConnectedAccountResponse:
        """Delete a connected account and its stored credentials.

        Args:
            connector: the connection name (with ``identifier``), or ``None`` with ``connected_account_id``.
            identifier: the owner's identifier.
            connected_account_id: the account's id, instead of connector and identifier.
            organization_id: narrows the lookup to this organization.
            user_id: narrows the lookup to this user.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The (empty) response.

        Raises:
            NotFoundError: no such connected account.
            APIError: any other error reported by the service.

        Example:
            >>> await client.connected_accounts.delete_connected_account("gmail", "user_1")
        """
        request = fill(
            pb.DeleteConnectedAccountRequest(),
            connector=connector,
            identifier=identifier,
            id=connected_account_id,
            organization_id=organization_id,
            user_id=user_id,
        )
        return await self._caller.call(rpcs.DELETE_CONNECTED_ACCOUNT, request, timeout=timeout, retry=retry)

    async def get_magic_link_for_connected_account(
        self,
        connector: str | None = None,
        identifier: str | None = None,
        *,
        connected_account_id: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        state: str | None = None,
        user_verify_url: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.GetMagicLinkForConnectedAccountResponse:
        """A link the user opens to authorize the connected account with the third party.

        The account is created (``PENDING_AUTH``) when the identifier has none on the connector yet.

        Args:
            connector: the connection name (with ``identifier``), or ``None`` with ``connected_account_id``.
            identifier: the owner's identifier.
            connected_account_id: the account's id, instead of connector and identifier.
            organization_id: the organization the account belongs to.
            user_id: the Scalekit user the account belongs to.
            state: opaque value handed back to ``user_verify_url`` after consent.
            user_verify_url: your page that verifies the user after consent (then call
                :meth:`verify_connected_account_user`).
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response: ``link`` and its ``expiry``.

        Raises:
            NotFoundError: no such connector or connected account.
            APIError: any other error reported by the service.

        Example:
            >>> link = (await client.connected_accounts.get_magic_link_for_connected_account(
            ...     "gmail", "user_1")).link
        """
        request = fill(
            pb.GetMagicLinkForConnectedAccountRequest(),
            connector=connector,
            identifier=identifier,
            id=connected_account_id,
            organization_id=organization_id,
            user_id=user_id,
            state=state,
            user_verify_url=user_verify_url,
        )
        return await self._caller.call(
            rpcs.GET_MAGIC_LINK_FOR_CONNECTED_ACCOUNT, request, timeout=timeout, retry=retry
        )

    async def get_connected_account(
        self,
        connected_account_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ConnectedAccount:
        """Fetch a connected account by id (without its credentials).

        Args:
            connected_account_id: the account's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The connected account.

        Raises:
            NotFoundError: no such connected account.
            APIError: any other error reported by the service.

        Example:
            >>> acc = await client.connected_accounts.get_connected_account("ca_1")
        """
        request = pb.GetConnectedAccountRequest(id=connected_account_id)
        response = await self._caller.call(rpcs.GET_CONNECTED_ACCOUNT, request, timeout=timeout, retry=retry)
        return response.connected_account

    async def disconnect_connected_account(
        self,
        connected_account_id: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ConnectedAccount:
        """Revoke a connected account's credentials, keeping the account (status ``DISCONNECTED``).

        Args:
            connected_account_id: the account's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The disconnected account.

        Raises:
            NotFoundError: no such connected account.
            APIError: any other error reported by the service.

        Example:
            >>> acc = await client.connected_accounts.disconnect_connected_account("ca_1")
        """
        request = pb.DisconnectConnectedAccountRequest(id=connected_account_id)
        response = await self._caller.call(
            rpcs.DISCONNECT_CONNECTED_ACCOUNT, request, timeout=timeout, retry=retry
        )
        return response.connected_account

    async def get_connected_account_by_identifier(
        self,
        connector: str | None = None,
        identifier: str | None = None,
        *,
        connected_account_id: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ConnectedAccount:
        """Fetch a connected account *with* its credentials (``GetConnectedAccountAuth``).

        Args:
            connector: the connection name (with ``identifier``), or ``None`` with ``connected_account_id``.
            identifier: the owner's identifier.
            connected_account_id: the account's id, instead of connector and identifier.
            organization_id: narrows the lookup to this organization.
            user_id: narrows the lookup to this user.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The connected account, ``authorization_details`` included (an expired OAuth token is
            refreshed first).

        Raises:
            NotFoundError: no such connected account.
            APIError: any other error reported by the service.

        Example:
            >>> acc = await client.connected_accounts.get_connected_account_by_identifier("gmail", "user_1")
            >>> token = acc.authorization_details.oauth_token.access_token
        """
        request = _by_identifier(
            pb.GetConnectedAccountByIdentifierRequest(),
            connector,
            identifier,
            organization_id,
            user_id,
            connected_account_id,
        )
        response = await self._caller.call(
            rpcs.GET_CONNECTED_ACCOUNT_AUTH, request, timeout=timeout, retry=retry
        )
        return response.connected_account

    async def get_connected_account_details_by_identifier(
        self,
        connector: str | None = None,
        identifier: str | None = None,
        *,
        connected_account_id: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.ConnectedAccount:
        """Fetch a connected account *without* its credentials (``GetConnectedAccountDetails``).

        Args:
            connector: the connection name (with ``identifier``), or ``None`` with ``connected_account_id``.
            identifier: the owner's identifier.
            connected_account_id: the account's id, instead of connector and identifier.
            organization_id: narrows the lookup to this organization.
            user_id: narrows the lookup to this user.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The connected account; ``authorization_details`` is empty.

        Raises:
            NotFoundError: no such connected account.
            APIError: any other error reported by the service.

        Example:
            >>> acc = await client.connected_accounts.get_connected_account_details_by_identifier(
            ...     "gmail", "user_1")
        """
        request = _by_identifier(
            pb.GetConnectedAccountByIdentifierRequest(),
            connector,
            identifier,
            organization_id,
            user_id,
            connected_account_id,
        )
        response = await self._caller.call(
            rpcs.GET_CONNECTED_ACCOUNT_DETAILS, request, timeout=timeout, retry=retry
        )
        return response.connected_account

    async def verify_connected_account_user(
        self,
        auth_request_id: str,
        identifier: str,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.VerifyConnectedAccountUserResponse:
        """Confirm that the user who consented is the account's owner (the user-verify step).

        After consent the service redirects to your ``user_verify_url`` with an ``auth_request_id``;
        you check the signed-in user and call this with their identifier to finish the connection.

        Args:
            auth_request_id: the ``auth_request_id`` query parameter your verify URL received.
            identifier: the identifier of the user you verified.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``post_user_verify_redirect_url`` is where to send the user next.

        Raises:
            BadRequestError: the auth request is unknown, expired, or for another identifier.
            APIError: any other error reported by the service.

        Example:
            >>> nxt = (await client.connected_accounts.verify_connected_account_user(
            ...     "ar_1", "user_1")).post_user_verify_redirect_url
        """
        request = pb.VerifyConnectedAccountUserRequest(auth_request_id=auth_request_id, identifier=identifier)
        return await self._caller.call(
            rpcs.VERIFY_CONNECTED_ACCOUNT_USER, request, timeout=timeout, retry=retry
        )
