"""Pagers never ask for a bigger page than the API's field rules allow."""

from __future__ import annotations

from scalekit_py._contract import load
from scalekit_py.emulator.validation import parse_rules
from scalekit_py.services import RPC_METHODS
from scalekit_py.services._page_limits import PAGE_SIZE_LIMITS
from scalekit_py.services._sync._pager import Pager


def test_table_matches_the_contract() -> None:
    """Every request of a facade RPC whose page_size has an upper bound is in the table, with it."""
    contract = load()
    facade_requests = {
        rpc.input
        for s in contract.services.values()
        for rpc in s.rpcs
        if f"/{s.name}/{rpc.name}" in RPC_METHODS
    }
    expected: dict[str, int] = {}
    for name, msg in contract.messages.items():
        if name not in facade_requests:
            continue
        for field in msg.fields:
            if field.name == "page_size" and name.endswith("Request") and field.validate:
                rules = parse_rules(field.validate)
                for kind in ("uint32", "int32"):
                    if "lte" in rules.get(kind, {}):
                        expected[name] = rules[kind]["lte"]
    assert expected == PAGE_SIZE_LIMITS


def test_pager_caps_the_requested_size() -> None:
    asked: list[int] = []

    class Page:
        def __init__(self, n: int, token: str) -> None:
            self.items = list(range(n))
            self.next_page_token = token

    def fetch(token: str, size: int) -> Page:
        asked.append(size)
        return Page(size, "" if len(asked) == 3 else f"t{len(asked)}")

    pager: Pager[Page, int] = Pager(fetch, lambda p: p.items, limit=70, max_page_size=30)
    assert len(list(pager)) == 70
    assert asked == [30, 30, 10]
