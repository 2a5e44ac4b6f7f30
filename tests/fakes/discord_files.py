"""Files sent to the fake Discord, read as Discord documents them (reference.mdx, "Uploading
Files"; message.mdx, "Attachment Object"):

- a body with files is ``multipart/form-data``: each file in a part named ``files[n]`` (unique,
  ``n`` a number) with a ``filename`` in its ``Content-Disposition``; the JSON body in a
  ``payload_json`` part, or as plain form fields;
- the JSON's ``attachments`` (``data.attachments`` in an interaction callback) give each new
  file's metadata, its ``id`` the ``n`` of its ``files[n]``; ``description`` is the alt text,
  at most 1024 characters (checked with the rest of the body by ``discord_spec``);
- a new message needs at least one of ``content``, ``embeds``, ``sticker_ids``,
  ``components``, ``files[n]`` or ``poll`` (message.mdx), else 400, code 50006 "Cannot send an
  empty message": a chart alone is a message, words alone are, nothing is not;
- a file over the upload limit (10 MiB by default, ``attachment_size_limit`` in interactions)
  or a request over 25 MiB is refused: HTTP 413, code 40005 "Request entity too large".

The message the fake creates lists its attachments as Discord's attachment objects (id,
filename, description, content_type, size, url, and an image's width and height).
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

UPLOAD_LIMIT = 10 * 1024 * 1024  # each file, by default
REQUEST_LIMIT = 25 * 1024 * 1024  # the whole request, when sending a message
TOO_LARGE = 40005
FILE_FIELD = re.compile(r"files\[(\d+)\]")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Upload:
    """One ``files[n]`` part of a request."""

    field: str  # "files[0]"
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def index(self) -> int | None:
        found = FILE_FIELD.fullmatch(self.field)
        return int(found[1]) if found else None


@dataclass
class Multipart:
    """A multipart body as read: its JSON (``payload_json`` or form fields), its files, and
    what in its form Discord would refuse."""

    json: Any
    uploads: list[Upload]
    size: int
    problems: list[str]


async def read(request: web.Request) -> Multipart:
    """Read every part of a multipart request, keeping each part's name (``aiohttp``'s
    ``post()`` would fold repeated names and lose the ones that matter here)."""
    reader = await request.multipart()
    fields: dict[str, Any] = {}
    payload: Any = None
    uploads: list[Upload] = []
    problems: list[str] = []
    size = 0
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            problems.append("a nested multipart part")
            continue
        data = await part.read()
        size += len(data)
        name = part.name or ""
        if name == "payload_json":
            payload = json.loads(data.decode())
        elif part.filename is not None or name.startswith("files"):
            kind = part.headers.get("Content-Type")
            uploads.append(Upload(name, part.filename, kind, bytes(data)))
        else:
            fields[name] = data.decode()
    names = [u.field for u in uploads]
    problems += [f"{n}: not named files[n]" for n in names if not FILE_FIELD.fullmatch(n)]
    problems += [f"{n}: named twice" for n in set(names) if names.count(n) > 1]
    problems += [f"{u.field}: no filename" for u in uploads if not u.filename]
    return Multipart(payload if payload is not None else fields or None, uploads, size, problems)


def refusal(body: Multipart, path: str, upload_limit: int) -> tuple[int, dict[str, Any]] | None:
    """Discord's answer to a multipart body it refuses, else ``None``."""
    if body.size > REQUEST_LIMIT or any(len(u.data) > upload_limit for u in body.uploads):
        return 413, {"message": "Request entity too large", "code": TOO_LARGE}
    problems = list(body.problems)
    listed = attachments_of(body.json, path)
    indexes = {u.index for u in body.uploads}
    for number, attachment in enumerate(listed):
        ident = attachment.get("id") if isinstance(attachment, dict) else None
        if ident is None or int(str(ident)) not in indexes:
            problems.append(f"attachments.{number}.id: no files[{ident}] in the request")
    if problems:
        errors = {
            "files": {"_errors": [{"code": "BASE_TYPE_INVALID", "message": p} for p in problems]}
        }
        return 400, {"code": 50035, "message": "Invalid Form Body", "errors": errors}
    return None


NEW_MESSAGE = re.compile(
    r"/channels/\d+/messages|/webhooks/\d+/[^/]+|/interactions/\d+/[^/]+/callback"
)
SHOWN = ("content", "embeds", "sticker_ids", "components", "poll")


def empty_message(method: str, path: str, payload: Any, uploads: list[Upload]) -> bool:
    """Whether this request would create a message with nothing in it (Discord: 50006)."""
    if method != "POST" or not NEW_MESSAGE.fullmatch(path) or uploads:
        return False
    if path.endswith("/callback"):
        if not isinstance(payload, dict) or payload.get("type") != 4:
            return False  # only a message response shows a message now
        payload = payload.get("data")
    return not isinstance(payload, dict) or not any(payload.get(key) for key in SHOWN)


def attachments_of(payload: Any, path: str) -> list[Any]:
    """The ``attachments`` of a request's JSON (in ``data`` for an interaction callback)."""
    if not isinstance(payload, dict):
        return []
    if path.endswith("/callback"):
        payload = payload.get("data") or {}
    found = payload.get("attachments") if isinstance(payload, dict) else None
    return found if isinstance(found, list) else []


def attachment_objects(body: Multipart, path: str, ids: Any, base: str) -> list[dict[str, Any]]:
    """The message's attachments as Discord answers them, in the order of ``files[n]``."""
    meta = {int(str(a["id"])): a for a in attachments_of(body.json, path) if isinstance(a, dict)}
    shown = []
    for upload in sorted(body.uploads, key=lambda u: u.index or 0):
        given = meta.get(upload.index or 0, {})
        ident = str(next(ids))
        filename = str(given.get("filename") or upload.filename)
        item: dict[str, Any] = {
            "id": ident,
            "filename": filename,
            "size": len(upload.data),
            "url": f"{base}/attachments/{ident}/{filename}",
            "proxy_url": f"{base}/attachments/{ident}/{filename}",
        }
        if upload.content_type:
            item["content_type"] = upload.content_type
        if given.get("description"):
            item["description"] = given["description"]
        size = png_size(upload.data)
        if size is not None:
            item["width"], item["height"] = size
        shown.append(item)
    return shown


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR chunk; ``None`` for anything else."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height
