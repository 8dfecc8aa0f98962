"""Scalekit login for Flask (the ``flask`` extra): drop-in for the official ``scalekit.frameworks.flask``.

    auth = ScalekitAuth(app, env_url=..., client_id=..., client_secret=...,
                        redirect_uri="https://app.example.com/callback", cookie_encryption_secret=...)

    @app.get("/account")
    @auth.requires_auth
    def account():
        return {"email": auth.current_user["email"]}

The flow is the one of the FastAPI integration (``_core``), run on a private event loop thread (see
``_loop``), so Flask's worker threads share one refresh per session. See ``docs/frameworks.md``.
"""

from __future__ import annotations

import functools
import logging
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, g, make_response, redirect
from flask import request as flask_request
from werkzeug.wrappers import Response

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
from scalekit_py.frameworks._loop import BackgroundLoop
from scalekit_py.oauth import AsyncOAuthClient
from scalekit_py.sessions import AsyncTokenStore, TokenStore

__all__ = ["ScalekitAuth"]

log = logging.getLogger("scalekit_py.frameworks")


class ScalekitAuth:
    """Flask extension: login, callback and logout routes, ``@requires_auth``, ``current_user``.

    Arguments as :class:`scalekit_py.frameworks.starlette.ScalekitAuth`, plus ``app`` (else call
    :meth:`init_app`).
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        client: AsyncOAuthClient | None = None,
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
        self.loop = BackgroundLoop("scalekit-flask")
        self.cookie_secure = cookie_secure
        self.login_path, self.callback_path, self.logout_path = login_path, callback_path, logout_path
        self.post_login_redirect = post_login_redirect
        self.post_logout_redirect_uri = post_logout_redirect_uri or post_login_redirect
        self.full_logout = full_logout
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        return f"ScalekitAuth(redirect_uri={self.core.redirect_uri!r})"

    def init_app(self, app: Flask) -> None:
        """Add the login, callback and logout routes."""
        app.add_url_rule(self.login_path, "scalekit_login", self._login_view)
        app.add_url_rule(self.callback_path, "scalekit_callback", self._callback_view)
        app.add_url_rule(self.logout_path, "scalekit_logout", self._logout_view, methods=["GET", "POST"])

    # --- cookies ------------------------------------------------------------------------------------------

    def _set(self, response: Response, name: str, value: str, max_age: float) -> None:
        response.set_cookie(
            name,
            value,
            max_age=int(max_age),
            path="/",
            secure=self.cookie_secure,
            httponly=True,
            samesite="Lax",
        )

    def _set_session(self, response: Response, value: str) -> None:
        parts = split(self.core.cookie_name, value)
        for name, part in parts:
            self._set(response, name, part, SESSION_MAX_AGE)
        for name in chunk_names(self.core.cookie_name)[len(parts) :]:
            response.delete_cookie(name, path="/")

    def _clear_session(self, response: Response) -> None:
        for name in chunk_names(self.core.cookie_name):
            response.delete_cookie(name, path="/")

    def _session_cookie(self) -> str | None:
        return join(self.core.cookie_name, flask_request.cookies)

    # --- routes -------------------------------------------------------------------------------------------

    def _login_view(self) -> Response:
        url, login_cookie = self.core.begin_login(dict(flask_request.args))
        response = redirect(url, 302)
        self._set(response, STATE_COOKIE_NAME, login_cookie, LOGIN_MAX_AGE)
        return response

    def _callback_view(self) -> Response:
        try:
            cookie, return_to = self.loop.run(
                self.core.finish_login(dict(flask_request.args), flask_request.cookies.get(STATE_COOKIE_NAME))
            )
        except LoginFailedError as exc:
            log.info("login failed: %s", exc)
            response = redirect(self.login_path, 302)
            response.delete_cookie(STATE_COOKIE_NAME, path="/")
            return response
        except errors.ScalekitError as exc:
            log.warning("login could not complete: %s", type(exc).__name__)
            return Response("Sign-in is unavailable; try again shortly.", 503, mimetype="text/plain")
        response = redirect(return_to or self.post_login_redirect, 302)
        self._set_session(response, cookie)
        response.delete_cookie(STATE_COOKIE_NAME, path="/")
        return response

    def _logout_view(self) -> Response:
        target = absolute(flask_request.host_url, self.post_logout_redirect_uri)
        url = self.loop.run(self.core.logout(self._session_cookie(), target, full_logout=self.full_logout))
        response = redirect(url, 302)
        self._clear_session(response)
        return response

    # --- session checks -----------------------------------------------------------------------------------

    @property
    def current_user(self) -> dict[str, Any] | None:
        """The signed-in user's claims inside a ``@requires_auth`` view, else ``None``."""
        user: dict[str, Any] | None = getattr(g, "scalekit_user", None)
        return user

    def get_session(self) -> dict[str, Any] | None:
        """``{"user": claims, "expires_at": ...}`` for a valid cookie, else ``None``; never refreshes."""
        payload = self.core.read(self._session_cookie())
        if payload is None:
            return None
        record = payload.get("rec")
        expires_at = record.get("access_expires_at") if isinstance(record, dict) else None
        return {"user": payload["u"], "expires_at": expires_at}

    def requires_auth(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """Decorator: run ``view`` for a signed-in user (``current_user`` set, tokens refreshed when due);
        otherwise redirect to the login route with ``return_to``."""

        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                check = self.loop.run(self.core.check(self._session_cookie()))
            except errors.ScalekitError as exc:
                log.warning("session check failed: %s", type(exc).__name__)
                return Response(
                    "The session store is unavailable; try again shortly.", 503, mimetype="text/plain"
                )
            if check.user is None:
                path = flask_request.full_path.rstrip("?")
                response = redirect(f"{self.login_path}?{urllib.parse.urlencode({'return_to': path})}", 302)
                if check.clear:
                    self._clear_session(response)
                return response
            g.scalekit_user = check.user
            response = make_response(view(*args, **kwargs))
            if check.cookie is not None:
                self._set_session(response, check.cookie)
            return response

        return wrapped
