"""The fake Slack's records: what it was asked (``Call``), and the workspaces, users,
channels, response_urls, failures and OAuth results it holds, with Slack's limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapters.slack.manifest import manifest

APP_ID = "A1"
# What an install of the manifest the project generates grants, in order.
GRANTED_SCOPES: tuple[str, ...] = tuple(manifest(None)["oauth_config"]["scopes"]["bot"])
TRIGGER_TTL = 3.0  # seconds a trigger_id lets an app open a modal, once
RESPONSE_URL_USES = 5  # a response_url takes five posts…
RESPONSE_URL_TTL = 30 * 60.0  # …within 30 minutes
# conversations.history and .replies for apps outside the Marketplace, since 2025-05-29.
HISTORY_LIMIT = 15  # messages a call at most
HISTORY_INTERVAL = 60.0  # seconds between calls of one method in one workspace
HISTORY_METHODS = ("conversations.history", "conversations.replies")
BLOCK_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update")
VIEW_METHODS = ("views.open", "views.push", "views.update", "views.publish")
BAD_GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>"
JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One request the fake received.

    `encoding` says how the arguments travelled: "json", "form", "multipart" or "query" (slack_sdk
    sends many methods' arguments in the query string, even of a POST). `status` and `ok` say
    what the fake answered (HTTP status, and the body's "ok"). Equality ignores all three.

    Example: `assert slack.calls("auth.test") == [Call("auth.test", {}, "xoxb-1")]`
    """

    method: str
    args: dict[str, Any]
    token: str | None
    encoding: str = field(default="", compare=False)
    status: int = field(default=200, compare=False)
    ok: bool = field(default=True, compare=False)


@dataclass
class _Workspace:
    team_id: str
    team_name: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    scopes: tuple[str, ...] = GRANTED_SCOPES


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    tz: str = "Europe/Berlin"
    is_admin: bool = False


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: int | None
    error: str
    page_type: str | None = None  # a proxy's HTML page instead of Slack's JSON, so labelled
    drop: bool = False  # no answer at all: the connection is cut


@dataclass
class _Channel:
    """A conversation of a workspace; ``members`` holds the bot's user id once it is in."""

    id: str
    name: str
    private: bool = False
    members: set[str] = field(default_factory=set)
    people: frozenset[str] | None = None  # the members who are people; None: all of them


@dataclass
class _ResponseUrl:
    issued: float
    uses: int = 0


@dataclass
class _Storm:
    """Every call of ``methods`` (all methods when empty) fails, ``statuses`` in turn."""

    methods: frozenset[str]
    statuses: tuple[int, ...]
    retry_after: int
    answered: int = 0

    def next_failure(self, method: str) -> _Failure | None:
        if self.methods and method not in self.methods:
            return None
        status = self.statuses[self.answered % len(self.statuses)]
        self.answered += 1
        if status == 0:  # no answer at all
            return _Failure(0, None, "", drop=True)
        error = "ratelimited" if status == 429 else "service_unavailable"
        return _Failure(status, self.retry_after if status == 429 else None, error)


@dataclass(frozen=True)
class _OAuthResult:
    team_id: str
    team_name: str
    bot_token: str
    bot_user_id: str
    scope: str
    authed_user_id: str


WorkspaceMethod = Callable[[JsonDict, _Workspace], JsonDict]
