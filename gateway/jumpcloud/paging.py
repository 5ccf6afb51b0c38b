"""Offset paging: every page of a list, concurrently once the total is known, checked whole."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from gateway.jumpcloud import errors
from gateway.jumpcloud.responses import Record

# Fetches the page starting at `skip`: its records and the total JumpCloud announced, if any.
FetchPage = Callable[[int], Awaitable[tuple[list[Record], int | None]]]
Key = Callable[[Record], object]
T = TypeVar("T")


async def gather_all(aws: Iterable[Awaitable[T]]) -> list[T]:
    """Run concurrently; on the first failure cancel the rest and raise that failure."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def inconsistent(endpoint: str, what: str) -> errors.UpstreamInconsistentError:
    return errors.UpstreamInconsistentError(
        f"{endpoint}: {what}; the collection changed while it was being read, try again",
        endpoint=endpoint,
    )


def check_unique(
    records: Iterable[Record], key: Key, endpoint: str, seen: set[str] | None = None
) -> None:
    """Raise UpstreamInconsistentError on a repeated record; `seen` carries over between calls."""
    seen = set() if seen is None else seen
    for record in records:
        k = key(record)
        if k is None:
            continue
        marker = repr(k)  # ids are strings, but a malformed one must not crash the check
        if marker in seen:
            raise inconsistent(endpoint, f"a record was returned twice ({marker:.60})")
        seen.add(marker)


async def collect(fetch: FetchPage, page_size: int, endpoint: str, key: Key) -> list[Record]:
    """All records: the first page gives the total, the other pages are fetched concurrently.

    Mesh-style clients silently truncate (STYLE.md), so the result is checked: every page must
    announce the same total, the records must add up to it, and none may repeat.
    """
    first, total = await fetch(0)
    if total is None:
        return await _collect_until_short(fetch, first, page_size, endpoint, key)
    rest = await gather_all(fetch(skip) for skip in range(page_size, total, page_size))
    records = first + [r for page, _ in rest for r in page]
    moved = sorted({t for _, t in rest if t is not None and t != total})
    if moved:
        raise inconsistent(endpoint, f"the total moved from {total} to {moved[0]}")
    if len(records) != total:
        raise inconsistent(endpoint, f"read {len(records)} records of {total} announced")
    check_unique(records, key, endpoint)
    return records


async def _collect_until_short(
    fetch: FetchPage, first: list[Record], page_size: int, endpoint: str, key: Key
) -> list[Record]:
    """No total was sent: page on until a short page, as JumpCloud's PowerShell SDK does."""
    records, page, seen = list(first), first, set[str]()
    check_unique(first, key, endpoint, seen)
    while len(page) >= page_size:
        page, _ = await fetch(len(records))
        records += page
        # A repeat also ends the loop when an upstream ignores `skip`.
        check_unique(page, key, endpoint, seen)
    return records
