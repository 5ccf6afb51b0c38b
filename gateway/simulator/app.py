"""The simulator as a Starlette app: auth, tenancy, faults, logging, then the handlers."""

from __future__ import annotations

import logging
import re

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from gateway.simulator import routes
from gateway.simulator.faults import Faults
from gateway.simulator.log import LoggedRequest, RequestLog
from gateway.simulator.model import Org
from gateway.simulator.query import ApiError
from gateway.simulator.responses import Call, json_response
from gateway.simulator.store import Store

logger = logging.getLogger(__name__)
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
# Status recorded for a request whose client went away before it was answered.
CLIENT_CLOSED = 499


def key_orgs(store: Store, headers: Headers) -> tuple[str, ...]:
    """The ids of the orgs the request's ``x-api-key`` administers; 401 without a known key."""
    key = headers.get("x-api-key")
    if not key:
        raise ApiError("Unauthorized", 401)
    org_ids = store.api_keys.get(key)
    if org_ids is None:
        # The body JumpCloud is publicly reported to send for an unknown key.
        raise ApiError(
            "Unauthorized: api key user not found",
            401,
            {"error": "Unauthorized", "message": "Unauthorized: api key user not found"},
        )
    return org_ids


def tenant(store: Store, headers: Headers) -> Org:
    """The org this request reads, from ``x-api-key`` and ``x-org-id``."""
    org_ids = key_orgs(store, headers)
    org_id = headers.get("x-org-id", "")
    if not org_id:
        if len(org_ids) != 1:
            # A multi-tenant key must pick an org: 401 (V1/V2 info "Multi-Tenant Portal
            # Headers"); the message is the one Directory Insights is reported to send.
            raise ApiError("Unauthorized: no organization selected", 401)
        org_id = org_ids[0]
    elif not _OBJECT_ID.fullmatch(org_id):
        raise ApiError("Bad Request: x-org-id is not a valid organization id", 400)
    org = store.orgs.get(org_id)
    if org is None or org_id not in org_ids:
        raise ApiError(f"Not Found: organization {org_id} not found", 404)
    return org


def create_simulator_app(
    store: Store, *, faults: Faults | None = None, log: RequestLog | None = None
) -> Starlette:
    """A JumpCloud look-alike over ``store``. ``app.state`` holds ``store``, ``faults``, ``log``."""
    table = routes.build_routes()
    faults = faults if faults is not None else Faults()
    log = log if log is not None else RequestLog()

    async def answer(
        request: Request, route: routes.Route | None, path_params: dict[str, str], known: bool
    ) -> Response:
        path = request.url.path
        template, operation = (route.template, route.operation) if route else (None, None)
        fault = await faults.apply(template, operation, path)
        if fault is not None:
            return json_response(fault.body, fault.status, fault.headers)
        if route is None:
            status, reason = (405, "Method Not Allowed") if known else (404, "Not Found")
            return json_response({"message": f"{reason}: {request.method} {path}"}, status)
        try:
            params = request.query_params.multi_items()
            key_level = routes.KEY_LEVEL.get(route.operation)
            if key_level is not None:
                orgs = [store.orgs[i] for i in key_orgs(store, request.headers)]
                if "x-org-id" in request.headers:
                    # JumpCloud documents 403 for an x-org-id sent where it is not supported.
                    raise ApiError("Forbidden: x-org-id is not supported on this route", 403)
                return await key_level(Call(request, orgs[0], params, path_params), orgs)
            org = tenant(store, request.headers)
            call = Call(request, org, params, path_params)
            return await route.handler(call)
        except ApiError as error:
            return json_response(error.body, error.status)
        except Exception:
            # Bad input never lands here (tests prove it); only simulator bugs do.
            logger.exception("simulator bug answering %s %s", request.method, path)
            return json_response({"message": "Internal Server Error"}, 500)

    async def endpoint(request: Request) -> Response:
        route, path_params, known = routes.match(table, request.method, request.url.path)
        status = CLIENT_CLOSED
        try:
            response = await answer(request, route, path_params, known)
            status = response.status_code
            return response
        finally:
            log.record(
                LoggedRequest(
                    method=request.method,
                    path=request.url.path,
                    route=route.template if route else None,
                    operation=route.operation if route else None,
                    status=status,
                    query=request.url.query,
                )
            )

    app = Starlette(routes=[StarletteRoute("/{path:path}", endpoint, methods=_METHODS)])
    app.state.store = store
    app.state.faults = faults
    app.state.log = log
    return app
