"""Benchmark (not a test): what oversized and adversarial requests cost a running gateway.

Starts `jcgraph serve --demo` (a real uvicorn process on a free port, a fresh one every
round) and sends one attack at a time, while a second connection polls `/healthz` every
20 ms:

- a 2 MB and a 5 MB body `{"query": "{ a a a … }"}` with a Content-Length, and 5 MB
  chunked (no length);
- the largest body under the body limit (256 KiB of `{ a a … }`: refused while lexing);
- a document at the token limit that validation finds hardest (990 fields of one name:
  quadratic field comparisons), and one with 110 fragments spread side by side.

Per attack: time to the answer (or to the timeout), `/healthz` latency during the attempt
(the worst probe), and RSS growth of the server process (peak during the attempt minus
before, from /proc). Medians over the rounds with [min-max]. With `--before DIR` (a
checkout of older code, e.g. `git worktree add /tmp/before ff964f9`) the body attacks are
also sent to that code, with `--timeout`, for the before figures. Writes the section
"## Gateway: request bounds under attack" of bench/RESULTS.md.

    .venv/bin/python -m bench.request_bounds [--rounds 5] [--before /tmp/before]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.results import machine, write_section

SECTION = "## Gateway: request bounds under attack"
ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
PROBE_EVERY = 0.02


@dataclass(frozen=True)
class Attack:
    name: str
    body: bytes
    chunked: bool = False
    body_attack: bool = True  # also sent to the older code


def repeated(size: int) -> bytes:
    head, tail = b'{"query": "{ ', b'}"}'
    return head + b"a " * ((size - len(head) - len(tail)) // 2) + tail


def document(query: str) -> bytes:
    return b'{"query": "' + query.encode() + b'"}'


ATTACKS = [
    Attack("2 MB body", repeated(2 * MB)),
    Attack("5 MB body", repeated(5 * MB)),
    Attack("5 MB body, chunked", repeated(5 * MB), chunked=True),
    Attack("256 KiB body (under the body limit)", repeated(262_000), body_attack=False),
    Attack(
        "990 fields of one name (at the token limit)",
        document("{ groups { " + "totalCount " * 990 + "} }"),
        body_attack=False,
    ),
    Attack(
        "110 fragments side by side (at the token limit)",
        document(
            "".join(f"fragment F{i} on Query {{ __typename }} " for i in range(110))
            + "{ "
            + " ".join(f"...F{i}" for i in range(110))
            + " }"
        ),
        body_attack=False,
    ),
]


@dataclass
class Outcome:
    seconds: float
    answer: str
    health_ms: float  # the slowest /healthz probe during the attempt
    rss_growth_mb: float


@dataclass
class Rows:
    outcomes: dict[tuple[str, str], list[Outcome]] = field(default_factory=dict)

    def add(self, code: str, attack: str, outcome: Outcome) -> None:
        self.outcomes.setdefault((code, attack), []).append(outcome)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def serving(root: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`jcgraph serve --demo` from the code in `root`, until the block ends."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JCGRAPH_", "JUMPCLOUD_"))}
    env["PYTHONPATH"] = str(root)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--demo", "--port", str(port)],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"serve did not start:\n{log.read().decode()}")
                time.sleep(0.05)
            yield process, url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def send(url: str, attack: Attack, patience: float) -> str:
    """The attack's answer: status and error codes, or that none came in time."""
    with httpx.Client(timeout=patience) as client:
        try:
            response = client.post(
                f"{url}/graphql",
                content=chunks(attack.body) if attack.chunked else attack.body,
                headers={"content-type": "application/json"},
            )
        except httpx.TimeoutException:
            return f"no answer in {patience:g} s"
    codes = {e.get("extensions", {}).get("code") for e in response.json().get("errors", [])}
    return f"{response.status_code} {', '.join(sorted(map(str, codes))) or 'data'}"


async def warm_up(url: str) -> None:
    """First requests to a fresh process pay for imports and connections: not the attack's."""
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(5):
            await client.get(f"{url}/healthz")
        await client.post(f"{url}/graphql", json={"query": "{ groups(first: 1) { totalCount } }"})


async def attempt(pid: int, url: str, attack: Attack | None, patience: float) -> Outcome:
    """One attack (None: the baseline, 0.3 s of probing alone) against a warm server."""
    await warm_up(url)
    before = rss_mb(pid)
    peak, probes, done = before, [], asyncio.Event()

    async def probe() -> None:
        nonlocal peak
        async with httpx.AsyncClient(timeout=patience + 5) as client:
            while not done.is_set():
                started = time.perf_counter()
                with contextlib.suppress(httpx.HTTPError):
                    await client.get(f"{url}/healthz")
                probes.append(time.perf_counter() - started)
                peak = max(peak, rss_mb(pid))
                await asyncio.sleep(PROBE_EVERY)

    prober = asyncio.create_task(probe())
    await asyncio.sleep(PROBE_EVERY)
    started = time.perf_counter()
    answer = "-"
    if attack is None:
        await asyncio.sleep(0.3)
    else:
        # In a thread, its socket writes off this loop: the probes measure the server only.
        answer = await asyncio.to_thread(send, url, attack, patience)
    seconds = time.perf_counter() - started
    peak = max(peak, rss_mb(pid))
    done.set()
    await prober
    return Outcome(seconds, answer, max(probes, default=0.0) * 1000, peak - before)


async def run(
    root: Path, code: str, attacks: list[Attack], rounds: int, patience: float, rows: Rows
) -> None:
    for round_ in range(rounds):
        for attack in [None, *attacks]:
            with serving(root) as (process, url):  # a fresh process: RSS growth of its own
                outcome = await attempt(process.pid, url, attack, patience)
            name = "none (baseline: `/healthz` alone)" if attack is None else attack.name
            rows.add(code, name, outcome)
            print(
                f"{code} round {round_ + 1} {name}: {outcome.seconds:.3f} s, "
                f"{outcome.answer}, healthz {outcome.health_ms:.0f} ms, "
                f"+{outcome.rss_growth_mb:.1f} MB",
                flush=True,
            )


def spread(values: list[float], unit: str, digits: int) -> str:
    return (
        f"{statistics.median(values):.{digits}f} {unit} "
        f"[{min(values):.{digits}f}-{max(values):.{digits}f}]"
    )


def table(rows: Rows) -> str:
    lines = [
        "| code | attack | answer | time to answer | worst `/healthz` | RSS growth | rounds |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for (code, attack), outcomes in rows.outcomes.items():
        answers = sorted({o.answer for o in outcomes})
        took = spread([o.seconds * 1000 for o in outcomes], "ms", 0)
        lines.append(
            f"| {code} | {attack} | {' / '.join(answers)} | {'-' if answers == ['-'] else took} | "
            f"{spread([o.health_ms for o in outcomes], 'ms', 0)} | "
            f"{spread([o.rss_growth_mb for o in outcomes], 'MB', 1)} | {len(outcomes)} |"
        )
    return "\n".join(lines)


def git_describe(root: Path) -> str:
    result = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "?"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per attack")
    parser.add_argument("--before", type=Path, help="a checkout of older code to compare")
    parser.add_argument("--before-rounds", type=int, default=None)
    args = parser.parse_args()
    rows = Rows()
    after = f"after (working tree on {git_describe(ROOT)})"
    await run(ROOT, after, ATTACKS, args.rounds, args.timeout, rows)
    if args.before is not None:
        before = f"before ({git_describe(args.before)})"
        body_attacks = [a for a in ATTACKS if a.body_attack]
        await run(
            args.before, before, body_attacks, args.before_rounds or args.rounds, args.timeout, rows
        )
    text = table(rows)
    print(text)
    write_section(
        SECTION,
        "Command: `.venv/bin/python -m bench.request_bounds"
        + (f" --before {args.before}" if args.before else "")
        + "`\n\n"
        "`jcgraph serve --demo` (uvicorn, one worker, a fresh process per attack) gets one "
        "attack at a time while another connection polls `/healthz` every 20 ms. *Time to "
        "answer*: from sending the request to its response (or the timeout, "
        f"{args.timeout:g} s); *worst `/healthz`*: the slowest probe while the attack ran; "
        "*RSS growth*: the server's peak VmRSS during the attack minus before it. Medians "
        f"[min-max] over the rounds. Defaults: 256 KiB body, 1,000 tokens. Machine: "
        f"{machine()}.\n\n{text}",
    )


if __name__ == "__main__":
    asyncio.run(main())
