"""The access-review export: rows equal the store's grants, both formats, streamed, behind auth."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import dataclasses
import io
import itertools
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway import cli, cli_export
from gateway.app import create_app
from gateway.export import Format, Report, chunks
from gateway.export_access import access_rows
from gateway.export_rows import ACCESS_COLUMNS, FINDING_COLUMNS
from gateway.loaders import Loaders
from gateway.model import USER
from gateway.organisations import Services
from gateway.settings import Settings
from gateway.simulator.app import create_simulator_app
from gateway.simulator.generate import findings_org, generate_org
from gateway.simulator.log import RequestLog
from gateway.simulator.model import OrgSizes
from gateway.simulator.store import Org, Store
from tests import oracle
from tests.harness import API_KEY, gateway
from tests.processes import clean_env

ORG = findings_org()
PAGED = generate_org(OrgSizes(users=250, groups=20, applications=12), seed=31)
"""Three pages of users (100, 100, 50), with systems, system groups and sudo."""

UPSTREAM = "http://jumpcloud.test"

Line = tuple[Any, ...]


# ---- what the store says ------------------------------------------------------------------


def _names(org: Org) -> dict[str, str]:
    """Display names by id, from the store's records."""
    names = {i: a["displayLabel"] for i, a in org.applications.items()}
    names |= {i: s["hostname"] for i, s in org.systems.items()}
    for records in (org.ldap_servers, org.radius_servers, org.groups, org.system_groups):
        names |= {i: r["name"] for i, r in records.items()}
    return names


def expected_access(org: Org) -> list[Line]:
    """Every access path of the org, in the export's order (user id, target type, target id,
    path shortest first), computed from the store's edge sets by tests/oracle.py."""
    names = _names(org)
    out: list[Line] = []
    for user_id in sorted(org.users):
        user = org.users[user_id]
        about = (user_id, user["email"], user["state"], oracle.enrolled(user))
        grants: list[tuple[str, str, set[oracle.Route], oracle.Sudo | None]] = []
        for target_type in ("application", "ldap_server", "radius_server"):
            for target, vias in oracle.effective(org, user_id, target_type).items():
                routes = {() if v is None else (("user_group", v),) for v in vias}
                grants.append((target_type, target, routes, None))
        for system_id, (routes, sudo) in oracle.effective_systems(org, user_id).items():
            grants.append(("system", system_id, routes, sudo or (False, False)))
        order = ("application", "ldap_server", "radius_server", "system")
        for target_type, target, routes, sudo in sorted(
            grants, key=lambda g: (order.index(g[0]), g[1])
        ):
            for route in sorted(routes, key=lambda r: (len(r), r)):
                steps = dict(route)
                group, system_group = steps.get("user_group"), steps.get("system_group")
                path = "+".join(
                    {"user_group": "group", "system_group": "system_group"}[t] for t, _ in route
                )
                out.append(
                    (
                        *about,
                        target_type,
                        target,
                        names[target],
                        oracle.route_kind(routes),
                        path or "direct",
                        group,
                        names[group] if group else None,
                        system_group,
                        names[system_group] if system_group else None,
                        *(sudo if sudo is not None else (None, None)),
                    )
                )
    return out


# ---- the export, in process ---------------------------------------------------------------


@dataclass
class Exporter:
    log: RequestLog
    services: Services
    asgi: Any
    http: httpx.AsyncClient


@contextlib.asynccontextmanager
async def exporting(org: Org, **settings: Any) -> AsyncIterator[Exporter]:
    """The gateway's app over `org` with its lifespan running: its services (for the
    generator itself), the app as ASGI (to watch a response stream) and an HTTP client."""
    log = RequestLog()
    upstream = httpx.ASGITransport(app=create_simulator_app(Store.single(org, API_KEY), log=log))
    config = dataclasses.replace(Settings(api_key=API_KEY, base_url=UPSTREAM), **settings)
    app = create_app(config, transport=upstream)
    async with app.router.lifespan_context(app) as state:

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            await app({**scope, "state": dict(state)}, receive, send)

        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            yield Exporter(log, state["services"], asgi, http)


def as_line(row: dict[str, Any]) -> Line:
    return tuple(row[c] for c in ACCESS_COLUMNS)


def parse_jsonl(body: bytes) -> list[dict[str, Any]]:
    assert body.endswith(b"\n")
    return [json.loads(line) for line in body.decode().splitlines()]


def parse_csv(body: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(body.decode(), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def as_cells(row: dict[str, Any]) -> dict[str, str]:
    """A JSON row as its CSV cells: true/false, empty for null."""
    return {
        k: "" if v is None else ("true" if v else "false") if isinstance(v, bool) else str(v)
        for k, v in row.items()
    }


async def body_of(exporter: Exporter, path: str, **headers: str) -> bytes:
    response = await exporter.http.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.content


# ---- the rows -----------------------------------------------------------------------------


@pytest.mark.parametrize("org", [ORG, PAGED], ids=["findings-org", "three-pages"])
async def test_every_access_path_is_one_row_equal_to_the_store(org: Org) -> None:
    async with exporting(org) as exporter:
        rows = parse_jsonl(await body_of(exporter, "/export/access.jsonl"))
    assert [as_line(r) for r in rows] == expected_access(org)
    assert all(list(r) == list(ACCESS_COLUMNS) for r in rows)


async def test_a_grant_reached_directly_and_through_two_groups_is_three_rows() -> None:
    async with exporting(PAGED) as exporter:
        rows = [as_line(r) for r in parse_jsonl(await body_of(exporter, "/export/access.jsonl"))]
    by_grant: dict[tuple[str, str], list[Line]] = {}
    for row in rows:
        by_grant.setdefault((row[0], row[5]), []).append(row)
    three = next(g for g in by_grant.values() if len(g) == 3 and g[0][8] == "direct")
    assert [r[8] for r in three] == ["direct", "group", "group"]
    assert {r[7] for r in three} == {"BOTH"}  # the grant's kind on each of its rows
    assert len({r[9] for r in three[1:]}) == 2  # two different groups
    assert {r[4] for r in rows} == {"application", "ldap_server", "radius_server", "system"}
    assert {r[8] for r in rows} >= {"direct", "group", "system_group", "group+system_group"}
    assert any(r[13] for r in rows)  # sudo
    assert any(r[14] for r in rows)  # sudo without a password


async def test_csv_and_jsonl_hold_the_same_rows() -> None:
    async with exporting(ORG) as exporter:
        jsonl = parse_jsonl(await body_of(exporter, "/export/access.jsonl"))
        header, rows = parse_csv(await body_of(exporter, "/export/access.csv"))
    assert header == list(ACCESS_COLUMNS)
    assert rows == [as_cells(r) for r in jsonl]
    assert len(rows) == len(expected_access(ORG))


async def test_a_name_a_spreadsheet_would_run_is_quoted_in_csv_only() -> None:
    org = findings_org()
    app_id = next(iter(org.applications))
    org.applications[app_id]["displayLabel"] = "=HYPERLINK(1)"
    async with exporting(org) as exporter:
        _, rows = parse_csv(await body_of(exporter, "/export/access.csv"))
        jsonl = parse_jsonl(await body_of(exporter, "/export/access.jsonl"))
    assert {r["target_name"] for r in rows if r["target_id"] == app_id} == {"'=HYPERLINK(1)"}
    assert {r["target_name"] for r in jsonl if r["target_id"] == app_id} == {"=HYPERLINK(1)"}


# ---- what it costs, and how it streams ----------------------------------------------------


async def test_a_whole_export_of_the_findings_org_costs_37_upstream_calls() -> None:
    async with exporting(ORG) as exporter:
        await body_of(exporter, "/export/access.csv")
        counts = exporter.log.counts()
        cold = exporter.log.total
        await body_of(exporter, "/export/access.csv")
        warm = exporter.log.total - cold
    targets = len(ORG.applications) + len(ORG.ldap_servers) + len(ORG.radius_servers)
    # One page of users; groups, system groups, applications, LDAP and RADIUS servers whole;
    # the system ids, then the reached systems' records; every target's users once.
    assert cold == 1 + 5 + 2 + targets + len(ORG.systems) == 37
    assert counts["graph_applicationTraverseUser"] == len(ORG.applications)
    assert "graph_userTraverseApplication" not in counts  # never per user
    assert warm == 0  # within the cache's TTL a second export reads nothing


async def test_pages_of_users_are_read_one_after_another_with_loaders_of_their_own() -> None:
    made: list[Loaders] = []
    async with exporting(PAGED) as exporter:

        def new_loaders() -> Loaders:
            made.append(exporter.services.loaders())
            return made[-1]

        pages = [p async for p in access_rows(new_loaders)]
        counts = exporter.log.counts()
    assert len(pages) == len(made) == 3
    assert counts["systemusers_list"] == 3  # 100 + 100 + 50, one call each
    # Each page's loaders memoise that page's users, not the organisation's.
    held = [len(loaders.record(USER).cache_map.cache_map) for loaders in made]
    assert held == [100, 100, 50]
    assert [as_line(r) for r in itertools.chain(*pages)] == expected_access(PAGED)


async def test_rows_reach_the_client_before_the_last_page_of_users_is_read() -> None:
    sent: list[tuple[bytes, int]] = []
    async with exporting(PAGED) as exporter:
        log = exporter.log

        requested, finished = asyncio.Event(), asyncio.Event()

        async def receive() -> dict[str, Any]:
            if not requested.is_set():
                requested.set()
                return {"type": "http.request", "body": b"", "more_body": False}
            await finished.wait()  # the client stays until the response ends
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message["headers"])
                assert headers[b"content-disposition"] == b'attachment; filename="access.csv"'
                assert headers[b"content-type"].startswith(b"text/csv")
            if message["type"] == "http.response.body" and message.get("body"):
                sent.append((message["body"], log.counts()["systemusers_list"]))
            if message["type"] == "http.response.body" and not message.get("more_body"):
                finished.set()

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/export/access.csv",
            "raw_path": b"/export/access.csv",
            "query_string": b"",
            "headers": [(b"host", b"gateway.test")],
            "http_version": "1.1",
            "scheme": "http",
            "server": ("gateway.test", 80),
            "client": ("127.0.0.1", 1),
            "root_path": "",
        }
        await exporter.asgi(scope, receive, send)
    header, first_rows = sent[0], sent[1]
    assert header == (",".join(ACCESS_COLUMNS).encode() + b"\r\n", 0)  # before any read
    assert first_rows[1] < 3  # the first page's rows, while pages were still to be read
    assert len(sent) == 1 + 3
    assert sent[-1][1] == 3


# ---- findings -----------------------------------------------------------------------------

FINDINGS = """query($after: String) { findings(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { kind severity summary
    subject { __typename ... on User { jumpcloudId } ... on Admin { jumpcloudId }
      ... on Application { jumpcloudId } ... on System { jumpcloudId } ... on Group { jumpcloudId } }
    target { __typename ... on User { jumpcloudId } ... on Application { jumpcloudId }
      ... on LdapServer { jumpcloudId } ... on RadiusServer { jumpcloudId } ... on System { jumpcloudId } }
    evidence { hops { from { type jumpcloudId } to { type jumpcloudId } } } } } } }"""


def graphql_row(node: dict[str, Any]) -> dict[str, Any]:
    """A finding of the GraphQL API as an export row."""

    def text(path: dict[str, Any]) -> str:
        hops = path["hops"]
        ends = [hops[0]["from"], *(h["to"] for h in hops)]
        return " > ".join(f"{e['type'].lower()}:{e['jumpcloudId']}" for e in ends)

    target = node["target"] or {}
    return {
        "kind": node["kind"],
        "severity": node["severity"],
        "summary": node["summary"],
        "subject_type": node["subject"]["__typename"],
        "subject_id": node["subject"]["jumpcloudId"],
        "target_type": target.get("__typename"),
        "target_id": target.get("jumpcloudId"),
        "evidence": " | ".join(text(p) for p in node["evidence"]),
    }


async def test_findings_rows_equal_the_graphql_findings_in_both_formats() -> None:
    async with gateway(ORG) as gw:
        nodes: list[dict[str, Any]] = []
        after = None
        while True:
            page = (await gw.query(FINDINGS, {"after": after}))["findings"]
            nodes += [e["node"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    async with exporting(ORG) as exporter:
        jsonl = parse_jsonl(await body_of(exporter, "/export/findings.jsonl"))
        header, rows = parse_csv(await body_of(exporter, "/export/findings.csv"))
    assert jsonl == [graphql_row(n) for n in nodes]
    assert len(jsonl) == len(oracle.findings(ORG))
    assert header == list(FINDING_COLUMNS)
    assert rows == [as_cells(r) for r in jsonl]


# ---- HTTP ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/export/access.csv", "/export/access.jsonl", "/export/findings.csv"]
)
async def test_exports_require_a_token_when_tokens_are_configured(path: str) -> None:
    async with exporting(ORG, auth_tokens=("s3cret-token",)) as exporter:
        missing = await exporter.http.get(path)
        wrong = await exporter.http.get(path, headers={"authorization": "Bearer nope"})
        good = await exporter.http.get(path, headers={"authorization": "Bearer s3cret-token"})
    for refused in (missing, wrong):
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        body = refused.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert good.status_code == 200
    assert good.headers["content-disposition"] == f'attachment; filename="{path[8:]}"'


async def test_a_refused_export_reads_nothing_upstream() -> None:
    async with exporting(ORG, auth_tokens=("s3cret-token",)) as exporter:
        await exporter.http.get("/export/access.csv")
        assert exporter.log.total == 0


async def test_an_unknown_export_is_404() -> None:
    async with exporting(ORG) as exporter:
        for path in ("/export/access.xml", "/export/users.csv"):
            response = await exporter.http.get(path)
            assert response.status_code == 404
            assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert exporter.log.total == 0


# ---- the command line ---------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_cli(argv: list[str], stderr: io.StringIO | None = None) -> tuple[int, bytes, str]:
    """`jcgraph export ...` in process, reading ORG from an in-process simulator."""
    store = Store.single(ORG, API_KEY)
    transport = httpx.ASGITransport(app=create_simulator_app(store))
    out, err = io.BytesIO(), stderr if stderr is not None else io.StringIO()
    args = cli.build_parser().parse_args(["export", *argv])
    env = {"JUMPCLOUD_API_KEY": API_KEY, "JUMPCLOUD_BASE_URL": UPSTREAM}
    code = cli_export.export(args, transport, env=env, stdout=out, stderr=err, setup_logging=False)
    return code, out.getvalue(), err.getvalue()


def test_the_cli_writes_the_rows_and_plain_progress_lines_off_a_terminal() -> None:
    code, out, err = run_cli(["access", "--format", "jsonl"])
    assert code == 0, err
    assert [as_line(r) for r in parse_jsonl(out)] == expected_access(ORG)
    rows = len(expected_access(ORG))
    assert err.splitlines() == [
        f"users 60/60, rows {rows}",
        f"jcgraph: {rows} rows, 37 upstream calls",
    ]


def test_the_cli_writes_to_a_file_and_draws_a_bar_on_a_terminal(tmp_path: Path) -> None:
    target = tmp_path / "findings.csv"
    terminal = Terminal()
    code, out, _ = run_cli(["findings", "--output", str(target)], stderr=terminal)
    assert code == 0, terminal.getvalue()
    assert out == b""
    header, rows = parse_csv(target.read_bytes())
    assert header == list(FINDING_COLUMNS)
    assert len(rows) == len(oracle.findings(ORG))
    shown = terminal.getvalue()
    assert "findings export" in shown
    assert f"{len(rows)} rows" in shown


def test_the_cli_names_a_missing_key_and_exits_2() -> None:
    args = cli.build_parser().parse_args(["export", "access"])
    err = io.StringIO()
    assert cli_export.export(args, env={}, stderr=err, setup_logging=False) == 2
    assert "JUMPCLOUD_API_KEY" in err.getvalue()


def test_jcgraph_export_demo_runs_as_a_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "export", "access", "--demo", "--format", "csv"],
        capture_output=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    header, rows = parse_csv(done.stdout)
    assert header == list(ACCESS_COLUMNS)
    assert rows
    assert done.stderr.decode().splitlines()[-1].startswith(f"jcgraph: {len(rows)} rows, ")


# ---- the generator alone ------------------------------------------------------------------


async def test_the_same_generator_serves_both_and_its_chunks_are_whole_lines() -> None:
    async with exporting(ORG) as exporter:
        parts = [c async for c in chunks(Report.ACCESS, Format.JSONL, exporter.services.loaders)]
        served = await body_of(exporter, "/export/access.jsonl")
    assert all(p.endswith(b"\n") for p in parts)
    assert b"".join(parts) == served
