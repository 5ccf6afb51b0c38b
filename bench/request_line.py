"""Benchmark (not a test): what the per-request log line costs a replayed answer.

The small warm query of `bench.warm_path` row 1 (`user(email:) { displayName groups {
totalCount } }` on the 10,000/500/200 org), answered from the response cache by a real
`jcgraph serve` at its default log level (INFO: one `gateway.request` line per request) and
at WARNING (no request line), beside the graphql-core anchor (which logs nothing), all on
uvicorn as `jcgraph serve` runs it, loaded with wrk; the sides interleaved, the first
rotating round by round; ratios within each round.

    .venv/bin/python -m bench.request_line [--rounds 5] [--no-write]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics

import httpx
import orjson

from bench.results import machine, write_section
from bench.stack import anchor_serve, jcgraph_serve, simulator, stop_on_sigterm
from bench.wrk import Load, graphql_body, requests_per_second
from gateway.simulator.store import OrgSizes, generate_org

SECTION = "## Gateway: the request line's cost on a replayed answer"
SIZES = OrgSizes(users=10_000, groups=500, applications=200)
SEED = 2026
QUERY = "query($email: String!) { user(email: $email) { displayName groups { totalCount } } }"


def rotated(round_: int, names: list[str]) -> list[str]:
    k = round_ % len(names)
    return names[k:] + names[:k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    stop_on_sigterm()
    org = generate_org(SIZES, seed=SEED)
    user_id = sorted(org.memberships)[0][0]
    body = graphql_body(QUERY, {"email": org.users[user_id]["email"]})
    load = Load()
    rates: dict[str, list[float]] = {"info": [], "warning": [], "anchor": []}
    ratios: dict[str, list[float]] = {"info": [], "warning": []}
    long_ttl = {"JCGRAPH_CACHE_TTL": "86400"}
    with contextlib.ExitStack() as stack:
        upstream, key = stack.enter_context(simulator(SIZES, SEED))
        servers = {
            "info": stack.enter_context(jcgraph_serve(upstream.url, key, **long_ttl)),
            "warning": stack.enter_context(
                jcgraph_serve(upstream.url, key, JCGRAPH_LOG_LEVEL="WARNING", **long_ttl)
            ),
            "anchor": stack.enter_context(anchor_serve(SIZES, SEED)),
        }
        answers = set()
        for server in servers.values():
            for _ in range(2):  # warm, then kept by the response cache
                got = httpx.post(
                    f"{server.url}/graphql",
                    content=body,
                    headers={"content-type": "application/json"},
                    timeout=30,
                )
                got.raise_for_status()
            answers.add(orjson.dumps(orjson.loads(got.content)["data"]))
        assert len(answers) == 1, answers
        for round_ in range(args.rounds):
            got = {
                name: requests_per_second(f"{servers[name].url}/graphql", body, load)
                for name in rotated(round_, list(servers))
            }
            for name, rate in got.items():
                rates[name].append(rate)
            for name in ratios:
                ratios[name].append(got[name] / got["anchor"])
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {v:,.0f}" for k, v in got.items()))

    def cell(values: list[float], fmt: str) -> str:
        return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"

    rows = [
        "| server | req/s | vs anchor (same round) |",
        "| --- | ---: | ---: |",
        f"| jcgraph, INFO (default: one request line) | {cell(rates['info'], ',.0f')} | "
        f"{cell(ratios['info'], '.2f')} |",
        f"| jcgraph, `JCGRAPH_LOG_LEVEL=WARNING` | {cell(rates['warning'], ',.0f')} | "
        f"{cell(ratios['warning'], '.2f')} |",
        f"| graphql-core anchor | {cell(rates['anchor'], ',.0f')} | 1.00 |",
    ]
    text = (
        f"Command: `.venv/bin/python -m bench.request_line --rounds {args.rounds}`\n\n"
        f"The small warm query of row 1 of *Warm path and planner* (`{QUERY}`, 10,000/500/200 "
        "org), replayed from the response cache by a real `jcgraph serve` (one uvicorn "
        "worker, `JCGRAPH_CACHE_TTL=86400`) at the default log level and at WARNING, beside "
        "the graphql-core anchor (`bench.anchor`, which logs nothing); every answer checked "
        f"equal. Load: `wrk {' '.join(load.flags())}`, {args.rounds} rounds, the sides "
        "interleaved (the first rotating), medians (min-max), ratios within each round. "
        f"Machine: {machine()}.\n\n" + "\n".join(rows)
    )
    print(text)
    if not args.no_write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
