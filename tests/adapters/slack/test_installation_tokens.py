"""The Slack tokens the coach keeps (OAuth mode): one installation per workspace, so a
reinstall leaves no old token behind; encrypted at rest when keys are set, re-encrypted under
the newest key after a rotation; and a key that opens nothing is a clear log line, not a crash.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy import text

from bot.coach import Coach
from bot.settings import Settings
from bot.store import Database
from bot.store.installations import PREFIX
from tests.adapters.slack.conftest import SlackHarness, settings_for, start
from tests.adapters.slack.oauth import oauth_install
from tests.fakes.slack import FakeSlack

OLD, NEW = "xoxb-9-old-token-of-team-nine", "xoxb-9-new-token-of-team-nine"
KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))
# slack_sdk's OAuth exchange uses aiohttp's BasicAuth, which aiohttp 3.14 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def oauth_settings(fake: FakeSlack, *keys: str) -> Settings:
    extra = {"slack_token_keys": ",".join(keys)} if keys else {}
    return settings_for(
        fake, slack_bot_token=None, slack_client_id="111.222", slack_client_secret="shh", **extra
    )


async def running(coach: Coach, fake: FakeSlack, *keys: str) -> AsyncIterator[SlackHarness]:
    async for harness in start(coach, fake, oauth_settings(fake, *keys)):
        yield harness


async def install(slack: SlackHarness, token: str) -> None:
    done = await oauth_install(slack, "T9", token, team_name="Nine")
    assert done.status_code == 200, done.text


async def stored(db: Database) -> list[str]:
    """Every bot token column of every installation row, as stored."""
    async with db.session() as session:
        found = []
        for table in ("slack_installations", "slack_bots"):
            rows = await session.execute(text(f"SELECT bot_token FROM {table}"))
            found += [str(token) for (token,) in rows]
    return found


async def answered(slack: SlackHarness, note: str) -> str | None:
    """The token the coach used to answer a command in T9 (None: it could not)."""
    await slack.command("/log", note, team="T9", key=note)
    await slack.responses()
    tokens = [c.token for c in slack.fake.calls("users.info")]
    return tokens[-1] if tokens else None


def database_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("coach.db"))


async def test_a_reinstall_keeps_only_the_new_token(
    coach: Coach, fake_slack: FakeSlack, db: Database
) -> None:
    async for slack in running(coach, fake_slack):
        await install(slack, OLD)
        await install(slack, NEW)
        assert await stored(db) == [NEW, NEW]  # one installation row, one bot row
        assert await answered(slack, "after the reinstall") == NEW


async def test_with_a_key_no_token_is_stored_in_clear(
    coach: Coach, fake_slack: FakeSlack, db: Database, tmp_path: Path
) -> None:
    async for slack in running(coach, fake_slack, KEY_A):
        await install(slack, NEW)
        assert await answered(slack, "with an encrypted token") == NEW
    rows = await stored(db)
    assert len(rows) == 2 and all(r.startswith(PREFIX) and NEW not in r for r in rows)
    if db.backend == "sqlite":
        await db.wipe_journal()
        assert NEW.encode() not in database_bytes(tmp_path)


async def test_a_new_key_first_re_encrypts_what_the_old_one_sealed(
    coach: Coach, fake_slack: FakeSlack, db: Database
) -> None:
    async for slack in running(coach, fake_slack):  # before keys were set: in clear
        await install(slack, NEW)
    async for slack in running(coach, fake_slack, KEY_A):
        assert await answered(slack, "sealed under A") == NEW
    under_a = await stored(db)
    assert all(Fernet(KEY_A).decrypt(r.removeprefix(PREFIX)) == NEW.encode() for r in under_a)

    async for slack in running(coach, fake_slack, KEY_B, KEY_A):  # B is the newest
        assert await answered(slack, "rotated to B") == NEW
    under_b = await stored(db)
    assert all(Fernet(KEY_B).decrypt(r.removeprefix(PREFIX)) == NEW.encode() for r in under_b)

    async for slack in running(coach, fake_slack, KEY_B):  # A retired
        assert await answered(slack, "B alone") == NEW


async def test_a_key_that_opens_nothing_is_said_once_and_nothing_crashes(
    coach: Coach, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    async for slack in running(coach, fake_slack, KEY_A):
        await install(slack, NEW)
    caplog.set_level(logging.ERROR, logger="adapters.slack")
    async for slack in running(coach, fake_slack, KEY_C):
        for attempt in range(3):
            answer = await slack.command("/log", "a note", team="T9", key=f"try-{attempt}")
            assert answer.status_code < 500
        assert slack.fake.calls("users.info") == []  # no token reached Slack
    said = [r.getMessage() for r in caplog.records if "COACH_SLACK_TOKEN_KEYS" in r.getMessage()]
    assert len(said) == 1 and "reinstall" in said[0]
    assert NEW not in caplog.text


def test_a_malformed_key_is_refused_naming_the_setting_only() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, slack_token_keys=f"{KEY_A},not-a-key-sk-9")  # type: ignore[call-arg]
    message = str(refused.value)
    assert "COACH_SLACK_TOKEN_KEYS: key 2 is not a Fernet key" in message
    assert KEY_A not in message and "not-a-key-sk-9" not in message
