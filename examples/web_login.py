"""Sign users in with Scalekit: a small Starlette app using the authorization code flow with PKCE.

    python examples/web_login.py

With ``SCALEKIT_ENV_URL``, ``SCALEKIT_CLIENT_ID`` and ``SCALEKIT_CLIENT_SECRET`` set it uses that
environment (register ``http://127.0.0.1:$PORT/callback`` as a redirect URI; ``PORT`` defaults to 8000).
Otherwise it starts a local emulator, where ``admin@example.com`` and ``member@example.com`` can sign in.

The flow, and where each protection lives:

``/login``     a login attempt gets a fresh PKCE verifier, ``state`` and ``nonce``, kept server-side
               under a random id that is the only thing in the (HttpOnly, SameSite=Lax) cookie; then a
               redirect to the authorization URL.
``/callback``  the attempt is used once; ``state`` must match it (CSRF); the code is exchanged with the
               verifier, and ``authenticate_with_code`` verifies the ID token (signature, issuer,
               audience, expiry, nonce). A new session id replaces the login one (no session fixation).
``/me``        the signed-in user.
``/logout``    the session is forgotten and the browser sent to Scalekit's logout URL, which ends the
               Scalekit session and comes back to ``/``.

Requires the ``emulator`` extra (Starlette, hypercorn): ``pip install 'scalekit-py[emulator]'``.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import os
import secrets
import socket
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from scalekit_py.errors import OAuthError, TokenValidationError
from scalekit_py.oauth import (
    AsyncOAuthClient,
    AuthorizationUrlOptions,
    CodeAuthenticationOptions,
    LogoutUrlOptions,
    User,
    generate_pkce_pair,
)

COOKIE = "web_login_session"
LOGIN_TTL = 600.0  # seconds a login attempt may take
SCOPES = ("openid", "profile", "email", "offline_access")


@dataclass
class PendingLogin:
    """What ``/callback`` needs to finish one login attempt."""

    state: str
    nonce: str
    verifier: str
    started: float = field(default_factory=time.monotonic)

    def expired(self) -> bool:
        return time.monotonic() - self.started > LOGIN_TTL


@dataclass
class SignedIn:
    """A signed-in browser: the verified user and the tokens (never sent to the browser)."""

    user: User
    id_token: str = field(repr=False)
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    organization_id: str | None


class SessionStore:
    """Server-side sessions keyed by an unguessable id; the cookie carries only the id.

    In memory, for one process. A real deployment keeps these in Redis or a database, with expiry.
    """

    def __init__(self) -> None:
        self._data: dict[str, PendingLogin | SignedIn] = {}

    def add(self, value: PendingLogin | SignedIn) -> str:
        # Abandoned login attempts would pile up: drop the expired ones whenever a session starts.
        for stale in [k for k, v in self._data.items() if isinstance(v, PendingLogin) and v.expired()]:
            del self._data[stale]
        session_id = secrets.token_urlsafe(32)
        self._data[session_id] = value
        return session_id

    def get(self, session_id: str | None) -> PendingLogin | SignedIn | None:
        return self._data.get(session_id or "")

    def pop(self, session_id: str | None) -> PendingLogin | SignedIn | None:
        return self._data.pop(session_id or "", None)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status,
        headers={"Cache-Control": "no-store"},
    )


def create_app(oauth: AsyncOAuthClient, base_url: str, sessions: SessionStore | None = None) -> Starlette:
    """The login app.

    Args:
        oauth: the OAuth client of the Scalekit environment (the caller closes it).
        base_url: where this app is served, e.g. ``http://127.0.0.1:8000``; ``{base_url}/callback``
            must be a registered redirect URI.
        sessions: the session store (default: a new in-memory one).

    Returns:
        The ASGI application.
    """
    store = sessions if sessions is not None else SessionStore()
    base_url = base_url.rstrip("/")
    redirect_uri = f"{base_url}/callback"
    secure_cookie = base_url.startswith("https://")

    def with_session(response: Response, session_id: str) -> Response:
        response.set_cookie(COOKIE, session_id, httponly=True, samesite="lax", secure=secure_cookie, path="/")
        return response

    async def home(request: Request) -> Response:
        if isinstance(store.get(request.cookies.get(COOKIE)), SignedIn):
            return _page(
                "Welcome back", "<p><a href='/me'>Your profile</a> · <a href='/logout'>Sign out</a></p>"
            )
        return _page("Welcome", "<p><a href='/login'>Sign in</a></p>")

    async def login(request: Request) -> Response:
        verifier, challenge = generate_pkce_pair()
        attempt = PendingLogin(
            state=secrets.token_urlsafe(24), nonce=secrets.token_urlsafe(24), verifier=verifier
        )
        url = oauth.get_authorization_url(
            redirect_uri,
            AuthorizationUrlOptions(
                scopes=SCOPES,
                state=attempt.state,
                nonce=attempt.nonce,
                code_challenge=challenge,
                login_hint=request.query_params.get("login_hint") or None,
            ),
        )
        store.pop(request.cookies.get(COOKIE))  # starting over ends whatever this browser had
        return with_session(RedirectResponse(url, 302), store.add(attempt))

    async def callback(request: Request) -> Response:
        attempt = store.pop(request.cookies.get(COOKIE))  # single use, whatever happens next
        if not isinstance(attempt, PendingLogin) or attempt.expired():
            return _page(
                "Sign-in failed", "<p>No sign-in in progress. <a href='/login'>Try again</a>.</p>", 400
            )
        params = request.query_params
        if params.get("error"):
            reason = params.get("error_description") or params["error"]
            return _page("Sign-in failed", f"<p>{html.escape(reason)}</p>", 400)
        if not hmac.compare_digest(params.get("state", "").encode(), attempt.state.encode()):
            return _page("Sign-in failed", "<p>The state does not match this browser's sign-in.</p>", 400)
        code = params.get("code")
        if not code:
            return _page("Sign-in failed", "<p>No authorization code.</p>", 400)
        try:
            result = await oauth.authenticate_with_code(
                code,
                redirect_uri,
                CodeAuthenticationOptions(code_verifier=attempt.verifier, nonce=attempt.nonce),
            )
        except (OAuthError, TokenValidationError) as exc:  # messages name the reason, never a token
            return _page("Sign-in failed", f"<p>{html.escape(str(exc))}</p>", 400)
        session = SignedIn(
            user=result.user,
            id_token=result.id_token,
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            organization_id=result.organization_id,
        )
        return with_session(RedirectResponse("/me", 303), store.add(session))

    async def me(request: Request) -> Response:
        session = store.get(request.cookies.get(COOKIE))
        if not isinstance(session, SignedIn):
            return RedirectResponse("/login", 303)
        user = session.user
        rows = [
            ("Name", user.name or ""),
            ("Email", user.email or ""),
            ("User id", user.id),
            ("Organization", session.organization_id or ""),
        ]
        table = "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
        return _page("Signed in", f"<table>{table}</table><p><a href='/logout'>Sign out</a></p>")

    async def logout(request: Request) -> Response:
        session = store.pop(request.cookies.get(COOKIE))
        target = "/"
        if isinstance(session, SignedIn):
            target = oauth.get_logout_url(
                LogoutUrlOptions(id_token_hint=session.id_token, post_logout_redirect_uri=f"{base_url}/")
            )
        response = RedirectResponse(target, 303)
        response.delete_cookie(COOKIE, path="/")
        return response

    return Starlette(
        routes=[
            Route("/", home),
            Route("/login", login),
            Route("/callback", callback),
            Route("/me", me),
            Route("/logout", logout),
        ]
    )


async def serve(app: Starlette, sock: socket.socket) -> None:
    """Serve ``app`` with hypercorn on an already bound, listening socket (which hypercorn takes over)."""
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"fd://{sock.detach()}"]
    config.accesslog = None
    await hypercorn_serve(app, config)  # type: ignore[arg-type]  # hypercorn types scopes as TypedDicts


async def _run(env_url: str, client_id: str, client_secret: str, sock: socket.socket, base_url: str) -> None:
    async with AsyncOAuthClient(env_url, client_id, client_secret) as oauth:
        await serve(create_app(oauth, base_url), sock)


def main() -> None:
    """Serve the app on 127.0.0.1, against SCALEKIT_ENV_URL or a local emulator started here."""
    with ExitStack() as stack:
        if os.environ.get("SCALEKIT_ENV_URL"):
            env_url = os.environ["SCALEKIT_ENV_URL"]
            client_id = os.environ["SCALEKIT_CLIENT_ID"]
            client_secret = os.environ["SCALEKIT_CLIENT_SECRET"]
            port = int(os.environ.get("PORT", "8000"))
            hint = "sign in with a user of your environment"
        else:
            from scalekit_py.emulator import Emulator

            emu = stack.enter_context(Emulator())
            env_url, client_id, client_secret = emu.env_url, emu.client_id, emu.client_secret
            port = int(os.environ.get("PORT", "0"))  # the emulator accepts any loopback redirect URI
            hint = "sign in as admin@example.com or member@example.com"
            print(f"started the local emulator at {env_url}")
        sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        print(f"web login example: open {base_url}/ and {hint} (Ctrl+C stops)", flush=True)
        with suppress(KeyboardInterrupt):
            asyncio.run(_run(env_url, client_id, client_secret, sock, base_url))


if __name__ == "__main__":
    main()
