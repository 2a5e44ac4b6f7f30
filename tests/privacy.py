"""The privacy invariant, checked on every test of the suite: no text from a reflection, a
notebook entry, an unpublished check-in (or the never-published "what failed" of any check-in)
or the analysis (nudge evidence, nudge wordings) ever reaches a channel others read.

``tests/conftest.py`` runs it: per test, a ``Watch`` collects every channel post
(``channel_posts``) at each place one can be seen — the ``ChannelPost`` intents the coach
returns, what the console renders as a channel post, what each fake platform (Slack, Discord)
and each recording messenger of the scheduling tests took — the ``db`` fixture hands it the
test's private texts before the database goes (``private_texts``), and at teardown ``leaks``
compares the two. Counts go to the session's ``Ledger``, printed at the end of the run.

Texts are compared normalized (``normalize``: entities unescaped, case and punctuation gone),
so Slack's ``&amp;`` or Discord's ``\\*`` escaping does not hide a leak; texts shorter than
``MIN_CHARS`` are not checked (a "yes" is everywhere). A private text that is also public
(a published check-in says the same, it is a goal, or the coach's own channel wording
contains it) proves nothing and is left out.

Example:
    posts = [Outbound("slack chat.postMessage C1", "Ada shares: I was wrong about warmup")]
    privates = [Private("reflection", "I was wrong about warmup")]
    assert [leak.private.kind for leak in leaks(posts, privates)] == ["reflection"]
"""

from __future__ import annotations

import html
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from bot.coach.nudges import SIMILAR_TRIGGER
from bot.events import Action, ButtonPressed, ChannelPost, Intent, plain
from bot.store import Database
from bot.store.models import (
    BestWork,
    CheckIn,
    Draft,
    Goal,
    Member,
    NotebookEntry,
    NudgeRecord,
    Prediction,
    Reflection,
)
from tests.fakes.discord import EPHEMERAL, FakeDiscord
from tests.fakes.slack import FakeSlack
from tests.schedule.helpers import RecordingMessenger

MIN_CHARS = 12  # normalized characters; shorter texts match too much by chance
NEEDLE_CHARS = 80  # a long text is looked for by its start: a channel may show it clipped
PROMPTS = Path(__file__).parent.parent / "prompts"
# Drafts of these forms hold private words: a check-in, a review, a reflection answer, a note.
PRIVATE_DRAFTS = frozenset(
    {
        "checkin",
        "review",
        "reflection",
        "predict",
        "premortem",
        "quarterly",
        "/log",
        "/reflect",
        "/checkin",
        "/predict",
    }
)


@dataclass(frozen=True)
class Outbound:
    """One message shown in a channel others read: where, and all its text."""

    where: str
    text: str


@dataclass(frozen=True)
class Private:
    """A text only its author may see: ``kind`` says where it lives, ``ref`` which row."""

    kind: str
    text: str
    ref: str = ""  # "checkin:12" for a check-in's words


@dataclass(frozen=True)
class Leak:
    private: Private
    post: Outbound

    def __str__(self) -> str:
        return f"{self.private.kind} text {self.private.text[:60]!r} shown in {self.post.where}"


def normalize(text: str) -> str:
    """Lower-case words only: ``normalize("Ran &amp; *re-ran*!") == "ran re ran"``."""
    text = unicodedata.normalize("NFKC", html.unescape(text)).casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON-like value (keys excluded)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


# --- what went to a channel ----------------------------------------------------------------


def _slack_is_dm(channel: Any) -> bool:
    # D… is a DM; a user id (U…/W…) as channel posts into that user's DM.
    return not channel or str(channel)[0] in "DUW"


def slack_channel_posts(fake: FakeSlack) -> list[Outbound]:
    """What Slack took for a channel: posts and edits outside DMs, ``in_channel`` answers to a
    response_url, files shared in a channel. Ephemeral messages, DMs and views are private."""
    found = []
    for call in fake.accepted():
        args = call.args
        if call.method in ("chat.postMessage", "chat.update"):
            public = not _slack_is_dm(args.get("channel"))
        elif call.method == "response_url":
            public = args.get("response_type") == "in_channel"
        elif call.method == "files.completeUploadExternal":
            public = not _slack_is_dm(args.get("channel_id") or args.get("channels"))
            files = args.get("files") if isinstance(args.get("files"), list) else []
            uploads = [fake.uploads.get(str(f.get("id")), b"") for f in files]
            args = {**args, "_content": [u.decode("utf-8", "replace") for u in uploads]}
        else:
            public = False
        if public:
            where = f"slack {call.method} {args.get('channel') or args.get('channel_id') or ''}"
            found.append(Outbound(where.strip(), "\n".join(strings(args))))
    return found


def discord_channel_posts(fake: FakeDiscord) -> list[Outbound]:
    """What Discord took for a server channel: channel messages, threads' names, and
    interaction answers that are neither ephemeral nor in a DM."""
    dms = set(fake._dm_channels.values())
    interaction_of = dict(fake._tokens)  # token → interaction id
    ephemeral_original: set[int] = set()  # interactions whose first answer only the user sees
    found = []
    for call in fake.calls:
        if call.status >= 300:
            continue  # Discord refused it: nobody saw it
        body = call.json if isinstance(call.json, dict) else {}
        path = call.path
        if match := re.fullmatch(r"/channels/(\d+)/messages(?:/\d+/threads)?", path):
            public = call.method == "POST" and int(match[1]) not in dms
        elif match := re.fullmatch(r"/interactions/(\d+)/[^/]+/callback", path):
            interaction = int(match[1])
            data = body.get("data") or {}
            flags = int(data.get("flags") or 0) if isinstance(data, dict) else 0
            if body.get("type") in (4, 5) and flags & EPHEMERAL:
                ephemeral_original.add(interaction)
            # 4: a message; 7: the message the component is on, edited. 5, 6, 8, 9 show nothing
            # to others (a "thinking…" state, suggestions, a modal).
            shown = body.get("type") in (4, 7) and not (body.get("type") == 4 and flags & EPHEMERAL)
            public = shown and fake._where.get(interaction) not in dms
            body = data if isinstance(data, dict) else {}
        elif match := re.fullmatch(r"/webhooks/\d+/([^/]+)(/messages/(@original|\d+))?", path):
            interaction = interaction_of.get(match[1], 0)
            if fake._where.get(interaction) in dms or call.method == "DELETE":
                public = False
            elif match[3] == "@original":
                public = interaction not in ephemeral_original
            elif match[3] is not None:
                edited = fake.messages.get(int(match[3])) or {}
                public = not int(edited.get("flags") or 0) & EPHEMERAL
            else:
                public = not int(body.get("flags") or 0) & EPHEMERAL
        else:
            public = False
        if public:
            text = "\n".join(
                [*strings(body), *(f.decode("utf-8", "replace") for f in call.files.values())]
            )
            found.append(Outbound(f"discord {call.method} {path}", text))
    return found


@dataclass
class PostedIntents:
    """Records the ``ChannelPost`` intents seen at one place: what the coach decided to post
    (``Coach.handle``), or what the console rendered as a channel post (``render.message``)."""

    where: str
    posts: list[Outbound] = field(default_factory=list)
    # Check-ins the member chose to publish ("checkin:12"): a post the platform then refused
    # leaves them unpublished in the database, but their words were the member's to share.
    published: set[str] = field(default_factory=set)

    def seen(self, intent: Intent) -> None:
        if isinstance(intent, ChannelPost):
            self.posts.append(Outbound(f"{self.where} #{intent.channel_id}", plain(intent.body)))
            failed = intent.failed
            if isinstance(failed, ButtonPressed) and failed.action == Action.POST_FAILED:
                self.published.add(f"checkin:{failed.value}")


def channel_posts(fakes: Iterable[object], *seen: PostedIntents) -> list[Outbound]:
    """Every channel post of a test: what the coach decided, what the console showed, what
    each fake platform and recording messenger took."""
    found = [post for intents in seen for post in intents.posts]
    for fake in fakes:
        if isinstance(fake, FakeSlack):
            found += slack_channel_posts(fake)
        elif isinstance(fake, FakeDiscord):
            found += discord_channel_posts(fake)
        elif isinstance(fake, RecordingMessenger):
            found += [Outbound(f"messenger #{s.target}", s.text) for s in fake.posts()]
    return found


# --- what is private -----------------------------------------------------------------------


@cache
def coach_channel_wording() -> str:
    """Everything the coach itself may say in a channel, normalized and joined."""
    texts = []
    for name in ("messages.yaml", "channel_nudges.yaml"):
        texts += strings(yaml.safe_load((PROMPTS / name).read_text(encoding="utf-8")))
    return "\n".join(normalize(re.sub(r"\{\w+\}", "\n", t)) for t in texts)


@cache
def nudge_wordings() -> tuple[Private, ...]:
    """The fixed parts of every personal nudge: the coach's private analysis of a check-in."""
    catalogue = yaml.safe_load((PROMPTS / "nudges.yaml").read_text(encoding="utf-8"))
    found = []
    for nudge in catalogue["nudges"]:
        for text in [*nudge["wordings"], nudge.get("follow_up") or ""]:
            found += [Private("nudge", part) for part in re.split(r"\{\w+\}", text)]
    return tuple(found)


async def private_texts(db: Database) -> tuple[list[Private], list[str]]:
    """(the private texts in ``db``, the public texts it holds: published check-ins, goals,
    best works, names). Analysis scores are never stored; nudges given are (their evidence)."""
    async with db.session() as session:

        async def rows(*columns: Any) -> list[Any]:
            return list((await session.execute(select(*columns))).all())

        checkins = await rows(
            CheckIn.id,
            CheckIn.did,
            CheckIn.moves_goal,
            CheckIn.next_experiment,
            CheckIn.failed,
            CheckIn.published_at,
        )
        reflections = await rows(Reflection.topic, Reflection.answers)
        notes = await rows(NotebookEntry.text)
        nudges = await rows(NudgeRecord.trigger, NudgeRecord.checkin_id)
        drafts = await rows(Draft.form_id, Draft.values)
        predictions = await rows(Prediction.experiment)
        premortems = await rows(Goal.premortem)
        goals = await rows(Goal.capability, Goal.metric_name)
        works = await rows(BestWork.title, BestWork.link, BestWork.why)
        names = await rows(Member.display_name, Member.user_id)
    private: list[Private] = []
    public: list[str] = [t for row in (*goals, *works, *names) for t in row if t]
    unpublished = set()
    for id_, did, moves, experiment, failed, published_at in checkins:
        private.append(Private("check-in (what failed)", failed))
        if published_at is None:
            unpublished.add(id_)
            words = (did, moves, experiment)
            private += [Private("unpublished check-in", t, f"checkin:{id_}") for t in words]
        else:
            public += [did, moves, experiment]
    for topic, answers in reflections:
        private += [Private("reflection", t) for t in (topic, *strings(answers))]
    private += [Private("notebook", text) for (text,) in notes]
    private += [Private("prediction", text) for (text,) in predictions]
    private += [Private("pre-mortem", text) for (text,) in premortems if text]
    for trigger, checkin_id in nudges:
        if checkin_id is None or checkin_id in unpublished:
            private.append(Private("nudge evidence", trigger.removeprefix(SIMILAR_TRIGGER)))
    for form_id, values in drafts:
        if form_id in PRIVATE_DRAFTS:
            private += [Private(f"draft of {form_id}", t) for t in strings(values)]
    return private, public


# --- the comparison ------------------------------------------------------------------------


def _needle(text: str) -> str:
    norm = normalize(text)
    return norm[:NEEDLE_CHARS] if len(norm) > NEEDLE_CHARS else norm


def checked(privates: Iterable[Private], public: Iterable[str] = ()) -> list[Private]:
    """The private texts worth looking for: long enough, and not public anyway."""
    shared = "\n".join([coach_channel_wording(), *(normalize(t) for t in public if t)])
    found: dict[str, Private] = {}
    for private in privates:
        needle = _needle(private.text)
        if len(needle) >= MIN_CHARS and " " in needle and needle not in shared:
            found.setdefault(needle, private)
    return list(found.values())


@cache
def _lesson_prefix() -> str:
    """How a lesson a member chose to share from their reflection starts, normalized."""
    messages = yaml.safe_load((PROMPTS / "messages.yaml").read_text(encoding="utf-8"))
    before_line = str(messages["team_learning"]).split("{line}")[0]
    return normalize(before_line.split("}")[-1])


def leaks(posts: Iterable[Outbound], privates: Iterable[Private]) -> list[Leak]:
    """Each private text found in a channel post. A reflection's line the member published
    themselves ("… shares a lesson: <line>") is theirs to share and is not a leak."""
    shown = [(post, normalize(post.text)) for post in posts]
    found = []
    for private in privates:
        needle = _needle(private.text)
        for post, text in shown:
            if needle not in text:
                continue
            if private.kind == "reflection" and f"{_lesson_prefix()} {needle}" in text:
                continue
            found.append(Leak(private, post))
    return found


# --- per test and per run ------------------------------------------------------------------


@dataclass
class Ledger:
    """What the whole run checked."""

    tests: int = 0
    posts: int = 0
    private: int = 0
    # Tests that posted to channels with no database handed to their watch (one of their own).
    unread: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    seconds: float = 0.0  # spent reading databases and comparing, over the run

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def add(self, other: dict[str, Any]) -> None:
        """Another process's counts (``as_dict``) added to these."""
        self.tests += other["tests"]
        self.posts += other["posts"]
        self.private += other["private"]
        self.unread += other["unread"]
        self.leaks += other["leaks"]
        self.seconds += other["seconds"]

    def summary(self) -> str:
        return (
            f"privacy: {self.posts} channel messages in {self.tests} tests checked against "
            f"{self.private} private texts and {len(checked(nudge_wordings()))} nudge wordings; "
            f"{len(self.leaks)} leaks; {len(self.unread)} tests posted to channels from a "
            f"database of their own (not read); {self.seconds:.1f} s spent"
        )


@dataclass
class Watch:
    """One test's watch: what its coach posted, its console showed, its fakes took; the
    private texts of its database."""

    coach: PostedIntents = field(default_factory=lambda: PostedIntents("coach"))
    console: PostedIntents = field(default_factory=lambda: PostedIntents("console"))
    private: list[Private] = field(default_factory=list)
    public: list[str] = field(default_factory=list)
    databases: int = 0
    seconds: float = 0.0

    async def read(self, db: Database) -> None:
        """Take the private texts of ``db`` (call it before the database goes)."""
        began = time.perf_counter()
        private, public = await private_texts(db)
        self.private += private
        self.public += public
        self.databases += 1
        self.seconds += time.perf_counter() - began

    def check(self, fakes: Iterable[object], ledger: Ledger, name: str) -> list[Leak]:
        """The leaks of this test; the counts go to ``ledger``."""
        began = time.perf_counter()
        posts = channel_posts(fakes, self.coach, self.console)
        shared = self.coach.published | self.console.published
        privates = checked([p for p in self.private if p.ref not in shared], self.public)
        found = leaks(posts, [*privates, *checked(nudge_wordings())])
        ledger.tests += 1
        ledger.posts += len(posts)
        ledger.private += len(privates)
        if posts and not self.databases:
            ledger.unread.append(name)
        ledger.leaks += [f"{name}: {leak}" for leak in found]
        ledger.seconds += self.seconds + time.perf_counter() - began
        return found
