"""Fixtures of the OAuth tests: keys generated once per session, and a fake identity provider."""

from __future__ import annotations

import pytest

from tests.oauth.fake_idp import FakeIdP
from tests.oauth.keys import TestKey, new_ec_key, new_rsa_key


@pytest.fixture(scope="session")
def rsa_key() -> TestKey:
    return new_rsa_key("key-1")


@pytest.fixture(scope="session")
def rsa_key_2() -> TestKey:
    return new_rsa_key("key-2")


@pytest.fixture(scope="session")
def ec_key() -> TestKey:
    return new_ec_key("ec-1")


@pytest.fixture
def idp(rsa_key: TestKey) -> FakeIdP:
    return FakeIdP([rsa_key])
