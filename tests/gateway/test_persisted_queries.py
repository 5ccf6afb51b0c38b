"""Apollo's automatic persisted queries, and trusted documents (a manifest, nothing else runs)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.persisted import DocumentStore, ManifestError, read_manifest
from gateway.settings import Settings, SettingsError
from gateway.simulator.store import Org, OrgSizes, generate_org
from tests.harness import API_KEY, Harness, gateway

REPO = Path(__file__).resolve().parents[2]
GROUPS = "{ groups(first: 5) { edges { node { jumpcloudId name } } } }"
APPLICATIONS = "{ applications(first: 5) { edges { node { jumpcloudId name } } } }"


@pytest.fixture
def org() -> Org:
    return generate_org(OrgSizes(users=20, groups=6, applications=3), seed=5)


def sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(digest: str, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


async def apq(gw: Harness, query: str | None, digest: str, **body: Any) -> httpx.Response:
    payload: dict[str, Any] = {"extensions": persisted(digest), **body}
    if query is not None:
        payload["query"] = query
    return await gw.http.post("/graphql", json=payload)


def code(response: httpx.Response) -> str:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    found: str = errors[0]["extensions"]["code"]
    return found


async def replayed(gw: Harness) -> int:
    metrics = (await gw.http.get("/metrics")).text
    found = re.search(r"^jcgraph_responses_replayed_total (\S+)$", metrics, re.M)
    assert found is not None
    return int(float(found.group(1)))


async def test_an_unknown_hash_asks_for_the_document_then_the_hash_alone_runs(org: Org) -> None:
    async with gateway(org) as gw:
        unknown = await apq(gw, None, sha(GROUPS))
        registered = await apq(gw, GROUPS, sha(GROUPS))
        calls = gw.log.total
        hit = await apq(gw, None, sha(GROUPS))
    # Apollo's protocol: 200, the message and the code its clients look for, never stored.
    assert unknown.status_code == 200
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert unknown.headers["cache-control"] == "no-store"
    assert registered.status_code == hit.status_code == 200
    assert "errors" not in registered.json()
    assert hit.json()["data"] == registered.json()["data"]
    assert len(hit.json()["data"]["groups"]["edges"]) == 5
    assert gw.log.total == calls  # served from the cache the registering request filled


async def test_a_hash_that_is_not_the_documents_is_refused_and_not_stored(org: Org) -> None:
    async with gateway(org) as gw:
        mismatch = await apq(gw, GROUPS, sha(APPLICATIONS))
        after = await apq(gw, None, sha(APPLICATIONS))
    assert mismatch.status_code == 400
    assert code(mismatch) == "BAD_REQUEST"
    assert "provided sha does not match query" in mismatch.json()["errors"][0]["message"]
    assert code(after) == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    "extensions",
    [
        persisted(sha(GROUPS), version=2),
        persisted("not-a-hash"),
        persisted(""),
        {"persistedQuery": "abc"},
        {"persistedQuery": {"version": 1}},
    ],
)
async def test_a_malformed_persisted_query_is_a_bad_request(
    org: Org, extensions: dict[str, Any]
) -> None:
    async with gateway(org) as gw:
        response = await gw.http.post("/graphql", json={"extensions": extensions})
        not_a_string = await gw.http.post(
            "/graphql", json={"query": 5, "extensions": persisted(sha(GROUPS))}
        )
        get = await gw.http.get("/graphql", params={"extensions": "{not json"})
    assert response.status_code == not_a_string.status_code == get.status_code == 400
    assert code(response) == code(not_a_string) == code(get) == "BAD_REQUEST"


async def test_apollos_get_form_registers_and_runs_by_hash(org: Org) -> None:
    variables = {"first": 2}
    query = "query Page($first: Int) { users(first: $first) { edges { node { username } } } }"
    params = {
        "variables": json.dumps(variables),
        "extensions": json.dumps(persisted(sha(query))),
    }
    async with gateway(org) as gw:
        unknown = await gw.http.get("/graphql", params=params)
        registered = await gw.http.get("/graphql", params={**params, "query": query})
        hit = await gw.http.get("/graphql", params=params)
        # A browser's GET asks for HTML too: still an operation, not the GraphiQL page.
        html = await gw.http.get(
            "/graphql", params=params, headers={"accept": "text/html,application/json"}
        )
    assert code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert registered.status_code == hit.status_code == 200
    assert len(hit.json()["data"]["users"]["edges"]) == 2
    assert hit.json() == registered.json()
    assert html.json() == hit.json()


async def test_a_hash_only_get_is_not_the_public_graphiql_page_when_auth_is_on(org: Org) -> None:
    params = {"extensions": json.dumps(persisted(sha(GROUPS)))}
    async with gateway(org, auth_tokens=("s3cret",)) as gw:
        anonymous = await gw.http.get("/graphql", params=params, headers={"accept": "text/html"})
        await gw.http.post(
            "/graphql",
            json={"query": GROUPS, "extensions": persisted(sha(GROUPS))},
            headers={"authorization": "Bearer s3cret"},
        )
        again = await gw.http.get("/graphql", params=params, headers={"accept": "text/html"})
    assert anonymous.status_code == again.status_code == 401
    assert code(again) == "UNAUTHENTICATED"


async def test_resolved_documents_run_on_the_lean_path(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with gateway(org) as gw:
        view = next(r for r in gw.app.routes if getattr(r, "path", "") == "/graphql").endpoint
        pipeline: list[object] = []
        run = view.run

        async def counted(request: Any, *args: Any, **kwargs: Any) -> Any:
            pipeline.append(request)
            return await run(request, *args, **kwargs)

        monkeypatch.setattr(view, "run", counted)
        await apq(gw, GROUPS, sha(GROUPS))
        await apq(gw, None, sha(GROUPS), variables={}, operationName=None)
        assert pipeline == []
        await gw.http.get("/graphql", params={"query": GROUPS})  # GETs take the pipeline
    assert len(pipeline) == 1


async def test_the_response_cache_keys_on_the_resolved_document(org: Org) -> None:
    async with gateway(org) as gw:
        await apq(gw, GROUPS, sha(GROUPS))  # reads upstream: not kept
        await apq(gw, APPLICATIONS, sha(APPLICATIONS))
        groups = await apq(gw, None, sha(GROUPS))  # from cache entries only: kept
        applications = await apq(gw, None, sha(APPLICATIONS))
        assert await replayed(gw) == 0
        groups_again = await apq(gw, None, sha(GROUPS))
        applications_again = await apq(gw, None, sha(APPLICATIONS))
        assert await replayed(gw) == 2
    assert groups_again.content == groups.content
    assert applications_again.content == applications.content
    assert groups.json()["data"].keys() == {"groups"}
    assert applications.json()["data"].keys() == {"applications"}


async def test_a_stored_document_is_validated_and_cost_limited_like_any_other(org: Org) -> None:
    invalid = "{ groups { nosuchfield } }"
    costly = "{ users(first: 100) { edges { node { groups(first: 100) { totalCount } } } } }"
    async with gateway(org, max_cost=50) as gw:
        first = await apq(gw, invalid, sha(invalid))
        again = await apq(gw, None, sha(invalid))
        await apq(gw, costly, sha(costly))
        refused = await apq(gw, None, sha(costly))
    assert code(first) == code(again) == "GRAPHQL_VALIDATION_FAILED"
    assert code(refused) == "QUERY_TOO_COSTLY"


async def test_other_extensions_reach_the_pipeline(org: Org) -> None:
    async with gateway(org) as gw:
        response = await gw.http.post(
            "/graphql",
            json={"query": GROUPS, "extensions": {**persisted(sha(GROUPS)), "tracing": True}},
        )
    assert response.status_code == 200
    assert "errors" not in response.json()


def test_the_store_is_bounded_by_documents_and_bytes() -> None:
    store = DocumentStore(max_documents=2, max_bytes=10)
    store.put("a", "1234")
    store.put("b", "1234")
    store.get("a")  # a is now the most recently used
    store.put("c", "1234")
    assert (store.get("a"), store.get("b"), store.get("c")) == ("1234", None, "1234")
    store.put("d", "123456")  # 4 + 6 bytes fit, with "a" gone
    assert len(store) == 2
    assert store.get("a") is None
    store.put("huge", "x" * 11)  # never kept
    assert store.get("huge") is None


# Trusted documents


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """The manifest `jcgraph manifest` prints for the example operations."""
    printed = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "manifest"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = tmp_path / "trusted.json"
    path.write_text(printed)
    return path


def example(name: str) -> str:
    return (REPO / "schema" / "operations" / f"{name}.graphql").read_text()


async def test_only_trusted_documents_run(org: Org, manifest: Path) -> None:
    listed = example("PageThroughUsers")
    async with gateway(org, trusted_documents=str(manifest)) as gw:
        full = await gw.post(listed, {"first": 2})
        by_hash = await apq(gw, None, sha(listed), variables={"first": 2})
        both = await apq(gw, listed, sha(listed), variables={"first": 2})
        unlisted = await gw.post(GROUPS)
        unlisted_apq = await apq(gw, GROUPS, sha(GROUPS))
        unknown_hash = await apq(gw, None, sha(GROUPS))
        get = await gw.http.get("/graphql", params={"query": GROUPS})
        introspection = await gw.post("{ __schema { types { name } } }")
        page = await gw.http.get("/graphql", headers={"accept": "text/html"})
    assert full.status_code == by_hash.status_code == both.status_code == 200
    assert full.json() == by_hash.json() == both.json()
    assert len(full.json()["data"]["users"]["edges"]) == 2
    for refused in (unlisted, unlisted_apq, unknown_hash, get, introspection):
        assert refused.status_code == 400
        assert code(refused) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert page.status_code == 200  # the GraphiQL page still loads; its introspection won't run


async def test_trusted_mode_stores_nothing_sent_to_it(org: Org, manifest: Path) -> None:
    async with gateway(org, trusted_documents=str(manifest)) as gw:
        await apq(gw, GROUPS, sha(GROUPS))
        again = await apq(gw, None, sha(GROUPS))
    assert code(again) == "PERSISTED_QUERY_NOT_ALLOWED"


def test_every_example_operation_and_explorer_document_is_in_the_printed_manifest(
    manifest: Path,
) -> None:
    documents = read_manifest(manifest)
    examples = sorted((REPO / "schema" / "operations").glob("*.graphql"))
    explorer = sorted((REPO / "gateway" / "explorer_operations").glob("*.graphql"))
    assert explorer, "the explorer's documents are missing"
    assert sorted(documents.values()) == sorted(p.read_text() for p in [*examples, *explorer])


def test_a_bad_manifest_is_refused_naming_the_variable(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({sha("{ a }"): "{ b }"}))
    not_json = tmp_path / "not.json"
    not_json.write_text("{")
    a_list = tmp_path / "list.json"
    a_list.write_text("[]")
    for path, says in [
        (wrong, "not the SHA-256"),
        (not_json, "not JSON"),
        (a_list, "JSON object"),
        (tmp_path / "missing.json", "cannot be read"),
    ]:
        with pytest.raises(ManifestError, match=says):
            read_manifest(path)
        with pytest.raises(SettingsError) as refused:
            Settings.from_env(
                {"JUMPCLOUD_API_KEY": API_KEY, "JCGRAPH_TRUSTED_DOCUMENTS": str(path)}
            )
        (problem,) = refused.value.problems
        assert problem.startswith("JCGRAPH_TRUSTED_DOCUMENTS")
        assert says in problem


def test_a_manifest_without_the_explorer_holds_the_folders_documents_only() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "manifest", "--without-explorer"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    examples = sorted((REPO / "schema" / "operations").glob("*.graphql"))
    assert sorted(json.loads(printed).values()) == sorted(p.read_text() for p in examples)
