"""Benchmark (not a test): list 10,000 users through the client at 50 ms simulated latency.

For each max_concurrency, count upstream calls and compare wall time with the model
ceil(99 / concurrency) x RTT + RTT: the first page gives the total, the other 99 pages run
`concurrency` at a time. Prints a markdown table and writes it into bench/RESULTS.md under
"## JumpCloud client: listing 10,000 users" (only that section is replaced).

    .venv/bin/python -m bench.client_paging
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time

import httpx

from bench.results import machine, write_section
from gateway.jumpcloud import ClientConfig, JumpCloudClient, Resource
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import OrgSizes, Store, generate_org

SECTION = "## JumpCloud client: listing 10,000 users"
API_KEY = "jca_bench_key"


async def measure(store: Store, concurrency: int, latency: float, users: int) -> tuple[int, float]:
    log = RequestLog()
    app = create_simulator_app(store, faults=Faults(latency=latency), log=log)
    config = ClientConfig(
        api_key=API_KEY, base_url="http://jumpcloud.bench", max_concurrency=concurrency
    )
    async with JumpCloudClient(config, transport=httpx.ASGITransport(app=app)) as client:
        started = time.perf_counter()
        records = await client.list_all(Resource.USERS)
        elapsed = time.perf_counter() - started
    assert len(records) == users, len(records)
    return log.total, elapsed


async def measure_canned(
    users: list[dict[str, object]], concurrency: int, latency: float
) -> tuple[int, float]:
    """The client alone: a MockTransport serving pre-built pages after `latency` seconds."""
    pages: dict[str, bytes] = {}
    for skip in range(0, len(users), 100):
        body = {"results": users[skip : skip + 100], "totalCount": len(users)}
        pages[str(skip)] = httpx.Response(200, json=body).content

    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(latency)
        return httpx.Response(200, content=pages[request.url.params["skip"]])

    config = ClientConfig(
        api_key=API_KEY, base_url="http://jumpcloud.bench", max_concurrency=concurrency
    )
    async with JumpCloudClient(config, transport=httpx.MockTransport(handler)) as client:
        started = time.perf_counter()
        records = await client.list_all(Resource.USERS)
        elapsed = time.perf_counter() - started
    assert len(records) == len(users)
    return client.calls.total, elapsed


def model(users: int, concurrency: int, rtt: float, page: int = 100) -> float:
    rest = max(0, math.ceil(users / page) - 1)
    return math.ceil(rest / concurrency) * rtt + rtt


async def run(users: int, latency: float, levels: list[int]) -> str:
    org = generate_org(OrgSizes(users=users, groups=25, applications=15), seed=7)
    store = Store.single(org, API_KEY)
    await measure(store, 8, 0.0, users)  # warm-up: imports, first-use caches
    canned = sorted(org.users.values(), key=lambda u: str(u["_id"]))
    rows = [
        "| max_concurrency | upstream calls | wall time (s) | model (s) | measured / model "
        "| simulator at 0 ms (s) | client alone (s) | client alone / model |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for level in levels:
        calls, elapsed = await measure(store, level, latency, users)
        _, floor = await measure(store, level, 0.0, users)
        _, alone = await measure_canned(canned, level, latency)
        expected = model(users, level, latency)
        rows.append(
            f"| {level} | {calls} | {elapsed:.3f} | {expected:.3f} | {elapsed / expected:.2f} "
            f"| {floor:.3f} | {alone:.3f} | {alone / expected:.2f} |"
        )
    return "\n".join(rows)


def describe(table: str, command: str, latency: float, users: int) -> str:
    return (
        f"Command: `{command}`\n\n"
        f"{users:,} users through `JumpCloudClient.list_all` against the in-process simulator "
        f"(`httpx.ASGITransport`) with `Faults(latency={latency})` per request, 100 per page, "
        f"sorted on `_id`. Model: ceil(99 / concurrency) x RTT + RTT with RTT = "
        f"{latency * 1000:.0f} ms (the first page gives the total, the other 99 pages run "
        f"`max_concurrency` at a time). One run. Machine: {machine()}.\n\n"
        f"- *simulator at 0 ms*: the same listing with no simulated latency, i.e. the "
        f"in-process simulator's own CPU time, in the same event loop. It adds to every "
        f"simulator run and is not client overhead.\n"
        f"- *client alone*: the same client against an `httpx.MockTransport` serving "
        f"pre-built pages after a {latency * 1000:.0f} ms sleep: what the client itself "
        f"costs against the model.\n\n{table}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 8, 16])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    table = asyncio.run(run(args.users, args.latency, args.levels))
    print(table)
    if not args.no_write:
        command = " ".join([".venv/bin/python -m bench.client_paging", *sys.argv[1:]])
        write_section(SECTION, describe(table, command, args.latency, args.users))


if __name__ == "__main__":
    main()
