"""One line per GraphQL request on `gateway.request`, as text or one JSON object, redacted."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest

from gateway.observability import JsonFormatter
from gateway.redaction import Redactor
from gateway.settings import Settings, SettingsError
from gateway.simulator.store import OrgSizes, generate_org
from tests.harness import API_KEY, gateway

TOKEN = "gw-token-77aa01"
QUERY = "query Few { users(first: 3) { edges { node { jumpcloudId } } } }"


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "gateway.request"]


async def test_each_request_logs_one_line_with_its_id_operation_and_cost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="gateway.request")
    org = generate_org(OrgSizes(users=5, groups=2, applications=1), seed=3)
    async with gateway(org, auth_tokens=(TOKEN,)) as gw:
        auth = {"authorization": f"Bearer {TOKEN}"}
        first = await gw.post(QUERY, **auth, **{"x-request-id": "req-123"})
        await gw.post(QUERY, **auth)  # from the cache: kept in the response cache
        again = await gw.post(QUERY, **auth, **{"x-request-id": "bad id\t<x>"})
        refused = await gw.post(QUERY)
    assert first.headers["x-request-id"] == "req-123"  # a sane incoming id is kept
    generated = again.headers["x-request-id"]
    assert generated != "bad id\t<x>"
    assert len(generated) == 16
    one, _, two, three = request_lines(caplog)
    document = hashlib.sha256(QUERY.encode()).hexdigest()[:12]
    client = hashlib.sha256(TOKEN.encode()).hexdigest()[:8]
    assert {
        k: vars(one)[k]
        for k in ("request_id", "operation", "document", "status", "replayed", "stale", "client")
    } == {
        "request_id": "req-123",
        "operation": "Few",
        "document": document,
        "status": 200,
        "replayed": False,
        "stale": False,
        "client": client,
    }
    assert one.upstream_calls > 0
    assert (two.request_id, two.replayed, two.upstream_calls) == (generated, True, 0)
    assert (three.status, three.client, refused.status_code) == (401, None, 401)
    text = one.getMessage()
    assert '"POST /graphql HTTP/1.1" 200' in text
    assert f"id=req-123 op=Few doc={document} upstream={one.upstream_calls} " in text
    assert f"replayed=false client={client}" in text
    assert TOKEN not in " ".join(r.getMessage() for r in request_lines(caplog))


def test_json_lines_are_one_object_each_with_fields_and_redaction() -> None:
    record = logging.LogRecord(
        "gateway.request",
        logging.INFO,
        __file__,
        1,
        "for %s with %s",
        ("ana@example.com", API_KEY),
        None,
    )
    record.request_id = "r1"
    record.upstream_calls = 2
    record.operation = "Lookup ana@example.com"
    record.detail = {"key": API_KEY}
    Redactor([API_KEY]).filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "INFO"
    assert parsed["logger"] == "gateway.request"
    assert parsed["time"].endswith("Z")
    assert parsed["request_id"] == "r1"
    assert parsed["upstream_calls"] == 2
    assert "ana@example.com" not in line
    assert API_KEY not in line
    assert parsed["message"].startswith("for email:")


def test_the_log_format_is_text_or_json() -> None:
    env = {"JUMPCLOUD_API_KEY": "k"}
    assert Settings.from_env(env).log_format == "text"
    assert Settings.from_env({**env, "JCGRAPH_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="JCGRAPH_LOG_FORMAT must be text or json"):
        Settings.from_env({**env, "JCGRAPH_LOG_FORMAT": "xml"})
