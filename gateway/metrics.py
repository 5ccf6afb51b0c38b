"""Prometheus metrics: one registry per app, no globals, organisations read at scrape time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from gateway.cache_levels import CacheStats
from gateway.index_build import IndexBuild
from gateway.jumpcloud import BreakerState, CallLog, Health


@dataclass(frozen=True)
class Watched:
    """One organisation's readings, taken at scrape time."""

    org: str
    calls: CallLog
    cache: CacheStats
    health: Health
    budget_waited: float = 0.0
    budget_retaken: int = 0
    lease_claims: int = 0
    lease_waits: int = 0


_BREAKER_LEVEL = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


class _OrgCollector(Collector):
    """Reads every organisation's call log, cache counters, circuit breaker and 429 pace at
    scrape time, each series labelled with its organisation (`default` for the one
    organisation of a gateway without JUMPCLOUD_ORG_ID)."""

    def __init__(
        self, watched: Callable[[], Iterable[Watched]], outages: Callable[[], int | None]
    ) -> None:
        self._watched = watched
        self._outages = outages

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        orgs = list(self._watched())
        upstream = CounterMetricFamily(
            "jcgraph_upstream_requests",
            "Requests sent to JumpCloud (every attempt, retries included).",
            labels=["endpoint", "status", "org"],
        )
        cache = CounterMetricFamily(
            "jcgraph_cache_lookups", "Cache lookups by outcome.", labels=["outcome", "org"]
        )
        errors = CounterMetricFamily(
            "jcgraph_cache_backend_errors",
            "Cache backend reads or writes that failed.",
            labels=["org"],
        )
        evictions = CounterMetricFamily(
            "jcgraph_cache_evictions",
            "In-memory cache entries evicted to stay within its entry and byte bounds.",
            labels=["org"],
        )
        size = GaugeMetricFamily(
            "jcgraph_cache_memory",
            "In-memory cache size (bytes: keys and JSON).",
            labels=["unit", "org"],
        )
        state = GaugeMetricFamily(
            "jcgraph_upstream_circuit_state",
            "JumpCloud circuit breaker: 0 closed, 1 half-open, 2 open.",
            labels=["org"],
        )
        opened = CounterMetricFamily(
            "jcgraph_upstream_circuit_opened", "Times the circuit breaker opened.", labels=["org"]
        )
        pauses = CounterMetricFamily(
            "jcgraph_upstream_rate_limit_pauses",
            "429s that paused every request of the client.",
            labels=["org"],
        )
        rate = GaugeMetricFamily(
            "jcgraph_upstream_paced_rate",
            "Requests a second let through since JumpCloud's last 429 (0: not paced).",
            labels=["org"],
        )
        waited = CounterMetricFamily(
            "jcgraph_upstream_budget_wait_seconds",
            "Seconds requests waited for their turn in the upstream budget "
            "(JCGRAPH_UPSTREAM_RATE).",
            labels=["org"],
        )
        retaken = CounterMetricFamily(
            "jcgraph_upstream_budget_retaken_turns",
            "Budget turns this replica reached late (its event loop busy past them) and took "
            "again, so that late requests do not leave together.",
            labels=["org"],
        )
        leases = CounterMetricFamily(
            "jcgraph_cache_leases",
            "Shared-cache misses by what the replica did: claimed a lease to load, or waited "
            "for another replica's load.",
            labels=["outcome", "org"],
        )
        for w in orgs:
            waited.add_metric([w.org], w.budget_waited)
            retaken.add_metric([w.org], w.budget_retaken)
            leases.add_metric(["claimed", w.org], w.lease_claims)
            leases.add_metric(["waited", w.org], w.lease_waits)
            for (endpoint, status), count in sorted(w.calls.counts().items()):
                upstream.add_metric([endpoint, str(status), w.org], count)
            stats = w.cache
            cache.add_metric(["hit", w.org], stats.hits)
            cache.add_metric(["miss", w.org], stats.misses)
            cache.add_metric(["stale", w.org], stats.stale_served)
            cache.add_metric(["coalesced", w.org], stats.coalesced)
            cache.add_metric(["negative", w.org], stats.negative_hits)  # a remembered 404
            errors.add_metric([w.org], stats.backend_errors)
            evictions.add_metric([w.org], stats.evictions)
            size.add_metric(["entries", w.org], stats.memory_entries)
            size.add_metric(["bytes", w.org], stats.memory_bytes)
            health = w.health
            state.add_metric([w.org], _BREAKER_LEVEL[health.breaker])
            opened.add_metric([w.org], health.breaker_opened)
            pauses.add_metric([w.org], health.pace.pauses)
            rate.add_metric([w.org], health.pace.rate or 0)
        yield from (upstream, cache, errors, evictions, size, state, opened, pauses, rate)
        yield from (waited, retaken, leases)
        outages = self._outages()
        if outages is not None:
            redis = CounterMetricFamily(
                "jcgraph_shared_redis_outages",
                "Times the shared Redis stopped answering (replicas then lease, budget and "
                "pause in process until it answers again).",
            )
            redis.add_metric([], outages)
            yield redis


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "jcgraph_graphql_request_seconds",
            "GraphQL request latency.",
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.request_upstream_calls = Histogram(
            "jcgraph_graphql_request_upstream_calls",
            "Upstream calls made on behalf of one GraphQL request.",
            registry=self.registry,
            buckets=(0, 1, 2, 5, 10, 25, 50, 100, 250, 1000),
        )
        self.errors = Counter(
            "jcgraph_graphql_errors", "GraphQL errors by code.", ["code"], registry=self.registry
        )
        self.index_builds = Counter(
            "jcgraph_index_builds", "Access index builds.", ["relation"], registry=self.registry
        )
        self.responses_replayed = Counter(
            "jcgraph_responses_replayed",
            "Responses served from the response cache (computed earlier from the same fresh "
            "cache entries).",
            registry=self.registry,
        )
        self.fresh_reads = Counter(
            "jcgraph_fresh_reads",
            "Requests asking for fresh data (Cache-Control), by outcome: served, refused "
            "(rate limit) or ignored (a caller not allowed to ask).",
            ["outcome"],
            registry=self.registry,
        )
        self.index_build_calls = Counter(
            "jcgraph_index_build_upstream_calls",
            "Upstream calls spent building access indexes.",
            ["relation"],
            registry=self.registry,
        )

    def watch(
        self, watched: Callable[[], Iterable[Watched]], outages: Callable[[], int | None]
    ) -> None:
        """Export, at scrape time, the readings of every organisation `watched` returns and
        the shared Redis's outages (None: no Redis)."""
        self.registry.register(_OrgCollector(watched, outages))

    def index_built(self, build: IndexBuild) -> None:
        self.index_builds.labels(build.relation).inc()
        self.index_build_calls.labels(build.relation).inc(build.upstream_calls)
