"""Sending one upstream request: auth headers, concurrency bound, retries, accounting, errors.

Every attempt passes, in order: the circuit breaker (breaker.py), the 429 pause (outside the
concurrency slot), the slot, the learned pace (throttle.py), the organisation's rate budget
and the pause other replicas shared (budget.py), then the exchange, bounded by
the per-attempt timeout. The whole request, retries and waits included, ends by the
current deadline (deadline.py).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import stamina

from gateway import __version__
from gateway.jumpcloud import errors, failures, retry
from gateway.jumpcloud.accounting import CallLog, Tally
from gateway.jumpcloud.breaker import BreakerState, CircuitBreaker
from gateway.jumpcloud.budget import Budget
from gateway.jumpcloud.config import ClientConfig
from gateway.jumpcloud.deadline import current_deadline, retries_allowed
from gateway.jumpcloud.retrying import Retrying, decide, loop_time
from gateway.jumpcloud.spans import current_upstream_tracer
from gateway.jumpcloud.throttle import Pace, RateGate

log = logging.getLogger("gateway.jumpcloud")

Params = Sequence[tuple[str, str]]

# Read for the API key, not one organisation: their specs list no x-org-id parameter, and
# JumpCloud's PowerShell module leaves the header out for them.
KEY_LEVEL_PATHS = ("/api/organizations", "/api/v2/organizations/", "/api/v2/providers/")


@dataclass(frozen=True)
class Health:
    """How the way to JumpCloud stands (read by the metrics at scrape time)."""

    breaker: BreakerState
    breaker_opened: int
    pace: Pace


class Upstream:
    """One httpx.AsyncClient; every request goes through `request`."""

    def __init__(
        self,
        config: ClientConfig,
        transport: httpx.AsyncBaseTransport | None,
        calls: CallLog,
        budget: Budget | None = None,
    ) -> None:
        self.config = config
        self.calls = calls
        self._secrets = (config.api_key,)
        self._misconfigured = False
        """A misconfiguration was logged (it is logged once, then only raised)."""
        self._semaphore = asyncio.Semaphore(config.max_concurrency)
        self.breaker = CircuitBreaker(
            threshold=config.breaker_threshold,
            cool_down=config.breaker_cool_down,
            clock=loop_time,
        )
        self.gate = RateGate(backoff_cap=config.retry_after_cap)
        self.budget = (
            budget
            if budget is not None
            else Budget(rate=config.upstream_rate, burst=config.upstream_burst)
        )
        headers = {
            "x-api-key": config.api_key,  # JumpCloud's API key header
            "accept": "application/json",
            "user-agent": f"jcgraph/{__version__}",
        }
        self._org_id = config.org_id
        self._http = httpx.AsyncClient(
            base_url=config.base_url,
            headers=headers,
            timeout=httpx.Timeout(config.timeout),
            transport=transport,
        )
        self._backoff = functools.partial(retry.backoff, retry_after_cap=config.retry_after_cap)

    async def aclose(self) -> None:
        await self._http.aclose()

    def health(self) -> Health:
        return Health(self.breaker.state, self.breaker.opened, self.gate.pace())

    async def request(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: Params = (),
        json: Mapping[str, Any] | None = None,
        tally: Tally | None = None,
    ) -> httpx.Response:
        """A 2xx response, after retries; otherwise the typed error (see errors.py). Every
        attempt is recorded in the call log, and in `tally` when given."""
        state = Retrying(
            attempts=self.config.retry_attempts if retries_allowed() else 1, tally=tally
        )
        # Built once, sent by every attempt. A tuple: it is covariant, which httpx's
        # parameter type needs.
        request = self._http.build_request(method, path, params=tuple(params), json=json)
        if self._org_id and not path.startswith(KEY_LEVEL_PATHS):
            request.headers["x-org-id"] = self._org_id
        tracer = current_upstream_tracer.get()
        if tracer is None:
            return await self._send(request, endpoint, state)
        span = state.span = tracer.start(method, endpoint)
        try:
            span.inject(request.headers)
            response = await self._send(request, endpoint, state)
        except BaseException as exc:
            span.end(state.status, max(state.num - 1, 0), exc)
            raise
        span.end(state.status, max(state.num - 1, 0), None)
        return response

    async def _send(self, request: httpx.Request, endpoint: str, state: Retrying) -> httpx.Response:
        cfg = self.config
        at = current_deadline()
        try:
            async with asyncio.timeout_at(at):
                async for attempt in stamina.retry_context(
                    on=functools.partial(
                        decide, state, self._backoff, cfg.retry_wait_jitter, endpoint, at
                    ),
                    attempts=state.attempts,
                    timeout=cfg.retry_timeout,
                    wait_initial=cfg.retry_wait_initial,
                    wait_max=cfg.retry_wait_max,
                    wait_jitter=cfg.retry_wait_jitter,
                ):
                    with attempt:
                        state.num, state.next_wait = attempt.num, attempt.next_wait
                        response = await self._attempt(request, endpoint, state)
        except TimeoutError:  # the deadline, while waiting or sending
            self._failed(state)
            raise failures.deadline_error(
                endpoint, self.gate.pause_left(), state.rate_limited
            ) from None
        except httpx.HTTPError as exc:
            self._failed(state)
            raise self._error(endpoint, exc) from exc
        return response

    def _failed(self, state: Retrying) -> None:
        """A request that failed for good counts once towards opening the breaker: a blip
        that a retry cures, even on many concurrent requests, does not open it."""
        if state.failing:
            self.breaker.failed()

    def _error(self, endpoint: str, exc: httpx.HTTPError) -> errors.JumpCloudError:
        """The typed error for the exception that ended the retries."""
        error = failures.exception_error(endpoint, exc, self.config, self._secrets)
        if isinstance(error, errors.UpstreamMisconfiguredError) and not self._misconfigured:
            self._misconfigured = True  # once: every later read would say the same
            log.error("%s", error.message, extra={"endpoint": endpoint})
        return error

    async def _attempt(
        self, request: httpx.Request, endpoint: str, state: Retrying
    ) -> httpx.Response:
        at = current_deadline()
        probe = self.breaker.admit(endpoint)
        state.failing = False
        try:
            while True:
                await self.gate.wait_pause(at, endpoint)
                # Held only around the exchange and the pace: never during a pause or backoff.
                async with self._semaphore:
                    if not await self.gate.wait_turn(at, endpoint):
                        continue  # a 429 paused the client meanwhile
                    # Last before the send, so requests reach JumpCloud as the budget spaced them.
                    shared_pause = await self.budget.take(at, endpoint)
                    if shared_pause > 0:
                        self.gate.hold(shared_pause)  # another replica's 429
                        continue
                    state.failing = True  # until an answer says otherwise
                    response = await self._exchange(request, endpoint, state.tally)
                    state.status = response.status_code
                    break
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError) and (at is None or loop_time() < at):
                state.failing = False  # the caller gave up: no word on JumpCloud's health
            if probe and state.failing:
                self.breaker.failed()  # the probe's failure reopens at once
            else:
                self.breaker.abandoned(probe)  # refused by the gate, or cancelled
            raise
        state.failing = response.status_code >= 500
        if not state.failing:
            self.breaker.succeeded()
        elif probe:
            self.breaker.failed()
        if response.is_success:
            return response
        raise httpx.HTTPStatusError(
            f"{endpoint} answered {response.status_code}", request=request, response=response
        )

    async def _exchange(
        self, request: httpx.Request, endpoint: str, tally: Tally | None
    ) -> httpx.Response:
        """One send, within the per-attempt timeout (the in-process transport has none)."""
        method = request.method
        cfg = self.config
        sent_at, started = loop_time(), time.perf_counter()
        try:
            async with asyncio.timeout(cfg.timeout):
                response = await self._http.send(request)
        except asyncio.CancelledError:  # the deadline, or the caller gave up: still a call
            self._account(method, endpoint, 0, time.perf_counter() - started, tally)
            raise
        except TimeoutError:
            self._account(method, endpoint, 0, time.perf_counter() - started, tally)
            raise httpx.TimeoutException(
                f"no answer within {cfg.timeout:g} s", request=request
            ) from None
        except httpx.TransportError as exc:
            self._account(method, endpoint, 0, time.perf_counter() - started, tally)
            # Same type, so the retry policy still sees a transport error, but with a
            # scrubbed message: stamina's own retry log prints the exception it retries.
            raise type(exc)(errors.redact(str(exc), self._secrets), request=request) from None
        self._account(method, endpoint, response.status_code, time.perf_counter() - started, tally)
        retry_after = None
        if response.status_code == 429:
            retry_after = retry.parse_retry_after(
                response.headers.get("retry-after"), cap=cfg.retry_after_cap
            )
        self.gate.answered(sent_at, response.status_code, retry_after)
        if response.status_code == 429:
            await self.budget.share_pause(self.gate.pause_left())
        return response

    def _account(
        self, method: str, endpoint: str, status: int, elapsed: float, tally: Tally | None
    ) -> None:
        self.calls.record(method, endpoint, status, elapsed)
        if tally is not None:
            tally.add(endpoint)
