"""The JumpCloud client: typed reads of users, groups, apps, admins, roles, servers and edges."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import httpx

from gateway.jumpcloud import errors, responses
from gateway.jumpcloud.accounting import CallLog, Tally
from gateway.jumpcloud.budget import Budget
from gateway.jumpcloud.config import ClientConfig
from gateway.jumpcloud.deadline import deadline, single_attempt
from gateway.jumpcloud.filters import ApiVersion, Filter, Op, SortKey, filter_params
from gateway.jumpcloud.paging import collect, gather_all, inconsistent
from gateway.jumpcloud.read_checks import (
    Params,
    check_id,
    check_relation,
    check_window,
    list_params,
    query_filters,
    window,
)
from gateway.jumpcloud.resources import Envelope, GraphType, Resource
from gateway.jumpcloud.responses import Record
from gateway.jumpcloud.upstream import Health, Upstream


@dataclass(frozen=True)
class Page:
    """One page of a list. `total` is the size of the whole (filtered) collection.

    `total_exact` is False only when JumpCloud sent no count (a v2 list without the
    x-total-count header); `total` is then the lower bound skip + len(records).
    """

    records: list[Record]
    total: int
    total_exact: bool = True


class JumpCloudClient:
    """Reads JumpCloud. One instance per API key, shared across requests; `aclose()` it."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        calls: CallLog | None = None,
        budget: Budget | None = None,
    ) -> None:
        """`budget`: the organisation's rate budget, shared by replicas (budget.py); by
        default one in process from `config`."""
        self.config = config
        self.calls = calls if calls is not None else CallLog()
        self._upstream = Upstream(config, transport, self.calls, budget)
        self._tally: Tally | None = None

    def charging(self, tally: Tally) -> JumpCloudClient:
        """This client, also counting every attempt it makes in `tally`: one request's
        cost. It shares everything else (connections, limits, breaker, call log)."""
        charged = copy.copy(self)
        charged._tally = tally
        return charged

    async def aclose(self) -> None:
        await self._upstream.aclose()

    @contextlib.contextmanager
    def deadline(self) -> Iterator[None]:
        """A scope whose calls, retries and waits all end within `config.deadline_seconds`:
        enter it around one piece of work (a GraphQL request). See deadline.py."""
        with deadline(self.config.deadline_seconds):
            yield

    @contextlib.contextmanager
    def single_attempt(self) -> Iterator[None]:
        """A scope whose calls are each tried once: for a caller with a stale answer in hand."""
        with single_attempt():
            yield

    def health(self) -> Health:
        """The circuit breaker's state and the 429 pace (for metrics)."""
        return self._upstream.health()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def get(self, resource: Resource, id: str) -> Record:
        """One object by id; NotFoundError when it does not exist."""
        endpoint = f"GET {resource.path}/{{id}}"
        if not resource.gettable:
            raise errors.InvalidQueryError(
                f"{resource.name.lower()} have no get-by-id endpoint; "
                "find the record in list_all instead",
                endpoint=endpoint,
            )
        check_id(id, endpoint)
        response = await self._upstream.request(
            "GET", f"{resource.path}/{id}", endpoint, tally=self._tally
        )
        return responses.read_object(response, endpoint)

    async def page(
        self,
        resource: Resource,
        *,
        skip: int = 0,
        limit: int = 100,
        filters: Sequence[Filter] = (),
        sort: Sequence[SortKey] = (),
    ) -> Page:
        """One page; `limit` is always sent, since JumpCloud's default is 10."""
        endpoint = f"GET {resource.path}"
        check_window(skip, limit, endpoint)
        params = list_params(resource, filters, sort, endpoint)
        records, total = await self._list(
            resource.path, resource.envelope, endpoint, [*params, *window(skip, limit)]
        )
        return _page(records, total, skip)

    async def list_all(
        self,
        resource: Resource,
        *,
        filters: Sequence[Filter] = (),
        sort: Sequence[SortKey] = (SortKey("_id"),),
        fields: Sequence[str] = (),
    ) -> list[Record]:
        """Every record: the first page gives the total, the others are fetched concurrently.

        Sorted on the id by default so offset paging neither skips nor repeats records
        (JumpCloud's best practices: page with `skip` only under a sort on a unique field).
        A sort on `_id` or `id` is sent as the resource's own id field: `_id` on v1; `id` on
        v2, whose lists document `sort` over the object's fields (trait_sort_sort) and whose
        objects name their id `id`. Raises
        UpstreamInconsistentError when the pages do not add up to the total or repeat a record.
        """
        endpoint = f"GET {resource.path}"
        params = list_params(resource, filters, sort, endpoint)
        if fields:  # the id field always comes back: the paging check reads it
            wanted = dict.fromkeys([resource.id_field, *fields])
            separator = " " if resource.version is ApiVersion.V1 else ","
            params.append(("fields", separator.join(wanted)))

        async def fetch(skip: int) -> tuple[list[Record], int | None]:
            bounds = window(skip, self.config.page_size)
            return await self._list(resource.path, resource.envelope, endpoint, [*params, *bounds])

        def key(record: Record) -> object:
            return record.get(resource.id_field)

        return await collect(fetch, self.config.page_size, endpoint, key)

    async def organizations(self) -> list[Record]:
        """The organisations the API key administers (`organization_list`): `_id` and
        `displayName`, read without x-org-id, as the key's own (not one organisation's)."""
        return await self.list_all(Resource.ORGANIZATIONS, fields=["displayName"])

    async def users_by_ids(self, ids: Sequence[str]) -> list[Record]:
        """System users by id, in the order asked; ids that do not exist are simply absent."""
        return await self.by_ids(Resource.USERS, ids)

    async def by_ids(self, resource: Resource, ids: Sequence[str]) -> list[Record]:
        """v1 objects by id, in the order asked; ids that do not exist are simply absent.

        One `filter=_id:$in:a|b|...` call per `user_id_batch` ids, the batches concurrently
        (the v1 filter syntax is the same on every v1 list).
        """
        endpoint = f"GET {resource.path}"
        if resource.version is not ApiVersion.V1:
            raise errors.InvalidQueryError(
                f"{resource.name.lower()} is a v2 list, which has no `_id:$in:` filter",
                endpoint=endpoint,
            )
        wanted = list(dict.fromkeys(ids))
        for value in wanted:
            check_id(value, endpoint)
        size = self.config.user_id_batch
        batches = [wanted[i : i + size] for i in range(0, len(wanted), size)]
        pages = await gather_all(self._id_batch(resource, batch, endpoint) for batch in batches)
        found = {r.get("_id"): r for page in pages for r in page}
        return [found[i] for i in wanted if i in found]

    async def graph(
        self,
        source: GraphType,
        source_id: str,
        relation: str,
        *,
        targets: GraphType | None = None,
        filters: Sequence[Filter] = (),
    ) -> list[Record]:
        """Every result of GET /api/v2/{plural(source)}/{id}/{relation}.

        Graph lists take no sort (traversals document none), so the x-total-count total and
        the absence of repeats are checked instead: UpstreamInconsistentError otherwise.
        """
        endpoint = f"GET /api/v2/{source.plural}/{{id}}/{relation}"
        check_relation(source, relation, targets, filters, endpoint)
        check_id(source_id, endpoint)
        params: Params = [("targets", targets.value)] if targets is not None else []
        params += query_filters(filters, ApiVersion.V2, endpoint)
        path = f"/api/v2/{source.plural}/{source_id}/{relation}"

        async def fetch(skip: int) -> tuple[list[Record], int | None]:
            bounds = window(skip, self.config.page_size)
            return await self._list(path, Envelope.BARE, endpoint, [*params, *bounds])

        return await collect(fetch, self.config.page_size, endpoint, _graph_key)

    async def _id_batch(self, resource: Resource, batch: list[str], endpoint: str) -> list[Record]:
        params = filter_params([Filter("_id", Op.IN, batch)], ApiVersion.V1)
        records, total = await self._list(
            resource.path,
            Envelope.RESULTS,
            endpoint,
            [*params, *window(0, len(batch))],
        )
        if total is not None and total > len(records):
            raise inconsistent(endpoint, f"announced {total} records for {len(batch)} ids")
        wanted = set(batch)  # an upstream ignoring the filter must not leak other records in
        return [r for r in records if r.get("_id") in wanted]

    async def _list(
        self, path: str, envelope: Envelope, endpoint: str, params: Params
    ) -> tuple[list[Record], int | None]:
        response = await self._upstream.request(
            "GET", path, endpoint, params=params, tally=self._tally
        )
        return responses.read_list(response, envelope, endpoint)


def _page(records: list[Record], total: int | None, skip: int) -> Page:
    if total is None:
        return Page(records, skip + len(records), total_exact=False)
    return Page(records, total)


def _graph_key(record: Record) -> object:
    """Identity of a graph result: the object (traversals) or the edge's target (connections)."""
    if "id" in record:
        return (record.get("type"), record["id"])
    to = record.get("to")
    return (to.get("type"), to.get("id")) if isinstance(to, dict) else None
