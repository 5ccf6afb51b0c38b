"""A long index build says how far it got, every N pieces or every few seconds of its clock."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

from gateway.access import AccessGraph
from gateway.cache_levels import open_cache
from gateway.jumpcloud.accounting import Tally
from gateway.model import GROUP, MEMBERSHIP, USER, AccessPlan, GraphType, Kind
from tests.clock import FakeClock


class SlowDirectory:
    """A stand-in client: each group's members read takes `seconds` of the fake clock."""

    def __init__(self, clock: FakeClock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.made: list[str] = []  # shared with every charged view
        self.tally: Tally | None = None

    def charging(self, tally: Tally) -> SlowDirectory:
        """What the real client does: a view counting its calls in `tally` too."""
        charged = copy.copy(self)
        charged.tally = tally
        return charged

    async def graph(self, source: GraphType, object_id: str, relation: str, **_: Any) -> list[Any]:
        self.made.append(object_id)
        self.clock.advance(self.seconds)
        if self.tally is not None:
            self.tally.add(f"GET /api/v2/usergroups/{{id}}/{relation}")
        return [{"to": {"id": f"u{object_id}", "type": "user"}}]


async def build(groups: int, *, seconds: float, every: int, every_seconds: float) -> SlowDirectory:
    clock = FakeClock()
    client = SlowDirectory(clock, seconds)
    cache = open_cache("memory://", namespace="progress", ttl=300, stale_ttl=0, clock=clock)
    ids = [str(i) for i in range(groups)]

    async def members_of(kind: Kind) -> list[str]:
        assert kind is GROUP
        return ids

    graph = AccessGraph(
        client,  # type: ignore[arg-type]
        cache,
        members_of,
        plan=AccessPlan.INDEX,
        clock=clock,
        progress_every=every,
        progress_seconds=every_seconds,
    )
    await graph.neighbours(MEMBERSHIP, USER, ["u0"])
    await cache.close()
    return client


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "gateway.access"]


async def test_progress_every_n_pieces(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gateway.access")
    client = await build(250, seconds=0.0, every=100, every_seconds=60.0)
    assert len(client.made) == 250
    assert lines(caplog) == [
        "index membership from Group: 100/250 pieces, 100 upstream calls, 0.0 s",
        "index membership from Group: 200/250 pieces, 200 upstream calls, 0.0 s",
        lines(caplog)[-1],
    ]
    assert lines(caplog)[-1].startswith("index membership from Group: 250 pieces, 250 upstream")


async def test_progress_every_few_seconds_of_the_clock(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gateway.access")
    await build(10, seconds=1.5, every=1000, every_seconds=5.0)
    assert lines(caplog)[:-1] == [  # 1.5 s a piece: a line once 5 s have passed since the last
        "index membership from Group: 4/10 pieces, 4 upstream calls, 6.0 s",
        "index membership from Group: 8/10 pieces, 8 upstream calls, 12.0 s",
    ]


async def test_a_short_build_logs_only_its_final_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gateway.access")
    await build(20, seconds=0.1, every=100, every_seconds=5.0)
    (line,) = lines(caplog)
    assert line.startswith("index membership from Group: 20 pieces, 20 upstream calls")
