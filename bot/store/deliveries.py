"""What a delivery row says about itself: its kind and its status, as named values.

Both are ``StrEnum``s, so they equal the strings stored in the ``deliveries`` table (and any
code that still compares with a bare string keeps working).
"""

from __future__ import annotations

from enum import StrEnum


class DeliveryKind(StrEnum):
    """What a delivery is: which message the outbox composes for it."""

    CHECKIN = "checkin"  # the weekly check-in prompt, by DM
    REMINDER = "reminder"  # one reminder a period for a prompt left unanswered
    PAUSE = "pause"  # one note after weeks of silence: the prompts stop until they are back
    DIGEST = "digest"  # the team's weekly digest, in the team channel
    DIGEST_ITEM = "digest_item"  # a published check-in, a reply in its week's digest thread
    CHANNEL_NUDGE = "channel_nudge"  # a prompt to the team channel
    TAG = "tag"  # a channel message naming who has not checked in yet
    NOTEBOOK_REVIEW = "notebook_review"  # a prompt to review two weeks of notes
    NUDGE = "nudge"  # a nudge the member's goal history called for
    NEW_BEST = "new_best"  # a goal's source brought a new best: a DM offering a check-in
    SOURCE_NEWS = "source_news"  # what a goal's source first read, or why it cannot be read
    PREDICTED = "predicted"  # predictions a tracker's or a script's value settled, by DM
    QUARTERLY_REVIEW = "quarterly_review"  # the best five, reviewed: once a quarter (2027-Q1)


class DeliveryStatus(StrEnum):
    """Where a delivery stands. Only ``PENDING`` rows are ever sent."""

    PENDING = "pending"  # to send (again, after a failed try) once ``next_attempt_at`` passes
    SENT = "sent"  # the platform took it
    FAILED = "failed"  # given up after the last try
    SKIPPED = "skipped"  # nothing to say any more (the member left, nobody published)
    MISSED = "missed"  # fell due longer ago than the grace window: recorded, never sent late
    ANSWERED = "answered"  # the member checked in before the prompt went out
