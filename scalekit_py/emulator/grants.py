"""The OAuth 2.0 token logic behind the HTTP endpoints: codes, grants, refresh families, revocation.

Bookkeeping is stored in the emulator's store as ``google.protobuf.Struct`` documents, so a ``--db``
file keeps it across restarts. Codes and refresh tokens are stored by their SHA-256 digest only.

==================  ===========================  ==========================================================
kind                id                           content (parent)
==================  ===========================  ==========================================================
``oauth_code``      sha256(code)                 client, redirect URI, user, session, PKCE challenge, ...
``oauth_family``    ``fam_<hex>``                client, user, session, revoked flag, access-token ids
                                                 (parent: session id)
``oauth_refresh``   sha256(refresh token)        family, expiry, used flag, scope (parent: family id)
==================  ===========================  ==========================================================

Refresh tokens rotate on every use. Presenting a refresh token that was already used revokes its whole
family (every refresh token and access token issued from the same login) and ends the login session
(RFC 9700 §4.14.2). Authorization codes are single-use; replaying one revokes what it produced.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf import json_format
from google.protobuf.struct_pb2 import Struct

from scalekit_api.v1.sessions import sessions_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py.emulator import m2m
from scalekit_py.emulator.runtime import Runtime
from scalekit_py.emulator.store import Tx, secret_digest
from scalekit_py.emulator.tokens import InvalidToken, OAuthClient

__all__ = ["CODE", "FAMILY", "REFRESH", "GrantError", "Grants", "session_active"]

CODE, FAMILY, REFRESH = "oauth_code", "oauth_family", "oauth_refresh"
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_MAX_TRACKED_ACCESS_TOKENS = 50


class GrantError(Exception):
    """An OAuth error answer (RFC 6749 §5.2): ``error`` code, description and HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _doc(data: Mapping[str, Any]) -> Struct:
    msg = Struct()
    msg.update(dict(data))
    return msg


def _data(msg: Struct) -> dict[str, Any]:
    out: dict[str, Any] = json_format.MessageToDict(msg)
    return out


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def session_active(tx: Tx, session_id: str, now: float) -> bool:
    """Whether a login session exists, is ``ACTIVE`` and has passed neither of its deadlines."""
    session = tx.get("session", session_id, sessions_pb2.SessionDetails)
    if session is None or session.status != "ACTIVE":
        return False
    deadlines = [
        ts.ToNanoseconds() / 1e9
        for ts in (session.idle_expires_at, session.absolute_expires_at)
        if ts.ToNanoseconds()
    ]
    return all(now < d for d in deadlines)


def _scopes(value: str | Iterable[str]) -> list[str]:
    items = value.split() if isinstance(value, str) else list(value)
    return list(dict.fromkeys(items))


class Grants:
    """Token issuing for one emulator (see the module docstring)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def now(self) -> float:
        return self.rt.state.clock()

    # -- authorization codes ------------------------------------------------------------------------

    def issue_code(self, **fields: Any) -> str:
        """Store a new single-use authorization code with ``fields`` (client_id, redirect_uri, ...)."""
        code = secrets.token_urlsafe(32)
        data = {**fields, "exp": self.now() + self.rt.code_ttl, "used": False, "family": ""}
        with self.rt.state.store.transaction() as tx:
            tx.insert(CODE, secret_digest(code), _doc(data))
        return code

    # -- the token endpoint ---------------------------------------------------------------------------

    def token(self, form: Mapping[str, str], client: OAuthClient) -> dict[str, Any]:
        """Answer a token request of an authenticated client (the JSON body of a 200 response).

        Raises:
            GrantError: any RFC 6749 error.
        """
        grant_type = form.get("grant_type", "")
        if grant_type == "client_credentials":
            return self._client_credentials(form, client)
        if grant_type == "authorization_code":
            return self._authorization_code(form, client)
        if grant_type == "refresh_token":
            return self._refresh(form, client)
        if not grant_type:
            raise GrantError("invalid_request", "grant_type is required")
        raise GrantError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _client_credentials(self, form: Mapping[str, str], client: OAuthClient) -> dict[str, Any]:
        scopes = _scopes(form.get("scope", ""))
        ttl = self.rt.tokens.access_ttl
        extra: dict[str, Any] = {}
        if client.principal is not None:  # a client created through ClientService (see m2m.py)
            try:
                scopes, extra = m2m.token_grant(client.principal, scopes)
            except ValueError as exc:
                raise GrantError("invalid_scope", str(exc)) from None
            ttl = client.principal.expiry or ttl
        token, _ = self.rt.tokens.issue_access_token(
            client_id=client.client_id, scopes=scopes, ttl=ttl, extra=extra
        )
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": " ".join(scopes)}

    def _authorization_code(self, form: Mapping[str, str], client: OAuthClient) -> dict[str, Any]:
        code = form.get("code", "")
        if not code:
            raise GrantError("invalid_request", "code is required")
        verifier = form.get("code_verifier", "")
        store = self.rt.state.store
        with store.transaction() as tx:
            stored = tx.get(CODE, secret_digest(code), Struct)
            data = _data(stored) if stored is not None else None
            replayed = data is not None and bool(data.get("used"))
            if data is not None and replayed and data.get("family"):
                # A replayed code: whatever it produced is revoked (RFC 6749 §4.1.2), and stays so.
                self._revoke_family(tx, str(data["family"]))
        if data is None:
            raise GrantError("invalid_grant", "the authorization code is not valid")
        if replayed:
            raise GrantError("invalid_grant", "the authorization code was already used")
        with store.transaction() as tx:
            if data["client_id"] != client.client_id:
                raise GrantError("invalid_grant", "the authorization code was issued to another client")
            if float(data["exp"]) <= self.now():
                raise GrantError("invalid_grant", "the authorization code has expired")
            if form.get("redirect_uri", "") != data["redirect_uri"]:
                raise GrantError("invalid_grant", "redirect_uri does not match the authorization request")
            challenge = str(data.get("code_challenge", ""))
            if challenge:
                if not verifier:
                    raise GrantError("invalid_grant", "code_verifier is required (PKCE)")
                if not _VERIFIER.fullmatch(verifier) or _s256(verifier) != challenge:
                    raise GrantError("invalid_grant", "code_verifier does not match the code_challenge")
            elif verifier:
                raise GrantError("invalid_grant", "code_verifier sent but no code_challenge was")
            if not session_active(tx, str(data["session_id"]), self.now()):
                raise GrantError("invalid_grant", "the login session has ended")
            family = f"fam_{secrets.token_hex(10)}"
            data["used"], data["family"] = True, family
            tx.update(CODE, secret_digest(code), _doc(data))
            fam = {
                "id": family,
                "client_id": client.client_id,
                "user_id": data["user_id"],
                "session_id": data["session_id"],
                "revoked": False,
                "access_jtis": [],
            }
            tx.insert(FAMILY, family, _doc(fam), parent=str(data["session_id"]))
            return self._user_tokens(tx, family, data, nonce=str(data.get("nonce", "")))

    def _refresh(self, form: Mapping[str, str], client: OAuthClient) -> dict[str, Any]:
        from scalekit_py.emulator.services.sessions import REVOKED, end_session, touch_session

        presented = form.get("refresh_token", "")
        if not presented:
            raise GrantError("invalid_request", "refresh_token is required")
        store = self.rt.state.store
        # A detected replay must stay revoked even though the request fails: commit before raising.
        with store.transaction() as tx:
            stored = tx.get(REFRESH, secret_digest(presented), Struct)
            data = _data(stored) if stored is not None else None
            replayed = data is not None and bool(data.get("used"))
            if data is not None and replayed:
                self._revoke_family(tx, str(data["family"]))
        if data is None:
            raise GrantError("invalid_grant", "the refresh token is not valid")
        if replayed:
            end_session(self.rt.state, str(data["session_id"]), REVOKED)
            raise GrantError("invalid_grant", "the refresh token was already used; its family is revoked")
        with store.transaction() as tx:
            family = _data(tx.get(FAMILY, str(data["family"]), Struct) or Struct())
            if data["client_id"] != client.client_id:
                raise GrantError("invalid_grant", "the refresh token was issued to another client")
            if not family or family.get("revoked"):
                raise GrantError("invalid_grant", "the refresh token has been revoked")
            if float(data["exp"]) <= self.now():
                raise GrantError("invalid_grant", "the refresh token has expired")
            if not session_active(tx, str(data["session_id"]), self.now()):
                raise GrantError("invalid_grant", "the login session has ended")
            granted = _scopes(str(data.get("scope", "")))
            if "scope" in form:
                wanted = _scopes(form["scope"])
                if not set(wanted) <= set(granted):
                    raise GrantError("invalid_scope", "a refresh cannot widen the granted scopes")
                data["scope"] = " ".join(wanted)
            data["used"] = True
            tx.update(REFRESH, secret_digest(presented), _doc(data))
            body = self._user_tokens(tx, str(data["family"]), data, nonce="")
        touch_session(self.rt.state, str(data["session_id"]))
        return body

    def _user_tokens(self, tx: Tx, family: str, data: Mapping[str, Any], nonce: str) -> dict[str, Any]:
        """Access token (+ id token with ``openid``, + refresh token with ``offline_access``)."""
        tokens = self.rt.tokens
        user = tx.get("user", str(data["user_id"]), users_pb2.User)
        if user is None:
            raise GrantError("invalid_grant", "the user no longer exists")
        scopes = _scopes(str(data.get("scope", "")))
        org_id, conn_id, sid = (
            str(data.get(k, "")) for k in ("organization_id", "connection_id", "session_id")
        )
        extra: dict[str, Any] = {"sid": sid}
        if org_id:
            extra["oid"] = org_id
            membership = next((m for m in user.memberships if m.organization_id == org_id), None)
            if membership is not None:
                from scalekit_py.emulator.services._rbac import effective_permissions

                roles = [r.name for r in membership.roles]
                perms = [p for r in roles for p in effective_permissions(tx, r, org_id)]
                extra["roles"] = roles
                extra["permissions"] = list(dict.fromkeys([*membership.permissions, *perms]))
        access, claims = tokens.issue_access_token(
            client_id=str(data["client_id"]), sub=user.id, scopes=scopes, extra=extra
        )
        fam = _data(tx.get(FAMILY, family, Struct) or Struct())
        if fam:
            fam["access_jtis"] = [*fam.get("access_jtis", []), claims["jti"]][-_MAX_TRACKED_ACCESS_TOKENS:]
            tx.update(FAMILY, family, _doc(fam))
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": tokens.access_ttl,
            "scope": " ".join(scopes),
        }
        if "openid" in scopes:
            # OIDC Core §12.2: a refreshed id token keeps the original authentication time.
            session = tx.get("session", sid, sessions_pb2.SessionDetails) if sid else None
            auth_time = (
                session.created_at.seconds if session is not None and session.created_at.seconds else None
            )
            body["id_token"] = tokens.issue_id_token(
                client_id=str(data["client_id"]),
                sub=user.id,
                claims=self.id_claims(
                    user, sid=sid, org_id=org_id, conn_id=conn_id, nonce=nonce, auth_time=auth_time
                ),
            )
        if "offline_access" in scopes:
            refresh = f"rt_{secrets.token_urlsafe(32)}"
            tx.insert(
                REFRESH,
                secret_digest(refresh),
                _doc(
                    {
                        **{k: data[k] for k in ("client_id", "user_id", "session_id") if k in data},
                        "organization_id": org_id,
                        "connection_id": conn_id,
                        "family": family,
                        "scope": " ".join(scopes),
                        "iat": self.now(),
                        "exp": self.now() + self.rt.refresh_ttl,
                        "used": False,
                    }
                ),
                parent=family,
            )
            body["refresh_token"] = refresh
            body["refresh_token_expires_in"] = self.rt.refresh_ttl
        return body

    def id_claims(
        self,
        user: users_pb2.User,
        *,
        sid: str,
        org_id: str = "",
        conn_id: str = "",
        nonce: str = "",
        auth_time: float | None = None,
    ) -> dict[str, Any]:
        """OIDC claims of a user (id token and userinfo)."""
        profile = user.user_profile
        name = profile.name or " ".join(p for p in (profile.given_name, profile.family_name) if p)
        claims: dict[str, Any] = {
            "email": user.email,
            "email_verified": True,
            "name": name or user.email,
            "given_name": profile.given_name,
            "family_name": profile.family_name,
            "preferred_username": profile.preferred_username or user.email,
            "sid": sid,
            "auth_time": int(self.now() if auth_time is None else auth_time),
        }
        if org_id:
            claims["oid"] = org_id
        if conn_id:
            claims["amr"] = [conn_id]
        if nonce:
            claims["nonce"] = nonce
        return {k: v for k, v in claims.items() if v != ""}

    # -- revocation and introspection -----------------------------------------------------------------

    def _revoke_family(self, tx: Tx, family: str) -> None:
        stored = tx.get(FAMILY, family, Struct)
        if stored is None:
            return
        data = _data(stored)
        data["revoked"] = True
        tx.update(FAMILY, family, _doc(data))
        for jti in data.get("access_jtis", []):
            self.rt.tokens.revoke_in(tx, str(jti), exp=self.now() + self.rt.tokens.access_ttl)

    def end_session(self, session_id: str, status: str = "LOGOUT") -> None:
        """End a login session and revoke every token family issued in it (logout)."""
        from scalekit_py.emulator.services.sessions import end_session

        with self.rt.state.store.transaction() as tx:
            for fam in tx.all(FAMILY, Struct, parent=session_id):
                self._revoke_family(tx, str(_data(fam)["id"]))
        end_session(self.rt.state, session_id, status)

    def revoke(self, token: str, client: OAuthClient) -> None:
        """RFC 7009: revoke a refresh token (and its family) or an access token; unknown tokens are fine.

        Raises:
            GrantError: the token belongs to another client (the admin client may revoke any token).
        """
        admin = client.client_id == self.rt.admin_client_id
        with self.rt.state.store.transaction() as tx:
            stored = tx.get(REFRESH, secret_digest(token), Struct)
            if stored is not None:
                data = _data(stored)
                if data["client_id"] != client.client_id and not admin:
                    raise GrantError("unauthorized_client", "the token was issued to another client")
                self._revoke_family(tx, str(data["family"]))
                return
        try:
            claims = self.rt.tokens.decode(token)
        except InvalidToken:
            return
        if claims.get("client_id") != client.client_id and not admin:
            raise GrantError("unauthorized_client", "the token was issued to another client")
        self.rt.tokens.revoke(claims)

    def introspect(self, token: str) -> dict[str, Any]:
        """RFC 7662: ``{"active": false}`` or the token's metadata."""
        now = self.now()
        with self.rt.state.store.transaction() as tx:
            stored = tx.get(REFRESH, secret_digest(token), Struct)
            if stored is not None:
                data = _data(stored)
                family = _data(tx.get(FAMILY, str(data["family"]), Struct) or Struct())
                active = (
                    not data.get("used")
                    and bool(family)
                    and not family.get("revoked")
                    and float(data["exp"]) > now
                    and session_active(tx, str(data["session_id"]), now)
                )
                if not active:
                    return {"active": False}
                return {
                    "active": True,
                    "token_type": "refresh_token",
                    "client_id": data["client_id"],
                    "sub": data["user_id"],
                    "scope": data.get("scope", ""),
                    "iat": int(float(data["iat"])),
                    "exp": int(float(data["exp"])),
                    "iss": self.rt.state.env_url,
                }
        claims = self.access_claims(token)
        if claims is None:
            return {"active": False}
        keys = ("scope", "client_id", "sub", "aud", "iss", "exp", "iat", "nbf", "jti", "sid", "oid")
        return {"active": True, "token_type": "Bearer", **{k: claims[k] for k in keys if k in claims}}

    def access_claims(self, token: str) -> dict[str, Any] | None:
        """Claims of an access token that is valid now (its login session still active, its client not
        deleted), else None."""
        try:
            claims = self.rt.tokens.decode(token)
        except InvalidToken:
            return None
        if "client_id" not in claims or "scope" not in claims:
            return None  # an id token is not an access token
        sid = claims.get("sid")
        client_id = str(claims["client_id"])
        if sid or client_id not in self.rt.tokens.clients:
            with self.rt.state.store.transaction() as tx:
                if sid and not session_active(tx, str(sid), self.now()):
                    return None
                if client_id not in self.rt.tokens.clients and m2m.find_principal(tx, client_id) is None:
                    return None  # its client was deleted
        return claims
