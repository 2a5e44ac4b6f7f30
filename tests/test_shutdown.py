"""SIGTERM (docker stop, Kubernetes, systemd) ends `research-coach run` cleanly, exit code 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sigterm_stops_the_server_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    env |= {
        "COACH_DATA_DIR": str(tmp_path),
        "COACH_SLACK_BOT_TOKEN": "xoxb-0-test",
        "COACH_SLACK_SIGNING_SECRET": "secret",
        "COACH_SLACK_API_URL": "http://127.0.0.1:9/api/",  # never called: no requests come
        "COACH_HTTP_PORT": str(port),
        "COACH_ANALYSIS_MODEL": "off",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until it serves
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "the server never came up"
                time.sleep(0.2)
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, errors
