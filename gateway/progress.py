"""`jcgraph export`'s progress display: rich's bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from gateway.export import Report
    from gateway.export_rows import Progress


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
