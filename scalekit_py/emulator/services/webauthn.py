"""WebAuthnService: passkey registration ceremonies and a user's registered credentials.

Which user: these RPCs act for the signed-in user, which an admin (client-credentials) token does not
carry. The emulator takes the user id from the request metadata header ``x-scalekit-user-id``; without
it, the environment's first user (creation order, i.e. the seeded user) is used. ``ListCredentials``
also accepts ``user_id`` in the request. With the header set, credentials of other users are NOT_FOUND.

Registration: ``BeginRegistration`` returns ``PublicKeyCredentialCreationOptions`` (as ``{"publicKey":
{...}}``) with a random single-use challenge valid :data:`CHALLENGE_TTL` seconds and the relying party id
= the host of the environment URL. ``FinishRegistration`` checks that ``client_data_json`` is JSON with
``type`` ``"webauthn.create"``, an issued, unexpired challenge and (when present) an origin on the relying
party's host, then stores a ``WebAuthnCredential`` (kind ``"webauthn_credential"``, parent user id, unique
``credential_id`` = its base64url). **No attestation cryptography is performed**: the attestation object
is stored unparsed (attestation type ``"none"``), signatures and authenticator data are not verified.
Pending challenges are private documents (kind ``"webauthn_challenge"``, id = challenge, parent user id).
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from google.protobuf.struct_pb2 import Struct

from scalekit_api.v1.auth import webauthn_connect
from scalekit_api.v1.auth import webauthn_pb2 as pb
from scalekit_api.v1.users import users_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.services._base import Events, Service, handler, new_id, timestamp
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Tx

__all__ = ["CHALLENGE_TTL", "USER_HEADER", "create_app"]

KIND = "webauthn_credential"
CHALLENGE_KIND = "webauthn_challenge"
USER_HEADER = "x-scalekit-user-id"
CHALLENGE_TTL = 300


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _header_user(ctx: Any) -> str:
    return str(ctx.request_headers.get(USER_HEADER, "")) if ctx is not None else ""


def _user(tx: Tx, user_id: str) -> users_pb2.User:
    """The named user, else the environment's first user; NOT_FOUND / FAILED_PRECONDITION when absent."""
    if user_id:
        user = tx.get("user", user_id, users_pb2.User)
        if user is None:
            raise _status.not_found("user", user_id)
        return user
    users = tx.page("user", users_pb2.User, page_size=1).items
    if not users:
        raise _status.failed_precondition(
            f"no user: send the {USER_HEADER} header or create a user first", "NO_USER"
        )
    return users[0]  # type: ignore[return-value]


def _invalid(field: str, message: str, error_code: str = "INVALID_CLIENT_DATA") -> Exception:
    from connectrpc.code import Code

    return _status.api_error(
        Code.INVALID_ARGUMENT,
        message,
        error_code=error_code,
        violations=[(field, message, error_code.lower())],
    )


class WebAuthnService(Service, webauthn_connect.WebAuthnService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    def _rp_id(self) -> str:
        return urlsplit(self.state.env_url).hostname or "localhost"

    def _credential(self, tx: Tx, credential_id: str, ctx: Any) -> pb.WebAuthnCredential:
        cred = tx.get(KIND, credential_id, pb.WebAuthnCredential) or tx.find(
            KIND, "credential_id", credential_id, pb.WebAuthnCredential
        )
        caller = _header_user(ctx)
        if cred is None or (caller and cred.user_id != caller):
            raise _status.not_found("webauthn credential", credential_id)
        return cred

    @handler
    async def begin_registration(
        self, request: pb.BeginRegistrationRequest, ctx: Any, events: Events
    ) -> pb.BeginRegistrationResponse:
        challenge = b64url(secrets.token_bytes(32))
        with self.state.store.transaction() as tx:
            user = _user(tx, _header_user(ctx))
            existing = tx.all(KIND, pb.WebAuthnCredential, parent=user.id)
            pending = Struct()
            pending.update({"user_id": user.id, "expires_at": self.state.clock() + CHALLENGE_TTL})
            tx.insert(CHALLENGE_KIND, challenge, pending, parent=user.id)
        display = user.user_profile.name or user.email
        options = Struct()
        options.update(
            {
                "publicKey": {
                    "rp": {"id": self._rp_id(), "name": self.state.environment_id},
                    "user": {"id": b64url(user.id.encode()), "name": user.email, "displayName": display},
                    "challenge": challenge,
                    "pubKeyCredParams": [{"type": "public-key", "alg": alg} for alg in (-7, -257)],
                    "timeout": CHALLENGE_TTL * 1000,
                    "excludeCredentials": [
                        {
                            "type": "public-key",
                            "id": b64url(c.credential_id),
                            "transports": list(c.transports),
                        }
                        for c in existing
                    ],
                    "authenticatorSelection": {"residentKey": "preferred", "userVerification": "preferred"},
                    "attestation": "none",
                }
            }
        )
        return pb.BeginRegistrationResponse(options=options)

    @handler
    async def finish_registration(
        self, request: pb.FinishRegistrationRequest, ctx: Any, events: Events
    ) -> pb.FinishRegistrationResponse:
        try:
            client_data = json.loads(request.client_data_json)
        except (ValueError, UnicodeDecodeError):
            client_data = None
        if not isinstance(client_data, dict):
            raise _invalid("client_data_json", "client_data_json must be a JSON object")
        if client_data.get("type") != "webauthn.create":
            raise _invalid("client_data_json", 'client data type must be "webauthn.create"')
        origin = client_data.get("origin")
        if origin is not None and urlsplit(str(origin)).hostname != self._rp_id():
            raise _invalid("client_data_json", f"origin is not on {self._rp_id()}", "ORIGIN_MISMATCH")
        if request.type and request.type != "public-key":
            raise _invalid("type", 'type must be "public-key"', "INVALID_ARGUMENT")
        challenge = str(client_data.get("challenge", ""))
        with self.state.store.transaction() as tx:
            pending = tx.get(CHALLENGE_KIND, challenge, Struct) if challenge else None
            if pending is None:
                raise _status.failed_precondition(
                    "the challenge was not issued or was used", "INVALID_CHALLENGE"
                )
            user_id = pending.fields["user_id"].string_value
            caller = _header_user(ctx)
            if caller and caller != user_id:
                raise _status.failed_precondition(
                    "the challenge was issued to another user", "INVALID_CHALLENGE"
                )
            tx.delete(CHALLENGE_KIND, challenge)
            if self.state.clock() >= pending.fields["expires_at"].number_value:
                expired: Exception | None = _status.failed_precondition(
                    "the challenge has expired", "CHALLENGE_EXPIRED"
                )
            else:
                expired = None
                self._store_credential(tx, request, user_id, ctx)
        if expired is not None:  # raised after commit so the expired challenge stays consumed
            raise expired
        return pb.FinishRegistrationResponse(success=True)

    def _store_credential(
        self, tx: Tx, request: pb.FinishRegistrationRequest, user_id: str, ctx: Any
    ) -> None:
        now = self.now()
        cred = pb.WebAuthnCredential(
            id=new_id("wac"),
            user_id=user_id,
            credential_id=request.credential_id,
            attestation_type="none",
            transports=request.transports,
            created_at=now,
            updated_at=now,
        )
        cred.authenticator.attachment = request.authenticator_attachment
        cred.authenticator_flags.user_present = True
        if ctx is not None:
            cred.user_agent.raw = str(ctx.request_headers.get("user-agent", ""))
        tx.insert(
            KIND, cred.id, cred, parent=user_id, unique={"credential_id": b64url(request.credential_id)}
        )

    @handler
    async def list_credentials(
        self, request: pb.ListCredentialsRequest, ctx: Any, events: Events
    ) -> pb.ListCredentialsResponse:
        with self.state.store.transaction() as tx:
            user = _user(tx, request.user_id or _header_user(ctx))
            creds = tx.all(KIND, pb.WebAuthnCredential, parent=user.id)
        return pb.ListCredentialsResponse(
            credentials=creds,
            all_accepted_credentials_options=pb.AllAcceptedCredentialsOptions(
                rp_id=self._rp_id(),
                user_id=b64url(user.id.encode()),
                all_accepted_credential_ids=[b64url(c.credential_id) for c in creds],
            ),
        )

    @handler
    async def update_credential(
        self, request: pb.UpdateCredentialRequest, ctx: Any, events: Events
    ) -> pb.UpdateCredentialResponse:
        if not request.display_name:
            raise _status.invalid_argument([("display_name", "is required", "required")])
        with self.state.store.transaction() as tx:
            cred = self._credential(tx, request.credential_id, ctx)
            cred.display_name = request.display_name
            cred.updated_at.CopyFrom(timestamp(self.state.clock()))
            tx.update(KIND, cred.id, cred)
        return pb.UpdateCredentialResponse(credential=cred)

    @handler
    async def delete_credential(
        self, request: pb.DeleteCredentialRequest, ctx: Any, events: Events
    ) -> pb.DeleteCredentialResponse:
        with self.state.store.transaction() as tx:
            cred = self._credential(tx, request.credential_id, ctx)
            tx.delete(KIND, cred.id)
        return pb.DeleteCredentialResponse(
            success=True,
            unknown_credential_options=pb.UnknownCredentialOptions(
                rp_id=self._rp_id(), credential_id=b64url(cred.credential_id)
            ),
        )


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return webauthn_connect.WebAuthnServiceASGIApplication(WebAuthnService(state), interceptors=interceptors)
