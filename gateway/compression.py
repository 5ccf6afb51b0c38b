"""gzip for clients that accept it, out of the way of those that do not."""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Receive, Scope, Send


class AcceptedGZip(GZipMiddleware):
    """Starlette's gzip, entered only when the client accepts gzip. For the others its
    identity responder re-normalises its content types and wraps every message on every
    request, a tenth of what a replayed answer costs; the GraphQL view says `Vary:
    Accept-Encoding` on its own responses instead."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"accept-encoding" and b"gzip" in value.lower():
                    break
            else:
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
