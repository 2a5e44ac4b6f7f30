"""The fake Slack's file uploads, in the three steps Slack documents (files.upload is retired):

1. ``files.getUploadURLExternal`` (``filename``, ``length``; ``alt_txt`` at most 1000
   characters, else ``alt_txt_too_large``; a zero ``length`` is ``missing_argument``) answers
   ``{"ok": true, "upload_url": …, "file_id": "F…"}``;
2. the bytes are POSTed to that ``upload_url`` (raw, or multipart form-encoded), no token:
   the URL is the credential; Slack answers HTTP 200 ``OK - <length>``;
3. ``files.completeUploadExternal`` (``files=[{"id", "title"}]``; ``channel_id`` to share
   it, else the file stays private to the uploader; ``initial_comment``, ``thread_ts``)
   answers ``{"ok": true, "files": [<file object>]}``. A file id never issued, issued to
   another workspace, never uploaded or completed already is ``file_not_found``; a
   ``channel_id`` where the bot may not write is ``channel_not_found`` / ``not_in_channel``.

Each upload is kept as an ``Upload`` (``FakeSlack.files.uploads``): its bytes, alt text,
title, and where it was shared (``None``: nowhere), so tests assert on privacy and decode the
image. What Slack would take but is still wrong (bytes of another length than declared) is
listed by ``problems()``, which ``FakeSlack.spec_problems()`` includes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.slack_records import JsonDict, _Workspace
from tests.fakes.slack_wire import _error

ALT_TEXT_LIMIT = 1000  # files.getUploadURLExternal: alt_txt_too_large beyond it
# (channel id, None) where the bot may write, else (None, Slack's error): FakeSlack's rule.
Conversation = Callable[[Any, _Workspace], tuple[str | None, str | None]]


@dataclass
class Upload:
    """One file, from its upload URL to where it was shared."""

    file_id: str
    team_id: str
    filename: str
    length: int  # as declared to files.getUploadURLExternal
    alt_txt: str | None
    data: bytes | None = None  # None until POSTed to the upload URL
    title: str | None = None
    completed: bool = False
    channel_id: str | None = None  # where it was shared; None: private to the uploader
    thread_ts: str | None = None
    initial_comment: str | None = None

    @property
    def shared(self) -> bool:
        return self.channel_id is not None


class SlackFiles:
    """The uploads of one fake Slack; see the module docstring."""

    def __init__(self, base_url: Callable[[], str], conversation: Conversation) -> None:
        self._base_url = base_url
        self._conversation = conversation
        self._serial = itertools.count(1)
        self.uploads: dict[str, Upload] = {}  # by file id, in the order issued
        self._problems: list[str] = []

    def upload_url(self, args: JsonDict, ws: _Workspace) -> JsonDict:
        """files.getUploadURLExternal."""
        length = str(args.get("length", ""))
        if not length.isdigit() or int(length) == 0:
            return _error("missing_argument")
        alt = args.get("alt_txt")
        if alt is not None and len(str(alt)) > ALT_TEXT_LIMIT:
            return _error("alt_txt_too_large")
        file_id = f"F{next(self._serial):08d}"  # Slack's ids: F and eight or more
        self.uploads[file_id] = Upload(
            file_id,
            ws.team_id,
            str(args.get("filename") or ""),
            int(length),
            None if alt is None else str(alt),
        )
        return {
            "ok": True,
            "upload_url": f"{self._base_url()}/upload/{file_id}",
            "file_id": file_id,
        }

    def receive(self, file_id: str, data: bytes) -> tuple[int, str]:
        """The POST to an upload URL: (HTTP status, body)."""
        upload = self.uploads.get(file_id)
        if upload is None or upload.completed:
            return 404, "Not Found"
        upload.data = data
        if len(data) != upload.length:
            self._problems.append(
                f"upload {file_id}: {len(data)} bytes sent, {upload.length} declared"
            )
        return 200, f"OK - {len(data)}"

    def complete(self, args: JsonDict, ws: _Workspace, bot_user_id: str) -> JsonDict:
        """files.completeUploadExternal; shares the files in ``channel_id`` when given."""
        listed = args.get("files")
        if not isinstance(listed, list) or not listed:
            return _error("invalid_arguments")
        found: list[tuple[Upload, JsonDict]] = []
        for entry in listed:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            upload = self.uploads.get(str(file_id))
            if upload is None or upload.team_id != ws.team_id or upload.data is None:
                return _error("file_not_found")
            if upload.completed:
                return _error("file_not_found")
            found.append((upload, entry))
        channel = None
        if args.get("channel_id"):
            channel, refused = self._conversation(args["channel_id"], ws)
            if channel is None:
                return _error(refused or "channel_not_found")
        if args.get("channels"):
            self._problems.append("files.completeUploadExternal: use channel_id, one channel")
        if args.get("thread_ts") and channel is None:
            self._problems.append("files.completeUploadExternal: thread_ts without channel_id")
        files = []
        for upload, entry in found:
            upload.completed = True
            upload.title = str(entry.get("title") or upload.filename)
            upload.channel_id = channel
            upload.thread_ts = _str(args.get("thread_ts")) if channel else None
            upload.initial_comment = _str(args.get("initial_comment")) if channel else None
            files.append(self._file_object(upload, ws, bot_user_id))
        return {"ok": True, "files": files}

    def problems(self) -> list[str]:
        return list(self._problems)

    def _file_object(self, upload: Upload, ws: _Workspace, user: str) -> JsonDict:
        """Slack's file object as completeUploadExternal answers it: sharing is completed
        asynchronously, so ``channels``, ``ims`` and ``shares`` are still empty."""
        base = f"https://files.slack.com/files-pri/{ws.team_id}-{upload.file_id}"
        return {
            "id": upload.file_id,
            "created": 0,
            "timestamp": 0,
            "name": upload.filename,
            "title": upload.title,
            "mimetype": "",
            "filetype": "",
            "user": user,
            "user_team": ws.team_id,
            "mode": "hosted",
            "editable": False,
            "is_external": False,
            "size": len(upload.data or b""),
            "url_private": f"{base}/{upload.filename}",
            "url_private_download": f"{base}/download/{upload.filename}",
            "permalink": f"https://fake.slack.com/files/{user}/{upload.file_id}/{upload.filename}",
            "is_public": False,
            "public_url_shared": False,
            "channels": [],
            "groups": [],
            "ims": [],
            "shares": {},
            "alt_txt": upload.alt_txt,
        }


def _str(value: Any) -> str | None:
    return str(value) if value else None
