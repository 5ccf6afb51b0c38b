"""The organisations a gateway serves, each one's client, cache and graph opened on first use."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from gateway.access import AccessGraph
from gateway.cache import TTLCache
from gateway.cache_levels import open_cache
from gateway.cache_store import credential_namespace
from gateway.directory import Directory
from gateway.jumpcloud import (
    Budget,
    ClientConfig,
    JumpCloudClient,
    JumpCloudError,
    RateLimitedError,
    Record,
    SharedLink,
    UpstreamUnavailableError,
)
from gateway.lease import Leases
from gateway.loaders import Loaders
from gateway.metrics import Metrics, Watched
from gateway.request_cost import RequestCost
from gateway.settings import Settings
from gateway.tenancy import Tenant

# Stale entries are served only when JumpCloud is down or throttling, never on a 4xx.
STALE_ON = (UpstreamUnavailableError, RateLimitedError)


@dataclass(frozen=True)
class Services:
    """One organisation's reads: one HTTP client, one cache namespace, one access index."""

    org_id: str | None
    client: JumpCloudClient
    cache: TTLCache
    directory: Directory
    graph: AccessGraph
    budget: Budget
    leases: Leases | None = None

    def loaders(self, cost: RequestCost | None = None, max_age: float | None = None) -> Loaders:
        """A request's loaders; with `cost`, reading through a client and a cache charged
        with it, taking no entry older than `max_age` as fresh (gateway/request_cost.py)."""
        if cost is None:
            return Loaders(self.directory, self.graph)
        directory = self.directory.charging(cost, max_age)
        return Loaders(directory, self.graph.charging(cost, max_age, directory.ids))


def client_config(
    settings: Settings, tenant: Tenant | None = None, org_id: str | None = None
) -> ClientConfig:
    """The client settings for one organisation: the tenant's key, or the single-org
    variables (the embedded demo's with --demo)."""
    if tenant is not None:
        api_key, base_url = tenant.api_key, tenant.base_url or settings.base_url
    elif settings.demo:
        from gateway.demo import DEMO_API_KEY, DEMO_BASE_URL

        api_key, base_url, org_id = DEMO_API_KEY, DEMO_BASE_URL, None
    else:
        api_key, base_url, org_id = settings.api_key or "", settings.base_url, settings.org_id
    return ClientConfig(
        api_key=api_key,
        base_url=base_url,
        org_id=org_id,
        max_concurrency=settings.upstream_concurrency,
        timeout=settings.upstream_timeout,
        retry_attempts=settings.retry_attempts,
        retry_timeout=settings.retry_timeout,
        request_deadline=settings.request_deadline,
        breaker_threshold=settings.breaker_threshold,
        breaker_cool_down=settings.breaker_cool_down,
    )


class Organisations:
    """Every organisation of the deployment, its Services opened when first read.

    Without JCGRAPH_TENANTS there is one, keyed by JUMPCLOUD_ORG_ID (or None). Each has its
    own cache namespace (credential_namespace), upstream budget, lease namespace and access
    index, so nothing read for one is ever served to another."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.AsyncBaseTransport | None,
        metrics: Metrics,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._metrics = metrics
        self._clock = clock
        # Replicas sharing a Redis share one budget, one pause and one load per key.
        self._link = SharedLink.from_url(settings.cache_url)
        self._opened: dict[str | None, Services] = {}
        metrics.watch(self._watched, self.redis_outages)

    @property
    def single(self) -> str | None:
        """The one organisation of a gateway without tenants (None: the key's own)."""
        return None if self._settings.demo else self._settings.org_id

    def get(self, org_id: str | None) -> Services:
        opened = self._opened.get(org_id)
        if opened is None:
            opened = self._opened[org_id] = self._open(org_id)
        return opened

    def opened(self) -> list[Services]:
        return list(self._opened.values())

    def _open(self, org_id: str | None) -> Services:
        settings = self._settings
        tenant = settings.tenants.tenant_of(org_id) if settings.tenants and org_id else None
        config = client_config(settings, tenant, org_id)
        namespace = credential_namespace(config.org_id, config.api_key)
        link = self._link
        budget = Budget(
            rate=settings.upstream_rate, burst=settings.upstream_burst, link=link, key=namespace
        )
        client = JumpCloudClient(config, transport=self._transport, budget=budget)
        leases = (
            Leases(
                link,
                namespace=namespace,
                ttl=settings.cache_lease_ttl,
                max_wait=config.deadline_seconds,
            )
            if link is not None
            else None
        )
        cache = open_cache(
            settings.cache_url,
            namespace=namespace,
            ttl=settings.cache_ttl,
            stale_ttl=settings.cache_stale_ttl,
            stale_on=STALE_ON,
            clock=self._clock,
            negative_ttl=settings.negative_ttl,
            max_entries=settings.cache_max_entries,
            max_bytes=settings.cache_max_bytes,
            stale_scope=client.single_attempt,
            leases=leases,
        )
        directory = Directory(client, cache)
        graph = AccessGraph(
            client,
            cache,
            directory.ids,
            on_index_build=self._metrics.index_built,
            plan=settings.access_plan,
            clock=self._clock,
            window=settings.cache_ttl,
        )
        return Services(org_id, client, cache, directory, graph, budget, leases)

    def _watched(self) -> Iterator[Watched]:
        for s in self.opened():
            yield Watched(
                org=s.org_id or s.client.config.org_id or "default",
                calls=s.client.calls,
                cache=s.cache.stats,
                health=s.client.health(),
                budget_waited=s.budget.waited,
                budget_retaken=s.budget.stalls,
                lease_claims=s.leases.claims if s.leases else 0,
                lease_waits=s.leases.waits if s.leases else 0,
            )

    def redis_outages(self) -> int | None:
        """Times the shared Redis was found down (None: no Redis to share)."""
        return None if self._link is None else self._link.outages

    def _directory(
        self, org_id: str | None, cost: RequestCost | None, max_age: float | None
    ) -> Directory:
        directory = self.get(org_id).directory
        return directory if cost is None else directory.charging(cost, max_age)

    async def records(
        self,
        readable: tuple[str, ...],
        cost: RequestCost | None = None,
        max_age: float | None = None,
    ) -> list[Record]:
        """`_id` and `displayName` of each organisation in `readable` (single-org gateway:
        the key's own), listed once per API key through that key's cache. An organisation the
        listing leaves out, or whose key may not list organisations (the
        `organizations.readonly` scope), is still named, with no display name. With `cost`,
        the reads are charged to it (and fresh within `max_age`)."""
        tenants = self._settings.tenants
        if tenants is None:
            wanted = self.single
            try:
                listed = await self._directory(wanted, cost, max_age).organizations()
            except JumpCloudError:
                if wanted is None:
                    raise  # nothing else says which organisation the key reads
                listed = []
            return [r for r in listed if wanted is None or r.get("_id") == wanted] or (
                [{"_id": wanted, "displayName": None}] if wanted else []
            )
        by_tenant: dict[str, str] = {}
        for org_id in readable:
            by_tenant.setdefault(tenants.tenant_of(org_id).name, org_id)
        listings = await asyncio.gather(
            *(self._directory(o, cost, max_age).organizations() for o in by_tenant.values()),
            return_exceptions=True,
        )
        names: dict[str, Any] = {}
        for listing in listings:
            if isinstance(listing, JumpCloudError):
                continue  # named without a display name
            if isinstance(listing, BaseException):
                raise listing
            names.update((str(r.get("_id")), r.get("displayName")) for r in listing)
        return [{"_id": org_id, "displayName": names.get(org_id)} for org_id in readable]

    async def aclose(self) -> None:
        for services in self.opened():
            await services.client.aclose()
            await services.cache.close()
        if self._link is not None:
            await self._link.aclose()
