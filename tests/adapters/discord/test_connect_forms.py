"""Connecting a goal in Discord: ``/goal connect`` asks where from with three buttons; each
tracker's form asks which value counts first, then opens a modal of five fields; the
credential is never sent back."""

from __future__ import annotations

from bot.coach import Coach
from bot.events import TenantRef
from tests.adapters.discord.conftest import LAB
from tests.adapters.discord.transcript import Researcher

PASSWORD = "s3cret-pa55word"


async def a_goal(ada: Researcher) -> None:
    opened = await ada.slash("goal set", capability="Fold laundry from pixels")
    await ada.submit(opened.modal, metric_name="fold success rate")


async def test_connect_asks_where_from_then_opens_the_mlflow_modal(
    ada: Researcher, coach: Coach
) -> None:
    await a_goal(ada)

    asked = await ada.slash("goal connect", number=1)
    assert asked.ephemeral
    assert "Where does goal 1's number" in asked.text
    assert asked.labels() == ["MLflow", "Weights & Biases", "Any script"]

    which = await ada.press("MLflow", on=asked)  # six fields: the choice comes first
    opened = await ada.choose("Which value counts", "goal", on=which)
    assert opened.modal["title"] == "Connect MLflow"
    fields = [c["component"]["custom_id"] for c in opened.modal["components"]]
    assert fields == ["tracking_url", "experiment", "metric", "run_filter", "credential"]

    refused = await ada.submit(
        opened.modal,
        tracking_url="mlflow.example.org",
        experiment="fold",
        metric="success",
        credential=f"ada:{PASSWORD}",
    )
    assert "starting with http:// or https://" in refused.text
    assert PASSWORD not in str([c.json for c in refused.calls])
    reopened = await ada.press("Fix and send again", on=refused)
    shown = {
        c["component"]["custom_id"]: c["component"].get("value")
        for c in reopened.modal["components"]
    }
    assert shown["experiment"] == "fold" and not shown["credential"]

    saved = await ada.submit(
        reopened.modal, tracking_url="https://mlflow.example.org", credential=f"ada:{PASSWORD}"
    )
    assert "Goal 1 is connected to MLflow: experiment fold, metric success." in saved.text
    async with coach.db.scope(TenantRef("discord", str(LAB)), coach.clock.now()) as scope:
        member = await scope.member(ada.user_id)
        assert member is not None
        (source,) = await scope.sources_of(member)
        assert source.settings["rule"] == "max"


async def test_connect_wandb_names_the_source_in_the_command(ada: Researcher) -> None:
    await a_goal(ada)

    which = await ada.slash("goal connect", number=1, source="wandb")
    opened = await ada.choose("Which value counts", "latest", on=which)

    assert opened.modal["title"] == "Connect W&B"
    fields = [c["component"]["custom_id"] for c in opened.modal["components"]]
    assert fields == ["project", "metric", "filters", "api_key", "api_url"]
