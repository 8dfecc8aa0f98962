"""Scalekit login for Django (the ``django`` extra): drop-in for the official ``scalekit.frameworks.django``.

Settings (as the official module): ``SCALEKIT_ENV_URL``, ``SCALEKIT_CLIENT_ID``, ``SCALEKIT_CLIENT_SECRET``
(or ``SCALEKIT_CLIENT``, an ``AsyncOAuthClient``), ``SCALEKIT_REDIRECT_URI``,
``SCALEKIT_COOKIE_ENCRYPTION_SECRET`` (a string or a list), optional ``SCALEKIT_COOKIE_NAME``,
``SCALEKIT_COOKIE_SECURE``, ``SCALEKIT_LOGIN_PATH``, ``SCALEKIT_POST_LOGIN_REDIRECT``,
``SCALEKIT_POST_LOGOUT_REDIRECT_URI``, ``SCALEKIT_FULL_LOGOUT``, and ours: ``SCALEKIT_TOKEN_STORE``.

Add ``scalekit_py.frameworks.django.ScalekitAuthMiddleware`` to ``MIDDLEWARE`` (sets
``request.scalekit_user``, refreshes tokens), route ``login_view`` / ``callback_view`` / ``logout_view``,
and decorate views with ``login_required``. The flow is the one of the other integrations (``_core``), run
on a private event-loop thread.
"""

from __future__ import annotations

import functools
import logging
import urllib.parse
from collections.abc import Callable
from typing import Any

from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from scalekit_py import errors
from scalekit_py.frameworks._cookie import chunk_names, join, split
from scalekit_py.frameworks._core import (
    DEFAULT_COOKIE_NAME,
    LOGIN_MAX_AGE,
    SESSION_MAX_AGE,
    STATE_COOKIE_NAME,
    Check,
    LoginFailedError,
    WebAuthCore,
    absolute,
)
from scalekit_py.frameworks._loop import BackgroundLoop

__all__ = [
    "ScalekitAuthConfig",
    "ScalekitAuthMiddleware",
    "callback_view",
    "get_config",
    "get_session",
    "login_required",
    "login_view",
    "logout_view",
]

log = logging.getLogger("scalekit_py.frameworks")


def _setting(name: str, default: Any = None, *, required: bool = False) -> Any:
    value = getattr(django_settings, name, default)
    if required and not value:
        raise errors.ConfigurationError(
            f"the Django setting {name} is required by scalekit_py.frameworks.django"
        )
    return value


class ScalekitAuthConfig:
    """The flow core and options, built once from the ``SCALEKIT_*`` settings."""

    def __init__(self) -> None:
        client = _setting("SCALEKIT_CLIENT")
        self.core = WebAuthCore(
            client=client,
            client_id=None if client else _setting("SCALEKIT_CLIENT_ID", required=True),
            client_secret=None if client else _setting("SCALEKIT_CLIENT_SECRET", required=True),
            env_url=None if client else _setting("SCALEKIT_ENV_URL", required=True),
            redirect_uri=_setting("SCALEKIT_REDIRECT_URI", required=True),
            cookie_encryption_secret=_setting("SCALEKIT_COOKIE_ENCRYPTION_SECRET", required=True),
            cookie_name=_setting("SCALEKIT_COOKIE_NAME", DEFAULT_COOKIE_NAME),
            token_store=_setting("SCALEKIT_TOKEN_STORE"),
        )
        self.loop = BackgroundLoop("scalekit-django")
        self.login_path: str = _setting("SCALEKIT_LOGIN_PATH", "/login")
        self.post_login_redirect: str = _setting("SCALEKIT_POST_LOGIN_REDIRECT", "/")
        self.post_logout_redirect_uri: str = (
            _setting("SCALEKIT_POST_LOGOUT_REDIRECT_URI") or self.post_login_redirect
        )
        self.full_logout: bool = _setting("SCALEKIT_FULL_LOGOUT", True)
        self.cookie_secure: bool = _setting("SCALEKIT_COOKIE_SECURE", True)

    def set(self, response: HttpResponse, name: str, value: str, max_age: float) -> None:
        response.set_cookie(
            name,
            value,
            max_age=int(max_age),
            path="/",
            secure=self.cookie_secure,
            httponly=True,
            samesite="Lax",
        )

    def set_session(self, response: HttpResponse, value: str) -> None:
        parts = split(self.core.cookie_name, value)
        for name, part in parts:
            self.set(response, name, part, SESSION_MAX_AGE)
        for name in chunk_names(self.core.cookie_name)[len(parts) :]:
            response.delete_cookie(name, path="/")

    def clear_session(self, response: HttpResponse) -> None:
        for name in chunk_names(self.core.cookie_name):
            response.delete_cookie(name, path="/")

    def session_cookie(self, request: HttpRequest) -> str | None:
        return join(self.core.cookie_name, request.COOKIES)


@functools.lru_cache(maxsize=1)
def get_config() -> ScalekitAuthConfig:
    """The configuration (built on first use; ``get_config.cache_clear()`` after changing settings)."""
    return ScalekitAuthConfig()


class ScalekitAuthMiddleware:
    """Sets ``request.scalekit_user`` (claims or ``None``) and refreshes the session when due; does not
    enforce sign-in (use :func:`login_required`). A failing token store answers 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        config = get_config()
        cookie = config.session_cookie(request)
        check = Check(None)
        if cookie is not None:
            try:
                check = config.loop.run(config.core.check(cookie))
            except errors.ScalekitError as exc:
                log.warning("session check failed: %s", type(exc).__name__)
                return HttpResponse("The session store is unavailable; try again shortly.", status=503)
        request.scalekit_user = check.user  # type: ignore[attr-defined]
        response = self.get_response(request)
        if check.cookie is not None:
            config.set_session(response, check.cookie)
        elif check.clear:
            config.clear_session(response)
        return response


def get_session(request: HttpRequest) -> dict[str, Any] | None:
    """``{"user": claims, "expires_at": ...}`` for a valid cookie, else ``None``; never refreshes."""
    config = get_config()
    payload = config.core.read(config.session_cookie(request))
    if payload is None:
        return None
    record = payload.get("rec")
    expires_at = record.get("access_expires_at") if isinstance(record, dict) else None
    return {"user": payload["u"], "expires_at": expires_at}


def login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator: run ``view`` when the middleware found a signed-in user, else redirect to login."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "scalekit_user", None) is None:
            config = get_config()
            query = urllib.parse.urlencode({"return_to": request.get_full_path()})
            return HttpResponseRedirect(f"{config.login_path}?{query}")
        return view(request, *args, **kwargs)

    return wrapped


def login_view(request: HttpRequest) -> HttpResponse:
    config = get_config()
    url, login_cookie = config.core.begin_login(request.GET.dict())
    response = HttpResponseRedirect(url)
    config.set(response, STATE_COOKIE_NAME, login_cookie, LOGIN_MAX_AGE)
    return response


def callback_view(request: HttpRequest) -> HttpResponse:
    config = get_config()
    try:
        cookie, return_to = config.loop.run(
            config.core.finish_login(request.GET.dict(), request.COOKIES.get(STATE_COOKIE_NAME))
        )
    except LoginFailedError as exc:
        log.info("login failed: %s", exc)
        failed = HttpResponseRedirect(config.login_path)
        failed.delete_cookie(STATE_COOKIE_NAME, path="/")
        return failed
    except errors.ScalekitError as exc:
        log.warning("login could not complete: %s", type(exc).__name__)
        return HttpResponse("Sign-in is unavailable; try again shortly.", status=503)
    response = HttpResponseRedirect(return_to or config.post_login_redirect)
    config.set_session(response, cookie)
    response.delete_cookie(STATE_COOKIE_NAME, path="/")
    return response


def logout_view(request: HttpRequest) -> HttpResponse:
    config = get_config()
    target = absolute(request.build_absolute_uri("/"), config.post_logout_redirect_uri)
    url = config.loop.run(
        config.core.logout(config.session_cookie(request), target, full_logout=config.full_logout)
    )
    response = HttpResponseRedirect(url)
    config.clear_session(response)
    return response
