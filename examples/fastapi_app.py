"""A FastAPI app signed in with Scalekit through ``scalekit_py.frameworks.fastapi``.

    python examples/fastapi_app.py

With ``SCALEKIT_ENV_URL``, ``SCALEKIT_CLIENT_ID`` and ``SCALEKIT_CLIENT_SECRET`` set it uses that
environment (register ``http://127.0.0.1:$PORT/callback`` as a redirect URI); otherwise it starts a local
emulator, where ``admin@example.com`` can sign in. ``SESSION_SECRETS`` (comma-separated, first one
encrypts) keys the session cookie; a random one is used when unset (sessions end on restart).

Pages: ``/`` (public, shows who is signed in), ``/account`` (sign-in required), ``/api/me`` (bearer token
with the ``profile`` scope), ``/login``, ``/callback``, ``/logout`` (added by ``auth.install``).

Requires the ``fastapi`` and ``emulator`` extras: ``pip install 'scalekit-py[fastapi,emulator]'``.
"""

from __future__ import annotations

import asyncio
import html
import os
import secrets
import socket
from contextlib import ExitStack, suppress
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse

from scalekit_py.frameworks.fastapi import ScalekitAuth


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        headers={"Cache-Control": "no-store"},
    )


def create_app(auth: ScalekitAuth) -> FastAPI:
    """The app: ``auth`` adds the login routes; pages use ``auth.requires_auth`` / ``auth.get_session``."""
    app = FastAPI()
    auth.install(app)

    @app.get("/")
    async def home(request: Request) -> HTMLResponse:
        session = auth.get_session(request)
        if session is None:
            return _page(
                "Signed out", "<p id='status'>Signed out.</p><a id='login' href='/account'>Sign in</a>"
            )
        email = html.escape(str(session["user"].get("email", session["user"].get("sub"))))
        return _page("Home", f"<p id='status'>Signed in as {email}</p><a href='/account'>Account</a>")

    @app.get("/account")
    async def account(user: dict[str, Any] = Depends(auth.requires_auth)) -> HTMLResponse:  # noqa: B008
        email = html.escape(str(user.get("email", user.get("sub"))))
        return _page(
            "Account",
            f"<p id='status'>Signed in as {email}</p><p id='sub'>{html.escape(str(user['sub']))}</p>"
            "<a id='logout' href='/logout'>Sign out</a>",
        )

    @app.get("/api/me")
    async def api_me(claims: dict[str, Any] = Depends(auth.requires_scopes("profile"))) -> dict[str, Any]:  # noqa: B008
        return {"sub": claims["sub"]}

    return app


async def serve(app: FastAPI, sock: socket.socket) -> None:
    """Serve ``app`` with hypercorn on a bound, listening socket (which hypercorn takes over)."""
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"fd://{sock.detach()}"]
    config.accesslog = None
    await hypercorn_serve(app, config)  # type: ignore[arg-type]


def main() -> None:
    """Serve the app on 127.0.0.1 against SCALEKIT_ENV_URL or a local emulator started here."""
    with ExitStack() as stack:
        if os.environ.get("SCALEKIT_ENV_URL"):
            env_url = os.environ["SCALEKIT_ENV_URL"]
            client_id = os.environ["SCALEKIT_CLIENT_ID"]
            client_secret = os.environ["SCALEKIT_CLIENT_SECRET"]
            port = int(os.environ.get("PORT", "8000"))
        else:
            from scalekit_py.emulator import Emulator

            emu = stack.enter_context(Emulator())
            env_url, client_id, client_secret = emu.env_url, emu.client_id, emu.client_secret
            port = int(os.environ.get("PORT", "0"))
            print(f"started the local emulator at {env_url}; sign in as admin@example.com")
        sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        secrets_env = os.environ.get("SESSION_SECRETS")
        auth = ScalekitAuth(
            env_url=env_url,
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=f"{base_url}/callback",
            cookie_encryption_secret=secrets_env.split(",") if secrets_env else secrets.token_urlsafe(32),
            cookie_secure=False,  # plain http on 127.0.0.1; keep the default (True) behind https
        )
        print(f"fastapi example: open {base_url}/ (Ctrl+C stops)", flush=True)
        with suppress(KeyboardInterrupt):
            asyncio.run(serve(create_app(auth), sock))


if __name__ == "__main__":
    main()
