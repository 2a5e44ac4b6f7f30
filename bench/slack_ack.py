"""How fast /checkin is acknowledged through our whole Slack HTTP stack, next to a bare Bolt app
that only acks, in the same run: signed requests, 50 at a time, over loopback.

Each request carries a trigger_id and a response_url the fake Slack issued just before its
burst, as Slack's do: the work after our ack (the check-in modal) takes the path it takes for
members, not a fallback for a refused trigger. The fake's tally of that work is printed.

    python bench/slack_ack.py [--rounds 20] [--concurrency 50]

Ends with: RESULT ratio=<our p99 / bare p99> p99_ms=<our p99> bare_p99_ms=<bare p99>
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from aiohttp import web

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from slack_bolt.async_app import AsyncAck, AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from adapters.slack.app import build  # noqa: E402
from adapters.slack.http import SlackServer  # noqa: E402
from bot.coach import Coach  # noqa: E402
from bot.pacing import Pacer  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import Database  # noqa: E402
from tests.fakes.slack import FakeSlack, sign, slash_command_body  # noqa: E402

SECRET = "bench-secret"
TOKEN = "xoxb-bench"


def bare_app(api_url: str) -> AsyncApp:
    app = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=api_url))

    @app.command("/checkin")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    return app


Fresh = dict[str, list[str]]  # "triggers" and "response_urls", one each per request


async def fresh(http: httpx.AsyncClient, issuer: str, n: int, tag: str) -> Fresh:
    """``n`` trigger_ids and response_urls the fake Slack has just issued."""
    answer = await http.get(issuer, params={"n": n, "tag": tag})
    answer.raise_for_status()
    issued: Fresh = answer.json()
    return issued


async def burst(http: httpx.AsyncClient, url: str, n: int, issued: Fresh) -> list[float]:
    async def one(i: int) -> float:
        body = slash_command_body(
            "/checkin",
            "",
            team_id="T1",
            user_id=f"U{i}",
            channel_id="C1",
            response_url=issued["response_urls"][i],
            trigger_id=issued["triggers"][i],
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
        start = time.perf_counter()
        answer = await http.post(url, content=body, headers=headers)
        elapsed = time.perf_counter() - start
        if answer.status_code != 200:
            raise RuntimeError(f"unexpected {answer.status_code}: {answer.text}")
        return elapsed * 1000

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def load(
    urls: dict[str, str], rounds: int, concurrency: int, issuer: str
) -> dict[str, list[float]]:
    """The client side, in its own process so its work is not counted as the servers'. Before
    each burst it asks the fake Slack (at ``issuer``) for fresh trigger_ids and response_urls;
    the asking is not timed."""
    limits = httpx.Limits(max_connections=2 * concurrency)
    timings: dict[str, list[float]] = {name: [] for name in urls}
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        for name, url in urls.items():  # warm-up: auth.test, users.info, connections
            await burst(http, url, concurrency, await fresh(http, issuer, concurrency, name))
        await asyncio.sleep(0.5)
        for rnd in range(rounds):
            order = list(urls) if rnd % 2 == 0 else list(reversed(urls))
            for name in order:  # interleaved, so drift in the machine hits both alike
                issued = await fresh(http, issuer, concurrency, f"{name}-{rnd}")
                timings[name] += await burst(http, urls[name], concurrency, issued)
                await asyncio.sleep(0.3)  # let each burst's post-ack work finish
    return timings


async def serve_fake() -> None:
    """The fake Slack, in its own process, with a side door that issues fresh trigger_ids and
    response_urls (``GET …/fresh?n=50&tag=ours-3``). Prints its API URL and the side door's,
    runs until stdin closes, then prints its tally of the work after the acks (JSON)."""
    async with FakeSlack() as fake:
        fake.add_workspace("T1", TOKEN)

        async def issue(request: web.Request) -> web.Response:
            n, tag = int(request.query["n"]), request.query["tag"]
            return web.json_response(
                {
                    "triggers": [fake.trigger_id() for _ in range(n)],
                    "response_urls": [fake.response_url(f"{tag}-{i}") for i in range(n)],
                }
            )

        side = web.Application()
        side.router.add_get("/fresh", issue)
        runner = web.AppRunner(side)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(fake.api_url, f"http://127.0.0.1:{port}/fresh", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()
        tally: dict[str, int] = {}
        for call in fake.calls():
            if call.method in ("views.open", "response_url", "chat.postEphemeral"):
                key = f"{call.method} {'ok' if call.ok else 'refused'}"
                tally[key] = tally.get(key, 0) + 1
        print(json.dumps(tally), flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def main(rounds: int, concurrency: int) -> None:
    me = [sys.executable, str(HERE)]
    fake = await asyncio.create_subprocess_exec(
        *me, "--fake", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert fake.stdout is not None and fake.stdin is not None
    api_url, issuer = (await fake.stdout.readline()).decode().split()
    with tempfile.TemporaryDirectory() as folder:
        db = Database.from_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        await db.upgrade()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=api_url,
        )
        servers = {
            "ours": SlackServer(build(Coach(db), settings, Pacer()).app),
            "bare": SlackServer(bare_app(api_url)),
        }
        urls = {}
        for name, server in servers.items():
            port = await server.start("127.0.0.1", 0)
            urls[name] = f"http://127.0.0.1:{port}/slack/events"
        client = await asyncio.create_subprocess_exec(
            *me,
            "--load",
            json.dumps(urls),
            str(rounds),
            str(concurrency),
            issuer,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await client.communicate()
        timings: dict[str, list[float]] = json.loads(out)
        for server in servers.values():
            await server.stop()
        await db.dispose()
    fake.stdin.close()
    tally = json.loads(await fake.stdout.readline())
    await fake.wait()
    print(f"{rounds} rounds of {concurrency} concurrent signed /checkin requests, loopback")
    for name, values in timings.items():
        print(
            f"{name:5s} n={len(values)} p50={pct(values, 50):.1f}ms p99={pct(values, 99):.1f}ms "
            f"mean={statistics.fmean(values):.1f}ms"
        )
    print("after the acks, the fake Slack saw:", ", ".join(f"{k}={v}" for k, v in tally.items()))
    ours_p99, bare_p99 = pct(timings["ours"], 99), pct(timings["bare"], 99)
    print(f"p50 ratio {pct(timings['ours'], 50) / pct(timings['bare'], 50):.2f}")
    print(
        f"RESULT ratio={ours_p99 / bare_p99:.2f} p99_ms={ours_p99:.1f} bare_p99_ms={bare_p99:.1f}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fake"]:
        asyncio.run(serve_fake())
    elif sys.argv[1:2] == ["--load"]:
        urls, rounds, concurrency, issuer = sys.argv[2:6]
        found = asyncio.run(load(json.loads(urls), int(rounds), int(concurrency), issuer))
        print(json.dumps(found))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--rounds", type=int, default=20)
        parser.add_argument("--concurrency", type=int, default=50)
        args = parser.parse_args()
        asyncio.run(main(args.rounds, args.concurrency))
