"""Connecting a goal in Slack: ``/goal connect`` asks where from with three buttons, and each
tracker's form opens as a modal Slack accepts; the credential is never sent back to Slack."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import select

from adapters.slack import render
from adapters.slack.listeners import what_was_written
from bot.coach import Coach
from bot.events import Form, FormField, plain
from bot.store.models import GoalSource
from tests.adapters.slack.conftest import SlackHarness, buttons_of, text_of
from tests.adapters.slack.test_forms import set_goal

PASSWORD = "s3cret-pa55word"


async def test_connect_asks_where_from_then_opens_the_mlflow_modal(
    slack: SlackHarness, coach: Coach
) -> None:
    await set_goal(slack, 1)

    await slack.command("/goal", "connect 1")
    (asked,) = await slack.responses()
    assert "Where does goal 1's number" in text_of(asked)
    assert list(buttons_of(asked)) == ["MLflow", "Weights & Biases", "Any script"]

    await slack.press(buttons_of(asked)["MLflow"])
    view = await slack.opened_view(2)  # the strict fake checked it against Slack's limits
    assert view["title"]["text"] == "Connect MLflow"
    assert [b["block_id"] for b in view["blocks"]] == [
        "tracking_url",
        "experiment",
        "metric",
        "run_filter",
        "rule",
        "credential",
    ]
    assert json.loads(view["private_metadata"])["secret"] == ["credential"]
    refused = await slack.submit(
        view,
        {
            "tracking_url": "not a url",
            "experiment": "fold",
            "metric": "success",
            "rule": "goal",
            "credential": f"ada:{PASSWORD}",
        },
    )
    errors = refused.json()["errors"]
    assert set(errors) == {"tracking_url", "credential"}
    assert PASSWORD not in refused.text

    answer = await slack.submit(
        view,
        {
            "tracking_url": "https://mlflow.example.org",
            "experiment": "fold",
            "metric": "success",
            "rule": "goal",
            "credential": f"ada:{PASSWORD}",
        },
    )
    assert answer.status_code == 200 and answer.text == ""
    reply = (await slack.fake.wait_for("chat.postEphemeral", 2))[-1].args
    assert "Goal 1 is connected to MLflow: experiment fold, metric success." in text_of(reply)
    assert PASSWORD not in str(slack.fake.calls("chat.postEphemeral"))
    async with coach.db.session() as session:
        assert (await session.execute(select(GoalSource.kind))).scalar_one() == "mlflow"


async def test_the_wandb_modal_opens_from_the_command(slack: SlackHarness) -> None:
    await set_goal(slack, 1)

    await slack.command("/goal", "connect 1 wandb")

    view = await slack.opened_view(2)
    assert view["title"]["text"] == "Connect W&B"
    assert len(view["blocks"]) == 6


def test_a_late_answer_writes_back_every_field_but_the_credential(coach: Coach) -> None:
    """When the coach answers after the modal closed, the private answer holds what was typed
    (so nothing is lost), but never the credential: that message stays in Slack's history."""
    fields = (FormField("tracking_url", "Tracking server"), FormField("credential", "Token"))
    secret = replace(fields[1], secret=True)
    view = render.modal(Form("connect_mlflow", "Connect MLflow", (fields[0], secret)), "C1")
    typed = {"tracking_url": "https://mlflow.lab.example", "credential": PASSWORD}

    words = plain(what_was_written(view, typed, coach.prompts))

    assert "https://mlflow.lab.example" in words
    assert PASSWORD not in words
