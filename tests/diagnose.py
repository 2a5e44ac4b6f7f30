"""Run ``research-coach doctor`` for real, in a subprocess, while fakes serve from the test's
event loop:

    found = await diagnose(tmp_path, COACH_SLACK_BOT_TOKEN="xoxb-1", ...)
    assert found.code == 1
    assert found.line("FAIL slack scopes").endswith("missing files:write")
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LABELS = ("ok", "warn", "FAIL", "--")


@dataclass(frozen=True)
class Diagnosis:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    def line(self, start: str) -> str:
        """The one line that starts with ``start``, e.g. ``"ok   slack scopes"``."""
        found = [line for line in self.lines if line.startswith(start)]
        assert len(found) == 1, f"expected one line starting {start!r}, got:\n{self.stdout}"
        return found[0]

    def hint(self, start: str) -> str:
        """The hint printed under the line that starts with ``start``."""
        after = self.lines[self.lines.index(self.line(start)) + 1]
        assert after.lstrip().startswith("→"), f"no hint under {start!r}:\n{self.stdout}"
        return after.strip().removeprefix("→").strip()

    def labelled(self, label: str) -> list[str]:
        """Every check line with this label (ok, warn, FAIL or --)."""
        return [line for line in self.lines if line.split(" ", 1)[0] == label]


async def diagnose(folder: Path, **env: str) -> Diagnosis:
    """``research-coach doctor`` with only these COACH_* settings (plus a data folder in
    ``folder``, and the analysis model off unless set), run where no .env file is."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    clean.update(COACH_DATA_DIR=str(folder / "data"), COACH_ANALYSIS_MODEL="false", **env)
    cwd = folder / "cwd"
    cwd.mkdir(parents=True, exist_ok=True)
    # Warnings shown, so a leaked session or socket shows up in stderr.
    command = [sys.executable, "-W", "always", "-m", "bot", "doctor"]
    done = await asyncio.to_thread(
        subprocess.run,
        command,
        capture_output=True,
        text=True,
        env=clean,
        cwd=cwd,
        timeout=60,
        check=False,
    )
    return Diagnosis(done.returncode, done.stdout, done.stderr)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
