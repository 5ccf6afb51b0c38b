"""The anchor: the benches' operations in plain graphql-core over an org's records as dicts.

What a lean hand-written server does with the data already in memory: an SDL subset of the
gateway's schema (`user(email)`, `users(first, after)`, a user's `groups`), trivial sync
resolvers over the simulator's own records, the parsed and validated document cached,
`execute_sync`, orjson. Its cursors are offsets of its own: the benches compare answers
without cursors (bench.worker.digest).

Served on its own (`python -m bench.anchor --users N --groups G --applications A --seed S
--port P`) it runs on uvicorn exactly as `jcgraph serve` does (one worker, uvicorn's `auto`
loop and HTTP implementation, no access log).
"""

from __future__ import annotations

import argparse
import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    execute_sync,
    parse,
    validate,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.simulator.store import Org, OrgSizes, generate_org

Record = dict[str, Any]

SDL = """
type Query {
  user(email: String): User
  users(first: Int, after: String): UserConnection!
}
enum UserState { ACTIVATED SUSPENDED STAGED }
type User {
  jumpcloudId: ID!
  username: String!
  email: String!
  firstname: String
  lastname: String
  displayName: String
  state: UserState!
  department: String
  groups(first: Int, after: String): GroupConnection!
}
type Group { jumpcloudId: ID! name: String! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type UserEdge { cursor: String! node: User! }
type UserConnection { edges: [UserEdge!]! pageInfo: PageInfo! totalCount: Int! }
type GroupEdge { cursor: String! node: Group! }
type GroupConnection { edges: [GroupEdge!]! pageInfo: PageInfo! totalCount: Int! }
"""


@dataclass(frozen=True)
class Records:
    """The org's records as the simulator holds them, indexed as a hand-written server would."""

    users: list[Record]
    by_email: dict[str, Record]
    groups_of: dict[str, list[Record]]

    @classmethod
    def of(cls, org: Org) -> Records:
        users = sorted(org.users.values(), key=lambda u: str(u["_id"]))
        groups_of: dict[str, list[Record]] = {}
        for user_id, group_id in sorted(org.memberships, key=lambda m: (m[0], m[1])):
            groups_of.setdefault(user_id, []).append(org.groups[group_id])
        return cls(users, {str(u["email"]): u for u in users}, groups_of)


def cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:{offset}".encode()).decode()


def window(items: Sequence[Record], first: int | None, after: str | None) -> dict[str, Any]:
    offset = int(base64.b64decode(after).decode().partition(":")[2]) + 1 if after else 0
    page = items[offset : offset + (100 if first is None else first)]
    return {
        "edges": [{"cursor": cursor(offset + i), "node": n} for i, n in enumerate(page)],
        "pageInfo": {
            "hasNextPage": offset + len(page) < len(items),
            "endCursor": cursor(offset + len(page) - 1) if page else None,
        },
        "totalCount": len(items),
    }


def display_name(user: Record, _: Any) -> str | None:
    names = " ".join(str(p) for p in (user.get("firstname"), user.get("lastname")) if p)
    return user.get("displayname") or names or None


def build_anchor_schema() -> GraphQLSchema:
    schema = build_schema(SDL)

    def fields(type_name: str) -> dict[str, GraphQLField]:
        named = schema.type_map[type_name]
        assert isinstance(named, GraphQLObjectType)
        found: dict[str, GraphQLField] = named.fields  # a cached_property, typed Any
        return found

    query, user, group = fields("Query"), fields("User"), fields("Group")
    query["user"].resolve = lambda records, _, email=None: records.by_email.get(email)
    query["users"].resolve = lambda records, _, first=None, after=None: window(
        records.users, first, after
    )
    user["jumpcloudId"].resolve = lambda u, _: u["_id"]
    user["displayName"].resolve = display_name
    user["state"].resolve = lambda u, _: u.get("state") or "ACTIVATED"
    user["groups"].resolve = lambda u, info, first=None, after=None: window(
        info.root_value.groups_of.get(u["_id"], ()), first, after
    )
    group["jumpcloudId"].resolve = lambda g, _: g["id"]
    return schema


class Anchor:
    """Executes documents against `Records`; each document is parsed and validated once."""

    def __init__(self, org: Org) -> None:
        self.schema = build_anchor_schema()
        self.records = Records.of(org)
        self._documents: dict[str, DocumentNode] = {}

    def document(self, query: str) -> DocumentNode:
        document = self._documents.get(query)
        if document is None:
            document = parse(query)
            errors = validate(self.schema, document)
            if errors:
                raise ValueError(f"anchor cannot run {query!r}: {errors}")
            self._documents[query] = document
        return document

    def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        result = execute_sync(
            self.schema, self.document(query), self.records, variable_values=variables
        )
        if result.errors:
            return {"data": result.data, "errors": [e.formatted for e in result.errors]}
        return {"data": result.data}

    def respond(self, body: bytes) -> bytes:
        """A POST body in, a JSON response out, as the HTTP server sends it."""
        request = orjson.loads(body)
        return orjson.dumps(self.execute(request["query"], request.get("variables")))


def create_anchor_app(anchor: Anchor) -> Starlette:
    async def graphql(request: Request) -> Response:
        return Response(anchor.respond(await request.body()), media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)]
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the graphql-core anchor over an org.")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--groups", type=int, required=True)
    parser.add_argument("--applications", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    sizes = OrgSizes(users=args.users, groups=args.groups, applications=args.applications)
    app = create_anchor_app(Anchor(generate_org(sizes, seed=args.seed)))
    # The arguments `jcgraph serve` passes (gateway/cli.py): same loop, same HTTP parser.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        log_config=None,
        access_log=False,
        workers=1,
    )


if __name__ == "__main__":
    main()
