"""Fault injection and counters, for reliability tests and benchmarks.

:class:`Faults` decides, per RPC or token request, whether to fail it: by rate (random, seedable) or for
the next *N* requests (deterministic). :class:`Counters` counts RPCs by (method path, status code name)
and token requests by (grant type, HTTP status). Both are thread-safe: they are changed from test code
while the server's event loop reads them, and both are exposed over HTTP under ``/_emulator/``.

Example:
    >>> emu.faults.set(rpc_unavailable_next=2)  # the next two RPCs fail with UNAVAILABLE
    >>> emu.counters.rpcs(code="UNAVAILABLE")
    2
"""

from __future__ import annotations

import dataclasses
import math
import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

__all__ = ["Counters", "FaultSettings", "Faults"]


@dataclass(frozen=True)
class FaultSettings:
    """What to inject. Rates are probabilities in [0, 1]; ``*_next`` counts are consumed one per request.

    Attributes:
        rpc_unavailable_rate: share of RPCs answered with UNAVAILABLE.
        rpc_unavailable_next: the next N RPCs are answered with UNAVAILABLE.
        rpc_drop_rate: share of RPCs whose stream is reset without a status (a dropped connection).
        rpc_drop_next: the next N RPCs are dropped.
        rpc_drop_response_rate: share of RPCs that are handled (a write commits) and then dropped instead of
            answered: the client cannot know the outcome.
        rpc_drop_response_next: the next N RPCs are handled, then dropped instead of answered.
        rpc_latency_ms: added before every RPC is handled.
        methods: RPC faults apply only to these methods (full path ``/pkg.Service/Method`` or bare
            ``Method``); empty means every method. Latency applies to the same methods.
        token_error_rate: share of ``/oauth/token`` requests answered with ``token_error_status``.
        token_error_next: the next N token requests are answered with ``token_error_status``.
        token_error_status: HTTP status of an injected token-endpoint failure (500, 503, 429, ...).
        token_latency_ms: added before every token request is handled.
        retry_after: ``Retry-After`` seconds sent with an injected 429 or 503.
    """

    rpc_unavailable_rate: float = 0.0
    rpc_unavailable_next: int = 0
    rpc_drop_rate: float = 0.0
    rpc_drop_next: int = 0
    rpc_drop_response_rate: float = 0.0
    rpc_drop_response_next: int = 0
    rpc_latency_ms: float = 0.0
    methods: tuple[str, ...] = ()
    token_error_rate: float = 0.0
    token_error_next: int = 0
    token_error_status: int = 503
    token_latency_ms: float = 0.0
    retry_after: int = 1

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``methods`` as a list)."""
        out = dataclasses.asdict(self)
        out["methods"] = list(self.methods)
        return out


_FIELDS = {f.name: f for f in dataclasses.fields(FaultSettings)}
_MAX_LATENCY_MS = 600_000
_MAX_COUNT = 1_000_000_000


def _coerce(name: str, value: Any) -> Any:
    if name not in _FIELDS:
        raise ValueError(f"unknown fault setting {name!r}; known: {', '.join(sorted(_FIELDS))}")
    if name == "methods":
        if isinstance(value, str) or not all(isinstance(v, str) for v in value):
            raise ValueError("methods must be a list of method names")
        return tuple(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number")
    if isinstance(value, float) and not math.isfinite(value):  # JSON 1e309 / NaN: stalls or 500s
        raise ValueError(f"{name} must be a finite number")
    if name.endswith("_ms") and value > _MAX_LATENCY_MS:
        raise ValueError(f"{name} must be at most {_MAX_LATENCY_MS} (10 minutes)")
    if not name.endswith(("_rate", "_ms")) and value > _MAX_COUNT:
        raise ValueError(f"{name} must be at most {_MAX_COUNT}")
    if name.endswith("_rate"):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1")
        return float(value)
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    if name == "token_error_status" and not 400 <= value <= 599:
        raise ValueError("token_error_status must be an HTTP error status (400-599)")
    return float(value) if name.endswith("_ms") else int(value)


class Faults:
    """The current fault settings of one emulator, changed at runtime from Python or HTTP.

    Args:
        seed: seed of the random source used for rates (for reproducible runs).
    """

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._random = random.Random(seed)

    def __repr__(self) -> str:
        return f"Faults({self.settings!r})"

    @property
    def settings(self) -> FaultSettings:
        """A snapshot of the current settings."""
        with self._lock:
            return self._settings

    def set(self, **changes: Any) -> FaultSettings:
        """Change some settings (the others keep their values).

        Raises:
            ValueError: an unknown setting or a value out of range; nothing is changed.
        """
        coerced = {name: _coerce(name, value) for name, value in changes.items()}
        with self._lock:
            self._settings = dataclasses.replace(self._settings, **coerced)
            return self._settings

    def clear(self) -> None:
        """Back to no faults at all."""
        with self._lock:
            self._settings = FaultSettings()

    def _applies(self, method: str) -> bool:
        methods = self._settings.methods
        return not methods or method in methods or method.rsplit("/", 1)[-1] in methods

    def rpc_latency(self, method: str) -> float:
        """Seconds to wait before handling an RPC of ``method`` (its full path)."""
        with self._lock:
            return self._settings.rpc_latency_ms / 1000 if self._applies(method) else 0.0

    def _take(self, method: str, next_name: str, rate_name: str) -> bool:
        """Whether a fault of this kind hits this RPC (consumes one ``<next_name>`` when it does)."""
        with self._lock:
            s = self._settings
            if not self._applies(method):
                return False
            left = getattr(s, next_name)
            if left > 0:
                self._settings = dataclasses.replace(s, **{next_name: left - 1})
                return True
            rate = getattr(s, rate_name)
            return bool(rate) and self._random.random() < rate

    def take_rpc_drop(self, method: str) -> bool:
        """Whether to drop this RPC's connection before handling it (consumes one ``rpc_drop_next``)."""
        return self._take(method, "rpc_drop_next", "rpc_drop_rate")

    def take_rpc_drop_response(self, method: str) -> bool:
        """Whether to handle this RPC, then drop its connection instead of answering (consumes one
        ``rpc_drop_response_next``)."""
        return self._take(method, "rpc_drop_response_next", "rpc_drop_response_rate")

    def take_rpc_unavailable(self, method: str) -> bool:
        """Whether to answer this RPC with UNAVAILABLE (consumes one ``rpc_unavailable_next``)."""
        return self._take(method, "rpc_unavailable_next", "rpc_unavailable_rate")

    def token_latency(self) -> float:
        """Seconds to wait before handling a token request."""
        with self._lock:
            return self._settings.token_latency_ms / 1000

    def take_token_fault(self) -> int | None:
        """The HTTP status to fail this token request with, or None to handle it."""
        with self._lock:
            s = self._settings
            if s.token_error_next > 0:
                self._settings = dataclasses.replace(s, token_error_next=s.token_error_next - 1)
                return s.token_error_status
            if s.token_error_rate and self._random.random() < s.token_error_rate:
                return s.token_error_status
            return None


class Counters:
    """Counts of RPCs and token requests since start (or the last :meth:`reset`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rpcs: Counter[tuple[str, str]] = Counter()
        self._tokens: Counter[tuple[str, int]] = Counter()

    def __repr__(self) -> str:
        with self._lock:
            return f"Counters(rpcs={sum(self._rpcs.values())}, token_requests={sum(self._tokens.values())})"

    def record_rpc(self, method: str, code: str) -> None:
        with self._lock:
            self._rpcs[(method, code)] += 1

    def record_token(self, grant_type: str, status: int) -> None:
        with self._lock:
            self._tokens[(grant_type, status)] += 1

    def rpcs(self, method: str | None = None, code: str | None = None) -> int:
        """RPCs counted, optionally for one method (full path or bare name) and/or status code name."""
        with self._lock:
            return sum(
                n
                for (m, c), n in self._rpcs.items()
                if (method is None or method in (m, m.rsplit("/", 1)[-1])) and (code is None or code == c)
            )

    def token_requests(self, grant_type: str | None = None, status: int | None = None) -> int:
        """Requests to ``/oauth/token``, optionally for one grant type and/or HTTP status."""
        with self._lock:
            return sum(
                n
                for (g, s), n in self._tokens.items()
                if (grant_type is None or g == grant_type) and (status is None or s == status)
            )

    def snapshot(self) -> dict[str, dict[str, dict[str, int]]]:
        """``{"rpcs": {method: {code: n}}, "token_requests": {grant_type: {status: n}}}``."""
        with self._lock:
            rpcs: dict[str, dict[str, int]] = {}
            for (m, c), n in sorted(self._rpcs.items()):
                rpcs.setdefault(m, {})[c] = n
            tokens: dict[str, dict[str, int]] = {}
            for (g, s), n in sorted(self._tokens.items()):
                tokens.setdefault(g, {})[str(s)] = n
            return {"rpcs": rpcs, "token_requests": tokens}

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self._rpcs.clear()
            self._tokens.clear()
