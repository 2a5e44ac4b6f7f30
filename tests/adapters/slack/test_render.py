"""Block Kit within Slack's limits, and member text that can neither ping nor link."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from adapters.slack import render
from adapters.slack.manifest import BOT_EVENTS, EXAMPLE_URL, manifest
from adapters.slack.sanitize import escape
from bot.events import Action, Button, Choice, FieldKind, Form, FormField, UserText
from bot.text import cap
from tests.fakes.slack_spec import blocks_problems, view_problems

ROOT = Path(__file__).resolve().parents[3]


def test_escape_defuses_every_mention_form() -> None:
    hostile = "<!channel> <!here> <!everyone> <@U1> <!subteam^S1|x> <#C1|c> & @here"
    safe = escape(hostile)
    assert "<" not in safe and ">" not in safe
    assert "&amp;" in safe and "@\u200bhere" in safe


def test_coach_text_is_escaped_too() -> None:
    message = render.message(("Usage: /log <text> & more",))
    assert message["blocks"][0]["text"]["text"] == "Usage: /log &lt;text&gt; &amp; more"


def test_long_text_is_split_into_sections_and_capped_with_a_note() -> None:
    paragraphs = "\n\n".join("p" * 2500 for _ in range(80))
    message = render.message((UserText(paragraphs),), (Button("OK", Action.KEEP_REVIEW),))
    blocks = message["blocks"]
    assert len(blocks) == 50 and blocks[-1]["type"] == "actions"
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks[:-1])
    assert "more characters)" in blocks[-2]["text"]["text"]
    assert len(message["text"]) <= 3000


def test_modal_respects_limits_and_round_trips_values() -> None:
    form = Form(
        "checkin",
        "A title far longer than twenty-four characters",
        (
            FormField("did", "What did you do?", FieldKind.LONG, required=True, initial="x" * 4000),
            FormField("goal", "Goal", FieldKind.CHOICE, choices=(), initial="1"),
        ),
        context="2",
    )
    view = render.modal(form, "C1")
    assert len(view["title"]["text"]) <= 24
    did = view["blocks"][0]["element"]
    assert did["multiline"] and did["max_length"] == 3000 and len(did["initial_value"]) == 3000
    view["state"] = {"values": {"did": {"value": {"type": "plain_text_input", "value": "ok"}}}}
    assert render.submitted(view) == ("checkin", "2", "C1", {"did": "ok"})


def test_sparkline() -> None:
    assert render.sparkline((1.0, 2.0, 3.0)) == "▁▅█"
    assert render.sparkline((2.0, 2.0)) == "▄▄"
    assert render.sparkline(()) == ""


def test_manifest_has_minimal_scopes_commands_and_events() -> None:
    http = manifest(EXAMPLE_URL)
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert {c["command"] for c in http["features"]["slash_commands"]} == {
        "/checkin",
        "/goal",
        "/reflect",
        "/log",
        "/review",
        "/wins",
        "/predict",
        "/ask",
        "/coach",
    }
    assert set(http["settings"]["event_subscriptions"]["bot_events"]) == set(BOT_EVENTS)
    socket = manifest(None)
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in socket["settings"]["event_subscriptions"]
    assert all("url" not in c for c in socket["features"]["slash_commands"])
    shipped = yaml.safe_load((ROOT / "deploy" / "slack" / "manifest.yml").read_text())
    assert shipped == http  # the file in deploy/ is what the command prints


def test_manifest_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "slack", "manifest", "--url", "https://coach.lab.org"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    printed = yaml.safe_load(done.stdout)
    assert printed["oauth_config"]["redirect_urls"] == [
        "https://coach.lab.org/slack/oauth_redirect"
    ]
    refused = subprocess.run(
        [sys.executable, "-m", "bot", "slack", "manifest", "--url", "http://insecure"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2


def test_a_long_paragraph_is_split_at_words_never_inside_an_escaped_character() -> None:
    # One paragraph, no sentence ends: the cuts fall between words, and "&amp;" stays whole.
    text = " ".join(f"w{n}&x" for n in range(3000))
    blocks = render.message((UserText(text),))["blocks"]
    shown = [b["text"]["text"] for b in blocks]
    assert len(shown) > 5 and all(len(t) <= 3000 for t in shown)
    assert " ".join(shown).replace("&amp;", "&").split() == text.split()
    assert blocks_problems(blocks) == []


def test_a_word_longer_than_a_section_is_cut_outside_entities() -> None:
    text = "&" * 7000  # escaped, 35,000 characters of "&amp;" and no space anywhere
    shown = [b["text"]["text"] for b in render.message((UserText(text),))["blocks"]]
    assert all(t.count("&") * 5 == len(t) for t in shown)  # every piece whole "&amp;"s
    assert sum(t.count("&") for t in shown) == 7000


def test_white_space_makes_no_empty_section() -> None:
    for body in ("", "   ", "\n\n\n"):
        message = render.message((UserText(body),))
        assert blocks_problems(message["blocks"]) == [] and message["text"].strip()


def test_many_buttons_fill_several_actions_blocks_within_the_limits() -> None:
    buttons = tuple(Button(f"Goal {n}", Action.OPEN_CHECKIN, str(n)) for n in range(60))
    message = render.message(("Which goal?",), buttons)
    rows = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [len(r["elements"]) for r in rows] == [25, 25, 10]
    assert blocks_problems(message["blocks"]) == []
    values = [render.button_value(e["value"]) for r in rows for e in r["elements"]]
    assert values == [str(n) for n in range(60)]


def test_long_button_and_option_values_travel_by_key_and_come_back() -> None:
    long = "context:" + "x" * 5000
    [row] = render.message(("Open it",), (Button("Open", Action.OPEN_CHECKIN, long),))["blocks"][1:]
    sent = row["elements"][0]["value"]
    assert len(sent) <= 2000 and render.button_value(sent) == long
    choice = "c" * 400
    form = Form(
        "checkin",
        "Check-in",
        (FormField("goal", "Goal", FieldKind.CHOICE, choices=(Choice("One", choice),)),),
    )
    view = render.modal(form, "C1")
    assert view_problems(view) == []
    option = view["blocks"][0]["element"]["options"][0]
    view["state"] = {
        "values": {"goal": {"value": {"type": "static_select", "selected_option": option}}}
    }
    assert render.submitted(view)[3] == {"goal": choice}


def test_a_text_holding_the_cut_note_itself_is_still_capped() -> None:
    # A member may type, at just the right place, the very note a cut would add.
    length = 10_000
    plain_cut = cap("p" * length, 3000)
    keep = plain_cut.index("…")
    note = plain_cut[keep:]
    hostile = "p" * keep + note + "p" * (length - keep - len(note))
    message = render.message((UserText(hostile),))
    assert len(message["text"]) <= 3000 and blocks_problems(message["blocks"]) == []
