"""Cached reads of JumpCloud records: small collections whole, the large ones by id and by page."""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.cache import MISSING, TTLCache
from gateway.jumpcloud import (
    ApiVersion,
    Filter,
    InvalidQueryError,
    JumpCloudClient,
    Op,
    Page,
    SortKey,
    is_jumpcloud_id,
    validate,
)
from gateway.model import Kind, Listing, Record, record_id
from gateway.request_cost import RequestCost

PAGE = 100


def _filterable(field: str, value: str) -> bool:
    """Whether a v1 filter can express `field` equal to `value`; remembered for values of
    ordinary length (every lookup asks, a warm one included), so the memo stays small."""
    return _filterable_short(field, value) if len(value) <= 320 else _check_filter(field, value)


@functools.lru_cache(maxsize=4_096)
def _filterable_short(field: str, value: str) -> bool:
    return _check_filter(field, value)


def _check_filter(field: str, value: str) -> bool:
    try:
        validate(Filter(field, Op.IN, [value]), ApiVersion.V1)
    except InvalidQueryError:
        return False
    return True


@dataclass(frozen=True)
class Collection:
    """A collection read whole, decoded once: its records in order and by id."""

    records: list[Record]
    by_id: dict[str, Record]

    @classmethod
    def of(cls, raw: Any) -> Collection:
        records = list(raw)
        return cls(records, {record_id(r): r for r in records})


@dataclass(frozen=True)
class IdPage:
    """One page of a listed kind: the ids in order, the value of the first sort key of each
    (where a cursor resumes), and the total JumpCloud counted."""

    ids: list[str]
    total: int
    values: list[Any]

    @classmethod
    def of(cls, raw: Any) -> IdPage:
        ids = list(raw["ids"])
        values = raw.get("values")  # absent from entries cached before it was kept
        return cls(
            ids=ids,
            total=int(raw["total"]),
            values=list(values) if values is not None else [None] * len(ids),
        )


class Directory:
    """Every record read of the gateway, through the shared TTL cache.

    Small collections (groups, applications, admins, roles, servers, system groups) are
    read whole with one paged scan and served by id from it. Users and
    systems are read by id in `$in` batches, or a page at a time for lists, and cached one
    record per key (at most 100 ids a `$in` filter).
    """

    def __init__(self, client: JumpCloudClient, cache: TTLCache) -> None:
        self._client = client
        self._cache = cache

    def charging(self, cost: RequestCost, max_age: float | None = None) -> Directory:
        """This directory as one request reads it: its calls and cache reads charged to
        `cost`, no entry older than `max_age` taken as fresh (see `TTLCache.charging`)."""
        return Directory(
            self._client.charging(cost.upstream), self._cache.charging(cost.cache, max_age)
        )

    @staticmethod
    def _record_key(kind: Kind, object_id: str) -> str:
        return f"record:{kind.name}:{object_id}"

    async def collection(self, kind: Kind) -> list[Record]:
        return (await self.whole(kind)).records

    async def whole(self, kind: Kind) -> Collection:
        """A small collection, with its records by id (decoded once per cache entry)."""
        if not kind.whole:
            raise ValueError(f"{kind.name} is not read whole")

        async def fetch() -> list[Record]:
            return await self._client.list_all(kind.resource)

        found: Collection = await self._cache.load(
            self._whole_key(kind), fetch, decode=Collection.of
        )
        return found

    def whole_in_memory(self, kind: Kind, *, count: bool = True) -> Collection | None:
        """The collection if this process holds it fresh, without awaiting (counted as a
        cache hit unless `count=False`: a look that serves nothing)."""
        found = self._cache.peek_local(self._whole_key(kind), Collection.of, count=count)
        return None if found is MISSING else found

    @staticmethod
    def _whole_key(kind: Kind) -> str:
        return f"collection:{kind.name}"

    async def organizations(self) -> list[Record]:
        """The organisations this API key administers (`_id`, `displayName`)."""

        async def fetch() -> list[Record]:
            return await self._client.organizations()

        found: list[Record] = await self._cache.load("organizations", fetch)
        return found

    async def ids(self, kind: Kind) -> list[str]:
        """Every id of a kind: from its collection, or listed ids alone (`fields`)."""
        if kind.whole:
            return [record_id(r) for r in await self.collection(kind)]

        async def fetch() -> list[str]:
            id_field = kind.resource.id_field
            records = await self._client.list_all(kind.resource, fields=[id_field])
            return [record_id(r) for r in records]

        ids: list[str] = await self._cache.load(f"ids:{kind.name}", fetch)
        return ids

    def records_in_memory(self, kind: Kind, ids: Sequence[str]) -> list[Record | None] | None:
        """Objects of a listed kind by id if this process holds every one fresh, without
        awaiting; else None (a remembered "not found" included: `records` answers that)."""
        return self._cache.peek_local_many([self._record_key(kind, i) for i in ids])

    async def records(self, kind: Kind, ids: Sequence[str]) -> dict[str, Record | BaseException]:
        """Objects of a listed kind by id; ids that do not exist (or cannot be ids) are absent."""
        by_key = {self._record_key(kind, i): i for i in ids if is_jumpcloud_id(i)}

        async def fetch(keys: list[str]) -> dict[str, Record]:
            records = await self._client.by_ids(kind.resource, [by_key[k] for k in keys])
            return {self._record_key(kind, record_id(r)): r for r in records}

        found = await self._cache.load_many(list(by_key), fetch)
        return {by_key[k]: v for k, v in found.items()}

    async def ids_by(
        self, kind: Kind, field: str, values: Sequence[str]
    ) -> dict[str, str | BaseException]:
        """Map unique `field` values (email, username, hostname) to ids; unknown values are
        absent, and so are values no v1 filter can express (checked one by one, so they fail
        nobody else)."""
        if field not in kind.lookups:
            raise ValueError(f"{kind.name} cannot be looked up by {field}")
        by_key = {f"lookup:{kind.name}:{field}:{v}": v for v in values if _filterable(field, v)}

        async def chunk_ids(chunk: list[str]) -> dict[str, str]:
            page = await self._client.page(
                kind.resource,
                limit=100,
                filters=[Filter(field, Op.IN, chunk)],
                sort=[SortKey("_id")],
            )
            await self._remember(kind, page.records)
            return {
                f"lookup:{kind.name}:{field}:{r.get(field)}": record_id(r) for r in page.records
            }

        async def fetch(keys: list[str]) -> dict[str, str]:
            wanted = [by_key[k] for k in keys]
            chunks = [wanted[i : i + 100] for i in range(0, len(wanted), 100)]
            found: dict[str, str] = {}
            for part in await asyncio.gather(*(chunk_ids(c) for c in chunks)):
                found.update(part)
            return found

        found = await self._cache.load_many(list(by_key), fetch)
        return {by_key[k]: v for k, v in found.items()}

    def id_by_in_memory(self, kind: Kind, field: str, value: str) -> str | Any | None:
        """The id holding a unique `field` value (None: none does) if this process holds
        the answer fresh, without awaiting; else MISSING."""
        if field not in kind.lookups or not _filterable(field, value):
            return MISSING  # `ids_by` gives the answer (or the error)
        return self._cache.peek_local(f"lookup:{kind.name}:{field}:{value}")

    async def page(self, listing: Listing) -> IdPage:
        """One page of a listed kind, filtered and sorted by JumpCloud; the records fill the
        cache."""
        kind, skip, sort = listing.kind, listing.skip, listing.sort

        async def read(offset: int, size: int) -> Page:
            return await self._client.page(
                kind.resource, skip=offset, limit=size, filters=listing.filters, sort=sort
            )

        async def fetch() -> dict[str, Any]:
            # JumpCloud pages hold at most 100: a larger window is several
            # pages, read together once the first has told the total.
            first = await read(skip, min(listing.limit, PAGE))
            end = min(skip + listing.limit, first.total)
            rest = await asyncio.gather(
                *(read(o, min(PAGE, end - o)) for o in range(skip + PAGE, end, PAGE))
            )
            records = [r for page in (first, *rest) for r in page.records]
            await self._remember(kind, records)
            key = sort[0].field if sort else "_id"
            return {
                "ids": [record_id(r) for r in records],
                "values": [r.get(key) for r in records],
                "total": first.total,
            }

        found: IdPage = await self._cache.load(self._page_key(listing), fetch, decode=IdPage.of)
        return found

    def page_in_memory(self, listing: Listing) -> IdPage | None:
        """The page if this process holds it fresh, without awaiting."""
        found = self._cache.peek_local(self._page_key(listing), IdPage.of)
        return None if found is MISSING else found

    @staticmethod
    def _page_key(listing: Listing) -> str:
        fingerprint = hashlib.sha256(
            orjson.dumps(
                [
                    listing.skip,
                    listing.limit,
                    [repr(f) for f in listing.filters],
                    [repr(s) for s in listing.sort],
                ]
            )
        ).hexdigest()[:24]
        return f"page:{listing.kind.name}:{fingerprint}"

    async def _remember(self, kind: Kind, records: Sequence[Record]) -> None:
        await self._cache.write_many({self._record_key(kind, record_id(r)): r for r in records})
