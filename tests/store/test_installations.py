"""The core's keeping of a platform app's installations and install states
(bot.store.installations), behind the ports the Slack adapter uses: one installation per
workspace, tokens sealed at rest, install states spent once and pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import text

from bot.ports import InstallationVault, OAuthStates
from bot.store import Database
from bot.store.installations import PREFIX, Installations, InstallStates

KEY = Fernet.generate_key().decode()
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def bot_row(token: str, installed_at: datetime, team: str = "T9") -> dict[str, Any]:
    return {
        "app_id": "A1",
        "enterprise_id": None,
        "team_id": team,
        "team_name": "Nine",
        "bot_token": token,
        "bot_id": "B9",
        "bot_user_id": "UBOT",
        "bot_scopes": "commands,chat:write",
        "is_enterprise_install": False,
        "installed_at": installed_at,
        "not_a_column": "ignored",  # an SDK's extra field is not stored
    }


async def stored_tokens(db: Database) -> list[str]:
    async with db.session() as session:
        return [str(t) for (t,) in await session.execute(text("SELECT bot_token FROM slack_bots"))]


async def test_a_newer_bot_replaces_the_older_and_its_token_is_sealed(db: Database) -> None:
    vault: InstallationVault = Installations(db, "111.222", [KEY])
    await vault.save_bot(bot_row("xoxb-old", START))
    await vault.save_bot(bot_row("xoxb-new", START + timedelta(hours=1)))
    await vault.save_bot(bot_row("xoxb-other-team", START, team="T8"))
    tokens = await stored_tokens(db)  # one row per workspace, none in clear
    assert all(t.startswith(PREFIX) for t in tokens)
    opened = sorted(Fernet(KEY).decrypt(t.removeprefix(PREFIX)).decode() for t in tokens)
    assert opened == ["xoxb-new", "xoxb-other-team"]
    found = await vault.find_bot(None, "T9")
    assert found is not None and found["bot_token"] == "xoxb-new"
    assert found["installed_at"].replace(tzinfo=UTC) == START + timedelta(hours=1)


async def test_a_token_no_key_opens_reads_as_not_installed(db: Database) -> None:
    await Installations(db, "111.222", [KEY]).save_bot(bot_row("xoxb-sealed", START))
    other = Installations(db, "111.222", [Fernet.generate_key().decode()])
    assert await other.find_bot(None, "T9") is None


async def test_another_app_does_not_see_the_installation(db: Database) -> None:
    await Installations(db, "111.222", []).save_bot(bot_row("xoxb-mine", START))
    assert await Installations(db, "333.444", []).find_bot(None, "T9") is None


async def test_an_install_state_is_spent_once_and_only_before_it_expires(db: Database) -> None:
    states: OAuthStates = InstallStates(db)
    await states.issue("fresh", START + timedelta(minutes=10))
    await states.issue("late", START + timedelta(minutes=10))
    assert await states.consume("fresh", START)
    assert not await states.consume("fresh", START)
    assert not await states.consume("late", START + timedelta(minutes=11))
    assert not await states.consume("never-issued", START)


async def test_pruning_drops_the_expired_and_all_but_the_newest(db: Database) -> None:
    states = InstallStates(db)
    await states.issue("expired", START)
    for n in range(5):
        await states.issue(f"open-{n}", START + timedelta(minutes=10))
    await states.prune(START + timedelta(minutes=1), kept=3)
    assert not await states.consume("expired", START - timedelta(minutes=1))
    assert not await states.consume("open-1", START)  # past the newest three
    assert await states.consume("open-2", START) and await states.consume("open-4", START)
