"""The `jcgraph` command line: serve, doctor, schema, manifest, export, simulator."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

if TYPE_CHECKING:
    import httpx

    from gateway.export import Format, Progress, Report
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
        description="Print {sha256: document} for every *.graphql file in DIR, each document "
        "exactly as in its file: clients must send that same text (or its hash).",
    )
    manifest.add_argument(
        "directory",
        nargs="?",
        default=str(OPERATIONS_DIR),
        metavar="DIR",
        help=f"folder of operations (default {OPERATIONS_DIR})",
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

    from gateway.app import create_app
    from gateway.observability import AccessLog, configure_logging, redact_url
    from gateway.settings import Settings, SettingsError

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
    not answering, Redis down or GraphiQL assets missing only warn: see gateway/doctor.py."""
    import asyncio
    import logging

    from gateway import doctor

    log = logging.getLogger("gateway.startup")
    findings = asyncio.run(doctor.diagnose(settings, transport=transport))
    for finding in findings:
        if finding.level is doctor.Level.OK:
            continue
        fatal = finding in doctor.blocking(findings)
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
    if doctor.blocking(findings):
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


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """Values no log line may show: the API key, the gateway's bearer tokens (fresh-read
    ones included), and the password of a cache URL."""
    from urllib.parse import urlsplit

    cache_password = urlsplit(settings.cache_url).password
    tokens = (*settings.bearer_tokens, *settings.fresh_read_tokens)
    keys = [t.api_key for t in settings.tenants.tenants] if settings.tenants else []
    return tuple(s for s in (settings.api_key, *keys, *tokens, cache_password) if s)


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

    from gateway.persisted import build_manifest

    files = list(Path(args.directory).glob("*.graphql"))
    if not files:
        print(f"jcgraph: no *.graphql file in {args.directory}", file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps(build_manifest(files), indent=2) + "\n")
    return 0


def export(
    args: argparse.Namespace,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    env: dict[str, str] | None = None,
    stdout: IO[bytes] | None = None,
    stderr: IO[str] | None = None,
    setup_logging: bool = True,
) -> int:
    """`jcgraph export`: the in-process entry point (`transport`, `env`, `stdout` and
    `stderr` replace the network, the environment and the streams in tests, which leave
    the process's logging as it is with `setup_logging=False`)."""
    import asyncio
    import os

    from gateway.export import Format, Report
    from gateway.observability import configure_logging
    from gateway.settings import Settings, SettingsError

    err = stderr if stderr is not None else sys.stderr
    try:
        settings = Settings.from_env(os.environ if env is None else env, demo=args.demo)
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"jcgraph: {problem}", file=err)
        return 2
    if setup_logging:  # warnings only: the index builds' INFO lines would break the bar
        configure_logging("WARNING", secrets=secrets_of(settings), fmt=settings.log_format)
    report, fmt = Report(args.report), Format(args.format)
    with contextlib.ExitStack() as stack:
        if args.output:
            sink: IO[bytes] = stack.enter_context(Path(args.output).open("wb"))
        else:
            sink = stdout if stdout is not None else sys.stdout.buffer
        progress = stack.enter_context(progress_display(report, err))
        try:
            rows, calls = asyncio.run(
                _export(
                    settings, report, fmt, sink, progress, transport, getattr(args, "org", None)
                )
            )
        except Exception as exc:  # an upstream failure: say what, never the key
            from gateway.observability import redact

            line = f"jcgraph: export failed: {type(exc).__name__}: {exc}"
            print(redact(line, secrets_of(settings)), file=err)
            return 1
    print(f"jcgraph: {rows} rows, {calls} upstream calls", file=err)
    return 0


async def _export(
    settings: Settings,
    report: Report,
    fmt: Format,
    sink: IO[bytes],
    progress: Callable[[Progress], None],
    transport: httpx.AsyncBaseTransport | None,
    org: str | None = None,
) -> tuple[int, int]:
    """Run the app's lifespan (its client and cache) and write the export to `sink`:
    (rows written, upstream calls made). `org`: which of JCGRAPH_TENANTS's organisations."""
    from gateway.app import State, create_app
    from gateway.export import chunks

    app = create_app(settings, transport=transport)
    written = [0]

    def counted(done: Progress) -> None:
        written[0] = done.rows
        progress(done)

    async with app.router.lifespan_context(app) as state:
        services = cast(State, state)["services"]
        if services is None:  # several organisations: the caller names one
            known = settings.tenants.org_ids if settings.tenants else ()
            if org is None or org.lower() not in known:
                listed = ", ".join(known)
                raise ValueError(f"give --org with one of the tenants' organisations ({listed})")
            services = cast(State, state)["organisations"].get(org.lower())
        async for chunk in chunks(
            report,
            fmt,
            services.loaders,
            broad=settings.broad_access_applications,
            on_progress=counted,
        ):
            sink.write(chunk)
            sink.flush()
        return written[0], services.client.calls.total


@contextlib.contextmanager
def progress_display(report: Report, stream: IO[str]) -> Iterator[Callable[[Progress], None]]:
    """Progress on `stream`: on a terminal, rich's bar (users done of the total, rows,
    rate, ETA); otherwise a plain line a page (`users 300/10000, rows 1234`)."""
    if not stream.isatty():

        def line(done: Progress) -> None:
            if done.total:
                print(f"users {done.users}/{done.total}, rows {done.rows}", file=stream)
            else:
                print(f"rows {done.rows}", file=stream)
            stream.flush()

        yield line
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar

    columns = (
        TextColumn(f"{report} export"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("users, {task.fields[rows]} rows"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Bar(*columns, console=Console(file=stream), transient=False) as bar:
        task = bar.add_task("export", total=None, rows=0)

        def update(done: Progress) -> None:
            bar.update(task, completed=done.users, total=done.total or None, rows=done.rows)

        yield update


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
        return export(args)
    if args.command == "doctor":
        import os

        from gateway import doctor

        return doctor.run(os.environ)
    from gateway.simulator import cli as simulator_cli

    return simulator_cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
