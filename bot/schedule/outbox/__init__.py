"""The outbox: sends pending deliveries through each platform's Messenger, exactly once.

The rules, each kept by one module (and each proven by a test in ``tests/schedule``):

1. **Claim** (``bot.schedule.rows``): a delivery is one row per (tenant, target, kind,
   period), a unique key in the database: a second claim of a period adds nothing.
2. **Lease** (``lease``): only a pending row that is due is taken, and taking it moves its
   ``next_attempt_at`` ``LEASE`` ahead in the same statement: another outbox (a replica that
   just took over the lead, or the one that lost it) finds it not due and leaves it alone.
3. **Mark** (``marks``): a row is marked ``sent`` as soon as the platform took it (a batch at
   a time under a stream of sends, every ``MARK_EVERY``); a row not pending is never taken.
4. **In doubt** (``lease``): the first take is remembered (``taken_at``). A row taken before
   and still pending may have reached the platform all the same (the process died, or the
   answer or the mark was lost after the platform took it); it is taken again only once its
   lease has passed.
5. **Recovery lookup** (``send``): before an in-doubt row is sent, the Messenger is asked for
   a message with the same text to the same place since the first take (``find_sent``);
   found, the row is marked sent with that message's id and not sent again.
6. **Retry** (``retry``): a failed try (a platform error, or a message that could not be
   composed) leaves the row pending, due again after ``BACKOFF``; after ``MAX_ATTEMPTS``
   tries it is ``failed`` and never sent. A platform that cannot yet say whether an in-doubt
   row's earlier try is out (its Messenger raises ``NotKnownYet``: a rate-limited lookup) is
   asked again after ``LOOK_AGAIN`` without spending a try, for up to ``DOUBT_PATIENCE``.
7. **Give back** (``drain``): ``stop()`` ends a drain gently: nothing more is taken, the sends
   under way finish and are marked, and the rows taken and not sent are given back, due at
   once and not in doubt (they never left), so a restart or another replica sends them.

Hence **never two sends of one delivery**: a second send needs a second take; a take while
another outbox holds the row is refused by the lease, and a take of a row that may be out
looks for it first. The one exception is a platform that cannot tell (``find_sent`` fails):
then the row is sent, as a second copy beats none at all.

Workspaces are served side by side (``lanes``), each with its own worker (``drain``).
"""

from bot.schedule.outbox.drain import POLL, SENDERS, TAKE_EVERY, Outbox
from bot.schedule.outbox.lanes import AHEAD, TAKE, TOP_UP
from bot.schedule.outbox.lease import LEASE, PAGE, Ready
from bot.schedule.outbox.marks import MARK_EVERY
from bot.schedule.outbox.report import DrainReport, Outcome
from bot.schedule.outbox.retry import BACKOFF, DOUBT_PATIENCE, LOOK_AGAIN, MAX_ATTEMPTS

__all__ = [
    "AHEAD",
    "BACKOFF",
    "DOUBT_PATIENCE",
    "LEASE",
    "LOOK_AGAIN",
    "MARK_EVERY",
    "MAX_ATTEMPTS",
    "PAGE",
    "POLL",
    "SENDERS",
    "TAKE",
    "TAKE_EVERY",
    "TOP_UP",
    "DrainReport",
    "Outbox",
    "Outcome",
    "Ready",
]
