"""Token paging over in-memory lists (the catalogue mixes built-in entries with stored ones)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["Paged", "paged"]

T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page: ``items`` and the paging fields of a list response (:meth:`cursor`)."""

    items: list[T]
    next_page_token: str
    prev_page_token: str
    total_size: int

    def cursor(self) -> dict[str, Any]:
        return {
            "next_page_token": self.next_page_token,
            "prev_page_token": self.prev_page_token,
            "total_size": self.total_size,
        }


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"off:{offset}".encode()).decode().rstrip("=")


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        prefix, _, number = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().partition(":")
        if prefix != "off" or int(number) < 0:
            raise ValueError
        return int(number)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("invalid page_token") from exc


def paged(
    items: Sequence[T], page_size: int, page_token: str, *, default: int = 10, limit: int = 100
) -> Paged[T]:
    """The page of ``items`` at ``page_token``.

    Raises:
        ValueError: the token is not one this function issued (the handler answers INVALID_ARGUMENT).
    """
    start = _offset(page_token)
    size = min(page_size or default, limit)
    chunk = list(items[start : start + size])
    end = start + len(chunk)
    next_token = _token(end) if end < len(items) else ""
    prev_token = _token(max(start - size, 0)) if start > 0 else ""
    return Paged(chunk, next_token, prev_token, len(items))
