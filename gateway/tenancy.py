"""Which organisations a request may read: JCGRAPH_TENANTS, and binding a request to one org.

A gateway serves one organisation (JUMPCLOUD_API_KEY, JUMPCLOUD_ORG_ID) or, with
JCGRAPH_TENANTS, several: each tenant names its JumpCloud API key (a multi-tenant key may
cover several organisations), its organisation ids and the bearer tokens allowed to read
them. A request is bound to exactly one organisation: the only one its token may read, or
the one its `x-jcgraph-org` header names among those.

    [[tenants]]
    name = "acme"
    api_key_env = "ACME_JUMPCLOUD_API_KEY"   # or api_key = "jca_…"
    org_ids = ["5f0c1b2a3d4e5f6a7b8c9d0e"]
    tokens = ["acme-reader-token"]

The same as JSON: `{"tenants": [{"name": "acme", "api_key_env": …, "org_ids": […],
"tokens": […]}]}`. JCGRAPH_TENANTS holds either text, or the path of a .toml or .json file.
"""

from __future__ import annotations

import hmac
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.errors import Forbidden, OrgRequired

ORG_HEADER = "x-jcgraph-org"
ORG_ID = re.compile(r"[0-9a-f]{24}")
_KEY_CHARS = re.compile(r"[\x21-\x7e]+")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_FIELDS = {"name", "api_key", "api_key_env", "org_ids", "tokens", "base_url"}


class TenantsError(ValueError):
    """JCGRAPH_TENANTS cannot be read; the message names the tenant and field, never a key."""


@dataclass(frozen=True)
class Tenant:
    """One JumpCloud API key, the organisations it reads here, and who may read them."""

    name: str
    api_key: str = field(repr=False)
    org_ids: tuple[str, ...]
    tokens: tuple[str, ...] = field(repr=False)
    base_url: str | None = None


@dataclass(frozen=True)
class Tenants:
    """Every tenant; `orgs_of(token)` is what a bearer token may read."""

    tenants: tuple[Tenant, ...]

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for tenant in self.tenants for t in tenant.tokens))

    @property
    def org_ids(self) -> tuple[str, ...]:
        return tuple(org for tenant in self.tenants for org in tenant.org_ids)

    def tenant_of(self, org_id: str) -> Tenant:
        for tenant in self.tenants:
            if org_id in tenant.org_ids:
                return tenant
        raise KeyError(org_id)

    def orgs_of(self, token: str) -> tuple[str, ...]:
        """The organisations `token` may read, in configuration order (none: unknown token).
        Every token is compared, in constant time, so timing tells nothing of which matched."""
        sent = token.encode()
        orgs: list[str] = []
        for tenant in self.tenants:
            matched = False
            for allowed in tenant.tokens:
                matched |= hmac.compare_digest(sent, allowed.encode())
            if matched:
                orgs += tenant.org_ids
        return tuple(dict.fromkeys(orgs))


@dataclass(frozen=True)
class Binding:
    """The organisation a request reads (None: its token may read several and it named
    none) and every organisation its caller may read."""

    org_id: str | None
    readable: tuple[str, ...]


def bind(readable: tuple[str, ...], header: str | None) -> Binding:
    """Bind a request whose caller may read `readable` to one organisation.

    Raises BAD_USER_INPUT for a header that is not an organisation id, FORBIDDEN for one the
    caller may not read (the same answer whether or not that organisation exists here)."""
    if header is None:
        return Binding(readable[0] if len(readable) == 1 else None, readable)
    org_id = header.strip().lower()
    if not ORG_ID.fullmatch(org_id):
        raise OrgRequired(
            f"The {ORG_HEADER} header must be a JumpCloud organisation id, 24 hexadecimal "
            "characters; `organizations { id }` lists the ones you may read.",
            header=ORG_HEADER,
        )
    if org_id not in readable:
        raise Forbidden(
            f"This token may not read organisation {org_id}; `organizations {{ id }}` lists "
            "the ones it may.",
            header=ORG_HEADER,
        )
    return Binding(org_id, readable)


def unbound_error(readable: tuple[str, ...]) -> OrgRequired:
    """What reading directory data answers when the request named no organisation."""
    return OrgRequired(
        f"This token may read {len(readable)} organisations: send the {ORG_HEADER} header "
        "with one of their ids (`organizations { id name }` lists them).",
        header=ORG_HEADER,
    )


def read_tenants(value: str, env: Mapping[str, str] | None = None) -> Tenants:
    """Parse JCGRAPH_TENANTS: inline JSON (starting with `{`), inline TOML, or the path of a
    .json or .toml file. `env` resolves `api_key_env` (default: the process environment)."""
    env = os.environ if env is None else env
    text, source = value, "JCGRAPH_TENANTS"
    stripped = value.strip()
    if stripped and "\n" not in stripped and not stripped.startswith(("{", "[")):
        path = Path(stripped)
        if not path.is_file():
            raise TenantsError(
                f"JCGRAPH_TENANTS names no readable file ({stripped!r:.200}); give the path of "
                "a .toml or .json file, or the configuration itself"
            )
        text, source = path.read_text(encoding="utf-8"), str(path)
    document = _parse(text, source, json_first=text.lstrip().startswith("{"))
    raw = document.get("tenants")
    if not isinstance(raw, list) or not raw:
        raise TenantsError(f"{source}: give a non-empty list `tenants`")
    tenants = tuple(_tenant(entry, i, env, source) for i, entry in enumerate(raw))
    _check_unique(tenants, source)
    return Tenants(tenants)


def _parse(text: str, source: str, *, json_first: bool) -> dict[str, Any]:
    try:
        document: object = json.loads(text) if json_first else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if json_first else "TOML"
        # The parser's message quotes no value beyond its position: keys stay unquoted.
        raise TenantsError(f"{source} is not valid {kind}: {_position(exc)}") from None
    if not isinstance(document, dict):
        raise TenantsError(f"{source}: the top level must be a table/object with `tenants`")
    return document


def _position(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno} column {exc.colno}: {exc.msg}"
    return str(exc).split("(")[-1].rstrip(")") if "(" in str(exc) else "syntax error"


def _tenant(entry: object, index: int, env: Mapping[str, str], source: str) -> Tenant:
    where = f"{source}: tenant {index + 1}"
    if not isinstance(entry, dict):
        raise TenantsError(f"{where} must be a table/object")
    name = entry.get("name", f"tenant-{index + 1}")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise TenantsError(f"{where}: `name` must be 1-64 letters, digits, '.', '_' or '-'")
    where = f"{source}: tenant {name!r}"
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise TenantsError(f"{where}: unknown field(s) {', '.join(unknown)}")
    api_key = _api_key(entry, env, where)
    org_ids = _strings(entry, "org_ids", where)
    for org_id in org_ids:
        if not ORG_ID.fullmatch(org_id):
            raise TenantsError(
                f"{where}: {org_id!r:.40} in `org_ids` is not an organisation id (24 "
                "lowercase hexadecimal characters)"
            )
    tokens = _strings(entry, "tokens", where)
    if any(len(t) < 16 or not _KEY_CHARS.fullmatch(t) for t in tokens):
        raise TenantsError(
            f"{where}: every token in `tokens` must be at least 16 printable characters "
            "without spaces"
        )
    base_url = entry.get("base_url")
    if base_url is not None and not isinstance(base_url, str):
        raise TenantsError(f"{where}: `base_url` must be a string")
    # Trimmed as JUMPCLOUD_BASE_URL is; gateway.settings_checks checks it is a URL.
    base_url = base_url.strip().rstrip("/") if base_url is not None else None
    return Tenant(name, api_key, org_ids, tokens, base_url)


def _api_key(entry: dict[str, Any], env: Mapping[str, str], where: str) -> str:
    inline, variable = entry.get("api_key"), entry.get("api_key_env")
    if (inline is None) == (variable is None):
        raise TenantsError(f"{where}: give exactly one of `api_key` and `api_key_env`")
    if variable is not None:
        if not isinstance(variable, str) or not variable:
            raise TenantsError(f"{where}: `api_key_env` must name an environment variable")
        inline = env.get(variable)
        if not inline:
            raise TenantsError(f"{where}: the environment variable {variable} is not set")
    if not isinstance(inline, str) or not _KEY_CHARS.fullmatch(inline):
        raise TenantsError(
            f"{where}: the API key must be one word of printable characters (no quotes, "
            "spaces or newline)"
        )
    return inline


def _strings(entry: dict[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = entry.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise TenantsError(f"{where}: `{name}` must be a non-empty list of strings")
    return tuple(dict.fromkeys(value))


def _check_unique(tenants: tuple[Tenant, ...], source: str) -> None:
    names = [t.name for t in tenants]
    if len(set(names)) != len(names):
        raise TenantsError(f"{source}: tenant names must be unique")
    seen: dict[str, Tenant] = {}
    for tenant in tenants:
        for org_id in tenant.org_ids:
            first = seen.setdefault(org_id, tenant)
            if (first.api_key, first.base_url) != (tenant.api_key, tenant.base_url):
                raise TenantsError(
                    f"{source}: organisation {org_id} is listed by tenants {first.name!r} and "
                    f"{tenant.name!r} with different API keys or base URLs; an organisation "
                    "is read with one key (tenants may share a key to give tokens different "
                    "organisations)"
                )
