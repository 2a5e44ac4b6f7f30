"""The shipped coaching text loads, validates and renders; the validators reject bad data."""

from __future__ import annotations

import ast
import copy
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.events import UserText
from bot.prompts import (
    NUDGE_IDS,
    Catalogue,
    Prompts,
    Reflection,
    load_prompts,
    placeholders,
    render,
)

ROOT = Path(__file__).resolve().parents[1]
REFLECTION_KEYS = [
    "expected",
    "obstacles",
    "assumption",
    "goal_or_route",
    "reusable",
    "calibration",
    "scope",
    "next_experiment",
]


def shipped(name: str) -> Any:
    """A fresh copy of one shipped YAML file, as plain data to mutate."""
    text = resources.files("prompts").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def prompts() -> Prompts:
    return load_prompts()


def text_of(parts: tuple[str | UserText, ...]) -> str:
    return "".join(p.text if isinstance(p, UserText) else p for p in parts)


# --- the shipped catalogue --------------------------------------------------------------------


def test_every_nudge_is_present_with_three_wordings_an_idea_and_a_why(prompts: Prompts) -> None:
    ids = [n.id for n in prompts.catalogue.nudges]
    assert sorted(ids) == sorted(NUDGE_IDS)
    assert len(NUDGE_IDS) == 12
    for nudge_id in NUDGE_IDS:
        nudge = prompts.nudge(nudge_id)
        assert len(nudge.wordings) >= 3, nudge_id
        assert len(set(nudge.wordings)) == len(nudge.wordings), f"{nudge_id} repeats a wording"
        assert nudge.idea in prompts.catalogue.ideas, nudge_id
        idea = prompts.idea_of(nudge_id)
        assert idea.title.strip() and idea.author.strip(), nudge_id
        assert nudge.why.strip(), nudge_id
        assert nudge.follow_up.strip(), nudge_id


@pytest.mark.parametrize("nudge_id", NUDGE_IDS)
def test_every_wording_renders_with_goal_and_metric_as_member_words(
    prompts: Prompts, nudge_id: str
) -> None:
    goal = UserText("a 7B prover <!channel>")
    metric = UserText("solve rate {on} IMO")
    for wording in prompts.nudge(nudge_id).wordings:
        parts = render(wording, goal=goal, metric=metric)
        assert all(isinstance(p, str | UserText) for p in parts)
        coach_words = "".join(p for p in parts if isinstance(p, str))
        assert "{" not in coach_words and "}" not in coach_words, wording
        used = placeholders(wording)
        if "goal" in used:
            assert goal in parts, wording
        if "metric" in used:
            assert metric in parts, wording
        # Member words are never flattened into the coach's own strings.
        assert "<!channel>" not in coach_words
        assert text_of(parts).strip()


def test_some_wordings_do_use_the_placeholders(prompts: Prompts) -> None:
    used: set[str] = set()
    for nudge in prompts.catalogue.nudges:
        for wording in nudge.wordings:
            used |= placeholders(wording)
    assert used == {"goal", "metric"}


def test_best_works_says_failure_is_allowed_and_offers_a_reflection(prompts: Prompts) -> None:
    for wording in prompts.nudge("best-works").wordings:
        lowered = wording.lower()
        assert "best" in lowered and "average" in lowered, wording
        assert "reflection" in lowered or "look back" in lowered, wording


# --- messages ---------------------------------------------------------------------------------


def test_every_message_renders_given_each_placeholder(prompts: Prompts) -> None:
    assert len(prompts.messages) >= 40
    for key, template in prompts.messages.items():
        names = placeholders(template)
        values = {name: UserText(f"<{name}-value>") for name in names}
        parts = prompts.say(key, **values)
        assert parts, key
        coach_words = "".join(p for p in parts if isinstance(p, str))
        assert "{" not in coach_words and "}" not in coach_words, key
        for name in names:
            assert UserText(f"<{name}-value>") in parts, (key, name)
        # Plain values (numbers, strings) render too.
        plain = prompts.say(key, **{name: 7 for name in names})
        assert all(isinstance(p, str) for p in plain), key


def test_a_message_missing_a_value_raises_key_error(prompts: Prompts) -> None:
    with pytest.raises(KeyError, match="capability"):
        prompts.say("goal_set", ref=1, metric="m")


def _say_keys(path: Path) -> tuple[set[str], list[str]]:
    """Literal keys passed to ``<something>.say(...)`` in one module, and calls it can't read.

    Understands a literal, ``"a" if x else "b"``, and a local variable assigned such values in
    the same function. A key that is the enclosing function's own parameter is a pass-through
    (e.g. ``Turn.say`` forwarding to ``Prompts.say``) and is skipped.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    keys: set[str] = set()
    unreadable: list[str] = []

    def literals(node: ast.expr, scope: ast.AST) -> set[str] | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            body, orelse = literals(node.body, scope), literals(node.orelse, scope)
            return None if body is None or orelse is None else body | orelse
        if isinstance(node, ast.Name):
            found: set[str] = set()
            for sub in ast.walk(scope):
                if isinstance(sub, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == node.id for t in sub.targets
                ):
                    value = literals(sub.value, scope)
                    if value is None:
                        return None
                    found |= value
            return found or None
        return None

    def visit(scope: ast.AST) -> None:
        params: set[str] = set()
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            args = scope.args
            params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        for node in ast.walk(scope):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "say"
                and node.args
            ):
                first = node.args[0]
                if isinstance(first, ast.Name) and first.id in params:
                    continue
                found = literals(first, scope)
                if found is None:
                    unreadable.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                else:
                    keys.update(found)

    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for function in functions:
        visit(function)
    return keys, unreadable


def test_every_message_key_the_code_says_exists(prompts: Prompts) -> None:
    keys: set[str] = set()
    unreadable: list[str] = []
    for path in sorted(
        [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("adapters").rglob("*.py")]
    ):
        found, bad = _say_keys(path)
        keys |= found
        unreadable += bad
    # The scan is not vacuous: it sees plain, conditional and variable keys.
    assert {"help", "usage", "feedback_thanks", "feedback_unknown", "which_goal"} <= keys
    assert len(keys) >= 40
    assert not unreadable, f"say() with a key this test cannot read: {unreadable}"
    missing = sorted(keys - set(prompts.messages))
    assert not missing, f"keys used in code but absent from prompts/messages.yaml: {missing}"


# --- reflection -------------------------------------------------------------------------------


def test_reflection_has_the_eight_steps_in_the_order_of_coaching_md(prompts: Prompts) -> None:
    steps = prompts.reflection.steps
    assert [s.key for s in steps] == REFLECTION_KEYS
    for step in steps:
        assert step.question.strip().endswith("?"), step.key
        assert "why did you fail" not in step.question.lower(), step.key
        assert not placeholders(step.question), step.key
    reflection = prompts.reflection
    for text in (reflection.intro, reflection.stopped, reflection.close, reflection.publish_offer):
        assert text.strip()
        assert "why did you fail" not in text.lower()
        assert not placeholders(text)
    assert "best" in reflection.close.lower()


# --- validators -------------------------------------------------------------------------------


def test_the_shipped_data_itself_validates() -> None:
    # The rejections below are then due to each mutation, not to the base data.
    Catalogue.model_validate(shipped("nudges.yaml"))
    Reflection.model_validate(shipped("reflection.yaml"))


def test_a_catalogue_missing_a_nudge_is_rejected() -> None:
    data = shipped("nudges.yaml")
    data["nudges"] = [n for n in data["nudges"] if n["id"] != "long-bet"]
    with pytest.raises(ValidationError, match="long-bet"):
        Catalogue.model_validate(data)


def test_a_nudge_with_two_wordings_is_rejected() -> None:
    data = shipped("nudges.yaml")
    data["nudges"][0]["wordings"] = data["nudges"][0]["wordings"][:2]
    with pytest.raises(ValidationError, match="wordings"):
        Catalogue.model_validate(data)


def test_an_unknown_placeholder_in_a_wording_is_rejected() -> None:
    data = shipped("nudges.yaml")
    data["nudges"][1]["wordings"][0] = "What would {name} do about {metric}?"
    with pytest.raises(ValidationError, match="name"):
        Catalogue.model_validate(data)


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda d: d["nudges"].append(copy.deepcopy(d["nudges"][0])), id="repeat"),
        pytest.param(lambda d: d["nudges"][2].update(idea="nobody"), id="unknown-idea"),
        pytest.param(
            lambda d: d["nudges"].append({**copy.deepcopy(d["nudges"][0]), "id": "extra"}),
            id="unknown-nudge",
        ),
        pytest.param(lambda d: d["nudges"][0].update(colour="red"), id="extra-field"),
        pytest.param(lambda d: d["nudges"][0].pop("why"), id="no-why"),
    ],
)
def test_other_broken_catalogues_are_rejected(mutate: Any) -> None:
    data = shipped("nudges.yaml")
    mutate(data)
    with pytest.raises(ValidationError):
        Catalogue.model_validate(data)


def test_a_reflection_with_seven_steps_is_rejected() -> None:
    data = shipped("reflection.yaml")
    data["steps"] = data["steps"][:7]
    with pytest.raises(ValidationError, match="steps"):
        Reflection.model_validate(data)


# --- render -----------------------------------------------------------------------------------


def test_render_keeps_member_words_as_user_text() -> None:
    entry = UserText("<!here> {not a placeholder}")
    assert render("Saved: {entry}.", entry=entry) == ("Saved: ", entry, ".")


def test_render_formats_plain_values_with_their_spec() -> None:
    assert render("{a} = {b:.2f}", a="x", b=0.5) == ("x", " = ", "0.50")


def test_render_raises_key_error_on_a_missing_value() -> None:
    with pytest.raises(KeyError, match="metric"):
        render("Which part moves {metric}?", goal=UserText("g"))


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("Run the ablation.", "Next: Run the ablation. Good luck"),
        ("Is it the data?", "Next: Is it the data? Good luck"),
        ("Run the ablation", "Next: Run the ablation. Good luck"),
    ],
)
def test_a_sentence_the_member_ended_gets_no_second_period(said: str, shown: str) -> None:
    content = render("Next: {step}. Good luck", step=UserText(said))
    assert "".join(p.text if isinstance(p, UserText) else str(p) for p in content) == shown
    assert UserText(said) in content  # still marked as the member's words


def test_an_ellipsis_after_a_value_is_kept() -> None:
    assert render("{n}... and more", n="Three.") == ("Three.", "... and more")
