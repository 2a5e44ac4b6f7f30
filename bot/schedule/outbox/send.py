"""Sending one taken row through its workspace's Messenger: an in-doubt row is looked up on
the platform first, and marked sent (not sent again) when it is there; a platform error is a
failed try, retried later. A message's chart (the digest's team chart) is drawn and shown after
its words, in their thread (a digest's own thread, the first reply in it), where the messenger
can show pictures (``ChartPoster``); a chart that fails is logged and lost, never the words: the
row is sent once its words are."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.events import TenantRef
from bot.ports import ChartPoster, Clock, Messenger, NotKnownYet, Recipient
from bot.schedule.outbox.lease import Ready
from bot.schedule.outbox.marks import Marks
from bot.schedule.outbox.report import DrainReport, Outcome
from bot.schedule.outbox.retry import look_again_later, retry_later
from bot.store import Database

log = logging.getLogger(__name__)


class Sender:
    def __init__(self, db: Database, marks: Marks, clock: Clock) -> None:
        self.db = db
        self.marks = marks
        self.clock = clock

    async def send(
        self,
        messenger: Messenger,
        tenant: TenantRef,
        ready: Ready,
        now: datetime,
        report: DrainReport,
    ) -> None:
        """Get ``ready`` out once, and mark it sent (or found, or a failed try)."""
        message = ready.message
        if ready.in_doubt:
            found = await self.find(messenger, tenant, ready)
            if found is not None:
                log.info("delivery %s was out already (message %s)", ready.delivery_id, found)
                self.marks.add(ready.delivery_id, self.clock.now(), remembered(ready, found))
                report.found += 1
                report.count(ready.kind, Outcome.FOUND)
                return
        try:
            ts = ""
            if message.channel is not None:
                ts = await messenger.post(tenant, message.channel, message.body, message.thread)
            else:
                await messenger.send_dm(tenant, ready.target, message.body, message.buttons)
        except NotKnownYet as exc:  # the platform cannot confirm an earlier try yet: wait
            await look_again_later(
                self.db, ready.delivery_id, ready.kind, now, ready.taken_before, exc, report
            )
            return
        except Exception as exc:  # a platform error: retry later, never lose the row
            await retry_later(self.db, ready.delivery_id, now, exc, report)
            return
        self.marks.add(ready.delivery_id, self.clock.now(), remembered(ready, ts))
        report.sent += 1
        report.count(ready.kind, Outcome.SENT)
        if message.chart is not None and isinstance(messenger, ChartPoster):
            await self.show_chart(messenger, tenant, ready, ts)

    async def show_chart(
        self, messenger: ChartPoster, tenant: TenantRef, ready: Ready, ts: str
    ) -> None:
        """Draw the message's chart and show it where its words went: in the same DM, or in
        the thread of the channel message ``ts`` (the thread it was in, else its own). A
        failure is logged: the words are out, and sending them again for a picture would
        repeat them."""
        message = ready.message
        assert message.chart is not None
        try:
            chart = await message.chart.drawn()
            if message.channel is not None:
                thread = message.thread or ts or None
                await messenger.post_chart(tenant, message.channel, chart, thread)
            else:
                await messenger.send_dm_chart(tenant, ready.target, chart)
        except Exception as exc:  # the platform or the drawing: only the picture is lost
            log.warning(
                "delivery %s: its chart was not shown: %s", ready.delivery_id, type(exc).__name__
            )

    async def find(self, messenger: Messenger, tenant: TenantRef, ready: Ready) -> str | None:
        """The platform's id of this row's message if an earlier try got it out after all;
        ``None`` when it is not there, or the platform cannot tell (then it is sent: a second
        copy beats none at all)."""
        assert ready.taken_before is not None
        message = ready.message
        to = (
            Recipient(user_id=ready.target)
            if message.channel is None
            else Recipient(channel_id=message.channel, thread_id=message.thread)
        )
        try:
            return await messenger.find_sent(tenant, to, message.body, ready.taken_before)
        except Exception as exc:  # cannot tell: sending again beats not sending at all
            log.warning("delivery %s: cannot check the platform: %s", ready.delivery_id, exc)
            return None


def remembered(ready: Ready, ts: str) -> dict[str, Any] | None:
    """The row's detail once its message is out (the message's own, its id ``ts``); ``None``
    when there is nothing new to remember: the row keeps what it has."""
    if not ready.message.detail and not ts:
        return None
    return {**ready.detail, **ready.message.detail, **({"ts": ts} if ts else {})}
