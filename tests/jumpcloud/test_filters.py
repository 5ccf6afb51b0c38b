"""Filters and sorts render as JumpCloud documents them, and bad ones never leave the process."""

from __future__ import annotations

import pytest

from gateway.jumpcloud import Filter, InvalidQueryError, Op, Resource, SortKey, render_v1, render_v2
from gateway.jumpcloud.errors import BadRequestError
from gateway.jumpcloud.filters import ApiVersion, filter_params, render_sort

from .fakes import FakeJumpCloud


def test_v1_equality_renders_field_operator_value() -> None:
    assert render_v1(Filter("username", Op.EQ, "ada")) == "username:$eq:ada"


def test_v1_value_keeps_colons_and_spaces() -> None:
    assert (
        render_v1(Filter("created", Op.GTE, "2021-10-24T10:00")) == "created:$gte:2021-10-24T10:00"
    )


def test_v1_in_joins_terms_with_pipes() -> None:
    f = Filter("department", Op.IN, ["Finance", "IT"])
    assert render_v1(f) == "department:$in:Finance|IT"


def test_v1_in_escapes_a_literal_pipe_with_one_backslash() -> None:
    # V1 trait_filter_filter: costCenter:$in:Atlanta\|Tampa|Chicago
    f = Filter("costCenter", Op.IN, ["Atlanta|Tampa", "Chicago"])
    assert render_v1(f) == "costCenter:$in:Atlanta\\|Tampa|Chicago"


def test_v1_nin_and_sw_escape_pipes_too() -> None:
    assert render_v1(Filter("d", Op.NIN, ["a|b"])) == "d:$nin:a\\|b"
    assert render_v1(Filter("d", Op.SW, "Shipping|Receiving")) == "d:$sw:Shipping\\|Receiving"


def test_v2_in_joins_terms_with_pipes() -> None:
    assert render_v2(Filter("name", Op.V2_IN, ["a", "b"])) == "name:in:a|b"
    assert render_v2(Filter("type", Op.V2_EQ, "user_group")) == "type:eq:user_group"


def test_dotted_fields_are_allowed() -> None:
    f = Filter("attributes.sudo.enabled", Op.V2_EQ, "true")
    assert render_v2(f) == "attributes.sudo.enabled:eq:true"


@pytest.mark.parametrize(
    ("flt", "version"),
    [
        (Filter("department", Op.IN, []), ApiVersion.V1),  # empty $in
        (Filter("bad field", Op.EQ, "x"), ApiVersion.V1),  # field pattern
        (Filter("a:b", Op.EQ, "x"), ApiVersion.V1),  # would inject an operator
        (Filter("name", Op.V2_EQ, "x"), ApiVersion.V1),  # v2 operator on v1
        (Filter("name", Op.EQ, "x"), ApiVersion.V2),  # v1 operator on v2
        (Filter("name", Op.EQ, ["a", "b"]), ApiVersion.V1),  # list for a single-value op
        (Filter("name", Op.V2_IN, ["a|b"]), ApiVersion.V2),  # v2 documents no pipe escape
        (Filter("name", Op.IN, ["a\\"]), ApiVersion.V1),  # backslash has no documented escape
        (Filter("name", Op.IN, ["a", ""]), ApiVersion.V1),  # empty term
        (Filter("name", Op.EQ, "a\nb"), ApiVersion.V1),  # control character
        (Filter("_id", Op.IN, [str(i) for i in range(101)]), ApiVersion.V1),  # too many terms
    ],
)
def test_invalid_filters_raise_invalid_query(flt: Filter, version: ApiVersion) -> None:
    with pytest.raises(InvalidQueryError) as info:
        filter_params([flt], version)
    assert isinstance(info.value, BadRequestError)
    assert info.value.status is None


def test_one_filter_is_sent_as_filter() -> None:
    assert filter_params([Filter("a", Op.EQ, "1")], ApiVersion.V1) == [("filter", "a:$eq:1")]


def test_several_filters_use_the_documented_indexed_and_form() -> None:
    params = filter_params([Filter("a", Op.EQ, "1"), Filter("b", Op.NE, "2")], ApiVersion.V1)
    assert params == [("filter[0]", "a:$eq:1"), ("filter[1]", "b:$ne:2")]


def test_sort_is_space_separated_on_v1_and_comma_separated_on_v2() -> None:
    keys = [SortKey("lastname"), SortKey("created", descending=True)]
    assert render_sort(keys, ApiVersion.V1) == "lastname -created"
    assert render_sort(keys, ApiVersion.V2) == "lastname,-created"


def test_sort_fields_are_validated() -> None:
    with pytest.raises(InvalidQueryError):
        render_sort([SortKey("name desc")], ApiVersion.V1)


async def test_invalid_filter_raises_before_any_request() -> None:
    fake = FakeJumpCloud()
    async with fake.client() as client:
        with pytest.raises(InvalidQueryError) as info:
            await client.page(Resource.USERS, filters=[Filter("name", Op.V2_EQ, "x")])
        with pytest.raises(InvalidQueryError):
            await client.list_all(Resource.GROUPS, sort=[SortKey("-bad")])
        with pytest.raises(InvalidQueryError):
            await client.page(Resource.USERS, limit=101)
        with pytest.raises(InvalidQueryError):
            await client.get(Resource.USERS, "../../api/organizations")
    assert info.value.endpoint == "GET /api/systemusers"
    assert fake.requests == []
    assert client.calls.total == 0


async def test_admins_have_no_get_by_id() -> None:
    fake = FakeJumpCloud()
    async with fake.client() as client:
        with pytest.raises(InvalidQueryError, match="list_all"):
            await client.get(Resource.ADMINS, "0" * 24)
    assert fake.requests == []
