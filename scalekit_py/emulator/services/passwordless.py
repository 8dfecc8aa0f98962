"""PasswordlessService: one-time codes and magic links sent by email, verified once.

Each send opens an *auth request* (kind ``"passwordless"``, a ``Struct`` document, id = the
``auth_request_id``). Only hashes of the code and of the link token are stored; the clear values go to the
outbox (``OutboxMessage(kind="passwordless", code=..., link=...)``), where tests read them with
``emulator.mail_to(email)``.

What is sent: the environment's passwordless connection (kind ``"connection"``, parent ``''``, type
``PASSWORDLESS``, enabled) decides the type (code, link or both), the code length and alphabet, the default
validity and whether a link must be verified with its ``auth_request_id`` (same browser). Without one, a
request with ``magiclink_auth_uri`` gets a code and a link, else a 6-digit code. The link is
``magiclink_auth_uri`` with ``link_token`` added to its query.

Rules (error codes in ``ErrorInfo.error_code``):

- validity ``expires_in`` seconds (default :data:`DEFAULT_EXPIRES_IN`); after it, verify fails with
  FAILED_PRECONDITION ``PASSWORDLESS_EXPIRED``;
- a wrong code is INVALID_ARGUMENT ``INVALID_CODE`` (field ``code``) and counts as an attempt; after
  :data:`MAX_ATTEMPTS` wrong codes the request is locked: FAILED_PRECONDITION ``TOO_MANY_ATTEMPTS``,
  even for the right code, until a resend issues a new code;
- an unknown link token is INVALID_ARGUMENT ``INVALID_LINK_TOKEN`` (field ``link_token``);
- a request verifies once; afterwards FAILED_PRECONDITION ``PASSWORDLESS_ALREADY_USED``;
- a resend issues a new code and link under the same ``auth_request_id`` (the old ones stop working) and
  restarts the validity; at most :data:`MAX_RESENDS` resends per request, then RESOURCE_EXHAUSTED
  ``RESEND_LIMIT_EXCEEDED`` (a count, not a time window, so tests need no clock).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Any

from connectrpc.code import Code
from google.protobuf.struct_pb2 import Struct

from scalekit_api.v1.auth import passwordless_connect
from scalekit_api.v1.auth import passwordless_pb2 as pb
from scalekit_api.v1.connections import connections_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.services._base import Events, Service, handler
from scalekit_py.emulator.state import EmulatorState, OutboxMessage
from scalekit_py.emulator.store import Tx

__all__ = ["DEFAULT_EXPIRES_IN", "MAX_ATTEMPTS", "MAX_RESENDS", "create_app"]

KIND = "passwordless"
DEFAULT_EXPIRES_IN = 300
MAX_ATTEMPTS = 5
MAX_RESENDS = 3
_TYPES_FROM_CONNECTION = {
    connections_pb2.LINK: pb.LINK,
    connections_pb2.OTP: pb.OTP,
    connections_pb2.LINK_OTP: pb.LINK_OTP,
}
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _digest(value: str, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()


def _config(tx: Tx) -> connections_pb2.PasswordLessConfig | None:
    for conn in tx.all("connection", connections_pb2.Connection, parent=""):
        if (
            conn.type == connections_pb2.PASSWORDLESS
            and conn.enabled
            and conn.HasField("passwordless_config")
        ):
            return conn.passwordless_config
    return None


def _load(doc: Struct) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in doc:
        value: Any = doc[key]
        if isinstance(value, Struct):
            value = dict(value.items())
        elif isinstance(value, float) and value.is_integer():  # Struct numbers are doubles
            value = int(value)
        out[key] = value
    return out


def _dump(rec: dict[str, Any]) -> Struct:
    doc = Struct()
    doc.update(rec)
    return doc


class PasswordlessService(Service, passwordless_connect.PasswordlessService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    def _issue(self, rec: dict[str, Any], request_id: str) -> tuple[OutboxMessage, dict[str, str]]:
        """New code and/or link for a request record (mutated); the mail to send and the new unique keys."""
        code = link = ""
        kind = int(rec["type"])
        if kind in (pb.OTP, pb.LINK_OTP):
            alphabet = _ALNUM if rec["alphanumeric"] else "0123456789"
            code = "".join(secrets.choice(alphabet) for _ in range(int(rec["code_length"])))
            rec["salt"] = secrets.token_hex(8)
            rec["code_hash"] = _digest(code, rec["salt"])
        unique = {}
        if kind in (pb.LINK, pb.LINK_OTP):
            token = secrets.token_urlsafe(32)
            uri = str(rec["magiclink_auth_uri"])
            link = f"{uri}{'&' if '?' in uri else '?'}link_token={token}"
            unique["link_hash"] = rec["link_hash"] = _digest(token)
        rec["attempts"] = 0
        rec["expires_at"] = int(self.state.clock()) + int(rec["expires_in"])
        extra = {
            "template": pb.TemplateType.Name(rec["template"]),
            "passwordless_type": pb.PasswordlessType.Name(rec["type"]),
        }
        extra.update({f"var.{k}": str(v) for k, v in rec["variables"].items()})
        mail = OutboxMessage(
            to=str(rec["email"]),
            kind="passwordless",
            auth_request_id=request_id,
            code=code,
            link=link,
            extra=extra,
        )
        return mail, unique

    def _response(self, request_id: str, rec: dict[str, Any]) -> pb.SendPasswordlessResponse:
        return pb.SendPasswordlessResponse(
            auth_request_id=request_id,
            expires_at=int(rec["expires_at"]),
            expires_in=int(rec["expires_in"]),
            passwordless_type=int(rec["type"]),  # type: ignore[arg-type]
        )

    @handler
    async def send_passwordless_email(
        self, request: pb.SendPasswordlessRequest, ctx: Any, events: Events
    ) -> pb.SendPasswordlessResponse:
        if request.HasField("expires_in") and request.expires_in == 0:
            raise _status.invalid_argument([("expires_in", "must be greater than 0", "uint32.gt")])
        with self.state.store.transaction() as tx:
            config = _config(tx)
            if config is not None and config.type in _TYPES_FROM_CONNECTION:
                kind = _TYPES_FROM_CONNECTION[config.type]
            else:
                kind = pb.LINK_OTP if request.HasField("magiclink_auth_uri") else pb.OTP
            if kind != pb.OTP and not request.HasField("magiclink_auth_uri"):
                raise _status.invalid_argument(
                    [("magiclink_auth_uri", "is required for magic links", "required")]
                )
            validity = config.validity.value if config is not None and config.HasField("validity") else 0
            length = config.code_challenge_length.value if config is not None else 0
            request_id = f"pwl_{secrets.token_urlsafe(18)}"
            rec: dict[str, Any] = {
                "id": request_id,
                "email": request.email.lower(),
                "template": request.template if request.HasField("template") else pb.SIGNIN,
                "type": kind,
                "state": request.state if request.HasField("state") else None,
                "magiclink_auth_uri": request.magiclink_auth_uri,
                "expires_in": request.expires_in
                if request.HasField("expires_in")
                else validity or DEFAULT_EXPIRES_IN,
                "code_length": length if 4 <= length <= 12 else 6,
                "alphanumeric": config is not None
                and config.code_challenge_type == connections_pb2.ALPHANUMERIC,
                "same_browser": config is not None and config.enforce_same_browser_origin.value,
                "variables": dict(request.template_variables),
                "resends": 0,
                "verified": False,
            }
            mail, unique = self._issue(rec, request_id)
            tx.insert(KIND, request_id, _dump(rec), unique=unique)
        self.state.send_mail(mail)
        return self._response(request_id, rec)

    @handler
    async def verify_passwordless_email(
        self, request: pb.VerifyPasswordLessRequest, ctx: Any, events: Events
    ) -> pb.VerifyPasswordLessResponse:
        which = request.WhichOneof("auth_credential")
        if which is None:
            raise _status.invalid_argument([("code", "code or link_token is required", "required")])
        if which == "code" and not request.auth_request_id:
            raise _status.invalid_argument([("auth_request_id", "is required with a code", "required")])
        failure: Exception | None = None
        with self.state.store.transaction() as tx:
            if which == "code":
                request_id = request.auth_request_id
                doc = tx.get(KIND, request_id, Struct)
                if doc is None:
                    raise _status.not_found("passwordless auth request", request_id)
            else:
                doc = tx.find(KIND, "link_hash", _digest(request.link_token), Struct)
                request_id = str(doc["id"]) if doc is not None else ""
                if doc is None or (request.auth_request_id and request.auth_request_id != request_id):
                    raise _invalid_link()
            rec = _load(doc)
            self._check_usable(rec)
            if which == "link_token" and rec["same_browser"] and request.auth_request_id != request_id:
                raise _status.failed_precondition(
                    "this link must be verified with its auth_request_id", "SAME_BROWSER_REQUIRED"
                )
            if which == "code":
                if "code_hash" not in rec:
                    raise _status.failed_precondition("no code was sent for this request", "CODE_NOT_ISSUED")
                if not hmac.compare_digest(_digest(request.code, str(rec["salt"])), str(rec["code_hash"])):
                    rec["attempts"] = int(rec["attempts"]) + 1
                    left = max(0, MAX_ATTEMPTS - int(rec["attempts"]))
                    failure = _status.api_error(
                        Code.INVALID_ARGUMENT,
                        f"the code is not valid ({left} attempts left)",
                        error_code="INVALID_CODE",
                        violations=[("code", "does not match the code sent", "passwordless.code")],
                    )
            if failure is None:
                rec["verified"] = True
            tx.update(KIND, request_id, _dump(rec))
        if failure is not None:
            raise failure
        response = pb.VerifyPasswordLessResponse(
            email=str(rec["email"]),
            template=int(rec["template"]),  # type: ignore[arg-type]
            passwordless_type=int(rec["type"]),  # type: ignore[arg-type]
        )
        if rec["state"] is not None:
            response.state = str(rec["state"])
        return response

    def _check_usable(self, rec: dict[str, Any]) -> None:
        if rec["verified"]:
            raise _status.failed_precondition(
                "this request was already verified", "PASSWORDLESS_ALREADY_USED"
            )
        if int(rec["attempts"]) >= MAX_ATTEMPTS:
            raise _status.failed_precondition("too many wrong codes; request a new one", "TOO_MANY_ATTEMPTS")
        if self.state.clock() >= float(rec["expires_at"]):
            raise _status.failed_precondition("the code or link has expired", "PASSWORDLESS_EXPIRED")

    @handler
    async def resend_passwordless_email(
        self, request: pb.ResendPasswordlessRequest, ctx: Any, events: Events
    ) -> pb.SendPasswordlessResponse:
        request_id = request.auth_request_id
        with self.state.store.transaction() as tx:
            doc = tx.get(KIND, request_id, Struct)
            if doc is None:
                raise _status.not_found("passwordless auth request", request_id)
            rec = _load(doc)
            if rec["verified"]:
                raise _status.failed_precondition(
                    "this request was already verified", "PASSWORDLESS_ALREADY_USED"
                )
            if int(rec["resends"]) >= MAX_RESENDS:
                raise _status.api_error(
                    Code.RESOURCE_EXHAUSTED,
                    f"at most {MAX_RESENDS} resends per request; start a new one",
                    error_code="RESEND_LIMIT_EXCEEDED",
                )
            rec["resends"] = int(rec["resends"]) + 1
            mail, unique = self._issue(rec, request_id)
            tx.update(KIND, request_id, _dump(rec), unique=unique)
        self.state.send_mail(mail)
        return self._response(request_id, rec)


def _invalid_link() -> Exception:
    return _status.api_error(
        Code.INVALID_ARGUMENT,
        "the magic link is not valid",
        error_code="INVALID_LINK_TOKEN",
        violations=[("link_token", "is not a valid link token", "passwordless.link_token")],
    )


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return passwordless_connect.PasswordlessServiceASGIApplication(
        PasswordlessService(state), interceptors=interceptors
    )
