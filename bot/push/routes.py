"""``POST /api/goals/values``: a script records its goal's number with the goal's push token.

    curl -H "Authorization: Bearer $COACH_PUSH_TOKEN" -H "Content-Type: application/json" \\
         -d '{"value": 0.42, "run": "fold-3", "step": 1200}' "$COACH_PUBLIC_URL/api/goals/values"

Answers, each a JSON object with ``status`` and a short ``message``:

201 recorded (``new_best``, the goal's ``best``; ``out_of_order`` when the run already reached a
    later step: the value is kept, filed just before that step's, so the goal's latest value is
    still the run's latest), 200 already recorded (the same run and step again: a retry is
    harmless),
400 a body that is not what it should be, 401 no token, a wrong one or one replaced by a newer
    (the same answer for all, so nothing tells whether a token exists), 409 the goal is closed,
413 a body over 16 KB, 415 not JSON, 429 too fast for this token (``Retry-After``), 503 the
    database is unavailable (``Retry-After``).

The log names the goal and the outcome, never the token.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.events import Content, UserText, plain
from bot.numbers import shown
from bot.ports import Clock
from bot.prompts import Prompts, load_prompts
from bot.push.body import Push, Refused, read
from bot.push.pace import Pace
from bot.push.tokens import bearer, token_hash
from bot.schedule.readings import take
from bot.schedule.writes import writing
from bot.store import Database, StoreUnavailable, TenantScope
from bot.store.records.goals import Recorded
from bot.store.repos import tenant_for
from bot.store.views import GoalView, MetricValue, SourceRef
from bot.trackers import Reading

log = logging.getLogger(__name__)

PATH = "/api/goals/values"
MAX_BODY = 16 * 1024
JSON = "application/json"
UNAVAILABLE_RETRY = 30  # seconds a script waits when the database is down
EARLIER = timedelta(microseconds=1)  # how far before the run's latest an earlier step is filed


class PushRoutes:
    """The push endpoint, added to whatever HTTP server the run has.

    >>> server = OpsServer(readiness, routes=PushRoutes(db, clock).routes())
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        prompts: Prompts | None = None,
        pace: Pace | None = None,
    ) -> None:
        """``pace`` bounds how fast each token records (``bot.push.pace``); one per process."""
        self.db = db
        self.clock = clock
        self.prompts = prompts or load_prompts()
        self.pace = pace or Pace()

    def routes(self) -> list[web.RouteDef]:
        return [web.post(PATH, self.push)]

    async def push(self, request: web.Request) -> web.Response:
        try:
            return await self._push(request)
        except Refused as refused:
            where = "" if refused.goal_id is None else f" to goal {refused.goal_id}"
            log.info("push%s refused: %s", where, refused.code)
            return self._refusal(refused)
        except StoreUnavailable:
            log.warning("push not recorded: the database is unavailable")
            down = Refused(503, "unavailable", self.prompts.say("push_unavailable"))
            return self._refusal(down, UNAVAILABLE_RETRY)

    async def _push(self, request: web.Request) -> web.Response:
        now = self.clock.now()
        token = bearer(request.headers.get("Authorization"))
        if token is None:
            raise self._unknown_token()
        digest = token_hash(token)
        wait = self.pace.wait(digest, now.timestamp())
        if wait:
            log.info("push refused: too fast")
            refused = Refused(429, "too_fast", self.prompts.say("push_too_fast", seconds=wait))
            return self._refusal(refused, wait)
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise self._too_large()
        if request.content_type != JSON:
            raise Refused(415, "not_json", self.prompts.say("push_not_json"))
        source = await self.db.source_for_token(digest)
        if source is None or source.kind != "push":
            raise self._unknown_token()
        try:
            push = read(await self._body(request), now, self.prompts)
            # A write in its turn: on SQLite one writer at a time, or the poller's writes
            # would make a push wait out the busy timeout and fail.
            async with writing(self.db) as session:
                scope = TenantScope(session, await tenant_for(session, source.tenant, now))
                return await self._record(scope, source, push)
        except Refused as refused:
            refused.goal_id = source.goal_id
            raise

    async def _record(self, scope: TenantScope, source: SourceRef, push: Push) -> web.Response:
        goal = await scope.goal_by_id(source.goal_id)
        connected = None if goal is None else await scope.source(goal)
        if goal is None or connected is None or connected.id != source.source_id:
            # Disconnected or connected again since the token was looked up: it is no more.
            raise self._unknown_token()
        if goal.status != "active":
            key = "push_goal_achieved" if goal.status == "achieved" else "push_goal_abandoned"
            raise Refused(409, "goal_closed", self.prompts.say(key, goal=goal.ref))
        top = await self._run_top(scope, goal, push)
        # An earlier step of a run is filed just before the run's latest value, so the goal's
        # latest value (the check-in form's number, the chart's end) stays the run's latest.
        at = push.at if top is None else min(push.at, top.recorded_at - EARLIER)
        reading = Reading(push.value, push.run or "", push.step, at)
        # One reading a push: every rule counts it, and a new best claims its DM.
        recorded = await take(
            scope, goal, "push", [reading], "max", self.clock.now(), note=push.note
        )
        if not recorded:
            log.info("push to goal %d: already recorded", goal.id)
            return self._answer(200, "already_recorded", self._already(goal, push), goal)
        done = recorded[0]
        log.info(
            "push to goal %d: recorded%s%s",
            goal.id,
            ", a new best" if done.new_best else "",
            ", out of order" if top is not None else "",
        )
        words = self._recorded(goal, push, done, top)
        extra = {"new_best": done.new_best, "out_of_order": top is not None}
        return self._answer(201, "recorded", words, done.goal, **extra)

    async def _run_top(self, scope: TenantScope, goal: GoalView, push: Push) -> MetricValue | None:
        """The run's value at a later step than the push's, when there is one (out of order)."""
        if push.run is None or push.step is None:
            return None
        top = await scope.run_top(goal, push.run)
        later = top is not None and top.step is not None and top.step > push.step
        return top if later else None

    def _recorded(
        self, goal: GoalView, push: Push, done: Recorded, top: MetricValue | None
    ) -> Content:
        metric = UserText(goal.metric_name)
        value = shown(push.value)
        if top is not None:
            return self.prompts.say(
                "push_recorded_out_of_order",
                value=value,
                goal=goal.ref,
                metric=metric,
                run=UserText(push.run or ""),
                highest=top.step or 0,
            )
        if done.new_best and done.before is not None:
            before = shown(done.before.current_best, done.before.current_best_text)
            return self.prompts.say(
                "push_recorded_best", value=value, goal=goal.ref, metric=metric, before=before
            )
        return self.prompts.say("push_recorded", value=value, goal=goal.ref, metric=metric)

    def _already(self, goal: GoalView, push: Push) -> Content:
        run = UserText(push.run or "")
        if push.step is None:
            return self.prompts.say("push_already_run", run=run, goal=goal.ref)
        return self.prompts.say("push_already_step", run=run, step=push.step, goal=goal.ref)

    async def _body(self, request: web.Request) -> bytes:
        """The body, at most ``MAX_BODY`` bytes (a chunked body names no length up front). The
        server read it already, within its patience and aiohttp's own bound of 1 MB."""
        body = await request.read()
        if len(body) > MAX_BODY:
            raise self._too_large()
        return body

    def _too_large(self) -> Refused:
        return Refused(413, "too_large", self.prompts.say("push_too_large", limit=MAX_BODY))

    def _unknown_token(self) -> Refused:
        return Refused(401, "unauthorized", self.prompts.say("push_unauthorized"))

    def _answer(
        self, status: int, outcome: str, words: Content, goal: GoalView, **more: Any
    ) -> web.Response:
        body = {
            "status": outcome,
            "message": plain(words),
            "goal": goal.ref,
            "best": goal.current_best,
            **more,
        }
        return web.json_response(body, status=status)

    def _refusal(self, refused: Refused, retry_after: int | None = None) -> web.Response:
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        if refused.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        body = {"status": "refused", "error": refused.code, "message": plain(refused.message)}
        return web.json_response(body, status=refused.status, headers=headers)
