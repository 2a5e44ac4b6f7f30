"""How fast the Discord adapter gives ``/checkin`` its first response, against a bare client.

Both run in the same process, connected to one fake Discord on 127.0.0.1 (tests/fakes), one
interaction each in turn so that machine noise falls on both alike:

- ours: the real adapter (``DiscordApp``), the real coach and an SQLite database in a
  temporary folder; the member has one goal, so ``/checkin`` answers with the check-in modal
  (the coach reads the member, their goals and their draft, or its view of them once warm:
  ``bot.coach.surface``);
- bare: an unmodified ``discord.Client`` whose ``/checkin`` sends a fixed modal at once.

Measured: from the moment the fake sends INTERACTION_CREATE on the gateway to the moment it
receives the interaction callback (the first response). The next interaction is sent once our
adapter finished all of its work for this one (the coach's turn may end after the modal went
out), so that neither client is measured while the other is still busy.

Run: ``python bench/discord_defer.py [--rounds N]``. The last line reads
``RESULT ratio=<our p99 / bare p99> p99_ms=<our p99> bare_p99_ms=<bare p99>``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake lives in tests/, which is not installed

import discord  # noqa: E402
from discord import app_commands  # noqa: E402

from adapters.discord.app import DiscordApp  # noqa: E402
from bot.coach import Coach  # noqa: E402
from bot.events import Actor, CommandInvoked, FormSubmitted, Place, TenantRef  # noqa: E402
from bot.pacing import Pacer  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import Database  # noqa: E402
from tests.fakes.discord import FakeDiscord, Person, Session, pointed_at  # noqa: E402

GUILD, CHANNEL = 80 << 22, 8101
TOKEN = "MTAxMDEwMTAxMDEwMTAxMDEw.GAbcde.abcdefghijklmnopqrstuvwxyz0123456789AB"
TARGET = 1.3
ADA = Person(4242, "Ada")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: ``percentile(v, 0.99)``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


async def first_response_ms(fake: FakeDiscord, client: Session) -> float:
    """Push one ``/checkin`` to ``client``; milliseconds until the fake received its callback."""
    payload = fake.interaction(2, ADA, GUILD, CHANNEL, {"id": "1", "name": "checkin", "type": 1})
    interaction_id = int(payload["id"])
    sent = time.perf_counter()
    await fake.push("INTERACTION_CREATE", payload, GUILD, to=client)
    await fake.wait_until(lambda: bool(fake.answers_to(interaction_id)))
    (callback,) = fake.answers_to(interaction_id)
    assert callback.json["type"] == 9, callback.json  # a modal, for both
    return (callback.at - sent) * 1000


ACTOR = Actor(TenantRef("discord", str(GUILD)), str(ADA.id), ADA.name)
CHECKIN = CommandInvoked(ACTOR, Place.channel(str(CHANNEL)), "checkin")


async def coach_alone_ms(coach: Coach) -> float:
    """The coach's own share: ``Coach.handle`` for the same ``/checkin``, without Discord."""
    started = time.perf_counter()
    await coach.handle(CHECKIN)
    return (time.perf_counter() - started) * 1000


async def run_ours(
    fake: FakeDiscord, coach: Coach
) -> tuple[Session, asyncio.Task[None], DiscordApp]:
    values = {"capability": "Transcribe clinic audio", "metric_name": "WER", "direction": "down"}
    await coach.handle(FormSubmitted(ACTOR, Place.channel(str(CHANNEL)), "goal", values))
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        discord_token=TOKEN,
        discord_api_url=fake.api_url,
        discord_gateway_url=fake.gateway_url,
    )
    app = DiscordApp(coach, settings, pace=Pacer(0.0, 0.0), guild_ready_timeout=0.01)
    task = asyncio.create_task(app.run())
    await fake.wait_connected(1)
    return fake.live_sessions()[0], task, app


async def idle(app: DiscordApp) -> None:
    """Until our adapter has nothing in flight (every answer and turn finished)."""
    if not await app.dispatcher.inflight.drain(5.0):
        raise TimeoutError("the adapter is still answering after 5 s")


async def run_bare(fake: FakeDiscord) -> tuple[Session, asyncio.Task[None]]:
    intents = discord.Intents.none()
    intents.guilds = True
    client = discord.Client(
        intents=intents,
        allowed_mentions=discord.AllowedMentions.none(),
        guild_ready_timeout=0.01,
    )
    tree = app_commands.CommandTree(client)

    @tree.command(name="checkin", description="Weekly check-in")
    async def checkin(interaction: discord.Interaction) -> None:
        modal = discord.ui.Modal(title="Weekly check-in", timeout=None)
        modal.add_item(discord.ui.Label(text="What did you do?", component=discord.ui.TextInput()))
        modal.stop()
        await interaction.response.send_modal(modal)

    async def serve() -> None:
        async with client:
            await client.login(TOKEN)
            await client.connect()

    task = asyncio.create_task(serve())
    await fake.wait_connected(2)
    return fake.live_sessions()[1], task


async def stop(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def main(rounds: int, warmup: int, database_url: str | None) -> None:
    fake = await FakeDiscord().start()
    fake.add_guild(GUILD, "Lab", CHANNEL)
    with tempfile.TemporaryDirectory() as folder, pointed_at(fake):
        db = Database.from_url(database_url or f"sqlite+aiosqlite:///{Path(folder) / 'c.db'}")
        await db.upgrade()
        try:
            coach = Coach(db)
            ours_client, ours_task, app = await run_ours(fake, coach)
            bare_client, bare_task = await run_bare(fake)
            ours: list[float] = []
            bare: list[float] = []
            alone: list[float] = []
            for round_ in range(warmup + rounds):
                ours_ms = await first_response_ms(fake, ours_client)
                await idle(app)
                bare_ms = await first_response_ms(fake, bare_client)
                alone_ms = await coach_alone_ms(coach)
                if round_ >= warmup:
                    ours.append(ours_ms)
                    bare.append(bare_ms)
                    alone.append(alone_ms)
            await stop(ours_task)
            await stop(bare_task)
        finally:
            await db.dispose()
            await fake.close()
    report(ours, bare, alone, db.backend)


def report(ours: list[float], bare: list[float], alone: list[float], backend: str) -> None:
    p50, p99 = statistics.median(ours), percentile(ours, 0.99)
    bare_p50, bare_p99 = statistics.median(bare), percentile(bare, 0.99)
    alone_p50, alone_p99 = statistics.median(alone), percentile(alone, 0.99)
    ratio = p99 / bare_p99
    print(
        f"{len(ours)} rounds each, interleaved: INTERACTION_CREATE sent → first response received"
    )
    print(f"ours /checkin, coach + {backend}, modal:  p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    print(f"bare /checkin, fixed modal at once:   p50 {bare_p50:6.2f} ms   p99 {bare_p99:6.2f} ms")
    print(
        f"Coach.handle(/checkin) alone:         p50 {alone_p50:6.2f} ms   p99 {alone_p99:6.2f} ms"
    )
    verdict = "met" if ratio <= TARGET else "MISSED"
    print(f"p50 ratio {p50 / bare_p50:.2f}; p99 ratio {ratio:.2f} (target <= {TARGET}: {verdict})")
    print(f"RESULT ratio={ratio:.2f} p99_ms={p99:.2f} bare_p99_ms={bare_p99:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--database-url", help="an empty database, e.g. PostgreSQL; default SQLite")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.warmup, arguments.database_url))
