"""Issuing and checking the emulator's JWTs, and the OAuth clients they are issued to.

Access tokens are RS256 JWTs with ``iss`` (the env URL), ``aud`` (a list holding the client id),
``sub``, ``client_id``, ``iat``/``nbf``/``exp``, ``jti``, the granted scopes as a ``scope`` string and a
``scopes`` array, and the signing key's ``kid`` in the header. A client-credentials token has
``sub`` = ``client_id``; a user's token has the user id as ``sub`` and a session id as ``sid``.
Time checks use the state's clock, so tests that move the clock move token expiry with it.
"""

from __future__ import annotations

import hmac
import secrets
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.struct_pb2 import Struct

from scalekit_py.emulator import m2m
from scalekit_py.emulator.keys import KeyRing
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Tx, secret_digest

__all__ = ["InvalidToken", "NotAdminClient", "OAuthClient", "Tokens", "fingerprint"]

_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
REVOKED = "oauth_revoked"  # store kind: revoked access-token ids (``jti``)
_VERIFIED_CACHE_SIZE = 4096


def fingerprint(secret: str) -> str:
    """A short, non-reversible tag of a secret for logs and reprs."""
    return secret_digest(secret)[:8]


class InvalidToken(Exception):
    """A token is not one this emulator accepts; the message says why (never the token itself)."""


class NotAdminClient(InvalidToken):
    """A valid client-credentials token of a client that is no admin principal (an organization or
    resource client): the admin API answers PERMISSION_DENIED."""


@dataclass(frozen=True)
class OAuthClient:
    """A registered OAuth client: its id, a digest of its secret and its allowed redirect URIs.

    With no ``redirect_uris``, any ``http(s)`` URI on a loopback host is accepted (handy for tests).
    A client created through ``ClientService`` carries its ``principal`` (see :mod:`.m2m`).
    """

    client_id: str
    secret_digest: str = field(repr=False)
    redirect_uris: tuple[str, ...] = ()
    principal: m2m.Principal | None = None

    @classmethod
    def create(cls, client_id: str, secret: str, redirect_uris: Iterable[str] = ()) -> OAuthClient:
        return cls(client_id, secret_digest(secret), tuple(redirect_uris))

    def check_secret(self, secret: str) -> bool:
        """Constant-time comparison of a presented secret with the registered one."""
        return hmac.compare_digest(secret_digest(secret), self.secret_digest)

    def allows_redirect(self, uri: str) -> bool:
        """Whether ``uri`` may receive codes (or a post-logout redirect) for this client."""
        if uri in self.redirect_uris:
            return True
        if self.redirect_uris:
            return False
        parts = urllib.parse.urlsplit(uri)
        return parts.scheme in ("http", "https") and (parts.hostname or "") in _LOOPBACK


class Tokens:
    """Mints and verifies tokens for one environment.

    Args:
        state: the shared state (env URL, clock, store).
        keys: the signing keys.
        access_ttl: lifetime of access tokens and id tokens, in seconds (``expires_in``).
    """

    def __init__(self, state: EmulatorState, keys: KeyRing, *, access_ttl: int = 3600) -> None:
        self.state = state
        self.keys = keys
        self.access_ttl = access_ttl
        self.clients: dict[str, OAuthClient] = {}
        self._verified: dict[str, dict[str, Any]] = {}
        with state.store.transaction() as tx:
            self._revoked = {str(r["jti"]) for r in tx.all(REVOKED, Struct)}

    def __repr__(self) -> str:
        return f"Tokens(clients={sorted(self.clients)!r}, access_ttl={self.access_ttl})"

    def add_client(self, client_id: str, secret: str, redirect_uris: Iterable[str] = ()) -> OAuthClient:
        """Register (or replace) an OAuth client."""
        client = OAuthClient.create(client_id, secret, redirect_uris)
        self.clients[client_id] = client
        return client

    def authenticate_client(self, client_id: str, secret: str) -> OAuthClient | None:
        """The client when the id is registered (here or in the store) and the secret matches, else None."""
        client = self.clients.get(client_id)
        if client is not None:
            return client if client.check_secret(secret) else None
        with self.state.store.transaction() as tx:
            principal = m2m.authenticate(tx, client_id, secret, now=self.state.clock())
        if principal is None:
            return None
        return OAuthClient(client_id, "", principal.redirect_uris, principal)

    def find_client(self, client_id: str) -> OAuthClient | None:
        """A client that may start a browser login: a registered one, or a resource client with
        redirect URIs (no secret is checked here)."""
        client = self.clients.get(client_id)
        if client is not None or not client_id:
            return client
        with self.state.store.transaction() as tx:
            found = m2m.find_principal(tx, client_id)
        if found is None or found[0].kind != "resource" or not found[0].redirect_uris:
            return None
        return OAuthClient(client_id, "", found[0].redirect_uris, found[0])

    def _is_admin(self, client_id: str) -> bool:
        if client_id in self.clients:
            return True
        with self.state.store.transaction() as tx:
            found = m2m.find_principal(tx, client_id)
        return found is not None and found[0].is_admin

    def issue_access_token(
        self,
        *,
        client_id: str,
        sub: str | None = None,
        scopes: Iterable[str] = (),
        ttl: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """An access token and its claims (``sub`` defaults to the client id: a client-credentials token).

        Args:
            client_id: the client the token is issued to (its ``aud``).
            sub: the subject; a user id for user tokens.
            scopes: granted scopes.
            ttl: lifetime in seconds (default ``access_ttl``; negative gives an already expired token).
            extra: more claims (``sid``, ``oid``, ...).
        """
        now = int(self.state.clock())
        granted = list(dict.fromkeys(scopes))
        claims: dict[str, Any] = {
            "iss": self.state.env_url,
            "sub": sub or client_id,
            "aud": [client_id],
            "client_id": client_id,
            "iat": now,
            "nbf": now,
            "exp": now + (self.access_ttl if ttl is None else ttl),
            "jti": f"tkn_{secrets.token_hex(12)}",
            "scope": " ".join(granted),
            "scopes": granted,
        }
        claims.update(extra or {})
        return self.keys.sign(claims), claims

    def issue_id_token(self, *, client_id: str, sub: str, claims: dict[str, Any]) -> str:
        """An OpenID Connect id token for ``sub`` with ``aud`` = the client id plus ``claims``."""
        now = int(self.state.clock())
        body: dict[str, Any] = {
            "iss": self.state.env_url,
            "sub": sub,
            "aud": client_id,
            "azp": client_id,
            "iat": now,
            "exp": now + self.access_ttl,
        }
        body.update(claims)
        return self.keys.sign(body)

    def decode(self, token: str, *, audience: Iterable[str] | None = None) -> dict[str, Any]:
        """Check a token's signature, issuer, audience and times; return its claims.

        Raises:
            InvalidToken: with the reason.
        """
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        if header.get("alg") != "RS256":
            raise InvalidToken("unsupported token algorithm")
        key = self.keys.find(str(header.get("kid", "")))
        if key is None:
            raise InvalidToken("token signed by an unknown key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.private_key.public_key(),
                algorithms=["RS256"],
                issuer=self.state.env_url,
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "require": ["iss", "sub", "aud", "exp", "iat"],
                },
            )
        except jwt.InvalidIssuerError as exc:
            raise InvalidToken("token issued by another issuer") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("token signature or claims are not valid") from exc
        now = self.state.clock()
        if not isinstance(claims["exp"], (int, float)) or claims["exp"] <= now:
            raise InvalidToken("token has expired")
        if isinstance(claims.get("nbf"), (int, float)) and claims["nbf"] > now + 60:
            raise InvalidToken("token is not valid yet")
        if audience is not None:
            aud = claims["aud"]
            auds = [aud] if isinstance(aud, str) else list(aud)
            if not set(auds) & set(audience):
                raise InvalidToken("token audience is not accepted here")
        if self.is_revoked(str(claims.get("jti", ""))):
            raise InvalidToken("token has been revoked")
        return claims

    def verify_client_token(self, token: str) -> dict[str, Any]:
        """Claims of a valid client-credentials token of a registered client (what the admin API needs).

        A token verified once is remembered, so later calls skip the signature check; expiry,
        revocation, issuer and client registration are checked on every call.

        Raises:
            InvalidToken: not valid, or not a client-credentials token.
        """
        claims = self._verified.get(token)
        if claims is None:
            claims = self.decode(token)
            if len(self._verified) >= _VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = claims
        elif claims["exp"] <= self.state.clock():
            raise InvalidToken("token has expired")
        elif claims["iss"] != self.state.env_url:
            raise InvalidToken("token issued by another issuer")
        elif self.is_revoked(str(claims.get("jti", ""))):
            raise InvalidToken("token has been revoked")
        client_id = claims.get("client_id")
        if not isinstance(client_id, str) or not client_id or claims.get("sub") != client_id:
            raise InvalidToken("a client-credentials token is required")
        if not self._is_admin(client_id):
            raise NotAdminClient("this client may not call the admin API (it is not an environment client)")
        aud = claims["aud"]
        auds = {aud} if isinstance(aud, str) else set(aud)
        if not auds & (set(self.clients) | {client_id}):
            raise InvalidToken("token audience is not accepted here")
        return claims

    def revoke(self, claims: dict[str, Any]) -> None:
        """Mark an access token (by its ``jti``) as revoked."""
        with self.state.store.transaction() as tx:
            self.revoke_in(tx, str(claims.get("jti", "")), exp=float(claims.get("exp", 0)))

    def revoke_in(self, tx: Tx, jti: str, *, exp: float) -> None:
        """Mark a token id as revoked inside an open transaction (kept until ``exp``)."""
        if not jti:
            return
        record = Struct()
        record.update({"jti": jti, "exp": exp})
        if tx.get(REVOKED, jti, Struct) is None:
            tx.insert(REVOKED, jti, record)
        self._revoked.add(jti)

    def is_revoked(self, jti: str) -> bool:
        return bool(jti) and jti in self._revoked
