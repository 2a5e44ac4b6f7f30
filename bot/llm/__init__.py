"""The optional LLM: an OpenAI-compatible chat-completions endpoint that phrases a follow-up
to a check-in in the context of the member's goal and recent check-ins, and gives a second
opinion on the analysis's signals (counted in ``LLMStats``; never acted on); and that judges
each check-in like the embedded analysis does (``bot.llm.judge``), the embedded verdict
standing whenever it gives no valid answer in time.

Configured by ``COACH_LLM_BASE_URL`` and ``COACH_LLM_MODEL`` (``COACH_LLM_API_KEY``,
``COACH_LLM_TIMEOUT`` and ``COACH_LLM_JUDGE_TIMEOUT`` optional); without them the coach never
calls an LLM.
"""

from __future__ import annotations

from bot.llm.client import ChatClient, LLMError, LLMStats
from bot.llm.followup import CheckInContext, FollowUps, PastCheckIn
from bot.llm.judge import Judge
from bot.prompts import Prompts
from bot.settings import Settings

__all__ = [
    "ChatClient",
    "CheckInContext",
    "FollowUps",
    "Judge",
    "LLMError",
    "LLMStats",
    "PastCheckIn",
    "follow_ups_from",
    "judge_from",
]


def follow_ups_from(settings: Settings, prompts: Prompts) -> FollowUps | None:
    """The follow-up service the settings ask for, or None when no LLM is configured."""
    if not settings.llm_base_url or not settings.llm_model:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    client = ChatClient(settings.llm_base_url, settings.llm_model, key, settings.llm_timeout)
    return FollowUps(client, prompts)


def judge_from(settings: Settings, prompts: Prompts) -> Judge | None:
    """The LLM judge of check-ins the settings ask for, or None when no LLM is configured.

    It has its own client and deadline (``COACH_LLM_JUDGE_TIMEOUT``): it answers while the
    member waits. ``prompts`` is taken as ``follow_ups_from`` takes it; the judge's own prompts
    are ``judge_system`` and ``judge_user`` in prompts/llm.yaml.
    """
    if not settings.llm_base_url or not settings.llm_model:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    client = ChatClient(settings.llm_base_url, settings.llm_model, key, settings.llm_judge_timeout)
    return Judge(client)
