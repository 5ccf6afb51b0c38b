"""TTLCache on its own: single-flight, per-key failures, stale-if-error, backend outages,
remembered "not found"s, the bounded in-memory backend."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping

import pytest

from gateway.cache import TTLCache
from gateway.cache_levels import open_cache
from gateway.request_cost import CacheTally
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
    return open_cache(url, namespace="test:", ttl=60, stale_ttl=600, stale_on=(Down,), clock=clock)


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
    charged = cache.charging(tally)
    got = await charged.load_many(["old", "new"], down)
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
        await cache.charging(tally).load_many(["k"], down)
        return tally

    first = asyncio.create_task(tallied())
    await asyncio.sleep(0)
    second = asyncio.create_task(tallied())
    await asyncio.sleep(0)
    gate.set()
    assert [(await first).stale, (await second).stale] == [1, 1]


async def test_a_cache_backend_outage_reads_through_to_upstream(
    caplog: pytest.LogCaptureFixture,
) -> None:
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
        for key in ("a", "b", "c"):
            await cache.load_many([key], fetch)
        assert cache.stats.backend_errors >= 8
        outage_lines = [r for r in caplog.records if "cache read failed" in r.getMessage()]
        assert len(outage_lines) == 1  # one line an outage, not one a read
        with pytest.raises(Exception):  # noqa: B017, PT011 - readiness must see the outage
            await cache.ping()
    finally:
        await cache.close()


def counting(
    fetch_result: Callable[[list[str]], Mapping[str, object]],
) -> tuple[list[list[str]], Callable[[list[str]], Awaitable[Mapping[str, object]]]]:
    calls: list[list[str]] = []

    async def fetch(keys: list[str]) -> Mapping[str, object]:
        calls.append(keys)
        return fetch_result(keys)

    return calls, fetch


def negative_cache(clock: FakeClock, **bounds: int) -> TTLCache:
    return open_cache(
        "memory://",
        namespace="test:",
        ttl=60,
        stale_ttl=600,
        stale_on=(Down,),
        clock=clock,
        negative_ttl=30,
        **bounds,
    )


async def test_not_found_is_remembered_for_the_negative_ttl() -> None:
    clock = FakeClock()
    cache = negative_cache(clock)
    calls, fetch = counting(lambda keys: {k: k for k in keys if k != "ghost"})
    assert await cache.load_many(["ghost", "real"], fetch) == {"real": "real"}
    tally = CacheTally()
    charged = cache.charging(tally)
    assert await charged.load_many(["ghost"], fetch) == {}
    assert calls == [["ghost", "real"]]  # the second look cost nothing
    assert (tally.hits, tally.misses, tally.oldest_stored_at) == (1, 0, clock.now)
    assert cache.stats.negative_hits == 1
    clock.advance(30)  # the negative entry expired; the positive one is still fresh
    assert await cache.load_many(["ghost", "real"], fetch) == {"real": "real"}
    assert calls == [["ghost", "real"], ["ghost"]]


async def test_a_key_that_appears_upstream_replaces_its_negative_entry() -> None:
    clock = FakeClock()
    cache = negative_cache(clock)
    present = False
    _, fetch = counting(lambda keys: {k: "here" for k in keys if present})
    assert await cache.load_many(["k"], fetch) == {}
    clock.advance(31)
    present = True
    assert await cache.load_many(["k"], fetch) == {"k": "here"}
    assert await cache.peek_many(["k"]) == {"k": "here"}


async def test_a_stale_not_found_answers_while_upstream_is_down() -> None:
    clock = FakeClock()
    cache = negative_cache(clock)
    _, fine = counting(lambda keys: {})

    async def down(keys: list[str]) -> Mapping[str, object]:
        raise Down

    await cache.load_many(["ghost"], fine)
    clock.advance(300)  # long past the negative TTL, within the stale window
    tally = CacheTally()
    charged = cache.charging(tally)
    assert await charged.load_many(["ghost"], down) == {}
    assert (tally.stale, tally.oldest_stored_at) == (1, clock.now - 300)


async def test_a_failed_fetch_remembers_nothing_as_absent() -> None:
    cache = negative_cache(FakeClock())

    async def down(keys: list[str]) -> Mapping[str, object]:
        raise Down

    calls, fetch = counting(lambda keys: {})
    assert isinstance((await cache.load_many(["k"], down))["k"], Down)
    assert await cache.load_many(["k"], fetch) == {}
    assert calls == [["k"]]


async def test_peeks_never_return_a_remembered_not_found() -> None:
    cache = negative_cache(FakeClock())
    _, fetch = counting(lambda keys: {})
    await cache.load_many(["ghost"], fetch)
    assert await cache.peek_many(["ghost"]) == {}
    assert await cache.peek_entries(["ghost"]) == {}


async def test_the_memory_cache_keeps_the_most_recently_used_entries_within_its_bound() -> None:
    clock = FakeClock()
    cache = negative_cache(clock, max_entries=3)
    _, fetch = counting(lambda keys: {k: k.upper() for k in keys})
    await cache.load_many(["a", "b", "c"], fetch)
    await cache.peek_many(["a"])  # "a" is used again: "b" is now the oldest
    await cache.load_many(["d"], fetch)
    assert await cache.peek_many(["a", "b", "c", "d"]) == {"a": "A", "c": "C", "d": "D"}
    assert cache.stats.evictions == 1
    assert cache.stats.memory_entries == 3


async def test_the_memory_cache_is_bounded_in_bytes() -> None:
    clock = FakeClock()
    cache = negative_cache(clock, max_bytes=2_000)
    _, fetch = counting(lambda keys: dict.fromkeys(keys, "x" * 400))
    for i in range(10):
        await cache.load_many([f"k{i}"], fetch)
    assert cache.stats.memory_bytes <= 2_000
    assert cache.stats.memory_entries == 4  # ~430 bytes each
    assert cache.stats.evictions == 6
    assert set(await cache.peek_many([f"k{i}" for i in range(10)])) == {"k6", "k7", "k8", "k9"}


async def test_a_value_larger_than_the_whole_bound_is_not_stored() -> None:
    cache = negative_cache(FakeClock(), max_bytes=100)
    calls, fetch = counting(lambda keys: dict.fromkeys(keys, "x" * 500))
    assert await cache.load_many(["big"], fetch) == {"big": "x" * 500}
    assert cache.stats.evictions == 1
    await cache.load_many(["big"], fetch)
    assert len(calls) == 2


async def test_stale_entries_within_the_bound_are_still_served_when_upstream_fails() -> None:
    clock = FakeClock()
    cache = negative_cache(clock, max_entries=2)
    _, fine = counting(lambda keys: {k: f"{k}-v1" for k in keys})

    async def down(keys: list[str]) -> Mapping[str, object]:
        raise Down

    await cache.load_many(["a", "b", "c"], fine)  # "a" goes: the bound is two
    clock.advance(120)
    got = await cache.load_many(["a", "b", "c"], down)
    assert isinstance(got["a"], Down)
    assert (got["b"], got["c"]) == ("b-v1", "c-v1")
    assert cache.stats.stale_served == 2


async def test_entries_past_their_stale_window_leave_the_memory_cache() -> None:
    clock = FakeClock()
    cache = negative_cache(clock, max_entries=2)
    _, fine = counting(lambda keys: {k: k for k in keys})
    await cache.load_many(["a", "b"], fine)
    clock.advance(60 + 600)
    await cache.load_many(["c", "d"], fine)
    assert cache.stats.evictions == 0  # "a" and "b" were dead already: expired, not evicted
    assert cache.stats.memory_entries == 2


async def test_a_load_with_a_stale_answer_for_every_key_runs_in_the_stale_scope() -> None:
    clock, scopes = FakeClock(), []

    @contextlib.contextmanager
    def single_attempt() -> Iterator[None]:
        scopes.append("entered")
        yield

    cache = open_cache(
        "memory://",
        namespace="test:",
        ttl=60,
        stale_ttl=600,
        stale_on=(Down,),
        clock=clock,
        stale_scope=single_attempt,
    )
    _, fetch = counting(lambda keys: {k: k for k in keys})
    await cache.load_many(["a"], fetch)  # nothing to fall back on
    clock.advance(120)
    await cache.load_many(["a", "b"], fetch)  # "b" has no stale entry: full retries
    assert scopes == []
    clock.advance(120)
    await cache.load_many(["a", "b"], fetch)  # both expired, both within the stale window
    assert scopes == ["entered"]


async def test_a_charged_copy_shares_the_engines_loads_and_tallies_only_its_own_reads() -> None:
    cache, gate, calls = make_cache(FakeClock()), asyncio.Event(), []

    async def fetch(keys: list[str]) -> Mapping[str, object]:
        calls.append(keys)
        await gate.wait()
        return {k: k.upper() for k in keys}

    mine, other = CacheTally(), CacheTally()
    charged = cache.charging(mine)
    owner = asyncio.create_task(charged.load_many(["a"], fetch))
    await ticks(lambda: bool(calls))  # the charged copy's fetch is under way
    joiner = asyncio.create_task(cache.load_many(["a"], fetch))
    await ticks(lambda: False, 20)  # the engine reaches the same load and waits
    gate.set()
    assert (await owner, await joiner) == ({"a": "A"}, {"a": "A"})
    assert calls == [["a"]]  # one fetch for both
    assert (cache.stats.loads, cache.stats.coalesced, cache.stats.misses) == (1, 1, 2)
    assert (mine.hits, mine.misses) == (0, 1)  # the engine's miss is not this request's

    assert await cache.load_many(["a"], fetch) == {"a": "A"}  # the engine's hit
    assert await charged.load_many(["a"], fetch) == {"a": "A"}  # the entry it stored
    assert await cache.charging(other).peek_many(["a"]) == {"a": "A"}
    assert calls == [["a"]]
    assert (mine.hits, mine.misses, other.hits, other.misses) == (1, 1, 1, 0)
    assert cache.stats.hits == 3
