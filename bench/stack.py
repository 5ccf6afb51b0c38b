"""Real server processes for benches: simulator, `jcgraph serve`, the anchor; certain teardown.

Every process gets its own session (process group) and is stopped with its group, however
the bench ends; `stop_on_sigterm()` turns SIGTERM into an exception so that teardown runs
then too. Ports are chosen at run time; output goes to files, so a full pipe never blocks.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from gateway.simulator.store import OrgSizes

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    pid: int
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without jcgraph's and JumpCloud's settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JCGRAPH_", "JUMPCLOUD_"))}
    return env | extra


def python_env() -> dict[str, str]:
    """`clean_env()` with this checkout's `bench` package importable (`python -m bench.x`)."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return clean_env(PYTHONPATH=os.pathsep.join(paths))


def stop_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so every `finally` (and child teardown) runs."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


def console_script(name: str) -> str:
    """`name` from this interpreter's environment (the venv's bin/), else from PATH."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise RuntimeError(f"`{name}` is not installed: pip install -e . in this venv")
    return found


def stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it has not exited within `grace` s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


@contextlib.contextmanager
def process(
    name: str,
    args: list[str],
    *,
    env: dict[str, str],
    ready: Callable[[Path], str | None],
    timeout: float = 60.0,
) -> Iterator[Server]:
    """Run `args` until the block ends. `ready(log)` returns the server's URL once it
    serves (None before); a process that exits or is not ready in `timeout` s fails with
    its log."""
    logs = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    log = logs / "output.log"
    sink: IO[bytes]
    with log.open("wb") as sink:
        child = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while (url := ready(log)) is None:
            if child.poll() is not None:
                raise RuntimeError(f"{name} exited {child.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready after {timeout} s:\n{log.read_text()}")
            time.sleep(0.05)
        yield Server(name, url, child.pid, log)
    finally:
        stop(child)
        shutil.rmtree(logs, ignore_errors=True)


def healthy(url: str) -> Callable[[Path], str | None]:
    def check(_: Path) -> str | None:
        try:
            return url if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200 else None
        except httpx.TransportError:
            return None

    return check


def size_args(sizes: OrgSizes, seed: int) -> list[str]:
    return [
        f"--users={sizes.users}",
        f"--groups={sizes.groups}",
        f"--applications={sizes.applications}",
        f"--seed={seed}",
    ]


@contextlib.contextmanager
def simulator(sizes: OrgSizes, seed: int) -> Iterator[tuple[Server, str]]:
    """`jcgraph simulator` on a free port over `generate_org(sizes, seed=seed)`: the server
    and the API key it printed."""
    key: list[str] = []

    def ready(log: Path) -> str | None:
        text = log.read_text()
        listening = re.search(r"listening on (http://\S+)", text)
        printed = re.search(r"API key: (\S+)", text)
        if not (listening and printed and "org:" in text):
            return None
        key[:] = [printed.group(1)]
        return healthy_upstream(listening.group(1))

    args = [console_script("jcgraph"), "simulator", "--port=0", *size_args(sizes, seed)]
    with process("simulator", args, env=clean_env(), ready=ready) as server:
        yield server, key[0]


def healthy_upstream(url: str) -> str | None:
    """The simulator answers (any status: it has no health route) once uvicorn serves."""
    try:
        httpx.get(f"{url}/api/systemusers", timeout=0.5)
    except httpx.TransportError:
        return None
    return url


@contextlib.contextmanager
def jcgraph_serve(upstream: str, api_key: str, **env: str) -> Iterator[Server]:
    """A real `jcgraph serve` on a free port, reading `upstream` with `api_key`; `env` adds
    settings (JCGRAPH_...)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = clean_env(JUMPCLOUD_BASE_URL=upstream, JUMPCLOUD_API_KEY=api_key, **env)
    args = [console_script("jcgraph"), "serve", f"--port={port}"]
    with process("jcgraph", args, env=environment, ready=healthy(url)) as server:
        yield server


@contextlib.contextmanager
def anchor_serve(sizes: OrgSizes, seed: int) -> Iterator[Server]:
    """`bench.anchor` on uvicorn, on a free port, over the same generated org."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "bench.anchor", *size_args(sizes, seed), f"--port={port}"]
    with process("anchor", args, env=python_env(), ready=healthy(url)) as server:
        yield server


def run_to_end(name: str, args: list[str], *, timeout: float) -> str:
    """Run `args` to completion and return its stdout; its process group is killed if it
    fails, times out, or this process is interrupted."""
    child = subprocess.Popen(
        args,
        cwd=ROOT,
        env=python_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = child.communicate(timeout=timeout)
    finally:
        stop(child)
    if child.returncode != 0:
        raise RuntimeError(f"{name} exited {child.returncode}:\n{err.decode()[-4000:]}")
    return out.decode()
