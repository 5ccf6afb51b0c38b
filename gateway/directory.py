"""Cached reads of JumpCloud records: small collections whole, users by id, user pages."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.cache import TTLCache
from gateway.jumpcloud.client import GraphType, JumpCloudClient, Page, Resource, is_jumpcloud_id
from gateway.jumpcloud.errors import InvalidQueryError
from gateway.jumpcloud.filters import ApiVersion, Filter, Op, SortKey, validate

Record = dict[str, Any]
PAGE = 100

SMALL_COLLECTIONS = (
    Resource.GROUPS,
    Resource.APPLICATIONS,
    Resource.ADMINS,
    Resource.ROLES,
    Resource.LDAP_SERVERS,
    Resource.RADIUS_SERVERS,
)
RESOURCE_OF_TYPE = {
    GraphType.USER: Resource.USERS,
    GraphType.USER_GROUP: Resource.GROUPS,
    GraphType.APPLICATION: Resource.APPLICATIONS,
    GraphType.LDAP_SERVER: Resource.LDAP_SERVERS,
    GraphType.RADIUS_SERVER: Resource.RADIUS_SERVERS,
}


def _filterable(field: str, value: str) -> bool:
    try:
        validate(Filter(field, Op.IN, [value]), ApiVersion.V1)
    except InvalidQueryError:
        return False
    return True


def record_id(record: Mapping[str, Any]) -> str:
    """v1 objects carry `_id`, v2 objects `id` (API-NOTES §10)."""
    return str(record.get("_id") or record.get("id"))


@dataclass(frozen=True)
class UserPage:
    ids: list[str]
    total: int


class Directory:
    """Every record read of the gateway, through the shared TTL cache.

    Small collections (groups, applications, admins, roles, servers) are read whole with
    one paged scan and served by id from it (DESIGN §5.1). Users are read by id in `$in`
    batches, or a page at a time for lists, and cached one record per key (§5.2).
    """

    def __init__(self, client: JumpCloudClient, cache: TTLCache) -> None:
        self._client = client
        self._cache = cache

    async def collection(self, resource: Resource) -> list[Record]:
        if resource not in SMALL_COLLECTIONS:
            raise ValueError(f"{resource.name} is not read whole")

        async def fetch() -> list[Record]:
            return await self._client.list_all(resource)

        records: list[Record] = await self._cache.load(f"collection:{resource.name}", fetch)
        return records

    async def users(self, ids: Sequence[str]) -> dict[str, Record | BaseException]:
        """Users by id; ids that do not exist (or cannot be ids) are absent."""
        by_key = {f"user:{i}": i for i in ids if is_jumpcloud_id(i)}

        async def fetch(keys: list[str]) -> dict[str, Record]:
            records = await self._client.users_by_ids([by_key[k] for k in keys])
            return {f"user:{record_id(r)}": r for r in records}

        found = await self._cache.load_many(list(by_key), fetch)
        return {by_key[k]: v for k, v in found.items()}

    async def users_by(self, field: str, values: Sequence[str]) -> dict[str, str | BaseException]:
        """Map `field` values (email, username) to user ids; unknown values are absent, and so
        are values no v1 filter can express (checked one by one, so they fail nobody else)."""
        by_key = {f"user-{field}:{v}": v for v in values if _filterable(field, v)}

        async def chunk_ids(chunk: list[str]) -> dict[str, str]:
            page = await self._client.page(
                Resource.USERS,
                limit=100,
                filters=[Filter(field, Op.IN, chunk)],
                sort=[SortKey("_id")],
            )
            await self._remember(page.records)
            return {f"user-{field}:{r.get(field)}": record_id(r) for r in page.records}

        async def fetch(keys: list[str]) -> dict[str, str]:
            wanted = [by_key[k] for k in keys]
            chunks = [wanted[i : i + 100] for i in range(0, len(wanted), 100)]
            found: dict[str, str] = {}
            for part in await asyncio.gather(*(chunk_ids(c) for c in chunks)):
                found.update(part)
            return found

        found = await self._cache.load_many(list(by_key), fetch)
        return {by_key[k]: v for k, v in found.items()}

    async def user_page(
        self, *, skip: int, limit: int, filters: Sequence[Filter], sort: Sequence[SortKey]
    ) -> UserPage:
        """One page of users, filtered and sorted by JumpCloud; the records fill the cache."""
        fingerprint = hashlib.sha256(
            orjson.dumps([skip, limit, [repr(f) for f in filters], [repr(s) for s in sort]])
        ).hexdigest()[:24]

        async def read(offset: int, size: int) -> Page:
            return await self._client.page(
                Resource.USERS, skip=offset, limit=size, filters=filters, sort=sort
            )

        async def fetch() -> dict[str, Any]:
            # JumpCloud pages hold at most 100 (API-NOTES §3): a larger window is several
            # pages, read together once the first has told the total.
            first = await read(skip, min(limit, PAGE))
            end = min(skip + limit, first.total)
            rest = await asyncio.gather(
                *(read(o, min(PAGE, end - o)) for o in range(skip + PAGE, end, PAGE))
            )
            records = [r for page in (first, *rest) for r in page.records]
            await self._remember(records)
            return {"ids": [record_id(r) for r in records], "total": first.total}

        raw = await self._cache.load(f"user-page:{fingerprint}", fetch)
        return UserPage(ids=list(raw["ids"]), total=int(raw["total"]))

    async def _remember(self, records: Sequence[Record]) -> None:
        await self._cache.write_many({f"user:{record_id(r)}": r for r in records})
