"""Real server processes for benches: simulator, `jcgraph serve`, the anchor, workers that
answer commands on stdin; certain teardown.

Every process gets its own session (process group) and is stopped with its group, however
the bench ends; `stop_on_sigterm()` turns SIGTERM into an exception so that teardown runs
then too. Ports are chosen at run time; output goes to files, so a full pipe never blocks.

A process may run one `Code`: a version of `gateway` imported from a directory of its own
(a git worktree, a copy of this checkout's gateway/) through PYTHONPATH, with this
checkout's `bench` package beside it, so that each process imports exactly one `gateway`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
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
from typing import IO, Any

import httpx

from gateway.simulator.store import OrgSizes

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    pid: int
    log: Path


JCGRAPH_ENTRY = "import sys; from gateway.cli import main; sys.exit(main())"
"""What the `jcgraph` console script runs (pyproject: `jcgraph = "gateway.cli:main"`)."""


@dataclass(frozen=True)
class Code:
    """A version of `gateway` for child processes: imported from `root` (which holds
    `gateway/`), the bench's modules from `path` (which holds only a `bench` link to this
    checkout's bench/); `path` is also their working directory, so neither the current
    directory nor the editable install can bring in another `gateway`."""

    name: str
    label: str
    root: Path
    path: Path

    def env(self, **extra: str) -> dict[str, str]:
        return clean_env(PYTHONPATH=os.pathsep.join([str(self.path), str(self.root)]), **extra)

    def jcgraph(self, *args: str) -> list[str]:
        """`jcgraph ARGS` running this code: the console script's entry point."""
        return [sys.executable, "-c", JCGRAPH_ENTRY, *args]

    def module(self, name: str, *args: str) -> list[str]:
        return [sys.executable, "-m", name, *args]


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


def stop(process: subprocess.Popen[Any], grace: float = 5.0) -> None:
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
    cwd: Path = ROOT,
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
            cwd=cwd,
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
def simulator(
    sizes: OrgSizes, seed: int, code: Code | None = None, *, module: str | None = None
) -> Iterator[tuple[Server, str]]:
    """`jcgraph simulator` on a free port over `generate_org(sizes, seed=seed)`: the server
    and the API key it printed. With `code`, the simulator of that code; with `module`,
    `python -m module` with the same arguments and the same output instead."""
    key: list[str] = []

    def ready(log: Path) -> str | None:
        text = log.read_text()
        listening = re.search(r"listening on (http://\S+)", text)
        printed = re.search(r"API key: (\S+)", text)
        if not (listening and printed and "org:" in text):
            return None
        key[:] = [printed.group(1)]
        return healthy_upstream(listening.group(1))

    given = ["--port=0", *size_args(sizes, seed)]
    if code is None:
        args, env, cwd = [console_script("jcgraph"), "simulator", *given], clean_env(), ROOT
    else:
        args = code.module(module, *given) if module else code.jcgraph("simulator", *given)
        env, cwd = code.env(), code.path
    with process("simulator", args, env=env, ready=ready, cwd=cwd) as server:
        yield server, key[0]


def healthy_upstream(url: str) -> str | None:
    """The simulator answers (any status: it has no health route) once uvicorn serves."""
    try:
        httpx.get(f"{url}/api/systemusers", timeout=0.5)
    except httpx.TransportError:
        return None
    return url


@contextlib.contextmanager
def jcgraph_serve(
    upstream: str, api_key: str, code: Code | None = None, **env: str
) -> Iterator[Server]:
    """A real `jcgraph serve` on a free port, reading `upstream` with `api_key`; `env` adds
    settings (JCGRAPH_...). With `code`, the `jcgraph` of that code."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = {"JUMPCLOUD_BASE_URL": upstream, "JUMPCLOUD_API_KEY": api_key, **env}
    if code is None:
        args = [console_script("jcgraph"), "serve", f"--port={port}"]
        environment, cwd = clean_env(**settings), ROOT
    else:
        args = code.jcgraph("serve", f"--port={port}")
        environment, cwd = code.env(**settings), code.path
    name = f"jcgraph-{code.name}" if code else "jcgraph"
    with process(name, args, env=environment, ready=healthy(url), cwd=cwd) as server:
        yield server


@contextlib.contextmanager
def anchor_serve(sizes: OrgSizes, seed: int, code: Code | None = None) -> Iterator[Server]:
    """`bench.anchor` on uvicorn, on a free port, over the same generated org (generated by
    `code`'s simulator when given)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "bench.anchor", *size_args(sizes, seed), f"--port={port}"]
    env, cwd = (code.env(), code.path) if code else (python_env(), ROOT)
    with process("anchor", args, env=env, ready=healthy(url), cwd=cwd) as server:
        yield server


def run_to_end(
    name: str,
    args: list[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
) -> str:
    """Run `args` to completion and return its stdout; its process group is killed if it
    fails, times out, or this process is interrupted. `env` defaults to `python_env()`."""
    child = subprocess.Popen(
        args,
        cwd=cwd,
        env=python_env() if env is None else env,
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


REPLY = "@bench "
"""Prefix of a worker's answer lines (bench.worker); anything else it prints is ignored."""


class Worker:
    """A child process that answers one JSON line per command written to its stdin."""

    def __init__(self, name: str, child: subprocess.Popen[str], log: Path) -> None:
        self.name = name
        self.child = child
        self.log = log

    def read(self, timeout: float) -> dict[str, Any]:
        assert self.child.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"{self.name}: no answer in {timeout} s:\n{self.tail()}")
            readable, _, _ = select.select([self.child.stdout], [], [], left)
            if not readable:
                continue
            line = self.child.stdout.readline()
            if not line:
                self.child.wait(timeout=5)
                raise RuntimeError(f"{self.name} exited {self.child.returncode}:\n{self.tail()}")
            if line.startswith(REPLY):
                answer: dict[str, Any] = json.loads(line[len(REPLY) :])
                return answer

    def call(self, command: str, timeout: float = 600.0) -> dict[str, Any]:
        assert self.child.stdin is not None
        self.child.stdin.write(command + "\n")
        self.child.stdin.flush()
        return self.read(timeout)

    def tail(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""


@contextlib.contextmanager
def worker(
    name: str, args: list[str], *, env: dict[str, str], cwd: Path, timeout: float = 600.0
) -> Iterator[tuple[Worker, dict[str, Any]]]:
    """Run `args` (a bench.worker) until the block ends: the worker and its first answer
    (sent once it is ready). Its stderr goes to a file."""
    logs = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    log = logs / "stderr.log"
    with log.open("wb") as sink:
        child = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=sink,
            start_new_session=True,
            text=True,
        )
    try:
        running = Worker(name, child, log)
        yield running, running.read(timeout)
    finally:
        with contextlib.suppress(OSError):
            if child.stdin is not None:
                child.stdin.close()
        stop(child)
        shutil.rmtree(logs, ignore_errors=True)


def status_mb(pid: int | str, field: str) -> float:
    """`field` (VmRSS, VmHWM) of /proc/<pid>/status in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")
