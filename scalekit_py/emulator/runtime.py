"""Everything a running emulator's HTTP and gRPC sides share, in one object handed to each of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scalekit_py.emulator.faults import Counters, Faults
from scalekit_py.emulator.keys import KeyRing
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.tokens import Tokens

if TYPE_CHECKING:
    from scalekit_py.emulator.webhooks import WebhookSender

__all__ = ["Runtime"]


@dataclass
class Runtime:
    """The parts of one emulator: shared state, signing keys, token issuer, faults and counters.

    Attributes:
        refresh_ttl: lifetime of refresh tokens (and of a login session), in seconds.
        code_ttl: lifetime of authorization codes, in seconds.
        webhooks: the webhook sender, when webhooks are configured.
        admin_token: when set, the ``/_emulator/`` controls want ``Authorization: Bearer <admin_token>``.
    """

    state: EmulatorState
    keys: KeyRing
    tokens: Tokens
    faults: Faults = field(default_factory=Faults)
    counters: Counters = field(default_factory=Counters)
    refresh_ttl: int = 30 * 24 * 3600
    code_ttl: int = 600
    webhooks: WebhookSender | None = None
    admin_token: str | None = field(default=None, repr=False)

    @property
    def admin_client_id(self) -> str:
        return self.state.client_id
