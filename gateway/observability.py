"""Logging set-up (redacted lines, text or JSON, an access log without query strings, one
line per GraphQL request) and Prometheus metrics (one registry per app, no globals)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import stamina
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.access import IndexBuild
from gateway.cache_levels import CacheStats
from gateway.jumpcloud.accounting import CallLog
from gateway.jumpcloud.breaker import BreakerState
from gateway.jumpcloud.upstream import Health

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class _Configured:
    """What `configure_logging` set up, for the request line to be made clean at source."""

    secrets: tuple[str, ...] = ()


def configure_logging(level: str, *, secrets: Sequence[str] = (), fmt: str = "text") -> None:
    """Called by the CLI only: a library must not configure logging on import.

    Every line goes through the root handler and its `Redactor`: uvicorn is run without a
    logging config of its own (its loggers propagate here) and without its access log
    (`AccessLog` writes one without query strings). `fmt` is `text` or `json` (one JSON
    object a line, `JsonFormatter`)."""
    logging.basicConfig(level=level, format=TEXT_FORMAT)
    # Neither format shows where a line was logged from, nor its thread or process: skip
    # collecting them, as the logging HOWTO's "Optimization" section suggests (the caller's
    # frame walk is a third of a request line's cost).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    redactor = Redactor(secrets)
    _Configured.secrets = redactor.secrets
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
        if fmt == "json":
            handler.setFormatter(JsonFormatter())
    # httpx logs every request URL at INFO, filter values (emails) included; the metrics
    # count upstream requests, and the client logs each retry itself.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLevelNamesMapping()[level]))
    one_line_per_retry()


def one_line_per_retry() -> None:
    """Turn off stamina's default retry hooks: the client logs each retry itself (endpoint,
    status, wait; `gateway.jumpcloud`), and stamina's logging hook would log it a second
    time (`stamina.retry_scheduled`, with the exception's repr), its Prometheus hook count
    it in prometheus_client's global registry, which /metrics does not serve."""
    stamina.instrumentation.set_on_retry_hooks(())


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the record's `extra=` fields,
    and the exception when there is one. It formats what the handler's `Redactor` already
    rewrote, so the same redaction holds in both formats."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _RECORD_ATTRIBUTES and name not in line and name != CLEAN:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return orjson.dumps(line, default=str).decode()

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """ISO 8601 in UTC with milliseconds: `2024-05-01T12:00:00.123Z`."""
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + (
            f".{int(record.msecs):03d}Z"
        )


# An address as is or percent-encoded (`%40`, as in upstream filter URLs); it may start
# right after an encoded separator (`email%3Aana%40example.com`).
_EMAIL = re.compile(
    r"(?:(?<=%[0-9A-Fa-f]{2})|(?<![A-Za-z0-9._%+-]))"
    r"(?:[A-Za-z0-9._+-]|%2[BbDdEe]|%5[Ff])+(?:@|%40)"
    r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_URL_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s@]+@", re.IGNORECASE)
_SECRET_PARAM = re.compile(
    r"(?P<name>[?&;][^=&\s#]*(?:token|key|secret|passw|pwd|signature|auth|session)[^=&\s#]*=)"
    r"[^&\s#]+",
    re.IGNORECASE,
)


def hash_email(email: str) -> str:
    """A stable stand-in for an email in logs: the same address always gives the same
    `email:<12 hex>`, so lines can be correlated without the address."""
    canonical = urllib.parse.unquote(email).strip().lower()
    return "email:" + hashlib.sha256(canonical.encode()).hexdigest()[:12]


def redact_url(url: str) -> str:
    """`url` without the credentials it may carry: user info and secret-looking query
    parameters (`?token=...`, `?api_key=...`)."""
    return _SECRET_PARAM.sub(r"\g<name>***", _URL_USERINFO.sub(r"\g<scheme>***@", url))


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """`text` with secrets, URL credentials and emails (hashed) taken out."""
    for secret in secrets:
        text = text.replace(secret, "***")
    if not _may_hold_credentials(text):
        return text  # every line is redacted: most have nothing the patterns could match
    text = redact_url(text)
    return _EMAIL.sub(lambda m: hash_email(m.group(0)), text)


def _may_hold_credentials(text: str) -> bool:
    """Whether a pattern below could match: an email or URL user info needs `@` (or `%40`),
    a secret parameter `=` after one of `?&;`."""
    return (
        "@" in text
        or "%40" in text
        or ("=" in text and ("?" in text or "&" in text or ";" in text))
    )


_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class Redactor(logging.Filter):
    """A handler filter that rewrites each record before it is formatted: the message
    (arguments merged), the exception text and the stack. On a handler, not a logger: a
    logger's filters do not see records propagated from its children (aiocache, httpx)."""

    def __init__(self, secrets: Sequence[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, CLEAN, False):
            return True  # made clean where it was logged (`log_request`)
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = None
        extras = vars(record).keys() - _RECORD_ATTRIBUTES
        for name in extras:
            value = getattr(record, name)
            if value is None or isinstance(value, bool | int | float):
                continue
            # `extra=` fields: text as is, anything else (a dict, a tuple) as its text, so
            # that no formatter prints an unredacted value.
            text = value if isinstance(value, str) else repr(value)
            setattr(record, name, redact(text, self.secrets))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


CLEAN = "jcgraph_clean"
"""A record attribute: the line was made clean where it was logged (no secret, no email)."""

REQUEST_LOGGED = "jcgraph_request_logged"
"""Set in a request's state by the view once `gateway.request` has its line."""


class AccessLog:
    """ASGI middleware: one INFO line per HTTP request on `gateway.access`, the path
    without its query string (which can carry tokens or emails). GraphQL requests are left
    to the view's own line on `gateway.request` (`log_request`), which starts alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("gateway.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app fails before it responds

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            if not scope.get("state", {}).get(REQUEST_LOGGED):
                self.log.info(
                    '%s "%s %s HTTP/%s" %d %.1fms',
                    remote_of(scope),
                    scope["method"],
                    scope["path"],
                    scope.get("http_version", "1.1"),
                    status,
                    (time.perf_counter() - started) * 1000,
                )


def remote_of(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"


request_log = logging.getLogger("gateway.request")

# What a proxy or client may name its request with (UUIDs, W3C and AWS trace ids); anything
# else (too long, spaces, quotes, an address) is replaced by an id of our own.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")


def request_id(incoming: str | None) -> str:
    """The caller's `x-request-id` if it is a sane token, else a new random one."""
    if incoming is not None and _REQUEST_ID.fullmatch(incoming):
        return incoming
    return os.urandom(8).hex()


def document_hash(document: str) -> str:
    """A GraphQL document's stand-in in logs and spans: the first 12 hex of its sha256 (the
    hash a persisted-query manifest files it under starts alike)."""
    return hashlib.sha256(document.encode()).hexdigest()[:12]


def token_id(token: str) -> str:
    """A bearer token's stand-in: the first 8 hex of its sha256 (`printf %s "$TOKEN" |
    sha256sum | cut -c1-8` finds it), never the token."""
    return hashlib.sha256(token.encode()).hexdigest()[:8]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def log_request(scope: Scope, fields: Mapping[str, Any]) -> None:
    """The one line of a GraphQL request on `gateway.request`: the access log's start, then
    the request's fields compactly (text); in JSON the fields are also keys of their own.

    `fields`: request_id, operation, document, status, duration_ms, upstream_calls,
    cache_hits, stale, replayed, client and, when tracing, trace_id."""
    trace_id = fields.get("trace_id")
    # Clean at source, so the handler's redaction can pass it by: every field is the
    # gateway's own (ids, hashes, counts) but the operation name, which the client chose.
    operation = fields["operation"]
    if operation is not None:
        operation = redact(operation, _Configured.secrets)
    extra = {**fields, "operation": operation, CLEAN: True}
    request_log.info(
        '%s "%s %s HTTP/%s" %d %.1fms id=%s op=%s doc=%s upstream=%d hits=%d stale=%s '
        "replayed=%s client=%s%s",
        remote_of(scope),
        scope["method"],
        scope["path"],
        scope.get("http_version", "1.1"),
        fields["status"],
        fields["duration_ms"],
        fields["request_id"],
        operation or "-",
        fields["document"] or "-",
        fields["upstream_calls"],
        fields["cache_hits"],
        _flag(fields["stale"]),
        _flag(fields["replayed"]),
        fields["client"] or "-",
        f" trace={trace_id}" if trace_id else "",
        extra=extra,
    )


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
