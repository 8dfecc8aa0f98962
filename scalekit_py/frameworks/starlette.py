"""Scalekit login for Starlette and FastAPI apps (the ``fastapi`` / ``starlette`` extras).

Same constructor and surface as the official ``scalekit.frameworks.fastapi.ScalekitAuth``: ``install(app)``
adds the login, callback and logout routes; ``Depends(auth.requires_auth)`` returns the signed-in user's
claims or redirects to the login route; ``get_session(request)`` reads the session without refreshing.

Example::

    auth = ScalekitAuth(env_url=..., client_id=..., client_secret=...,
                        redirect_uri="https://app.example.com/callback",
                        cookie_encryption_secret=os.environ["SESSION_SECRETS"].split(","))
    auth.install(app)

    @app.get("/account")
    async def account(user: dict = Depends(auth.requires_auth)): ...
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from scalekit_py import errors
from scalekit_py.frameworks._cookie import chunk_names, join, split
from scalekit_py.frameworks._core import (
    DEFAULT_COOKIE_NAME,
    LOGIN_MAX_AGE,
    SESSION_MAX_AGE,
    STATE_COOKIE_NAME,
    LoginFailedError,
    WebAuthCore,
    absolute,
)
from scalekit_py.frameworks._decide import bearer_challenge, bearer_token
from scalekit_py.oauth import AsyncOAuthClient
from scalekit_py.sessions import AsyncTokenStore, TokenStore

__all__ = ["LoginRequired", "ScalekitAuth"]

log = logging.getLogger("scalekit_py.frameworks")


class LoginRequired(Exception):
    """Raised by :meth:`ScalekitAuth.requires_auth`; ``install(app)`` answers it with a login redirect."""

    def __init__(self, location: str, *, clear_cookie: bool) -> None:
        super().__init__("login required")
        self.location = location
        self.clear_cookie = clear_cookie


class _StoreUnavailable(Exception):
    pass


class ScalekitAuth:
    """Login, callback, logout and session checks for a Starlette or FastAPI app.

    Args:
        client: an :class:`~scalekit_py.oauth.AsyncOAuthClient` (else built from the next three).
        client_id, client_secret, env_url: the Scalekit environment.
        redirect_uri: the registered callback URL (absolute).
        cookie_encryption_secret: a secret of >= 32 characters, or a list (the first encrypts; rotation).
        cookie_name: the session cookie's name.
        cookie_secure: set ``Secure`` on cookies (turn off only for plain-HTTP development).
        login_path, callback_path, logout_path: the routes ``install`` adds.
        post_login_redirect: where a login without ``return_to`` ends.
        post_logout_redirect_uri: where logout ends (default ``post_login_redirect``).
        full_logout: also end the Scalekit session (redirect through its logout URL).
        token_store: keep tokens server-side in this store (the cookie then holds only a session id and
            the user's claims); share it (``RedisTokenStore``) across processes and machines.

    Raises:
        ConfigurationError: no ``redirect_uri``, no or a short ``cookie_encryption_secret``, no client.
    """

    def __init__(
        self,
        client: AsyncOAuthClient | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        env_url: str | None = None,
        redirect_uri: str | None = None,
        cookie_encryption_secret: str | Sequence[str] | None = None,
        cookie_name: str = DEFAULT_COOKIE_NAME,
        cookie_secure: bool = True,
        login_path: str = "/login",
        callback_path: str = "/callback",
        logout_path: str = "/logout",
        post_login_redirect: str = "/",
        post_logout_redirect_uri: str | None = None,
        full_logout: bool = True,
        token_store: TokenStore | AsyncTokenStore | None = None,
    ) -> None:
        self.core = WebAuthCore(
            client=client,
            client_id=client_id,
            client_secret=client_secret,
            env_url=env_url,
            redirect_uri=redirect_uri,
            cookie_encryption_secret=cookie_encryption_secret,
            cookie_name=cookie_name,
            token_store=token_store,
        )
        self.cookie_secure = cookie_secure
        self.login_path, self.callback_path, self.logout_path = login_path, callback_path, logout_path
        self.post_login_redirect = post_login_redirect
        self.post_logout_redirect_uri = post_logout_redirect_uri or post_login_redirect
        self.full_logout = full_logout

    def __repr__(self) -> str:
        return f"ScalekitAuth(redirect_uri={self.core.redirect_uri!r})"

    # --- wiring -------------------------------------------------------------------------------------------

    def install(self, app: Any) -> None:
        """Add the three routes and the handlers that turn :class:`LoginRequired` into a redirect."""
        app.add_route(self.login_path, self.login_view, methods=["GET"])
        app.add_route(self.callback_path, self.callback_view, methods=["GET"])
        app.add_route(self.logout_path, self.logout_view, methods=["GET", "POST"])
        app.add_exception_handler(LoginRequired, self._login_required)
        app.add_exception_handler(_StoreUnavailable, self._store_unavailable)

    async def _login_required(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        response = RedirectResponse(exc.location, status_code=302)
        if exc.clear_cookie:
            self._clear_session(response)
        return response

    async def _store_unavailable(self, request: Request, exc: Exception) -> Response:
        return PlainTextResponse("The session store is unavailable; try again shortly.", 503)

    def _session_cookie(self, request: Request) -> str | None:
        return join(self.core.cookie_name, request.cookies)

    def _set_session(self, response: Response, value: str) -> None:
        parts = split(self.core.cookie_name, value)
        for name, part in parts:
            self._set(response, name, part, SESSION_MAX_AGE)
        for name in chunk_names(self.core.cookie_name)[len(parts) :]:
            response.delete_cookie(name, path="/")

    def _clear_session(self, response: Response) -> None:
        for name in chunk_names(self.core.cookie_name):
            response.delete_cookie(name, path="/")

    def _set(self, response: Response, name: str, value: str, max_age: float) -> None:
        response.set_cookie(
            name,
            value,
            max_age=int(max_age),
            path="/",
            secure=self.cookie_secure,
            httponly=True,
            samesite="lax",
        )

    # --- routes -------------------------------------------------------------------------------------------

    async def login_view(self, request: Request) -> Response:
        """Redirect to the authorization URL; query ``return_to``, ``login_hint``, ``organization_id``,
        ``connection_id``, ``domain_hint`` are honoured."""
        url, login_cookie = self.core.begin_login(dict(request.query_params))
        response = RedirectResponse(url, status_code=302)
        self._set(response, STATE_COOKIE_NAME, login_cookie, LOGIN_MAX_AGE)
        return response

    async def callback_view(self, request: Request) -> Response:
        try:
            cookie, return_to = await self.core.finish_login(
                dict(request.query_params), request.cookies.get(STATE_COOKIE_NAME)
            )
        except LoginFailedError as exc:
            log.info("login failed: %s", exc)
            response: Response = RedirectResponse(self.login_path, status_code=302)
            response.delete_cookie(STATE_COOKIE_NAME, path="/")
            return response
        except errors.ScalekitError as exc:  # store or network failure: no half-made session
            log.warning("login could not complete: %s", type(exc).__name__)
            return PlainTextResponse("Sign-in is unavailable; try again shortly.", 503)
        response = RedirectResponse(return_to or self.post_login_redirect, status_code=302)
        self._set_session(response, cookie)
        response.delete_cookie(STATE_COOKIE_NAME, path="/")
        return response

    async def logout_view(self, request: Request) -> Response:
        target = absolute(str(request.base_url), self.post_logout_redirect_uri)
        url = await self.core.logout(self._session_cookie(request), target, full_logout=self.full_logout)
        response = RedirectResponse(url, status_code=302)
        self._clear_session(response)
        return response

    # --- session checks -----------------------------------------------------------------------------------

    def get_session(self, request: Request) -> dict[str, Any] | None:
        """``{"user": claims, "expires_at": ...}`` for a valid session cookie, else ``None``; never
        refreshes or sets a cookie, never returns tokens."""
        payload = self.core.read(self._session_cookie(request))
        if payload is None:
            return None
        record = payload.get("rec")
        expires_at = record.get("access_expires_at") if isinstance(record, dict) else None
        return {"user": payload["u"], "expires_at": expires_at}

    async def requires_auth(self, request: Request, response: Response) -> dict[str, Any]:
        """FastAPI dependency: the user's claims, refreshing the tokens when needed (the new cookie is
        set on the injected ``response``); raises :class:`LoginRequired` (→ redirect) otherwise."""
        try:
            check = await self.core.check(self._session_cookie(request))
        except errors.ScalekitError as exc:  # store down, or no fresh token in time: keep the session
            log.warning("session check failed: %s", type(exc).__name__)
            raise _StoreUnavailable from None
        if check.user is None:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            location = f"{self.login_path}?{urllib.parse.urlencode({'return_to': path})}"
            raise LoginRequired(location, clear_cookie=check.clear)
        if check.cookie is not None:
            self._set_session(response, check.cookie)
        return check.user

    def requires_scopes(self, *scopes: str, realm: str = "api") -> Any:
        """A FastAPI dependency for APIs: validates ``Authorization: Bearer`` and the scopes; answers 401
        / 403 with an RFC 6750 ``WWW-Authenticate`` header (never a redirect). Returns the claims."""

        async def dependency(request: Request) -> dict[str, Any]:
            token = bearer_token(request.headers.get("authorization"))
            claims = None
            if token is not None:
                try:
                    claims = await self.core.oauth.validate_token(token)
                except errors.TokenValidationError:
                    claims = None
            decision = bearer_challenge(
                realm, token_present=token is not None, claims=claims, required_scopes=scopes
            )
            if decision.status != 200:
                raise HTTPException(
                    decision.status,
                    "invalid or insufficient bearer token",
                    headers={"WWW-Authenticate": decision.www_authenticate or "Bearer"},
                )
            assert claims is not None
            return claims

        return dependency
