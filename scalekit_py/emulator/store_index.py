"""The store's list index: filtered listings page in SQL, at O(page) cost.

A list RPC that filters (users of one organization, a search, directory users updated after a time, a
user's sessions of some statuses, ...) cannot page on ``docs (kind, parent, seq)`` alone. Each document kind
that such a listing reads has an *indexer* (:mod:`scalekit_py.emulator.indexes`) that turns the document
into :class:`Entry` rows of the ``tags`` table: a tag naming a list the document belongs to (``"org:<id>"``,
``"dir:<id>/group:<id>"``; ``""`` = every document of the kind), an integer to range over (an update time,
a creation time) and a text (a lower-cased search blob, a status, an external id). The store rewrites a
document's rows in the same transaction as every insert, update and delete, so the index never lags.

A :class:`Match` names one tag plus optional conditions on the number and the text; the page query walks
the ``tags`` primary key ``(kind, tag, seq)`` in list order, so SQLite neither scans other lists nor sorts.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from google.protobuf.message import Message

__all__ = ["SCHEMA", "Entry", "Indexer", "Match", "page_rows", "reindex", "write_entries"]

M = TypeVar("M", bound=Message)

SCHEMA = """
CREATE TABLE IF NOT EXISTS tags (
  kind TEXT NOT NULL, tag TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,
  num INTEGER NOT NULL DEFAULT 0, text TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (kind, tag, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_by_id ON tags (kind, id);
CREATE INDEX IF NOT EXISTS tags_by_num ON tags (kind, tag, num);
CREATE TABLE IF NOT EXISTS tag_counts (
  kind TEXT NOT NULL, tag TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (kind, tag)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS versions (kind TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;
"""

SEQ_END = 2**62
"""Above every sequence a store hands out (and within SQLite's integers)."""

# Bump when an indexer changes what it emits: a file store written before is re-indexed when opened.
INDEX_VERSION = "7"


@dataclass(frozen=True)
class Entry:
    """One list a document belongs to: its tag, a number to filter by range, a text to match."""

    tag: str
    num: int = 0
    text: str = ""


@dataclass(frozen=True)
class Match:
    """Which index entries a listing wants.

    Attributes:
        tag: the list (exact).
        num_above: only entries whose number is greater.
        num_from / num_below: only entries whose number is in ``[num_from, num_below)``.
        contains: only entries whose text contains this (already lower-cased by the caller).
        any_of: only entries whose text, or whose document id, is one of these.
        absent_in: only entries whose document id has no document of this kind (e.g. not revoked).
    """

    tag: str
    num_above: int | None = None
    num_from: int | None = None
    num_below: int | None = None
    contains: str | None = None
    any_of: frozenset[str] | None = None
    absent_in: str | None = None

    @property
    def plain(self) -> bool:
        """Only the tag: the count is kept in ``tag_counts``."""
        conditions = (
            self.num_above,
            self.num_from,
            self.num_below,
            self.contains,
            self.any_of,
            self.absent_in,
        )
        return conditions == (None,) * 6

    def where(self) -> tuple[str, list[object]]:
        """The SQL condition on the ``tags t`` rows and its bound values."""
        sql, args = ["t.kind = ? AND t.tag = ?"], list[object]()
        for op, value in ((">", self.num_above), (">=", self.num_from), ("<", self.num_below)):
            if value is not None:
                sql.append(f"t.num {op} ?")
                args.append(value)
        if self.contains is not None:
            sql.append("instr(t.text, ?) > 0")
            args.append(self.contains)
        if self.any_of is not None:
            sql.append(
                "(t.text IN (SELECT value FROM json_each(?)) OR t.id IN (SELECT value FROM json_each(?)))"
            )
            keys = _json_list(self.any_of)
            args.extend([keys, keys])
        if self.absent_in is not None:
            sql.append("NOT EXISTS (SELECT 1 FROM docs x WHERE x.kind = ? AND x.id = t.id)")
            args.append(self.absent_in)
        return " AND ".join(sql), args


def _json_list(values: Iterable[str]) -> str:
    import json

    return json.dumps(sorted(values))


# kind -> (its message type, a function of (document, parent id) to the document's entries)
Indexer = tuple[type[Message], Callable[[Message, str], Iterable[Entry]]]


def write_entries(
    conn: sqlite3.Connection, indexers: Mapping[str, Indexer], kind: str, doc_id: str, msg: Message | None
) -> None:
    """Replace the index rows of one document (``msg`` None: it was deleted)."""
    indexer = indexers.get(kind)
    if indexer is None:
        return
    old = [
        (kind, r[0]) for r in conn.execute("SELECT tag FROM tags WHERE kind = ? AND id = ?", (kind, doc_id))
    ]
    conn.executemany("UPDATE tag_counts SET n = n - 1 WHERE kind = ? AND tag = ?", old)
    conn.execute("DELETE FROM tags WHERE kind = ? AND id = ?", (kind, doc_id))
    if msg is None:
        return
    row = conn.execute("SELECT seq, parent FROM docs WHERE kind = ? AND id = ?", (kind, doc_id)).fetchone()
    if row is None:
        return
    entries = {e.tag: e for e in indexer[1](msg, str(row[1]))}  # one row per list
    conn.executemany(
        "INSERT INTO tags (kind, tag, seq, id, num, text) VALUES (?, ?, ?, ?, ?, ?)",
        [(kind, e.tag, row[0], doc_id, e.num, e.text) for e in entries.values()],
    )
    conn.executemany(
        "INSERT INTO tag_counts (kind, tag, n) VALUES (?, ?, 1)"
        " ON CONFLICT (kind, tag) DO UPDATE SET n = n + 1",
        [(kind, tag) for tag in entries],
    )


def reindex(conn: sqlite3.Connection, indexers: Mapping[str, Indexer]) -> None:
    """Rebuild every index row (a store file written by an older version, or with other indexers)."""
    conn.execute("DELETE FROM tags")
    conn.execute("DELETE FROM tag_counts")
    for kind, (msg_type, _) in indexers.items():
        for doc_id, data in conn.execute("SELECT id, data FROM docs WHERE kind = ?", (kind,)).fetchall():
            write_entries(conn, indexers, kind, doc_id, msg_type.FromString(data))


@dataclass(frozen=True)
class Source:
    """Where a page's rows come from: the FROM clause of the rows (with the data column) and of the count,
    the condition on ``t`` and its values."""

    rows_from: str
    data: str
    count_from: str
    where: str
    args: list[object]
    count_sql: str = ""
    count_args: tuple[object, ...] = ()

    def count(self) -> tuple[str, list[object]]:
        """The query counting the rows, and its values."""
        if self.count_sql:
            return self.count_sql, list(self.count_args)
        return f"SELECT COUNT(*) FROM {self.count_from} WHERE {self.where}", self.args  # noqa: S608


def docs_source(kind: str, parent: str | None) -> Source:
    where = "t.kind = ?" + (" AND t.parent = ?" if parent is not None else "")
    return Source("docs t", "t.data", "docs t", where, [kind] if parent is None else [kind, parent])


def tags_source(kind: str, match: Match, rows_kind: str | None = None) -> Source:
    """The entries of ``kind`` that ``match`` selects; their rows are the documents of the same id of
    ``rows_kind`` (default: ``kind``; another kind when a companion document's list orders its owner's,
    e.g. connected accounts listed by the organization their owner record names)."""
    where, args = match.where()
    if rows_kind is not None and not re.fullmatch(r"[a-z_]+", rows_kind):
        raise ValueError(f"not a document kind: {rows_kind!r}")
    joined = "t.kind" if rows_kind is None else f"'{rows_kind}'"
    rows_from = f"tags t JOIN docs d ON d.kind = {joined} AND d.id = t.id"
    if match.plain:  # kept up to date by write_entries: O(1) instead of counting the list
        count = "SELECT COALESCE((SELECT n FROM tag_counts WHERE kind = ? AND tag = ?), 0)"
        return Source(
            rows_from, "d.data", "tags t", where, [kind, match.tag, *args], count, (kind, match.tag)
        )
    return Source(rows_from, "d.data", "tags t", where, [kind, match.tag, *args])


def page_sql(src: Source, newest_first: bool, *, limit: bool = True) -> tuple[str, str]:
    """The rest (after the cursor) and before (up to the cursor, nearest first) queries of a page.

    ``limit``: no Python filter follows, so both end in ``LIMIT ?`` and before reads only sequences;
    otherwise both read (sequence, data) until the caller stops.
    """
    lim = " LIMIT ?" if limit else ""
    after, up_to = ("<", ">=") if newest_first else (">", "<=")
    rest_order, before_order = ("DESC", "") if newest_first else ("", "DESC")
    # Fixed SQL fragments from this module; every value is bound.
    rest = f"SELECT t.seq, {src.data} FROM {src.rows_from} WHERE {src.where} AND t.seq {after} ? ORDER BY t.seq {rest_order}{lim}"  # noqa: S608,E501
    cols, rows_from = ("t.seq", src.count_from) if limit else (f"t.seq, {src.data}", src.rows_from)
    before = f"SELECT {cols} FROM {rows_from} WHERE {src.where} AND t.seq {up_to} ? ORDER BY t.seq {before_order}{lim}"  # noqa: S608,E501
    return rest, before


def page_rows(
    conn: sqlite3.Connection,
    msg_type: type[M],
    src: Source,
    after: int,
    size: int,
    newest_first: bool,
    *,
    total: int | None = None,
    where: Callable[[M], bool] | None = None,
) -> tuple[list[tuple[int, M]], list[int], int]:
    """The documents after the cursor (up to ``size + 1``), the sequences up to it (in list order, the
    ``size + 1`` nearest) and the total count: what a page is built from.

    ``total``: the count when the caller already knows it (a page token carries it while the list is
    unchanged); None counts. ``where``: a filter in Python on top of the SQL condition; the rows are read
    lazily and the reading stops after ``size + 1`` matches each way, so a page costs O(page / the share
    of rows the filter keeps), and only counting reads every row of the list.
    """
    rest_sql, before_sql = page_sql(src, newest_first, limit=where is None)
    bound = after if (after or not newest_first) else SEQ_END
    rest_args = [*src.args, bound] if where is not None else [*src.args, bound, size + 1]
    rest = _take(conn.execute(rest_sql, rest_args), msg_type, size, where)
    before: list[int] = []
    if (after or not newest_first) and where is None:
        before = [int(r[0]) for r in conn.execute(before_sql, [*src.args, after, size + 1])][::-1]
    elif after or not newest_first:
        found = _take(conn.execute(before_sql, [*src.args, after]), msg_type, size, where)
        before = [q for q, _ in found][::-1]
    if total is None:
        if where is None:
            count_sql, count_args = src.count()
            total = int(conn.execute(count_sql, count_args).fetchone()[0])
        else:
            every = f"SELECT {src.data} FROM {src.rows_from} WHERE {src.where}"  # noqa: S608
            total = sum(1 for (d,) in conn.execute(every, src.args) if where(msg_type.FromString(d)))
    return rest, before, total


def _take(
    rows: Iterable[tuple[Any, ...]], msg_type: type[M], size: int, where: Callable[[M], bool] | None
) -> list[tuple[int, M]]:
    """Up to ``size + 1`` of the (sequence, document) rows that pass ``where`` (rows read lazily)."""
    out: list[tuple[int, M]] = []
    for row in rows:
        msg = msg_type.FromString(row[1])
        if where is None or where(msg):
            out.append((int(row[0]), msg))
            if len(out) > size:
                break
    return out
