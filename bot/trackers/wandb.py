"""Weights & Biases, through its public GraphQL API (what ``wandb.Api().runs`` sends).

    readings = await read_wandb(TrackerConfig("wandb", "https://api.wandb.ai", "lab/cv", "acc"),
                                secret="<API key>", http=client)

One query, ``project(name:, entityName:) { runs(filters:, order:, first:, after:) }``, newest
run first, page by page (``pageInfo.endCursor``) up to ``max_runs``. A run's ``summaryMetrics``
(a JSON string) holds the last value it logged of each key, with ``_step`` and ``_timestamp``;
that value is the reading. The API key is the password of HTTP basic auth, user "api".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final

import httpx

from bot.trackers.model import DEFAULT_TIMEOUT, Reading, TrackerConfig
from bot.trackers.wire import Link, finite, utc_from_epoch

__all__ = ["DEFAULT_URL", "MAX_RUNS", "PAGE_SIZE", "RUNS_QUERY", "read_wandb"]

DEFAULT_URL: Final = "https://api.wandb.ai"
PAGE_SIZE: Final = 100
MAX_RUNS: Final = 1000  # the newest; older runs had their chance in earlier polls

RUNS_QUERY: Final = """
query Runs($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50,
           $order: String, $filters: JSONString) {
  project(name: $project, entityName: $entity) {
    runs(filters: $filters, after: $cursor, first: $perPage, order: $order) {
      edges {
        node { name displayName state createdAt summaryMetrics }
        cursor
      }
      pageInfo { endCursor hasNextPage }
    }
  }
}
"""


def _credential(secret: str) -> tuple[httpx.Auth | None, dict[str, str]]:
    # A key never holds ":"; "api:<key>" is what the URL's userinfo gives.
    _, _, key = secret.rpartition(":")
    return httpx.BasicAuth("api", key), {}


async def read_wandb(
    config: TrackerConfig,
    secret: str | None,
    http: httpx.AsyncClient,
    *,
    timeouts: httpx.Timeout = DEFAULT_TIMEOUT,
    page_size: int = PAGE_SIZE,
    max_runs: int = MAX_RUNS,
) -> list[Reading]:
    """Each run's latest value of ``config.metric`` in ``entity/project``, newest run first."""
    link = Link.open(
        http,
        config.url.strip() or DEFAULT_URL,
        secret=secret,
        timeout=timeouts,
        service="W&B",
        credential=_credential,
    )
    entity, slash, project = config.experiment.strip().partition("/")
    if not (entity and slash and project) or "/" in project:
        raise link.fail("unknown_experiment", "the project is not written as entity/project")
    filters = _filters(link, config.run_filter)
    readings: list[Reading] = []
    carried = False  # some run has the metric, finite or not
    runs_seen = 0
    cursor: str | None = None
    while runs_seen < max_runs:
        variables = {
            "entity": entity,
            "project": project,
            "filters": filters,
            "order": "-created_at",
            "perPage": min(page_size, max_runs - runs_seen),
            "cursor": cursor,
        }
        status, body = await link.call(
            "POST", "/graphql", body={"query": RUNS_QUERY, "variables": variables}
        )
        runs = _runs(link, status, body)
        edges = runs.get("edges")
        if not isinstance(edges, list):
            raise link.fail("bad_answer", "runs has no edges")
        runs_seen += len(edges)
        for edge in edges:
            node = edge.get("node") if isinstance(edge, dict) else None
            if not isinstance(node, dict):
                raise link.fail("bad_answer", "a run edge has no node")
            summary = _summary(link, node.get("summaryMetrics"))
            if config.metric in summary:
                carried = True
                reading = _reading(node, summary, config.metric)
                if reading is not None:
                    readings.append(reading)
        page = runs.get("pageInfo")
        if not isinstance(page, dict):
            raise link.fail("bad_answer", "runs has no pageInfo")
        cursor = page.get("endCursor")
        if not page.get("hasNextPage") or not isinstance(cursor, str) or not edges:
            break
    if not carried:
        raise link.fail("unknown_metric", f"no run carries the metric {config.metric!r}")
    return readings


def _filters(link: Link, run_filter: str) -> str:
    """The run filter as the JSONString the API takes (an object, MongoDB-style)."""
    if not run_filter.strip():
        return "{}"
    try:
        parsed = json.loads(run_filter)
    except ValueError:
        raise link.fail("bad_filter", "the run filter is not JSON") from None
    if not isinstance(parsed, dict):
        raise link.fail("bad_filter", "the run filter is not a JSON object")
    return json.dumps(parsed)


def _runs(link: Link, status: int, body: object) -> dict[str, Any]:
    """``data.project.runs`` of a GraphQL answer, or the error it means."""
    if status == 404:
        raise link.fail("bad_answer", "no GraphQL endpoint at this address (HTTP 404)")
    if not isinstance(body, dict):
        raise link.fail("bad_answer", f"HTTP {status}, not GraphQL JSON")
    data = body.get("data")
    project = data.get("project", ...) if isinstance(data, dict) else ...
    if project is None:
        raise link.fail("unknown_experiment", "no such project, or not visible with this key")
    if project is ...:
        raise link.fail(*_graphql_error(body, status))
    runs = project.get("runs") if isinstance(project, dict) else None
    if not isinstance(runs, dict):
        raise link.fail("bad_answer", "the project has no runs")
    return runs


def _graphql_error(body: dict[str, Any], status: int) -> tuple[str, str]:
    errors = body.get("errors")
    messages = (
        [str(e.get("message", "")) for e in errors if isinstance(e, dict)]
        if isinstance(errors, list)
        else []
    )
    text = "; ".join(messages)[:300]
    lowered = text.lower()
    if "permission" in lowered or "unauthori" in lowered:
        return "credentials", text
    if "not found" in lowered:
        return "unknown_experiment", text
    if "filter" in lowered:
        return "bad_filter", f"the run filter was refused: {text}"
    return "bad_answer", f"HTTP {status}: {text or 'no data'}"


def _summary(link: Link, raw: object) -> dict[str, Any]:
    """``summaryMetrics``: a JSON string (NaN and Infinity allowed) or, leniently, an object."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):  # nested past the parser, too
            raise link.fail("bad_answer", "a run's summaryMetrics is not JSON") from None
        if isinstance(parsed, dict):
            return parsed
    raise link.fail("bad_answer", "a run's summaryMetrics is not an object")


def _reading(node: dict[str, Any], summary: dict[str, Any], metric: str) -> Reading | None:
    value = finite(summary.get(metric))
    run_id = node.get("name")
    if value is None or not isinstance(run_id, str) or not run_id:
        return None
    step = summary.get("_step")
    return Reading(
        value=value,
        run_id=run_id,
        step=step if isinstance(step, int) and not isinstance(step, bool) else None,
        at=utc_from_epoch(summary.get("_timestamp")) or _created(node.get("createdAt")),
        run_name=str(node.get("displayName") or ""),
    )


def _created(value: object) -> datetime | None:
    """``createdAt``: ISO 8601, UTC, usually without an offset."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
