"""The SQL token store of docs/sessions.md, on sqlite3; test_stores.py runs the store contract against it."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from scalekit_py.errors import SessionConflictError
from scalekit_py.sessions import SessionRecord, Versioned

SCHEMA = """
CREATE TABLE IF NOT EXISTS token_sessions (
    key     TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    record  TEXT NOT NULL
)
"""


class SqliteTokenStore:
    """A TokenStore in one SQLite table; versions are random UUIDs, so they never repeat."""

    def __init__(self, path: str) -> None:
        self._path = path
        with self._tx() as db:
            db.execute(SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    def get(self, key: str) -> Versioned | None:
        with self._tx() as db:
            row = db.execute("SELECT version, record FROM token_sessions WHERE key = ?", (key,)).fetchone()
        return None if row is None else Versioned(SessionRecord.from_json(row[1]), row[0])

    def put(self, key: str, record: SessionRecord, *, expected_version: str | None = None) -> str:
        version = uuid.uuid4().hex
        with self._tx() as db:
            if expected_version is None:
                db.execute(
                    "INSERT INTO token_sessions (key, version, record) VALUES (?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET version = excluded.version, record = excluded.record",
                    (key, version, record.to_json()),
                )
            else:
                done = db.execute(
                    "UPDATE token_sessions SET version = ?, record = ? WHERE key = ? AND version = ?",
                    (version, record.to_json(), key, expected_version),
                )
                if done.rowcount != 1:
                    raise SessionConflictError("session changed since it was read")
        return version

    def delete(self, key: str, *, expected_version: str | None = None) -> bool:
        with self._tx() as db:
            if expected_version is None:
                return db.execute("DELETE FROM token_sessions WHERE key = ?", (key,)).rowcount == 1
            done = db.execute(
                "DELETE FROM token_sessions WHERE key = ? AND version = ?", (key, expected_version)
            )
            if done.rowcount == 1:
                return True
            exists = db.execute("SELECT 1 FROM token_sessions WHERE key = ?", (key,)).fetchone()
            if exists:
                raise SessionConflictError("session changed since it was read")
            return False
