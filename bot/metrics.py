"""The coach's Prometheus metrics, in one registry of their own (served at ``GET /metrics``).

Labels take only values the code itself chooses (platform names, command names, nudge ids,
delivery kinds, error kinds): never a user id, a team id or anything a member typed, so the
number of series stays small whatever the traffic.

Tests read values with ``REGISTRY.get_sample_value(name, labels)`` and compare before and after:
nothing here touches prometheus_client's global registry.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.exposition import choose_encoder

__all__ = [
    "ACK_SECONDS",
    "COMMANDS",
    "DELIVERIES",
    "KNOWN_COMMANDS",
    "LLM_CALLS",
    "LLM_FALLBACKS",
    "LLM_RETRIES",
    "NUDGES",
    "RATE_LIMITED",
    "REGISTRY",
    "TRACKER_POLLS",
    "TRACKER_READINGS",
    "command_handled",
    "exposition",
]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

# Every command any adapter offers; anything else is counted as "other".
KNOWN_COMMANDS = frozenset({"checkin", "goal", "reflect", "log", "review", "wins", "coach"})

COMMANDS = Counter(
    "coach_commands",
    "Slash commands the coach handled, by platform and command.",
    ["platform", "command"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "coach_ack_seconds",
    "From a command, button or form reaching the adapter to the platform's acknowledgement "
    "(Slack: the HTTP answer to POST /slack/events; Discord: the interaction's first "
    "response). Both platforms give up after 3 s.",
    ["platform"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 2.5, 3.0, 5.0),
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "coach_deliveries",
    "Scheduled deliveries by kind (checkin, reminder, digest, …; 'all' where the scheduler "
    "does not break them down) and outcome: sent; retried (a send failed, tried again later); "
    "failed (given up); missed (fell due during downtime, past the grace window).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "coach_rate_limited",
    "HTTP 429 answers received from a platform's API (retried or not).",
    ["platform"],
    registry=REGISTRY,
)
LLM_CALLS = Counter(
    "coach_llm_calls",
    "Check-in follow-ups that asked the LLM.",
    registry=REGISTRY,
)
LLM_RETRIES = Counter(
    "coach_llm_retries",
    "Second attempts of an LLM call after a timeout, a 5xx, a 429 or a network error.",
    registry=REGISTRY,
)
LLM_FALLBACKS = Counter(
    "coach_llm_fallbacks",
    "LLM follow-ups that added nothing (the template reply stood), by reason: timeout, http, "
    "network, malformed, error (unexpected) or expired (the follow-up's token was too old).",
    ["reason"],
    registry=REGISTRY,
)
NUDGES = Counter(
    "coach_nudges",
    "Nudges given in check-in replies, by nudge id (prompts/nudges) and form: 'nudge', or "
    "'question' when only the similarity to the example bank called for it.",
    ["nudge", "form"],
    registry=REGISTRY,
)

TRACKER_POLLS = Counter(
    "coach_tracker_polls",
    "Reads of the trackers goals are connected to, by tracker (mlflow, wandb) and outcome: ok, "
    "or why it failed (unreachable, slow, credentials, unknown_experiment, unknown_metric, "
    "bad_filter, bad_answer).",
    ["tracker", "outcome"],
    registry=REGISTRY,
)
TRACKER_READINGS = Counter(
    "coach_tracker_readings",
    "Values recorded from goals' trackers (each run and step once), by tracker.",
    ["tracker"],
    registry=REGISTRY,
)


def command_handled(platform: str, command: str) -> None:
    """Count one command; an unknown name counts as ``other`` (names are typed by members)."""
    name = command.lower().lstrip("/")
    COMMANDS.labels(platform, name if name in KNOWN_COMMANDS else "other").inc()


def exposition(accept: str | None = None) -> tuple[bytes, str]:
    """(body, content type) of ``GET /metrics``, in the format the scraper's Accept asks for.

    >>> body, content_type = exposition()
    >>> b"coach_commands" in body
    True
    """
    encoder, content_type = choose_encoder(accept or "")
    return encoder(REGISTRY), content_type
