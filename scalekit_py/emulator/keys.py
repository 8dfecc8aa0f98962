"""The emulator's token signing keys: RS256 key pairs, the JWKS, rotation and persistence.

The newest key signs; a rotated-out key stays published in the JWKS (and keeps verifying) until every
token it could have signed has expired, then it is dropped. Keys live in the store's ``meta`` table as
JSON (key ``oauth.signing_keys``), so a ``--db`` file keeps them across restarts. Private keys never
appear in a ``repr``: only the ``kid``.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from scalekit_py.emulator.store import Store

__all__ = ["KeyRing", "SigningKey"]

_META_KEY = "oauth.signing_keys"


@dataclass(frozen=True)
class SigningKey:
    """One RSA key pair; ``retire_at`` is when it leaves the JWKS (None while it is the signing key)."""

    kid: str
    private_key: rsa.RSAPrivateKey
    created_at: float
    retire_at: float | None = None

    def __repr__(self) -> str:
        return f"SigningKey(kid={self.kid!r}, retire_at={self.retire_at!r})"

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK (RFC 7517) with ``kid``, ``use`` and ``alg``."""
        from jwt.algorithms import RSAAlgorithm

        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update(kid=self.kid, use="sig", alg="RS256")
        return jwk


def _new_key(now: float) -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(kid=f"snk_{secrets.token_hex(8)}", private_key=private, created_at=now)


class KeyRing:
    """The signing keys of one environment.

    Args:
        store: where the keys persist.
        clock: seconds since the epoch.
        max_token_ttl: the longest lifetime of a token signed by these keys (access or id token); a
            rotated-out key is kept this long.
    """

    def __init__(self, store: Store, clock: Callable[[], float], *, max_token_ttl: float) -> None:
        self._store = store
        self._clock = clock
        self.max_token_ttl = max_token_ttl
        self._lock = threading.Lock()
        self._keys: list[SigningKey] = self._load()
        if not self._keys:
            self._keys = [_new_key(clock())]
            self._save()

    def __repr__(self) -> str:
        return f"KeyRing(kids={[k.kid for k in self._keys]!r})"

    def _load(self) -> list[SigningKey]:
        raw = self._store.get_meta(_META_KEY)
        if not raw:
            return []
        keys = []
        for item in json.loads(raw):
            private = serialization.load_pem_private_key(item["pem"].encode(), password=None)
            if not isinstance(private, rsa.RSAPrivateKey):  # pragma: no cover - we only write RSA keys
                continue
            keys.append(SigningKey(item["kid"], private, item["created_at"], item.get("retire_at")))
        return keys

    def _save(self) -> None:
        items = [
            {
                "kid": k.kid,
                "created_at": k.created_at,
                "retire_at": k.retire_at,
                "pem": k.private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ).decode(),
            }
            for k in self._keys
        ]
        self._store.set_meta(_META_KEY, json.dumps(items))

    def _prune(self) -> None:
        now = self._clock()
        live = [k for k in self._keys if k.retire_at is None or k.retire_at > now]
        if len(live) != len(self._keys):
            self._keys = live
            self._save()

    @property
    def current(self) -> SigningKey:
        """The key that signs new tokens."""
        with self._lock:
            return self._keys[-1]

    def published(self) -> list[SigningKey]:
        """Keys in the JWKS: the signing key and rotated-out keys whose tokens may still be valid."""
        with self._lock:
            self._prune()
            return list(self._keys)

    def find(self, kid: str) -> SigningKey | None:
        """The published key with this ``kid``, if any."""
        return next((k for k in self.published() if k.kid == kid), None)

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set served at ``/keys``."""
        return {"keys": [k.public_jwk() for k in self.published()]}

    def rotate(self) -> SigningKey:
        """Make a new signing key; the old one stays published for ``max_token_ttl`` seconds.

        Returns:
            The new signing key.
        """
        now = self._clock()
        fresh = _new_key(now)
        with self._lock:
            old = self._keys[-1]
            self._keys[-1] = SigningKey(old.kid, old.private_key, old.created_at, now + self.max_token_ttl)
            self._keys.append(fresh)
            self._prune()
            self._save()
        return fresh

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact RS256 JWS of ``claims`` with the signing key's ``kid`` in the header."""
        import jwt

        key = self.current
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
