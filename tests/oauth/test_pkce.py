"""PKCE: the RFC 7636 Appendix B vector, generated pairs, and verifier validation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scalekit_py.oauth import generate_pkce_pair, pkce_challenge

VECTOR = json.loads((Path(__file__).parents[1] / "fixtures" / "rfc7636_pkce.json").read_text())


def test_rfc7636_appendix_b_vector() -> None:
    assert pkce_challenge(VECTOR["code_verifier"]) == VECTOR["code_challenge"]


def test_generated_pair_is_consistent_well_formed_and_random() -> None:
    pairs = [generate_pkce_pair() for _ in range(20)]
    for verifier, challenge in pairs:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", verifier)
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge)
        assert pkce_challenge(verifier) == challenge
    assert len({v for v, _ in pairs}) == len(pairs)


@pytest.mark.parametrize("length", [43, 128])
def test_boundary_lengths_and_full_charset_are_accepted(length: int) -> None:
    charset = "ABCXYZabcxyz0189-._~"
    verifier = (charset * 10)[:length]
    assert len(pkce_challenge(verifier)) == 43


@pytest.mark.parametrize(
    "verifier",
    [
        "a" * 42,  # too short
        "a" * 129,  # too long
        "a" * 42 + "+",  # '+' is not unreserved
        "a" * 42 + "/",
        "a" * 42 + "=",
        "a" * 42 + " ",
        "a" * 42 + "é",  # non-ASCII
        "a" * 43 + "\n",
        "",
    ],
)
def test_invalid_verifiers_raise_value_error(verifier: str) -> None:
    with pytest.raises(ValueError, match="code verifier"):
        pkce_challenge(verifier)


@pytest.mark.parametrize("verifier", [None, b"a" * 43, 43])
def test_non_string_verifier_raises_value_error(verifier: object) -> None:
    with pytest.raises(ValueError, match="code verifier"):
        pkce_challenge(verifier)  # type: ignore[arg-type]
