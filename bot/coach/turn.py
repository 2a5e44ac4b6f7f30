"""What every flow gets for one event: who, where, when, their repositories and the prompts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.events import Actor, Content, Place
from bot.prompts import Prompts, Value
from bot.store import TenantScope
from bot.store.models import Member


@dataclass
class Turn:
    actor: Actor
    place: Place
    now: datetime
    scope: TenantScope
    member: Member
    prompts: Prompts

    def say(self, key: str, **values: Value) -> Content:
        """The message ``key`` from prompts/messages.yaml, filled in."""
        return self.prompts.say(key, **values)
