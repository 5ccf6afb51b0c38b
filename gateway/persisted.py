"""Persisted documents: Apollo's automatic persisted queries and a trusted-documents manifest.

A request may name its document by SHA-256 instead of (or beside) sending it, in Apollo's
protocol: `extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}`, in a
POSTed JSON body or, JSON-encoded, in a GET's `extensions` parameter. `resolve_body` and
`resolve_query_string` turn such a request into a plain one (the document in `query`, the
`persistedQuery` extension gone) before anything else reads it, so the lean path, Strawberry's
pipeline and the response cache see an ordinary request, and every document is parsed,
validated and cost-limited as if it had been sent in full.

    automatic (default)   hash only: the stored document, or 200 PERSISTED_QUERY_NOT_FOUND
                          (the client then sends hash and document); hash and document: the
                          hash must be the document's (else 400 BAD_REQUEST), it is stored
                          (an LRU bounded by documents and bytes) and run
    trusted (a manifest)  only documents in the manifest run, named by hash or sent in full;
                          anything else is 400 PERSISTED_QUERY_NOT_ALLOWED, and nothing is
                          stored
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import Receive, Scope

from gateway.errors import BadRequest, RequestRefused
from gateway.intake import replay

_SHA256 = re.compile(r"[0-9a-f]{64}")
DEFAULT_MAX_DOCUMENTS = 1_000
DEFAULT_MAX_BYTES = 4 * 1024 * 1024


class PersistedQueryNotFound(RequestRefused):
    """Apollo's "send the document too": status 200, as Apollo's clients expect."""

    code = "PERSISTED_QUERY_NOT_FOUND"
    status = 200


class PersistedQueryNotAllowed(RequestRefused):
    """Trusted documents only, and this is not one of them."""

    code = "PERSISTED_QUERY_NOT_ALLOWED"
    status = 400


class ManifestError(ValueError):
    """The trusted-documents manifest cannot be read or is not {sha256: document}."""


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def read_manifest(path: str | Path) -> dict[str, str]:
    """A manifest: a JSON object mapping each document's SHA-256 (lowercase hex) to the
    document; every hash is checked against its document."""
    try:
        raw = orjson.loads(Path(path).read_bytes())
    except OSError as exc:
        raise ManifestError(f"cannot be read ({exc.strerror or exc})") from None
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"is not JSON ({exc})") from None
    if not isinstance(raw, dict) or not all(isinstance(d, str) for d in raw.values()):
        raise ManifestError("must be a JSON object mapping SHA-256 hashes to documents")
    wrong = [h for h, document in raw.items() if h != sha256_hex(document)]
    if wrong:
        raise ManifestError(
            f"holds {len(wrong)} hash(es) that are not the SHA-256 of their document "
            f"(first: {wrong[0]!r:.80}); regenerate it with `jcgraph manifest`"
        )
    return raw


def build_manifest(paths: Iterable[Path]) -> dict[str, str]:
    """{sha256: document} for each file, its text exactly as a client sends it."""
    documents = (path.read_text(encoding="utf-8") for path in sorted(paths))
    return {sha256_hex(document): document for document in documents}


class DocumentStore:
    """Documents by hash: an LRU bounded by documents and by bytes of document text."""

    def __init__(
        self, *, max_documents: int = DEFAULT_MAX_DOCUMENTS, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self._documents: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0
        self._max_documents = max_documents
        self._max_bytes = max_bytes

    def __len__(self) -> int:
        return len(self._documents)

    def get(self, digest: str) -> str | None:
        document = self._documents.get(digest)
        if document is not None:
            self._documents.move_to_end(digest)
        return document

    def put(self, digest: str, document: str) -> None:
        size = len(document.encode())
        if digest in self._documents or size > self._max_bytes:
            self.get(digest)
            return
        self._documents[digest] = document
        self._bytes += size
        while len(self._documents) > self._max_documents or self._bytes > self._max_bytes:
            _, oldest = self._documents.popitem(last=False)
            self._bytes -= len(oldest.encode())


class PersistedDocuments:
    """Resolves persisted-query requests into plain ones; with `trusted`, refuses every
    document not in it."""

    def __init__(
        self, *, trusted: Mapping[str, str] | None = None, store: DocumentStore | None = None
    ) -> None:
        self._trusted = trusted
        self._store = store or DocumentStore()

    def resolve(
        self, scope: Scope, receive: Receive, replayed: Receive, sent: bytes
    ) -> tuple[Scope, Receive, bytes]:
        """The request with its persisted document resolved into a plain one (the body or
        query string rewritten), or as it came (`replayed` replays what was read from
        `receive`) when it names none."""
        if scope["method"] == "POST":
            body = self.resolve_body(sent)
            if body is None:
                return scope, replayed, sent
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            return {**scope, "headers": headers}, replay(body, receive), body
        query_string = self.resolve_query_string(sent)
        if query_string is None:
            return scope, replayed, sent
        return {**scope, "query_string": query_string}, replayed, query_string

    def resolve_body(self, body: bytes) -> bytes | None:
        """The body to run instead of a POSTed one; None to run it as sent (no persisted
        query in it, or not a JSON object at all, which the view refuses as always)."""
        if self._trusted is None and b"persistedQuery" not in body:
            return None  # the common case, without parsing the body twice
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict):
            return None
        resolved = self._resolve(payload)
        return None if resolved is None else orjson.dumps(resolved)

    def resolve_query_string(self, query_string: bytes) -> bytes | None:
        """The query string to run instead of a GET's (Apollo's GET form: `query`,
        `variables`, `operationName`, `extensions`, JSON-encoded); None to run it as sent."""
        params = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
        payload: dict[str, Any] = {k: v for k, v in params.items() if k != "extensions"}
        if "extensions" in params:
            try:
                payload["extensions"] = orjson.loads(params["extensions"])
            except orjson.JSONDecodeError:
                raise BadRequest("The `extensions` parameter is not JSON.") from None
        if "query" not in payload and "extensions" not in payload:
            return None  # not an operation: the GraphiQL page
        resolved = self._resolve(payload)
        if resolved is None:
            return None
        if "extensions" in resolved:
            resolved["extensions"] = orjson.dumps(resolved["extensions"]).decode()
        return urlencode(resolved).encode()

    def _resolve(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        extensions = payload.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        query = payload.get("query")
        if persisted is None:
            if self._trusted is not None and isinstance(query, str):
                self._trusted_document(sha256_hex(query))
            return None
        digest = _digest(persisted)
        if query is None:
            document = (
                self._trusted_document(digest)
                if self._trusted is not None
                else self._stored(digest)
            )
        elif isinstance(query, str):
            if sha256_hex(query) != digest:
                raise BadRequest(
                    "provided sha does not match query: `persistedQuery.sha256Hash` must be "
                    "the SHA-256 (lowercase hex) of the UTF-8 `query` text."
                )
            if self._trusted is not None:
                self._trusted_document(digest)
            else:
                self._store.put(digest, query)
            document = query
        else:
            raise BadRequest("The GraphQL operation's `query` must be a string.")
        assert isinstance(extensions, dict)
        rest = {k: v for k, v in extensions.items() if k != "persistedQuery"}
        resolved = {k: v for k, v in payload.items() if k not in ("query", "extensions")}
        resolved["query"] = document
        if rest:
            resolved["extensions"] = rest
        return resolved

    def _stored(self, digest: str) -> str:
        document = self._store.get(digest)
        if document is None:
            raise PersistedQueryNotFound("PersistedQueryNotFound")
        return document

    def _trusted_document(self, digest: str) -> str:
        assert self._trusted is not None
        document = self._trusted.get(digest)
        if document is None:
            raise PersistedQueryNotAllowed(
                "This gateway runs only trusted documents (JCGRAPH_TRUSTED_DOCUMENTS), and "
                "this is not one of them; add it to the manifest.",
            )
        return document


def _digest(persisted: object) -> str:
    """The hash a `persistedQuery` extension names, once it is known to be version 1."""
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise BadRequest(
            "Unsupported persisted query version: send "
            '`extensions.persistedQuery` as {"version": 1, "sha256Hash": "<hex>"}.'
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest.lower()):
        raise BadRequest(
            "`persistedQuery.sha256Hash` must be a SHA-256 hash: 64 hexadecimal characters."
        )
    return digest.lower()
