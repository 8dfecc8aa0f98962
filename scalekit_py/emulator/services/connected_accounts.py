"""ConnectedAccountService: AgentKit connected accounts (model in :mod:`scalekit_py.emulator.agentkit`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectrpc.code import Code
from connectrpc.errors import ConnectError

from scalekit_api.v1.connected_accounts import connected_accounts_connect
from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as pb
from scalekit_py.emulator.agentkit import accounts, consent, runners
from scalekit_py.emulator.services._base import Events, Service, handler, listing_key
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Tx

KIND = accounts.KIND


def _select(tx: Tx, request: Any) -> pb.ConnectedAccount:
    """The account a request names by ``id`` or ``connector`` + ``identifier`` (+ owner)."""
    return accounts.select(
        tx,
        account_id=request.id,
        connector=request.connector,
        identifier=request.identifier,
        organization_id=request.organization_id,
        user_id=request.user_id,
    )


def _listing(request: pb.ListConnectedAccountsRequest) -> tuple[str, Match | None]:
    """Which index list the request pages over: the owner records of its organization (or user), whose
    ids are the accounts' (``ak_owner`` entries, rows read from ``ak_account``), or one identifier's
    accounts; else every account (no match)."""
    if request.organization_id:
        return accounts.OWNER_KIND, Match(f"org:{request.organization_id}")
    if request.user_id:
        return accounts.OWNER_KIND, Match(f"user:{request.user_id}")
    if request.identifier:
        return KIND, Match(f"identifier:{request.identifier}")
    return KIND, None


def _matches(tx: Tx, account: pb.ConnectedAccount, request: pb.ListConnectedAccountsRequest) -> bool:
    """The filters the listed index list does not already apply."""
    checks = (
        not (request.organization_id and request.user_id)
        or accounts.owner(tx, account.id)["user_id"] == request.user_id,
        not request.connector or account.connector == request.connector.lower(),
        not request.identifier or account.identifier == request.identifier,
        not request.provider or account.provider.upper() == request.provider.upper(),
        not request.query or request.query.lower() in f"{account.identifier} {account.connector}".lower(),
        not request.connection_names or account.connector in {n.lower() for n in request.connection_names},
        not request.HasField("is_org_wide_credential")
        or account.is_org_wide_credential == request.is_org_wide_credential,
    )
    return all(checks)


def _narrows(request: pb.ListConnectedAccountsRequest, listed: Match | None) -> bool:
    """Whether any filter is left for :func:`_matches` once the index list is chosen."""
    rest = pb.ListConnectedAccountsRequest()
    rest.CopyFrom(request)
    for name in ("page_size", "page_token", "organization_id"):
        rest.ClearField(name)
    if listed is not None and listed.tag.startswith(("user:", "identifier:")):
        rest.ClearField("user_id" if listed.tag.startswith("user:") else "identifier")
    return rest.ByteSize() > 0


class ConnectedAccountService(Service, connected_accounts_connect.ConnectedAccountService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    @handler
    async def list_connected_accounts(
        self, request: pb.ListConnectedAccountsRequest, ctx: Any, events: Events
    ) -> pb.ListConnectedAccountsResponse:
        kind, listed = _listing(request)
        with self.state.store.transaction() as tx:
            page = tx.page(
                kind,
                pb.ConnectedAccount,
                page_size=request.page_size,
                page_token=request.page_token,
                match=listed,
                rows_kind=KIND if kind != KIND else None,
                where=(lambda a: _matches(tx, a, request)) if _narrows(request, listed) else None,
                key=listing_key(request),
                reads=(accounts.OWNER_KIND,),
            )
        items = [accounts.for_list(a) for a in page.items]  # type: ignore[arg-type]
        return pb.ListConnectedAccountsResponse(connected_accounts=items, **page.cursor())

    @handler
    async def search_connected_accounts(
        self, request: pb.SearchConnectedAccountsRequest, ctx: Any, events: Events
    ) -> pb.SearchConnectedAccountsResponse:
        query = request.query.lower()

        def hit(account: pb.ConnectedAccount) -> bool:
            text = f"{account.identifier} {account.id} {account.connector}".lower()
            return query in text and (
                not request.connection_id or account.connection_id == request.connection_id
            )

        with self.state.store.transaction() as tx:
            page = tx.page(
                KIND,
                pb.ConnectedAccount,
                page_size=request.page_size,
                page_token=request.page_token,
                where=hit,
                key=listing_key(request),
            )
        items = [accounts.for_list(a) for a in page.items]  # type: ignore[arg-type]
        return pb.SearchConnectedAccountsResponse(connected_accounts=items, **page.cursor())

    @handler
    async def create_connected_account(
        self, request: pb.CreateConnectedAccountRequest, ctx: Any, events: Events
    ) -> pb.CreateConnectedAccountResponse:
        with self.state.store.transaction() as tx:
            account = accounts.create(
                tx,
                self.state,
                connector=request.connector,
                identifier=request.identifier,
                organization_id=request.organization_id,
                user_id=request.user_id,
                body=request.connected_account,
            )
        events.append(("connected_account.created", {"connected_account_id": account.id}))
        return pb.CreateConnectedAccountResponse(connected_account=account)

    @handler
    async def update_connected_account(
        self, request: pb.UpdateConnectedAccountRequest, ctx: Any, events: Events
    ) -> pb.UpdateConnectedAccountResponse:
        body = request.connected_account
        with self.state.store.transaction() as tx:
            account = _select(tx, request)
            if body.HasField("api_config"):
                account.api_config.CopyFrom(body.api_config)
            if body.HasField("authorization_details"):
                accounts.activate(account, body.authorization_details, self.state.clock())
            account.updated_at.CopyFrom(self.now())
            tx.update(KIND, account.id, account)
        return pb.UpdateConnectedAccountResponse(connected_account=account)

    @handler
    async def delete_connected_account(
        self, request: pb.DeleteConnectedAccountRequest, ctx: Any, events: Events
    ) -> pb.DeleteConnectedAccountResponse:
        with self.state.store.transaction() as tx:
            account = _select(tx, request)
            for kind in (runners.NOTE_KIND, consent.LINK_KIND, consent.REQUEST_KIND):
                for doc_id in tx.ids(kind, parent=account.id):
                    tx.delete(kind, doc_id)
            tx.delete(accounts.OWNER_KIND, account.id)
            tx.delete(KIND, account.id)
        events.append(("connected_account.deleted", {"connected_account_id": account.id}))
        return pb.DeleteConnectedAccountResponse()

    @handler
    async def get_magic_link_for_connected_account(
        self, request: pb.GetMagicLinkForConnectedAccountRequest, ctx: Any, events: Events
    ) -> pb.GetMagicLinkForConnectedAccountResponse:
        with self.state.store.transaction() as tx:
            try:
                account = _select(tx, request)
            except ConnectError as exc:
                if exc.code != Code.NOT_FOUND or request.id:
                    raise
                account = accounts.create(
                    tx,
                    self.state,
                    connector=request.connector,
                    identifier=request.identifier,
                    organization_id=request.organization_id,
                    user_id=request.user_id,
                )
            link, expiry = consent.magic_link(
                tx, self.state, account, state_param=request.state, verify_url=request.user_verify_url
            )
        return pb.GetMagicLinkForConnectedAccountResponse(link=link, expiry=expiry)

    @handler
    async def get_connected_account(
        self, request: pb.GetConnectedAccountRequest, ctx: Any, events: Events
    ) -> pb.GetConnectedAccountResponse:
        with self.state.store.transaction() as tx:
            account = accounts.select(tx, account_id=request.id or "-")
        return pb.GetConnectedAccountResponse(connected_account=accounts.public(account))

    @handler
    async def disconnect_connected_account(
        self, request: pb.DisconnectConnectedAccountRequest, ctx: Any, events: Events
    ) -> pb.DisconnectConnectedAccountResponse:
        with self.state.store.transaction() as tx:
            account = accounts.select(tx, account_id=request.id or "-")
            account.status = pb.DISCONNECTED
            account.ClearField("authorization_details")
            account.ClearField("token_expires_at")
            account.updated_at.CopyFrom(self.now())
            tx.update(KIND, account.id, account)
        return pb.DisconnectConnectedAccountResponse(connected_account=account)

    @handler
    async def get_connected_account_auth(
        self, request: pb.GetConnectedAccountByIdentifierRequest, ctx: Any, events: Events
    ) -> pb.GetConnectedAccountByIdentifierResponse:
        with self.state.store.transaction() as tx:
            account = accounts.fresh(tx, _select(tx, request), self.state.clock())
        return pb.GetConnectedAccountByIdentifierResponse(connected_account=account)

    @handler
    async def get_connected_account_details(
        self, request: pb.GetConnectedAccountByIdentifierRequest, ctx: Any, events: Events
    ) -> pb.GetConnectedAccountByIdentifierResponse:
        with self.state.store.transaction() as tx:
            account = _select(tx, request)
        return pb.GetConnectedAccountByIdentifierResponse(connected_account=accounts.public(account))

    @handler
    async def verify_connected_account_user(
        self, request: pb.VerifyConnectedAccountUserRequest, ctx: Any, events: Events
    ) -> pb.VerifyConnectedAccountUserResponse:
        with self.state.store.transaction() as tx:
            url = consent.verify_user(tx, self.state, request.auth_request_id, request.identifier)
        return pb.VerifyConnectedAccountUserResponse(post_user_verify_redirect_url=url)


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return connected_accounts_connect.ConnectedAccountServiceASGIApplication(
        ConnectedAccountService(state), interceptors=interceptors
    )
