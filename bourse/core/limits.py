"""The request body limit, enforced before Django reads a byte of it.

Django's ASGI handler reads the whole body (into a temporary file) before any middleware runs,
and DATA_UPLOAD_MAX_MEMORY_SIZE leaves file parts out: without this, a 150 MB upload is received
whole before the photo check says "more than 10 MB". `BodySizeLimit` wraps the HTTP application:
a declared `Content-Length` above `REQUEST_MAX_BODY_BYTES` is answered 413 at once, and a body
that grows past it while streaming (chunked, or lying about its length) is cut off with the same
answer. The reverse proxy should refuse such bodies even earlier (docs/security.md).
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _


class BodySizeLimit:
    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.max_bytes:
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                return await self._refuse(send)

        received = 0
        refused = False

        async def limited_receive():
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}  # Django gives up on the request
            return message

        async def guarded_send(message):
            if not refused:
                await send(message)

        return await self.app(scope, limited_receive, guarded_send)

    async def _refuse(self, send):
        megabytes = self.max_bytes // (1024 * 1024)
        body = json.dumps(
            {"detail": _("La requête dépasse %(n)d Mo.") % {"n": megabytes}}, ensure_ascii=False
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
