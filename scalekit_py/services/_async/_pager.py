"""Lazy pagination over list and search RPCs that take a ``page_token``.

A pager fetches one page at a time, only when the caller asks for more, and can be resumed
later from :attr:`AsyncPager.next_page_token`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar

from scalekit_py.errors import ScalekitError

__all__ = ["AsyncPager"]


class _Page(Protocol):
    @property
    def next_page_token(self) -> str: ...


PageT = TypeVar("PageT", bound=_Page)
ItemT = TypeVar("ItemT")


class AsyncPager(Generic[PageT, ItemT]):
    """Iterates the items of a paginated listing, fetching pages lazily.

    Iterating the pager yields items; :meth:`pages` yields whole response messages instead (useful
    for ``total_size``). A pager is single-use: items and pages share one cursor.

    Attributes:
        page_size: items asked for per page (``None``: the service's default).
        limit: stop after this many items in all (``None``: no limit).

    Example:
        >>> async for org in client.organization.iter_organizations(page_size=50, limit=200):
        ...     print(org.id)
    """

    def __init__(
        self,
        fetch: Callable[[str, int], Awaitable[PageT]],
        items: Callable[[PageT], Sequence[ItemT]],
        *,
        page_size: int | None = None,
        limit: int | None = None,
        page_token: str = "",
        max_page_size: int | None = None,
    ) -> None:
        """Create a pager; nothing is fetched until iteration starts.

        Args:
            fetch: fetches the page at a token, asking for a page size (0: the service's default).
            items: the items of one page.
            page_size: items per page (``None``: the service's default).
            limit: maximum number of items in all (``None``: no limit).
            page_token: token to start from (``""``: the first page), e.g. a saved
                :attr:`next_page_token`.
            max_page_size: the most the RPC accepts per page; requests never ask for more.

        Raises:
            ValueError: ``page_size`` or ``limit`` is negative.
        """
        if page_size is not None and page_size < 0:
            raise ValueError("page_size must be >= 0")
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        self._fetch = fetch
        self._items = items
        self.page_size = page_size
        self.limit = limit
        self.max_page_size = max_page_size
        self._token = page_token  # the next page to fetch
        self._current = page_token  # the page the buffer came from
        self._buffer: deque[ItemT] = deque()
        self._count = 0
        self._exhausted = False

    @property
    def next_page_token(self) -> str | None:
        """Token to resume this listing from, or ``None`` when it has no more items.

        When iteration stopped in the middle of a page (the service sent more items than asked
        for), this is the token of that page, so resuming repeats rather than skips items.
        """
        if self._buffer:
            return self._current
        return None if self._exhausted else self._token

    def _remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self._count)

    async def _next_page(self) -> PageT | None:
        remaining = self._remaining()
        if self._exhausted or remaining == 0:
            return None
        size = self.page_size or 0
        if remaining is not None:
            size = min(size, remaining) if size else remaining
        if self.max_page_size is not None:
            size = min(size, self.max_page_size)
        token = self._token
        page = await self._fetch(token, size)
        if page.next_page_token and page.next_page_token == token:
            raise ScalekitError("the service returned the page token it was given; stopping pagination")
        self._current, self._token = token, page.next_page_token
        self._exhausted = not page.next_page_token
        return page

    async def pages(self) -> AsyncIterator[PageT]:
        """Yield the response of each page, fetching the next one only when asked.

        Items of yielded pages count towards :attr:`limit`.

        Yields:
            Each page's response message.
        """
        while (page := await self._next_page()) is not None:
            self._count += len(self._items(page))
            yield page

    def __aiter__(self) -> AsyncPager[PageT, ItemT]:
        return self

    async def __anext__(self) -> ItemT:
        while True:
            if self._remaining() == 0:
                raise StopAsyncIteration
            if self._buffer:
                self._count += 1
                return self._buffer.popleft()
            page = await self._next_page()
            if page is None:
                raise StopAsyncIteration
            self._buffer.extend(self._items(page))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} page_size={self.page_size} limit={self.limit} yielded={self._count}>"
