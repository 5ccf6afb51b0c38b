"""The simulator on a socket for crawls, with its request log and latency under control.

`jcgraph simulator` with bench routes beside the simulator's own, so that a gateway crawling
it from another process can be counted and slowed like the in-process one:

- `POST /_bench/reset?latency=S`: clear the request log, `Faults.latency` = S seconds;
- `GET /_bench/log`: `{"total": n, "by_endpoint": {operationId: n}}` since the reset.

    python -m bench.upstream --port=0 --users=10000 --groups=500 --applications=200 \
        --seed=2026

prints what `jcgraph simulator` prints ("listening on", "API key:", "org:"), so that
`bench.stack.simulator(..., module="bench.upstream")` starts it the same way. Served as
`jcgraph simulator` serves (uvicorn, lifespan off, log level warning); built from the
public factories only (`generate_org`, `Store.single`, `create_simulator_app`).
"""

from __future__ import annotations

import argparse
import secrets
import socket
from typing import Any

import orjson
import uvicorn

from gateway.simulator.app import create_simulator_app
from gateway.simulator.faults import Faults
from gateway.simulator.log import RequestLog
from gateway.simulator.store import OrgSizes, Store, generate_org

Scope = dict[str, Any]
PREFIX = "/_bench/"


def controlled(simulator: Any, log: RequestLog, faults: Faults) -> Any:
    """An ASGI app: the bench routes, everything else to `simulator`."""

    async def send_json(send: Any, status: int, body: Any) -> None:
        data = orjson.dumps(body)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX):
            await simulator(scope, receive, send)
            return
        action, method = path[len(PREFIX) :], scope["method"]
        if action == "reset" and method == "POST":
            query = dict(
                pair.split("=", 1)
                for pair in scope.get("query_string", b"").decode().split("&")
                if "=" in pair
            )
            log.clear()
            faults.latency = float(query.get("latency", "0"))
            await send_json(send, 200, {"latency": faults.latency})
        elif action == "log" and method == "GET":
            await send_json(send, 200, {"total": log.total, "by_endpoint": dict(log.counts())})
        else:
            await send_json(send, 404, {"message": f"no bench route {method} {path}"})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--groups", type=int, required=True)
    parser.add_argument("--applications", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    sizes = OrgSizes(users=args.users, groups=args.groups, applications=args.applications)
    org = generate_org(sizes, seed=args.seed)
    api_key = f"jca_{secrets.token_hex(20)}"
    log, faults = RequestLog(), Faults()
    simulator = create_simulator_app(Store.single(org, api_key), faults=faults, log=log)
    sock = socket.socket(socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    host, port = sock.getsockname()[:2]
    print(f"JumpCloud simulator (bench) listening on http://{host}:{port}")
    print(f"API key: {api_key}")
    print(f"org: {org.id} {org.name} ({len(org.users)} users)", flush=True)
    config = uvicorn.Config(controlled(simulator, log, faults), log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
