"""v1 and v2 filters, sort and fields, as JumpCloud's parameter descriptions define them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.simulator.app import create_simulator_app
from gateway.simulator.store import Org, OrgSizes, Store, generate_org
from tests.simulator.fixtures import API_KEY, client_for

DEPARTMENTS = ["Finance", "IT", "Atlanta|Tampa", "Shipping & Receiving", "Shipping|Rec", "HR"]


@pytest.fixture
def org() -> Org:
    org = generate_org(OrgSizes(users=6, groups=5, applications=0, admins=0), seed=11)
    for index, (user, department) in enumerate(zip(org.users.values(), DEPARTMENTS, strict=True)):
        user.update(
            department=department,
            lastname=["Brown", "Adams", "Brown", "Cole", "Adams", "Diaz"][index],
            username=f"user{index}",
            costCenter=f"CC-{index % 3}",
        )
        user["mfa"]["configured"] = index % 2 == 0
    names = ["Engineering", "Sales", "All Staff", "sales-emea", "Support"]
    for group, name in zip(org.groups.values(), names, strict=True):
        group["name"] = name
    return org


@pytest.fixture
async def client(org: Org) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_simulator_app(Store.single(org, API_KEY))) as http:
        yield http


async def departments(client: httpx.AsyncClient, query: str, **headers: str) -> list[str]:
    response = await client.get(f"/api/systemusers?limit=100&{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [user["department"] for user in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter=department:$eq:IT", ["IT"]),
        ("filter=department:$ne:IT", [d for d in DEPARTMENTS if d != "IT"]),
        ("filter=department:$in:Finance|IT|Nope", ["Finance", "IT"]),
        (
            "filter=department:$nin:Finance|IT",
            [d for d in DEPARTMENTS if d not in ("Finance", "IT")],
        ),
        ("filter=department:$in:Atlanta\\|Tampa|HR", ["Atlanta|Tampa", "HR"]),
        ("filter=department:$sw:Shipping", ["Shipping & Receiving", "Shipping|Rec"]),
        ("filter=department:$sw:Shipping\\|R", ["Shipping|Rec"]),
        ("filter=department:$lt:HR", ["Finance", "Atlanta|Tampa"]),
        ("filter=department:$lte:HR", ["Finance", "Atlanta|Tampa", "HR"]),
        ("filter=department:$gt:IT", ["Shipping & Receiving", "Shipping|Rec"]),
        ("filter=department:$gte:IT", ["IT", "Shipping & Receiving", "Shipping|Rec"]),
        ("filter=department:$eq:it", []),
        ("filter=mfa.configured:$eq:true", [DEPARTMENTS[i] for i in (0, 2, 4)]),
        ("filter=lastname:$eq:Brown&filter=costCenter:$eq:CC-0", ["Finance"]),
        ("filter[0]=lastname:$eq:Brown&filter[1]=costCenter:$eq:CC-2", ["Atlanta|Tampa"]),
        ("filter[or][0]=department:$eq:IT&filter[or][1]=department:$eq:HR", ["IT", "HR"]),
        ("filter=lastname:$eq:Adams&filter[or][0]=username:$eq:user1", ["IT"]),
    ],
)
async def test_v1_filter_operators(
    client: httpx.AsyncClient, query: str, expected: list[str]
) -> None:
    assert await departments(client, query) == expected


async def test_v1_filter_by_id_list_fetches_those_users(
    client: httpx.AsyncClient, org: Org
) -> None:
    wanted = list(org.users)[1::2]
    response = await client.get(
        "/api/systemusers", params={"filter": f"_id:$in:{'|'.join(wanted)}"}
    )
    assert [u["_id"] for u in response.json()["results"]] == wanted


async def test_eventually_consistent_operators_need_their_header(client: httpx.AsyncClient) -> None:
    header = {"x-eventually-consistent": "true"}
    assert await departments(client, "filter=department:$sw:Fin|HR", **header) == ["Finance", "HR"]
    assert await departments(client, "filter=department:$ew:ance|R", **header) == ["Finance", "HR"]
    assert await departments(client, "filter=department:$co:ceiv|xyz", **header) == [
        "Shipping & Receiving"
    ]
    assert "Shipping & Receiving" not in await departments(
        client, "filter=department:$nco:ceiv", **header
    )
    refused = await client.get("/api/systemusers?filter=department:$co:ceiv|xyz")
    assert refused.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "filter=department",
        "filter=department:eq:IT",
        "filter=department:$regex:I",
        "filter[x]=a:$eq:b",
    ],
)
async def test_malformed_v1_filters_are_400(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/api/systemusers?{query}")
    assert response.status_code == 400
    assert "message" in response.json()


async def test_v1_sort_is_space_separated_and_minus_means_descending(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/systemusers", params={"sort": "-lastname username"})
    pairs = [(u["lastname"], u["username"]) for u in response.json()["results"]]
    assert pairs == [
        ("Diaz", "user5"),
        ("Cole", "user3"),
        ("Brown", "user0"),
        ("Brown", "user2"),
        ("Adams", "user1"),
        ("Adams", "user4"),
    ]


async def test_v1_fields_keep_only_those_plus_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/systemusers", params={"fields": "username email"})
    assert all(set(u) == {"_id", "username", "email"} for u in response.json()["results"])
    one = await client.get(f"/api/systemusers/{response.json()['results'][0]['_id']}?fields=email")
    assert set(one.json()) == {"_id", "email"}


async def group_names(client: httpx.AsyncClient, query: str) -> list[str]:
    response = await client.get(f"/api/v2/usergroups?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["x-total-count"] == str(len(response.json()))
    return [group["name"] for group in response.json()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter=name:eq:Sales", ["Sales"]),
        ("filter=name:eq:All+Staff", ["All Staff"]),
        ("filter=name:ne:Sales", ["Engineering", "All Staff", "sales-emea", "Support"]),
        ("filter=name:in:Sales|Support", ["Sales", "Support"]),
        ("filter=name:search:SALES", ["Sales", "sales-emea"]),
        ("filter=name:lt:S", ["Engineering", "All Staff"]),
        ("filter=type:eq:user_group&filter=name:search:sup", ["Support"]),
        ("filter[0]=name:search:s&filter[1]=name:ne:Sales", ["All Staff", "sales-emea", "Support"]),
        ("sort=-name", ["sales-emea", "Support", "Sales", "Engineering", "All Staff"]),
        ("sort=type,name", ["All Staff", "Engineering", "Sales", "Support", "sales-emea"]),
    ],
)
async def test_v2_filters_and_sort(
    client: httpx.AsyncClient, query: str, expected: list[str]
) -> None:
    assert await group_names(client, query) == expected


async def test_v2_fields_are_comma_separated(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/usergroups?fields=name,type")
    assert all(set(g) == {"id", "name", "type"} for g in response.json())


async def test_v2_filters_on_ldap_servers_and_roles(client: httpx.AsyncClient, org: Org) -> None:
    name = next(iter(org.ldap_servers.values()))["name"]
    servers = await client.get("/api/v2/ldapservers", params={"filter": f"name:eq:{name}"})
    assert [s["name"] for s in servers.json()] == [name]
    roles = await client.get("/api/v2/roles", params={"filter": "name:search:help"})
    assert [r["name"] for r in roles.json()["results"]] == ["Help Desk"]
    assert roles.json()["totalCount"] == 1


async def test_unknown_v2_operator_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/usergroups?filter=name:like:Sales")
    assert response.status_code == 400


async def test_search_body_filters_and_searchfilter_add_memberof(
    client: httpx.AsyncClient, org: Org
) -> None:
    body = {
        "filter": {"or": [{"department": "IT"}, {"department": "HR"}]},
        "fields": "department username",
    }
    response = await client.post("/api/search/systemusers", json=body)
    results = response.json()["results"]
    assert [u["department"] for u in results] == ["IT", "HR"]
    assert set(results[0]) == {"_id", "department", "username", "memberof"}
    expected = sorted(g for u, g in org.memberships if u == results[0]["_id"])
    assert results[0]["memberof"] == expected

    both = await client.post(
        "/api/search/systemusers",
        json={"filter": [{"lastname": "Brown"}, {"costCenter": "CC-2"}]},
    )
    assert [u["department"] for u in both.json()["results"]] == ["Atlanta|Tampa"]
    text = await client.post(
        "/api/search/systemusers",
        json={"searchFilter": {"searchTerm": ["USER1", "user5"], "fields": ["username"]}},
    )
    assert [u["username"] for u in text.json()["results"]] == ["user1", "user5"]
    escaped = await client.post(
        "/api/search/systemusers",
        json={"filter": [{"department": {"$in": "Atlanta\\|Tampa|IT"}}]},
    )
    assert [u["department"] for u in escaped.json()["results"]] == ["IT", "Atlanta|Tampa"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'{"filter": 3}',
        b'{"filter": {"xor": []}}',
        b'{"filter": [1]}',
        b'{"searchFilter": "x"}',
        b'{"fields": 5}',
        b'{"limit": "many"}',
        b'{"limit": 500}',
    ],
)
async def test_bad_search_bodies_are_400(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/api/search/systemusers", content=body)
    assert response.status_code == 400
    assert "message" in response.json()
