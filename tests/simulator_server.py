"""`jcgraph simulator` for tests that run the gateway as processes: the same arguments and
app, plus its request log (with the time each request arrived) and a 429 switch over HTTP.

    python -m tests.simulator_server --port 0 --api-key KEY [jcgraph simulator options]

`GET /_test/log` answers `[{"t": unix time, "op": operationId, "status": int}, ...]`;
`POST /_test/rate_limit?count=N&retry_after=S` answers the next N requests with 429;
`POST /_test/hang?count=N&route=OPERATION` holds the next N requests (of that operation), `GET /_test/hanging` says
how many are held, and `POST /_test/clear` lets them go and drops every fault.
"""

from __future__ import annotations

import argparse
import contextvars
import socket
import sys
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.simulator import cli
from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import LoggedRequest, RequestLog
from gateway.simulator.store import Store

ARRIVED: contextvars.ContextVar[float] = contextvars.ContextVar("arrived")


class TimedLog(RequestLog):
    """The request log, each entry with the time its request arrived (what a rate limit
    upstream would count; a busy simulator answers later, in bursts)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def record(self, entry: LoggedRequest) -> None:
        self.times.append(ARRIVED.get(time.time()))
        super().record(entry)


def arrival_timed(app: ASGIApp) -> ASGIApp:
    async def timed(scope: Scope, receive: Receive, send: Send) -> None:
        ARRIVED.set(time.time())
        await app(scope, receive, send)

    return timed


def build(args: argparse.Namespace) -> Starlette:
    orgs = cli.build_orgs(args)
    store = Store.multi(orgs, args.api_key) if len(orgs) > 1 else Store.single(orgs[0], args.api_key)
    faults = Faults(latency=args.latency / 1000, seed=args.seed)
    log = TimedLog()
    simulator = create_simulator_app(store, faults=faults, log=log)

    async def read_log(request: Request) -> Response:
        rows: list[dict[str, Any]] = [
            {"t": t, "op": e.operation or f"{e.method} {e.path}", "status": e.status}
            for t, e in zip(log.times, log.entries, strict=True)
        ]
        return JSONResponse(rows)

    async def rate_limit(request: Request) -> Response:
        count = int(request.query_params.get("count", "1"))
        faults.rate_limit(count, retry_after=request.query_params.get("retry_after", "2"))
        return JSONResponse({"ok": True})

    async def hang(request: Request) -> Response:
        faults.hang(int(request.query_params.get("count", "1")), request.query_params.get("route"))
        return JSONResponse({"ok": True})

    async def hanging(request: Request) -> Response:
        return JSONResponse({"hanging": faults.hanging})

    async def clear(request: Request) -> Response:
        faults.clear()
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/_test/log", read_log),
            Route("/_test/rate_limit", rate_limit, methods=["POST"]),
            Route("/_test/hang", hang, methods=["POST"]),
            Route("/_test/hanging", hanging),
            Route("/_test/clear", clear, methods=["POST"]),
            Mount("/", arrival_timed(simulator)),
        ]
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli.configure_parser(parser)
    args = parser.parse_args(argv)
    app = build(args)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    host, port = sock.getsockname()[:2]
    print(f"JumpCloud simulator listening on http://{host}:{port}")
    cli.print_summary(cli.build_orgs(args))
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
