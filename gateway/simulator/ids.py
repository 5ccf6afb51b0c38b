"""ObjectId-shaped ids and ISO timestamps, both deterministic from a seeded RNG."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

# A fixed "now" keeps generation independent of the wall clock (same seed, same org).
NOW = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())
_BUILTIN_EPOCH = int(datetime(2016, 3, 1, tzinfo=UTC).timestamp())


class ObjectIds:
    """24-hex ids: 4-byte timestamp, 5 random bytes, 3-byte counter.

    JumpCloud's reference calls its ids "ObjectID" and shows 24-hex examples but gives no
    pattern; the simulator uses MongoDB's ObjectId layout.

    Ids made with non-decreasing timestamps increase, so sorting by id keeps creation order.
    """

    def __init__(self, rng: random.Random) -> None:
        self._machine = rng.getrandbits(40)
        self._counter = itertools.count(rng.getrandbits(16))

    @property
    def machine(self) -> int:
        """The 5 random bytes every id of this maker shares: makers with different
        machines never make the same id."""
        return self._machine

    def make(self, timestamp: int) -> str:
        return f"{timestamp & 0xFFFFFFFF:08x}{self._machine:010x}{next(self._counter):06x}"


def _builtin_ids() -> ObjectIds:
    return ObjectIds(random.Random("jumpcloud-builtin-roles"))


def builtin_machine() -> int:
    """The machine part of the built-in roles' ids (see ``ObjectIds.machine``)."""
    return _builtin_ids().machine


def builtin_role_id(index: int) -> str:
    """Built-in roles carry the same ids in every org: they are JumpCloud's, not the org's."""
    ids = _builtin_ids()
    return [ids.make(_BUILTIN_EPOCH + i) for i in range(index + 1)][-1]


def iso(timestamp: int, rng: random.Random) -> str:
    """RFC 3339 UTC with milliseconds, as in JumpCloud's examples (``2013-10-16T19:30:55.611Z``)."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{moment}.{rng.randrange(1000):03d}Z"


def timeline(rng: random.Random, start: int, count: int, end: int = NOW) -> list[int]:
    """``count`` sorted creation times between start and end for one collection."""
    return sorted(rng.randrange(start, max(start + 1, end)) for _ in range(count))
