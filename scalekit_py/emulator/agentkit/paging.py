"""Token paging over the AgentKit catalogue lists: built-in entries (in memory) chained with stored ones
(on the store's list index), at O(page) cost.

A list is a chain of *segments*, read one after the other:

- :class:`Items`: a short list in memory (the built-in providers or tools that pass the request's filter,
  or the few stored tools a ``tool_names`` filter names);
- :class:`Stored`: the stored documents of one kind that one or more list-index entries select
  (:class:`~scalekit_py.emulator.store_index.Match`, see :mod:`scalekit_py.emulator.indexes`), in creation
  order. Several matches are a union of disjoint lists (the tools of several providers): each is read in
  list order up to the page's need and the rows are merged by sequence, so no list is read past the page.

``ListTools`` is ``[Items(filtered built-ins), Stored(tools, the filter's lists)]``; ``ListScopedTools``
chains one such pair per connected account. A page token is a cursor in the chain: the segment and the
position in it it points after (an offset in a built-in segment, a store sequence in a stored one), so
pages are stable under inserts like the store's own tokens. The previous-page token points ``page_size``
entries back (what the offset tokens this replaces did). ``total_size`` is exact: the built-ins counted in
memory plus each stored list's count: O(1) from the index's counts for a plain list; a list filtered by a
query is counted in SQL on the first page (no document decoded) and the count is carried in the tokens
with a stamp of the lists' state, as :meth:`Tx.page <scalekit_py.emulator.store.Tx.page>` does.

Tokens of the offset format used before (``off:<n>``) and anything else not issued here are refused with
``ValueError("invalid page_token")`` (the handler answers INVALID_ARGUMENT).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, Union

from google.protobuf.message import Message

from scalekit_py.emulator.store import Tx, pack_token, token_number, unpack_token
from scalekit_py.emulator.store_index import SEQ_END, Match

__all__ = ["Items", "Paged", "Segment", "Stored", "page"]

M = TypeVar("M", bound=Message)


@dataclass(frozen=True)
class Items:
    """Entries in memory (already filtered, few), listed in this order."""

    items: Sequence[Message]


@dataclass(frozen=True)
class Stored:
    """The stored documents of ``kind`` that any of ``matches`` selects, in creation order (the matches
    must select disjoint sets: a document in two of them would be listed twice)."""

    kind: str
    msg_type: type[Message]
    matches: tuple[Match, ...]


Segment = Union[Items, Stored]  # noqa: UP007 (a runtime alias; the project targets Python 3.10)


@dataclass(frozen=True)
class Paged:
    """One page: ``items``, the index of the segment each came from (``segments``) and the paging fields
    of a list response (:meth:`cursor`)."""

    items: list[Message]
    segments: list[int]
    next_page_token: str
    prev_page_token: str
    total_size: int

    def cursor(self) -> dict[str, Any]:
        return {
            "next_page_token": self.next_page_token,
            "prev_page_token": self.prev_page_token,
            "total_size": self.total_size,
        }


@dataclass(frozen=True)
class _Cursor:
    """What a token holds: the segment and the position in it that the page starts after and, when the
    list has filtered stored parts, their count with the stamp of the state it was counted in."""

    segment: int = 0
    after: int = 0
    counted: int | None = None
    stamp: str = ""

    def encode(self) -> str:
        if self.counted is None:
            return pack_token("ak", self.segment, self.after)
        return pack_token("ak", self.segment, self.after, self.counted, self.stamp)


def _decode(token: str) -> _Cursor:
    if not token:
        return _Cursor()
    try:
        parts = unpack_token(token, "ak", (2, 4))
        numbers = [token_number(p) for p in parts[:3]]
        if len(parts) == 4:
            return _Cursor(numbers[0], numbers[1], numbers[2], parts[3])
        return _Cursor(numbers[0], numbers[1])
    except ValueError as exc:
        raise ValueError("invalid page_token") from exc


def _rest(tx: Tx, seg: Stored, after: int, n: int) -> list[tuple[int, Message]]:
    """Up to ``n`` (sequence, document) of the segment after sequence ``after``, in list order."""
    lists = [tx.index_rows(seg.kind, match, after, n) for match in seg.matches]
    merged = heapq.merge(*lists, key=lambda row: row[0])
    return [(seq, seg.msg_type.FromString(data)) for seq, data in list(merged)[:n]]


def _before(tx: Tx, seg: Stored, up_to: int, n: int) -> list[int]:
    """Up to ``n`` sequences of the segment up to ``up_to`` (inclusive), nearest first."""
    lists = [tx.index_seqs_up_to(seg.kind, match, up_to, n) for match in seg.matches]
    return list(heapq.merge(*lists, reverse=True))[:n]


def _total(tx: Tx, segments: Sequence[Segment], carried: _Cursor) -> tuple[int, int | None, str]:
    """The list's size, and the count of its filtered stored parts with its seal (to carry).

    Built-ins are counted in memory and a plain stored list from the index's counts (O(1)); a filtered one
    (a query) is counted in SQL on the first page, then carried in the tokens while the stamp (the store's
    epoch, the lists, the write counts of their kinds: :meth:`Tx.page`'s) is unchanged: the token's seal
    (:meth:`Tx.seal`) must be that of this stamp and the carried count, so an edited count is counted
    again."""
    cheap, costly = 0, []
    for seg in segments:
        if isinstance(seg, Items):
            cheap += len(seg.items)
            continue
        for match in seg.matches:
            if match.plain:
                cheap += tx.count(seg.kind, match)
            else:
                costly.append((seg.kind, match))
    if not costly:
        return cheap, None, ""
    stamp = tx.stamp([kind for kind, _ in costly], f"agentkit|{costly!r}")
    if carried.counted is not None and carried.stamp == tx.seal(stamp, carried.counted):
        counted = carried.counted
    else:
        counted = sum(tx.count(kind, match) for kind, match in costly)
    return cheap + counted, counted, tx.seal(stamp, counted)


def _forward(
    tx: Tx, segments: Sequence[Segment], start: int, after: int, n: int
) -> Iterator[tuple[int, int, Message]]:
    """Up to ``n`` entries after the cursor: (segment, position to point after it, entry)."""
    left = n
    for index in range(start, len(segments)):
        seg, skip = segments[index], after if index == start else 0
        if isinstance(seg, Items):
            rows = [(i + 1, m) for i, m in enumerate(seg.items)][skip : skip + left]
        else:
            rows = _rest(tx, seg, skip, left)
        for position, msg in rows:
            yield index, position, msg
        left -= len(rows)
        if left <= 0:
            return


def _backward(tx: Tx, segments: Sequence[Segment], start: int, after: int, n: int) -> list[tuple[int, int]]:
    """Up to ``n`` positions of the entries up to the cursor, nearest first."""
    out: list[tuple[int, int]] = []
    for index in range(min(start, len(segments) - 1), -1, -1):
        seg = segments[index]
        if isinstance(seg, Items):
            end = min(after, len(seg.items)) if index == start else len(seg.items)
            positions = list(range(end, 0, -1))[: n - len(out)]
        else:
            positions = _before(tx, seg, after if index == start else SEQ_END, n - len(out))
        out.extend((index, p) for p in positions)
        if len(out) >= n:
            break
    return out


def page(
    tx: Tx,
    segments: Sequence[Segment],
    page_size: int,
    page_token: str,
    *,
    default: int = 10,
    limit: int = 100,
) -> Paged:
    """The page of the chained ``segments`` at ``page_token``.

    Raises:
        ValueError: the token is not one this function issued (the handler answers INVALID_ARGUMENT).
    """
    cursor = _decode(page_token)
    start, after = cursor.segment, cursor.after
    if start >= len(segments):
        start, after = len(segments), 0
    size = max(min(page_size or default, limit), 1)
    total, counted, stamp = _total(tx, segments, cursor)

    def token(segment: int, after: int) -> str:
        return _Cursor(segment, after, counted, stamp).encode()

    rows = list(_forward(tx, segments, start, after, size + 1))
    chunk = rows[:size]
    next_token = token(chunk[-1][0], chunk[-1][1]) if len(rows) > size else ""
    before = _backward(tx, segments, start, after, size + 1)
    prev_token = ""
    if len(before) > size:
        prev_token = token(*before[size])
    elif before:
        prev_token = token(0, 0)
    return Paged(
        items=[m for _, _, m in chunk],
        segments=[s for s, _, _ in chunk],
        next_page_token=next_token,
        prev_page_token=prev_token,
        total_size=total,
    )
