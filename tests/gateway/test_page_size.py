"""One page size: a connection without `first` returns, and is costed as, the documented
default, which the SDL shows and every `first` describes, beside the cap."""

from __future__ import annotations

import re
from typing import Any

import pytest
from graphql import get_named_type

from gateway.schema import build_schema
from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import gateway

FAN_OUT = """query($n: Int) { users(first: $n) { edges { node { groups(first: $n) {
  edges { node { members(first: $n) { edges { node { email } } } } } } } } } }"""
LEFT_OUT = """{ users { edges { node { groups { edges { node { members {
  edges { node { email } } } } } } } } } }"""


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=150, groups=6, applications=3), seed=2)


async def test_a_left_out_first_costs_what_the_default_written_out_costs(org: Org) -> None:
    async with gateway(org) as gw:
        written = (await gw.post(FAN_OUT, {"n": 100})).json()
        left_out = (await gw.post(LEFT_OUT)).json()
        null = (await gw.post(FAN_OUT, {"n": None})).json()
        calls = gw.log.total
    costs = [p["errors"][0]["extensions"] for p in (written, left_out, null)]
    assert [c["code"] for c in costs] == ["QUERY_TOO_COSTLY"] * 3
    assert {c["cost"] for c in costs} == {100 + 100**2 + 100**3}
    assert calls == 0


@pytest.mark.parametrize("first", ["", "(first: null)", "(first: 100)"])
async def test_a_left_out_or_null_first_returns_the_default_page(org: Org, first: str) -> None:
    async with gateway(org) as gw:
        data = await gw.query(
            f"{{ users{first} {{ totalCount pageInfo {{ hasNextPage }} "
            "edges { node { jumpcloudId } } } }"
        )
    assert len(data["users"]["edges"]) == 100
    assert data["users"]["totalCount"] == 150
    assert data["users"]["pageInfo"]["hasNextPage"] is True


def first_arguments(page_size: int) -> list[Any]:
    schema = build_schema(max_page_size=page_size)._schema
    found = []
    for named in schema.type_map.values():
        for field in getattr(named, "fields", {}).values():
            argument = getattr(field, "args", {}).get("first")
            if argument is not None:
                found.append(argument)
    return found


@pytest.mark.parametrize("page_size", [100, 40])
def test_every_first_declares_and_describes_the_page_size(page_size: int) -> None:
    arguments = first_arguments(page_size)
    assert len(arguments) > 30
    for argument in arguments:
        assert get_named_type(argument.type).name == "Int"
        assert argument.default_value == page_size
        assert f"at most {page_size}, and {page_size} when left out" in argument.description


def test_the_committed_sdl_shows_the_real_defaults() -> None:
    sdl = build_schema().as_str()
    firsts = re.findall(r"\bfirst: Int( = \d+)?", sdl)
    assert firsts
    assert set(firsts) == {" = 100"}
    assert "= null" not in sdl


async def test_pages_larger_than_jumpclouds_limit_are_read_as_several() -> None:
    org = generate_org(OrgSizes(users=260, groups=6, applications=4), seed=9)
    async with gateway(org, max_page_size=250) as gw:
        data = await gw.query("{ users(first: 250) { totalCount edges { node { jumpcloudId } } } }")
        calls = gw.log.count(operation="systemusers_list")
    assert [e["node"]["jumpcloudId"] for e in data["users"]["edges"]] == sorted(org.users)[:250]
    assert data["users"]["totalCount"] == len(org.users)
    assert calls == 3
