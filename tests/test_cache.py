"""TTLCache on its own: single-flight, per-key failures, stale-if-error, backend outages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import pytest

from gateway.cache import CacheTally, TTLCache, current_cache_tally
from tests.clock import FakeClock


class Down(Exception):
    """Stands in for an upstream outage."""


async def ticks(done: Callable[[], bool], most: int = 100) -> None:
    """Let other tasks run (no real sleep) until `done()` or `most` turns have passed."""
    for _ in range(most):
        if done():
            return
        await asyncio.sleep(0)


def make_cache(clock: FakeClock, url: str = "memory://") -> TTLCache:
    return TTLCache.from_url(
        url, namespace="test:", ttl=60, stale_ttl=600, stale_on=(Down,), clock=clock
    )


async def test_a_cancelled_caller_does_not_cancel_the_load_for_the_others() -> None:
    cache, gate, calls = make_cache(FakeClock()), asyncio.Event(), []

    async def fetch(keys: list[str]) -> Mapping[str, object]:
        calls.append(keys)
        await gate.wait()
        return {k: k.upper() for k in keys}

    owner = asyncio.create_task(cache.load_many(["a"], fetch))
    await ticks(lambda: bool(calls))  # the owner's fetch is under way
    joiner = asyncio.create_task(cache.load_many(["a"], fetch))
    await ticks(lambda: False, 20)  # the joiner reaches the shared load and waits
    owner.cancel()
    await asyncio.gather(owner, return_exceptions=True)
    gate.set()
    assert await joiner == {"a": "A"}
    assert calls == [["a"]]


async def test_one_failing_key_fails_alone() -> None:
    cache = make_cache(FakeClock())

    async def fetch(keys: list[str]) -> Mapping[str, object]:
        return {k: (ValueError(k) if k == "bad" else k) for k in keys if k != "gone"}

    got = await cache.load_many(["ok", "bad", "gone"], fetch)
    assert got["ok"] == "ok"
    assert isinstance(got["bad"], ValueError)
    assert "gone" not in got
    again = await cache.load_many(["ok"], fetch)  # the good key was cached
    assert again == {"ok": "ok"}


async def test_stale_entries_answer_for_their_keys_and_errors_for_the_rest() -> None:
    clock = FakeClock()
    cache = make_cache(clock)

    async def fine(keys: list[str]) -> Mapping[str, object]:
        return {k: f"{k}-v1" for k in keys}

    async def down(keys: list[str]) -> Mapping[str, object]:
        raise Down("upstream is down")

    await cache.load_many(["old"], fine)
    clock.advance(120)
    tally = CacheTally()
    token = current_cache_tally.set(tally)
    try:
        got = await cache.load_many(["old", "new"], down)
    finally:
        current_cache_tally.reset(token)
    assert got["old"] == "old-v1"
    assert isinstance(got["new"], Down)
    assert tally.stale == 1
    assert tally.oldest_stored_at == clock.now - 120


async def test_callers_that_join_a_stale_answer_are_told_it_is_stale() -> None:
    clock = FakeClock()
    cache, gate = make_cache(clock), asyncio.Event()

    async def fine(keys: list[str]) -> Mapping[str, object]:
        return dict.fromkeys(keys, 1)

    async def down(keys: list[str]) -> Mapping[str, object]:
        await gate.wait()
        raise Down

    await cache.load_many(["k"], fine)
    clock.advance(120)

    async def tallied() -> CacheTally:
        tally = CacheTally()
        current_cache_tally.set(tally)
        await cache.load_many(["k"], down)
        return tally

    first = asyncio.create_task(tallied())
    await asyncio.sleep(0)
    second = asyncio.create_task(tallied())
    await asyncio.sleep(0)
    gate.set()
    assert [(await first).stale, (await second).stale] == [1, 1]


async def test_a_cache_backend_outage_reads_through_to_upstream() -> None:
    cache = make_cache(FakeClock(), url="redis://127.0.0.1:1/0")  # nothing listens there
    calls = 0

    async def fetch(keys: list[str]) -> Mapping[str, object]:
        nonlocal calls
        calls += 1
        return dict.fromkeys(keys, "fresh")

    try:
        assert await cache.load_many(["k"], fetch) == {"k": "fresh"}
        assert calls == 1
        assert cache.stats.backend_errors >= 2  # the read and the write
        with pytest.raises(Exception):  # noqa: B017, PT011 - readiness must see the outage
            await cache.ping()
    finally:
        await cache.close()
