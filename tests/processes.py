"""Subprocesses for end-to-end tests: free ports, bounded start-up, certain shutdown."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def clean_env() -> dict[str, str]:
    """This environment without jcgraph's and JumpCloud's settings: demo defaults, no auth."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("JCGRAPH_", "JUMPCLOUD_"))}


@contextlib.contextmanager
def running(
    name: str,
    args: list[str],
    *,
    cwd: Path,
    logs: Path,
    ready: Callable[[Path], bool],
    timeout: float = 20.0,
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `args` (in clean_env() plus `env`), poll `ready(log)` until it holds (or fail
    after `timeout` s), and stop the process however the block ends. Output goes to a file,
    so a full pipe never blocks it."""
    log = logs / f"{name}.log"
    environment = {**clean_env(), **(env or {})}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            args, cwd=cwd, env=environment, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink
        )
    try:
        deadline = time.monotonic() + timeout
        while not ready(log):
            if process.poll() is not None:
                pytest.fail(f"{name} exited {process.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"{name} not ready after {timeout} s:\n{log.read_text()}")
            time.sleep(0.05)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes] | subprocess.Popen[str], grace: float = 5) -> None:
    """Terminate, then kill if it has not exited within `grace` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


def healthy(url: str) -> Callable[[Path], bool]:
    def check(_: Path) -> bool:
        try:
            return httpx.get(url, timeout=0.5).status_code == 200
        except httpx.TransportError:
            return False

    return check


REPO_ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def demo_server(logs: Path) -> Iterator[str]:
    """`jcgraph serve --demo` from this checkout on a free port, its output in
    `logs/jcgraph.log`: its base URL once /healthz answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [sys.executable, "-m", "gateway.cli", "serve", "--demo", "--port", str(port)]
    with running("jcgraph", serve, cwd=REPO_ROOT, logs=logs, ready=healthy(f"{base}/healthz")):
        yield base
