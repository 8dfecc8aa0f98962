"""JWKS cache: parsing and algorithm pinning, the pure plan, TTL, rate-limited unknown-kid refetch,
stale-if-error, and single-flight fetching across threads and tasks."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from scalekit_py import errors
from scalekit_py.oauth.jwks import JwksCache, JwksState, Plan, parse_jwks, plan, select_key
from tests.oauth.keys import TestKey, new_ec_key

TTL = 300.0
INTERVAL = 5.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Fetcher:
    """Counts fetches; serves ``keys`` or raises ``error``."""

    def __init__(self, *keys: TestKey) -> None:
        self.keys = list(keys)
        self.calls = 0
        self.error: errors.ScalekitError | None = None
        self.document: Any = None

    def __call__(self) -> Any:
        self.calls += 1
        if self.error is not None:
            raise self.error
        if self.document is not None:
            return self.document
        return {"keys": [k.jwk() for k in self.keys]}

    async def afetch(self) -> Any:
        await asyncio.sleep(0)
        return self()


def _cache(clock: Clock) -> JwksCache:
    return JwksCache(ttl=TTL, min_refetch_interval=INTERVAL, clock=clock)


# -- parsing --------------------------------------------------------------------------------------
def test_parse_pins_algorithms_per_key(rsa_key: TestKey, ec_key: TestKey) -> None:
    p384 = new_ec_key("ec-384", ec.SECP384R1(), "ES384")
    keys = parse_jwks(
        {
            "keys": [
                rsa_key.jwk(),
                rsa_key.jwk(kid="rsa-no-alg", alg=None),
                rsa_key.jwk(kid="rsa-ps", alg="PS256"),
                ec_key.jwk(),
                p384.jwk(alg=None),
            ]
        }
    )
    assert keys["key-1"][0].algorithms == {"RS256"}
    assert keys["rsa-no-alg"][0].algorithms == {"RS256", "RS384", "RS512"}
    assert keys["rsa-ps"][0].algorithms == {"PS256"}
    assert keys["ec-1"][0].algorithms == {"ES256"}
    assert keys["ec-384"][0].algorithms == {"ES384"}


def test_parse_skips_unusable_keys(rsa_key: TestKey, ec_key: TestKey) -> None:
    keys = parse_jwks(
        {
            "keys": [
                {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0", "alg": "HS256"},
                rsa_key.jwk(kid="enc", use="enc"),
                rsa_key.jwk(kid="ops", key_ops=["encrypt"]),
                rsa_key.jwk(kid="hs-on-rsa", alg="HS256"),
                rsa_key.jwk(kid="none-on-rsa", alg="none"),
                ec_key.jwk(kid="es384-on-p256", alg="ES384"),
                rsa_key.jwk(kid="broken", n="!!!"),
                {
                    "kty": "OKP",
                    "kid": "ed",
                    "crv": "Ed25519",
                    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                },
                "junk",
                rsa_key.jwk(kid=7),
                rsa_key.jwk(),
                rsa_key.jwk(n="AQAB"),  # same kid again: the first one wins
            ]
        }
    )
    assert list(keys) == ["key-1"]
    assert len(keys["key-1"]) == 1
    assert keys["key-1"][0].key.public_numbers() == rsa_key.private.public_key().public_numbers()


def test_parse_keeps_keys_of_different_types_under_one_kid(rsa_key: TestKey) -> None:
    shared = new_ec_key("key-1")
    keys = parse_jwks({"keys": [rsa_key.jwk(), shared.jwk(), rsa_key.jwk(n="AQAB")]})
    assert [k.kty for k in keys["key-1"]] == ["RSA", "EC"]
    state = JwksState(keys=keys, fetched_at=0.0)
    assert select_key(state, "key-1", "ES256") is keys["key-1"][1]
    assert select_key(state, "key-1", "RS256") is keys["key-1"][0]
    assert select_key(state, "key-1", "PS256") is keys["key-1"][0]  # no match: the check reports it


def test_parse_uses_only_the_public_half_of_a_leaked_private_jwk(rsa_key: TestKey) -> None:
    from jwt.algorithms import RSAAlgorithm

    private_jwk = RSAAlgorithm.to_jwk(rsa_key.private, as_dict=True)
    private_jwk.update(kid="leaked", alg="RS256")
    private_jwk.pop("key_ops")  # pyjwt marks it "sign"; a careless server would not
    (key,) = parse_jwks({"keys": [private_jwk]})["leaked"]
    assert not hasattr(key.key, "private_numbers")


@pytest.mark.parametrize("document", [None, [], {"keys": {}}, {"nokeys": []}, "keys"])
def test_parse_rejects_documents_without_keys_array(document: Any) -> None:
    with pytest.raises(ValueError, match="keys"):
        parse_jwks(document)


# -- the pure plan --------------------------------------------------------------------------------
def test_plan_decisions(rsa_key: TestKey) -> None:
    keys = parse_jwks({"keys": [rsa_key.jwk()]})
    fresh = JwksState(keys=keys, fetched_at=100.0)
    kw: dict[str, Any] = {"ttl": TTL, "min_refetch_interval": INTERVAL}
    assert plan(JwksState(), "key-1", 0.0, **kw) is Plan.FETCH
    assert plan(fresh, "key-1", 399.0, **kw) is Plan.USE
    assert plan(fresh, "key-1", 400.0, **kw) is Plan.FETCH  # TTL reached
    assert plan(fresh, None, 101.0, **kw) is Plan.USE  # no kid, exactly one key
    assert plan(fresh, "other", 101.0, **kw) is Plan.REFETCH_UNKNOWN_KID
    limited = JwksState(keys=keys, fetched_at=100.0, unknown_kid_fetch_at=100.0)
    assert plan(limited, "other", 104.9, **kw) is Plan.REJECT_UNKNOWN_KID
    assert plan(limited, "other", 105.0, **kw) is Plan.REFETCH_UNKNOWN_KID
    failed_stale = JwksState(keys=keys, fetched_at=0.0, failed_at=500.0)
    assert plan(failed_stale, "key-1", 501.0, **kw) is Plan.USE  # stale-if-error while cooling
    assert plan(failed_stale, "other", 501.0, **kw) is Plan.REJECT_UNKNOWN_KID
    assert plan(failed_stale, "key-1", 505.0, **kw) is Plan.FETCH
    assert plan(JwksState(failed_at=500.0), "key-1", 501.0, **kw) is Plan.UNAVAILABLE


# -- the cache ------------------------------------------------------------------------------------
def test_ttl_caching(rsa_key: TestKey) -> None:
    clock, fetch = Clock(), Fetcher(rsa_key)
    cache = _cache(clock)
    assert cache.get_key("key-1", fetch).kid == "key-1"
    clock.now += TTL - 1
    cache.get_key("key-1", fetch)
    assert fetch.calls == 1
    clock.now += 1
    cache.get_key("key-1", fetch)
    assert fetch.calls == 2


def test_unknown_kid_refetches_at_most_once_per_interval(rsa_key: TestKey) -> None:
    clock, fetch = Clock(), Fetcher(rsa_key)
    cache = _cache(clock)
    cache.get_key("key-1", fetch)
    for i in range(50):
        with pytest.raises(errors.TokenValidationError, match="kid"):
            cache.get_key(f"garbage-{i}", fetch)
    assert fetch.calls == 2  # the first fetch + one refetch for all 50 garbage kids
    clock.now += INTERVAL
    with pytest.raises(errors.TokenValidationError):
        cache.get_key("garbage-x", fetch)
    assert fetch.calls == 3
    cache.get_key("key-1", fetch)  # known keys keep working without fetching
    assert fetch.calls == 3


def test_rotation_is_picked_up_by_the_unknown_kid_refetch(rsa_key: TestKey, rsa_key_2: TestKey) -> None:
    clock, fetch = Clock(), Fetcher(rsa_key)
    cache = _cache(clock)
    cache.get_key("key-1", fetch)
    clock.now += 1
    fetch.keys = [rsa_key_2, rsa_key]  # the server rotated: new key published, old one kept
    assert cache.get_key("key-2", fetch).kid == "key-2"
    assert fetch.calls == 2
    assert cache.get_key("key-1", fetch).kid == "key-1"
    assert fetch.calls == 2


def test_rotation_right_after_a_garbage_refetch_waits_for_the_interval(
    rsa_key: TestKey, rsa_key_2: TestKey
) -> None:
    clock, fetch = Clock(), Fetcher(rsa_key)
    cache = _cache(clock)
    cache.get_key("key-1", fetch)
    with pytest.raises(errors.TokenValidationError):
        cache.get_key("garbage", fetch)
    fetch.keys = [rsa_key_2]
    with pytest.raises(errors.TokenValidationError):
        cache.get_key("key-2", fetch)  # rate-limited
    clock.now += INTERVAL
    assert cache.get_key("key-2", fetch).kid == "key-2"
    assert fetch.calls == 3


def test_failed_fetch_serves_stale_keys_and_pauses_fetching(rsa_key: TestKey) -> None:
    clock, fetch = Clock(), Fetcher(rsa_key)
    cache = _cache(clock)
    cache.get_key("key-1", fetch)
    clock.now += TTL
    fetch.error = errors.APIConnectionError("down")
    assert cache.get_key("key-1", fetch).kid == "key-1"  # stale-if-error
    assert cache.get_key("key-1", fetch).kid == "key-1"
    assert fetch.calls == 2  # no new attempt while cooling
    clock.now += INTERVAL
    fetch.error = None
    cache.get_key("key-1", fetch)
    assert fetch.calls == 3
    assert cache.state.failed_at is None


def test_failed_first_fetch_raises_then_reports_unavailable_without_fetching(rsa_key: TestKey) -> None:
    clock, fetch = Clock(), Fetcher(rsa_key)
    cache = _cache(clock)
    fetch.error = errors.ServiceUnavailableError("503", http_status=503)
    with pytest.raises(errors.ServiceUnavailableError):
        cache.get_key("key-1", fetch)
    with pytest.raises(errors.APIConnectionError, match="signing keys unavailable"):
        cache.get_key("key-1", fetch)
    assert fetch.calls == 1
    clock.now += INTERVAL
    fetch.error = None
    assert cache.get_key("key-1", fetch).kid == "key-1"


def test_malformed_jwks_is_a_server_error(rsa_key: TestKey) -> None:
    clock, fetch = Clock(), Fetcher(rsa_key)
    fetch.document = {"keys": "nope"}
    with pytest.raises(errors.ServerError, match="malformed"):
        _cache(clock).get_key("key-1", fetch)


def test_concurrent_cold_lookups_from_threads_fetch_once(rsa_key: TestKey) -> None:
    clock, fetch = Clock(), Fetcher(rsa_key)
    cache = _cache(clock)
    gate = threading.Event()
    original = fetch.__call__

    def slow_fetch() -> Any:
        gate.wait(5)
        return original()

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_key("key-1", slow_fetch).kid))
        for _ in range(16)
    ]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    assert results == ["key-1"] * 16
    assert fetch.calls == 1


async def test_async_lookups_fetch_once_and_follow_the_same_rules(rsa_key: TestKey) -> None:
    clock, fetch = Clock(), Fetcher(rsa_key)
    cache = _cache(clock)
    keys = await asyncio.gather(*(cache.aget_key("key-1", fetch.afetch) for _ in range(100)))
    assert {k.kid for k in keys} == {"key-1"}
    assert fetch.calls == 1
    for _ in range(10):
        with pytest.raises(errors.TokenValidationError):
            await cache.aget_key("garbage", fetch.afetch)
    assert fetch.calls == 2
    clock.now += TTL
    fetch.error = errors.APIConnectionError("down")
    assert (await cache.aget_key("key-1", fetch.afetch)).kid == "key-1"
    assert fetch.calls == 3


def test_constructor_validates_settings() -> None:
    with pytest.raises(ValueError, match="ttl"):
        JwksCache(ttl=0)
    with pytest.raises(ValueError, match="ttl"):
        JwksCache(min_refetch_interval=-1)
