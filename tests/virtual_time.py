"""Virtual time for asyncio: whenever nothing is ready to run, the loop's clock jumps to its
next timer. `asyncio.sleep(30)` returns at once, timers fire in order, and `loop.time()`
says 30 s passed, so pauses, deadlines and cool-downs are tested without real sleeping.

    def test_something() -> None:
        run(scenario)          # scenario: an async function, run on a VirtualTimeLoop

Only for code whose I/O is in memory (MockTransport, ASGITransport): waiting on a real
socket or a thread would be a deadlock here, and is reported as one.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

# Real seconds to wait for I/O before calling a loop with no timer and nothing ready stuck.
_STUCK_AFTER = 5.0


class _JumpingSelector:
    """Wraps the loop's selector: a wait for `timeout` seconds moves the clock instead."""

    def __init__(self, inner: selectors.BaseSelector, loop: VirtualTimeLoop) -> None:
        self._inner = inner
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = self._inner.select(0)
        if ready:
            return ready
        if timeout is None:  # no timer, nothing ready: only I/O could wake the loop
            ready = self._inner.select(_STUCK_AFTER)
            if not ready:
                raise RuntimeError("virtual time: every task waits and no timer is due")
            return ready
        self._loop.advance(timeout)
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self, start: float = 1000.0) -> None:
        super().__init__()
        self._virtual_now = start
        self._selector = _JumpingSelector(self._selector, self)  # type: ignore[has-type]

    def time(self) -> float:
        return self._virtual_now

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            self._virtual_now += seconds


def run(main: Callable[[], Awaitable[T]]) -> T:
    """Run `main()` to completion on a fresh VirtualTimeLoop."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
