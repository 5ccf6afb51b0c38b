"""`jcgraph export`: stream the access-review export of one organisation to a file or stdout.

It runs the app's lifespan in process (its client and cache), writes the export's chunks
as they come, and shows progress on stderr (`gateway.progress`).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

if TYPE_CHECKING:
    import httpx

    from gateway.export import Format, Report
    from gateway.export_rows import Progress
    from gateway.settings import Settings


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
    from gateway.progress import progress_display
    from gateway.settings import Settings, SettingsError, secrets_of

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
            from gateway.redaction import redact

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
