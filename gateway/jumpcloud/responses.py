"""Reading JumpCloud responses: JSON bodies, list envelopes, totals, and typed errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import orjson

from gateway.jumpcloud import errors
from gateway.jumpcloud.resources import Envelope
from gateway.jumpcloud.retry import parse_retry_after

Record = dict[str, Any]
"""A JumpCloud object as its API returns it (decoded JSON)."""

_KEY_HINT = (
    "check the API key: JumpCloud keys begin with 'jca_', API access is off by default for "
    "an admin, and keys can expire; multi-tenant admins must also set the org id"
)


def _upstream_message(response: httpx.Response, secrets: Sequence[str]) -> str:
    """JumpCloud's `message` (or `error`) from its documented Error body, else the body's text."""
    try:
        body = orjson.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        text = body.get("message") or body.get("error")
        if isinstance(text, str):
            return errors.quote_upstream(text, secrets)
    return errors.quote_upstream(response.text, secrets) if response.content else ""


def error_for(
    response: httpx.Response, endpoint: str, secrets: Sequence[str], *, retry_after_cap: float
) -> errors.JumpCloudError:
    """The typed error for a non-success response (after any retries)."""
    status = response.status_code
    said = _upstream_message(response, secrets)
    said = f' (JumpCloud said: "{said}")' if said else ""
    where = f"{endpoint} answered {status}{said}"
    if status == 401:
        return errors.AuthenticationError(f"{where}: {_KEY_HINT}", status=status, endpoint=endpoint)
    if status == 403:
        return errors.PermissionDeniedError(
            f"{where}: the key's administrator role lacks the scope this read needs "
            "(JumpCloud names each operation's scopes), or the x-org-id header is not allowed here",
            status=status,
            endpoint=endpoint,
        )
    if status == 404 and "{" not in endpoint:
        return errors.UpstreamMisconfiguredError(
            f"{where}: a collection JumpCloud always has is missing, so the client is "
            "misconfigured: the base URL must be the console host without /api, "
            "and an org id must name an organisation the key manages",
            status=status,
            endpoint=endpoint,
        )
    if status == 404:
        return errors.NotFoundError(
            f"{where}: no such object in this organisation", status=status, endpoint=endpoint
        )
    if status == 400:
        return errors.BadRequestError(
            f"{where}: JumpCloud refused the query; check filter fields and values",
            status=status,
            endpoint=endpoint,
        )
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"), cap=retry_after_cap)
        return errors.RateLimitedError(
            f"{where} after every retry: JumpCloud is rate limiting this key; "
            "try again later or lower the client's max_concurrency",
            status=status,
            endpoint=endpoint,
            retry_after=retry_after,
        )
    if status >= 500:
        return errors.UpstreamUnavailableError(
            f"{where} after every retry: JumpCloud is failing; try again later",
            status=status,
            endpoint=endpoint,
        )
    return errors.JumpCloudError(
        f"{where}: unexpected status for a read", status=status, endpoint=endpoint
    )


def decode(response: httpx.Response, endpoint: str) -> Any:
    # orjson: decoding 10,000 full user records is most of the client's own CPU time.
    try:
        return orjson.loads(response.content)
    except ValueError as exc:
        raise errors.UpstreamUnavailableError(
            f"{endpoint} answered {response.status_code} with a body that is not JSON; "
            "JumpCloud or a proxy in between is misbehaving, try again later",
            status=response.status_code,
            endpoint=endpoint,
        ) from exc


def _malformed(endpoint: str, status: int, what: str) -> errors.UpstreamUnavailableError:
    return errors.UpstreamUnavailableError(
        f"{endpoint} answered {status} with {what}; the upstream shape changed or a proxy "
        "rewrote it",
        status=status,
        endpoint=endpoint,
    )


def _records(value: Any, endpoint: str, status: int) -> list[Record]:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise _malformed(endpoint, status, "a result list that is not a list of objects")
    return value


def _count(value: Any, endpoint: str, status: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _malformed(endpoint, status, f"a total count that is not a count ({value!r:.40})")
    return value


def read_object(response: httpx.Response, endpoint: str) -> Record:
    body = decode(response, endpoint)
    if not isinstance(body, dict):
        raise _malformed(endpoint, response.status_code, "a body that is not an object")
    return body


def read_list(
    response: httpx.Response, envelope: Envelope, endpoint: str
) -> tuple[list[Record], int | None]:
    """Records and total of one page. The total is None when JumpCloud sent none.

    v1 and roles_list carry `totalCount` in the body; v2 lists carry the total in the
    x-total-count response header, which no spec declares and only JumpCloud's own client
    code confirms: its PowerShell module (Get-JCResults.ps1) prefers the header when present.
    """
    status = response.status_code
    body = decode(response, endpoint)
    header = response.headers.get("x-total-count")
    total: int | None = None
    if header is not None:
        if not header.strip().isdigit():
            raise _malformed(endpoint, status, "an x-total-count header that is not a count")
        total = int(header)
    if envelope is Envelope.BARE:
        return _records(body, endpoint, status), total
    if not isinstance(body, dict) or "results" not in body:
        raise _malformed(endpoint, status, "a body without the documented `results` list")
    records = _records(body["results"], endpoint, status)
    if total is None and "totalCount" in body:
        total = _count(body["totalCount"], endpoint, status)
    return records, total
