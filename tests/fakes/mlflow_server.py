"""A real MLflow tracking server on 127.0.0.1 (port 0), SQLite in a temporary folder.

    with MlflowServer(tmp_path) as server:
        runs = server.runs()                     # MLflow's own client, on this server
        experiment = runs.experiment("fold-cv")
        runs.log(experiment, "fold-1", "fold_success", [0.41, 0.45])
        config = TrackerConfig("mlflow", server.url, "fold-cv", "fold_success")

The server is MLflow's own tracking app (``mlflow.server.app``, the Flask app ``mlflow server``
runs) with its stores initialised by MLflow's ``initialize_backend_stores``, served by werkzeug
on a socket bound to port 0, in a child process that prints the port it got. A child rather
than a thread of the test process: the app imports parts of itself lazily while answering
(a deprecation warning of starlette's on the first ``runs/search``, which the suite's
``filterwarnings = error`` would turn into a 500 from another thread), and it sets MLflow's
process-wide tracking URI to its database. The child ends when its stdin closes, so a test
process that dies takes it along. No telemetry, no internet.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Self

if TYPE_CHECKING:
    from mlflow import MlflowClient

QUIET = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_ENABLE_ASYNC_LOGGING": "false",
}
START_SECONDS = 120.0  # a loaded two-core machine imports MLflow and migrates SQLite slowly


class MlflowServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = 0
        self._process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = self.folder / "server.log"
        with log.open("w") as stderr:
            self._process = subprocess.Popen(
                [sys.executable, __file__, str(self.folder)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                env={**os.environ, **QUIET, "PYTHONWARNINGS": "ignore"},
            )
        assert self._process.stdout is not None
        line = _first_line(self._process.stdout, START_SECONDS)
        if not line.startswith("port "):
            self.__exit__(None, None, None)
            raise RuntimeError(f"MLflow server did not start:\n{log.read_text()[-3000:]}")
        self.port = int(line.split()[1])
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is None:
            return
        if self._process.stdin is not None:
            self._process.stdin.close()  # the child's cue to leave
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None

    def runs(self) -> LoggedRuns:
        """MLflow's own client on this server, for tests to log runs with."""
        return LoggedRuns(self.url)


class LoggedRuns:
    """Runs logged through ``mlflow.MlflowClient``, as a training script would."""

    def __init__(self, url: str) -> None:
        os.environ.update(QUIET)  # read by MLflow when the client is made
        with _mlflow_warnings():
            from mlflow import MlflowClient

            self.client: MlflowClient = MlflowClient(tracking_uri=url)

    def experiment(self, name: str = "") -> str:
        """A new experiment (named ``name`` plus a unique suffix); its name."""
        unique = f"{name or 'experiment'}-{uuid.uuid4().hex[:8]}"
        with _mlflow_warnings():
            self.client.create_experiment(unique)
        return unique

    def experiment_id(self, name: str) -> str:
        with _mlflow_warnings():
            found = self.client.get_experiment_by_name(name)
        assert found is not None
        return str(found.experiment_id)

    def log(
        self,
        experiment: str,
        run_name: str,
        metric: str,
        values: Sequence[float],
        *,
        tags: dict[str, str] | None = None,
        first_step: int = 0,
        finished: bool = True,
    ) -> str:
        """A run that logged ``values`` of ``metric`` at steps ``first_step``, +1, …; its id."""
        with _mlflow_warnings():
            run = self.client.create_run(
                self.experiment_id(experiment), run_name=run_name, tags=tags or {}
            )
            run_id = str(run.info.run_id)
            for step, value in enumerate(values, start=first_step):
                self.client.log_metric(run_id, metric, value, step=step)
            if finished:
                self.client.set_terminated(run_id)
        return run_id


@contextmanager
def _mlflow_warnings() -> Iterator[None]:
    """MLflow's client warns about its own deprecations (SQLAlchemy loader options, pydantic
    fields) while importing and logging; those are MLflow's to fix, not failures here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"mlflow(\.|$)")
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"mlflow(\.|$)")
        yield


def _first_line(stream: IO[str], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.5)
        if ready:
            return stream.readline().strip()
    return ""


def _serve(folder: Path) -> None:
    """The child: MLflow's tracking app on 127.0.0.1 port 0; prints "port N", serves until
    stdin closes."""
    import logging
    import threading

    from mlflow.server import app, handlers
    from werkzeug.serving import make_server

    handlers.initialize_backend_stores(
        backend_store_uri=f"sqlite:///{folder / 'mlflow.db'}",
        default_artifact_root=str(folder / "artifacts"),
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"port {server.server_port}", flush=True)
    sys.stdin.read()  # until the test process closes it, or dies
    os._exit(0)  # at once: every write is committed, and werkzeug's shutdown polls slowly


if __name__ == "__main__":
    os.environ.update(QUIET)
    _serve(Path(sys.argv[1]))
