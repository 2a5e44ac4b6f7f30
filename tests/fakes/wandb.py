"""A fake of W&B's public GraphQL API on 127.0.0.1 (port 0): the runs of a project, as
``wandb.Api().runs`` asks for them, recording every query.

    async with FakeWandb(key="k" * 40) as wandb:
        wandb.add_run("lab", "cv", "run-a", {"acc": 0.41, "_step": 90}, config={"task": "fold"})
        config = TrackerConfig("wandb", wandb.url, "lab/cv", "acc")
        ...
        assert wandb.queries[0].variables["project"] == "cv"

``POST /graphql`` answers ``project(name:, entityName:) { runs(filters:, after:, first:,
order:) { edges { node { … } cursor } pageInfo { endCursor hasNextPage } } }`` for the
projects added (an unknown one is ``project: null``, as W&B answers), newest or oldest first
(``order`` "-created_at" / "+created_at"), ``first`` per page with opaque cursors. ``filters``
is a JSONString holding a MongoDB-style query; the fake applies the common part of that
language ($and, $or, $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $regex) to state,
display_name, name, tags, config.* and summary_metrics.*, and answers a GraphQL error for
anything else. HTTP basic auth, user "api", password the key: anything else is 401.
``answer`` replaces every answer with a fixed (status, body) when a test needs a broken server.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from aiohttp import web
from aiohttp.typedefs import Handler

# What a Run node may be asked for here (a subset of W&B's Run type).
RUN_FIELDS = frozenset(
    {
        "id",
        "name",
        "displayName",
        "state",
        "createdAt",
        "heartbeatAt",
        "summaryMetrics",
        "config",
        "tags",
        "group",
        "jobType",
        "description",
        "notes",
    }
)
_PROJECT = re.compile(r"project\s*\(\s*name\s*:\s*\$project\s*,\s*entityName\s*:\s*\$entity\s*\)")
_RUNS = re.compile(r"runs\s*\(([^)]*)\)")
_NODE = re.compile(r"node\s*\{([^}]*)\}")
_PAGE_INFO = re.compile(r"pageInfo\s*\{\s*endCursor\s+hasNextPage\s*\}")
_VARIABLE_TYPES = {
    "project": str,
    "entity": str,
    "cursor": (str, type(None)),
    "perPage": int,
    "order": (str, type(None)),
    "filters": (str, type(None)),
}
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class FakeRun:
    name: str  # the run id in W&B's URLs
    display_name: str
    summary: dict[str, Any]
    config: dict[str, Any]
    state: str
    tags: list[str]
    created_at: datetime

    def node(self, fields: set[str]) -> dict[str, Any]:
        values = {
            "id": base64.b64encode(f"Run:v1:{self.name}".encode()).decode(),
            "name": self.name,
            "displayName": self.display_name,
            "state": self.state,
            "createdAt": self.created_at.astimezone(UTC).replace(tzinfo=None).isoformat(),
            "heartbeatAt": self.created_at.astimezone(UTC).replace(tzinfo=None).isoformat(),
            # A JSON string, as W&B sends it; NaN and Infinity as JSON's unofficial literals.
            "summaryMetrics": json.dumps(self.summary),
            "config": json.dumps({k: {"value": v} for k, v in self.config.items()}),
            "tags": self.tags,
            "group": None,
            "jobType": None,
            "description": None,
            "notes": None,
        }
        return {f: values[f] for f in fields}


@dataclass
class Query:
    query: str
    variables: dict[str, Any]
    authorization: str | None

    @property
    def filters(self) -> Any:
        return json.loads(self.variables.get("filters") or "{}")


@dataclass
class FakeWandb:
    key: str = "wandb-key-" + "0" * 30
    projects: dict[tuple[str, str], list[FakeRun]] = field(default_factory=dict)
    queries: list[Query] = field(default_factory=list)
    answer: tuple[int, str] | None = None
    url: str = ""
    _stack: AsyncExitStack = field(default_factory=AsyncExitStack)

    def project(self, entity: str, project: str) -> list[FakeRun]:
        return self.projects.setdefault((entity, project), [])

    def add_run(
        self,
        entity: str,
        project: str,
        name: str,
        summary: dict[str, Any],
        *,
        display_name: str = "",
        config: dict[str, Any] | None = None,
        state: str = "finished",
        tags: list[str] | None = None,
        created_at: datetime | None = None,
    ) -> FakeRun:
        """A run of ``entity/project``; by default each one created a minute after the last."""
        runs = self.project(entity, project)
        run = FakeRun(
            name,
            display_name or name,
            summary,
            config or {},
            state,
            tags or [],
            created_at or START + timedelta(minutes=len(runs)),
        )
        runs.append(run)
        return run

    async def _graphql(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _errors(400, "request body is not JSON")
        query, variables = str(body.get("query", "")), body.get("variables") or {}
        self.queries.append(Query(query, variables, request.headers.get("Authorization")))
        if request.headers.get("Authorization") != _basic("api", self.key):
            return web.json_response({"errors": [{"message": "user is not logged in"}]}, status=401)
        if self.answer is not None:
            status, text = self.answer
            return web.Response(status=status, text=text, content_type="application/json")
        problem = _check(query, variables)
        if problem:
            return _errors(400, problem)
        runs = self.projects.get((variables["entity"], variables["project"]))
        if runs is None:
            return web.json_response({"data": {"project": None}})
        try:
            wanted = _matching(runs, json.loads(variables.get("filters") or "{}"))
        except (ValueError, TypeError) as e:
            return _errors(200, f"invalid filters: {e}")
        newest_first = (variables.get("order") or "+created_at").startswith("-")
        wanted.sort(key=lambda r: r.created_at, reverse=newest_first)
        start = _offset(variables.get("cursor"))
        page = wanted[start : start + variables.get("perPage", 50)]
        fields = set(_NODE.search(query).group(1).split())  # type: ignore[union-attr]
        edges = [
            {"node": run.node(fields), "cursor": _cursor(start + i + 1)}
            for i, run in enumerate(page)
        ]
        info = {
            "endCursor": edges[-1]["cursor"] if edges else None,
            "hasNextPage": start + len(page) < len(wanted),
        }
        return web.json_response(
            {"data": {"project": {"runs": {"edges": edges, "pageInfo": info}}}}
        )

    async def __aenter__(self) -> Self:
        self.url = await self._stack.enter_async_context(serving(self._graphql, "/graphql", "POST"))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()


@asynccontextmanager
async def serving(
    handler: Handler, path: str = "/{tail:.*}", method: str = "*"
) -> AsyncIterator[str]:
    """``handler`` answering ``method`` on ``path`` (default: anything) on 127.0.0.1 port 0;
    its base URL."""
    app = web.Application()
    app.router.add_route(method, path, handler)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert site._server is not None
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[attr-defined]
    finally:
        await runner.cleanup()


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _errors(status: int, message: str) -> web.Response:
    return web.json_response({"errors": [{"message": message}], "data": None}, status=status)


def _check(query: str, variables: dict[str, Any]) -> str:
    """What is wrong with a runs query, as a GraphQL server would refuse it ('' if nothing)."""
    if not _PROJECT.search(query):
        return "expected project(name: $project, entityName: $entity)"
    runs = _RUNS.search(query)
    if not runs:
        return "expected runs(...) on the project"
    arguments = {a.split(":")[0].strip() for a in runs.group(1).split(",")}
    if not arguments <= {"filters", "after", "first", "order", "before", "last"}:
        return f"unknown argument of runs: {sorted(arguments)}"
    node = _NODE.search(query)
    if not node or not _PAGE_INFO.search(query):
        return "expected edges { node { ... } } and pageInfo { endCursor hasNextPage }"
    unknown = set(node.group(1).split()) - RUN_FIELDS
    if unknown:
        return f'Cannot query field "{sorted(unknown)[0]}" on type "Run".'
    for name, kind in _VARIABLE_TYPES.items():
        if name in variables and not isinstance(variables[name], kind):
            return f"Variable ${name} got invalid value {variables[name]!r}"
    if "project" not in variables or "entity" not in variables:
        return "Variable $project and $entity of required type String! were not provided."
    return ""


def _cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    return int(base64.b64decode(cursor).decode().split(":")[1]) if cursor else 0


def _matching(runs: list[FakeRun], query: Any) -> list[FakeRun]:
    if not isinstance(query, dict):
        raise TypeError("filters must be an object")
    return [run for run in runs if _match(run, query)]


def _match(run: FakeRun, query: dict[str, Any]) -> bool:
    for key, condition in query.items():
        if key == "$and":
            if not all(_match(run, q) for q in condition):
                return False
        elif key == "$or":
            if not any(_match(run, q) for q in condition):
                return False
        elif key.startswith("$"):
            raise ValueError(f"unknown operator {key}")
        elif not _holds(_field(run, key), condition, key == "tags"):
            return False
    return True


_MISSING = object()


def _field(run: FakeRun, path: str) -> Any:
    head, _, rest = path.partition(".")
    if head in ("state", "name", "display_name", "displayName", "tags") and not rest:
        return {
            "display_name": run.display_name,
            "displayName": run.display_name,
            "state": run.state,
            "name": run.name,
            "tags": run.tags,
        }[head]
    if head == "config" and rest:
        return run.config.get(rest.removesuffix(".value"), _MISSING)
    if head == "summary_metrics" and rest:
        return run.summary.get(rest, _MISSING)
    raise ValueError(f"unknown field {path}")


def _holds(value: Any, condition: Any, is_list: bool) -> bool:
    if not isinstance(condition, dict):
        return condition in value if is_list else value == condition
    for op, operand in condition.items():
        present = value is not _MISSING
        if op == "$exists":
            ok = present == bool(operand)
        elif op in ("$eq", "$ne"):
            equal = operand in value if is_list else value == operand
            ok = equal if op == "$eq" else not equal
        elif op in ("$in", "$nin"):
            inside = any(v in operand for v in value) if is_list else value in operand
            ok = inside if op == "$in" else not inside
        elif op in ("$gt", "$gte", "$lt", "$lte"):
            ok = present and isinstance(value, int | float) and _compare(op, value, operand)
        elif op == "$regex":
            ok = present and isinstance(value, str) and re.search(operand, value) is not None
        else:
            raise ValueError(f"unknown operator {op}")
        if not ok:
            return False
    return True


def _compare(op: str, value: float, operand: float) -> bool:
    return {
        "$gt": value > operand,
        "$gte": value >= operand,
        "$lt": value < operand,
        "$lte": value <= operand,
    }[op]
