"""A small fake of the environment's OAuth endpoints, as an httpx handler (MockTransport or a socket server).

It records every request, counts hits per path, can be told to fail a path, and issues tokens signed
by locally generated keys. Only what the client tests need; the real emulator is tested elsewhere.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import httpx

from tests.oauth.keys import TestKey

ENV_URL = "https://acme.scalekit.test"
CLIENT_ID = "skc_1234"
CLIENT_SECRET = "sks_very-secret-value"
NOW = 1_700_000_000


class FakeIdP:
    """Answers /oauth/token, /keys, /oauth/introspect, /oauth/revoke, /userinfo and discovery."""

    def __init__(self, keys: list[TestKey], env_url: str = ENV_URL) -> None:
        self.env_url = env_url
        self.keys = list(keys)  # published in /keys
        self.signer = keys[0]  # signs new tokens
        self.now = NOW
        self.hits: Counter[str] = Counter()
        self.forms: list[dict[str, str]] = []
        self.requests: list[httpx.Request] = []
        self.fail: dict[str, tuple[int, bytes]] = {}
        self.codes: dict[str, dict[str, Any]] = {}  # code -> {"nonce":..., "verifier":...}
        self.refresh_tokens: dict[str, bool] = {}  # token -> still valid
        self.id_token_overrides: dict[str, Any] = {}
        self.issue_id_token = True
        self.active_tokens: set[str] = set()
        self.revoked: list[str] = []
        self._serial = 0

    # -- token issuing ------------------------------------------------------------------------------
    def _next(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}-{self._serial}"

    def id_claims(self, nonce: str | None = None) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "iss": self.env_url,
            "aud": CLIENT_ID,
            "sub": "usr_1",
            "email": "ada@example.com",
            "email_verified": True,
            "name": "Ada Lovelace",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "preferred_username": "ada",
            "iat": self.now,
            "exp": self.now + 300,
            "amr": ["conn_1"],
            "oid": "org_1",
            "identities": [{"connection_id": "conn_1", "organization_id": "org_1", "provider_name": "okta"}],
        }
        if nonce is not None:
            claims["nonce"] = nonce
        claims.update(self.id_token_overrides)
        return claims

    def access_token(self, scopes: str = "openid profile email") -> str:
        token = self.signer.sign(
            {
                "iss": self.env_url,
                "aud": [CLIENT_ID],
                "sub": "usr_1",
                "iat": self.now,
                "nbf": self.now,
                "exp": self.now + 300,
                "scope": scopes,
                "jti": self._next("at"),
            }
        )
        self.active_tokens.add(token)
        return token

    def new_code(self, *, nonce: str | None = None, verifier: str | None = None) -> str:
        code = self._next("code")
        self.codes[code] = {"nonce": nonce, "verifier": verifier}
        return code

    def new_refresh_token(self) -> str:
        token = self._next("rt")
        self.refresh_tokens[token] = True
        return token

    def last(self, path: str) -> httpx.Request:
        """The last request to ``path``."""
        return [r for r in self.requests if r.url.path == path][-1]

    # -- HTTP ---------------------------------------------------------------------------------------
    @staticmethod
    def _json(status: int, body: Any) -> httpx.Response:
        return httpx.Response(status, json=body)

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.hits[path] += 1
        self.requests.append(request)
        form = dict(parse_qsl(request.content.decode())) if request.method == "POST" else {}
        if request.method == "POST":
            self.forms.append(form)
        if path in self.fail:
            status, body = self.fail[path]
            return httpx.Response(status, content=body)
        if path == "/keys":
            return self._json(200, {"keys": [k.jwk() for k in self.keys]})
        if path == "/.well-known/openid-configuration":
            return self._json(
                200,
                {
                    "issuer": self.env_url,
                    "authorization_endpoint": f"{self.env_url}/oauth/authorize",
                    "token_endpoint": f"{self.env_url}/oauth/token",
                    "jwks_uri": f"{self.env_url}/keys",
                    "scopes_supported": ["openid", "profile", "email", "offline_access"],
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        if path == "/userinfo":
            auth = request.headers.get("authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in self.active_tokens:
                return httpx.Response(401, headers={"www-authenticate": 'Bearer error="invalid_token"'})
            return self._json(200, {"sub": "usr_1", "email": "ada@example.com", "email_verified": True})
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self._json(401, {"error": "invalid_client", "error_description": "bad client credentials"})
        if path == "/oauth/token":
            return self._token(form)
        if path == "/oauth/introspect":
            active = form.get("token") in self.active_tokens
            answer: dict[str, Any] = {"active": active}
            if active:
                answer.update(
                    scope="openid", client_id=CLIENT_ID, sub="usr_1", exp=self.now + 300, aud=[CLIENT_ID]
                )
            return self._json(200, answer)
        if path == "/oauth/revoke":
            token = form.get("token", "")
            self.revoked.append(token)
            self.active_tokens.discard(token)
            self.refresh_tokens.pop(token, None)
            return httpx.Response(200)
        return self._json(404, {"error": "not_found"})

    def _token(self, form: dict[str, str]) -> httpx.Response:
        grant = form.get("grant_type")
        if grant == "authorization_code":
            pending = self.codes.pop(form.get("code", ""), None)
            if pending is None or not form.get("redirect_uri"):
                return self._json(400, {"error": "invalid_grant", "error_description": "unknown code"})
            if pending["verifier"] is not None and form.get("code_verifier") != pending["verifier"]:
                return self._json(
                    400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
                )
            body: dict[str, Any] = {
                "access_token": self.access_token(),
                "token_type": "Bearer",
                "expires_in": 300,
                "refresh_token": self.new_refresh_token(),
            }
            if self.issue_id_token:
                body["id_token"] = self.signer.sign(self.id_claims(pending["nonce"]))
            return self._json(200, body)
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            if not self.refresh_tokens.get(token):
                return self._json(
                    400, {"error": "invalid_grant", "error_description": "refresh token is not valid"}
                )
            self.refresh_tokens[token] = False  # rotation: each refresh token works once
            return self._json(
                200,
                {
                    "access_token": self.access_token(),
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "refresh_token": self.new_refresh_token(),
                },
            )
        return self._json(400, {"error": "unsupported_grant_type"})


class SocketServer:
    """Serves a :class:`FakeIdP` over real HTTP/1.1 on 127.0.0.1 (free port), in a thread."""

    def __init__(self, idp: FakeIdP) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                request = httpx.Request(
                    self.command, f"http://127.0.0.1{self.path}", headers=dict(self.headers), content=body
                )
                response = outer.idp.handler(request)
                self.send_response(response.status_code)
                for name, value in response.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("content-length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.idp = idp
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        idp.env_url = self.url  # tokens are issued by this URL
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> SocketServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()
