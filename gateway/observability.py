"""Logging set-up and Prometheus metrics (one registry per app, no globals)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from gateway.access import IndexBuild
from gateway.cache import CacheStats
from gateway.jumpcloud.accounting import CallLog


def configure_logging(level: str) -> None:
    """Called by the CLI only: a library must not configure logging on import."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # httpx logs every request URL at INFO, filter values (emails) included; the metrics
    # count upstream requests, and the client logs each retry itself.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLevelNamesMapping()[level]))


class _StatsCollector(Collector):
    """Reads the client's call log and the cache's counters at scrape time."""

    def __init__(self, calls: Callable[[], CallLog], cache: Callable[[], CacheStats]) -> None:
        self._calls = calls
        self._cache = cache

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        upstream = CounterMetricFamily(
            "jcgraph_upstream_requests",
            "Requests sent to JumpCloud (every attempt, retries included).",
            labels=["endpoint", "status"],
        )
        for (endpoint, status), count in sorted(self._calls().counts().items()):
            upstream.add_metric([endpoint, str(status)], count)
        yield upstream
        stats = self._cache()
        cache = CounterMetricFamily(
            "jcgraph_cache_lookups", "Cache lookups by outcome.", labels=["outcome"]
        )
        cache.add_metric(["hit"], stats.hits)
        cache.add_metric(["miss"], stats.misses)
        cache.add_metric(["stale"], stats.stale_served)
        cache.add_metric(["coalesced"], stats.coalesced)
        yield cache
        errors = CounterMetricFamily(
            "jcgraph_cache_backend_errors", "Cache backend reads or writes that failed."
        )
        errors.add_metric([], stats.backend_errors)
        yield errors


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
        self.index_build_calls = Counter(
            "jcgraph_index_build_upstream_calls",
            "Upstream calls spent building access indexes.",
            ["relation"],
            registry=self.registry,
        )

    def watch(self, calls: Callable[[], CallLog], cache: Callable[[], CacheStats]) -> None:
        self.registry.register(_StatsCollector(calls, cache))

    def index_built(self, build: IndexBuild) -> None:
        self.index_builds.labels(build.relation).inc()
        self.index_build_calls.labels(build.relation).inc(build.upstream_calls)
