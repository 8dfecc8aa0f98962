"""The framework-independent web login flow (asyncio): login, callback, session check with refresh,
logout. Framework adapters translate requests and responses; every decision and effect is here.

Sessions: the tokens are kept in an :class:`~scalekit_py.sessions.AsyncAuthorizationSession` under a random
session id. With ``token_store=`` (e.g. :class:`~scalekit_py.sessions.RedisTokenStore`) they live only
there and the cookie holds the id and the user's claims; without one, the encrypted cookie carries the
token record too and a process-local store coordinates concurrent requests, so one refresh per session
runs per process (use a shared store for several processes or machines).
"""

from __future__ import annotations

import logging
import secrets
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scalekit_py import errors
from scalekit_py.frameworks._cookie import CookieCodec
from scalekit_py.frameworks._decide import login_passthrough, safe_return_to, state_matches
from scalekit_py.oauth import (
    AsyncOAuthClient,
    AuthorizationUrlOptions,
    CodeAuthenticationOptions,
    LogoutUrlOptions,
    generate_pkce_pair,
)
from scalekit_py.sessions import AsyncAuthorizationSession, AsyncTokenStore, InMemoryTokenStore, TokenStore
from scalekit_py.sessions._model import SessionRecord

__all__ = ["DEFAULT_COOKIE_NAME", "STATE_COOKIE_NAME", "Check", "LoginFailedError", "WebAuthCore"]

log = logging.getLogger("scalekit_py.frameworks")

DEFAULT_COOKIE_NAME = "sk_session"
STATE_COOKIE_NAME = "sk_oauth_state"
LOGIN_MAX_AGE = 600.0
SESSION_MAX_AGE = 30 * 24 * 3600.0
SCOPES = ("openid", "profile", "email", "offline_access")
# ID-token claims added to the user's (access-token) claims when the access token lacks them.
PROFILE_CLAIMS = ("email", "email_verified", "name", "given_name", "family_name", "picture", "locale")


def user_claims(access_claims: Mapping[str, Any], profile: Mapping[str, Any]) -> dict[str, Any]:
    """The user as the integrations return it: the access token's claims plus profile claims (from the
    verified ID token) it lacks."""
    user = dict(access_claims)
    for name in PROFILE_CLAIMS:
        if name not in user and name in profile:
            user[name] = profile[name]
    return user


class LoginFailedError(errors.ScalekitError):
    """A callback that cannot complete a login (wrong ``state``, used code, refused ID token...).

    The adapters answer it with a redirect to the login route; the message names the reason only."""


@dataclass(frozen=True)
class Check:
    """A session check: ``user`` (claims) when signed in; a ``cookie`` to set when it changed (refresh);
    ``clear`` when the browser's cookie is dead and should be deleted."""

    user: dict[str, Any] | None
    cookie: str | None = None
    clear: bool = False


class WebAuthCore:
    """Login flow state shared by the framework adapters. See ``docs/frameworks.md``."""

    def __init__(
        self,
        *,
        client: AsyncOAuthClient | None,
        client_id: str | None,
        client_secret: str | None,
        env_url: str | None,
        redirect_uri: str | None,
        cookie_encryption_secret: str | Sequence[str] | None,
        cookie_name: str,
        token_store: TokenStore | AsyncTokenStore | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not redirect_uri:
            raise errors.ConfigurationError(
                "redirect_uri is required (the callback URL registered in Scalekit)"
            )
        self.session_codec = CookieCodec(cookie_encryption_secret, purpose="session")
        self.login_codec = CookieCodec(cookie_encryption_secret, purpose="login")
        if client is None:
            if not (env_url and client_id and client_secret):
                raise errors.ConfigurationError("pass client= or env_url, client_id and client_secret")
            client = AsyncOAuthClient(env_url, client_id, client_secret)
        self.oauth = client
        self.redirect_uri = redirect_uri
        self.cookie_name = cookie_name
        self.server_side = token_store is not None
        self.store: TokenStore | AsyncTokenStore = (
            token_store if token_store is not None else InMemoryTokenStore()
        )
        self.clock = clock

    def session(self, session_id: str) -> AsyncAuthorizationSession:
        return AsyncAuthorizationSession(session_id, store=self.store, refresher=self.oauth, clock=self.clock)

    # --- login ------------------------------------------------------------------------------------------

    def begin_login(self, query: Mapping[str, str]) -> tuple[str, str]:
        """The authorization URL (PKCE S256, ``state``, ``nonce``, passthrough hints) and the sealed
        login cookie that the callback needs."""
        verifier, challenge = generate_pkce_pair()
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        hints = login_passthrough(query)
        url = self.oauth.get_authorization_url(
            self.redirect_uri,
            AuthorizationUrlOptions(
                scopes=SCOPES,
                state=state,
                nonce=nonce,
                code_challenge=challenge,
                **hints,
            ),
        )
        return_to = safe_return_to(query.get("return_to") or query.get("returnTo"))  # returnTo: official name
        pending = {"s": state, "n": nonce, "v": verifier, "r": return_to}
        return url, self.login_codec.seal(STATE_COOKIE_NAME, pending, now=self.clock(), max_age=LOGIN_MAX_AGE)

    async def finish_login(
        self, query: Mapping[str, str], login_cookie: str | None
    ) -> tuple[str, str | None]:
        """Complete the login: the new session cookie and the path to return to (``None``: the default).

        Raises:
            LoginFailedError: no/expired login cookie, ``state`` mismatch, an ``error`` from the server, a
                refused code (replayed, expired) or an invalid ID token.
            SessionStoreError: the token store failed.
        """
        pending = self.login_codec.open(STATE_COOKIE_NAME, login_cookie, now=self.clock())
        if pending is None:
            raise LoginFailedError("no login in progress in this browser (or it expired)")
        if not state_matches(pending.get("s"), query.get("state")):
            raise LoginFailedError("state does not match the login of this browser")
        if query.get("error"):
            raise LoginFailedError("the authorization server refused the login")
        code = query.get("code")
        if not code:
            raise LoginFailedError("the callback has no code")
        try:
            result = await self.oauth.authenticate_with_code(
                code,
                self.redirect_uri,
                CodeAuthenticationOptions(code_verifier=str(pending["v"]), nonce=str(pending["n"])),
            )
            claims = await self.oauth.validate_token(result.access_token)
        except (errors.OAuthError, errors.TokenValidationError) as exc:
            raise LoginFailedError(f"the code was refused: {type(exc).__name__}") from None
        session_id = secrets.token_urlsafe(32)  # a fresh id per login: no session fixation
        session = self.session(session_id)
        await session.establish(result)
        record = await session.load()
        assert record is not None
        user = user_claims(claims, result.claims)
        return self._seal(session_id, user, record), safe_return_to(pending.get("r"))

    def _seal(self, session_id: str, claims: Mapping[str, Any], record: SessionRecord) -> str:
        payload: dict[str, Any] = {"sid": session_id, "u": dict(claims), "g": record.generation}
        if not self.server_side:
            payload["rec"] = record.to_dict()
        return self.session_codec.seal(self.cookie_name, payload, now=self.clock(), max_age=SESSION_MAX_AGE)

    # --- requests -----------------------------------------------------------------------------------------

    def read(self, cookie: str | None) -> dict[str, Any] | None:
        """The cookie's payload, or ``None``; never refreshes."""
        payload = self.session_codec.open(self.cookie_name, cookie, now=self.clock())
        if (
            payload is None
            or not isinstance(payload.get("sid"), str)
            or not isinstance(payload.get("u"), dict)
        ):
            return None
        return payload

    async def _adopt(self, payload: Mapping[str, Any]) -> None:
        """Cookie mode: seed the process-local store with the cookie's record unless it knows a newer one."""
        assert isinstance(self.store, InMemoryTokenStore)
        record = SessionRecord.from_dict(payload["rec"])
        current = self.store.get(payload["sid"])
        if current is None or current.record.generation < record.generation:
            self.store.put(payload["sid"], record)

    async def check(self, cookie: str | None) -> Check:
        """Whether the cookie is a live session; refreshes the tokens (once per session) near expiry.

        Raises:
            SessionError: the token store failed, or no fresh token could be had (server unreachable):
                the adapters answer 503 and keep the session.
        """
        payload = self.read(cookie)
        if payload is None:
            return Check(None, clear=cookie is not None)
        try:
            if not self.server_side:
                if not isinstance(payload.get("rec"), dict):
                    return Check(None, clear=True)
                await self._adopt(payload)
            session = self.session(payload["sid"])
            token = await session.get_access_token()
            record = await session.load()
        except (errors.SessionExpiredError, ValueError, KeyError, TypeError):
            return Check(None, clear=True)  # ended by the server (revoked, reused, expired) or unreadable
        if record is None:
            return Check(None, clear=True)
        if record.generation == payload.get("g"):
            return Check(dict(payload["u"]))
        try:
            claims = await self.oauth.validate_token(token)
        except errors.TokenValidationError:
            return Check(None, clear=True)
        user = user_claims(claims, payload["u"])
        return Check(user, cookie=self._seal(payload["sid"], user, record))

    async def logout(self, cookie: str | None, post_logout_redirect_uri: str, *, full_logout: bool) -> str:
        """End the session (tokens removed from the store) and the URL to send the browser to."""
        payload = self.read(cookie)
        id_token = None
        if payload is not None:
            session = self.session(payload["sid"])
            try:
                if not self.server_side and isinstance(payload.get("rec"), dict):
                    await self._adopt(payload)
                record = await session.load()
                id_token = record.id_token if record is not None else None
                await session.clear()
            except (errors.SessionStoreError, ValueError, KeyError, TypeError):
                log.warning("logout: the session could not be removed from the token store")
        if full_logout and id_token:
            return self.oauth.get_logout_url(
                LogoutUrlOptions(id_token_hint=id_token, post_logout_redirect_uri=post_logout_redirect_uri)
            )
        return post_logout_redirect_uri


def absolute(base_url: str, path_or_url: str) -> str:
    """``path_or_url`` made absolute against ``base_url`` (Scalekit needs an absolute logout redirect)."""
    return urllib.parse.urljoin(base_url, path_or_url)
