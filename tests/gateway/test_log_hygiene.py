"""No log line shows an email, the API key, a bearer token or a URL's credentials, at any
level: every record goes through the root handler's Redactor, as `jcgraph serve` sets up."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from gateway.redaction import Redactor, hash_email, redact, redact_url
from gateway.simulator.store import OrgSizes, generate_org
from tests.harness import API_KEY, gateway
from tests.processes import free_port, healthy, stop

TOKEN = "gw-token-5e1f0c"
UNKNOWN = "nobody.here+probe@example.org"


class Lines(logging.Handler):
    """Formats every record it is given, as a production handler would."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logged() -> Iterator[tuple[Lines, Lines]]:
    """(redacted lines, raw lines) of every record at DEBUG while the test runs."""
    root = logging.getLogger()
    redacted, raw = Lines(), Lines()
    redacted.addFilter(Redactor([API_KEY, TOKEN]))
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(raw)  # first: the Redactor rewrites the records it passes
    root.addHandler(redacted)
    try:
        yield redacted, raw
    finally:
        root.removeHandler(redacted)
        root.removeHandler(raw)
        root.setLevel(level)


def leaks(lines: list[str], secrets: list[str]) -> list[str]:
    """Lines that show a secret, as is or URL-encoded (emails travel in filter URLs)."""
    forms = {f.lower() for s in secrets for f in (s, quote(s), quote(s, safe=""))}
    return [line for line in lines if any(f in line.lower() for f in forms)]


@pytest.mark.parametrize(
    "cache_url", ["memory://", pytest.param("redis://127.0.0.1:6379/0", marks=pytest.mark.redis)]
)
async def test_a_representative_run_logs_no_email_and_no_secret(
    logged: tuple[Lines, Lines], cache_url: str
) -> None:
    org = generate_org(OrgSizes(users=12, groups=3, applications=2), seed=17)
    emails = [u["email"] for u in org.users.values()]
    known = emails[:3]
    by_email = "query($e: String!) { user(email: $e) { jumpcloudId email groups { totalCount } } }"
    store_key = f"{API_KEY}_{uuid.uuid4().hex}"  # a Redis namespace of its own
    async with gateway(org, store_key=store_key, cache_url=cache_url, auth_tokens=(TOKEN,)) as gw:
        auth = {"authorization": f"Bearer {TOKEN}"}
        for email in [*known, UNKNOWN, known[0]]:  # hits, a miss, a cached hit
            await gw.post(by_email, {"e": email}, **auth)
        await gw.post("{ users(first: 20) { edges { node { email } } } }", **auth)
        await gw.post(by_email, {"e": UNKNOWN})  # no token: refused
        await gw.post('{ user(email: "x@y.example", username: "u") { id } }', **auth)
        gw.faults.burst(100, status=503, route="/api/systemusers")
        failed = await gw.post(by_email, {"e": emails[5]}, **auth)
        gw.faults.burst(100, status=503, route="/api/search/systemusers")
        await gw.post(by_email, {"e": emails[6]}, **auth)
    redacted, raw = logged
    assert failed.json()["data"]["user"] is None  # the errors were logged, not hidden
    assert redacted.lines, "the run logged nothing: it exercises no logging path"
    assert leaks(redacted.lines, [*emails, UNKNOWN, "x@y.example", store_key, TOKEN]) == []
    assert leaks(raw.lines, [store_key, TOKEN]) == []  # secrets are never even handed over
    # Emails did reach log records (upstream URLs, cache keys): the filter took them out.
    assert leaks(raw.lines, [*emails, UNKNOWN])
    assert any(hash_email(e) in line for e in [*emails, UNKNOWN] for line in redacted.lines)


def test_the_redactor_takes_secrets_out_of_every_part_of_a_record() -> None:
    redactor = Redactor(["k3y"])
    try:
        raise RuntimeError("lookup of ana@example.com failed with k3y")
    except RuntimeError:
        record = logging.LogRecord(
            "aiocache.base",
            logging.DEBUG,
            __file__,
            1,
            "GET %s %s",
            ("ns:email:ana@example.com", True),
            sys.exc_info(),
        )
    record.endpoint = "GET /api/search?filter=email:$eq:ana%40example.com"
    redactor.filter(record)
    line = logging.Formatter("%(message)s %(endpoint)s").format(record)
    assert "ana" not in line.lower()
    assert "k3y" not in line
    assert line.count(hash_email("ana@example.com")) >= 3  # message, extra, traceback


def test_emails_hash_to_the_same_short_stand_in_however_written() -> None:
    assert hash_email("Ana@Example.com") == hash_email("ana%40example.com")
    assert hash_email("ana@example.com").startswith("email:")
    assert len(hash_email("ana@example.com")) == len("email:") + 12
    assert redact("to bo+x@example.co.uk and ana@example.com") == (
        f"to {hash_email('bo+x@example.co.uk')} and {hash_email('ana@example.com')}"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://console.jumpcloud.com", "https://console.jumpcloud.com"),
        ("https://admin:pa55@jc.example.com/api", "https://***@jc.example.com/api"),
        ("redis://:s3cret@cache:6379/0", "redis://***@cache:6379/0"),
        ("https://jc.example.com/?token=abc&x=1", "https://jc.example.com/?token=***&x=1"),
        ("https://jc.example.com/a?api_key=abc", "https://jc.example.com/a?api_key=***"),
    ],
)
def test_urls_lose_their_credentials(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_serve_logs_no_credentials_and_no_query_strings(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "JUMPCLOUD_API_KEY": "jca_serve_key_0d9c8b",
        "JUMPCLOUD_BASE_URL": "https://admin:pa55word@jumpcloud.invalid/?token=t0k3n",
        "JCGRAPH_LOG_LEVEL": "DEBUG",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
        )
    try:
        ready = healthy(f"http://127.0.0.1:{port}/healthz")
        for _ in range(400):  # up to 20 s to start
            if ready(log):
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.05)
                pytest.fail(f"serve exited {process.returncode}:\n{log.read_text()}")
        assert ready(log), log.read_text()
        answer = httpx.get(
            f"http://127.0.0.1:{port}/graphql",
            params={"query": "{ __typename }", "token": "q5ecret", "email": "ana@example.com"},
        )
    finally:
        stop(process)
    text = log.read_text()
    assert answer.json() == {"data": {"__typename": "Query"}}
    assert "jcgraph: serving https://***@jumpcloud.invalid/?token=***" in text
    for secret in ("pa55word", "t0k3n", "jca_serve_key_0d9c8b", "q5ecret", "ana@example.com"):
        assert secret not in text, secret
    assert '"GET /graphql HTTP/1.1" 200' in text  # the access log, path only
