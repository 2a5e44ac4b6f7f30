"""Translate in: a line typed in the terminal becomes a core event.

- ``/command args`` is a command typed in the team channel (``#team``);
- a plain line is a DM to the coach (reflection answers), unless a form is being filled in;
- a number right after a message with buttons presses that button;
- ``/tick 7d`` moves the clock forward and lets the scheduler do what falls due (only in the
  demo, ``research-coach console --demo``, whose database is thrown away);
- ``/home`` shows the member's home (goals and their numbers, best five, latest nudges);
- ``/save`` lists the channel messages shown lately, numbered; ``/save N`` saves one to the
  member's notebook with a note (a terminal has no message menu to choose "Save to notebook");
- a chart that comes with an answer is saved as a private PNG file under ``charts``, its path
  shown under the answer;
- ``/as NAME`` acts as another member of the same team; ``/retry`` resends what the database
  could not take; ``/quit`` ends the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from adapters.console import render
from adapters.console.messenger import ConsoleMessenger, charts_of, keep_chart
from adapters.console.recent import Recent
from bot.coach import Coach, export
from bot.events import (
    Actor,
    Button,
    ButtonPressed,
    ChannelPost,
    Chart,
    CommandInvoked,
    DirectMessage,
    Event,
    FieldKind,
    FileReady,
    FollowUp,
    Form,
    FormClosed,
    FormField,
    FormRejected,
    FormSubmitted,
    HomeOpened,
    HomeView,
    Intent,
    MessageReceived,
    MessageSaved,
    OpenForm,
    Place,
    Reply,
    TenantRef,
    TryAgainLater,
    plain,
)
from bot.ports import ManualClock, OffsetClock
from bot.private import write_private
from bot.schedule.runner import Scheduler

TEAM_CHANNEL = "team"
CLEAR = "-"  # the answer that empties an optional field that has a value
TICK_STEP = timedelta(minutes=30)  # fine enough that nothing falls outside its grace window
_UNITS = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}


def duration(text: str) -> timedelta | None:
    """``duration("7d") == timedelta(days=7)``; ``None`` for anything else."""
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in _UNITS or not text[:-1].isdigit():
        return None
    span = int(text[:-1]) * _UNITS[text[-1]]
    return span if timedelta() < span <= timedelta(weeks=52) else None


@dataclass
class FormInProgress:
    form: Form
    pending: list[int]  # indexes of the fields still to ask
    values: dict[str, str] = field(default_factory=dict)
    lines: list[str] | None = None  # an answer of several lines being typed (see takes_lines)

    @property
    def current(self) -> int:
        return self.pending[0]


class ConsoleSession:
    """One terminal session. ``await session.send("/goal list")`` returns what the coach said.

    >>> out = await ConsoleSession(coach, "lab", "ada", Path("exports")).send("/coach")

    Charts are saved in ``charts`` (by default ``charts`` beside ``exports``: both in the
    data folder).
    """

    def __init__(
        self,
        coach: Coach,
        team: str,
        member: str,
        exports: Path,
        scheduler: Scheduler | None = None,
        clock: OffsetClock | ManualClock | None = None,
        charts: Path | None = None,
    ) -> None:
        self.coach = coach
        self.scheduler = scheduler
        self.clock = clock
        self.charts = charts or exports.parent / "charts"
        self.messenger = ConsoleMessenger(lambda: self.member.lower(), self._offer, self.charts)
        self.tenant = TenantRef("console", team)
        self.member = member
        self.exports = exports
        self.form: FormInProgress | None = None
        self.buttons: tuple[Button, ...] = ()
        self.unsent: list[Event] = []  # what the database could not take, oldest first
        self.follow_ups: list[FollowUp] = []  # to redeem once the answer is shown
        self.finished = False
        self.recent = Recent()  # the channel messages shown lately, for /save
        self.messenger.heard = self.recent.heard  # what the coach posts on its own
        coach.forgetting.add(self._forget)

    @property
    def actor(self) -> Actor:
        # The console is one person's own team: they may change the team's settings too.
        return Actor(self.tenant, self.member.lower(), self.member, is_admin=True)

    @property
    def banner(self) -> str:
        """What the console says first; in the demo (where time moves), that it is one."""
        say = self.coach.prompts.say
        banner = plain(say("console_banner"))
        return banner + ("\n" + plain(say("console_demo_banner")) if self.clock else "")

    async def start(self) -> None:
        """Once, before the first line: the console's ``#team`` is the team channel from the
        start, so the week's digest and channel nudges have somewhere to go."""
        await self.coach.adopt_team_channel(self.tenant, TEAM_CHANNEL)

    def _say(self, key: str, **values: str | int) -> str:
        """What the console says of itself, as ``[console] …``."""
        return render.block("console", self.coach.prompts.say(key, **values))

    def _private(self, text: str) -> str:
        """``text`` labelled as seen only by the member at the keyboard."""
        return f"[{render.private(self.coach.prompts)}] {text}"

    @property
    def prompt(self) -> str:
        if self.form is not None:
            return f"{self.member} (form)> "
        return f"{self.member}> "

    async def send(self, line: str) -> str:
        """Take one typed line; return the coach's answer as terminal text."""
        line = line.rstrip("\r\n")
        stripped = line.strip()
        if stripped in ("/quit", "/exit"):
            self.finished = True
            return ""
        if stripped.split(" ", 1)[0] == "/as":  # not /ask
            return self._switch(stripped[3:].strip())
        if stripped.startswith("/tick"):
            return await self._tick(stripped[5:].strip())
        if stripped == "/home":
            return await self._dispatch(HomeOpened(self.actor))
        if stripped == "/retry":
            if not self.unsent:
                return self._say("console_retry_none")
            return await self._retry()
        if self.form is not None:
            return await self._answer_field(line)
        if stripped.split(" ", 1)[0] == "/save":  # in a form, a line is an answer
            return await self._save_message(stripped[5:].strip())
        if self.buttons and stripped.isdigit():
            return await self._press(int(stripped))
        if stripped.startswith("/"):
            name, _, text = stripped[1:].partition(" ")
            place = Place.channel(TEAM_CHANNEL)
            return await self._dispatch(CommandInvoked(self.actor, place, name, text.strip()))
        if not stripped:
            return ""
        return await self._dispatch(MessageReceived(self.actor, Place.dm(), line))

    async def interrupt(self) -> str:
        """Ctrl-C in a form: the form is closed, the answers so far kept as a draft (the coach
        says how to get them back). ``""`` when no form is open."""
        if self.form is None:
            return ""
        left, self.form = self.form, None
        event = FormClosed(
            self.actor,
            Place.channel(TEAM_CHANNEL),
            left.form.form_id,
            dict(left.values),
            left.form.context,
        )
        return await self._dispatch(event)

    def _offer(self, buttons: tuple[Button, ...]) -> None:
        self.buttons = buttons

    async def _tick(self, text: str) -> str:
        """Move the clock forward in steps, letting the scheduler do what falls due."""
        if self.clock is None:  # real time on real data: simulated dates would stay in it
            return self._say("console_tick_demo_only")
        span = duration(text)
        if span is None:
            return self._say("console_tick_usage")
        if self.scheduler is None:
            return self._say("console_tick_no_scheduler")
        shown: list[str] = []
        self.messenger.sink = shown.append
        try:
            left = span
            while left > timedelta():
                step = min(TICK_STEP, left)
                self.clock.advance(step)
                left -= step
                await self.scheduler.run_once()
        finally:
            self.messenger.sink = ConsoleMessenger._print
        now = self.clock.now()
        shown.append(self._say("console_tick_done", span=text, now=f"{now:%a %Y-%m-%d %H:%M}"))
        return "\n".join(shown)

    def _switch(self, name: str) -> str:
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            return self._say("console_as_usage")
        self.member, self.form, self.buttons = name, None, ()
        return self._say("console_as_done", name=name)

    async def _save_message(self, number: str) -> str:
        """``/save``: the channel messages shown lately, newest first; ``/save N``: message N
        to the notebook, through the same form as Slack's and Discord's "Save to notebook"."""
        recent = self.recent.newest_first()
        if not recent:
            return self._say("console_save_none")
        if not number:
            listed = ["   " + shown.line for shown in recent]
            return "\n".join([self._say("console_save_list"), *listed])
        if not number.isdecimal():
            return self._say("console_save_usage")
        shown = self.recent.find(int(number))
        if shown is None:
            return self._say("console_save_unknown", number=int(number))
        author = shown.author or render.words(self.coach.prompts, "console_save_by_coach")
        place = Place.channel(shown.channel)
        return await self._dispatch(MessageSaved(self.actor, place, shown.text, shown.link, author))

    def _heard(self, intent: Intent) -> None:
        """A channel post in answer to the member's own line is theirs: they published it."""
        if isinstance(intent, ChannelPost):
            text = plain(intent.body, render.safe)
            self.recent.heard(intent.channel_id, text, self.actor.user_id, self.member)

    async def _press(self, number: int) -> str:
        if not 1 <= number <= len(self.buttons):
            return self._say("console_button_range", count=len(self.buttons))
        chosen = self.buttons[number - 1]
        event = ButtonPressed(self.actor, Place.channel(TEAM_CHANNEL), chosen.action, chosen.value)
        return await self._dispatch(event)

    async def _answer_field(self, line: str) -> str:
        assert self.form is not None
        if line.strip() == "/cancel":
            self.form = None
            return self._say("console_form_cancelled")
        spec = self.form.form.fields[self.form.current]
        if render.takes_lines(spec):
            typed = self._lines(line)
            if typed is None:
                return ""  # more lines to come
            line = typed
        answer = line.strip()
        if not answer:
            answer = self._kept(spec)
        elif answer == CLEAR and not spec.required:
            answer = ""
        elif spec.kind is FieldKind.CHOICE and answer.isdigit():
            index = int(answer) - 1
            if not 0 <= index < len(spec.choices):
                return (
                    self._say("console_choice_range", count=len(spec.choices)) + "\n" + self._ask()
                )
            answer = spec.choices[index].value
        if spec.required and not answer:
            return self._say("console_required") + "\n" + self._ask()
        # Each answer is checked as it is typed, not after the last question.
        problem = self._problem(spec.name, answer)
        if problem is not None:
            return self._private(problem) + "\n" + self._ask()
        self.form.values[spec.name] = answer
        self.form.pending.pop(0)
        if self.form.pending:
            return self._ask()
        done, self.form = self.form, None
        # Every field keeps what the member answered; unasked ones keep their initial value.
        values = {f.name: done.values.get(f.name, f.initial) for f in done.form.fields}
        event = FormSubmitted(
            self.actor, Place.channel(TEAM_CHANNEL), done.form.form_id, values, done.form.context
        )
        return await self._dispatch(event)

    def _lines(self, line: str) -> str | None:
        """One line of an answer of several lines: the whole answer once a line holds only
        ``.`` (Enter or ``.`` first keeps the value shown), else ``None``."""
        assert self.form is not None
        if self.form.lines is None:
            if line.strip() in ("", "."):
                return ""
            self.form.lines = [line.rstrip()]
            return None
        if line.strip() == ".":
            typed, self.form.lines = "\n".join(self.form.lines), None
            return typed
        self.form.lines.append(line.rstrip())
        return None

    def _ask(self) -> str:
        assert self.form is not None
        fields = self.form.form.fields
        spec = fields[self.form.current]
        number = self.form.current + 1
        kept = self._kept(spec)
        refused = spec.initial if spec.initial != kept else ""
        shown = replace(spec, initial=kept)
        prompts = self.coach.prompts
        return render.question(shown, number, len(fields), self.form.form.title, prompts, refused)

    def _problem(self, name: str, answer: str) -> str | None:
        assert self.form is not None
        values = {**self.form.values, name: answer}
        return self.coach.check_answer(self.form.form, name, values)

    def _kept(self, spec: FormField) -> str:
        """What Enter keeps: the field's value so far, unless that value is refused (a draft
        or a rejected answer is asked again with nothing to keep)."""
        if not spec.initial or self._problem(spec.name, spec.initial) is not None:
            return ""
        return spec.initial

    async def _retry(self) -> str:
        """Send again, in order, everything the database could not take; what it still cannot
        take stays for the next /retry."""
        waiting, self.unsent = self.unsent, []
        out = []
        for number, event in enumerate(waiting):
            out.append(await self._dispatch(event))
            if self.unsent:  # still away: the rest waits too, in the same order
                self.unsent += waiting[number + 1 :]
                break
        return "\n".join(out)

    async def _dispatch(self, event: Event) -> str:
        intents = await self.coach.handle(event)
        if any(isinstance(i, TryAgainLater) for i in intents):
            # Kept until /retry gets it through: other commands meanwhile do not drop it.
            self.unsent.append(event)
        return self._show(intents)

    async def follow_up(self) -> str:
        """What the coach adds after its answer (an LLM note), once the answer is shown.

        ``run_console`` calls this after printing each answer; "" when there is nothing more.
        The follow-up is shown like the answer it follows; the answer's buttons stay pressable.
        """
        out: list[str] = []
        while self.follow_ups:
            extra = await self.coach.follow_up(self.follow_ups.pop(0))
            for intent in extra:
                text = render.message(intent, self.member.lower(), {})
                if text is not None:
                    out.append(text)
                self._heard(intent)
        return "\n".join(out)

    def _show(self, intents: list[Intent]) -> str:
        out: list[str] = []
        self.buttons = ()
        for intent in intents:
            match intent:
                case FollowUp():
                    self.follow_ups.append(intent)  # redeemed by follow_up(), after this answer
                case OpenForm(form=form):
                    self.form = FormInProgress(form, list(range(len(form.fields))))
                    out.append(self._ask())
                case FormRejected(form=form, errors=errors):
                    out.append(self._rejected(form, errors))
                case FileReady():
                    out.append(self._save(intent))
                case _:
                    text = render.message(intent, self.member.lower(), {})
                    if text is not None:
                        out.append(text)
                    self._heard(intent)
                    if pictures := self._pictures(intent):
                        out.append(pictures)
                    intent_buttons = getattr(intent, "buttons", ())
                    if intent_buttons:
                        self.buttons = intent_buttons
                        out.append(render.buttons(intent_buttons))
        return "\n".join(out)

    def _pictures(self, intent: Intent) -> str:
        """Each chart ``intent`` carries, saved as a private PNG file (a member's numbers are
        theirs alone): the lines that say what it shows and where it is; "" for none."""
        match intent:
            case Reply(chart=Chart() as chart):
                path = keep_chart(self.charts, self.member.lower(), chart)
                return render.chart_note(str(path), chart.alt)
            case DirectMessage(user_id=user, chart=Chart() as chart):
                return render.chart_note(str(keep_chart(self.charts, user, chart)), chart.alt)
            case HomeView(user_id=user, goals=cards):
                return "\n".join(
                    render.chart_note(str(keep_chart(self.charts, user, card.chart)), ref=card.ref)
                    for card in cards
                    if card.chart is not None
                )
        return ""

    def _rejected(self, form: Form, errors: Mapping[str, str]) -> str:
        """Say what was wrong and ask again only those fields, the member's text kept."""
        again = [i for i, f in enumerate(form.fields) if f.name in errors]
        lines = [self._private(errors[form.fields[i].name]) for i in again]
        self.form = FormInProgress(form, again, {f.name: f.initial for f in form.fields})
        return "\n".join([*lines, self._ask()])

    def _forget(self, tenant: TenantRef, user_id: str) -> None:
        """A member of this team was forgotten: their exports and charts leave the disk, and
        what this session keeps of theirs (a form, events to retry, LLM notes to come) goes
        too."""
        if tenant != self.tenant:
            return
        for path in [*export.files_of(self.exports, user_id), *charts_of(self.charts, user_id)]:
            path.unlink(missing_ok=True)
        self.unsent = [e for e in self.unsent if getattr(e, "actor", self.actor).user_id != user_id]
        self.recent.forget(user_id)
        if user_id == self.actor.user_id:
            self.form, self.buttons, self.follow_ups = None, (), []

    def _save(self, file: FileReady) -> str:
        path = self.exports / Path(file.filename).name  # never a path from elsewhere
        write_private(path, file.data)  # the member's own words: for their eyes only
        saved = self.coach.prompts.say("console_saved", caption=file.caption, path=str(path))
        return self._private(plain(saved))
