"""The life of an interaction token, as receiving-and-responding.mdx states it.

- The first response (the callback) must come within 3 seconds of the event and only once: a
  late one gets 404 ``10062 Unknown interaction``, a second one 400 ``40060 Interaction has
  already been acknowledged``.
- The token then lasts 15 minutes for follow-ups and edits (``/webhooks/{app}/{token}``): before
  the callback, after a missed deadline, or for a token never issued Discord answers 404
  ``10015 Unknown Webhook``; after 15 minutes 401 ``50027 Invalid Webhook Token``.

Time comes from ``clock`` (seconds, monotonic), so a test moves it instead of sleeping.

>>> life = InteractionLife()
>>> life.issued(1, "token-1")
>>> life.callback(1)  # None: accepted
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ACK_WINDOW = 3.0  # seconds to the first response
TOKEN_TTL = 15 * 60.0  # seconds a token serves follow-ups

Refusal = tuple[int, dict[str, Any]]

UNKNOWN_INTERACTION: Refusal = (404, {"message": "Unknown interaction", "code": 10062})
ALREADY_ACKNOWLEDGED: Refusal = (
    400,
    {"message": "Interaction has already been acknowledged.", "code": 40060},
)
UNKNOWN_WEBHOOK: Refusal = (404, {"message": "Unknown Webhook", "code": 10015})
INVALID_WEBHOOK_TOKEN: Refusal = (401, {"message": "Invalid Webhook Token", "code": 50027})


@dataclass
class Token:
    interaction_id: int
    issued_at: float
    answered_at: float | None = None


@dataclass
class InteractionLife:
    """Which interactions may still be answered, and which tokens still take follow-ups."""

    clock: Callable[[], float] = time.monotonic
    ack_window: float = ACK_WINDOW
    token_ttl: float = TOKEN_TTL
    _by_id: dict[int, Token] = field(default_factory=dict)
    _by_token: dict[str, Token] = field(default_factory=dict)

    def issued(self, interaction_id: int, token: str) -> None:
        """An INTERACTION_CREATE carrying ``token`` is on its way to the bot now."""
        issued = Token(interaction_id, self.clock())
        self._by_id[interaction_id] = issued
        self._by_token[token] = issued

    def interaction_of(self, token: str) -> int | None:
        issued = self._by_token.get(token)
        return issued.interaction_id if issued is not None else None

    def callback(self, interaction_id: int) -> Refusal | None:
        """Take the first response, or say why Discord refuses it."""
        issued = self._by_id.get(interaction_id)
        now = self.clock()
        if issued is None or now - issued.issued_at > self.ack_window:
            return UNKNOWN_INTERACTION
        if issued.answered_at is not None:
            return ALREADY_ACKNOWLEDGED
        issued.answered_at = now
        return None

    def follow_up(self, token: str) -> Refusal | None:
        """Take a follow-up or an edit on ``token``, or say why Discord refuses it."""
        issued = self._by_token.get(token)
        if issued is None or issued.answered_at is None:
            return UNKNOWN_WEBHOOK
        if self.clock() - issued.issued_at > self.token_ttl:
            return INVALID_WEBHOOK_TOKEN
        return None
