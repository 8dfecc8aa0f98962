"""Our compiled .proto files match the pinned upstream release's descriptors exactly."""

from __future__ import annotations

import copy

from scalekit_py._contract import load
from scalekit_py._contract.facts import Facts, counts, differences
from tests.proto.parity import LOCK, contract_facts, generated_facts, load_fixture, wire

# The pinned release (upstream-api.lock): 36 services, 444 RPCs, 348 callable with client credentials.
EXPECTED = {"services": 36, "rpcs": 444, "messages": 1084, "enums": 105}


def test_fixture_is_the_pinned_release() -> None:
    assert load_fixture()["upstream"] == LOCK.read_text().strip()


def test_counts() -> None:
    got = counts(wire(load_fixture()))
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    contract = load()
    assert (len(contract.services), contract.rpc_count) == (36, 444)
    assert sum(r.client_credentials_ok for s in contract.services.values() for r in s.rpcs) == 348


def test_generated_descriptors_match_the_upstream_fixture() -> None:
    diffs = differences(wire(load_fixture()), generated_facts())
    assert not diffs, f"{len(diffs)} differences; first: {diffs[0]}"


def test_contract_matches_the_upstream_fixture() -> None:
    diffs = differences(wire(load_fixture()), contract_facts(load()))
    assert not diffs, f"{len(diffs)} differences; first: {diffs[0]}"


def _expected_with(message: str, number: int, index: int, value: str) -> Facts:
    data = copy.deepcopy(wire(load_fixture()))
    for f in data["messages"][message]["fields"]:
        if f[0] == number:
            f[index] = value
    return data


def test_a_changed_field_type_is_named() -> None:
    expected = _expected_with("scalekit.v1.commons.Role", 2, 2, "int32")
    assert differences(expected, generated_facts()) == [
        "message scalekit.v1.commons.Role field 2 (name): type 'string' != 'int32'"
    ]


def test_a_changed_label_is_named() -> None:
    expected = _expected_with("scalekit.v1.commons.OrganizationMembership", 5, 3, "singular")
    assert differences(expected, generated_facts()) == [
        "message scalekit.v1.commons.OrganizationMembership field 5 (name): label 'optional' != 'singular'"
    ]


def test_a_missing_field_and_rpc_are_named() -> None:
    expected = copy.deepcopy(wire(load_fixture()))
    expected["messages"]["scalekit.v1.commons.Role"]["fields"].append([99, "extra", "string", "singular"])
    expected["services"]["scalekit.v1.tokens.ApiTokenService"]["rpcs"].append(
        ["Extra", "google.protobuf.Empty", "google.protobuf.Empty", False, False]
    )
    assert differences(expected, generated_facts()) == [
        "rpc /scalekit.v1.tokens.ApiTokenService/Extra: missing",
        "message scalekit.v1.commons.Role field 99 (extra): missing",
    ]


def test_a_streaming_flag_is_named() -> None:
    expected = copy.deepcopy(wire(load_fixture()))
    rpc = expected["services"]["scalekit.v1.tokens.ApiTokenService"]["rpcs"][0]
    rpc[4] = True
    diffs = differences(expected, generated_facts())
    assert len(diffs) == 1
    assert diffs[0].startswith(f"rpc /scalekit.v1.tokens.ApiTokenService/{rpc[0]}:")
