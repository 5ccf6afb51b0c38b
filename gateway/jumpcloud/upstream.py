"""Sending one upstream request: auth headers, concurrency bound, retries, accounting, errors."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import stamina

from gateway import __version__
from gateway.jumpcloud import errors, responses, retry
from gateway.jumpcloud.accounting import CallLog, current_tally
from gateway.jumpcloud.config import ClientConfig

log = logging.getLogger("gateway.jumpcloud")

Params = Sequence[tuple[str, str]]


class Upstream:
    """One httpx.AsyncClient; every request goes through `request`."""

    def __init__(
        self, config: ClientConfig, transport: httpx.AsyncBaseTransport | None, calls: CallLog
    ) -> None:
        self.config = config
        self.calls = calls
        self._secrets = (config.api_key,)
        self._semaphore = asyncio.Semaphore(config.max_concurrency)
        headers = {
            "x-api-key": config.api_key,  # API-NOTES §2
            "accept": "application/json",
            "user-agent": f"jcgraph/{__version__}",
        }
        if config.org_id:
            headers["x-org-id"] = config.org_id
        self._http = httpx.AsyncClient(
            base_url=config.base_url,
            headers=headers,
            timeout=httpx.Timeout(config.timeout),
            transport=transport,
        )
        self._backoff = functools.partial(retry.backoff, retry_after_cap=config.retry_after_cap)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: Params = (),
        json: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """A 2xx response, after retries; otherwise the typed error (see errors.py)."""
        cfg = self.config
        try:
            async for attempt in stamina.retry_context(
                on=self._backoff,
                attempts=cfg.retry_attempts,
                timeout=cfg.retry_timeout,
                wait_initial=cfg.retry_wait_initial,
                wait_max=cfg.retry_wait_max,
                wait_jitter=cfg.retry_wait_jitter,
            ):
                with attempt:
                    response = await self._attempt(
                        method, path, endpoint, params, json, attempt.num, attempt.next_wait
                    )
        except httpx.HTTPStatusError as exc:
            raise responses.error_for(
                exc.response, endpoint, self._secrets, retry_after_cap=cfg.retry_after_cap
            ) from exc
        except httpx.TimeoutException as exc:
            raise errors.UpstreamTimeoutError(
                f"{endpoint} timed out ({_describe(exc)}) after every retry: JumpCloud is "
                f"slow or unreachable; try again later or raise the timeout ({cfg.timeout} s)",
                endpoint=endpoint,
            ) from exc
        except httpx.TransportError as exc:
            raise errors.UpstreamUnavailableError(
                f"{endpoint} could not reach JumpCloud ({_describe(exc)}) after every "
                f"retry; check the network path to {cfg.base_url}",
                endpoint=endpoint,
            ) from exc
        return response

    async def _attempt(
        self,
        method: str,
        path: str,
        endpoint: str,
        params: Params,
        json: Mapping[str, Any] | None,
        num: int,
        next_wait: float,
    ) -> httpx.Response:
        # A tuple: it is covariant, which httpx's parameter type needs.
        request = self._http.build_request(method, path, params=tuple(params), json=json)
        # Held only around the exchange: never while stamina backs off between attempts.
        async with self._semaphore:
            started = time.perf_counter()
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                self._account(method, endpoint, 0, time.perf_counter() - started)
                # Same type, so the retry policy still sees a transport error, but with a
                # scrubbed message: stamina's own retry log prints the exception it retries.
                clean = type(exc)(errors.redact(str(exc), self._secrets), request=request)
                self._log_retry(clean, endpoint, type(exc).__name__, num, next_wait)
                raise clean from None
        self._account(method, endpoint, response.status_code, time.perf_counter() - started)
        if response.is_success:
            return response
        failure = httpx.HTTPStatusError(
            f"{endpoint} answered {response.status_code}", request=request, response=response
        )
        self._log_retry(failure, endpoint, str(response.status_code), num, next_wait)
        raise failure

    def _account(self, method: str, endpoint: str, status: int, elapsed: float) -> None:
        self.calls.record(method, endpoint, status, elapsed)
        tally = current_tally.get()
        if tally is not None:
            tally.add(endpoint)

    def _log_retry(
        self, exc: Exception, endpoint: str, what: str, num: int, next_wait: float
    ) -> None:
        """One WARNING per retry that will happen: endpoint, status, wait; never the key."""
        decision = self._backoff(exc)
        if decision is False or num >= self.config.retry_attempts:
            return
        if decision is True:
            jitter = self.config.retry_wait_jitter
            wait = f"{next_wait:.2f}-{next_wait + jitter:.2f} s (exponential backoff)"
        else:
            wait = f"{decision:.2f} s (Retry-After)"
        log.warning(
            "upstream %s failed with %s on attempt %d of %d; retrying in %s",
            endpoint,
            what,
            num,
            self.config.retry_attempts,
            wait,
            extra={"endpoint": endpoint, "upstream_status": what, "attempt": num},
        )


def _describe(exc: Exception) -> str:
    """The exception's type and (already scrubbed) message, shortened for an error message."""
    text = str(exc)
    return f"{type(exc).__name__}: {text:.120}" if text else type(exc).__name__
