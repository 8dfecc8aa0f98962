"""ApiTokenService: opaque API tokens of organizations and their users.

``CreateToken`` returns the opaque string once; the store keeps only its SHA-256 digest (the unique key
``hash`` of kind ``api_token``), so no later read can show it. A token is named by that string or by its
id (``apit_...``). Invalidating records the id under kind ``api_token_revoked`` (idempotent); a revoked
or expired token, one whose organization is gone or whose user left the organization, no longer
validates: ValidateToken and UpdateToken answer NOT_FOUND for it, as for a string that was never issued.
(NOT_FOUND rather than UNAUTHENTICATED: clients treat UNAUTHENTICATED as "your own access token is bad",
drop it and replay the call.) Organization, user, email and roles are read live on every lookup.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from connectrpc.code import Code
from google.protobuf.empty_pb2 import Empty

from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.tokens import tokens_connect
from scalekit_api.v1.tokens import tokens_pb2 as pb
from scalekit_api.v1.users import users_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.services._base import Events, Service, handler, new_id, require_fields
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Tx, secret_digest

KIND = "api_token"
REVOKED = "api_token_revoked"
ID_PREFIX = "apit_"
_SECRET_PREFIX = "skapi_"


def _missing() -> Exception:
    # Never echo the presented string: it may be a live secret.
    return _status.api_error(
        Code.NOT_FOUND, "api token not found", error_code="NOT_FOUND", resource="api_token"
    )


def _gone(why: str) -> Exception:
    return _status.api_error(Code.NOT_FOUND, f"api token {why}", error_code="NOT_FOUND", resource="api_token")


class ApiTokenService(Service, tokens_connect.ApiTokenService):
    """RPCs without a handler below (FetchToken: not callable by an admin client) fall back to the
    generated protocol (the router answers them)."""

    # --- lookups -------------------------------------------------------------------------------------

    def _stored(self, tx: Tx, token: str) -> pb.Token:
        """The stored token named by id or opaque string; NOT_FOUND when there is none."""
        require_fields(token=token)
        if token.startswith(ID_PREFIX):
            found = tx.get(KIND, token, pb.Token)
        else:
            found = tx.find(KIND, "hash", secret_digest(token), pb.Token)
        if found is None:
            raise _missing()
        return found

    def _member(self, tx: Tx, org_id: str, user_id: str) -> users_pb2.User | None:
        user = tx.get("user", user_id, users_pb2.User)
        if user is None or not any(m.organization_id == org_id for m in user.memberships):
            return None
        return user

    def _usable(self, tx: Tx, stored: pb.Token) -> str:
        """Why a stored token does not validate ('' when it does)."""
        if tx.get(REVOKED, stored.token_id, pb.Token) is not None:
            return "has been invalidated"
        if stored.HasField("expiry") and stored.expiry.ToNanoseconds() <= int(self.state.clock() * 1e9):
            return "has expired"
        if tx.get("organization", stored.organization_id, organizations_pb2.Organization) is None:
            return "belongs to a deleted organization"
        if stored.HasField("user_id") and self._member(tx, stored.organization_id, stored.user_id) is None:
            return "belongs to a user who is no longer a member"
        return ""

    def _valid(self, tx: Tx, token: str) -> pb.Token:
        stored = self._stored(tx, token)
        why = self._usable(tx, stored)
        if why:
            raise _gone(why)
        return stored

    def _view(self, tx: Tx, stored: pb.Token) -> pb.Token:
        """The API's view: the stored token plus the live organization and user details."""
        view = pb.Token()
        view.CopyFrom(stored)
        org = tx.get("organization", stored.organization_id, organizations_pb2.Organization)
        if org is not None and org.external_id:
            view.organization_external_id = org.external_id
        if stored.HasField("user_id"):
            user = self._member(tx, stored.organization_id, stored.user_id)
            if user is not None:
                view.email = user.email
                if user.HasField("external_id"):
                    view.user_external_id = user.external_id
                for membership in user.memberships:
                    if membership.organization_id == stored.organization_id:
                        view.roles.extend(role.name for role in membership.roles)
        return view

    def _event(self, events: Events, name: str, token: pb.Token) -> None:
        data = {"organization_id": token.organization_id, "token_id": token.token_id}
        if token.HasField("user_id"):
            data["user_id"] = token.user_id
        events.append((f"organization.api_token_{name}", data))

    # --- handlers ------------------------------------------------------------------------------------

    @handler
    async def create_token(
        self, request: pb.CreateTokenRequest, ctx: Any, events: Events
    ) -> pb.CreateTokenResponse:
        body = request.token
        require_fields(**{"token.organization_id": body.organization_id})
        now = self.now()
        if body.HasField("expiry") and body.expiry.ToNanoseconds() <= now.ToNanoseconds():
            raise _status.invalid_argument([("token.expiry", "must be in the future", "timestamp.gt_now")])
        secret = _SECRET_PREFIX + secrets.token_urlsafe(32)
        stored = pb.Token(
            token_id=new_id(ID_PREFIX.rstrip("_")),
            organization_id=body.organization_id,
            custom_claims=body.custom_claims,
            created_at=now,
            token_suffix=secret[-4:],
        )
        if body.HasField("expiry"):
            stored.expiry.CopyFrom(body.expiry)
        if body.description:
            stored.description = body.description
        with self.state.store.transaction() as tx:
            if tx.get("organization", body.organization_id, organizations_pb2.Organization) is None:
                raise _status.not_found("organization", body.organization_id)
            if body.user_id:
                if self._member(tx, body.organization_id, body.user_id) is None:
                    raise _status.not_found("user", body.user_id)
                stored.user_id = body.user_id
            tx.insert(
                KIND,
                stored.token_id,
                stored,
                parent=body.organization_id,
                unique={"hash": secret_digest(secret)},
            )
            view = self._view(tx, stored)
        self._event(events, "created", stored)
        return pb.CreateTokenResponse(token=secret, token_id=stored.token_id, token_info=view)

    @handler
    async def validate_token(
        self, request: pb.ValidateTokenRequest, ctx: Any, events: Events
    ) -> pb.ValidateTokenResponse:
        with self.state.store.transaction() as tx:
            return pb.ValidateTokenResponse(token_info=self._view(tx, self._valid(tx, request.token)))

    @handler
    async def invalidate_token(self, request: pb.InvalidateTokenRequest, ctx: Any, events: Events) -> Empty:
        with self.state.store.transaction() as tx:
            stored = self._stored(tx, request.token)
            if tx.get(REVOKED, stored.token_id, pb.Token) is not None:
                return Empty()  # already invalidated: nothing changes, nothing to announce
            tx.insert(
                REVOKED, stored.token_id, pb.Token(token_id=stored.token_id), parent=stored.organization_id
            )
        self._event(events, "invalidated", stored)
        return Empty()

    @handler
    async def update_token(
        self, request: pb.UpdateTokenRequest, ctx: Any, events: Events
    ) -> pb.UpdateTokenResponse:
        with self.state.store.transaction() as tx:
            stored = self._valid(tx, request.token)
            if request.custom_claims:
                stored.ClearField("custom_claims")
                stored.custom_claims.update(request.custom_claims)
            if request.HasField("description"):
                if request.description:
                    stored.description = request.description
                else:
                    stored.ClearField("description")
            tx.update(KIND, stored.token_id, stored)
            view = self._view(tx, stored)
        self._event(events, "updated", stored)
        return pb.UpdateTokenResponse(token_info=view)

    @handler
    async def list_tokens(
        self, request: pb.ListTokensRequest, ctx: Any, events: Events
    ) -> pb.ListTokensResponse:
        with self.state.store.transaction() as tx:
            org_id = request.organization_id
            if tx.get("organization", org_id, organizations_pb2.Organization) is None:
                raise _status.not_found("organization", org_id)
            user_id = request.user_id if request.HasField("user_id") else ""
            if user_id and tx.get("user", user_id, users_pb2.User) is None:
                raise _status.not_found("user", user_id)
            now = int(self.state.clock() * 1e9)
            tag = f"org:{org_id}/user:{user_id}" if user_id else f"org:{org_id}"

            # Live: not revoked, expiry after now. "After the last expiry that has passed" selects the same
            # tokens and stays the same condition (so a counted total is reused) until another expires.
            last_expired = tx.max_num(KIND, Match(tag, num_below=now + 1))
            live = Match(tag, num_above=-1 if last_expired is None else last_expired, absent_in=REVOKED)
            page = tx.page(
                KIND, pb.Token, page_size=request.page_size, page_token=request.page_token, match=live,
                reads=(REVOKED,), max_size=30,
            )  # fmt: skip
            tokens = [self._view(tx, t) for t in page.items]  # type: ignore[arg-type]
        return pb.ListTokensResponse(
            tokens=tokens,
            total_count=page.total_size,
            next_page_token=page.next_page_token,
            prev_page_token=page.prev_page_token,
        )


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return tokens_connect.ApiTokenServiceASGIApplication(ApiTokenService(state), interceptors=interceptors)
