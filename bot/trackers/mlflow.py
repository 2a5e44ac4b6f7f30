"""MLflow, through its REST API 2.0 (the tracking server's, and Databricks').

    readings = await read_mlflow(TrackerConfig("mlflow", url, "fold-cv", "fold_success"),
                                 secret="user:password", http=client)

The experiment is looked up by name (``experiments/get-by-name``), or by id when it is all
digits (``experiments/get``, then by name: an experiment may be called "42"). Runs come from
``runs/search``, newest first, page by page, up to ``max_runs``; the run filter is sent with a
clause on the metric added, so the cap counts only runs that carry it. A run's ``data.metrics``
holds the latest value of each of its metrics (highest step, then newest), which is the reading.
NaN comes back as "NaN"; infinities come back as ±``sys.float_info.max`` (what MLflow's SQL
store keeps for them): neither is a reading.

Credentials: "user:password" is HTTP basic (MLflow's basic-auth app); anything else is a bearer
token (MLflow's token auth, Databricks personal access tokens).
"""

from __future__ import annotations

import re
import sys
from typing import Any, Final

import httpx

from bot.trackers.model import DEFAULT_TIMEOUT, Reading, TrackerConfig
from bot.trackers.wire import Link, finite, utc_from_epoch

__all__ = ["MAX_RUNS", "PAGE_SIZE", "read_mlflow"]

API: Final = "/api/2.0/mlflow"
PAGE_SIZE: Final = 200
MAX_RUNS: Final = 1000  # the newest; older runs had their chance in earlier polls
# MLflow's own rule for metric keys; anything else cannot be quoted into a filter.
_METRIC_KEY = re.compile(r"^[\w.\-/ :]+$")
_INT64 = re.compile(r"-?[0-9]{1,19}\Z")
# Every finite value passes; NaN is stored as 0 by MLflow and is dropped here after.
_HAS_METRIC: Final = "metrics.`{}` > -1e308"


def _credential(secret: str) -> tuple[httpx.Auth | None, dict[str, str]]:
    user, colon, password = secret.partition(":")
    if colon:
        return httpx.BasicAuth(user, password), {}
    return None, {"Authorization": f"Bearer {secret}"}


async def read_mlflow(
    config: TrackerConfig,
    secret: str | None,
    http: httpx.AsyncClient,
    *,
    timeouts: httpx.Timeout = DEFAULT_TIMEOUT,
    page_size: int = PAGE_SIZE,
    max_runs: int = MAX_RUNS,
) -> list[Reading]:
    """Each run's latest value of ``config.metric`` in ``config.experiment``, newest run first."""
    link = Link.open(
        http, config.url, secret=secret, timeout=timeouts, service="MLflow", credential=_credential
    )
    if not _METRIC_KEY.match(config.metric):
        raise link.fail("unknown_metric", "not a metric key MLflow accepts")
    experiment_id = await _experiment_id(link, config.experiment.strip())
    clause = _HAS_METRIC.format(config.metric)
    own = config.run_filter.strip()
    run_filter = f"{own} and {clause}" if own else clause
    readings: list[Reading] = []
    runs_seen = 0
    token = ""
    while runs_seen < max_runs:
        request: dict[str, Any] = {
            "experiment_ids": [experiment_id],
            "filter": run_filter,
            "max_results": min(page_size, max_runs - runs_seen),
            "order_by": ["attributes.start_time DESC"],
        }
        if token:
            request["page_token"] = token
        status, body = await link.call("POST", f"{API}/runs/search", body=request)
        if status != 200 or not isinstance(body, dict):
            raise _refusal(link, status, body, "runs/search")
        runs = body.get("runs", [])
        if not isinstance(runs, list):
            raise link.fail("bad_answer", "runs/search: runs is not a list")
        runs_seen += len(runs)
        readings.extend(r for r in (_reading(link, run, config.metric) for run in runs) if r)
        token = body.get("next_page_token") or ""
        if not token or not runs:
            break
    if runs_seen == 0:
        raise link.fail("unknown_metric", f"no run carries the metric {config.metric!r}")
    return readings


async def _experiment_id(link: Link, experiment: str) -> str:
    if experiment.isdigit():
        status, body = await link.call(
            "GET", f"{API}/experiments/get", params={"experiment_id": experiment}
        )
        if status == 200:
            return _active_id(link, body)
        if not _not_found(status, body):
            raise _refusal(link, status, body, "experiments/get")
    status, body = await link.call(
        "GET", f"{API}/experiments/get-by-name", params={"experiment_name": experiment}
    )
    if status == 200:
        return _active_id(link, body)
    if _not_found(status, body):
        raise link.fail("unknown_experiment", f"no experiment {experiment!r}")
    raise _refusal(link, status, body, "experiments/get-by-name")


def _active_id(link: Link, body: object) -> str:
    experiment = body.get("experiment") if isinstance(body, dict) else None
    if not isinstance(experiment, dict) or not experiment.get("experiment_id"):
        raise link.fail("bad_answer", "the experiment's answer has no experiment_id")
    if experiment.get("lifecycle_stage") == "deleted":
        raise link.fail("unknown_experiment", "the experiment is deleted")
    return str(experiment["experiment_id"])


def _not_found(status: int, body: object) -> bool:
    code = body.get("error_code") if isinstance(body, dict) else None
    return code == "RESOURCE_DOES_NOT_EXIST" or (status == 404 and code is None)


def _refusal(link: Link, status: int, body: object, endpoint: str) -> Exception:
    """What an answer other than the one asked for means."""
    code = body.get("error_code") if isinstance(body, dict) else None
    if code == "RESOURCE_DOES_NOT_EXIST":
        return link.fail("unknown_experiment", f"{endpoint}: the experiment is gone")
    if code == "INVALID_PARAMETER_VALUE" and endpoint == "runs/search":
        message = str(body.get("message", ""))[:300] if isinstance(body, dict) else ""
        return link.fail("bad_filter", f"the run filter was refused: {message}")
    if code in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return link.fail("credentials", f"{endpoint}: {code}")
    return link.fail("bad_answer", f"{endpoint}: HTTP {status}, {code or 'not MLflow JSON'}")


def _reading(link: Link, run: object, metric: str) -> Reading | None:
    """The run's latest value of ``metric``, or None when it has no finite one."""
    if not isinstance(run, dict):
        raise link.fail("bad_answer", "runs/search: a run is not an object")
    info, data = run.get("info"), run.get("data") or {}
    if not isinstance(info, dict) or not isinstance(data, dict):
        raise link.fail("bad_answer", "runs/search: a run has no info")
    run_id = info.get("run_id") or info.get("run_uuid")
    if not isinstance(run_id, str) or not run_id:
        raise link.fail("bad_answer", "runs/search: a run has no run_id")
    entries = data.get("metrics") or []
    if not isinstance(entries, list):
        raise link.fail("bad_answer", "runs/search: a run's metrics is not a list")
    latest = max(
        (e for e in entries if isinstance(e, dict) and e.get("key") == metric),
        key=lambda e: (_integer(e.get("step")) or 0, _integer(e.get("timestamp")) or 0),
        default=None,
    )
    value = finite(latest.get("value")) if latest else None
    if latest is None or value is None or abs(value) >= sys.float_info.max:
        return None
    millis = _integer(latest.get("timestamp"))
    return Reading(
        value=value,
        run_id=run_id,
        step=_integer(latest.get("step")),
        at=utc_from_epoch(millis / 1000) if millis is not None else None,
        run_name=str(info.get("run_name") or _tag(data, "mlflow.runName")),
    )


def _integer(value: object) -> int | None:
    """An int64 of protobuf's JSON: a number, or a string of ASCII digits; None past int64."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _INT64.match(value):
        value = int(value)
    if isinstance(value, int) and -(2**63) <= value < 2**63:
        return value
    return None


def _tag(data: dict[str, Any], key: str) -> str:
    tags = data.get("tags") or []
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict) and tag.get("key") == key:
                return str(tag.get("value") or "")
    return ""
