"""The browser side of OAuth in the emulator: ``/oauth/authorize`` (test login) and ``/oidc/logout``.

Login is a test login: the seeded user named by ``login_hint`` (an email) is signed in without a
password, or the user of the browser's existing emulator session (a cookie) when there is one; without
either, a minimal HTML form asks for the email. A completed login starts a session (``SessionDetails``,
kind ``session``) that SessionService sees, and redirects to the client with ``code`` and ``state``.

Errors about the client or its redirect URI are shown as a 400 page (never redirected, RFC 6749
§4.1.2.1); every other error is redirected to the client as ``error`` / ``error_description``.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scalekit_api.v1.connections import connections_pb2
from scalekit_api.v1.domains import domains_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py.emulator import m2m
from scalekit_py.emulator.grants import Grants, session_active
from scalekit_py.emulator.runtime import Runtime
from scalekit_py.emulator.store import Tx

__all__ = ["SESSION_COOKIE", "Login", "Outcome"]

SESSION_COOKIE = "scalekit_emulator_session"
_CHALLENGE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_PROMPTS = {"none", "login", "consent", "select_account", "create"}


@dataclass(frozen=True)
class Outcome:
    """What to answer: a redirect (``location``) or an HTML page; ``cookie`` None = leave it alone,
    '' = clear it, else the session id to remember."""

    status: int
    location: str = ""
    page: str = ""
    cookie: str | None = None


class _Redirect(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


def with_query(uri: str, params: Mapping[str, str]) -> str:
    """``uri`` with ``params`` added to its query (keeping what it had)."""
    parts = urllib.parse.urlsplit(uri)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def error_page(status: int, error: str, description: str) -> Outcome:
    return Outcome(status, page=_page(error, f"<p>{html.escape(description)}</p>"))


def _login_form(params: Mapping[str, str], message: str) -> Outcome:
    hidden = "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
        for k, v in params.items()
        if k not in ("login_hint", "prompt")
    )
    body = (
        (f"<p role='alert'>{html.escape(message)}</p>" if message else "")
        + "<form method='get' action='/oauth/authorize'>"
        + hidden
        + "<label>Email <input type='email' name='login_hint' autofocus required></label>"
        + "<button type='submit'>Sign in</button></form>"
    )
    return Outcome(200, page=_page("Sign in to the Scalekit emulator", body))


class Login:
    """Authorization and logout for one emulator."""

    def __init__(self, rt: Runtime, grants: Grants) -> None:
        self.rt = rt
        self.grants = grants

    def authorize(self, params: Mapping[str, str], cookie_session: str = "") -> Outcome:
        """Handle ``GET /oauth/authorize`` with its query ``params`` and the session cookie's value."""
        client = self.rt.tokens.find_client(params.get("client_id", ""))
        if client is None:
            return error_page(400, "invalid_client", "unknown client_id")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri or not client.allows_redirect(redirect_uri):
            return error_page(
                400, "invalid_request", "redirect_uri is missing or not allowed for this client"
            )
        state = params.get("state", "")
        try:
            return self._authorize(params, client.client_id, redirect_uri, cookie_session)
        except _Redirect as exc:
            location = with_query(
                redirect_uri, {"error": exc.error, "error_description": exc.description, "state": state}
            )
            return Outcome(302, location=location)

    def _authorize(
        self, params: Mapping[str, str], client_id: str, redirect_uri: str, cookie_session: str
    ) -> Outcome:
        from scalekit_py.emulator.services.sessions import create_session

        if params.get("response_type") != "code":
            raise _Redirect("unsupported_response_type", "only response_type=code is supported")
        challenge = params.get("code_challenge", "")
        method = params.get("code_challenge_method", "")
        if challenge and method != "S256":
            raise _Redirect("invalid_request", "code_challenge_method must be S256 (plain is not accepted)")
        if method and not challenge:
            raise _Redirect("invalid_request", "code_challenge_method without code_challenge")
        if challenge and not _CHALLENGE.fullmatch(challenge):
            raise _Redirect("invalid_request", "code_challenge is malformed")
        prompts = set(params.get("prompt", "").split())
        if not prompts <= _PROMPTS or ("none" in prompts and len(prompts) > 1):
            raise _Redirect("invalid_request", "prompt is not valid")
        scope = params.get("scope", "") or "openid"
        now = self.rt.state.clock()
        with self.rt.state.store.transaction() as tx:
            org_id, conn_id = self._resolve_org(tx, params)
            user, reuse_session = self._resolve_user(tx, params, cookie_session, prompts, now)
            if user is None:
                if "none" in prompts:
                    raise _Redirect("login_required", "no signed-in user and prompt=none")
                hint = params.get("login_hint", "")
                message = f"No user with email {hint}." if hint else ""
                return _login_form(params, message)
            member_orgs = [m.organization_id for m in user.memberships]
            if org_id and org_id not in member_orgs:
                raise _Redirect("access_denied", "the user is not a member of the requested organization")
            org_id = org_id or (member_orgs[0] if member_orgs else "")
            user.last_login_time.FromNanoseconds(int(now * 1e9))
            tx.update("user", user.id, user)
            granted = m2m.record_consent(tx, client_id, user.external_id or user.id, scope.split(), now)
        if granted is not None:  # the user authorised a resource client
            self.rt.state.emit("resource.consent_granted", {"consent_id": granted.id, "client_id": client_id})
        session_id = reuse_session
        if not session_id:
            session_id = create_session(self.rt.state, user.id, org_id, client_id=client_id).session_id
        code = self.grants.issue_code(
            client_id=client_id,
            redirect_uri=redirect_uri,
            user_id=user.id,
            session_id=session_id,
            organization_id=org_id,
            connection_id=conn_id,
            scope=scope,
            nonce=params.get("nonce", ""),
            code_challenge=challenge,
        )
        location = with_query(redirect_uri, {"code": code, "state": params.get("state", "")})
        return Outcome(302, location=location, cookie=session_id)

    def _resolve_org(self, tx: Tx, params: Mapping[str, str]) -> tuple[str, str]:
        org_id = params.get("organization_id", "")
        conn_id = params.get("connection_id", "")
        if conn_id:
            if tx.get("connection", conn_id, connections_pb2.Connection) is None:
                raise _Redirect("invalid_request", f"unknown connection_id {conn_id}")
            conn_org = tx.parent_of("connection", conn_id) or ""
            if org_id and conn_org and conn_org != org_id:
                raise _Redirect("invalid_request", "connection_id belongs to another organization")
            org_id = org_id or conn_org
        if org_id and tx.get("organization", org_id, organizations_pb2.Organization) is None:
            raise _Redirect("invalid_request", f"unknown organization_id {org_id}")
        hint = params.get("domain_hint", "").lower()
        if not org_id and hint:
            domain = tx.find("domain", "domain", hint, domains_pb2.Domain)
            org_id = domain.organization_id if domain is not None else ""
        return org_id, conn_id

    def _resolve_user(
        self, tx: Tx, params: Mapping[str, str], cookie_session: str, prompts: set[str], now: float
    ) -> tuple[users_pb2.User | None, str]:
        """The user to sign in and the session to reuse ('' = start a new one)."""
        hint = params.get("login_hint", "").strip().lower()
        session_user = ""
        if cookie_session and "login" not in prompts and session_active(tx, cookie_session, now):
            session_user = tx.parent_of("session", cookie_session) or ""
        if hint:
            user = tx.find("user", "email", hint, users_pb2.User)
            if user is not None and user.id == session_user:
                return user, cookie_session
            return user, ""
        if session_user:
            return tx.get("user", session_user, users_pb2.User), cookie_session
        return None, ""

    def logout(self, params: Mapping[str, str], cookie_session: str = "") -> Outcome:
        """Handle ``GET /oidc/logout``: end the session, then redirect to ``post_logout_redirect_uri``."""
        import jwt

        claims: dict[str, Any] = {}
        hint = params.get("id_token_hint", "")
        if hint:
            try:
                kid = str(jwt.get_unverified_header(hint).get("kid", ""))
                key = self.rt.keys.find(kid)
                if key is None:
                    raise jwt.InvalidTokenError("unknown key")
                claims = jwt.decode(
                    hint,
                    key.private_key.public_key(),
                    algorithms=["RS256"],
                    issuer=self.rt.state.env_url,
                    options={"verify_exp": False, "verify_aud": False, "verify_iat": False},
                )
            except jwt.PyJWTError:
                return error_page(400, "invalid_request", "id_token_hint is not a valid id token")
        target = params.get("post_logout_redirect_uri", "")
        if target:
            aud = claims.get("aud", "")
            client_id = params.get("client_id") or (aud if isinstance(aud, str) else (aud or [""])[0])
            client = self.rt.tokens.clients.get(str(client_id))
            if client is None or not client.allows_redirect(target):
                return error_page(400, "invalid_request", "post_logout_redirect_uri is not allowed")
        session_id = str(claims.get("sid", "")) or cookie_session
        if session_id:
            self.grants.end_session(session_id, "LOGOUT")
        if target:
            return Outcome(302, location=with_query(target, {"state": params.get("state", "")}), cookie="")
        return Outcome(200, page=_page("Signed out", "<p>You are signed out.</p>"), cookie="")
