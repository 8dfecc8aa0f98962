"""The emulator's storage: protobuf documents in SQLite, with unique keys and stable pagination.

Every resource is one row: its kind (``"organization"``, ``"user"``, ...), id, an optional parent id, a
monotonically increasing sequence (the stable list order) and the serialized protobuf message. Unique
constraints (an external id, a domain name, a role name within an organization, ...) live in a side table
so a duplicate raises :class:`Conflict` before anything is written. Filtered listings page on a list
index kept in the same transactions (:mod:`scalekit_py.emulator.store_index`). All access goes through
:meth:`Store.transaction`, which serialises writers and rolls back on any exception: no partial writes.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from google.protobuf.message import Message

from scalekit_py.emulator import store_index
from scalekit_py.emulator.store_index import Indexer, Match

__all__ = ["Conflict", "Cursor", "Match", "Page", "Store", "Tx", "new_id"]

M = TypeVar("M", bound=Message)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
  kind TEXT NOT NULL, id TEXT NOT NULL, parent TEXT NOT NULL DEFAULT '',
  seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS docs_by_parent ON docs (kind, parent, seq);
CREATE INDEX IF NOT EXISTS docs_by_kind ON docs (kind, seq);
CREATE TABLE IF NOT EXISTS uniques (
  kind TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, id TEXT NOT NULL,
  PRIMARY KEY (kind, name, value));
CREATE INDEX IF NOT EXISTS uniques_by_id ON uniques (kind, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def secret_digest(secret: str) -> str:
    """What the store keeps of a secret (client secret, opaque token, link token): its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_id(prefix: str) -> str:
    """A Scalekit-looking id, e.g. ``org_69615647365005430``: a prefix and a time-ordered number."""
    return f"{prefix}_{time.time_ns() // 1000:d}{secrets.randbelow(1000):03d}"


class Conflict(Exception):
    """A unique key is already taken (``name`` = ``value``)."""

    def __init__(self, kind: str, name: str, value: str) -> None:
        super().__init__(f"{kind} with {name} {value!r} already exists")
        self.kind, self.name, self.value = kind, name, value


@dataclass(frozen=True)
class Page:
    """One page of a listing: items, the token of the next page ('' at the end) and the total count."""

    items: list[Message]
    next_page_token: str
    prev_page_token: str
    total_size: int

    def cursor(self) -> dict[str, Any]:
        """The paging fields of a list response: ``Response(items=..., **page.cursor())``."""
        return {
            "next_page_token": self.next_page_token,
            "prev_page_token": self.prev_page_token,
            "total_size": self.total_size,
        }


def pack_token(*parts: object) -> str:
    """An opaque page token: the parts joined by ``:``, url-safe base64 without padding."""
    return base64.urlsafe_b64encode(":".join(map(str, parts)).encode()).decode().rstrip("=")


def unpack_token(token: str, tag: str, counts: tuple[int, ...]) -> list[str]:
    """The parts after ``tag`` of a :func:`pack_token` token; ValueError when it is not one with ``tag``
    first and one of ``counts`` parts after it."""
    parts = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")
    if parts[0] != tag or len(parts) - 1 not in counts:
        raise ValueError(f"not a {tag!r} token")
    return parts[1:]


def token_number(text: str) -> int:
    """A sequence or count in a page token; ValueError beyond every sequence (and SQLite's integers)."""
    number = int(text)
    if not 0 <= number < store_index.SEQ_END:
        raise ValueError("out of range")
    return number


@dataclass(frozen=True)
class Cursor:
    """What a page token holds: the sequence it points after and, when the page before it was counted,
    that count and its seal (:meth:`Tx.seal`: the count and the stamp of the list it counted, i.e. the
    listing, its filter and the versions of the kinds it reads), so the next page of an unchanged list
    need not count again."""

    after: int = 0
    total: int | None = None
    stamp: str = ""

    def encode(self) -> str:
        if self.total is None:
            return pack_token("seq", self.after)
        return pack_token("seq", self.after, self.total, self.stamp)


def decode_page_token(token: str) -> Cursor:
    """The cursor a page token holds; ValueError when it is not one of ours."""
    if not token:
        return Cursor()
    try:
        parts = unpack_token(token, "seq", (1, 3))
        if len(parts) == 1:
            return Cursor(token_number(parts[0]))
        return Cursor(token_number(parts[0]), token_number(parts[1]), parts[2])
    except ValueError as exc:  # bad base64 and bad UTF-8 are ValueErrors too
        raise ValueError("invalid page_token") from exc


def _size(page_size: int, default_size: int, max_size: int) -> int:
    """A page's size: the default when none (or a negative one: no SQL ``LIMIT -n``, which is no limit)
    was asked for, else at most ``max_size``."""
    return min(page_size if page_size > 0 else default_size, max_size)


class Tx:
    """Operations inside one transaction (obtain it from :meth:`Store.transaction`)."""

    def __init__(
        self, conn: sqlite3.Connection, indexers: Mapping[str, Indexer] | None = None, epoch: str = ""
    ) -> None:
        self._conn = conn
        self._indexers: Mapping[str, Indexer] = indexers or {}
        self._epoch = epoch

    def _bump(self, kind: str) -> None:
        """Count a write of ``kind`` (what a page token's stamp compares)."""
        self._conn.execute(
            "INSERT INTO versions (kind, v) VALUES (?, 1) ON CONFLICT (kind) DO UPDATE SET v = v + 1", (kind,)
        )

    def stamp(self, kinds: Sequence[str], listing: str) -> str:
        """Names one state of a listing: the store's epoch, the listing and its filter, the write counts
        of the kinds it reads. Equal stamps: the same documents pass the filter, so the count holds."""
        marks = ",".join(sorted(set(kinds)))
        rows = self._conn.execute(
            "SELECT kind, v FROM versions WHERE kind IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(kinds))),),
        ).fetchall()
        raw = f"{self._epoch}|{marks}|{sorted(rows)}|{listing}"
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    def seal(self, stamp: str, total: int) -> str:
        """What a page token carries beside its count: a digest of the list's ``stamp`` and the count
        under the store's epoch (never shown). A token whose count was edited, or that names a list whose
        stamp changed, no longer matches, so its count is not believed."""
        return hashlib.sha256(f"{self._epoch}|{stamp}|{total}".encode()).hexdigest()[:16]

    def _next_seq(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        seq = int(row[0]) + 1 if row else 1
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seq', ?)", (str(seq),))
        return seq

    def _set_uniques(self, kind: str, doc_id: str, unique: Mapping[str, str]) -> None:
        self._conn.execute("DELETE FROM uniques WHERE kind = ? AND id = ?", (kind, doc_id))
        for name, value in unique.items():
            if not value:
                continue
            row = self._conn.execute(
                "SELECT id FROM uniques WHERE kind = ? AND name = ? AND value = ?", (kind, name, value)
            ).fetchone()
            if row and row[0] != doc_id:
                raise Conflict(kind, name, value)
            self._conn.execute(
                "INSERT OR REPLACE INTO uniques (kind, name, value, id) VALUES (?, ?, ?, ?)",
                (kind, name, value, doc_id),
            )

    def insert(
        self, kind: str, doc_id: str, msg: Message, *, parent: str = "", unique: Mapping[str, str] = {}
    ) -> None:
        """Store a new document; raise :class:`Conflict` on a taken id or unique key."""
        if self._conn.execute("SELECT 1 FROM docs WHERE kind = ? AND id = ?", (kind, doc_id)).fetchone():
            raise Conflict(kind, "id", doc_id)
        self._set_uniques(kind, doc_id, unique)
        self._conn.execute(
            "INSERT INTO docs (kind, id, parent, seq, data) VALUES (?, ?, ?, ?, ?)",
            (kind, doc_id, parent, self._next_seq(), msg.SerializeToString()),
        )
        self._bump(kind)
        store_index.write_entries(self._conn, self._indexers, kind, doc_id, msg)

    def update(
        self, kind: str, doc_id: str, msg: Message, *, unique: Mapping[str, str] | None = None
    ) -> None:
        """Replace a document's content (its list position stays); KeyError when it does not exist."""
        if unique is not None:
            self._set_uniques(kind, doc_id, unique)
        cur = self._conn.execute(
            "UPDATE docs SET data = ? WHERE kind = ? AND id = ?", (msg.SerializeToString(), kind, doc_id)
        )
        if cur.rowcount == 0:
            raise KeyError(doc_id)
        self._bump(kind)
        store_index.write_entries(self._conn, self._indexers, kind, doc_id, msg)

    def get(self, kind: str, doc_id: str, msg_type: type[M]) -> M | None:
        row = self._conn.execute("SELECT data FROM docs WHERE kind = ? AND id = ?", (kind, doc_id)).fetchone()
        return msg_type.FromString(row[0]) if row else None

    def parent_of(self, kind: str, doc_id: str) -> str | None:
        row = self._conn.execute(
            "SELECT parent FROM docs WHERE kind = ? AND id = ?", (kind, doc_id)
        ).fetchone()
        return str(row[0]) if row else None

    def find(self, kind: str, name: str, value: str, msg_type: type[M]) -> M | None:
        """The document whose unique key ``name`` equals ``value``."""
        row = self._conn.execute(
            "SELECT d.data FROM uniques u JOIN docs d ON d.kind = u.kind AND d.id = u.id "
            "WHERE u.kind = ? AND u.name = ? AND u.value = ?",
            (kind, name, value),
        ).fetchone()
        return msg_type.FromString(row[0]) if row else None

    def delete(self, kind: str, doc_id: str) -> bool:
        """Remove a document and its unique keys; False when it did not exist."""
        self._conn.execute("DELETE FROM uniques WHERE kind = ? AND id = ?", (kind, doc_id))
        store_index.write_entries(self._conn, self._indexers, kind, doc_id, None)
        gone = self._conn.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, doc_id)).rowcount > 0
        if gone:
            self._bump(kind)
        return gone

    def ids(self, kind: str, *, parent: str) -> list[str]:
        """The ids of the documents of a kind under one parent, in creation order."""
        rows = self._conn.execute(
            "SELECT id FROM docs WHERE kind = ? AND parent = ? ORDER BY seq", (kind, parent)
        )
        return [str(r[0]) for r in rows]

    def all(self, kind: str, msg_type: type[M], *, parent: str | None = None) -> list[M]:
        """Every document of a kind (optionally under one parent), in creation order."""
        if parent is None:
            rows = self._conn.execute("SELECT data FROM docs WHERE kind = ? ORDER BY seq", (kind,))
        else:
            rows = self._conn.execute(
                "SELECT data FROM docs WHERE kind = ? AND parent = ? ORDER BY seq", (kind, parent)
            )
        return [msg_type.FromString(r[0]) for r in rows]

    def select(self, kind: str, msg_type: type[M], match: Match, *, ordered: bool = True) -> list[M]:
        """Every document of a kind that the list index entries ``match`` selects, in list order (or, with
        ``ordered=False``, in any order: then a number range reads only its own entries)."""
        src = store_index.tags_source(kind, match)
        order = " ORDER BY t.seq" if ordered else ""
        sql = f"SELECT {src.data} FROM {src.rows_from} WHERE {src.where}{order}"  # noqa: S608
        return [msg_type.FromString(r[0]) for r in self._conn.execute(sql, src.args)]

    def count(self, kind: str, match: Match) -> int:
        """How many documents of a kind the list index entries ``match`` selects."""
        sql, args = store_index.tags_source(kind, match).count()
        return int(self._conn.execute(sql, args).fetchone()[0])

    def max_num(self, kind: str, match: Match) -> int | None:
        """The largest index number among the entries ``match`` selects (None: no entry)."""
        src = store_index.tags_source(kind, match)
        sql = f"SELECT MAX(t.num) FROM {src.count_from} WHERE {src.where}"  # noqa: S608
        value = self._conn.execute(sql, src.args).fetchone()[0]
        return None if value is None else int(value)

    def index_rows(self, kind: str, match: Match, after: int, n: int) -> list[tuple[int, bytes]]:
        """Up to ``n`` (sequence, serialized document) of the list ``match`` selects, after sequence
        ``after``, in list order (for pagers that merge or chain several lists)."""
        src = store_index.tags_source(kind, match)
        rest_sql, _ = store_index.page_sql(src, newest_first=False)
        return [(int(q), bytes(d)) for q, d in self._conn.execute(rest_sql, [*src.args, after, n])]

    def index_seqs_up_to(self, kind: str, match: Match, up_to: int, n: int) -> list[int]:
        """Up to ``n`` sequences of the list ``match`` selects, up to ``up_to`` (inclusive), nearest first."""
        src = store_index.tags_source(kind, match)
        _, before_sql = store_index.page_sql(src, newest_first=False)
        return [int(r[0]) for r in self._conn.execute(before_sql, [*src.args, up_to, n])]

    def index_ids(self, kind: str, match: Match) -> list[str]:
        """The ids of the documents the list ``match`` selects, in list order (no document read)."""
        src = store_index.tags_source(kind, match)
        sql = f"SELECT t.id FROM {src.count_from} WHERE {src.where} ORDER BY t.seq"  # noqa: S608
        return [str(r[0]) for r in self._conn.execute(sql, src.args)]

    def get_many(self, kind: str, msg_type: type[M], doc_ids: Iterable[str]) -> list[M]:
        """The documents of ``kind`` with these ids (those that exist), in creation order."""
        sql = "SELECT data FROM docs WHERE kind = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY seq"
        rows = self._conn.execute(sql, (kind, json.dumps(sorted(set(doc_ids)))))
        return [msg_type.FromString(r[0]) for r in rows]

    def page_numbered(
        self,
        kind: str,
        msg_type: type[M],
        *,
        page_size: int,
        page_number: int,
        parent: str | None = None,
        match: Match | None = None,
        default_size: int = 10,
        max_size: int = 100,
    ) -> list[M]:
        """A 1-based numbered page (for the RPCs that page by number rather than by token), in creation
        order, in SQL: the skipped rows are index steps, no document before the page is read."""
        size = _size(page_size, default_size, max_size)
        offset = (max(page_number, 1) - 1) * size
        src = (
            store_index.tags_source(kind, match)
            if match is not None
            else store_index.docs_source(kind, parent)
        )
        sql = f"SELECT {src.data} FROM {src.rows_from} WHERE {src.where} ORDER BY t.seq LIMIT ? OFFSET ?"  # noqa: S608
        return [msg_type.FromString(r[0]) for r in self._conn.execute(sql, [*src.args, size, offset])]

    def page(
        self,
        kind: str,
        msg_type: type[M],
        *,
        page_size: int,
        page_token: str = "",
        parent: str | None = None,
        match: Match | None = None,
        rows_kind: str | None = None,
        where: Callable[[M], bool] | None = None,
        key: str | None = None,
        reads: Sequence[str] = (),
        default_size: int = 10,
        max_size: int = 100,
        newest_first: bool = False,
    ) -> Page:
        """One page in creation order (or newest first); tokens are opaque and stable under inserts.

        The rows come from SQLite (O(page)): the documents of the kind (under ``parent``), or the list
        index entries ``match`` selects (:mod:`scalekit_py.emulator.store_index`); with ``rows_kind``, the
        entries are those of ``kind`` and each row is the ``rows_kind`` document of the same id (a
        companion's list ordering its owners; ``msg_type`` is then the rows' type). ``where`` filters the
        rows further in Python, reading lazily until the page is full (for filters no index expresses).

        ``total_size`` is exact. A plain list's count is kept with the index (O(1)); a filtered one is
        counted on the first page and carried in the page tokens with a stamp of the list's state, so
        later pages reuse it while nothing the listing reads has changed. What the stamp covers: the kind,
        ``parent``, ``match``, ``key`` (required with ``where``: everything the filter depends on, e.g. the
        request's filter fields; without it every page counts) and the write counts of ``kind`` and of
        the other kinds in ``reads`` (those ``where`` looks up) and ``rows_kind``. The token carries the
        count with its seal (:meth:`seal`: the stamp and the count under the store's unshown epoch), so
        a count edited into a token is not believed.

        Raises:
            ValueError: the page token is not one this store issued.
        """
        cursor = decode_page_token(page_token)
        size = _size(page_size, default_size, max_size)
        if match is not None:
            if parent is not None:
                raise TypeError("match replaces parent")
            src = store_index.tags_source(kind, match, rows_kind)
        elif rows_kind is not None:
            raise TypeError("rows_kind needs a match")
        else:
            src = store_index.docs_source(kind, parent)
        stamp = ""
        if where is None or key is not None:
            listing = f"{kind}|{rows_kind}|{parent}|{match!r}|{newest_first}|{key}"
            stamp = self.stamp([kind, rows_kind or kind, *reads], listing)
        known = None
        if stamp and cursor.total is not None and cursor.stamp == self.seal(stamp, cursor.total):
            known = cursor.total
        rest, before, total = store_index.page_rows(
            self._conn, msg_type, src, cursor.after, size, newest_first, total=known, where=where
        )
        return _page(rest, before, size, total, self.seal(stamp, total) if stamp else "")


def _page(rest: list[tuple[int, M]], before: list[int], size: int, total: int, seal: str = "") -> Page:
    """A page from the documents after the cursor (``rest``) and the sequences up to it (``before``);
    with a ``seal`` (:meth:`Tx.seal`), the tokens carry the count."""

    def token(seq: int) -> str:
        return Cursor(seq, total if seal else None, seal).encode()

    chunk = rest[:size]
    next_token = token(chunk[-1][0]) if len(rest) > size else ""
    prev_token = ""
    if before:
        start = max(0, len(before) - size)
        prev_token = token(before[start - 1]) if start > 0 else token(0)
    return Page(
        items=[m for _, m in chunk], next_page_token=next_token, prev_page_token=prev_token, total_size=total
    )


class Store:
    """SQLite-backed document store; in memory by default, or a file that survives restarts.

    One connection guarded by a lock: the emulator's handlers run on one event loop, and the lock keeps
    background threads (webhook delivery, the test harness) from interleaving inside a transaction.
    """

    def __init__(self, path: str | None = None, *, indexers: Mapping[str, Indexer] | None = None) -> None:
        """Open (or create) the store.

        Args:
            path: a database file; None keeps everything in memory.
            indexers: the list index definitions per kind; default: the emulator's
                (:data:`scalekit_py.emulator.indexes.INDEXERS`).
        """
        if indexers is None:
            from scalekit_py.emulator.indexes import INDEXERS

            indexers = INDEXERS
        self.path = path
        self._indexers = indexers
        self._conn = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(_SCHEMA + store_index.SCHEMA)
        self._lock = threading.RLock()
        self._epoch = secrets.token_hex(8)  # new on open and restore: no page token counts across them
        version = f"{store_index.INDEX_VERSION}:{','.join(sorted(indexers))}"
        if self.get_meta("index_version") != version:
            with self.transaction() as tx:
                store_index.reindex(tx._conn, indexers)
                tx._conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('index_version', ?)", (version,)
                )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn, self._indexers, self._epoch)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as tx:
            tx._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def snapshot(self) -> sqlite3.Connection:
        """A copy of every table in a new in-memory database (for :meth:`restore`)."""
        with self._lock:
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            self._conn.backup(copy)
            return copy

    def restore(self, snapshot: sqlite3.Connection) -> None:
        """Replace every table with a :meth:`snapshot` (SQLite's online backup: one fast page copy)."""
        with self._lock:
            snapshot.backup(self._conn)
            self._epoch = secrets.token_hex(8)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
