"""Whole responses kept exactly as long as recomputing them would give the same bytes.

A GraphQL response computed only from fresh cache entries, with no upstream call, no
stale entry and no error, is a pure function of those entries and of the request (the
organisation and credential, the document, its variables and operation name). It is kept
until the earliest moment one of those entries stops being fresh: until then,
executing the request again would read the same entries and return the same bytes. Anything
that read through JumpCloud, an error or a stale entry is never kept.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from gateway.request_cost import COST_HEADER, RequestCost


@dataclass(frozen=True)
class Kept:
    body: bytes
    expires_at: float

    @property
    def size(self) -> int:
        """What keeping it costs in memory: the body, and the entry around it (the key, this
        object, the LRU's slot), so the byte bound tracks the process's memory."""
        return len(self.body) + ENTRY_OVERHEAD


ENTRY_OVERHEAD = 256  # bytes: a 32-byte key, this object and its dict slot, measured ~230


class ResponseCache:
    """An in-process LRU of response bodies, bounded by entries and bytes."""

    def __init__(
        self,
        *,
        max_entries: int = 5_000,
        max_bytes: int = 64 * 1024 * 1024,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._items: OrderedDict[bytes, Kept] = OrderedDict()
        self._bytes = 0
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._clock = clock
        self.hits = 0
        self.kept = 0

    @staticmethod
    def key(namespace: str, method: str, request: bytes) -> bytes:
        """The organisation and credential (`namespace`), then the request as sent: the
        document, its variables and operation name, byte for byte."""
        return hashlib.sha256(b"\0".join((namespace.encode(), method.encode(), request))).digest()

    def get(self, key: bytes) -> bytes | None:
        kept = self._items.get(key)
        if kept is None:
            return None
        if self._clock() >= kept.expires_at:
            self._drop(key)
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return kept.body

    def key_for(self, request: Request, sent: bytes) -> bytes | None:
        """The key of a request's response, or None when it must run: the caller asked
        what it costs, it is not an operation (the GraphiQL page), or it is bound to no
        organisation. Per organisation, and per the set of organisations the caller may
        read, which `organizations` answers with."""
        if request.headers.get(COST_HEADER):
            return None
        if request.method == "GET" and "query" not in request.query_params:
            return None
        services = request.state.services
        if services is None:
            return None
        readable = ",".join(request.state.binding.readable)
        return self.key(f"{services.cache.namespace}|{readable}", request.method, sent)

    def keep_if_fresh(self, key: bytes, request: Request, response: Response) -> None:
        """Keep a clean 200 computed only from fresh cache entries (no upstream call, no
        miss, nothing stale), until the first of them expires."""
        context = getattr(request.state, "jcgraph_context", None)
        if (
            context is None
            or response.status_code != 200
            or not getattr(request.state, "jcgraph_clean", False)
        ):
            return
        cost: RequestCost = context.cost
        cache = cost.cache
        if cost.upstream.calls or cache.misses or cache.stale or cache.expires_at is None:
            return
        self.keep(key, bytes(response.body), cache.expires_at)

    def keep(self, key: bytes, body: bytes, expires_at: float) -> None:
        if expires_at <= self._clock() or len(body) + ENTRY_OVERHEAD > self._max_bytes:
            return
        self._drop(key)
        # A copy of exactly len(body) bytes: orjson.dumps returns bytes whose allocation
        # is its whole output buffer (4 KiB at least, 32 KiB for a 3 KB body), which
        # `bytes(body)` would return as is, so the byte bound would count a tenth of what
        # is held.
        kept = self._items[key] = Kept(bytes(memoryview(body)), expires_at)
        self._bytes += kept.size
        self.kept += 1
        while len(self._items) > self._max_entries or self._bytes > self._max_bytes:
            _, oldest = self._items.popitem(last=False)
            self._bytes -= oldest.size

    def clear(self) -> None:
        """Forget every response: entries were re-read before they expired (a fresh read,
        gateway.freshness), so responses computed from their earlier values are not what
        recomputing gives any more."""
        self._items.clear()
        self._bytes = 0

    def _drop(self, key: bytes) -> None:
        kept = self._items.pop(key, None)
        if kept is not None:
            self._bytes -= kept.size
