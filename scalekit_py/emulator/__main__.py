"""``python -m scalekit_py.emulator``: run a local Scalekit environment until SIGINT or SIGTERM.

Prints the environment URL and the admin client's credentials (the secret only here, once, on the
console), the seeded ids and, with ``--tls-dir``, the CA file clients must trust.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from scalekit_py.emulator import Emulator
from scalekit_py.emulator.body import DEFAULT_BODY_TIMEOUT, DEFAULT_IDLE_TIMEOUT

__all__ = ["main"]

_SECRET_ENV = "SCALEKIT_EMULATOR_CLIENT_SECRET"
_ADMIN_ENV = "SCALEKIT_EMULATOR_ADMIN_TOKEN"


def _client_secret(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """The secret and where it came from when not from argv (then it is not printed)."""
    if args.client_secret:
        return args.client_secret, None
    if os.environ.get(_SECRET_ENV):
        return os.environ[_SECRET_ENV], f"${_SECRET_ENV}"
    if args.client_secret_file:
        with open(args.client_secret_file, encoding="utf-8") as f:
            secret = f.read().strip()
        if not secret:
            raise ValueError(f"{args.client_secret_file} is empty")
        return secret, args.client_secret_file
    return None, None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scalekit_py.emulator",
        description="Local emulator of the Scalekit service: gRPC admin API and OAuth/OIDC on one port.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port to bind; 0 picks a free one (default 8080)"
    )
    parser.add_argument("--client-id", help="admin client id (default: generated)")
    parser.add_argument(
        "--client-secret",
        help=f"admin client secret (default: ${_SECRET_ENV}, then --client-secret-file, then generated); "
        "argv is visible to every local user, prefer the variable or the file",
    )
    parser.add_argument("--client-secret-file", help="read the admin client secret from this file")
    parser.add_argument(
        "--admin-token",
        help=f"require 'Authorization: Bearer TOKEN' on the /_emulator/ controls (default: ${_ADMIN_ENV})",
    )
    parser.add_argument("--db", help="SQLite file keeping the data across restarts (default: in memory)")
    parser.add_argument("--tls-dir", help="serve TLS; a CA and server certificate are made here (ca.pem)")
    parser.add_argument("--webhook-url", help="deliver signed webhook events here")
    parser.add_argument("--webhook-secret", help="whsec_ secret for webhook signatures (default: generated)")
    parser.add_argument("--token-ttl", type=int, default=3600, help="access/id token lifetime in seconds")
    parser.add_argument("--no-seed", action="store_true", help="start with an empty environment")
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=DEFAULT_BODY_TIMEOUT,
        help=f"seconds a request body may take to arrive (default {DEFAULT_BODY_TIMEOUT:g})",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=DEFAULT_IDLE_TIMEOUT,
        help=f"seconds an idle connection stays open (default {DEFAULT_IDLE_TIMEOUT:g})",
    )
    return parser


def _emulator(args: argparse.Namespace, client_secret: str | None) -> Emulator:
    return Emulator(
        args.client_id,
        client_secret,
        host=args.host,
        port=args.port,
        db=args.db,
        tls_dir=args.tls_dir,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        seed=not args.no_seed,
        token_ttl=args.token_ttl,
        admin_token=args.admin_token or os.environ.get(_ADMIN_ENV) or None,
        body_timeout=args.body_timeout,
        idle_timeout=args.idle_timeout,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator; returns the process exit status."""
    args = _parser().parse_args(argv)
    try:
        client_secret, secret_source = _client_secret(args)
    except (OSError, ValueError) as exc:
        print(f"cannot read the client secret: {exc}", file=sys.stderr)
        return 2
    try:
        emu = _emulator(args, client_secret)
    except ValueError as exc:
        print(f"invalid option: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        emu.start()
    except OSError as exc:
        print(f"cannot start the emulator: {exc}", file=sys.stderr)
        return 1
    lines = [
        "Scalekit emulator running",
        f"  SCALEKIT_ENV_URL={emu.env_url}",
        f"  SCALEKIT_CLIENT_ID={emu.client_id}",
        f"  SCALEKIT_CLIENT_SECRET={emu.client_secret}"
        if secret_source is None
        else f"  client secret: read from {secret_source}",
    ]
    if emu.ca_file is not None:
        lines.append(f"  CA file (trust it: GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, SSL_CERT_FILE): {emu.ca_file}")
    if emu.webhook_url:
        lines.append(f"  webhooks -> {emu.webhook_url} (secret {emu.webhook_secret})")
    if emu.seeded is not None:
        s = emu.seeded
        lines += [
            f"  organization {s.organization_id} (external id {s.organization_external_id})",
            f"  admin user {s.admin_email} ({s.admin_user_id})",
            f"  member user {s.member_email} ({s.member_user_id})",
        ]
    lines.append("Press Ctrl+C to stop.")
    print("\n".join(lines), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emu.close()
    print("Scalekit emulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
