"""Retry is a value: an immutable policy plus pure backoff math shared by sync and async calls."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["DEFAULT_RETRY", "NO_RETRY", "RetryPolicy", "next_delay"]


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to retry a failed call.

    Attributes:
        initial_backoff: seconds before the first retry.
        max_backoff: cap on a single backoff, in seconds.
        multiplier: growth factor of the backoff per attempt.
        jitter: fraction (0..1) of each backoff that is randomised, to spread retries out.
        deadline: total seconds across all attempts (``None``: bounded by the call timeout only).
        max_attempts: attempts in all, the first included.
        retryable_codes: gRPC status names that may be retried.
        retry_writes: retry non-idempotent RPCs too (off by default: a write may have taken effect).
    """

    initial_backoff: float = 0.1
    max_backoff: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.2
    deadline: float | None = 30.0
    max_attempts: int = 5
    retryable_codes: frozenset[str] = field(default_factory=lambda: frozenset({"UNAVAILABLE"}))
    retry_writes: bool = False

    def __post_init__(self) -> None:
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.multiplier < 1:
            raise ValueError("backoffs must be >= 0 and multiplier >= 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within 0..1")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")

    def replace(self, **changes: object) -> RetryPolicy:
        """A copy with some attributes changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def applies_to(self, idempotent: bool) -> bool:
        return idempotent or self.retry_writes

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        base = min(self.max_backoff, self.initial_backoff * self.multiplier ** (attempt - 1))
        return base * (1 - self.jitter * rand())


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(max_attempts=1)


def next_delay(
    policy: RetryPolicy,
    attempt: int,
    elapsed: float,
    budget: float | None,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before another attempt, or ``None`` when no attempt is left in count or time.

    Args:
        policy: the retry policy.
        attempt: attempts made so far (1 after the first failure).
        elapsed: seconds since the first attempt started.
        budget: total seconds allowed for all attempts (``None``: unbounded).
        rand: source of jitter in [0, 1).
    """
    if attempt >= policy.max_attempts:
        return None
    delay = policy.backoff(attempt, rand)
    if budget is not None and elapsed + delay >= budget:
        return None
    return delay
