"""Locally generated signing keys for the OAuth tests (private halves never leave the test process)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm


@dataclass
class TestKey:
    """A private key, its ``kid`` and the algorithm it signs with."""

    __test__ = False  # not a test class

    kid: str
    private: Any
    alg: str

    def jwk(self, **overrides: Any) -> dict[str, Any]:
        """The public JWK with ``kid``, ``use=sig``, ``alg``; ``overrides`` replace or drop (None) members."""
        public = self.private.public_key()
        algo = RSAAlgorithm if self.alg.startswith(("RS", "PS")) else ECAlgorithm
        jwk: dict[str, Any] = json.loads(algo.to_jwk(public))
        jwk.update(kid=self.kid, use="sig", alg=self.alg)
        for name, value in overrides.items():
            if value is None:
                jwk.pop(name, None)
            else:
                jwk[name] = value
        return jwk

    def public_pem(self) -> bytes:
        """The public key as PEM (what a key-confusion attacker would use as an HMAC secret)."""
        pem: bytes = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem

    def sign(self, claims: dict[str, Any], *, alg: str | None = None, kid: str | bool | None = True) -> str:
        """A compact JWS of ``claims``; ``kid=False`` leaves the header's ``kid`` out."""
        headers: dict[str, Any] = {}
        if kid is True:
            headers["kid"] = self.kid
        elif isinstance(kid, str):
            headers["kid"] = kid
        return jwt.encode(claims, self.private, algorithm=alg or self.alg, headers=headers)


def new_rsa_key(kid: str, alg: str = "RS256") -> TestKey:
    """A fresh 2048-bit RSA key."""
    return TestKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048), alg)


def new_ec_key(kid: str, curve: ec.EllipticCurve | None = None, alg: str = "ES256") -> TestKey:
    """A fresh EC key (P-256 by default)."""
    return TestKey(kid, ec.generate_private_key(curve or ec.SECP256R1()), alg)
