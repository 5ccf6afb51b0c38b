"""Per-request overhead of a small warm query, with and without the parser/validation caches.

Run: .venv/bin/python -m bench.request_overhead
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

from strawberry.extensions import ParserCache, ValidationCache

import gateway.app
from bench.harness import gateway as gateway_over
from bench.results import machine, write_section
from gateway.schema import build_schema
from gateway.simulator.store import OrgSizes, generate_org

QUERY = "{ groups(first: 5) { totalCount edges { node { name } } } }"
ROUNDS, PER_ROUND = 5, 400
SECTION = "## Gateway: per-request overhead, parser and validation caches"


def without_caches(**kwargs: Any) -> Any:
    """The same schema without the extensions that cache parsing and validation (they also
    bound tokens and validate large documents off the loop: Strawberry parses and validates
    instead, uncached)."""
    schema = build_schema(**kwargs)
    schema.extensions = tuple(e for e in schema.extensions if not _caches(e))
    return schema


def _caches(extension: Any) -> bool:
    made = extension if isinstance(extension, type) else type(extension())
    return issubclass(made, ParserCache | ValidationCache)


async def per_request_ms(make_schema: Callable[..., Any]) -> list[float]:
    org = generate_org(OrgSizes(users=50, groups=10, applications=5), seed=1)
    with mock.patch.object(gateway.app, "build_schema", make_schema):
        # Without the response cache, which would replay the repeats without any GraphQL work.
        async with gateway_over(org, response_cache=False) as gw:
            await gw.query(QUERY)  # warm the TTL cache: measure the GraphQL layer only
            samples = []
            for _ in range(PER_ROUND):
                started = time.perf_counter()
                await gw.query(QUERY)
                samples.append((time.perf_counter() - started) * 1000)
            return samples


async def main() -> None:
    cached: list[float] = []
    uncached: list[float] = []
    for _ in range(ROUNDS):  # alternate, so drift on a noisy machine hits both alike
        cached += await per_request_ms(build_schema)
        uncached += await per_request_ms(without_caches)
    c, u = statistics.median(cached), statistics.median(uncached)
    table = "\n".join(
        [
            "| schema | requests | median ms/request |",
            "| --- | ---: | ---: |",
            f"| parser + validation caches on | {len(cached)} | {c:.3f} |",
            f"| caches off | {len(uncached)} | {u:.3f} |",
        ]
    )
    print(f"{table}\n\nratio off / on: {u / c:.2f}")
    write_section(
        SECTION,
        f"Command: `.venv/bin/python -m bench.request_overhead`\n\n"
        f"A small warm query (`{QUERY}`, every upstream read already cached, so only the "
        f"GraphQL layer is measured) sent {PER_ROUND} times per round through the app (ASGI, "
        f"in process), {ROUNDS} rounds, the two schemas alternating round by round. *caches "
        f"off* is the same schema without the extensions that cache parsing and validation "
        f"(the depth and alias rules are built once in both); the response cache is off in "
        f"both. Machine: {machine()}.\n\n{table}\n\n"
        f"Ratio off / on: {u / c:.2f}.",
    )


if __name__ == "__main__":
    asyncio.run(main())
