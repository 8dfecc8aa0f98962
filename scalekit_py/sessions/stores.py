"""Where sessions keep their tokens: the :class:`TokenStore` protocol and two implementations.

A store maps a session id to a :class:`~scalekit_py.sessions.SessionRecord` plus a *version*: an opaque
string that changes on every write and never repeats for a key, not even after a delete. Every write
can be conditional on the version the writer read (compare-and-set), so two writers — threads, tasks,
processes, machines — can never silently overwrite each other: the loser gets
:class:`~scalekit_py.errors.SessionConflictError` and the session reads again. See ``docs/sessions.md``
for writing a Redis or SQL store.

* :class:`InMemoryTokenStore`: one process; a dict behind a lock.
* :class:`FileTokenStore`: one JSON file per session in a directory, written atomically (temp file,
  fsync, rename) under an ``fcntl.flock`` lock file, so several processes on one machine can share it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from scalekit_py import errors
from scalekit_py.sessions._model import SessionRecord, Versioned

__all__ = ["AsyncTokenStore", "FileTokenStore", "InMemoryTokenStore", "TokenStore"]


@runtime_checkable
class TokenStore(Protocol):
    """A blocking session store with compare-and-set writes.

    Implementations must be safe to call from several threads at once. A store used by an
    ``AsyncAuthorizationSession`` is called in a worker thread, unless it has a true ``nonblocking``
    attribute (calls return without waiting for I/O or contended locks), like :class:`InMemoryTokenStore`.
    """

    def get(self, key: str) -> Versioned | None:
        """The record stored under ``key`` and its version, or ``None``."""
        ...

    def put(self, key: str, record: SessionRecord, *, expected_version: str | None = None) -> str:
        """Store ``record`` under ``key``; returns the new version.

        Args:
            key: the session id.
            record: the record to store.
            expected_version: write only if the stored version is this one (``None``: write
                unconditionally, creating or replacing).

        Raises:
            SessionConflictError: ``expected_version`` was given and the key is absent or at another
                version. Nothing was written.
        """
        ...

    def delete(self, key: str, *, expected_version: str | None = None) -> bool:
        """Remove ``key``; returns whether there was something to remove.

        Raises:
            SessionConflictError: ``expected_version`` was given and the key is at another version.
        """
        ...


@runtime_checkable
class AsyncTokenStore(Protocol):
    """The asyncio twin of :class:`TokenStore` (same semantics), for stores with an async client."""

    async def get(self, key: str) -> Versioned | None:
        """See :meth:`TokenStore.get`."""
        ...

    async def put(self, key: str, record: SessionRecord, *, expected_version: str | None = None) -> str:
        """See :meth:`TokenStore.put`."""
        ...

    async def delete(self, key: str, *, expected_version: str | None = None) -> bool:
        """See :meth:`TokenStore.delete`."""
        ...


def _conflict(key_hint: str) -> errors.SessionConflictError:
    return errors.SessionConflictError(f"session {key_hint} changed since it was read")


class InMemoryTokenStore:
    """A :class:`TokenStore` in this process's memory (lost on exit). Thread-safe and non-blocking.

    Example:
        >>> store = InMemoryTokenStore()
        >>> session = AuthorizationSession("user-42", store=store, refresher=oauth)
    """

    nonblocking = True

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, Versioned] = {}
        self._versions = itertools.count(1)

    def get(self, key: str) -> Versioned | None:
        """See :meth:`TokenStore.get`."""
        with self._lock:
            return self._data.get(key)

    def put(self, key: str, record: SessionRecord, *, expected_version: str | None = None) -> str:
        """See :meth:`TokenStore.put`."""
        with self._lock:
            current = self._data.get(key)
            if expected_version is not None and (current is None or current.version != expected_version):
                raise _conflict("in memory")
            version = str(next(self._versions))
            self._data[key] = Versioned(record, version)
            return version

    def delete(self, key: str, *, expected_version: str | None = None) -> bool:
        """See :meth:`TokenStore.delete`."""
        with self._lock:
            current = self._data.get(key)
            if current is None:
                return False
            if expected_version is not None and current.version != expected_version:
                raise _conflict("in memory")
            del self._data[key]
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def __repr__(self) -> str:
        return f"InMemoryTokenStore(sessions={len(self)})"


class FileTokenStore:
    """A :class:`TokenStore` of JSON files in one directory, shareable by several processes on one machine.

    Each session lives in ``<sha256(session id)>.json`` (mode 0600; the directory is created 0700), so
    session ids never become paths. A write takes an exclusive ``fcntl.flock`` on the session's
    ``.lock`` file, compares versions, writes a temporary file, fsyncs it, renames it over the old one
    and fsyncs the directory: readers never see a partial file and a crash leaves the old or the new
    record, never a mix. Reads take no lock. POSIX only.

    Args:
        directory: where the files go.
        fsync: fsync files and the directory on every write (turn off only for tests).

    Example:
        >>> store = FileTokenStore("/var/lib/myapp/sessions")
    """

    def __init__(self, directory: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self._dir = Path(directory)
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._fsync = fsync

    @property
    def directory(self) -> Path:
        return self._dir

    def _paths(self, key: str) -> tuple[Path, Path]:
        name = hashlib.sha256(key.encode()).hexdigest()[:40]
        return self._dir / f"{name}.json", self._dir / f"{name}.lock"

    @contextmanager
    def _locked(self, lock_path: Path) -> Iterator[None]:
        import fcntl

        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @staticmethod
    def _read(path: Path, key: str) -> Versioned | None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("version"), str):
            raise ValueError(f"{path.name} is not a session file of this key")
        return Versioned(SessionRecord.from_dict(data["record"]), data["version"])

    def _sync_dir(self) -> None:
        if not self._fsync:
            return
        fd = os.open(self._dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def get(self, key: str) -> Versioned | None:
        """See :meth:`TokenStore.get`.

        Raises:
            OSError: the file could not be read.
            ValueError: the file is not a session file.
        """
        return self._read(self._paths(key)[0], key)

    def put(self, key: str, record: SessionRecord, *, expected_version: str | None = None) -> str:
        """See :meth:`TokenStore.put`.

        Raises:
            SessionConflictError: see :meth:`TokenStore.put`.
            OSError: the file could not be written (the old one is intact).
        """
        path, lock = self._paths(key)
        with self._locked(lock):
            if expected_version is not None:
                current = self._read(path, key)
                if current is None or current.version != expected_version:
                    raise _conflict(path.stem[:8])
            version = uuid.uuid4().hex
            body = json.dumps({"key": key, "version": version, "record": record.to_dict()}).encode()
            fd, tmp = tempfile.mkstemp(dir=self._dir, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(body)
                    fh.flush()
                    if self._fsync:
                        os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._sync_dir()
            return version

    def delete(self, key: str, *, expected_version: str | None = None) -> bool:
        """See :meth:`TokenStore.delete`.

        Raises:
            SessionConflictError: see :meth:`TokenStore.delete`.
            OSError: the file could not be removed.
        """
        path, lock = self._paths(key)
        with self._locked(lock):
            if expected_version is not None:
                current = self._read(path, key)
                if current is None:
                    return False
                if current.version != expected_version:
                    raise _conflict(path.stem[:8])
            try:
                path.unlink()
            except FileNotFoundError:
                return False
            self._sync_dir()
            return True

    def __repr__(self) -> str:
        return f"FileTokenStore(directory={str(self._dir)!r})"
