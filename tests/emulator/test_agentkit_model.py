"""Pure parts of the emulator's AgentKit: the schema checker, paging, the calculator, credential headers."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from google.protobuf import struct_pb2, wrappers_pb2

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca_pb
from scalekit_api.v1.providers import providers_pb2
from scalekit_py.emulator.agentkit import accounts, paging, runners, schema, upstream
from scalekit_py.emulator.store import Store

NOTE = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 5},
        "count": {"type": "integer", "minimum": 1, "maximum": 3},
        "kind": {"enum": ["a", "b"]},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
    },
    "required": ["title"],
    "additionalProperties": False,
}


def test_schema_accepts_conforming_input() -> None:
    assert schema.check(NOTE, {"title": "hi", "count": 2.0, "kind": "a", "tags": ["x"]}) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({}, [("params.title", "required")]),
        ({"title": ""}, [("params.title", "minLength")]),
        ({"title": "toolong"}, [("params.title", "maxLength")]),
        ({"title": "a", "count": 1.5}, [("params.count", "type")]),
        ({"title": "a", "count": True}, [("params.count", "type")]),
        ({"title": "a", "count": 9}, [("params.count", "maximum")]),
        ({"title": "a", "kind": "c"}, [("params.kind", "enum")]),
        ({"title": "a", "tags": ["x", 1, "z"]}, [("params.tags", "maxItems"), ("params.tags[1]", "type")]),
        ({"title": "a", "other": 1}, [("params.other", "additionalProperties")]),
        ("text", [("params", "type")]),
    ],
)
def test_schema_reports_each_violation(value: object, expected: list[tuple[str, str]]) -> None:
    assert [(field, constraint) for field, _, constraint in schema.check(NOTE, value)] == expected


def test_paging_walks_and_refuses_foreign_tokens() -> None:
    store = Store()
    items = [wrappers_pb2.Int64Value(value=i) for i in range(5)]

    def at(token: str, size: int = 2) -> paging.Paged:
        with store.transaction() as tx:
            return paging.page(tx, [paging.Items(items[:3]), paging.Items(items[3:])], size, token)

    def values(page: paging.Paged) -> list[int]:
        return [m.value for m in page.items]  # type: ignore[attr-defined]

    first = at("")
    assert (values(first), first.total_size, first.prev_page_token) == ([0, 1], 5, "")
    second = at(first.next_page_token)
    last = at(second.next_page_token)
    assert (values(second), second.segments, values(last), last.next_page_token) == ([2, 3], [0, 1], [4], "")
    assert values(at(last.prev_page_token)) == [2, 3]
    assert values(at(second.prev_page_token)) == [0, 1]
    for bad in (
        "nope",
        base64.urlsafe_b64encode(b"seq:1").decode(),
        base64.urlsafe_b64encode(b"off:2").decode(),  # the offset tokens of before
        base64.urlsafe_b64encode(b"ak:0:-1").decode(),
        base64.urlsafe_b64encode(b"ak:1:99999999999999999999").decode(),  # beyond SQLite's integers
    ):
        with pytest.raises(ValueError, match="page_token"):
            at(bad, 1)
    store.close()


@pytest.mark.parametrize(
    ("expression", "code"),
    [
        ("__import__('os').getcwd()", "INVALID_EXPRESSION"),
        ("(1).__class__", "INVALID_EXPRESSION"),
        ("2 ** 1000", "RESULT_TOO_LARGE"),
        ("1 / 0", "DIVISION_BY_ZERO"),
        ("1 +", "INVALID_EXPRESSION"),
        ("True + 1", "INVALID_EXPRESSION"),
    ],
)
def test_calculator_evaluates_arithmetic_only(expression: str, code: str) -> None:
    run = runners.LOCAL["calculator_evaluate"]
    with pytest.raises(runners.ToolFailure) as info:
        run(None, None, ca_pb.ConnectedAccount(), {"expression": expression})  # type: ignore[arg-type]
    assert info.value.tool_error_code == code
    ok = run(None, None, ca_pb.ConnectedAccount(), {"expression": "-(2 + 3) * 4 // 3 % 5"})  # type: ignore[arg-type]
    assert ok["result"] == float(-(2 + 3) * 4 // 3 % 5)


def _provider(pattern: dict[str, Any]) -> providers_pb2.Provider:
    provider = providers_pb2.Provider(identifier="X")
    provider.auth_patterns.add_struct().update(pattern)
    return provider


def _static(details: dict[str, str]) -> ca_pb.ConnectedAccount:
    data = struct_pb2.Struct()
    data.update(details)
    return ca_pb.ConnectedAccount(
        authorization_details=ca_pb.AuthorizationDetails(static_auth=ca_pb.StaticAuth(details=data))
    )


def test_credential_headers_follow_the_auth_pattern() -> None:
    oauth = ca_pb.ConnectedAccount(
        authorization_details=ca_pb.AuthorizationDetails(oauth_token=ca_pb.OauthToken(access_token="at"))
    )
    assert accounts.credential_headers(oauth, _provider({"type": "OAUTH"})) == {"Authorization": "Bearer at"}
    bearer = _static({"bearer_token": "bt"})
    assert accounts.credential_headers(bearer, _provider({"type": "BEARER"})) == {
        "Authorization": "Bearer bt"
    }
    key = _static({"api_key": "k"})
    assert accounts.credential_headers(key, _provider({"type": "API_KEY"})) == {"Authorization": "k"}
    override = {"type": "API_KEY", "auth_header_key_override": "X-Key"}
    assert accounts.credential_headers(key, _provider(override)) == {"X-Key": "k"}
    basic = _static({"username": "u", "password": "p"})
    assert accounts.credential_headers(basic, _provider({"type": "BASIC"})) == {"Authorization": "Basic dTpw"}
    assert accounts.credential_headers(ca_pb.ConnectedAccount(), _provider({"type": "NO_AUTH"})) == {}


def test_upstream_urls_and_header_filtering() -> None:
    assert upstream.target_url("https://api.test/v1/", "/items", "a=1") == "https://api.test/v1/items?a=1"
    for bad in ("ftp://api.test", "api.test", "https://"):
        with pytest.raises(ValueError, match="http"):
            upstream.target_url(bad, "/x")
    kept = upstream.passable(
        [("Authorization", "x"), ("connection_name", "c"), ("X-Trace", "t"), ("Host", "h")]
    )
    assert kept == [("X-Trace", "t")]
