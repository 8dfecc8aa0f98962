"""The lazy pager, async and generated sync: laziness, page size, limit, resuming, pages()."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from scalekit_py.errors import ScalekitError
from scalekit_py.services._async._pager import AsyncPager
from scalekit_py.services._sync._pager import Pager


@dataclass
class Page:
    items: list[int]
    next_page_token: str


@dataclass
class Backend:
    """Serves ``total`` integers; honours the asked page size unless ``oversize`` (then sends 3)."""

    total: int = 7
    default_size: int = 3
    oversize: bool = False
    fetches: list[tuple[str, int]] = field(default_factory=list)

    def page(self, token: str, size: int) -> Page:
        self.fetches.append((token, size))
        start = int(token or 0)
        count = 3 if self.oversize else (size or self.default_size)
        end = min(start + count, self.total)
        return Page(list(range(start, end)), str(end) if end < self.total else "")


def make(flavour: str, backend: Backend, **kwargs: Any) -> Any:
    if flavour == "async":

        async def fetch(token: str, size: int) -> Page:
            return backend.page(token, size)

        afetch: Callable[[str, int], Awaitable[Page]] = fetch
        return AsyncPager(afetch, lambda p: p.items, **kwargs)
    return Pager(backend.page, lambda p: p.items, **kwargs)


def take(pager: Any, n: int | None = None) -> list[Any]:
    """Up to ``n`` items (all when ``None``), pulled one at a time."""

    async def run() -> list[Any]:
        out: list[Any] = []
        async for item in pager:
            out.append(item)
            if n is not None and len(out) == n:
                break
        return out

    if isinstance(pager, AsyncPager):
        return asyncio.run(run())
    out: list[Any] = []
    for item in pager:
        out.append(item)
        if n is not None and len(out) == n:
            break
    return out


def pages(pager: Any) -> list[Any]:
    async def run() -> list[Any]:
        return [p async for p in pager.pages()]

    return asyncio.run(run()) if isinstance(pager, AsyncPager) else list(pager.pages())


FLAVOURS = pytest.mark.parametrize("flavour", ["async", "sync"])


@FLAVOURS
def test_yields_every_item_across_pages(flavour: str) -> None:
    backend = Backend()
    assert take(make(flavour, backend)) == list(range(7))
    assert backend.fetches == [("", 0), ("3", 0), ("6", 0)]


@FLAVOURS
def test_fetches_lazily_one_page_at_a_time(flavour: str) -> None:
    backend = Backend()
    pager = make(flavour, backend, page_size=2)
    assert backend.fetches == []
    assert take(pager, 1) == [0]
    assert backend.fetches == [("", 2)]
    assert take(pager, 1) == [1]
    assert backend.fetches == [("", 2)], "the buffered page is used before fetching again"
    assert take(pager, 1) == [2]
    assert backend.fetches == [("", 2), ("2", 2)]


@FLAVOURS
def test_limit_caps_items_and_page_sizes(flavour: str) -> None:
    backend = Backend()
    pager = make(flavour, backend, page_size=2, limit=5)
    assert take(pager) == [0, 1, 2, 3, 4]
    assert backend.fetches == [("", 2), ("2", 2), ("4", 1)], "the last page asks only for what is left"
    assert pager.next_page_token == "5"


@FLAVOURS
def test_limit_without_page_size_asks_for_limit(flavour: str) -> None:
    backend = Backend()
    assert take(make(flavour, backend, limit=4)) == [0, 1, 2, 3]
    assert backend.fetches == [("", 4)]


@FLAVOURS
def test_limit_zero_fetches_nothing(flavour: str) -> None:
    backend = Backend()
    pager = make(flavour, backend, limit=0)
    assert take(pager) == []
    assert backend.fetches == []
    assert pager.next_page_token == ""


@FLAVOURS
def test_resume_from_next_page_token_loses_and_repeats_nothing(flavour: str) -> None:
    backend = Backend()
    first = make(flavour, backend, page_size=3, limit=3)
    assert take(first) == [0, 1, 2]
    token = first.next_page_token
    assert token == "3"
    rest = make(flavour, backend, page_size=3, page_token=token)
    assert take(rest) == [3, 4, 5, 6]
    assert backend.fetches[-1][0] == "6"


@FLAVOURS
def test_next_page_token_is_none_when_exhausted(flavour: str) -> None:
    pager = make(flavour, Backend(total=2))
    assert pager.next_page_token == "", "before iteration: the starting token"
    assert take(pager) == [0, 1]
    assert pager.next_page_token is None


@FLAVOURS
def test_stopping_mid_page_resumes_from_that_page(flavour: str) -> None:
    backend = Backend(oversize=True)
    pager = make(flavour, backend, limit=2)
    assert take(pager) == [0, 1]
    assert backend.fetches == [("", 2)]
    assert pager.next_page_token == "", "the service sent 3 items: resume at the page, not after it"
    assert take(make(flavour, backend, page_token=pager.next_page_token), 1) == [0]


@FLAVOURS
def test_pages_yields_whole_responses_lazily(flavour: str) -> None:
    backend = Backend()
    pager = make(flavour, backend, page_size=3)
    got = pages(pager)
    assert [p.items for p in got] == [[0, 1, 2], [3, 4, 5], [6]]
    assert pager.next_page_token is None


@FLAVOURS
def test_pages_respect_the_limit(flavour: str) -> None:
    backend = Backend()
    pager = make(flavour, backend, page_size=3, limit=4)
    assert [p.items for p in pages(pager)] == [[0, 1, 2], [3]]
    assert backend.fetches == [("", 3), ("3", 1)]
    assert pager.next_page_token == "4"


@FLAVOURS
def test_a_repeated_page_token_stops_with_an_error(flavour: str) -> None:
    def same(token: str, size: int) -> Page:
        return Page([1], "again")

    async def asame(token: str, size: int) -> Page:
        return same(token, size)

    pager: Any
    if flavour == "async":
        pager = AsyncPager(asame, lambda p: p.items, page_token="again")
    else:
        pager = Pager(same, lambda p: p.items, page_token="again")
    with pytest.raises(ScalekitError, match="page token"):
        take(pager)


@FLAVOURS
@pytest.mark.parametrize("kwargs", [{"page_size": -1}, {"limit": -1}])
def test_negative_sizes_are_rejected(flavour: str, kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=">= 0"):
        make(flavour, Backend(), **kwargs)


def test_repr_names_the_class_and_counts() -> None:
    pager = make("sync", Backend(), page_size=2, limit=3)
    take(pager)
    assert repr(pager) == "<Pager page_size=2 limit=3 yielded=3>"
