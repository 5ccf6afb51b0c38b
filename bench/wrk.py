"""HTTP load with wrk: one GraphQL POST, repeated over keep-alive connections, in req/s."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson


@dataclass(frozen=True)
class Load:
    connections: int = 32
    threads: int = 2
    seconds: int = 10

    def flags(self) -> list[str]:
        return [f"-c{self.connections}", f"-t{self.threads}", f"-d{self.seconds}s"]


def script(body: bytes) -> str:
    """A wrk Lua script POSTing `body` as JSON (a long bracket string needs no escaping)."""
    level = "=" * 4
    assert f"]{level}]" not in body.decode()
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [{level}[{body.decode()}]{level}]\n"
    )


def graphql_body(query: str, variables: dict[str, object]) -> bytes:
    return orjson.dumps({"query": query, "variables": variables})


def requests_per_second(url: str, body: bytes, load: Load) -> float:
    """Run wrk against `url`; fail on any socket error or non-2xx answer."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        lua = Path(tmp) / "post.lua"
        lua.write_text(script(body))
        done = subprocess.run(
            [wrk, *load.flags(), "-s", str(lua), url],
            capture_output=True,
            text=True,
            check=True,
            timeout=load.seconds + 60,
        )
    out = done.stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failures against {url}:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if found is None:
        raise RuntimeError(f"no Requests/sec in wrk's output:\n{out}\n{done.stderr}")
    return float(found.group(1))
