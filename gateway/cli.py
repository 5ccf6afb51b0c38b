"""The `jcgraph` command line: serve, doctor, schema, manifest, export, simulator."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from gateway.settings import Settings

SCHEMA_FILE = Path("schema/schema.graphql")
OPERATIONS_DIR = Path("schema/operations")


def build_parser() -> argparse.ArgumentParser:
    from gateway.simulator import cli as simulator_cli

    parser = argparse.ArgumentParser(
        prog="jcgraph", description="A GraphQL gateway over JumpCloud directory data."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the GraphQL gateway")
    serve.add_argument(
        "--demo",
        action="store_true",
        help="serve the embedded simulator's demo organisation (no account, no network)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")

    sub.add_parser(
        "doctor",
        help="check the configuration against JumpCloud and say how to fix what is wrong",
        description="Check the API key, base URL, organisation, Redis and GraphiQL assets "
        "configured in the environment. Exit 0 when every check passes, 1 otherwise.",
    )

    schema = sub.add_parser("schema", help="print the schema's SDL")
    schema.add_argument(
        "--check",
        nargs="?",
        const=str(SCHEMA_FILE),
        metavar="FILE",
        help=f"exit 1 if FILE (default {SCHEMA_FILE}) differs from the schema",
    )

    manifest = sub.add_parser(
        "manifest",
        help="print a trusted-documents manifest (JCGRAPH_TRUSTED_DOCUMENTS) as JSON",
        description="Print {sha256: document} for every *.graphql file in DIR, and for the "
        "documents of the explorer this gateway serves at /explore, each exactly as in its "
        "file: clients must send that same text (or its hash).",
    )
    manifest.add_argument(
        "directory",
        nargs="?",
        default=str(OPERATIONS_DIR),
        metavar="DIR",
        help=f"folder of operations (default {OPERATIONS_DIR})",
    )
    manifest.add_argument(
        "--without-explorer",
        action="store_true",
        help="leave out the explorer's documents (then /explore cannot run its queries)",
    )

    export = sub.add_parser(
        "export",
        help="write the access-review export: every access path, or every finding",
        description="Stream every access path (one row per path: user, target, kind, group "
        "or system group, sudo) or every finding as CSV or JSON Lines, reading the "
        "organisation the environment configures (as `serve`) a page of users at a time. "
        "Progress goes to stderr: a bar on a terminal, plain lines otherwise.",
    )
    export.add_argument("report", choices=["access", "findings"], help="what to export")
    export.add_argument(
        "--format", choices=["csv", "jsonl"], default="csv", help="csv (default) or jsonl"
    )
    export.add_argument("--output", metavar="FILE", help="write to FILE (default: stdout)")
    export.add_argument("--demo", action="store_true", help="export the embedded demo organisation")
    export.add_argument(
        "--org",
        metavar="ORG_ID",
        help="with JCGRAPH_TENANTS: the organisation to export (any tenant's)",
    )

    simulator_cli.configure_parser(
        sub.add_parser("simulator", help="serve the embedded JumpCloud simulator on a socket")
    )
    return parser


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.access_log import AccessLog
    from gateway.app import create_app
    from gateway.observability import configure_logging
    from gateway.redaction import redact_url
    from gateway.settings import Settings, SettingsError, secrets_of

    try:
        settings = Settings.from_env(demo=args.demo)
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"jcgraph: {problem}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, secrets=secrets_of(settings), fmt=settings.log_format)
    if not startup_checks(settings, args.host):
        return 1
    where = "the embedded demo organisation" if settings.demo else redact_url(settings.base_url)
    print(f"jcgraph: serving {where} at http://{args.host}:{args.port}/graphql", file=sys.stderr)
    app = AccessLog(create_app(settings))
    # What exists now (modules, the schema, the settings) lives as long as the process: out
    # of the collector's way, full collections walk only request data. Thresholds stay at
    # Python's defaults: with objects built lazily the collector takes about 2 % of a warm
    # 10,000-user walk (bench/RESULTS.md), too little to trade memory for.
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=settings.log_level.lower(),
        # uvicorn's own logging config would give its loggers handlers without the
        # redaction filter, and its access log prints query strings: both are replaced.
        log_config=None,
        access_log=False,
        workers=1,
    )
    return 0


def startup_checks(
    settings: Settings, host: str, transport: httpx.AsyncBaseTransport | None = None
) -> bool:
    """Run `jcgraph doctor`'s checks and log every problem; False when one refuses the
    start (JumpCloud answered that the key, base URL or organisation is wrong). JumpCloud
    not answering, Redis down or GraphiQL assets missing only warn: see
    gateway/doctor_findings.py."""
    import asyncio
    import logging

    from gateway import doctor
    from gateway.doctor_findings import Level, blocking

    log = logging.getLogger("gateway.startup")
    findings = asyncio.run(doctor.diagnose(settings, transport=transport))
    for finding in findings:
        if finding.level is Level.OK:
            continue
        fatal = finding in blocking(findings)
        log.log(
            logging.ERROR if fatal else logging.WARNING,
            "start-up check %s: %s; fix: %s",
            finding.check,
            finding.message,
            finding.fix,
        )
    if not settings.auth_tokens and not is_loopback(host):
        log.warning(
            "serving on %s without JCGRAPH_AUTH_TOKENS: anyone who reaches this address can "
            "query the directory; set JCGRAPH_AUTH_TOKENS or bind 127.0.0.1",
            host,
        )
    if blocking(findings):
        log.error("refusing to start: fix the problems above (`jcgraph doctor` checks again)")
        return False
    return True


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def schema(args: argparse.Namespace) -> int:
    from gateway.schema import build_schema

    sdl = printed_schema(build_schema())
    if args.check is None:
        sys.stdout.write(sdl)
        return 0
    path = Path(args.check)
    committed = path.read_text() if path.exists() else ""
    if committed != sdl:
        print(
            f"jcgraph: {path} is stale; regenerate it with `jcgraph schema > {path}`",
            file=sys.stderr,
        )
        return 1
    print(f"jcgraph: {path} is up to date", file=sys.stderr)
    return 0


def printed_schema(built: object) -> str:
    """The SDL exactly as `_service { sdl }` returns it, with a final newline."""
    from strawberry.federation import Schema

    assert isinstance(built, Schema)
    return built.as_str().rstrip("\n") + "\n"


def manifest(args: argparse.Namespace) -> int:
    import json

    from gateway.explorer import OPERATIONS as EXPLORER
    from gateway.persisted import build_manifest

    files = list(Path(args.directory).glob("*.graphql"))
    if not files:
        print(f"jcgraph: no *.graphql file in {args.directory}", file=sys.stderr)
        return 1
    if not args.without_explorer:  # the page sends its own documents: /explore works too
        files += EXPLORER.glob("*.graphql")
    sys.stdout.write(json.dumps(build_manifest(files), indent=2) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "schema":
        return schema(args)
    if args.command == "manifest":
        return manifest(args)
    if args.command == "export":
        from gateway.cli_export import export

        return export(args)
    if args.command == "doctor":
        import os

        from gateway import doctor

        return doctor.run(os.environ)
    from gateway.simulator import cli as simulator_cli

    return simulator_cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
