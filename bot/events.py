"""The whole protocol between the core and the adapters.

An adapter translates a platform event into one of the inbound events below, calls
``Coach.handle(event)`` and renders every returned intent. The core decides *what* is said
and to *whom*; the adapter decides *how* it looks.

Inbound:  CommandInvoked | FormSubmitted | ButtonPressed | MessageReceived | MessageSaved
          | HomeOpened | MemberJoined | MemberLeft | DmRefused | AppUninstalled
          (``MessageSaved``: "Save to notebook" on any message, a Slack message shortcut or a
          Discord message menu; answered with a pre-filled form)
Outbound: Reply (private to the actor) | DirectMessage | ChannelPost | HomeView
          (a Reply, DirectMessage or home GoalCard may carry a ``Chart``)
          | OpenForm | FormRejected | FileReady | TryAgainLater
          | FollowUp (last: after delivering the rest, ``await coach.follow_up(intent)``)

Text is a ``Content``: a tuple of the coach's own strings and ``UserText`` spans. Adapters show
coach strings as they are and escape ``UserText`` for their platform, so nothing a member wrote
can ping or link anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


@dataclass(frozen=True)
class TenantRef:
    """A workspace on one platform: a Slack team, a Discord guild, the console's local team."""

    platform: str
    external_id: str


@dataclass(frozen=True)
class Actor:
    """Who did something: one member of one tenant, as the platform knows them."""

    tenant: TenantRef
    user_id: str
    display_name: str = ""
    timezone: str | None = None
    is_admin: bool = False


@dataclass(frozen=True)
class Place:
    """Where something happened: a DM with the coach, or a channel (optionally a thread)."""

    kind: Literal["dm", "channel"]
    channel_id: str | None = None
    thread_id: str | None = None

    @classmethod
    def dm(cls) -> Place:
        return cls("dm")

    @classmethod
    def channel(cls, channel_id: str, thread_id: str | None = None) -> Place:
        return cls("channel", channel_id, thread_id)


@dataclass(frozen=True)
class UserText:
    """Words a member wrote. Adapters escape them before showing them anywhere."""

    text: str


@dataclass(frozen=True)
class Mention:
    """A deliberate ping of one member: only ever sent when a team turned tagging on."""

    user_id: str


Segment = str | UserText | Mention
Content = tuple[Segment, ...]


def content(*parts: Segment) -> Content:
    """Build message content, e.g. ``content("Saved: ", UserText(entry))``."""
    return tuple(p for p in parts if p != "")


def plain(
    body: Content,
    escape: Callable[[str], str] = str,
    mention: Callable[[str], str] = lambda user: f"@{user}",
) -> str:
    """Join content into one string: member words through ``escape``, mentions through
    ``mention`` (each platform writes its own ping syntax)."""
    return "".join(
        escape(p.text)
        if isinstance(p, UserText)
        else mention(p.user_id)
        if isinstance(p, Mention)
        else p
        for p in body
    )


class Action(StrEnum):
    """What a button does. Values are stable: platforms keep them in persisted messages."""

    PUBLISH_CHECKIN = "checkin.publish"
    START_REFLECTION = "reflect.start"
    NUDGE_HELPFUL = "nudge.helpful"
    NUDGE_UNHELPFUL = "nudge.unhelpful"
    OPEN_CHECKIN = "checkin.open"
    EDIT_CHECKIN = "checkin.edit"  # value: the check-in's id
    OPEN_SETTINGS = "settings.open"
    DRAFT_REVIEW = "review.draft"
    KEEP_REVIEW = "review.keep"
    EDIT_REVIEW = "review.edit"
    FORGET_CONFIRM = "forget.confirm"
    FORGET_CANCEL = "forget.cancel"
    PUBLISH_LEARNING = "reflect.publish"
    ABANDON_GOAL = "goal.abandon"
    KEEP_GOAL = "goal.keep"
    CONNECT_MLFLOW = "goal.connect.mlflow"  # value: the goal's number
    CONNECT_WANDB = "goal.connect.wandb"
    CONNECT_SCRIPT = "goal.connect.script"
    PREDICT_NEXT = "predict.open"  # the /predict form for a check-in's next experiment
    PREDICTION_HAPPENED = "predict.happened"
    PREDICTION_DID_NOT = "predict.not"
    OPEN_PREMORTEM = "goal.premortem"  # value: the goal's number
    QUARTERLY_BET = "quarterly.bet"  # value: the quarter reviewed, e.g. 2027-Q1
    POST_FAILED = "post.failed"  # handed back by an adapter (see ChannelPost), not a button


@dataclass(frozen=True)
class Button:
    label: str
    action: Action
    value: str = ""


class FieldKind(StrEnum):
    SHORT = "short"
    LONG = "long"
    NUMBER = "number"
    CHOICE = "choice"


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind = FieldKind.SHORT
    required: bool = False
    max_length: int = 3000
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    initial: str = ""
    # A credential: adapters never show it back, keep it or echo it in a message (it goes
    # to the core once, in the submission, and nowhere else).
    secret: bool = False


@dataclass(frozen=True)
class Form:
    """A form to fill in: a Slack/Discord modal, or questions one by one in the console."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Save"
    context: str = ""  # opaque to adapters; returned untouched in FormSubmitted


# --- inbound -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandInvoked:
    """``/goal set`` arrives as ``name="goal", text="set"``."""

    actor: Actor
    place: Place
    name: str
    text: str = ""


@dataclass(frozen=True)
class FormSubmitted:
    actor: Actor
    place: Place
    form_id: str
    values: Mapping[str, str]
    context: str = ""


@dataclass(frozen=True)
class FormClosed:
    """The member left a form before sending it (the console's Ctrl-C). ``values``: what they
    had answered so far, kept as a draft where the form reopens with one."""

    actor: Actor
    place: Place
    form_id: str
    values: Mapping[str, str]
    context: str = ""


@dataclass(frozen=True)
class ButtonPressed:
    actor: Actor
    place: Place
    action: str  # an Action value; kept a str so unknown values from old messages are answered
    value: str = ""


@dataclass(frozen=True)
class MessageReceived:
    """A plain message to the coach in DM (reflection answers arrive this way).

    ``delivery_id`` is the platform's id of this delivery: a retried delivery with the same id
    has no second effect.
    """

    actor: Actor
    place: Place
    text: str
    delivery_id: str = ""


@dataclass(frozen=True)
class MessageSaved:
    """The member chose "Save to notebook" on a message (anyone's, anywhere the platform lets
    them). ``text``: its words as the platform gave them, "" when there are none the coach can
    read (only an image or a file, or content hidden from the app); ``link``: where the
    message is, for the entry to point back to; ``author_name``: who wrote it, when known."""

    actor: Actor
    place: Place
    text: str
    link: str
    author_name: str = ""


@dataclass(frozen=True)
class HomeOpened:
    """The member opened the coach's home (Slack App Home; the console's /home). ``charts``:
    whether the platform's home shows pictures (Slack's App Home cannot show a private one:
    its goals come with their words alone, and none is drawn)."""

    actor: Actor
    charts: bool = True


@dataclass(frozen=True)
class MemberJoined:
    actor: Actor


@dataclass(frozen=True)
class MemberLeft:
    """The member is no longer in the tenant's server or workspace: nothing more is sent to
    them for it (their data stays theirs, to export or delete)."""

    actor: Actor


@dataclass(frozen=True)
class DmRefused:
    """The platform refused a DM to the member (their privacy settings close DMs): the coach
    records when, and answers nothing."""

    actor: Actor


@dataclass(frozen=True)
class AppUninstalled:
    tenant: TenantRef


Event = (
    CommandInvoked
    | FormSubmitted
    | FormClosed
    | ButtonPressed
    | MessageReceived
    | MessageSaved
    | HomeOpened
    | MemberJoined
    | MemberLeft
    | DmRefused
    | AppUninstalled
)


# --- outbound ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A picture of a number over time (PNG), for whoever the message carrying it is for: a
    member's own chart goes only where their words would (privately, unless they publish).
    ``alt`` says in words what it shows, for screen readers and where no image is shown."""

    filename: str
    png: bytes = field(repr=False)
    alt: str
    width: int = 0  # pixels, when known
    height: int = 0


@dataclass(frozen=True)
class Reply:
    """Private to the actor, where they are: an ephemeral message, or plain output in a DM."""

    body: Content
    buttons: tuple[Button, ...] = ()
    chart: Chart | None = None


@dataclass(frozen=True)
class DirectMessage:
    """A message in the member's DM with the coach."""

    user_id: str
    body: Content
    buttons: tuple[Button, ...] = ()
    chart: Chart | None = None


@dataclass(frozen=True)
class ChannelPost:
    """A message others can read. Only ever built from what a member chose to publish.

    ``confirm`` is told privately to the member once the post is made; if the platform refuses
    it, the adapter hands ``failed`` back to ``Coach.handle`` instead (the core then undoes what
    it marked, and says what to do), so a refused post can simply be tried again.
    """

    channel_id: str
    body: Content
    thread_id: str | None = None
    confirm: Content = ()
    failed: Event | None = None


@dataclass(frozen=True)
class GoalCard:
    """One goal on the home view; ``recent`` are its latest values, oldest first. Each number
    comes with its ``shown`` text, as the member typed it (``0.50`` stays ``0.50``): adapters
    print those, and may plot the values."""

    ref: int
    capability: str
    metric: str
    direction: str
    best: float | None
    target: float | None
    recent: tuple[float, ...]
    shown_best: str
    shown_target: str
    shown_recent: tuple[str, ...]
    chart: Chart | None = None
    # Where the platform can fetch the chart itself (a signed, expiring link under
    # COACH_PUBLIC_URL), for a home that shows only such images; "" when there is none.
    chart_url: str = ""


@dataclass(frozen=True)
class WorkCard:
    title: str
    link: str


@dataclass(frozen=True)
class HomeView:
    """The member's private home: active goals, best five works, the latest nudges.

    Every string in the cards is the member's own text; adapters escape them. Each of
    ``recent_nudges`` is what a nudge said (newest first), as content like any message.
    """

    user_id: str
    goals: tuple[GoalCard, ...]
    best_works: tuple[WorkCard, ...]
    recent_nudges: tuple[Content, ...]
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class OpenForm:
    form: Form


@dataclass(frozen=True)
class FormRejected:
    """A submitted form had errors; ``form`` carries the member's values as initial values."""

    form: Form
    errors: Mapping[str, str]


@dataclass(frozen=True)
class FileReady:
    """A private file for the actor (an export)."""

    filename: str
    data: str
    caption: str = ""


@dataclass(frozen=True)
class TryAgainLater:
    """The event could not be handled now (database unreachable, locked); nothing was saved.

    The adapter keeps what the member sent so they can retry without typing it again.
    """

    body: Content


@dataclass(frozen=True)
class FollowUp:
    """More may follow, later: the core asks for slow work (an LLM note) *after* the fast answer.

    Contract for adapters: deliver every other intent first (and acknowledge the platform), then
    call ``await coach.follow_up(intent)`` and deliver what it returns exactly as you delivered
    the replies to the event that produced this ``FollowUp`` (same member, same place; a
    ``Reply`` stays private to them). An empty list means nothing to add. It never raises and
    ends within the LLM timeout (COACH_LLM_TIMEOUT, default 8 s); run it where a slow answer
    holds up no one else (e.g. a background task). The token is opaque and single-use.
    """

    token: str


Intent = (
    Reply
    | DirectMessage
    | ChannelPost
    | HomeView
    | OpenForm
    | FormRejected
    | FileReady
    | TryAgainLater
    | FollowUp
)

__all__ = [
    "Action",
    "Actor",
    "AppUninstalled",
    "Button",
    "ButtonPressed",
    "ChannelPost",
    "Chart",
    "Choice",
    "CommandInvoked",
    "Content",
    "DirectMessage",
    "DmRefused",
    "Event",
    "FieldKind",
    "FileReady",
    "FollowUp",
    "Form",
    "FormField",
    "FormRejected",
    "FormSubmitted",
    "GoalCard",
    "HomeOpened",
    "HomeView",
    "Intent",
    "MemberJoined",
    "MemberLeft",
    "Mention",
    "MessageReceived",
    "MessageSaved",
    "OpenForm",
    "Place",
    "Reply",
    "Segment",
    "TenantRef",
    "TryAgainLater",
    "UserText",
    "WorkCard",
    "content",
    "plain",
]
