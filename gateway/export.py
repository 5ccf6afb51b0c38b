"""The access-review export: every access path and every finding as CSV or JSON Lines, streamed.

The rows come from gateway/export_access.py (one per access path, a page of users at a
time) and gateway/export_findings.py (one per finding, in the findings' order). The same
stream feeds `jcgraph export` and `GET /export/{access,findings}.{csv,jsonl}`.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

import orjson

from gateway.export_access import PAGE, access_rows
from gateway.export_findings import finding_rows
from gateway.export_rows import ACCESS_COLUMNS, FINDING_COLUMNS, OnProgress
from gateway.loaders import Loaders

__all__ = ["Format", "Report", "chunks"]


class Report(enum.StrEnum):
    """What is exported."""

    ACCESS = "access"
    FINDINGS = "findings"

    @property
    def columns(self) -> tuple[str, ...]:
        return ACCESS_COLUMNS if self is Report.ACCESS else FINDING_COLUMNS


class Format(enum.StrEnum):
    """How rows are written: CSV with a header line, or one JSON object a line."""

    CSV = "csv"
    JSONL = "jsonl"

    @property
    def media_type(self) -> str:
        return "text/csv; charset=utf-8" if self is Format.CSV else "application/x-ndjson"


async def chunks(
    report: Report,
    fmt: Format,
    new_loaders: Callable[[], Loaders],
    *,
    broad: int = 10,
    page_size: int = PAGE,
    on_progress: OnProgress | None = None,
) -> AsyncIterator[bytes]:
    """The export as bytes: the CSV header first, then one chunk per page of rows."""
    if report is Report.ACCESS:
        pages = access_rows(new_loaders, page_size=page_size, on_progress=on_progress)
    else:
        pages = finding_rows(new_loaders(), broad, on_progress=on_progress)
    columns = report.columns
    if fmt is Format.CSV:
        yield _csv([columns])
    async for rows in pages:
        if not rows:
            continue
        if fmt is Format.CSV:
            yield _csv([[_cell(row[c]) for c in columns] for row in rows])
        else:
            yield b"".join(orjson.dumps(row) + b"\n" for row in rows)


def _csv(lines: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue().encode()


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell: booleans as true/false, nothing as empty; text a spreadsheet would run
    as a formula (a name starting with `=`, `+`, `-`, `@`) is prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA) else text
