"""Save to notebook, on any message (``MessageSaved``): a small form with the message's words
to edit and a note to add; sent, it is a notebook entry that points back to the message.

The link does not travel in the form: a Discord modal's id holds 100 characters, less than a
quoted link. It waits in the member's ``save_links`` draft under a short key, the form's
context, until the form is sent (a few forms may be open at once; the oldest go first).

>>> await saved.open_form(turn, "lr 3e-4 diverges after 2k steps", "https://…", "Grace")
[OpenForm(form=Form(form_id='save', …))]
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import partial

from bot.coach import forms
from bot.coach.limits import keep_as_draft, notebook_full
from bot.coach.submission import rejection
from bot.coach.turn import Turn
from bot.events import FieldKind, Form, FormField, Intent, OpenForm, Reply, UserText, plain
from bot.prompts import Prompts

FORM = "save"
LINKS = "save_links"  # the draft holding the links of save forms not sent yet
KEPT_LINKS = 10  # links kept for forms opened and not sent; the oldest go first
NOTE = 1000  # characters of the member's note
KEY = 12  # hex characters of a link's key: the form's context
BY = ":by"  # the key's suffix for the message's author


def save_form(text: str, context: str, prompts: Prompts | None = None) -> Form:
    """The form: the message's words (editable, at most a notebook entry's length) and a
    note of the member's own."""
    w = partial(forms.words, prompts=prompts)
    return Form(
        FORM,
        w("save_form_title"),
        (
            FormField(
                "text",
                w("save_form_text"),
                FieldKind.LONG,
                required=True,
                max_length=forms.LONG,
                initial=text,
            ),
            FormField(
                "note",
                w("save_form_note"),
                FieldKind.LONG,
                max_length=NOTE,
                hint=w("save_form_note_hint"),
            ),
        ),
        submit_label=w("save_form_submit"),
        context=context,
    )


def link_key(link: str) -> str:
    """A short, stable key for ``link`` (the same message gives the same key)."""
    return hashlib.sha256(link.encode()).hexdigest()[:KEY]


async def open_form(turn: Turn, text: str, link: str, author: str = "") -> list[Intent]:
    """The form pre-filled with the message's words, or why it cannot be saved."""
    if not text.strip():  # an image alone, or words the platform does not show the coach
        return [Reply(turn.say("save_empty"))]
    kept = {"text": text, "link": link}
    if await notebook_full(turn.scope, turn.member, turn.limits):
        await keep_as_draft(turn.scope, turn.member, FORM, kept, turn.now)
        return [Reply(turn.say("save_limit", count=turn.limits.notebook_entries))]
    if len(text.strip()) > forms.LONG:
        # Kept whole, as any too-long text is: the member takes the part they need.
        await keep_as_draft(turn.scope, turn.member, FORM, kept, turn.now)
        return [Reply(turn.say("save_too_long", length=len(text.strip()), limit=forms.LONG))]
    key = await _remember(turn, link, author)
    return [OpenForm(save_form(text.strip(), key, turn.prompts))]


async def submit(turn: Turn, values: Mapping[str, str], context: str) -> list[Intent]:
    """The form sent: a notebook entry with the words, the note and the link."""
    link, author = await _recall(turn, context)
    form = save_form("", context, turn.prompts)
    keep = {"link": link} if link else None
    rejected = await rejection(turn, form, values, draft=FORM, keep=keep)
    if rejected is not None:
        return [rejected]
    if await notebook_full(turn.scope, turn.member, turn.limits):
        await keep_as_draft(turn.scope, turn.member, FORM, {**values, **(keep or {})}, turn.now)
        return [Reply(turn.say("save_limit", count=turn.limits.notebook_entries))]
    text, note = values["text"].strip(), values.get("note", "").strip()
    await turn.scope.add_note(turn.member, entry(turn, text, note, link, author), turn.now)
    await _forget(turn, context)
    draft = await turn.scope.draft(turn.member, FORM)
    if draft is not None and link and draft.values.get("link") == link:
        await turn.scope.clear_draft(turn.member, FORM)  # this message's words, saved now
    if not link:
        return [Reply(turn.say("saved_no_link"))]
    return [Reply(turn.say("saved", link=UserText(link)))]


def entry(turn: Turn, text: str, note: str, link: str, author: str) -> str:
    """The entry as kept (and exported, searched, reviewed): the words, then the member's
    note, then where they come from.

    >>> entry(turn, "lr 3e-4 diverges", "try warmup", "https://x/p1", "Grace")
    'lr 3e-4 diverges\\n\\nMy note: try warmup\\nSaved from a message by Grace: https://x/p1'
    """
    parts = [text]
    tail = []
    if note:
        tail.append(plain(turn.say("saved_entry_note", note=note)))
    if link and author:
        tail.append(plain(turn.say("saved_entry_from_author", author=author, link=link)))
    elif link:
        tail.append(plain(turn.say("saved_entry_from", link=link)))
    if tail:
        parts.append("\n".join(tail))
    return "\n\n".join(parts)


async def _remember(turn: Turn, link: str, author: str) -> str:
    """Keep ``link`` (and its author) for the form about to open; its key."""
    key = link_key(link)
    draft = await turn.scope.draft(turn.member, LINKS)
    links = {k: str(v) for k, v in (draft.values if draft else {}).items()}
    links.pop(key, None)
    links.pop(key + BY, None)
    links[key] = link
    if author:
        links[key + BY] = author
    while len([k for k in links if not k.endswith(BY)]) > KEPT_LINKS:
        oldest = next(k for k in links if not k.endswith(BY))
        links.pop(oldest)
        links.pop(oldest + BY, None)
    await turn.scope.save_draft(turn.member, LINKS, links, turn.now)
    return key


async def _recall(turn: Turn, key: str) -> tuple[str, str]:
    """(link, author) kept under ``key``; ("", "") when gone (forgotten, or too many forms
    opened since): the entry is saved without them."""
    draft = await turn.scope.draft(turn.member, LINKS)
    if draft is None or not key:
        return "", ""
    return str(draft.values.get(key, "")), str(draft.values.get(key + BY, ""))


async def _forget(turn: Turn, key: str) -> None:
    draft = await turn.scope.draft(turn.member, LINKS)
    if draft is None:
        return
    links = {k: str(v) for k, v in draft.values.items() if k not in (key, key + BY)}
    if links:
        await turn.scope.save_draft(turn.member, LINKS, links, turn.now)
    else:
        await turn.scope.clear_draft(turn.member, LINKS)
