"""``/goal connect N [mlflow|wandb|script]`` and ``/goal disconnect N``: a goal's number read
from MLflow or Weights & Biases, or pushed by any script with the goal's own token.

Connecting never calls the tracker in the member's turn (Slack wants an answer within 3 s): the
source is stored with its first read due now, and polling reads it within a minute and tells
the member what it found. A credential is sealed before it is stored and is never shown back,
kept in a draft, logged or exported; a push token is shown once, and only its hash is kept.

    >>> await start(turn, goal, "")  # three buttons: MLflow, Weights & Biases, Any script
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from urllib.parse import urlsplit

from bot.coach import forms
from bot.coach.provenance import as_one, source_words
from bot.coach.submission import rejection
from bot.coach.turn import Turn
from bot.events import (
    Action,
    Button,
    Choice,
    FieldKind,
    Form,
    FormField,
    Intent,
    OpenForm,
    Reply,
    Segment,
    UserText,
)
from bot.push import PATH, new_token, token_hash, token_hint
from bot.store.installations import Tokens
from bot.store.views import GoalView, SourceView

# What a member may call each kind in ``/goal connect N <kind>``; "push" is the stored name.
KINDS = {"mlflow": "mlflow", "wandb": "wandb", "w&b": "wandb", "script": "push", "push": "push"}
FORM_IDS = {"mlflow": "connect_mlflow", "wandb": "connect_wandb"}
# Fields holding a credential: never kept in a draft, shown back, logged or exported.
SECRETS = frozenset({"credential", "api_key"})
ADDRESSES = ("tracking_url", "api_url")  # refused with a login in them, which is not kept
WANDB_API = "https://api.wandb.ai"
FILTERS_EXAMPLE = '{"tags":"fold"}'
# The choices of "which value counts", and the rule each stores (``TrackerConfig.rule``);
# "goal" counts the best run the way the goal's direction says.
RULES = {"higher": "max", "lower": "min", "latest": "latest"}
ASKED = "_asked_rule"  # in the form's draft: the answer the direction question was asked about
PUSH_BODY = '{"value":0.42,"run":"RUN","step":3}'


def kind_of(word: str) -> str | None:
    """The stored kind a member's word names: ``kind_of("script") == "push"``; else ``None``."""
    return KINDS.get(word.strip().lower())


async def start(turn: Turn, goal: GoalView, kind: str) -> list[Intent]:
    """Connect ``goal``: with no ``kind``, ask which; a tracker's form; a script's token."""
    if goal.status != "active":
        return [Reply(turn.say("connect_closed", ref=goal.ref, status=goal.status))]
    if not kind:
        ref = str(goal.ref)
        offers = (
            Button(turn.words("button_connect_mlflow"), Action.CONNECT_MLFLOW, ref),
            Button(turn.words("button_connect_wandb"), Action.CONNECT_WANDB, ref),
            Button(turn.words("button_connect_script"), Action.CONNECT_SCRIPT, ref),
        )
        asked = turn.say("connect_which", ref=goal.ref, metric=UserText(goal.metric_name))
        return [Reply(asked, offers)]
    if kind == "push":
        return await _script(turn, goal)
    form = tracker_form(turn, kind, goal)
    draft = await turn.scope.draft(turn.member, form.form_id)
    if draft is None:  # connected before: its settings, to change what was wrong
        source = await turn.scope.source(goal)
        if source is not None and source.kind == kind:
            form = forms.with_values(form, _answers(source, goal))
    return [OpenForm(await turn.with_draft(form))]


def tracker_form(turn: Turn, kind: str, goal: GoalView) -> Form:
    """The form connecting ``goal`` to MLflow (``kind="mlflow"``) or W&B (``"wandb"``); each
    fits a Discord modal (five fields, and the choice asked before them)."""
    w = partial(forms.words, prompts=turn.prompts)
    rule = FormField(
        "rule",
        w("connect_form_rule"),
        FieldKind.CHOICE,
        required=True,
        choices=(
            Choice(w("connect_rule_goal"), "goal"),
            Choice(w("connect_rule_higher"), "higher"),
            Choice(w("connect_rule_lower"), "lower"),
            Choice(w("connect_rule_latest"), "latest"),
        ),
        initial="goal",
    )
    metric = FormField(
        "metric",
        w("connect_form_metric"),
        required=True,
        max_length=250,
        hint=w("connect_form_wandb_metric_hint" if kind == "wandb" else "connect_form_metric_hint"),
    )
    if kind == "mlflow":
        fields: tuple[FormField, ...] = (
            FormField(
                "tracking_url",
                w("connect_form_url"),
                required=True,
                max_length=500,
                hint=w("connect_form_url_hint"),
            ),
            FormField("experiment", w("connect_form_experiment"), required=True, max_length=250),
            metric,
            FormField(
                "run_filter",
                w("connect_form_run_filter"),
                max_length=1000,
                hint=w("connect_form_run_filter_hint"),
            ),
            rule,
            FormField(
                "credential",
                w("connect_form_credential"),
                max_length=2000,
                hint=w("connect_form_credential_hint"),
                secret=True,
            ),
        )
        title = w("connect_mlflow_title")
    else:
        fields = (
            FormField(
                "project",
                w("connect_form_project"),
                required=True,
                max_length=250,
                hint=w("connect_form_project_hint"),
            ),
            metric,
            FormField(
                "filters",
                w("connect_form_filters"),
                FieldKind.LONG,
                max_length=2000,
                hint=w("connect_form_filters_hint", example=FILTERS_EXAMPLE),
            ),
            rule,
            FormField(
                "api_key",
                w("connect_form_api_key"),
                required=True,
                max_length=500,
                hint=w("connect_form_api_key_hint"),
                secret=True,
            ),
            FormField(
                "api_url",
                w("connect_form_api_url"),
                max_length=500,
                hint=w("connect_form_api_url_hint", url=WANDB_API),
            ),
        )
        title = w("connect_wandb_title")
    return Form(
        FORM_IDS[kind], title, fields, submit_label=w("connect_form_submit"), context=str(goal.ref)
    )


def _answers(source: SourceView, goal: GoalView) -> dict[str, str]:
    """The form's answers that made ``source`` (its credential is never shown)."""
    settings = source.settings
    rule = settings.get("rule", "")
    choice = {"max": "higher", "min": "lower"}.get(rule, "latest")
    if rule == _by_direction(goal):
        choice = "goal"
    if source.kind == "mlflow":
        return {
            "tracking_url": settings.get("url", ""),
            "experiment": settings.get("experiment", ""),
            "metric": settings.get("metric", ""),
            "run_filter": settings.get("run_filter", ""),
            "rule": choice,
        }
    url = settings.get("url", "")
    return {
        "project": f"{settings.get('entity', '')}/{settings.get('project', '')}",
        "metric": settings.get("metric", ""),
        "filters": settings.get("filters", ""),
        "rule": choice,
        "api_url": "" if url == WANDB_API else url,
    }


def _by_direction(goal: GoalView) -> str:
    return "min" if goal.direction == "down" else "max"


def form_kind(form_id: str) -> str | None:
    """The tracker a connect form is for: ``form_kind("connect_wandb") == "wandb"``."""
    return next((kind for kind, name in FORM_IDS.items() if name == form_id), None)


async def submit(turn: Turn, form_id: str, values: Mapping[str, str], context: str) -> list[Intent]:
    """A connect form sent: check it (asking once about a rule against the goal's direction),
    seal the credential, store the source with its first read due now, and say so."""
    kind = form_kind(form_id)
    goal = await turn.scope.goal(turn.member, int(context)) if context.isdigit() else None
    if kind is None or goal is None:
        return [Reply(turn.say("goal_unknown", ref=context[:12]))]
    if goal.status != "active":
        return [Reply(turn.say("connect_closed", ref=goal.ref, status=goal.status))]
    form = tracker_form(turn, kind, goal)
    # What was asked comes from the member's own draft, never from what a form sends.
    values = {k: v for k, v in values.items() if k != ASKED}
    draft = await turn.scope.draft(turn.member, form_id)
    asked = {ASKED: str(draft.values[ASKED])} if draft and ASKED in draft.values else {}
    rejected = await rejection(
        turn,
        form,
        values,
        draft=form_id,
        more=lambda errors: _more(turn, goal, form, values, asked, errors),
        keep=asked,
        withheld=SECRETS | {name for name in ADDRESSES if _with_login(values.get(name, ""))},
    )
    if rejected is not None:
        return [rejected]
    secret = next((values[n].strip() for n in SECRETS if values.get(n, "").strip()), None)
    sealed = (turn.secrets or Tokens([])).seal(secret)
    before = await turn.scope.source(goal)
    if sealed is None and before is not None and before.kind == kind:
        # The form never shows a credential back: left empty on the same tracker, it is the
        # one given before (changing a filter must not cost the login).
        sealed = before.secret
    settings = _settings(kind, values, goal)
    await turn.scope.connect(goal, kind, settings, turn.now, secret=sealed, next_poll_at=turn.now)
    await turn.scope.clear_draft(turn.member, form_id)
    metric = UserText(settings["metric"])
    if kind == "mlflow":
        experiment = UserText(settings["experiment"])
        said = turn.say("connect_done_mlflow", ref=goal.ref, experiment=experiment, metric=metric)
    else:
        project = UserText(f"{settings['entity']}/{settings['project']}")
        said = turn.say("connect_done_wandb", ref=goal.ref, project=project, metric=metric)
    return [Reply(said)]


def _with_login(address: str) -> bool:
    """Whether a web address carries a login (``https://user:password@host``)."""
    try:
        return "@" in urlsplit(address.strip()).netloc
    except ValueError:
        return False


def _more(
    turn: Turn,
    goal: GoalView,
    form: Form,
    values: Mapping[str, str],
    asked: dict[str, str],
    errors: Mapping[str, str],
) -> dict[str, str]:
    """Beyond the form's rules: one question when the value that counts goes against the
    goal's direction (unless already asked about that answer: sending it again keeps it), and,
    whenever the form goes back, a word that the credential typed was not kept."""
    found: dict[str, str] = {}
    choice = values.get("rule", "").strip()
    against = "lower" if goal.direction == "up" else "higher"
    if "rule" not in errors and choice == against and asked.get(ASKED) != f"{goal.ref}:{choice}":
        asked[ASKED] = f"{goal.ref}:{choice}"
        found["rule"] = turn.words(
            "connect_ask_rule",
            ref=goal.ref,
            metric=goal.metric_name,
            better=turn.words("connect_higher" if goal.direction == "up" else "connect_lower"),
            counted=turn.words("connect_lowest" if choice == "lower" else "connect_highest"),
        )
    for spec in form.fields:  # a cloud's metadata service, the coach's own machine
        address = values.get(spec.name, "")
        refused = forms.tracker_address_refused(address, turn.tracker_addresses)
        if spec.name in ADDRESSES and spec.name not in errors and refused:
            problem = turn.words("form_tracker_address", policy=turn.tracker_addresses)
            found[spec.name] = turn.words("form_field", label=spec.label, problem=problem)
    if errors or found:
        for spec in form.fields:
            if spec.name in SECRETS and values.get(spec.name, "").strip():
                again = turn.words("connect_secret_again")
                found[spec.name] = turn.words("form_field", label=spec.label, problem=again)
    return found


def _settings(kind: str, values: Mapping[str, str], goal: GoalView) -> dict[str, str]:
    """What polling reads (``bot.trackers.TrackerConfig``), without the credential."""
    choice = values.get("rule", "").strip() or "goal"
    rule = RULES.get(choice, _by_direction(goal))
    metric = values["metric"].strip()
    if kind == "mlflow":
        return {
            "url": values["tracking_url"].strip().rstrip("/"),
            "experiment": values["experiment"].strip(),
            "metric": metric,
            "run_filter": values.get("run_filter", "").strip(),
            "rule": rule,
        }
    entity, _, project = values["project"].strip().partition("/")
    return {
        "url": (values.get("api_url", "").strip() or WANDB_API).rstrip("/"),
        "entity": entity,
        "project": project,
        "metric": metric,
        "filters": values.get("filters", "").strip(),
        "rule": rule,
    }


async def _script(turn: Turn, goal: GoalView) -> list[Intent]:
    """A new push token for ``goal`` (any token it had stops working), shown this once."""
    token = new_token()
    await turn.scope.connect(
        goal, "push", {}, turn.now, token_hash=token_hash(token), token_hint=token_hint(token)
    )
    url = turn.public_url or turn.words("connect_your_url")
    # The lines read the token from the environment: a command line is seen by others (ps)
    # and kept in shell history.
    curl = turn.words("connect_curl", url=url, path=PATH, body=PUSH_BODY)
    cli = turn.words("connect_cli", url=url)
    body: list[Segment] = list(
        turn.say("connect_script", ref=goal.ref, token=token, curl=curl, cli=cli)
    )
    if not turn.public_url:
        body += turn.say("connect_script_no_url", url=url)
    return [Reply(tuple(body))]


async def disconnect(turn: Turn, goal: GoalView) -> list[Intent]:
    """Forget where ``goal``'s number came from: settings, credential and token."""
    source = await turn.scope.source(goal)
    if source is None or not await turn.scope.disconnect(goal):
        return [Reply(turn.say("disconnect_none", ref=goal.ref))]
    where = as_one(source_words(turn, source))
    return [Reply(turn.say("disconnect_done", ref=goal.ref, where=where))]
