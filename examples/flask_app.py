"""A Flask app signed in with Scalekit through ``scalekit_py.frameworks.flask``.

    python examples/flask_app.py

With ``SCALEKIT_ENV_URL``, ``SCALEKIT_CLIENT_ID`` and ``SCALEKIT_CLIENT_SECRET`` set it uses that
environment (register ``http://127.0.0.1:$PORT/callback``); otherwise it starts a local emulator, where
``admin@example.com`` can sign in. ``SESSION_SECRETS`` (comma-separated) keys the session cookie.

Requires the ``flask`` and ``emulator`` extras: ``pip install 'scalekit-py[flask,emulator]'``.
"""

from __future__ import annotations

import html
import os
import secrets
from contextlib import ExitStack
from typing import Any

from flask import Flask

from scalekit_py.frameworks.flask import ScalekitAuth


def create_app(**auth_options: Any) -> tuple[Flask, ScalekitAuth]:
    """The app and its :class:`ScalekitAuth` (``auth_options``: the ScalekitAuth keywords)."""
    app = Flask(__name__)
    auth = ScalekitAuth(app, **auth_options)

    @app.get("/")
    def home() -> str:
        session = auth.get_session()
        if session is None:
            return "<p id='status'>Signed out.</p><a href='/account'>Sign in</a>"
        return f"<p id='status'>Signed in as {html.escape(str(session['user'].get('email')))}</p>"

    @app.get("/account")
    @auth.requires_auth
    def account() -> str:
        user = auth.current_user or {}
        return (
            f"<p id='status'>Signed in as {html.escape(str(user.get('email')))}</p>"
            "<a id='logout' href='/logout'>Sign out</a>"
        )

    return app, auth


def main() -> None:
    with ExitStack() as stack:
        port = int(os.environ.get("PORT", "8000"))
        if os.environ.get("SCALEKIT_ENV_URL"):
            env = {k: os.environ[f"SCALEKIT_{k.upper()}"] for k in ("env_url", "client_id", "client_secret")}
        else:
            from scalekit_py.emulator import Emulator

            emu = stack.enter_context(Emulator())
            env = {"env_url": emu.env_url, "client_id": emu.client_id, "client_secret": emu.client_secret}
            print(f"started the local emulator at {emu.env_url}; sign in as admin@example.com")
        secrets_env = os.environ.get("SESSION_SECRETS")
        app, _ = create_app(
            **env,
            redirect_uri=f"http://127.0.0.1:{port}/callback",
            cookie_encryption_secret=secrets_env.split(",") if secrets_env else secrets.token_urlsafe(32),
            cookie_secure=False,  # plain http on 127.0.0.1
        )
        app.run("127.0.0.1", port)


if __name__ == "__main__":
    main()
