"""JWT verification against published vectors (RFC 7515 A.2/A.3, RFC 7520 4.1) and hostile tokens:
tampered, expired, wrong audience/issuer, ``alg: none``, HMAC signed with the RSA public key (key
confusion), algorithm switching, malformed headers. Every failure is a TokenValidationError."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from scalekit_py.errors import TokenValidationError
from scalekit_py.oauth import OAuthClient, TokenValidationOptions
from scalekit_py.oauth._jwt import decode_claims, parse_token, verify_signature
from scalekit_py.oauth.jwks import parse_jwks
from tests.oauth.fake_idp import CLIENT_ID, CLIENT_SECRET, ENV_URL, NOW, FakeIdP
from tests.oauth.keys import TestKey, new_ec_key

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "jose_vectors.json").read_text()
)
RFC_TIME = 1300819380 - 100  # before the RFC tokens' exp
ANY_ISSUER_JOE = TokenValidationOptions(issuer="joe", audience=[])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jws(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}.{b64url(signature)}"


def jwks_client(jwks: dict[str, Any], now: float) -> tuple[OAuthClient, list[str]]:
    """A client whose /keys serves ``jwks``; returns it and the list of requested paths."""
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(200, json=jwks)

    client = OAuthClient(
        ENV_URL,
        CLIENT_ID,
        CLIENT_SECRET,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        clock=lambda: now,
    )
    return client, paths


def tamper_payload(token: str, **changes: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"


# -- published vectors ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["rfc7515_a2_rs256", "rfc7515_a3_es256"])
def test_rfc7515_examples_verify_end_to_end(name: str) -> None:
    vector = VECTORS[name]
    client, paths = jwks_client({"keys": [vector["jwk"]]}, RFC_TIME)
    with client:
        assert client.validate_token(vector["jws"], ANY_ISSUER_JOE) == vector["claims"]
        assert paths == ["/keys"]
        # after its exp, the same token is refused
        client._clock = lambda: 1300819381
        with pytest.raises(TokenValidationError, match="expired"):
            client.validate_token(vector["jws"], ANY_ISSUER_JOE)


@pytest.mark.parametrize("name", ["rfc7515_a2_rs256", "rfc7515_a3_es256"])
def test_rfc7515_examples_tampered_are_refused(name: str) -> None:
    vector = VECTORS[name]
    client, _ = jwks_client({"keys": [vector["jwk"]]}, RFC_TIME)
    header, payload, signature = vector["jws"].split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with client:
        for bad in (tamper_payload(vector["jws"], iss="mallory"), f"{header}.{payload}.{flipped}"):
            with pytest.raises(TokenValidationError, match="signature is invalid"):
                client.validate_token(bad, ANY_ISSUER_JOE)


def test_rfc7520_4_1_signature_verifies_and_tampering_is_detected() -> None:
    vector = VECTORS["rfc7520_4_1_rs256"]
    (key,) = parse_jwks({"keys": [vector["jwk"]]})["bilbo.baggins@hobbiton.example"]
    parsed = parse_token(vector["jws"])
    assert parsed.kid == "bilbo.baggins@hobbiton.example"
    assert verify_signature(parsed, key).decode("utf-8") == vector["payload_text"]
    with pytest.raises(TokenValidationError, match="not JSON"):
        decode_claims(verify_signature(parsed, key))  # the cookbook payload is prose, not claims
    header, _payload, signature = vector["jws"].split(".")
    forged = f"{header}.{b64url(b'It is a safe business.')}.{signature}"
    with pytest.raises(TokenValidationError, match="signature is invalid"):
        verify_signature(parse_token(forged), key)


def test_rfc_key_refuses_a_token_signed_by_another_key(rsa_key: TestKey) -> None:
    vector = VECTORS["rfc7515_a2_rs256"]
    client, _ = jwks_client({"keys": [vector["jwk"]]}, RFC_TIME)
    forged = rsa_key.sign(vector["claims"], kid=False)
    with client, pytest.raises(TokenValidationError, match="signature is invalid"):
        client.validate_token(forged, ANY_ISSUER_JOE)


# -- hostile tokens against locally generated keys ------------------------------------------------
@pytest.fixture
def idp_client(idp: FakeIdP) -> OAuthClient:
    return OAuthClient(
        ENV_URL,
        CLIENT_ID,
        CLIENT_SECRET,
        http_client=httpx.Client(transport=httpx.MockTransport(idp.handler)),
        clock=lambda: NOW,
    )


def good_claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {"iss": ENV_URL, "aud": CLIENT_ID, "sub": "usr_1", "iat": NOW, "exp": NOW + 60}
    claims.update(changes)
    return claims


def test_valid_token_passes(idp_client: OAuthClient, rsa_key: TestKey) -> None:
    assert idp_client.validate_token(rsa_key.sign(good_claims()))["sub"] == "usr_1"
    assert idp_client.validate_access_token(rsa_key.sign(good_claims())) is True


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"exp": NOW - 1}, "expired"),
        ({"aud": "skc_other"}, "audience"),
        ({"iss": "https://evil.example"}, "issuer"),
        ({"nbf": NOW + 60}, "not yet valid"),
    ],
)
def test_bad_claims_are_refused(
    idp_client: OAuthClient, rsa_key: TestKey, changes: dict[str, Any], reason: str
) -> None:
    token = rsa_key.sign(good_claims(**changes))
    with pytest.raises(TokenValidationError, match=reason):
        idp_client.validate_token(token)
    assert idp_client.validate_access_token(token) is False


def test_tampered_token_is_refused(idp_client: OAuthClient, rsa_key: TestKey) -> None:
    with pytest.raises(TokenValidationError, match="signature is invalid"):
        idp_client.validate_token(tamper_payload(rsa_key.sign(good_claims()), sub="usr_admin"))


def test_alg_none_is_refused_without_fetching_keys(idp: FakeIdP, idp_client: OAuthClient) -> None:
    for alg in ("none", "None", "NONE"):
        with pytest.raises(TokenValidationError, match="refused"):
            idp_client.validate_token(jws({"alg": alg, "kid": "key-1"}, good_claims()))
    assert idp.hits["/keys"] == 0


def test_hmac_signed_with_the_rsa_public_key_is_refused(
    idp: FakeIdP, idp_client: OAuthClient, rsa_key: TestKey
) -> None:
    header = b64url(json.dumps({"alg": "HS256", "kid": "key-1"}).encode())
    payload = b64url(json.dumps(good_claims()).encode())
    for secret in (rsa_key.public_pem(), json.dumps(rsa_key.jwk()).encode()):
        mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        with pytest.raises(TokenValidationError, match="refused"):
            idp_client.validate_token(f"{header}.{payload}.{b64url(mac)}")
    assert idp.hits["/keys"] == 0


def test_algorithm_must_match_the_keys_pin(
    idp: FakeIdP, idp_client: OAuthClient, rsa_key: TestKey, ec_key: TestKey
) -> None:
    idp.keys = [rsa_key, ec_key]
    cases = [
        rsa_key.sign(good_claims(), alg="PS256"),  # RSA key pinned to RS256 by its JWK
        rsa_key.sign(good_claims(), alg="RS512"),
        ec_key.sign(good_claims(), kid="key-1"),  # ES256 presented under the RSA key's kid
        rsa_key.sign(good_claims(), alg="RS256", kid="ec-1"),  # RS256 under the EC key's kid
    ]
    for token in cases:
        with pytest.raises(TokenValidationError, match="not allowed for its signing key"):
            idp_client.validate_token(token)
    assert idp_client.validate_token(ec_key.sign(good_claims()))["sub"] == "usr_1"


def test_signature_check_parses_the_header_once_and_reuses_the_algorithm(
    idp_client: OAuthClient, rsa_key: TestKey, ec_key: TestKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hot path (benchmarks/token_validation.py) must not build a PyJWS decoder per call, which would
    # parse the header a second time; the algorithm objects are built once per process.
    from jwt.api_jws import PyJWS

    from scalekit_py.oauth import _jwt

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("PyJWS decoder used on the hot path")

    monkeypatch.setattr(PyJWS, "decode_complete", refuse)
    token = rsa_key.sign(good_claims())
    assert idp_client.validate_access_token(token)
    first = _jwt._algorithm("RS256")
    assert idp_client.validate_access_token(token)
    assert _jwt._algorithm("RS256") is first
    header, payload, signature = token.split(".")
    assert not idp_client.validate_access_token(f"{header}.{payload}.")  # empty signature
    assert not idp_client.validate_access_token(f"{header}.{payload}x.{signature}")  # payload changed


def test_keys_of_different_types_under_one_kid_are_chosen_by_alg(
    idp: FakeIdP, idp_client: OAuthClient, rsa_key: TestKey
) -> None:
    # RFC 7517 4.5: kid values should be unique, but keys of different types may share one.
    shared = new_ec_key("key-1")
    idp.keys = [rsa_key, shared]
    assert idp_client.validate_token(shared.sign(good_claims()))["sub"] == "usr_1"
    assert idp_client.validate_token(rsa_key.sign(good_claims()))["sub"] == "usr_1"
    with pytest.raises(TokenValidationError, match="not allowed for its signing key"):
        idp_client.validate_token(rsa_key.sign(good_claims(), alg="PS256"))


def test_unknown_kid_and_missing_kid(
    idp: FakeIdP, idp_client: OAuthClient, rsa_key: TestKey, rsa_key_2: TestKey
) -> None:
    with pytest.raises(TokenValidationError, match="kid"):
        idp_client.validate_token(rsa_key_2.sign(good_claims()))
    assert (
        idp_client.validate_token(rsa_key.sign(good_claims(), kid=False))["sub"] == "usr_1"
    )  # one key: used
    idp.keys = [rsa_key, rsa_key_2]
    idp_client.jwks_cache.clear()
    with pytest.raises(TokenValidationError, match="kid"):
        idp_client.validate_token(rsa_key.sign(good_claims(), kid=False))  # ambiguous without kid


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "non-empty"),
        (None, "non-empty"),
        (12, "non-empty"),
        ("abc", "3 segments"),
        ("a.b.c.d", "3 segments"),
        ("!!.e30.", "base64url"),
        ("e30=.e30.", "base64url"),
        (f"{b64url(b'[1]')}.e30.", "JSON object"),
        (f"{b64url(b'{}')}.e30.", "no 'alg'"),
        (jws({"alg": 256}, {}), "no 'alg'"),
        (jws({"alg": "RS1"}, {}), "not supported"),
        (jws({"alg": "EdDSA"}, {}), "not supported"),
        (jws({"alg": "RS256", "crit": ["exp"]}, {}), "crit"),
        (jws({"alg": "RS256", "kid": 5}, {}), "kid"),
        ("e30." * 20000, "too long"),
        ("é.e30.x".encode("latin-1"), "ASCII"),
    ],
)
def test_malformed_tokens_are_refused(idp: FakeIdP, idp_client: OAuthClient, token: Any, reason: str) -> None:
    with pytest.raises(TokenValidationError, match=reason):
        idp_client.validate_token(token)
    assert idp.hits["/keys"] == 0


def test_valid_signature_over_a_non_object_payload_is_refused(
    idp_client: OAuthClient, rsa_key: TestKey
) -> None:
    import jwt

    token = jwt.api_jws.encode(b"[1, 2]", rsa_key.private, algorithm="RS256", headers={"kid": "key-1"})
    with pytest.raises(TokenValidationError, match="not a JSON object"):
        idp_client.validate_token(token)


def test_errors_never_contain_the_token(idp_client: OAuthClient, rsa_key: TestKey) -> None:
    token = rsa_key.sign(good_claims(exp=NOW - 1))
    with pytest.raises(TokenValidationError) as info:
        idp_client.validate_token(token)
    text = str(info.value) + repr(info.value)
    assert token not in text
    assert token.split(".")[1] not in text
    assert token.split(".")[2] not in text
