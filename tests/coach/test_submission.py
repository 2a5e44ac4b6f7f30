"""The opening every submitted form shares: check, keep a draft, turn down with every error."""

from __future__ import annotations

from collections.abc import Mapping

from bot.coach import forms
from bot.coach.submission import rejection
from bot.coach.turn import Turn
from bot.events import Place
from bot.prompts import load_prompts
from bot.store import Database, TenantScope
from tests.coach.helpers import TEAM, member
from tests.conftest import START

GOOD = {"title": "Geometry prover", "link": "https://example.org/p", "why": "Solved 25/30"}
BAD_LINK = {"title": "Geometry prover", "link": "my thesis, chapter 3", "why": ""}


async def turn_of(scope: TenantScope) -> Turn:
    actor = member()
    row = await scope.ensure_member(actor.user_id, actor.display_name, None, START)
    return Turn(actor, Place.channel("C1"), START, scope, row, load_prompts())


async def draft_of(turn: Turn, form_id: str) -> dict[str, str] | None:
    draft = await turn.scope.draft(turn.member, form_id)
    return None if draft is None else {k: str(v) for k, v in draft.values.items()}


async def test_answers_that_pass_are_not_turned_down_and_keep_no_draft(db: Database) -> None:
    async with db.scope(TEAM, START) as scope:
        turn = await turn_of(scope)
        assert await rejection(turn, forms.work_form(), GOOD, draft="work") is None
        assert await draft_of(turn, "work") is None


async def test_turned_down_answers_are_kept_and_shown_back_with_every_error(
    db: Database,
) -> None:
    values = {**BAD_LINK, "title": ""}
    async with db.scope(TEAM, START) as scope:
        turn = await turn_of(scope)
        rejected = await rejection(turn, forms.work_form(), values, draft="work")
        assert rejected is not None
        assert set(rejected.errors) == {"title", "link"}
        assert {f.name: f.initial for f in rejected.form.fields} == values
        assert await draft_of(turn, "work") == values


async def test_a_form_without_a_draft_keeps_nothing(db: Database) -> None:
    async with db.scope(TEAM, START) as scope:
        turn = await turn_of(scope)
        rejected = await rejection(turn, forms.work_form(), BAD_LINK)
        assert rejected is not None and set(rejected.errors) == {"link"}
        assert await draft_of(turn, "work") is None


async def test_more_errors_fill_in_only_where_the_form_rules_found_none(db: Database) -> None:
    seen: list[Mapping[str, str]] = []

    def more(errors: Mapping[str, str]) -> Mapping[str, str]:
        seen.append(dict(errors))
        return {"link": "not this one", "why": "say why"}

    async with db.scope(TEAM, START) as scope:
        turn = await turn_of(scope)
        rejected = await rejection(turn, forms.work_form(), BAD_LINK, more=more)
        assert rejected is not None
        assert seen == [{"link": rejected.errors["link"]}]  # the form's own error, given to more
        assert rejected.errors["link"] != "not this one"  # and it wins over more's
        assert rejected.errors["why"] == "say why"


async def test_the_draft_keeps_what_more_noted_beside_the_answers(db: Database) -> None:
    noted: dict[str, str] = {}

    def more(errors: Mapping[str, str]) -> Mapping[str, str]:
        noted["_asked"] = "asked about the title"
        return {"title": "be specific"}

    async with db.scope(TEAM, START) as scope:
        turn = await turn_of(scope)
        rejected = await rejection(
            turn, forms.work_form(), GOOD, draft="work", more=more, keep=noted
        )
        assert rejected is not None and set(rejected.errors) == {"title"}
        assert await draft_of(turn, "work") == {**GOOD, "_asked": "asked about the title"}
