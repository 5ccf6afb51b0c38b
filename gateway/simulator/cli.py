"""``jcgraph simulator``: serve the JumpCloud simulator on a real socket."""

from __future__ import annotations

import argparse
import secrets
import socket
import sys

from gateway.simulator.faults import Faults
from gateway.simulator.model import OrgSizes
from gateway.simulator.store import Org, Store, demo_org, generate_org

_SIZE_FIELDS = (
    "users",
    "groups",
    "applications",
    "ldap_servers",
    "radius_servers",
    "admins",
    "custom_roles",
    "direct_app_bindings",
    "systems",
    "system_groups",
    "direct_system_bindings",
    "user_system_group_bindings",
    "group_system_bindings",
    "group_system_group_bindings",
    "radius_system_group_bindings",
)
_FLOAT_SIZE_FIELDS = ("groups_per_user", "sudo_share")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089, help="0 picks a free port")
    parser.add_argument("--api-key", help="key to accept (default: a random jca_... key)")
    parser.add_argument("--seed", type=int, default=0, help="seed for generated orgs")
    parser.add_argument(
        "--demo", action="store_true", help="serve the demo org (the default without sizes)"
    )
    sizes = parser.add_argument_group("org size (any of these generates a seeded org)")
    for name in _SIZE_FIELDS:
        sizes.add_argument(f"--{name.replace('_', '-')}", type=int, dest=name)
    for name in _FLOAT_SIZE_FIELDS:
        sizes.add_argument(f"--{name.replace('_', '-')}", type=float, dest=name)
    parser.add_argument(
        "--orgs", type=int, default=1, help="several orgs behind one multi-tenant key"
    )
    faults = parser.add_argument_group("faults")
    faults.add_argument("--latency", type=float, default=0.0, help="milliseconds per request")
    faults.add_argument("--error-rate", type=float, default=0.0, help="probability of a 5xx")
    faults.add_argument(
        "--rate-limit-every", type=int, default=0, help="answer every Nth request with 429"
    )
    faults.add_argument("--retry-after", default="2", help="Retry-After sent with a 429")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")


def build_orgs(args: argparse.Namespace) -> list[Org]:
    """The demo org (then seeded default-size orgs for ``--orgs``), or seeded orgs of the
    given sizes."""
    given = {
        name: getattr(args, name)
        for name in (*_SIZE_FIELDS, *_FLOAT_SIZE_FIELDS)
        if getattr(args, name, None) is not None
    }
    count = max(1, args.orgs)
    if not given:
        first = demo_org()
        return [first, *(generate_org(seed=args.seed + i) for i in range(1, count))]
    sizes = OrgSizes(**given)
    return [generate_org(sizes, seed=args.seed + i) for i in range(count)]


def print_summary(orgs: list[Org]) -> None:
    """One line per org: its id, name and size."""
    for org in orgs:
        print(
            f"org: {org.id} {org.name} ({len(org.users)} users, {len(org.systems)} systems"
            f" in {len(org.system_groups)} system groups)"
        )
    if len(orgs) > 1:
        print("multi-tenant key: send x-org-id with one of the org ids above")
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.simulator.app import create_simulator_app

    orgs = build_orgs(args)
    api_key = args.api_key or f"jca_{secrets.token_hex(20)}"
    store = Store.multi(orgs, api_key) if len(orgs) > 1 else Store.single(orgs[0], api_key)
    faults = Faults(
        latency=args.latency / 1000,
        error_rate=args.error_rate,
        rate_limit_every=args.rate_limit_every,
        retry_after=args.retry_after,
        seed=args.seed,
    )
    app = create_simulator_app(store, faults=faults)
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    # Listening before the address is printed: a client that connects at once waits in the
    # backlog until the server accepts, instead of being refused.
    sock.listen(2048)
    host, port = sock.getsockname()[:2]
    print(f"JumpCloud simulator listening on http://{host}:{port}")
    print(f"API key: {api_key}")
    print_summary(orgs)
    config = uvicorn.Config(app, log_level=args.log_level, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return 0
