"""How long upstream work may take, as scopes around it (like cancel scopes).

    with deadline(20.0):
        ...  # every JumpCloud call made in here, retries and waits included, ends by then

    with single_attempt():
        ...  # each call made in here is tried once: the caller has an answer to fall back on

Both live in ContextVars, so the tasks started inside a scope (DataLoader batches, cache
loads) inherit it. Nested deadlines keep the earlier one. Times are the running event
loop's clock (`loop.time()`), which tests can run virtually.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_current: ContextVar[float | None] = ContextVar("jumpcloud_deadline", default=None)
_single: ContextVar[bool] = ContextVar("jumpcloud_single_attempt", default=False)


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Bound the upstream calls made inside to `seconds` from now (None: no bound of its own)."""
    if seconds is None:
        yield
        return
    at = asyncio.get_running_loop().time() + seconds
    outer = _current.get()
    token = _current.set(at if outer is None else min(outer, at))
    try:
        yield
    finally:
        _current.reset(token)


def current_deadline() -> float | None:
    """The loop time by which the current work must be done, or None when unbounded."""
    return _current.get()


@contextlib.contextmanager
def single_attempt() -> Iterator[None]:
    """Try each upstream call made inside once, without retries: for a caller that holds a
    stale answer to serve when that one attempt fails (the cache's stale-if-error)."""
    token = _single.set(True)
    try:
        yield
    finally:
        _single.reset(token)


def retries_allowed() -> bool:
    return not _single.get()
