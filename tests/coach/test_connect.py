"""``/goal connect`` and ``/goal disconnect``: a goal's number from MLflow, W&B or any script,
through the console and the core. The credential is never shown back, kept in a draft or
exported; a push token is shown once and only its hash is kept."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from cryptography.fernet import Fernet

from adapters.console import ConsoleSession
from bot.coach import Coach, export
from bot.events import (
    Action,
    FormRejected,
    FormSubmitted,
    Intent,
    OpenForm,
    Reply,
    TenantRef,
    plain,
)
from bot.logs import QUIET
from bot.ports import ManualClock
from bot.schedule.polling import Poller
from bot.store import Database
from bot.store.installations import Tokens
from bot.store.models import Draft, GoalSource, MetricPoint
from tests.coach.helpers import (
    CHANNEL,
    command,
    member,
    only,
    press,
    rows,
    set_goal,
    text,
)
from tests.conftest import say, transcript
from tests.fakes.wandb import FakeWandb

TEAM = TenantRef("slack", "T1")
PASSWORD = "s3cret-pa55word"
API_KEY = "wandb-key-0123456789abcdef0123456789abcdef"
MLFLOW = {
    "tracking_url": "https://mlflow.example.org/",
    "experiment": "fold",
    "metric": "success",
    "run_filter": "tags.task = 'fold'",
    "rule": "goal",
    "credential": f"ada:{PASSWORD}",
}
WANDB = {
    "project": "my-lab/fold-cv",
    "metric": "val_acc",
    "filters": '{"tags": "fold"}',
    "rule": "goal",
    "api_key": API_KEY,
    "api_url": "",
}


async def goal(coach: Coach, direction: str = "up") -> None:
    await set_goal(coach, member(), "Fold laundry from pixels", "success", direction)


async def submit(coach: Coach, form_id: str, values: dict[str, str], ref: str = "1") -> Intent:
    (intent,) = await coach.handle(FormSubmitted(member(), CHANNEL, form_id, values, ref))
    return intent


def said(intents: list[Intent]) -> str:
    return "\n".join(plain(i.body) for i in intents if isinstance(i, Reply))


async def stored(coach: Coach) -> GoalSource:
    (source,) = await rows(coach, GoalSource)
    return source


async def everything_stored(coach: Coach) -> str:
    """Every goal source and draft row as text: what a database dump would show."""
    found = [repr(vars(row)) for row in await rows(coach, GoalSource)]
    found += [json.dumps(row.values) for row in await rows(coach, Draft)]
    return "\n".join(found)


# --- which source ----------------------------------------------------------------------------


async def test_connect_with_no_kind_offers_three_buttons(coach: Coach) -> None:
    await goal(coach)

    reply = only(await command(coach, member(), "goal", "connect 1"), Reply)

    assert "Where does goal 1's number, success, come from?" in text(reply)
    assert [(b.label, b.action, b.value) for b in reply.buttons] == [
        ("MLflow", Action.CONNECT_MLFLOW, "1"),
        ("Weights & Biases", Action.CONNECT_WANDB, "1"),
        ("Any script", Action.CONNECT_SCRIPT, "1"),
    ]
    opened = only(await press(coach, member(), Action.CONNECT_WANDB, "1"), OpenForm).form
    assert (opened.form_id, opened.context) == ("connect_wandb", "1")


async def test_only_an_active_goal_of_the_member_connects(coach: Coach) -> None:
    assert "no goal yet" in said(await command(coach, member(), "goal", "connect mlflow"))
    await goal(coach)
    assert "can't find goal 7" in said(await command(coach, member(), "goal", "connect 7"))
    assert "/goal [list" in said(await command(coach, member(), "goal", "connect 1 neptune"))
    await command(coach, member(), "goal", "achieved 1")
    closed = said(await command(coach, member(), "goal", "connect 1 script"))
    assert closed == "Goal 1 is achieved: only an active goal can be connected."
    assert await rows(coach, GoalSource) == []


async def test_each_form_fits_a_discord_modal(coach: Coach) -> None:
    await goal(coach)
    for kind in ("mlflow", "wandb"):
        form = only(await command(coach, member(), "goal", f"connect 1 {kind}"), OpenForm).form
        choices = [f for f in form.fields if f.kind == "choice"]
        assert len(form.fields) == 6 and len(choices) == 1  # the choice is asked first there
        assert choices[0].initial == "goal"
        assert len(form.title) <= 24  # Slack's limit


# --- MLflow ----------------------------------------------------------------------------------


async def test_mlflow_connects_in_the_console(ada: ConsoleSession, coach: Coach) -> None:
    await say(ada, "/goal set", "Fold laundry from pixels", "success", "1", "", "")

    out = await transcript(
        ada,
        "/goal connect 1 mlflow",
        "https://ada:pw@mlflow.example.org",  # a login in the address is refused at once
        "https://mlflow.example.org",
        "fold",
        "success",
        "",
        "",  # the goal's direction
        f"ada:{PASSWORD}",
    )

    assert "the address holds a login: leave it out" in out
    assert "ada:pw" not in out  # never quoted back
    assert "Goal 1 is connected to MLflow: experiment fold, metric success." in out
    assert "I will read success within a minute and tell you what I find." in out
    assert "/goal disconnect 1 stops it" in out
    assert PASSWORD not in out
    source = await stored(coach)
    assert source.kind == "mlflow"
    assert source.settings == {
        "url": "https://mlflow.example.org",
        "experiment": "fold",
        "metric": "success",
        "run_filter": "",
        "rule": "max",
    }
    assert source.secret == f"ada:{PASSWORD}"  # no keys configured: kept as given
    assert source.next_poll_at == coach.clock.now()  # polling reads it within a minute


async def test_a_credential_is_sealed_when_keys_are_set(db: Database, clock: ManualClock) -> None:
    tokens = Tokens([Fernet.generate_key().decode()])
    coach = Coach(db, clock, secrets=tokens)
    await goal(coach)

    answer = await submit(coach, "connect_mlflow", MLFLOW)

    assert PASSWORD not in plain(only([answer], Reply).body)
    source = await stored(coach)
    assert source.secret is not None and PASSWORD not in source.secret
    assert tokens.open(source.secret) == f"ada:{PASSWORD}"
    assert source.settings["run_filter"] == "tags.task = 'fold'"
    assert source.settings["url"] == "https://mlflow.example.org"


async def test_a_bad_mlflow_form_is_sent_back_without_its_credential(coach: Coach) -> None:
    await goal(coach)
    bad = {**MLFLOW, "tracking_url": "mlflow.example.org", "metric": ""}

    rejected = await submit(coach, "connect_mlflow", bad)

    assert isinstance(rejected, FormRejected)
    assert set(rejected.errors) == {"tracking_url", "metric", "credential"}
    assert "starting with http:// or https://" in rejected.errors["tracking_url"]
    assert "not kept while the form has errors" in rejected.errors["credential"]
    kept = {f.name: f.initial for f in rejected.form.fields}
    assert kept["experiment"] == "fold" and kept["credential"] == ""
    assert PASSWORD not in repr(rejected)
    assert PASSWORD not in await everything_stored(coach)
    # The draft keeps the member's other words: the command reopens the form with them.
    form = only(await command(coach, member(), "goal", "connect 1 mlflow"), OpenForm).form
    assert {f.name: f.initial for f in form.fields}["tracking_url"] == "mlflow.example.org"
    assert await rows(coach, GoalSource) == []


async def test_an_address_on_this_machine_or_link_local_is_refused_unless_any(
    db: Database, clock: ManualClock
) -> None:
    """Loopback and link-local (169.254.169.254: a cloud's metadata) are refused by default, a
    private network's address taken; with COACH_TRACKER_ADDRESSES=any, loopback is taken."""
    coach = Coach(db, clock)
    await goal(coach)
    for url in ["http://169.254.169.254/", "http://127.0.0.1:5000", "http://localhost:5000"]:
        rejected = await submit(coach, "connect_mlflow", {**MLFLOW, "tracking_url": url})
        assert isinstance(rejected, FormRejected), url
        assert "COACH_TRACKER_ADDRESSES is private" in rejected.errors["tracking_url"]
    wandb = {**WANDB, "api_url": "http://[::ffff:169.254.169.254]/"}
    assert isinstance(await submit(coach, "connect_wandb", wandb), FormRejected)
    private = await submit(coach, "connect_mlflow", {**MLFLOW, "tracking_url": "http://10.0.0.5"})
    assert not isinstance(private, FormRejected)

    anywhere = Coach(db, clock, tracker_addresses="any")
    local = {**MLFLOW, "tracking_url": "http://127.0.0.1:5000"}
    assert not isinstance(await submit(anywhere, "connect_mlflow", local), FormRejected)
    assert (await stored(anywhere)).settings["url"] == "http://127.0.0.1:5000"


async def test_a_login_in_the_address_is_refused_and_not_quoted(coach: Coach) -> None:
    await goal(coach)

    rejected = await submit(
        coach, "connect_mlflow", {**MLFLOW, "tracking_url": f"https://ada:{PASSWORD}@ml.org"}
    )

    assert isinstance(rejected, FormRejected)
    assert "give it in the credential field" in rejected.errors["tracking_url"]
    assert PASSWORD not in repr(rejected.errors)
    assert PASSWORD not in repr(rejected.form)
    assert PASSWORD not in await everything_stored(coach)  # nor kept in the draft


async def test_a_rule_against_the_goals_direction_is_asked_about_once(coach: Coach) -> None:
    await goal(coach, "up")
    lower = {**MLFLOW, "rule": "lower"}

    asked = await submit(coach, "connect_mlflow", lower)

    assert isinstance(asked, FormRejected)
    assert asked.errors["rule"] == (
        "Goal 1 is better when success is higher, and this counts the run with the lowest "
        "value. Send the form again to keep it, or pick another."
    )
    assert await rows(coach, GoalSource) == []
    kept = await submit(coach, "connect_mlflow", lower)  # sent again: theirs to keep
    assert "Goal 1 is connected to MLflow" in plain(only([kept], Reply).body)
    assert (await stored(coach)).settings["rule"] == "min"


async def test_the_form_reopens_with_what_was_connected(coach: Coach) -> None:
    await goal(coach, "down")
    await submit(coach, "connect_mlflow", {**MLFLOW, "rule": "latest"})

    form = only(await command(coach, member(), "goal", "connect 1 mlflow"), OpenForm).form

    initial = {f.name: f.initial for f in form.fields}
    assert initial["experiment"] == "fold" and initial["rule"] == "latest"
    assert initial["credential"] == ""  # never shown again


async def test_reconnecting_with_the_credential_left_empty_keeps_the_one_given(
    coach: Coach,
) -> None:
    """The form never shows the credential back: changing the filter must not cost it."""
    await goal(coach, "down")
    await submit(coach, "connect_mlflow", MLFLOW)

    await submit(
        coach, "connect_mlflow", {**MLFLOW, "run_filter": "tags.task = 'fold'", "credential": ""}
    )

    source = await stored(coach)
    assert (
        source.secret == f"ada:{PASSWORD}" and source.settings["run_filter"] == "tags.task = 'fold'"
    )
    await submit(coach, "connect_wandb", {**WANDB})  # another tracker: its own key, not this one
    assert (await stored(coach)).secret == API_KEY


# --- Weights & Biases ------------------------------------------------------------------------


async def test_wandb_connects_with_the_default_api(coach: Coach) -> None:
    await goal(coach, "down")

    answer = await submit(coach, "connect_wandb", WANDB)

    assert plain(only([answer], Reply).body).startswith(
        "Goal 1 is connected to Weights & Biases: project my-lab/fold-cv, metric val_acc."
    )
    source = await stored(coach)
    assert (source.kind, source.secret) == ("wandb", API_KEY)
    assert source.settings == {
        "url": "https://api.wandb.ai",
        "entity": "my-lab",
        "project": "fold-cv",
        "metric": "val_acc",
        "filters": '{"tags": "fold"}',
        "rule": "min",
    }


async def test_bad_wandb_filters_and_a_missing_key_are_field_errors(coach: Coach) -> None:
    await goal(coach)
    bad = {**WANDB, "filters": "{tags: fold", "api_key": "", "project": "fold-cv"}

    rejected = await submit(coach, "connect_wandb", bad)

    assert isinstance(rejected, FormRejected)
    assert set(rejected.errors) == {"filters", "api_key", "project"}
    assert "one JSON object" in rejected.errors["filters"]
    assert rejected.errors["api_key"] == '"API key" is needed.'
    assert "entity/project" in rejected.errors["project"]
    not_an_object = await submit(coach, "connect_wandb", {**WANDB, "filters": "[1, 2]"})
    assert isinstance(not_an_object, FormRejected)
    assert set(not_an_object.errors) == {"filters", "api_key"}  # the key: type it again
    assert API_KEY not in await everything_stored(coach)


# --- any script ------------------------------------------------------------------------------


async def test_a_script_token_is_shown_once_and_kept_only_hashed(coach: Coach) -> None:
    await goal(coach)

    first = said(await press(coach, member(), Action.CONNECT_SCRIPT, "1"))

    token = re.search(r"rcp_[A-Za-z0-9_-]+", first)
    assert token is not None
    assert "shown this once" in first
    assert '-H "Authorization: Bearer $COACH_PUSH_TOKEN"' in first  # never on a command line
    assert first.count(token[0]) == 1  # shown once: the lines read it from the environment
    assert "YOUR_COACH_URL/api/goals/values" in first
    assert "research-coach metric push --url YOUR_COACH_URL --value" in first
    assert "your coach's public web address" in first
    source = await stored(coach)
    assert source.kind == "push" and source.secret is None and source.next_poll_at is None
    assert source.token_hash == hashlib.sha256(token[0].encode()).hexdigest()
    assert source.token_hint == token[0][-4:]
    assert token[0] not in await everything_stored(coach)
    shown = said(await command(coach, member(), "goal", "show 1"))
    assert token[0] not in shown and f"a script (token …{token[0][-4:]})" in shown

    again = said(await command(coach, member(), "goal", "connect 1 script"))

    second = re.search(r"rcp_[A-Za-z0-9_-]+", again)
    assert second is not None and second[0] != token[0]
    assert await coach.db.source_for_token(hashlib.sha256(token[0].encode()).hexdigest()) is None
    assert await coach.db.source_for_token(hashlib.sha256(second[0].encode()).hexdigest())


async def test_the_script_lines_name_the_public_url(db: Database, clock: ManualClock) -> None:
    coach = Coach(db, clock, public_url="https://coach.example.org")
    await goal(coach)

    out = said(await command(coach, member(), "goal", "connect script"))

    assert "https://coach.example.org/api/goals/values" in out
    assert "metric push --url https://coach.example.org --value" in out
    assert "YOUR_COACH_URL" not in out


# --- disconnect, show, list ------------------------------------------------------------------


async def test_disconnect_forgets_the_source(coach: Coach) -> None:
    await goal(coach)
    await submit(coach, "connect_mlflow", MLFLOW)

    out = said(await command(coach, member(), "goal", "disconnect 1"))

    assert out.startswith(
        "Goal 1 no longer takes its number from MLflow experiment fold, metric success: its "
        "settings, credential and token are forgotten."
    )
    assert await rows(coach, GoalSource) == []
    again = said(await command(coach, member(), "goal", "disconnect 1"))
    assert again == (
        "Goal 1 had no source connected: nothing to forget. /goal connect 1 connects one."
    )


async def test_show_and_list_say_where_the_number_comes_from(
    coach: Coach, clock: ManualClock
) -> None:
    await goal(coach)
    await set_goal(coach, member(), "Prove geometry lemmas", "solve rate", "up")
    await submit(coach, "connect_mlflow", MLFLOW)
    shown = said(await command(coach, member(), "goal", "show 1"))
    assert "Its number comes from MLflow experiment fold, metric success, not read yet." in shown

    async with coach.db.scope(TEAM, clock.now()) as scope:
        ada = await scope.member("U1")
        assert ada is not None
        (source,) = await scope.sources_of(ada)
        read = replace(source, last_ok_at=clock.now(), last_error="unreachable", failures=1)
        await scope.update_source(source, read)
    clock.advance(timedelta(minutes=5))

    shown = said(await command(coach, member(), "goal", "show 1"))
    assert "from MLflow experiment fold, metric success, read 5 minutes ago." in shown
    assert "The last read failed: the tracker could not be reached." in shown
    listed = said(await command(coach, member(), "goal", "list")).splitlines()
    assert listed[1].endswith(" · from MLflow")
    assert "from" not in listed[2]  # goal 2 gets its number from the member
    assert "/goal [list | set | show N | update [N] VALUE | achieved N | abandon N | " in said(
        await command(coach, member(), "goal", "help")
    )


# --- the check-in offers the reading ---------------------------------------------------------


async def record(coach: Coach, value: float, run: str) -> None:
    async with coach.db.scope(TEAM, coach.clock.now()) as scope:
        ada = await scope.member("U1")
        assert ada is not None
        (first, *_) = await scope.goals(ada)
        await scope.record_reading(first, value, coach.clock.now(), source="mlflow", run_id=run)


async def test_the_checkin_form_offers_a_reading_since_the_last_checkin(
    coach: Coach, clock: ManualClock
) -> None:
    await goal(coach)
    await submit(coach, "connect_mlflow", MLFLOW)
    await record(coach, 0.45, "run-7")
    clock.advance(timedelta(hours=2))

    form = only(await command(coach, member(), "checkin"), OpenForm).form

    number = next(f for f in form.fields if f.name == "metric_value")
    assert number.initial == "0.45"
    assert number.hint.startswith("0.45 from MLflow run run-7, 2 hours ago")

    values = {f.name: f.initial for f in form.fields}
    values.update(did="Tuned the grasp planner on towels", next_experiment="Try silk")
    answer = said(await coach.handle(FormSubmitted(member(), CHANNEL, "checkin", values, "1")))
    assert "success: 0.45" in answer
    assert [p.value for p in await rows(coach, MetricPoint)] == [0.45]  # recorded once

    # Checked in since: the same reading is not offered again.
    form = only(await command(coach, member(), "checkin"), OpenForm).form
    number = next(f for f in form.fields if f.name == "metric_value")
    assert number.initial == "" and "MLflow" not in number.hint


async def test_a_number_other_than_the_reading_is_recorded(coach: Coach) -> None:
    await goal(coach)
    await record(coach, 0.45, "run-7")
    values = {"did": "Tuned the grasp planner on towels", "metric_value": "0.5"}

    await coach.handle(FormSubmitted(member(), CHANNEL, "checkin", values, "1"))

    assert [p.value for p in await rows(coach, MetricPoint)] == [0.45, 0.5]


# --- export ----------------------------------------------------------------------------------


async def test_the_export_has_the_connections_without_secrets(coach: Coach) -> None:
    await goal(coach)
    await set_goal(coach, member(), "Prove geometry lemmas", "solve rate", "up")
    await submit(coach, "connect_mlflow", MLFLOW)
    token = re.search(
        r"rcp_[A-Za-z0-9_-]+", said(await command(coach, member(), "goal", "connect 2 script"))
    )
    assert token is not None

    async with coach.db.scope(TEAM, coach.clock.now()) as scope:
        ada = await scope.member("U1")
        assert ada is not None
        data = await export.collect(scope, ada)
    as_json, as_markdown = export.to_json(data), export.to_markdown(data)

    kinds = [c["kind"] for c in data["connections"]]
    assert kinds == ["mlflow", "push"]
    assert all("secret" not in c and "token_hash" not in c for c in data["connections"])
    digest = hashlib.sha256(token[0].encode()).hexdigest()
    for document in (as_json, as_markdown):
        assert PASSWORD not in document
        assert token[0] not in document and digest not in document
    assert "Its number comes from MLflow at https://mlflow.example.org: experiment fold" in (
        as_markdown
    )
    assert f"pushed by a script, token ending {token[0][-4:]}" in as_markdown


async def test_no_credential_or_token_reaches_a_log(
    coach: Coach, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every level of ours; the libraries kept as a run keeps them
    for library in QUIET:
        caplog.set_level(logging.INFO, logger=library)
    await goal(coach)
    await submit(coach, "connect_mlflow", {**MLFLOW, "tracking_url": "nope"})
    await submit(coach, "connect_mlflow", MLFLOW)
    await submit(coach, "connect_wandb", WANDB)
    token = re.search(
        r"rcp_[A-Za-z0-9_-]+", said(await command(coach, member(), "goal", "connect 1 script"))
    )
    assert token is not None

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert PASSWORD not in logged and API_KEY not in logged and token[0] not in logged


async def test_a_goal_connected_here_is_read_by_polling_and_offered_at_checkin(
    db: Database, clock: ManualClock
) -> None:
    tokens = Tokens([Fernet.generate_key().decode()])
    coach = Coach(db, clock, secrets=tokens, tracker_addresses="any")  # the fake is on 127.0.0.1
    await goal(coach)
    async with FakeWandb() as wandb, httpx.AsyncClient() as http:
        wandb.add_run("my-lab", "fold-cv", "a1", {"val_acc": 0.45, "_step": 90})
        connected = {**WANDB, "api_key": wandb.key, "api_url": wandb.url, "filters": ""}
        await submit(coach, "connect_wandb", connected)
        assert wandb.key not in (await stored(coach)).secret  # sealed, yet polling opens it

        poller = Poller(db, tokens, http, timedelta(minutes=15), clock, addresses="any")
        report = await poller.poll_due(clock.now())

    assert report.due == 1
    form = only(await command(coach, member(), "checkin"), OpenForm).form
    number = next(f for f in form.fields if f.name == "metric_value")
    assert number.initial == "0.45"
    assert number.hint.startswith("0.45 from W&B run a1, ")
