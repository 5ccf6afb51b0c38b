"""The access planner: per key or whole from the other side, and what each way costs."""

from __future__ import annotations

import pytest

from gateway.model import AccessPlan
from gateway.planner import Plan, Situation, Way, plan

# A relation whose other side has 25 objects (say, the org's groups).
GROUPS = 25


@pytest.mark.parametrize(
    ("situation", "expected"),
    [
        pytest.param(Situation(missing=0, others=GROUPS), Plan(Way.CACHED, 0), id="all cached"),
        pytest.param(
            Situation(missing=1, others=GROUPS), Plan(Way.PER_KEY, 1), id="one key: one read"
        ),
        pytest.param(
            Situation(missing=20, others=GROUPS),
            Plan(Way.PER_KEY, 20),
            id="a page smaller than the other side: per key",
        ),
        pytest.param(
            Situation(missing=100, others=GROUPS),
            Plan(Way.INDEX, GROUPS),
            id="a page larger than the other side: the index",
        ),
        pytest.param(
            Situation(missing=20, expected=10_000, others=GROUPS),
            Plan(Way.INDEX, GROUPS),
            id="a crawl, total known: the index, though the page is small",
        ),
        pytest.param(
            Situation(missing=20, others=GROUPS, spent=GROUPS),
            Plan(Way.INDEX, GROUPS),
            id="per-key reads already spent as much as the index costs",
        ),
        pytest.param(
            Situation(missing=20, others=GROUPS, warm=10),
            Plan(Way.INDEX, 15),
            id="warm pieces make the index cheaper",
        ),
        pytest.param(
            Situation(missing=1, others=GROUPS, warm=GROUPS - 1),
            Plan(Way.PER_KEY, 1),
            id="a failed piece is not warm: one to read either way, per key",
        ),
        pytest.param(
            Situation(missing=2, others=GROUPS, warm=GROUPS - 1),
            Plan(Way.INDEX, 1),
            id="a failed piece is not warm: the index reads it alone",
        ),
        pytest.param(
            Situation(missing=50, others=GROUPS, index_built=True),
            Plan(Way.INDEX_BUILT, 0),
            id="a warm index: no read",
        ),
        pytest.param(
            Situation(missing=50, others=GROUPS, indexable=False),
            Plan(Way.PER_KEY, 50),
            id="the other side cannot be listed: per key",
        ),
        pytest.param(
            Situation(missing=100, others=GROUPS, mode=AccessPlan.PER_KEY),
            Plan(Way.PER_KEY, 100),
            id="per-key mode",
        ),
        pytest.param(
            Situation(missing=1, others=GROUPS, mode=AccessPlan.INDEX),
            Plan(Way.INDEX, GROUPS),
            id="index mode",
        ),
        pytest.param(
            Situation(missing=1, others=GROUPS, mode=AccessPlan.INDEX, index_built=True),
            Plan(Way.INDEX_BUILT, 0),
            id="index mode, built",
        ),
    ],
)
def test_the_plan_and_its_predicted_reads(situation: Situation, expected: Plan) -> None:
    assert plan(situation) == expected
