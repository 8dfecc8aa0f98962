"""Our compiled .proto files match the published wire contract exactly."""

from __future__ import annotations

import dataclasses

from scalekit_py._contract import Contract, FieldSpec, load
from tests.proto.parity import differences


def test_contract_counts() -> None:
    contract = load()
    assert len(contract.services) == 10
    assert contract.rpc_count == 113
    assert len(contract.messages) == 290
    assert len(contract.enums) == 30


def test_descriptors_match_contract() -> None:
    diffs = differences(load())
    assert not diffs, f"{len(diffs)} differences; first: {diffs[0]}"


def _with_field(contract: Contract, message: str, number: int, **change: str) -> Contract:
    msg = contract.messages[message]
    fields = tuple(
        dataclasses.replace(f, **change) if f.number == number else f  # type: ignore[arg-type]
        for f in msg.fields
    )
    messages = dict(contract.messages)
    messages[message] = dataclasses.replace(msg, fields=fields)
    return dataclasses.replace(contract, messages=messages)


def test_a_changed_field_is_named() -> None:
    changed = _with_field(load(), "scalekit.v1.commons.Role", 2, type="int32")
    assert differences(changed) == [
        "message scalekit.v1.commons.Role field 2 (name): type 'string' != 'int32'"
    ]


def test_a_changed_label_is_named() -> None:
    changed = _with_field(load(), "scalekit.v1.commons.OrganizationMembership", 5, label="singular")
    assert differences(changed) == [
        "message scalekit.v1.commons.OrganizationMembership field 5 (name): label 'optional' != 'singular'"
    ]


def test_a_missing_field_is_named() -> None:
    contract = load()
    msg = contract.messages["scalekit.v1.commons.Role"]
    extra = FieldSpec(number=9, name="extra", type="string", label="singular")
    messages = dict(contract.messages)
    messages[msg.name] = dataclasses.replace(msg, fields=(*msg.fields, extra))
    assert differences(dataclasses.replace(contract, messages=messages)) == [
        "message scalekit.v1.commons.Role field 9 (extra): missing"
    ]
