"""The checks against JumpCloud: the region of the base URL, and what a failed probe means.

Each failure JumpCloud answers is explained as a Finding naming the variable to fix.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from gateway.doctor_findings import Finding, Level
from gateway.jumpcloud import (
    AuthenticationError,
    BadRequestError,
    ClientConfig,
    JumpCloudClient,
    JumpCloudError,
    PermissionDeniedError,
    RateLimitedError,
    Resource,
    UpstreamMisconfiguredError,
    deadline,
    single_attempt,
)
from gateway.redaction import redact_url
from gateway.settings import Settings

# Console hosts by region, the servers JumpCloud's V1 and V2 API references list.
CONSOLE_HOSTS = {
    "console.jumpcloud.com": "US",
    "console.eu.jumpcloud.com": "EU",
    "console.in.jumpcloud.com": "IN",
}
# Directory Insights hosts: a different API, a common wrong base URL.
INSIGHTS_HOSTS = {"api.jumpcloud.com", "api.eu.jumpcloud.com", "api.in.jumpcloud.com"}
REGIONS = "https://console.jumpcloud.com, https://console.eu.jumpcloud.com or https://console.in.jumpcloud.com"


async def probe(client: JumpCloudClient, seconds: float) -> JumpCloudError | None:
    """One attempt at the smallest list the gateway reads (one user), bounded by `seconds`:
    None when JumpCloud answered it, else the typed error."""
    with deadline(seconds), single_attempt():
        try:
            await client.page(Resource.USERS, limit=1)
        except JumpCloudError as exc:
            return exc
    return None


def check_region(settings: Settings) -> list[Finding]:
    host = urlsplit(settings.base_url).hostname or ""
    if host in INSIGHTS_HOSTS:
        return [
            Finding(
                "base url",
                Level.FAIL,
                f"JUMPCLOUD_BASE_URL points at {host}, the Directory Insights API, "
                "not the console API",
                f"set JUMPCLOUD_BASE_URL to the console host of your region: {REGIONS}",
            )
        ]
    region = CONSOLE_HOSTS.get(host)
    if region is None:
        return [
            Finding(
                "region",
                Level.OK,
                f"{host} is not a JumpCloud console host (a proxy or a simulator); "
                "no region to check",
            )
        ]
    return [Finding("region", Level.OK, f"{host}: the {region} region's console")]


def _config(settings: Settings, *, org: bool = True) -> ClientConfig:
    return ClientConfig(
        api_key=settings.api_key or "",
        base_url=settings.base_url,
        org_id=settings.org_id if org else None,
        timeout=settings.upstream_timeout,
        retry_attempts=1,
    )


async def _probe(
    settings: Settings, transport: httpx.AsyncBaseTransport | None, *, org: bool = True
) -> JumpCloudError | None:
    async with JumpCloudClient(_config(settings, org=org), transport=transport) as client:
        return await probe(client, settings.upstream_timeout)


async def check_upstream(
    settings: Settings, transport: httpx.AsyncBaseTransport | None
) -> list[Finding]:
    base = redact_url(settings.base_url)
    error = await _probe(settings, transport)
    if error is None:
        org = f"JUMPCLOUD_ORG_ID={settings.org_id}" if settings.org_id else "no JUMPCLOUD_ORG_ID"
        return [
            Finding("base url", Level.OK, f"{base} answers the list endpoints"),
            Finding("api key", Level.OK, "JumpCloud accepted JUMPCLOUD_API_KEY"),
            Finding("organization", Level.OK, f"{org}: JumpCloud picked the organisation"),
        ]
    if isinstance(error, UpstreamMisconfiguredError) and settings.org_id:
        # 404 is both "no such path" and "organization id not found": the same list
        # without x-org-id tells them apart.
        bare = await _probe(settings, transport, org=False)
        if not isinstance(bare, UpstreamMisconfiguredError):
            return [
                Finding("base url", Level.OK, f"{base} answers the list endpoints"),
                Finding(
                    "organization",
                    Level.FAIL,
                    f"JumpCloud knows no organisation JUMPCLOUD_ORG_ID={settings.org_id} for "
                    f"this key ({error.endpoint} answered 404 with it, not without it)",
                    "set JUMPCLOUD_ORG_ID to the id of an organisation this administrator "
                    "manages (GET /api/organizations with this key lists them)",
                ),
            ]
    return [_failure(error, settings)]


def _failure(error: JumpCloudError, settings: Settings) -> Finding:
    base = redact_url(settings.base_url)
    parts = urlsplit(settings.base_url)
    if isinstance(error, UpstreamMisconfiguredError):
        if parts.path.strip("/"):
            fix = (
                f"set JUMPCLOUD_BASE_URL={parts.scheme}://{parts.netloc} (without "
                f"{parts.path}): the gateway adds /api and /api/v2 itself"
            )
        else:
            fix = f"set JUMPCLOUD_BASE_URL to the console host of your region: {REGIONS}"
        if settings.org_id:
            fix += "; if it is right, check JUMPCLOUD_ORG_ID"
        return Finding(
            "base url",
            Level.FAIL,
            f"{error.endpoint} answered 404 at JUMPCLOUD_BASE_URL={base}: "
            "JumpCloud's list endpoints are not there",
            fix,
        )
    if isinstance(error, AuthenticationError):
        return _rejected(error, settings)
    if isinstance(error, PermissionDeniedError):
        return Finding(
            "api key",
            Level.WARN,
            f"JumpCloud accepted JUMPCLOUD_API_KEY but its administrator may not list users "
            f"({error.endpoint} answered 403)",
            "give the administrator a role with the users.readonly scope (JumpCloud's API "
            "reference names it for GET /api/systemusers); reads of users will fail until then",
        )
    if isinstance(error, BadRequestError) and settings.org_id:
        return Finding(
            "organization",
            Level.FAIL,
            f"JumpCloud refused JUMPCLOUD_ORG_ID={settings.org_id} ({error.endpoint} answered "
            "400, which JumpCloud documents for a malformed x-org-id)",
            "set JUMPCLOUD_ORG_ID to the organisation's id as the console shows it",
        )
    if isinstance(error, RateLimitedError):
        return Finding(
            "jumpcloud",
            Level.FAIL,
            f"JumpCloud is rate limiting this key ({error.endpoint}); the key was not checked",
            "wait and run `jcgraph doctor` again; other clients of this key share its budget",
        )
    return Finding(
        "jumpcloud",
        Level.FAIL,
        f"JumpCloud at {base} did not answer: {error.message}",
        "check DNS, proxy and firewall on the way to that host; if JumpCloud is only "
        "briefly down, the gateway serves cached data meanwhile",
    )


def _rejected(error: JumpCloudError, settings: Settings) -> Finding:
    if "organization" in error.message.lower() and not settings.org_id:
        # "no organization selected" is the body reported for a key that needs x-org-id;
        # 401 is the status JumpCloud documents for it.
        return Finding(
            "organization",
            Level.FAIL,
            f"the key is a multi-tenant administrator's and JUMPCLOUD_ORG_ID is not set "
            f"({error.endpoint} answered 401: no organization selected)",
            "set JUMPCLOUD_ORG_ID to the id of the organisation to serve (24 hex characters; "
            "GET /api/organizations with this key lists them)",
        )
    hints = [
        "check JUMPCLOUD_API_KEY: API access is off by default for an administrator and keys "
        "can expire"
    ]
    if settings.api_key and not settings.api_key.startswith("jca_"):
        hints.append("JumpCloud keys begin with 'jca_' and this one does not")
    if not settings.org_id:
        hints.append("a multi-tenant administrator's key also needs JUMPCLOUD_ORG_ID")
    host = urlsplit(settings.base_url).hostname or ""
    if host in CONSOLE_HOSTS:
        # The reference names the regional consoles but not what a key from another
        # region is answered there; a 401 is our inference, so this is only a hint.
        others = ", ".join(f"https://{h}" for h in CONSOLE_HOSTS if h != host)
        hints.append(
            f"an organisation in another region is served by its own console ({others}): "
            "set JUMPCLOUD_BASE_URL to it"
        )
    return Finding(
        "api key",
        Level.FAIL,
        f"JumpCloud rejected JUMPCLOUD_API_KEY ({error.endpoint} answered 401)",
        "; ".join(hints),
    )
