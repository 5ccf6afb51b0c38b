"""Binding each /graphql and /export request to one organisation, before the app sees it."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.errors import GatewayError, OrgRequired
from gateway.intake import refusal
from gateway.media_types import negotiate
from gateway.metrics import Metrics
from gateway.organisations import Organisations
from gateway.settings import Settings
from gateway.tenancy import ORG_HEADER, Binding, bind


class OrgBinding:
    """Binds each /graphql and /export request to one organisation before the app sees it:
    `scope["state"]` gets `binding` (gateway.tenancy.Binding) and `services` (that
    organisation's, or None when the caller may read several and named none). A header
    naming an organisation the caller may not read is refused here, before any upstream
    call. An unknown or missing token passes through unbound: the endpoint answers 401."""

    def __init__(self, app: ASGIApp, settings: Settings, metrics: Metrics) -> None:
        self._app = app
        self._tenants = settings.tenants
        self._single = None if settings.demo else settings.org_id
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/graphql" or path.startswith("/export/")) or scope["method"] == "OPTIONS":
            await self._app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        organisations: Organisations = state["organisations"]
        headers = Headers(scope=scope)
        header = headers.get(ORG_HEADER)
        try:
            binding = self._bind(headers, header)
        except GatewayError as error:
            await self._refuse(error, scope, receive, send)
            return
        state["binding"] = binding
        state["services"] = (
            organisations.get(binding.org_id)
            if binding.org_id is not None or self._tenants is None
            else None
        )
        await self._app(scope, receive, send)

    def _bind(self, headers: Headers, header: str | None) -> Binding:
        if self._tenants is None:
            single = self._single
            if header is not None and (single is None or header.strip().lower() != single.lower()):
                raise OrgRequired(
                    f"This gateway serves one organisation; {ORG_HEADER} may only name it "
                    "(JUMPCLOUD_ORG_ID), or be left out.",
                    header=ORG_HEADER,
                )
            return Binding(single, (single,) if single else ())
        scheme, _, token = headers.get("authorization", "").partition(" ")
        readable = self._tenants.orgs_of(token) if scheme.lower() == "bearer" and token else ()
        if not readable:
            return Binding(None, ())
        return bind(readable, header)

    async def _refuse(
        self, error: GatewayError, scope: Scope, receive: Receive, send: Send
    ) -> None:
        media = negotiate(Headers(scope=scope).get("accept"))
        status = 403 if error.code == "FORBIDDEN" else 400
        response = refusal(
            error, media, self._metrics, status=status, headers={"cache-control": "no-store"}
        )
        await response(scope, receive, send)
