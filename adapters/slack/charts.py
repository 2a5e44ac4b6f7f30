"""Charts on Slack: a PNG uploaded in Slack's current three steps (``files_upload_v2``:
files.getUploadURLExternal → POST the bytes to the upload URL → files.completeUploadExternal),
shared only where its words would go.

Where a member's chart can be shown, as Slack documents it:
- An ephemeral message cannot carry a file, and an image block can show a Slack file only to
  people who can see that file (``slack_file``, Block Kit's "Slack file object": "the user
  posting these blocks must have access to this file"). An upload completed without a channel
  is private to the uploader, the bot: blocks naming it are refused (``invalid_blocks``,
  "invalid slack file", slackapi/python-slack-sdk#1658), and a file's processing finishes
  after the upload answers (slackapi/bolt-js#2115), so even a shared one may not be ready.
  So a private reply's chart is shared into the member's DM with the coach, and the reply
  says so; nothing of a member's is ever shared in a channel.
- App Home (views.publish) has the same rule for image blocks, and uploading a file on every
  open of the tab would fill the member's DM: in HTTP mode with COACH_PUBLIC_URL the home
  shows each chart from a signed link Slack fetches (bot.coach.chart_links); otherwise it
  keeps its text sparkline and the chart's alt text, no image.
- The digest's team chart is the team's published data: shared in the team channel (in the
  digest's thread when given).

Words always go first; an upload that fails (an error, a 429 past its retries, an upload
URL that does not answer) is logged and never takes the words with it.
"""

from __future__ import annotations

import logging

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import error_of
from bot.events import Chart
from bot.text import cap

log = logging.getLogger(__name__)

ALT_LIMIT = 1000  # files.getUploadURLExternal: alt_txt_too_large beyond 1000 characters
TITLE_LIMIT = 250  # a file's title, shown above the image: the start of its alt text


class ChartNotShown(Exception):
    """Slack did not take the chart; the words it came with are out already."""


async def share(
    client: AsyncWebClient, chart: Chart, channel: str, thread_ts: str | None = None
) -> str:
    """Upload ``chart`` and share it in ``channel`` (a DM channel, or the team channel for
    published data), in the thread ``thread_ts`` when given; return the file's id.

    Raises ``ChartNotShown`` (the cause logged) when Slack refuses or cannot be reached.

    Example: ``await share(client, chart, "D0123")``
    """
    try:
        answer = await client.files_upload_v2(
            filename=chart.filename,
            content=chart.png,
            title=cap(chart.alt, TITLE_LIMIT) or chart.filename,
            alt_txt=cap(chart.alt, ALT_LIMIT),
            channel=channel,
            thread_ts=thread_ts,
        )
    except SlackApiError as exc:
        log.warning("Slack did not take a chart: %s", error_of(exc))
        raise ChartNotShown(error_of(exc)) from exc
    except SlackRequestError as exc:  # the upload URL refused the bytes
        log.warning("Slack's upload URL did not take a chart")
        raise ChartNotShown("upload_refused") from exc
    except (ClientError, TimeoutError, OSError) as exc:
        log.warning("could not reach Slack to upload a chart: %s", type(exc).__name__)
        raise ChartNotShown(type(exc).__name__) from exc
    file = answer.get("file") or {}
    return str(file.get("id", "")) if isinstance(file, dict) else ""
