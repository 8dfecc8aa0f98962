"""The :class:`Emulator` harness: a whole Scalekit environment on one local port, in the background."""

from __future__ import annotations

import math
import secrets
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from scalekit_py.emulator.body import DEFAULT_BODY_TIMEOUT, DEFAULT_IDLE_TIMEOUT
from scalekit_py.emulator.faults import Counters, Faults
from scalekit_py.emulator.state import OutboxMessage

if TYPE_CHECKING:
    from scalekit_py.emulator.runtime import Runtime
    from scalekit_py.emulator.seed import Seeded
    from scalekit_py.emulator.server import ServerThread
    from scalekit_py.emulator.state import EmulatorState
    from scalekit_py.emulator.webhooks import WebhookSender

__all__ = ["Emulator"]


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):  # noqa: S104 - a bind-all address; clients connect to loopback
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class Emulator:
    """A local Scalekit environment: gRPC admin API and OAuth/OIDC endpoints on one port.

    Use it as a context manager (or call :meth:`start` / :meth:`stop`)::

        with Emulator() as emu:
            client = ScalekitClient(emu.env_url, emu.client_id, emu.client_secret)

    Args:
        client_id: the environment's admin client id (default: a generated ``skc_...`` id).
        client_secret: its secret (default: a random one, readable as :attr:`client_secret`).
        host: address to bind.
        port: port to bind; 0 picks a free one.
        db: SQLite file to keep data in across restarts (default: in memory).
        tls_dir: serve TLS; a CA and server certificate are created there (``ca.pem`` for clients).
        webhook_url: deliver signed webhook events to this URL.
        webhook_secret: the ``whsec_...`` secret to sign them with.
        seed: create a usable environment (organization, users, roles) on first start.
        token_ttl: lifetime of access and id tokens in seconds (``expires_in``).
        redirect_uris: redirect URIs allowed for the admin client (default: any loopback http(s) URI).
        fault_seed: seed of the random source for fault rates.
        admin_token: when set, the ``/_emulator/`` controls want ``Authorization: Bearer <admin_token>``.
        body_timeout: seconds a request's whole body may take to arrive (a stalled client is answered
            408 / DEADLINE_EXCEEDED and never reaches a handler).
        idle_timeout: seconds a connection with no request in progress stays open (also ends connections
            that never finish sending a request's headers).

    Attributes:
        env_url: ``http://host:port`` (``https://localhost:port`` with TLS); set by :meth:`start`.
        seeded: ids of the seeded organization, users, roles (see :mod:`scalekit_py.emulator.seed`).
        ca_file: with ``tls_dir``, the CA certificate clients must trust.
        faults: the fault settings (see :class:`~scalekit_py.emulator.faults.Faults`).
        counters: RPC and token-request counts.
    """

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | Path | None = None,
        tls_dir: str | Path | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        seed: bool = True,
        token_ttl: int = 3600,
        redirect_uris: Iterable[str] = (),
        fault_seed: int | None = None,
        admin_token: str | None = None,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        for name, value in (("body_timeout", body_timeout), ("idle_timeout", idle_timeout)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        self.body_timeout = float(body_timeout)
        self.idle_timeout = float(idle_timeout)
        self.client_id = client_id or f"skc_{secrets.randbelow(10**17):017d}"
        self._client_secret = client_secret or f"test_{secrets.token_urlsafe(32)}"
        self.host = host
        self.port = port
        self.db = str(db) if db is not None else None
        self.tls_dir = Path(tls_dir) if tls_dir is not None else None
        self.webhook_url = webhook_url
        self._webhook_secret = webhook_secret
        if webhook_url and not webhook_secret:
            from scalekit_py.emulator.webhooks import new_webhook_secret

            self._webhook_secret = new_webhook_secret()
        self.seed = seed
        self.token_ttl = token_ttl
        self.redirect_uris = tuple(redirect_uris)
        self.faults = Faults(fault_seed)
        self._admin_token = admin_token
        self.counters = Counters()
        self.env_url = ""
        self.ca_file: Path | None = None
        self.seeded: Seeded | None = None
        self._runtime: Runtime | None = None
        self._server: ServerThread | None = None
        self._lock = threading.Lock()
        self._snapshot: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"Emulator(env_url={self.env_url!r}, client_id={self.client_id!r}, {state})"

    @property
    def client_secret(self) -> str:
        """The admin client's secret (never shown in ``repr``)."""
        return self._client_secret

    @property
    def webhook_secret(self) -> str | None:
        """The ``whsec_`` secret webhooks are signed with (generated when a URL was given alone)."""
        return self._webhook_secret

    @property
    def webhooks(self) -> WebhookSender | None:
        """The webhook sender (its ``deliveries`` and ``flush()``), when ``webhook_url`` was given."""
        return self._runtime.webhooks if self._runtime is not None else None

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.running

    @property
    def runtime(self) -> Runtime:
        """The running parts (state, keys, tokens, ...); RuntimeError before the first :meth:`start`."""
        if self._runtime is None:
            raise RuntimeError("the emulator has not been started")
        return self._runtime

    @property
    def state(self) -> EmulatorState:
        """The shared state (store, outbox, clock) the services work on."""
        return self.runtime.state

    @property
    def grpc_target(self) -> str:
        """``host:port`` for a gRPC channel (from :attr:`env_url`)."""
        if not self.env_url:
            raise RuntimeError("the emulator has not been started")
        return self.env_url.split("://", 1)[1]

    def _build_runtime(self) -> Runtime:
        from scalekit_py.emulator.keys import KeyRing
        from scalekit_py.emulator.runtime import Runtime
        from scalekit_py.emulator.state import EmulatorState
        from scalekit_py.emulator.store import Store
        from scalekit_py.emulator.tokens import Tokens

        state = EmulatorState(store=Store(self.db), client_id=self.client_id)
        keys = KeyRing(state.store, lambda: state.clock(), max_token_ttl=self.token_ttl)
        tokens = Tokens(state, keys, access_ttl=self.token_ttl)
        tokens.add_client(self.client_id, self._client_secret, self.redirect_uris)
        return Runtime(
            state, keys, tokens, faults=self.faults, counters=self.counters, admin_token=self._admin_token
        )

    def start(self) -> Emulator:
        """Start serving in a background thread (a no-op when already running).

        Returns:
            self, for chaining.
        """
        with self._lock:
            if self.running:
                return self
            from starlette.applications import Starlette

            from scalekit_py.emulator import admin, oauth
            from scalekit_py.emulator.guard import RpcGuard
            from scalekit_py.emulator.server import Router, ServerThread
            from scalekit_py.emulator.services import build_apps, served_paths

            if self._runtime is None:
                self._runtime = self._build_runtime()
            rt = self._runtime
            if self.seed and self.seeded is None:
                from scalekit_py.emulator.seed import seed

                self.seeded = seed(rt.state)
            if self.webhook_url and self._webhook_secret:
                self._start_webhooks(rt, self.webhook_url, self._webhook_secret)
            certfile = keyfile = None
            if self.tls_dir is not None:
                from scalekit_py.emulator.tls import make_certificates

                self.ca_file, certfile, keyfile = make_certificates(self.tls_dir)
            guard = RpcGuard(rt.tokens, rt.faults, rt.counters)
            from scalekit_py.emulator.agentkit import http as agentkit_http

            http_app = Starlette(routes=[*oauth.routes(rt), *admin.routes(rt), *agentkit_http.routes(rt)])
            apps = build_apps(rt.state, [guard])
            router = Router(
                apps,
                http_app,
                drop=self._drop,
                drop_response=self._drop_response,
                served=served_paths(apps),
                body_timeout=self.body_timeout,
            )
            server = ServerThread(
                router,
                host=self.host,
                port=self.port,
                certfile=str(certfile) if certfile else None,
                keyfile=str(keyfile) if keyfile else None,
                idle_timeout=self.idle_timeout,
            )
            port = server.start()
            if self.tls_dir is not None:
                self.env_url = f"https://localhost:{port}"
            else:
                self.env_url = f"http://{_url_host(self.host)}:{port}"
            rt.state.env_url = self.env_url
            self._server = server
            return self

    def _start_webhooks(self, rt: Runtime, url: str, secret: str) -> None:
        from scalekit_py.emulator.webhooks import WebhookSender

        if rt.webhooks is None:
            rt.webhooks = WebhookSender(
                url,
                secret,
                clock=lambda: rt.state.clock(),
            )
            rt.state.listeners.append(rt.webhooks.send)
        rt.webhooks.start()

    def _drop(self, method: str) -> bool:
        if self.faults.take_rpc_drop(method):
            self.counters.record_rpc(method, "DROPPED")
            return True
        return False

    def _drop_response(self, method: str) -> bool:
        if self.faults.take_rpc_drop_response(method):
            self.counters.record_rpc(method, "RESPONSE_DROPPED")
            return True
        return False

    def stop(self) -> None:
        """Stop serving; data stays (in memory or in the ``db`` file) for a later :meth:`start`."""
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None
            if self._runtime is not None and self._runtime.webhooks is not None:
                self._runtime.webhooks.stop()

    def close(self) -> None:
        """Stop and release the store (an in-memory environment is gone after this)."""
        self.stop()
        with self._lock:
            if self._runtime is not None:
                self._runtime.state.store.close()
                self._runtime = None
                self.seeded = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- helpers for tests -------------------------------------------------------------------------

    def snapshot(self) -> None:
        """Remember the current data; :meth:`reset` goes back to it (taken at start, after seeding)."""
        self._snapshot = self.runtime.state.store.snapshot()

    def reset(self) -> None:
        """Back to the data of the last :meth:`snapshot` (by default: just after start and seeding), with
        faults, counters and the mail outbox cleared. A page copy of the SQLite store: fast enough to run
        before every test. Tokens issued earlier stay verifiable (the signing keys are part of the data)."""
        if self._snapshot is None:
            self.snapshot()
            return
        self.runtime.state.store.restore(self._snapshot)
        self.faults.clear()
        self.counters.reset()
        self.runtime.state.outbox.clear()

    def access_token(self, scopes: Iterable[str] | None = None, *, ttl: int | None = None) -> str:
        """A valid client-credentials access token for the admin client, minted directly.

        Args:
            scopes: scopes to grant.
            ttl: lifetime in seconds (default ``token_ttl``; negative gives an expired token).
        """
        if not self.env_url:
            raise RuntimeError("the emulator has not been started")
        token, _ = self.runtime.tokens.issue_access_token(
            client_id=self.client_id, scopes=scopes or (), ttl=ttl
        )
        return token

    def add_client(self, client_id: str, client_secret: str, redirect_uris: Iterable[str] = ()) -> None:
        """Register another OAuth client (an M2M client or an app with its own redirect URIs)."""
        self.runtime.tokens.add_client(client_id, client_secret, redirect_uris)

    def rotate_signing_key(self) -> str:
        """Rotate the token signing key; the old one stays in the JWKS until its tokens expire.

        Returns:
            The new key's ``kid``.
        """
        return self.runtime.keys.rotate().kid

    @property
    def outbox(self) -> list[OutboxMessage]:
        """Every email the emulator "sent", oldest first."""
        return list(self.state.outbox)

    def mail_to(self, email: str) -> list[OutboxMessage]:
        """Emails sent to one address, oldest first (passwordless codes and links)."""
        return self.state.mail_to(email)
